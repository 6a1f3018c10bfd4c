// Which bearer tokens ARM accepts, in strict and dev mode. The server's signing key is made
// here (OpenSSL), so the test can sign tokens the server would never issue — wrong issuer,
// another key under its key id, `alg: none` — and check each is refused with its ARM code
// (the codes Azure answers, shared/reference/identity-clients.md §7).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>

#include "reprieve/base/random.h"
#include "reprieve/core/policy/policy_catalog.h"
#include "reprieve/core/service/resource_service.h"
#include "reprieve/http/arm_api.h"
#include "reprieve/store/memory/memory_store.h"
#include "testutil/testutil.h"

namespace reprieve {
namespace {

namespace json = boost::json;

constexpr char kTenant[] = "00000000-0000-0000-0000-00000000a001";
constexpr char kSub[] = "00000000-0000-0000-0000-00000000b001";
const std::string kList = "/subscriptions?api-version=2022-12-01";

std::string Base64Url(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(data.data()),
                                static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

struct Key {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey{EVP_EC_gen("P-256"), &EVP_PKEY_free};

  std::string Pem() const {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    PEM_write_bio_PrivateKey(bio.get(), pkey.get(), nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(size));
  }

  // The JWS ES256 signature (raw r || s) of `input`.
  std::string Sign(const std::string& input) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    size_t size = 0;
    EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey.get());
    EVP_DigestSign(ctx.get(), nullptr, &size, reinterpret_cast<const unsigned char*>(input.data()),
                   input.size());
    std::string der(size, '\0');
    EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &size,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    const unsigned char* cursor = reinterpret_cast<const unsigned char*>(der.data());
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(size));
    unsigned char raw[64];
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + 32, 32);
    ECDSA_SIG_free(sig);
    return Base64Url(std::string(reinterpret_cast<char*>(raw), 64));
  }
};

class TokenValidationTest : public ::testing::Test {
 protected:
  void Start(http::AuthMode mode, bool managed_identity = true) {
    clock_ = std::make_unique<ManualClock>(testutil::ParseUtc("2026-06-15T08:00:00Z"));
    store_ = store::NewMemoryStore();
    random_ = NewSystemRandom();
    service_ = std::make_unique<core::ResourceService>(*store_, *clock_, *random_,
                                                       core::PolicyCatalog::Builtin());
    ASSERT_TRUE(service_->tenancy().PutTenant(kTenant, "{}").has_value());
    ASSERT_TRUE(service_->tenancy().PutSubscription(kSub, kTenant, "{}").has_value());
    http::ArmApiOptions options;
    options.manual_clock = clock_.get();
    options.default_tenant = kTenant;
    options.auth = mode;
    options.signing_keys = server_key_.Pem();
    options.managed_identity = managed_identity;
    api_ = http::ArmApi::Create(*service_, *clock_, *random_, options).value();
    const auto jwks = Send("GET", "/adfs/discovery/keys", "");
    ASSERT_EQ(jwks.status, 200);
    kid_ = std::string(json::parse(jwks.body).at("keys").at(0).at("kid").as_string());
  }

  http::HttpResponse Send(const std::string& method, const std::string& target,
                          const std::string& token, const std::string& body = "",
                          const std::string& host = "localhost") {
    http::HttpRequest request{method, target, {{"host", host}}, body, true};
    request.from_loopback = true;
    if (!token.empty()) request.headers.emplace_back("authorization", "Bearer " + token);
    request.headers.emplace_back("metadata", "true");
    return api_->Handle(request);
  }

  // A token from the managed-identity endpoint, as the server issues them.
  std::string Issued(const std::string& resource = "https://localhost/") {
    const auto response = Send("POST", "/reprieve/msi/token", "", "resource=" + resource);
    EXPECT_EQ(response.status, 200) << response.body;
    return std::string(json::parse(response.body).at("access_token").as_string());
  }

