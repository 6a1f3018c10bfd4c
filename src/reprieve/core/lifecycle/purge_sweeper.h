// PurgeSweeper: the lifecycle engine's step. RunOnce() purges, in bounded batches, every
// soft-deleted resource whose scheduled purge date has come (at the injected clock's now),
// each with the Planner's Purge — the same transition as a user's purge, with reason
// retentionExpired and Reprieve as the caller — and ends name reservations and the
// soft-deleted role assignments and children due with them.
//
// It holds no thread: app/PurgeLoop calls RunOnce() periodically and whenever a manual
// clock moves; tests call it directly. Not safe to run concurrently with itself (a second
// caller would only lose races and do no harm, but wastes work).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <memory>

#include "reprieve/base/clock.h"
#include "reprieve/base/random.h"
#include "reprieve/base/result.h"
#include "reprieve/core/lifecycle/planners.h"
#include "reprieve/core/policy/policy_catalog.h"
#include "reprieve/core/ports/resource_store.h"
#include "reprieve/core/ports/telemetry.h"

namespace reprieve::core {

struct SweepReport {
  std::vector<std::string> purged;  // ids of the resources purged, in purge order
  int64_t lost_races = 0;           // due records changed (recovered, purged) meanwhile
  int64_t released_names = 0;       // name reservations that ended
  int64_t removed_assignments = 0;  // role assignments purged with what they were scoped to
  int64_t operations_dropped = 0;   // expired operation-status records
  int64_t activity_dropped = 0;     // activity-log entries past their retention
  bool more_due = false;            // stopped at max_batches with more still due
};

class PurgeSweeper {
 public:
  struct Options {
    int batch_size = 500;   // records per store commit
    int max_batches = 20;   // per RunOnce, so one call never runs unbounded
    // Operation-status records older than this are dropped (clients poll them for seconds).
    Duration operation_retention = std::chrono::hours(24);
    // Activity-log entries older than this are dropped (Azure keeps 90 days).
    Duration activity_retention = std::chrono::hours(24 * 90);
    // Hears of every purge committed (not owned; null: none).
    Telemetry* telemetry = nullptr;
  };

  // `catalog` says how each type's purge releases its name.
  PurgeSweeper(ResourceStore& store, const Clock& clock, const PolicyCatalog& catalog,
               Options options);

  // Also drops expired operation-status records and activity-log entries, one bounded batch
  // each per call.
  // kUnavailable etc. if the store fails; batches committed before the failure stay purged.
  Result<SweepReport> RunOnce();

 private:
  ResourceStore& store_;
  const Clock& clock_;
  const PolicyCatalog& catalog_;
  Options options_;
  // A purge at the end of a retention is the same planned transition as a user's.
  std::unique_ptr<RandomSource> random_;
  Journal journal_;
  LifecycleEvents events_;
  Planner planner_;
};

}  // namespace reprieve::core
