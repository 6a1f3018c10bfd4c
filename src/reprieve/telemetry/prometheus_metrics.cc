#include "reprieve/telemetry/prometheus_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <sstream>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "reprieve/base/check.h"

namespace reprieve::telemetry {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Counter;
using prometheus::Family;
using prometheus::Histogram;

double Seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

// From half a millisecond (a cached GET) to ten seconds (a commit stuck behind a disk).
const Histogram::BucketBoundaries kLatencyBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                     0.025,  0.05,  0.1,    0.25,  0.5,
                                                     1,      2.5,   5,      10};

// Metrics of one family by their label values, created on first use. Family::Add builds a
// label map and takes the family's lock; this keeps the hot path to one shared-lock lookup.
template <typename T>
class Labeled {
 public:
  // `buckets`: a histogram's bucket boundaries.
  Labeled(Family<T>& family, std::vector<std::string> names,
          std::vector<double> buckets = {})
      : family_(family), names_(std::move(names)), buckets_(std::move(buckets)) {}

  T& With(std::initializer_list<std::string_view> values) {
    std::string key;
    for (std::string_view v : values) {
      key.append(v);
      key.push_back('\x1f');
    }
    {
      std::shared_lock lock(mu_);
      if (auto it = metrics_.find(key); it != metrics_.end()) return *it->second;
    }
    std::unique_lock lock(mu_);
    if (auto it = metrics_.find(key); it != metrics_.end()) return *it->second;
    std::map<std::string, std::string> labels;
    size_t i = 0;
    for (std::string_view v : values) labels.emplace(names_[i++], std::string(v));
    T* metric;
    if constexpr (std::is_same_v<T, Histogram>) {
      metric = &family_.Add(labels, buckets_);
    } else {
      metric = &family_.Add(labels);
    }
    metrics_.emplace(std::move(key), metric);
    return *metric;
  }

 private:
  Family<T>& family_;
  const std::vector<std::string> names_;
  const std::vector<double> buckets_;
  std::shared_mutex mu_;
  std::unordered_map<std::string, T*> metrics_;  // guarded by mu_
};

prometheus::ClientMetric GaugeSample(double value,
                                     std::vector<prometheus::ClientMetric::Label> labels = {}) {
  prometheus::ClientMetric sample;
  sample.label = std::move(labels);
  sample.gauge.value = value;
  return sample;
}

prometheus::MetricFamily GaugeFamily(std::string name, std::string help) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = prometheus::MetricType::Gauge;
  return family;
}