  // A token the test signs: the server's claims for its managed identity, changed by `edit`.
  template <typename Edit>
  std::string Forged(Edit edit, const Key& key, std::string alg = "ES256") {
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            clock_->Now().time_since_epoch())
                            .count();
    json::object claims{{"aud", "https://localhost/"},
                        {"iss", std::string("https://localhost/") + kTenant + "/"},
                        {"iat", now},
                        {"nbf", now},
                        {"exp", now + 3600},
                        {"tid", kTenant},
                        {"oid", "0000a000-0000-4000-8000-000000000001"},
                        {"appid", "0000a000-0000-4000-8000-000000000002"},
                        {"idtyp", "app"}};
    edit(claims);
    const json::object header{{"typ", "JWT"}, {"alg", alg}, {"kid", kid_}};
    const std::string input =
        Base64Url(json::serialize(header)) + "." + Base64Url(json::serialize(claims));
    return input + "." + (alg == "none" ? std::string() : key.Sign(input));
  }

  static std::string Code(const http::HttpResponse& response) {
    return std::string(json::parse(response.body).at("error").at("code").as_string());
  }

  Key server_key_;
  std::unique_ptr<ManualClock> clock_;
  std::unique_ptr<core::ResourceStore> store_;
  std::unique_ptr<RandomSource> random_;
  std::unique_ptr<core::ResourceService> service_;
  std::unique_ptr<http::ArmApi> api_;
  std::string kid_;
};

TEST_F(TokenValidationTest, StrictModeAcceptsTheTokensItIssuedAndTheTestSignedAlike) {
  Start(http::AuthMode::kStrict);
  EXPECT_EQ(Send("GET", kList, Issued()).status, 200);
  EXPECT_EQ(Send("GET", kList, Forged([](json::object&) {}, server_key_)).status, 200);
  // Both audiences clients ask for: with (az) and without (the SDKs) the trailing slash.
  EXPECT_EQ(Send("GET", kList, Issued("https://localhost")).status, 200);
}

TEST_F(TokenValidationTest, StrictModeRefusesEachBadTokenWithItsCode) {
  Start(http::AuthMode::kStrict);
  const Key other_key;
  struct Case {
    const char* what;
    std::string token;
    const char* code;
  };
  const std::vector<Case> cases = {
      {"not issued by Reprieve", "fake-token", "InvalidAuthenticationToken"},
      {"garbage", "%%%.@@@.!!!", "InvalidAuthenticationToken"},
      {"truncated", Issued().substr(0, 60), "InvalidAuthenticationToken"},
      {"wrong audience", Issued("https://localhost/graph/"), "InvalidAuthenticationTokenAudience"},
      {"wrong issuer",
       Forged([](json::object& c) { c["iss"] = "https://sts.windows.net/someone-else/"; },
              server_key_),
       "InvalidAuthenticationTokenTenant"},
      {"wrong signature", Forged([](json::object&) {}, other_key), "InvalidAuthenticationToken"},
      {"alg none", Forged([](json::object&) {}, server_key_, "none"),
       "InvalidAuthenticationToken"},
      {"HS256 under our key id", Forged([](json::object&) {}, server_key_, "HS256"),
       "InvalidAuthenticationToken"},
      {"unknown principal",
       Forged([](json::object& c) { c["oid"] = "99999999-9999-4999-8999-999999999999"; },
              server_key_),
       "InvalidAuthenticationToken"},
  };
  for (const Case& c : cases) {
    const auto response = Send("GET", kList, c.token);
    EXPECT_EQ(response.status, 401) << c.what << ": " << response.body;
    EXPECT_EQ(Code(response), c.code) << c.what << ": " << response.body;
    EXPECT_NE(response.Header("WWW-Authenticate").find("invalid_token"), std::string::npos)
        << c.what;
  }
}

TEST_F(TokenValidationTest, ExpiryAndNotBeforeAreJudgedOnTheServersClock) {
  Start(http::AuthMode::kStrict);
  const std::string token = Issued();  // valid 08:00 to 09:00, give or take five minutes
  clock_->Advance(std::chrono::minutes(64));
  EXPECT_EQ(Send("GET", kList, token).status, 200);
  clock_->Advance(std::chrono::minutes(2));
  const auto expired = Send("GET", kList, token);
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(Code(expired), "ExpiredAuthenticationToken");
  EXPECT_NE(expired.body.find("'6/15/2026 9:00:00 AM' is earlier than current UTC time "
                              "'6/15/2026 9:06:00 AM'"),
            std::string::npos)
      << expired.body;

  const std::string early =
      Forged([&](json::object& c) { c["nbf"] = c["nbf"].as_int64() + 3600; }, server_key_);
  const auto refused = Send("GET", kList, early);
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(Code(refused), "InvalidAuthenticationToken");
  EXPECT_NE(refused.body.find("not valid before"), std::string::npos) << refused.body;
}

