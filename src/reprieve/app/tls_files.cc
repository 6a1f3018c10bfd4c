#include "reprieve/app/tls_files.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "reprieve/base/status_macros.h"

namespace reprieve::app {
namespace {

namespace fs = std::filesystem;

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Free>;
using Cert = std::unique_ptr<X509, Free>;

Status SslError(const std::string& what) {
  return UnavailableError("TLS setup: " + what + " failed");
}

int64_t Seconds(Timestamp t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Status AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, Free> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) return SslError("adding an extension");
  return OkStatus();
}

Result<Cert> MakeCert(EVP_PKEY* key, const char* common_name, X509* issuer, EVP_PKEY* issuer_key,
                      Timestamp now, std::chrono::hours validity) {
  Cert cert(X509_new());
  if (!cert) return SslError("X509_new");
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof(serial)) != 1) return SslError("RAND_bytes");
  serial[0] &= 0x7f;
  std::unique_ptr<BIGNUM, Free> bn(BN_bin2bn(serial, sizeof(serial), nullptr));
  BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get()));
  const int64_t start = Seconds(now) - 24 * 3600;
  const int64_t end = Seconds(now) + std::chrono::duration_cast<std::chrono::seconds>(validity).count();
  ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(start));
  ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(end));
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Reprieve"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509* signer = issuer ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  REPRIEVE_RETURN_IF_ERROR(AddExtension(cert.get(), signer, NID_subject_key_identifier, "hash"));
  if (issuer == nullptr) {
    REPRIEVE_RETURN_IF_ERROR(
        AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE,pathlen:0"));
    REPRIEVE_RETURN_IF_ERROR(
        AddExtension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign"));
  } else {
    REPRIEVE_RETURN_IF_ERROR(
        AddExtension(cert.get(), signer, NID_authority_key_identifier, "keyid:always"));
    REPRIEVE_RETURN_IF_ERROR(
        AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE"));
    REPRIEVE_RETURN_IF_ERROR(
        AddExtension(cert.get(), signer, NID_key_usage, "critical,digitalSignature"));
    REPRIEVE_RETURN_IF_ERROR(AddExtension(cert.get(), signer, NID_ext_key_usage, "serverAuth"));
    REPRIEVE_RETURN_IF_ERROR(AddExtension(cert.get(), signer, NID_subject_alt_name,
                                          "DNS:localhost,IP:127.0.0.1,IP:::1"));
  }
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0) return SslError("X509_sign");
  return cert;
}

// Writes `pem` to `path` through a temporary file and rename, so a crash never leaves a
// half-written file behind.
Status WriteFile(const std::string& path, const std::string& pem, mode_t mode) {
  const std::string tmp = path + ".tmp";
  std::FILE* file = std::fopen(tmp.c_str(), "wb");
  if (file == nullptr) return UnavailableError("cannot write " + tmp);
  chmod(tmp.c_str(), mode);
  const bool ok = std::fwrite(pem.data(), 1, pem.size(), file) == pem.size() &&
                  std::fflush(file) == 0;
  std::fclose(file);
  std::error_code ec;
  if (!ok) return UnavailableError("cannot write " + tmp);
  fs::rename(tmp, path, ec);
  if (ec) return UnavailableError("cannot rename " + tmp + ": " + ec.message());
  return OkStatus();
}

std::string CertPem(X509* cert) {
  std::unique_ptr<BIO, Free> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string KeyPem(EVP_PKEY* key) {
  std::unique_ptr<BIO, Free> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

// True if `path` holds a certificate valid for at least 30 more days.
bool CertUsable(const std::string& path, Timestamp now) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return false;
  Cert cert(PEM_read_X509(file, nullptr, nullptr, nullptr));
  std::fclose(file);
  if (!cert) return false;
  const time_t horizon = static_cast<time_t>(Seconds(now) + 30 * 24 * 3600);
  return X509_cmp_time(X509_get0_notAfter(cert.get()), const_cast<time_t*>(&horizon)) > 0;
}

}  // namespace

Result<TlsFiles> EnsureTlsFiles(const std::string& dir, const Clock& clock) {
  TlsFiles files{dir + "/ca.pem", dir + "/server.pem", dir + "/server-key.pem", false};
  const Timestamp now = clock.Now();
  if (fs::exists(files.ca_cert) && fs::exists(files.server_key) &&
      CertUsable(files.server_cert, now)) {
    return files;
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return UnavailableError("cannot create " + dir + ": " + ec.message());
  Key ca_key(EVP_EC_gen("P-256"));
  Key server_key(EVP_EC_gen("P-256"));
  if (!ca_key || !server_key) return SslError("generating EC keys");
  REPRIEVE_ASSIGN_OR_RETURN(Cert ca, MakeCert(ca_key.get(), "Reprieve local CA", nullptr,
                                              ca_key.get(), now, std::chrono::hours(24 * 3650)));
  REPRIEVE_ASSIGN_OR_RETURN(Cert server, MakeCert(server_key.get(), "localhost", ca.get(),
                                                  ca_key.get(), now, std::chrono::hours(24 * 825)));
  REPRIEVE_RETURN_IF_ERROR(WriteFile(dir + "/ca-key.pem", KeyPem(ca_key.get()), 0600));
  REPRIEVE_RETURN_IF_ERROR(WriteFile(files.server_key, KeyPem(server_key.get()), 0600));
  REPRIEVE_RETURN_IF_ERROR(WriteFile(files.server_cert, CertPem(server.get()) + CertPem(ca.get()), 0644));
  // ca.pem last: its presence says the set is complete.
  REPRIEVE_RETURN_IF_ERROR(WriteFile(files.ca_cert, CertPem(ca.get()), 0644));
  files.generated = true;
  return files;
}

}  // namespace reprieve::app