class PrometheusMetrics final : public Metrics {
 public:
  explicit PrometheusMetrics(MetricsOptions options)
      : options_(std::move(options)),
        registry_(std::make_shared<prometheus::Registry>()),
        requests_(BuildCounter()
                      .Name("reprieve_http_requests_total")
                      .Help("Requests answered, by route pattern, method and HTTP status code.")
                      .Register(*registry_),
                  {"route", "method", "code"}),
        latency_(BuildHistogram()
                     .Name("reprieve_http_request_duration_seconds")
                     .Help("Time from a request's first byte read to its answer, by route "
                           "pattern and method.")
                     .Register(*registry_),
                 {"route", "method"}, kLatencyBuckets),
        in_flight_(BuildGauge()
                       .Name("reprieve_http_requests_in_flight")
                       .Help("Requests read and not answered yet.")
                       .Register(*registry_)
                       .Add({})),
        handshakes_(BuildCounter()
                        .Name("reprieve_tls_handshakes_total")
                        .Help("TLS handshakes, by result (ok, failed).")
                        .Register(*registry_),
                    {"result"}),
        authentication_failures_(
            BuildCounter()
                .Name("reprieve_authentication_failures_total")
                .Help("Requests refused for their bearer token, by ARM error code.")
                .Register(*registry_),
            {"code"}),
        denials_(BuildCounter()
                     .Name("reprieve_authorization_denials_total")
                     .Help("Requests RBAC denied, by the action they needed.")
                     .Register(*registry_),
                 {"action"}),
        refused_(BuildCounter()
                     .Name("reprieve_refused_operations_total")
                     .Help("Mutations (PUT, PATCH, DELETE, POST) refused or failed, by ARM "
                           "error code.")
                     .Register(*registry_),
                 {"code"}),
        soft_deletes_(BuildCounter()
                          .Name("reprieve_soft_deletes_total")
                          .Help("Resources soft-deleted, by type.")
                          .Register(*registry_),
                      {"type"}),
        recovers_(BuildCounter()
                      .Name("reprieve_recovers_total")
                      .Help("Soft-deleted resources recovered, by type.")
                      .Register(*registry_),
                  {"type"}),
        purges_(BuildCounter()
                    .Name("reprieve_purges_total")
                    .Help("Soft-deleted resources purged, by type and reason (user, "
                          "retentionExpired).")
                    .Register(*registry_),
                {"type", "reason"}),
        sweep_purged_(BuildHistogram()
                          .Name("reprieve_sweeper_run_purged")
                          .Help("Resources purged by one run of the sweeper loop.")
                          .Register(*registry_)
                          .Add({}, Histogram::BucketBoundaries{0, 1, 10, 100, 1000, 10000,
                                                               100000, 1000000})),
        sweep_duration_(BuildHistogram()
                            .Name("reprieve_sweeper_run_duration_seconds")
                            .Help("How long one run of the sweeper loop took.")
                            .Register(*registry_)
                            .Add({}, kLatencyBuckets)),
        commit_duration_(BuildHistogram()
                             .Name("reprieve_store_commit_duration_seconds")
                             .Help("How long one durable store commit (a group of batches) "
                                   "took.")
                             .Register(*registry_)
                             .Add({}, kLatencyBuckets)),
        commit_batches_(BuildHistogram()
                            .Name("reprieve_store_commit_batches")
                            .Help("Write batches committed together in one durable commit "
                                  "(group commit).")
                            .Register(*registry_)
                            .Add({}, Histogram::BucketBoundaries{1, 2, 4, 8, 16, 32, 64, 128,
                                                                 256, 512})),
        cache_(BuildCounter()
                   .Name("reprieve_store_cache_lookups_total")
                   .Help("Record reads answered by the read cache (hit) or the database "
                         "(miss).")
                   .Register(*registry_),
               {"result"}),
        store_errors_(BuildCounter()
                          .Name("reprieve_store_errors_total")
                          .Help("Store failures, by what failed (commit, census).")
                          .Register(*registry_),
                      {"operation"}) {
    REPRIEVE_CHECK(options_.clock != nullptr) << "Metrics needs the lifecycle clock";
    // Series a dashboard needs from the first scrape on, before anything happened.
    for (const char* result : {"ok", "failed"}) handshakes_.With({result});
    for (const char* result : {"hit", "miss"}) cache_.With({result});
    for (const char* operation : {"commit", "census"}) store_errors_.With({operation});
  }

  void RequestStarted() override { in_flight_.Increment(); }

  void RequestFinished(std::string_view route, std::string_view method, int status,
                       Duration latency) override {
    in_flight_.Decrement();
    requests_.With({route, method, std::to_string(status)}).Increment();
    latency_.With({route, method}).Observe(Seconds(latency));
  }

  void TlsHandshake(bool ok) override { handshakes_.With({ok ? "ok" : "failed"}).Increment(); }
  void AuthenticationFailed(std::string_view code) override {
    authentication_failures_.With({code}).Increment();
  }
  void AuthorizationDenied(std::string_view action) override {
    denials_.With({action}).Increment();
  }
  void OperationRefused(std::string_view code) override { refused_.With({code}).Increment(); }

  void Transitioned(core::Transition transition, std::string_view type,
                    std::string_view reason) override {
    switch (transition) {
      case core::Transition::kSoftDelete:
        soft_deletes_.With({type}).Increment();
        return;
      case core::Transition::kRecover:
        recovers_.With({type}).Increment();
        return;
      case core::Transition::kPurge:
        purges_.With({type, reason}).Increment();
        return;
    }
  }

