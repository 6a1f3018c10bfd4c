// Metrics: Reprieve's Telemetry kept as Prometheus metrics (prometheus-cpp's core library)
// and rendered in the Prometheus text exposition format (version 0.0.4) for GET /metrics.
// The gauges of what the store holds (resources by type and state, the sweeper's lag,
// operations running, events waiting) are counted from the store at each scrape, so they
// are right whatever process wrote the rows. README "Metrics" lists every name.
//
// Safe to use concurrently.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "reprieve/base/clock.h"
#include "reprieve/base/result.h"
#include "reprieve/core/ports/resource_store.h"
#include "reprieve/core/ports/telemetry.h"

namespace reprieve::telemetry {

struct MetricsOptions {
  // Counts what the store holds; called at each scrape. May be empty: no store gauges.
  std::function<Result<core::StoreCensus>()> census;
  // The lifecycle's clock (manual or system), against which the sweeper's lag is measured.
  // Not owned; required.
  const Clock* clock = nullptr;
};

class Metrics : public core::Telemetry {
 public:
  // The exposition, with the store counted now. If the census fails, the store gauges are
  // left out and reprieve_store_errors_total{operation="census"} counts it.
  virtual std::string Exposition() = 0;
};

// REQUIRES: options.clock != nullptr.
std::unique_ptr<Metrics> NewPrometheusMetrics(MetricsOptions options);

}  // namespace reprieve::telemetry
