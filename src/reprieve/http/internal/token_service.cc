#include "reprieve/http/internal/token_service.h"

#include "reprieve/base/status_macros.h"
#include "reprieve/base/strings.h"
#include "reprieve/http/internal/base64.h"

namespace reprieve::http::internal {
namespace json = boost::json;
namespace {

int64_t Seconds(Timestamp t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Timestamp FromSeconds(int64_t s) { return Timestamp(std::chrono::seconds(s)); }

// PEM blocks in `text`, in order.
std::vector<std::string> PemBlocks(std::string_view text) {
  std::vector<std::string> blocks;
  constexpr std::string_view kEnd = "-----END ";
  size_t start = text.find("-----BEGIN ");
  while (start != std::string_view::npos) {
    const size_t end = text.find(kEnd, start);
    if (end == std::string_view::npos) break;
    const size_t close = text.find("-----", end + kEnd.size());
    if (close == std::string_view::npos) break;
    blocks.emplace_back(text.substr(start, close + 5 - start));
    start = text.find("-----BEGIN ", close + 5);
  }
  return blocks;
}

const json::string* StringClaim(const json::object& claims, std::string_view name) {
  const json::value* v = claims.if_contains(name);
  return v != nullptr && v->is_string() ? &v->as_string() : nullptr;
}

std::optional<int64_t> NumberClaim(const json::object& claims, std::string_view name) {
  const json::value* v = claims.if_contains(name);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() < (1ull << 62)) return static_cast<int64_t>(v->as_uint64());
  return std::nullopt;
}

}  // namespace

Result<std::unique_ptr<TokenService>> TokenService::Create(
    std::string_view keys_pem, std::function<Status(const std::string&)> persist) {
  std::unique_ptr<TokenService> service(new TokenService());
  static std::atomic<uint64_t> instances{0};
  service->generation_ = (instances.fetch_add(1) + 1) << 32;
  service->persist_ = std::move(persist);
  for (const std::string& block : PemBlocks(keys_pem)) {
    REPRIEVE_ASSIGN_OR_RETURN(std::unique_ptr<SigningKey> key, SigningKey::FromPem(block));
    service->keys_.push_back(std::move(key));
    if (service->keys_.size() == 2) break;
  }
  if (service->keys_.empty()) {
    REPRIEVE_ASSIGN_OR_RETURN(std::unique_ptr<SigningKey> key, SigningKey::Generate());
    service->keys_.push_back(std::move(key));
    if (service->persist_) REPRIEVE_RETURN_IF_ERROR(service->persist_(service->PemLocked()));
  }
  return service;
}

std::string TokenService::PemLocked() const {
  std::string pem;
  for (const auto& key : keys_) pem += key->PrivatePem();
  return pem;
}

std::string TokenService::CurrentKid() const {
  std::lock_guard<std::mutex> lock(mu_);
  return keys_.front()->kid();
}

Result<std::string> TokenService::Issue(const TokenClaims& claims) const {
  std::shared_ptr<const SigningKey> key;
  {
    std::lock_guard<std::mutex> lock(mu_);
    key = keys_.front();
  }
  const json::object header{{"typ", "JWT"}, {"alg", "ES256"}, {"kid", key->kid()}};
  json::object payload{{"aud", claims.audience},
                       {"iss", claims.issuer},
                       {"iat", Seconds(claims.issued_at)},
                       {"nbf", Seconds(claims.not_before)},
                       {"exp", Seconds(claims.expires_at)},
                       {"tid", claims.tenant_id},
                       {"oid", claims.object_id},
                       {"sub", claims.object_id},
                       {"appid", claims.app_id},
                       {"appidacr", "1"},
                       {"idtyp", "app"},
                       {"ver", "1.0"}};
  if (!claims.display_name.empty()) payload["app_displayname"] = claims.display_name;
  const std::string input =
      Base64UrlEncode(json::serialize(header)) + "." + Base64UrlEncode(json::serialize(payload));
  REPRIEVE_ASSIGN_OR_RETURN(const std::string signature, key->Sign(input));
  return input + "." + signature;
}

VerifiedToken TokenService::Verify(std::string_view token) const {
  VerifiedToken out;
  const auto malformed = [&](std::string reason) {
    out.problem = TokenProblem::kMalformed;
    out.reason = std::move(reason);
    return out;
  };
  const std::vector<std::string_view> parts = Split(token, '.');
  if (parts.size() != 3) return malformed("it is not a JWT of three segments");
  const auto header_text = Base64UrlDecode(parts[0]);
  const auto payload_text = Base64UrlDecode(parts[1]);
  if (!header_text || !payload_text) return malformed("a segment is not base64url");
  std::error_code ec;
  json::value header = json::parse(*header_text, ec);
  if (ec || !header.is_object()) return malformed("its header is not a JSON object");
  json::value payload = json::parse(*payload_text, ec);
  if (ec || !payload.is_object()) return malformed("its payload is not a JSON object");
  const json::string* alg = StringClaim(header.as_object(), "alg");
  const json::string* kid = StringClaim(header.as_object(), "kid");
  std::shared_ptr<const SigningKey> key;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& candidate : keys_) {
      if (kid != nullptr && *kid == candidate->kid()) key = candidate;
    }
  }
  if (key == nullptr) {
    out.problem = TokenProblem::kNotOurs;
    return out;
  }
  if (alg == nullptr || *alg != "ES256") {
    out.problem = TokenProblem::kBadSignature;
    out.reason = "its signature algorithm '" + (alg ? std::string(*alg) : std::string("")) +
                 "' is not ES256";
    return out;
  }
  const std::string_view input = token.substr(0, parts[0].size() + 1 + parts[1].size());
  if (!key->Verify(input, parts[2])) {
    out.problem = TokenProblem::kBadSignature;
    out.reason = "its signature does not verify";
    return out;
  }
  const json::object& claims = payload.as_object();
  const auto text = [&](std::string_view name) {
    const json::string* v = StringClaim(claims, name);
    return v ? std::string(*v) : std::string();
  };
  const auto iat = NumberClaim(claims, "iat");
  const auto nbf = NumberClaim(claims, "nbf");
  const auto exp = NumberClaim(claims, "exp");
  if (!iat || !nbf || !exp) return malformed("it lacks a numeric iat, nbf or exp claim");
  out.claims.audience = text("aud");
  out.claims.issuer = text("iss");
  out.claims.tenant_id = text("tid");
  out.claims.object_id = text("oid");
  out.claims.app_id = text("appid");
  out.claims.display_name = text("app_displayname");
  out.claims.issued_at = FromSeconds(*iat);
  out.claims.not_before = FromSeconds(*nbf);
  out.claims.expires_at = FromSeconds(*exp);
  return out;
}

json::object TokenService::Jwks() const {
  std::lock_guard<std::mutex> lock(mu_);
  json::array keys;
  for (const auto& key : keys_) {
    keys.push_back(json::object{{"kty", "EC"},
                                {"crv", "P-256"},
                                {"x", key->x()},
                                {"y", key->y()},
                                {"kid", key->kid()},
                                {"use", "sig"},
                                {"alg", "ES256"}});
  }
  return json::object{{"keys", std::move(keys)}};
}

Status TokenService::Rotate() {
  std::lock_guard<std::mutex> rotating(rotate_mu_);
  REPRIEVE_ASSIGN_OR_RETURN(std::unique_ptr<SigningKey> fresh, SigningKey::Generate());
  std::string pem;
  {
    std::lock_guard<std::mutex> lock(mu_);
    keys_.insert(keys_.begin(), std::move(fresh));
    if (keys_.size() > 2) keys_.resize(2);
    pem = PemLocked();
    generation_.fetch_add(1, std::memory_order_acq_rel);
  }
  return persist_ ? persist_(pem) : OkStatus();
}

}  // namespace reprieve::http::internal
