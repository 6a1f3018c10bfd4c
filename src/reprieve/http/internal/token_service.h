// TokenService: Reprieve as its own Entra ID token issuer. Issues ES256-signed JWT access
// tokens (the claims Azure's v1 access tokens carry) and verifies them, holding the current
// signing key and the one before it (so tokens issued before a rotation stay valid until
// they expire). Internal to reprieve_http; safe for concurrent use.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "reprieve/base/result.h"
#include "reprieve/base/time.h"
#include "reprieve/http/internal/crypto.h"

namespace reprieve::http::internal {

// Who a token is for and about.
struct TokenClaims {
  std::string audience;
  std::string issuer;
  std::string tenant_id;
  std::string object_id;
  std::string app_id;
  std::string display_name;  // the application's (Reprieve issues app-only tokens)
  Timestamp issued_at{};
  Timestamp not_before{};
  Timestamp expires_at{};
};

// Why a token was not accepted, with the ARM error it answers.
enum class TokenProblem { kNone, kMalformed, kNotOurs, kBadSignature };

struct VerifiedToken {
  TokenProblem problem = TokenProblem::kNone;
  std::string reason;  // for kMalformed / kBadSignature
  TokenClaims claims;  // when problem is kNone
};

class TokenService {
 public:
  // `keys_pem`: PEM private keys, current first; empty: a new key is generated. `persist`
  // is called with the PEM text of the keys whenever they change (and at once when one was
  // generated); it may be empty.
  static Result<std::unique_ptr<TokenService>> Create(
      std::string_view keys_pem, std::function<Status(const std::string&)> persist);

  // A signed access token with `claims` (iat/nbf/exp as given).
  Result<std::string> Issue(const TokenClaims& claims) const;

  // Parses and checks the signature of `token`. kNotOurs: well-formed, but no key of ours
  // signed it (a foreign or fake token). Claims are not judged here (time, audience,
  // issuer): the caller decides against its clock and route.
  VerifiedToken Verify(std::string_view token) const;

  // {"keys":[{kty, crv, x, y, kid, use, alg}...]}: the current key and the previous one.
  boost::json::object Jwks() const;

  // Replaces the current key by a new one; the current becomes the previous; persists.
  Status Rotate();

  std::string CurrentKid() const;

  // Changes whenever the keys change, and differs between instances: a verification
  // remembered at one generation says nothing at another.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  TokenService() = default;
  std::string PemLocked() const;

  std::mutex rotate_mu_;  // one rotation (and its write to disk) at a time, in order
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<const SigningKey>> keys_;  // current first; at most two
  std::function<Status(const std::string&)> persist_;
  std::atomic<uint64_t> generation_;  // unique across instances (see Create)
};

}  // namespace reprieve::http::internal
