// What an orchestrator and a scraper ask of an instance: /healthz, /readyz and /metrics, and
// the answers of an instance still starting. Expected statuses are issue 12's: health needs
// no token; readiness is 503 while starting or draining; metrics need no token from the
// host itself and the admin API's guard (Owner at root) from anywhere else.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <atomic>
#include <string>

#include "reprieve/http/arm_api.h"
#include "reprieve/store/memory/memory_store.h"
#include "testutil/testutil.h"

namespace reprieve::http {
namespace {

constexpr char kTenant[] = "00000000-0000-0000-0000-00000000a001";

class HealthTest : public ::testing::Test {
 protected:
  HealthTest()
      : clock_(testutil::ParseUtc("2026-01-01T00:00:00Z")),
        store_(store::NewMemoryStore()),
        random_(NewSystemRandom()),
        service_(*store_, clock_, *random_, core::PolicyCatalog::Builtin()) {
    ArmApiOptions options;
    options.default_tenant = kTenant;
    options.auth = AuthMode::kStrict;
    options.metrics = [] { return std::string("reprieve_up 1\n"); };
    options.readiness = [this]() -> Status {
      if (draining_) return UnavailableError("shutting down").WithArmCode("ServiceUnavailable");
      return OkStatus();
    };
    api_ = ArmApi::Create(service_, clock_, *random_, options).value();
  }

  HttpResponse Get(const std::string& target, bool from_loopback, const std::string& token = "") {
    HttpRequest request{"GET", target, {{"host", "localhost"}}, "", true};
    request.from_loopback = from_loopback;
    if (!token.empty()) request.headers.emplace_back("authorization", "Bearer " + token);
    return api_->Handle(request);
  }

  static std::string Code(const HttpResponse& response) {
    return std::string(
        boost::json::parse(response.body).at("error").at("code").as_string());
  }

  ManualClock clock_;
  std::unique_ptr<core::ResourceStore> store_;
  std::unique_ptr<RandomSource> random_;
  core::ResourceService service_;
  std::unique_ptr<ArmApi> api_;
  std::atomic<bool> draining_{false};
};

TEST_F(HealthTest, HealthzAnswersAnyoneWithoutAToken) {
  for (const bool loopback : {true, false}) {
    const HttpResponse response = Get("/healthz", loopback);
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, "ok\n");
  }
}

TEST_F(HealthTest, ReadyzIs503WhileDraining) {
  EXPECT_EQ(Get("/readyz", false).status, 200);
  draining_ = true;
  const HttpResponse draining = Get("/readyz", false);
  EXPECT_EQ(draining.status, 503);
  EXPECT_EQ(Code(draining), "ServiceUnavailable");
  EXPECT_EQ(draining.Header("Retry-After"), "1");
}

TEST_F(HealthTest, MetricsNeedNoTokenFromTheHostItself) {
  const HttpResponse response = Get("/metrics", true);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "reprieve_up 1\n");
  EXPECT_EQ(response.Header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
}

TEST_F(HealthTest, MetricsFromElsewhereNeedTheAdminApisOwnerAtRoot) {
  const HttpResponse anonymous = Get("/metrics", false);
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(Code(anonymous), "AuthenticationFailed");
  EXPECT_EQ(Get("/metrics", false, "not-a-token-reprieve-signed").status, 401);

  // The managed identity, Owner at root: its token is asked for on the host, used elsewhere.
  HttpRequest token_request{"POST", "/reprieve/msi/token",
                            {{"host", "localhost"}, {"metadata", "true"}},
                            "resource=https://localhost/", true};
  token_request.from_loopback = true;
  const HttpResponse token = api_->Handle(token_request);
  ASSERT_EQ(token.status, 200) << token.body;
  const std::string access_token(
      boost::json::parse(token.body).at("access_token").as_string());
  const HttpResponse owner = Get("/metrics", false, access_token);
  EXPECT_EQ(owner.status, 200) << owner.body;
  EXPECT_EQ(owner.body, "reprieve_up 1\n");
}

TEST_F(HealthTest, AnInstanceStillStartingIsAliveButNotReady) {
  const auto answer = [this](const std::string& target) {
    HttpRequest request{"GET", target, {{"host", "localhost"}}, "", true};
    return ArmApi::AnswerStarting(request, *random_);
  };
  EXPECT_EQ(answer("/healthz").status, 200);
  const HttpResponse ready = answer("/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(ready.Header("Retry-After"), "1");
  const HttpResponse arm = answer("/subscriptions?api-version=2022-12-01");
  EXPECT_EQ(arm.status, 503);
  EXPECT_EQ(Code(arm), "ServiceUnavailable");
  EXPECT_FALSE(arm.Header("x-ms-request-id").empty());
}

}  // namespace
}  // namespace reprieve::http
