// Telemetry: what Reprieve reports about its own work, for an operator to watch: requests,
// TLS handshakes, sign-in failures and denials (http), lifecycle transitions and refusals
// (core), sweeps (app), commits and the read cache (stores). A port, so that no layer knows
// the exporter; app wires the Prometheus one (telemetry/), tests a recording fake or
// NoTelemetry().
//
// Every method is safe to call concurrently and cheap enough for every request; none may
// fail or block on I/O. Label values are bounded sets (route patterns, never raw paths;
// types; ARM error codes; actions).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "reprieve/base/time.h"

namespace reprieve::core {

struct LifecycleEvent;

enum class Transition { kSoftDelete, kRecover, kPurge };

class Telemetry {
 public:
  virtual ~Telemetry() = default;

  // --- http
  // A request began (its bytes are read) / was answered: `route` is the route table's
  // pattern ("unmatched" when none), `status` the HTTP status, `latency` from the first
  // byte read to the answer.
  virtual void RequestStarted() = 0;
  virtual void RequestFinished(std::string_view route, std::string_view method, int status,
                               Duration latency) = 0;
  virtual void TlsHandshake(bool ok) = 0;
  // A bearer token refused (`code`: the ARM code, "AuthenticationFailed", ...) and an
  // action denied by RBAC.
  virtual void AuthenticationFailed(std::string_view code) = 0;
  virtual void AuthorizationDenied(std::string_view action) = 0;
  // A mutation refused or failed, by its ARM error code ("FlagMustBeSetForRestore", ...).
  virtual void OperationRefused(std::string_view code) = 0;

  // --- lifecycle
  // `reason` is the purge's ("user", "retentionExpired"); empty for the other transitions.
  virtual void Transitioned(Transition transition, std::string_view type,
                            std::string_view reason) = 0;
  // One run of the sweeper loop: resources purged, and how long it took.
  virtual void SweepFinished(int64_t purged, Duration took) = 0;

  // --- stores
  // One durable commit of `batches` write batches, successful or not.
  virtual void Committed(size_t batches, Duration took, bool ok) = 0;
  virtual void CacheLookup(bool hit) = 0;
};

// A Telemetry that drops everything. Never null; lives forever.
Telemetry& NoTelemetry();

// `telemetry`, or NoTelemetry() when it is null: how an optional, not-owned Telemetry* is
// held.
inline Telemetry& TelemetryOrNone(Telemetry* telemetry) {
  return telemetry != nullptr ? *telemetry : NoTelemetry();
}

// Reports the lifecycle transitions a committed batch made, read from its lifecycle events
// (Reprieve.Lifecycle.ResourceSoftDeleted, ResourceRecovered, ResourcePurged).
void ReportTransitions(const std::vector<LifecycleEvent>& events, Telemetry& telemetry);

}  // namespace reprieve::core
