// PurgeLoop: runs the purge sweeper on a thread, every `interval` and whenever woken (the
// manual clock moved), shaped like userver's PeriodicTask. RunNow() sweeps on the caller's
// thread; sweeps never overlap.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "reprieve/core/lifecycle/purge_sweeper.h"

namespace reprieve::app {

class PurgeLoop {
 public:
  PurgeLoop(core::PurgeSweeper& sweeper, std::chrono::milliseconds interval);
  ~PurgeLoop();  // Stop()s

  void Start();
  void Stop();
  // Sweeps until nothing due is left (or a store error, which is logged); returns how many
  // resources were purged. Safe to call from any thread.
  int64_t RunNow();

 private:
  void Loop();

  core::PurgeSweeper& sweeper_;
  const std::chrono::milliseconds interval_;
  std::mutex sweep_mu_;  // serializes sweeps
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace reprieve::app
