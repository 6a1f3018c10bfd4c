#include "reprieve/app/tls_files.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>

#include "testutil/testutil.h"

namespace reprieve::app {
namespace {

X509* ReadCert(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return nullptr;
  X509* cert = PEM_read_X509(file, nullptr, nullptr, nullptr);
  std::fclose(file);
  return cert;
}

class TlsFilesTest : public ::testing::Test {
 protected:
  testutil::TempDir dir_;
  SystemClock clock_;  // certificates are checked against real time
};

TEST_F(TlsFilesTest, ServerCertificateChainsToTheCaAndNamesLocalhost) {
  ASSERT_OK_AND_ASSIGN(TlsFiles files, EnsureTlsFiles(dir_.path() + "/tls", clock_));
  EXPECT_TRUE(files.generated);
  X509* ca = ReadCert(files.ca_cert);
  X509* server = ReadCert(files.server_cert);
  ASSERT_NE(ca, nullptr);
  ASSERT_NE(server, nullptr);
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, server, nullptr);
  X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(ctx), "localhost", 0);
  EXPECT_EQ(X509_verify_cert(ctx), 1) << X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
  EXPECT_EQ(X509_check_ip_asc(server, "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_host(server, "localhost", 0, 0, nullptr), 1);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  X509_free(server);
  X509_free(ca);
  const auto key_perms = std::filesystem::status(files.server_key).permissions();
  EXPECT_EQ(key_perms & std::filesystem::perms::others_read, std::filesystem::perms::none);
}

TEST_F(TlsFilesTest, ReusesExistingFiles) {
  ASSERT_OK_AND_ASSIGN(TlsFiles first, EnsureTlsFiles(dir_.path(), clock_));
  ASSERT_OK_AND_ASSIGN(TlsFiles second, EnsureTlsFiles(dir_.path(), clock_));
  EXPECT_FALSE(second.generated);
  EXPECT_EQ(second.ca_cert, first.ca_cert);
}

}  // namespace
}  // namespace reprieve::app
