#include "reprieve/app/purge_loop.h"

#include "reprieve/base/log.h"

namespace reprieve::app {
namespace {
// A bound on one RunNow(): each round purges at most batch_size * max_batches records, and
// other writers interleave between rounds.
constexpr int kMaxRounds = 10000;
}  // namespace

PurgeLoop::PurgeLoop(core::PurgeSweeper& sweeper, std::chrono::milliseconds interval,
                     std::function<Result<int>(int)> finish_operations,
                     core::Telemetry* telemetry)
    : sweeper_(sweeper),
      finish_operations_(std::move(finish_operations)),
      telemetry_(core::TelemetryOrNone(telemetry)),
      interval_(interval),
      task_(interval, [this] { RunNow(); }) {}

int64_t PurgeLoop::RunNow() {
  std::lock_guard sweep_lock(sweep_mu_);
  const auto started = std::chrono::steady_clock::now();
  constexpr int kOperationBatch = 500;
  for (int round = 0; finish_operations_ && round < kMaxRounds; ++round) {
    auto finished = finish_operations_(kOperationBatch);
    if (!finished.has_value()) {
      LogError("operation executor failed: " + finished.status().ToString());
      break;
    }
    if (*finished < kOperationBatch) break;
  }
  int64_t purged = 0;
  for (int round = 0; round < kMaxRounds; ++round) {
    auto report = sweeper_.RunOnce();
    if (!report.has_value()) {
      LogError("purge sweep failed: " + report.status().ToString());
      break;
    }
    purged += static_cast<int64_t>(report->purged.size());
    if (!report->more_due) break;
  }
  const auto took = std::chrono::steady_clock::now() - started;
  telemetry_.SweepFinished(purged, std::chrono::duration_cast<Duration>(took));
  if (purged > 0) {
    Log(LogLevel::kInfo, "purge sweeper: purged soft-deleted resources at their scheduled purge date",
        {Number("purged", purged),
         Number("tookMs", std::chrono::duration_cast<std::chrono::milliseconds>(took).count())});
  }
  return purged;
}

}  // namespace reprieve::app