  void SweepFinished(int64_t purged, Duration took) override {
    sweep_purged_.Observe(static_cast<double>(purged));
    sweep_duration_.Observe(Seconds(took));
  }

  void Committed(size_t batches, Duration took, bool ok) override {
    commit_duration_.Observe(Seconds(took));
    commit_batches_.Observe(static_cast<double>(batches));
    if (!ok) store_errors_.With({"commit"}).Increment();
  }

  void CacheLookup(bool hit) override { cache_.With({hit ? "hit" : "miss"}).Increment(); }

  std::string Exposition() override {
    std::vector<prometheus::MetricFamily> families;
    if (options_.census) {
      auto census = options_.census();
      if (census.has_value()) {
        AppendCensus(*census, families);
      } else {
        store_errors_.With({"census"}).Increment();
      }
    }
    std::vector<prometheus::MetricFamily> kept = registry_->Collect();
    families.insert(families.end(), std::make_move_iterator(kept.begin()),
                    std::make_move_iterator(kept.end()));
    std::sort(families.begin(), families.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, families);
    return out.str();
  }

 private:
  void AppendCensus(const core::StoreCensus& census,
                    std::vector<prometheus::MetricFamily>& families) const {
    auto resources = GaugeFamily("reprieve_resources",
                                 "Resources the store holds, by type and state (active, "
                                 "softDeleted).");
    for (const core::StoreCensus::Resources& row : census.resources) {
      resources.metric.push_back(GaugeSample(
          static_cast<double>(row.count),
          {{"state", row.state == core::LifecycleState::kActive ? "active" : "softDeleted"},
           {"type", row.type}}));
    }
    families.push_back(std::move(resources));
    auto lag = GaugeFamily("reprieve_sweeper_lag_seconds",
                           "How far the sweeper is behind: now minus the earliest scheduled "
                           "purge that has come (0 when none is due).");
    const Timestamp now = options_.clock->Now();
    lag.metric.push_back(GaugeSample(
        census.earliest_purge && *census.earliest_purge < now
            ? Seconds(now - *census.earliest_purge)
            : 0.0));
    families.push_back(std::move(lag));
    auto running = GaugeFamily("reprieve_operations_running",
                               "Long-running operations in progress.");
    running.metric.push_back(GaugeSample(static_cast<double>(census.operations_running)));
    families.push_back(std::move(running));
    auto outbox = GaugeFamily("reprieve_event_outbox_events",
                              "Lifecycle events not fanned out to their subscriptions yet "
                              "(due now, or later like purge warnings).");
    outbox.metric.push_back(GaugeSample(static_cast<double>(census.outbox_events)));
    families.push_back(std::move(outbox));
    auto deliveries = GaugeFamily("reprieve_event_deliveries",
                                  "Event deliveries by state (pending, deadLettered).");
    deliveries.metric.push_back(
        GaugeSample(static_cast<double>(census.deliveries_pending), {{"state", "pending"}}));
    deliveries.metric.push_back(GaugeSample(static_cast<double>(census.deliveries_dead_lettered),
                                            {{"state", "deadLettered"}}));
    families.push_back(std::move(deliveries));
  }

  const MetricsOptions options_;
  std::shared_ptr<prometheus::Registry> registry_;
  Labeled<Counter> requests_;
  Labeled<Histogram> latency_;
  prometheus::Gauge& in_flight_;
  Labeled<Counter> handshakes_;
  Labeled<Counter> authentication_failures_;
  Labeled<Counter> denials_;
  Labeled<Counter> refused_;
  Labeled<Counter> soft_deletes_;
  Labeled<Counter> recovers_;
  Labeled<Counter> purges_;
  Histogram& sweep_purged_;
  Histogram& sweep_duration_;
  Histogram& commit_duration_;
  Histogram& commit_batches_;
  Labeled<Counter> cache_;
  Labeled<Counter> store_errors_;
};

}  // namespace

std::unique_ptr<Metrics> NewPrometheusMetrics(MetricsOptions options) {
  return std::make_unique<PrometheusMetrics>(std::move(options));
}

}  // namespace reprieve::telemetry
