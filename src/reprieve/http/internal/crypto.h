// The cryptography of Reprieve's token service, through OpenSSL's EVP API: ES256 signing
// keys (P-256) for access tokens and their JWKS, and salted PBKDF2 hashes of client
// secrets, with secrets and salts drawn from OpenSSL's CSPRNG. Internal to reprieve_http.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reprieve/base/result.h"

namespace reprieve::http::internal {

// One ES256 key pair.
class SigningKey {
 public:
  // A new P-256 key. kInternal if OpenSSL fails.
  static Result<std::unique_ptr<SigningKey>> Generate();
  // From a PKCS#8 PEM private key. kInvalidArgument if it is not a P-256 key.
  static Result<std::unique_ptr<SigningKey>> FromPem(std::string_view pem);
  ~SigningKey();

  std::string PrivatePem() const;
  // The key id: base64url of the SHA-256 of the public point (RFC 7638-like thumbprint).
  const std::string& kid() const { return kid_; }
  // The JWS ES256 signature (r || s, base64url) of `signing_input`.
  Result<std::string> Sign(std::string_view signing_input) const;
  // Whether `signature` (base64url r || s) is this key's signature of `signing_input`.
  bool Verify(std::string_view signing_input, std::string_view signature) const;
  // The public key as a JWK object's members: {kty, crv, x, y} (base64url coordinates).
  std::string x() const { return x_; }
  std::string y() const { return y_; }

 private:
  struct Impl;
  explicit SigningKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::string kid_, x_, y_;
};

// The SHA-256 of `data`, base64url-encoded (an ETag of embedded content).
std::string ContentHash(std::string_view data);

// `bytes` bytes from the CSPRNG, base64url-encoded. REPRIEVE_CHECKs that OpenSSL succeeds.
std::string RandomToken(int bytes);

// "pbkdf2-sha256$<iterations>$<salt>$<hash>" of `secret`, with a fresh 16-byte salt.
std::string HashSecret(std::string_view secret);
// Whether `secret` hashes to `stored` (a HashSecret result), in constant time.
bool VerifySecret(std::string_view secret, std::string_view stored);

}  // namespace reprieve::http::internal
