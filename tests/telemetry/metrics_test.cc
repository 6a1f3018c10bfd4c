// The Prometheus metrics: what an operator's scraper reads after Reprieve reported its work.
// Expected lines are written from the exposition format's rules (name{labels} value, labels
// in name order) and the README's metric table, not read back from the code.
#include "reprieve/telemetry/prometheus_metrics.h"

#include <gtest/gtest.h>

#include <string>

#include "reprieve/core/events/lifecycle_events.h"
#include "reprieve/core/model/event.h"
#include "testutil/testutil.h"

namespace reprieve::telemetry {
namespace {

using std::chrono::milliseconds;

bool HasLine(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

class MetricsTest : public ::testing::Test {
 protected:
  MetricsTest() : clock_(testutil::ParseUtc("2026-01-10T00:00:00Z")) {
    metrics_ = NewPrometheusMetrics({[this] { return census_; }, &clock_});
  }
  ManualClock clock_;
  Result<core::StoreCensus> census_ = core::StoreCensus{};
  std::unique_ptr<Metrics> metrics_;
};

TEST_F(MetricsTest, RequestsAreCountedByRouteMethodAndStatus) {
  const std::string route = "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}";
  metrics_->RequestStarted();
  metrics_->RequestFinished(route, "PUT", 201, milliseconds(3));
  metrics_->RequestStarted();
  metrics_->RequestFinished(route, "PUT", 201, milliseconds(700));
  metrics_->RequestStarted();
  metrics_->RequestFinished("unmatched", "GET", 404, milliseconds(1));
  metrics_->RequestStarted();  // still in flight
  const std::string text = metrics_->Exposition();
  EXPECT_TRUE(HasLine(text, "reprieve_http_requests_total{code=\"201\",method=\"PUT\",route=\"" +
                                route + "\"} 2"))
      << text;
  EXPECT_TRUE(HasLine(text, "reprieve_http_requests_total{code=\"404\",method=\"GET\",route=\"unmatched\"} 1"));
  EXPECT_TRUE(HasLine(text, "reprieve_http_requests_in_flight 1"));
  // 3 ms and 700 ms: one under 5 ms, both under 1 s, the sum 0.703 s.
  EXPECT_TRUE(HasLine(text, "reprieve_http_request_duration_seconds_bucket{method=\"PUT\",route=\"" +
                                route + "\",le=\"0.005\"} 1"));
  EXPECT_TRUE(HasLine(text, "reprieve_http_request_duration_seconds_bucket{method=\"PUT\",route=\"" +
                                route + "\",le=\"1\"} 2"));
  EXPECT_TRUE(HasLine(text, "reprieve_http_request_duration_seconds_count{method=\"PUT\",route=\"" +
                                route + "\"} 2"));
  EXPECT_NE(text.find("# TYPE reprieve_http_request_duration_seconds histogram"), std::string::npos);
}

TEST_F(MetricsTest, SecurityAndRefusalsAreCountedByCodeAndAction) {
  metrics_->TlsHandshake(true);
  metrics_->TlsHandshake(false);
  metrics_->TlsHandshake(true);
  metrics_->AuthenticationFailed("ExpiredAuthenticationToken");
  metrics_->AuthorizationDenied("Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts/delete");
  metrics_->OperationRefused("FlagMustBeSetForRestore");
  metrics_->OperationRefused("FlagMustBeSetForRestore");
  const std::string text = metrics_->Exposition();
  EXPECT_TRUE(HasLine(text, "reprieve_tls_handshakes_total{result=\"ok\"} 2")) << text;
  EXPECT_TRUE(HasLine(text, "reprieve_tls_handshakes_total{result=\"failed\"} 1"));
  EXPECT_TRUE(HasLine(text, "reprieve_authentication_failures_total{code=\"ExpiredAuthenticationToken\"} 1"));
  EXPECT_TRUE(HasLine(text, "reprieve_authorization_denials_total{action=\"Microsoft.CognitiveServices/"
                            "locations/resourceGroups/deletedAccounts/delete\"} 1"));
  EXPECT_TRUE(HasLine(text, "reprieve_refused_operations_total{code=\"FlagMustBeSetForRestore\"} 2"));
}

TEST_F(MetricsTest, TransitionsAreCountedFromTheBatchesLifecycleEvents) {
  core::ResourceRecord vault;
  vault.key = vault.id = "/subscriptions/s1/resourcegroups/rg/providers/microsoft.keyvault/vaults/kv1";
  vault.subscription = "s1";
  vault.type = "Microsoft.KeyVault/vaults";
  vault.deleted_at = clock_.Now();
  vault.scheduled_purge_at = clock_.Now() + std::chrono::hours(24 * 90);
  core::LifecycleEvents events(nullptr, std::chrono::hours(24));
  core::WriteBatch batch;
  events.SoftDeleted(batch, vault, "me");
  events.Recovered(batch, vault, "me", clock_.Now());
  events.Purged(batch, vault, "me", core::kPurgedByUser, clock_.Now());
  events.Purged(batch, vault, "Reprieve", core::kPurgedAtExpiry, clock_.Now());
  core::ReportTransitions(batch.events, *metrics_);
  const std::string text = metrics_->Exposition();
  EXPECT_TRUE(HasLine(text, "reprieve_soft_deletes_total{type=\"Microsoft.KeyVault/vaults\"} 1")) << text;
  EXPECT_TRUE(HasLine(text, "reprieve_recovers_total{type=\"Microsoft.KeyVault/vaults\"} 1"));
  EXPECT_TRUE(HasLine(text, "reprieve_purges_total{reason=\"user\",type=\"Microsoft.KeyVault/vaults\"} 1"));
  EXPECT_TRUE(HasLine(text, "reprieve_purges_total{reason=\"retentionExpired\",type=\"Microsoft.KeyVault/vaults\"} 1"));
}

TEST_F(MetricsTest, StoreGaugesAreCountedAtEachScrape) {
  core::StoreCensus census;
  census.resources = {{"Microsoft.CognitiveServices/accounts", core::LifecycleState::kActive, 3},
                      {"Microsoft.CognitiveServices/accounts", core::LifecycleState::kSoftDeleted, 2}};
  census.earliest_purge = clock_.Now() - std::chrono::seconds(90);
  census.operations_running = 4;
  census.outbox_events = 5;
  census.deliveries_pending = 6;
  census.deliveries_dead_lettered = 7;
  census_ = census;
  std::string text = metrics_->Exposition();
  EXPECT_TRUE(HasLine(text, "reprieve_resources{state=\"active\",type=\"Microsoft.CognitiveServices/accounts\"} 3")) << text;
  EXPECT_TRUE(HasLine(text, "reprieve_resources{state=\"softDeleted\",type=\"Microsoft.CognitiveServices/accounts\"} 2"));
  EXPECT_TRUE(HasLine(text, "reprieve_sweeper_lag_seconds 90"));
  EXPECT_TRUE(HasLine(text, "reprieve_operations_running 4"));
  EXPECT_TRUE(HasLine(text, "reprieve_event_outbox_events 5"));
  EXPECT_TRUE(HasLine(text, "reprieve_event_deliveries{state=\"pending\"} 6"));
  EXPECT_TRUE(HasLine(text, "reprieve_event_deliveries{state=\"deadLettered\"} 7"));

  // A purge not due yet is no lag; a census that fails is counted, and its gauges left out.
  census.earliest_purge = clock_.Now() + std::chrono::hours(1);
  census_ = census;
  EXPECT_TRUE(HasLine(metrics_->Exposition(), "reprieve_sweeper_lag_seconds 0"));
  census_ = UnavailableError("database gone");
  text = metrics_->Exposition();
  EXPECT_EQ(text.find("reprieve_resources{"), std::string::npos);
  EXPECT_TRUE(HasLine(text, "reprieve_store_errors_total{operation=\"census\"} 1"));
}

TEST_F(MetricsTest, CommitsSweepsAndTheCacheAreMeasured) {
  metrics_->Committed(3, milliseconds(2), true);
  metrics_->Committed(40, milliseconds(20), false);
  metrics_->CacheLookup(true);
  metrics_->CacheLookup(true);
  metrics_->CacheLookup(false);
  metrics_->SweepFinished(12, milliseconds(40));
  const std::string text = metrics_->Exposition();
  EXPECT_TRUE(HasLine(text, "reprieve_store_commit_batches_bucket{le=\"4\"} 1")) << text;
  EXPECT_TRUE(HasLine(text, "reprieve_store_commit_batches_bucket{le=\"64\"} 2"));
  EXPECT_TRUE(HasLine(text, "reprieve_store_commit_duration_seconds_count 2"));
  EXPECT_TRUE(HasLine(text, "reprieve_store_errors_total{operation=\"commit\"} 1"));
  EXPECT_TRUE(HasLine(text, "reprieve_store_cache_lookups_total{result=\"hit\"} 2"));
  EXPECT_TRUE(HasLine(text, "reprieve_store_cache_lookups_total{result=\"miss\"} 1"));
  EXPECT_TRUE(HasLine(text, "reprieve_sweeper_run_purged_sum 12"));
  EXPECT_TRUE(HasLine(text, "reprieve_sweeper_run_duration_seconds_count 1"));
}

}  // namespace
}  // namespace reprieve::telemetry
