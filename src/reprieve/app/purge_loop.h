// PurgeLoop: moves things over time on a thread, every `interval`: it ends the long-running
// operations whose end has come (the operation executor), then runs the purge sweeper.
// Shaped like userver's PeriodicTask. RunNow() does both on the caller's thread; runs never
// overlap.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <cstdint>
#include <mutex>
#include <thread>

#include "reprieve/core/lifecycle/purge_sweeper.h"

namespace reprieve::app {

class PurgeLoop {
 public:
  // `finish_operations(limit)` ends at most `limit` due operations and returns how many;
  // may be empty.
  PurgeLoop(core::PurgeSweeper& sweeper, std::chrono::milliseconds interval,
            std::function<Result<int>(int)> finish_operations = {});
  ~PurgeLoop();  // Stop()s

  void Start();
  void Stop();
  // Sweeps until nothing due is left (or a store error, which is logged); returns how many
  // resources were purged. Safe to call from any thread.
  int64_t RunNow();

 private:
  void Loop();

  core::PurgeSweeper& sweeper_;
  std::function<Result<int>(int)> finish_operations_;
  const std::chrono::milliseconds interval_;
  std::mutex sweep_mu_;  // serializes sweeps
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace reprieve::app
