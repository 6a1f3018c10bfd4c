// PurgeLoop: moves things over time on a thread, every `interval`: it ends the long-running
// operations whose end has come (the operation executor), then runs the purge sweeper.
// Shaped like userver's PeriodicTask. RunNow() does both on the caller's thread; runs never
// overlap.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>

#include "reprieve/app/periodic_task.h"
#include "reprieve/core/lifecycle/purge_sweeper.h"
#include "reprieve/core/ports/telemetry.h"

namespace reprieve::app {

class PurgeLoop {
 public:
  // `finish_operations(limit)` ends at most `limit` due operations and returns how many;
  // may be empty.
  // `telemetry` (not owned; null: none) hears of each run.
  PurgeLoop(core::PurgeSweeper& sweeper, std::chrono::milliseconds interval,
            std::function<Result<int>(int)> finish_operations = {},
            core::Telemetry* telemetry = nullptr);
  ~PurgeLoop() { Stop(); }

  void Start() { task_.Start(); }
  void Stop() { task_.Stop(); }
  // Sweeps until nothing due is left (or a store error, which is logged); returns how many
  // resources were purged. Safe to call from any thread.
  int64_t RunNow();

 private:
  core::PurgeSweeper& sweeper_;
  std::function<Result<int>(int)> finish_operations_;
  core::Telemetry& telemetry_;
  const std::chrono::milliseconds interval_;
  std::mutex sweep_mu_;  // serializes sweeps
  PeriodicTask task_;
};

}  // namespace reprieve::app