TEST_F(TokenValidationTest, DevModeTakesForeignTokensAsTheDeveloperButJudgesItsOwn) {
  Start(http::AuthMode::kDev);
  EXPECT_EQ(Send("GET", kList, "fake-token").status, 200);
  EXPECT_EQ(Send("GET", kList, "%%%garbage").status, 200);
  const auto wrong_audience = Send("GET", kList, Issued("https://localhost/graph/"));
  EXPECT_EQ(wrong_audience.status, 401);
  EXPECT_EQ(Code(wrong_audience), "InvalidAuthenticationTokenAudience");
  const auto tampered = Send("GET", kList, Forged([](json::object&) {}, Key()));
  EXPECT_EQ(tampered.status, 401);
  EXPECT_EQ(Code(tampered), "InvalidAuthenticationToken");
}

TEST_F(TokenValidationTest, ClientCredentialsErrorsAnswerInOAuthShape) {
  Start(http::AuthMode::kStrict);
  const auto unknown = Send("POST", std::string("/") + kTenant + "/oauth2/v2.0/token", "",
                            "grant_type=client_credentials&client_id=nobody&client_secret=x"
                            "&scope=https%3A%2F%2Flocalhost%2F.default");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(json::parse(unknown.body).at("error").as_string(), "unauthorized_client");
  const auto grant = Send("POST", "/adfs/oauth2/token", "", "grant_type=password&client_id=x");
  EXPECT_EQ(grant.status, 400);
  EXPECT_EQ(json::parse(grant.body).at("error").as_string(), "unsupported_grant_type");
  const auto tenant = Send("POST", "/11111111-1111-1111-1111-111111111111/oauth2/v2.0/token", "",
                           "grant_type=client_credentials");
  EXPECT_EQ(tenant.status, 400);
  EXPECT_EQ(json::parse(tenant.body).at("error_codes").at(0).as_int64(), 90002);
}

TEST_F(TokenValidationTest, TheManagedIdentityEndpointAnswersOnlyLoopbackCallersThatSayItIsOne) {
  Start(http::AuthMode::kStrict);
  http::HttpRequest remote{"POST", "/reprieve/msi/token", {{"host", "localhost"}, {"metadata", "true"}},
                           "resource=https://localhost/", true};
  remote.from_loopback = false;
  EXPECT_EQ(api_->Handle(remote).status, 403);
  http::HttpRequest forged{"POST", "/reprieve/msi/token", {{"host", "localhost"}},
                           "resource=https://localhost/", true};
  forged.from_loopback = true;
  EXPECT_EQ(api_->Handle(forged).status, 400);
  forged.headers.emplace_back("metadata", "false");
  EXPECT_EQ(api_->Handle(forged).status, 400);
  // A web page whose name was rebound to 127.0.0.1, or a proxy forwarding others.
  http::HttpRequest rebound{"POST", "/reprieve/msi/token", {{"host", "evil.example:8443"},
                            {"metadata", "true"}}, "resource=https://evil.example:8443/", true};
  rebound.from_loopback = true;
  EXPECT_EQ(api_->Handle(rebound).status, 403);
  http::HttpRequest proxied{"POST", "/reprieve/msi/token", {{"host", "127.0.0.1:8443"},
                            {"metadata", "true"}, {"x-forwarded-for", "203.0.113.7"}},
                            "resource=https://127.0.0.1:8443/", true};
  proxied.from_loopback = true;
  EXPECT_EQ(api_->Handle(proxied).status, 403);
  proxied.headers.pop_back();
  EXPECT_EQ(api_->Handle(proxied).status, 200);
}

TEST_F(TokenValidationTest, TheManagedIdentityEndpointCanBeTurnedOff) {
  Start(http::AuthMode::kStrict, /*managed_identity=*/false);
  const auto response = Send("POST", "/reprieve/msi/token", "", "resource=https://localhost/");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(Code(response), "ManagedIdentityDisabled");
}

}  // namespace
}  // namespace reprieve
