#include "reprieve/http/internal/crypto.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "reprieve/base/check.h"
#include "reprieve/base/strings.h"
#include "reprieve/http/internal/base64.h"

namespace reprieve::http::internal {
namespace {

constexpr int kPbkdf2Iterations = 100000;
constexpr int kCoordinateBytes = 32;  // P-256

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string Bytes(const unsigned char* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

std::optional<std::string> Coordinate(const EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) return std::nullopt;
  unsigned char out[kCoordinateBytes];
  const int written = BN_bn2binpad(bn, out, kCoordinateBytes);
  BN_free(bn);
  if (written != kCoordinateBytes) return std::nullopt;
  return Bytes(out, kCoordinateBytes);
}

std::string Sha256(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  REPRIEVE_CHECK(EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr) == 1);
  return Bytes(digest, size);
}

std::string Pbkdf2(std::string_view secret, std::string_view salt, int iterations) {
  unsigned char out[32];
  REPRIEVE_CHECK(PKCS5_PBKDF2_HMAC(secret.data(), static_cast<int>(secret.size()),
                                   reinterpret_cast<const unsigned char*>(salt.data()),
                                   static_cast<int>(salt.size()), iterations, EVP_sha256(),
                                   sizeof(out), out) == 1);
  return Bytes(out, sizeof(out));
}

}  // namespace

struct SigningKey::Impl {
  Pkey key;
};

SigningKey::SigningKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  const auto x = Coordinate(impl_->key.get(), OSSL_PKEY_PARAM_EC_PUB_X);
  const auto y = Coordinate(impl_->key.get(), OSSL_PKEY_PARAM_EC_PUB_Y);
  REPRIEVE_CHECK(x && y) << "cannot read the public point of a P-256 key";
  x_ = Base64UrlEncode(*x);
  y_ = Base64UrlEncode(*y);
  kid_ = Base64UrlEncode(Sha256("{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + x_ +
                                "\",\"y\":\"" + y_ + "\"}"));
}

SigningKey::~SigningKey() = default;

Result<std::unique_ptr<SigningKey>> SigningKey::Generate() {
  Pkey key(EVP_EC_gen("P-256"));
  if (!key) return InternalError("OpenSSL could not generate a P-256 key");
  auto impl = std::make_unique<Impl>();
  impl->key = std::move(key);
  return std::unique_ptr<SigningKey>(new SigningKey(std::move(impl)));
}

Result<std::unique_ptr<SigningKey>> SigningKey::FromPem(std::string_view pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) return InternalError("OpenSSL could not allocate a buffer");
  // An encrypted key is refused, never prompted for: the callback supplies no passphrase.
  const auto no_passphrase = [](char*, int, int, void*) { return 0; };
  Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_EC) {
    return InvalidArgumentError("the token signing key is not a PEM EC private key");
  }
  char group[64] = {0};
  size_t group_size = 0;
  if (EVP_PKEY_get_utf8_string_param(key.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                     &group_size) != 1 ||
      std::string_view(group, group_size) != "prime256v1") {
    return InvalidArgumentError("the token signing key is not on the P-256 curve");
  }
  auto impl = std::make_unique<Impl>();
  impl->key = std::move(key);
  return std::unique_ptr<SigningKey>(new SigningKey(std::move(impl)));
}

std::string SigningKey::PrivatePem() const {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  REPRIEVE_CHECK(bio && PEM_write_bio_PrivateKey(bio.get(), impl_->key.get(), nullptr, nullptr,
                                                 0, nullptr, nullptr) == 1);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

Result<std::string> SigningKey::Sign(std::string_view signing_input) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  size_t der_size = 0;
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, impl_->key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &der_size,
                     reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) != 1) {
    return InternalError("OpenSSL could not sign a token");
  }
  std::string der(der_size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &der_size,
                     reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) != 1) {
    return InternalError("OpenSSL could not sign a token");
  }
  // JWS wants the raw r || s, not the DER ECDSA-Sig-Value OpenSSL produces.
  const unsigned char* cursor = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der_size));
  if (sig == nullptr) return InternalError("OpenSSL produced an unreadable signature");
  unsigned char raw[2 * kCoordinateBytes];
  const bool ok = BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, kCoordinateBytes) == kCoordinateBytes &&
                  BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + kCoordinateBytes,
                               kCoordinateBytes) == kCoordinateBytes;
  ECDSA_SIG_free(sig);
  if (!ok) return InternalError("OpenSSL produced an unreadable signature");
  return Base64UrlEncode(Bytes(raw, sizeof(raw)));
}

bool SigningKey::Verify(std::string_view signing_input, std::string_view signature) const {
  const auto raw = Base64UrlDecode(signature);
  if (!raw || raw->size() != 2 * kCoordinateBytes) return false;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw->data());
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(bytes, kCoordinateBytes, nullptr);
  BIGNUM* s = BN_bin2bn(bytes + kCoordinateBytes, kCoordinateBytes, nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return false;
  }
  unsigned char* der = nullptr;
  const int der_size = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (der_size <= 0) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  const bool verified =
      ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, impl_->key.get()) == 1 &&
      EVP_DigestVerify(ctx.get(), der, static_cast<size_t>(der_size),
                       reinterpret_cast<const unsigned char*>(signing_input.data()),
                       signing_input.size()) == 1;
  OPENSSL_free(der);
  return verified;
}

std::string ContentHash(std::string_view data) { return Base64UrlEncode(Sha256(data)); }

std::string RandomToken(int bytes) {
  std::string out(static_cast<size_t>(bytes), '\0');
  REPRIEVE_CHECK(RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), bytes) == 1)
      << "the CSPRNG failed";
  return Base64UrlEncode(out);
}

std::string HashSecret(std::string_view secret) {
  std::string salt(16, '\0');
  REPRIEVE_CHECK(RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), 16) == 1);
  return "pbkdf2-sha256$" + std::to_string(kPbkdf2Iterations) + "$" + Base64UrlEncode(salt) +
         "$" + Base64UrlEncode(Pbkdf2(secret, salt, kPbkdf2Iterations));
}

bool VerifySecret(std::string_view secret, std::string_view stored) {
  const std::vector<std::string_view> parts = Split(stored, '$');
  if (parts.size() != 4 || parts[0] != "pbkdf2-sha256") return false;
  int iterations = 0;
  for (const char c : parts[1]) {
    if (c < '0' || c > '9' || iterations > 10'000'000) return false;
    iterations = iterations * 10 + (c - '0');
  }
  const auto salt = Base64UrlDecode(parts[2]);
  const auto expected = Base64UrlDecode(parts[3]);
  if (iterations <= 0 || !salt || !expected) return false;
  const std::string actual = Pbkdf2(secret, *salt, iterations);
  return actual.size() == expected->size() &&
         CRYPTO_memcmp(actual.data(), expected->data(), actual.size()) == 0;
}

}  // namespace reprieve::http::internal
