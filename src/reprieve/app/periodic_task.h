// PeriodicTask: runs a step on its own thread every `interval` (and at once when woken),
// until stopped; shaped like userver's PeriodicTask. Steps never overlap.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace reprieve::app {

class PeriodicTask {
 public:
  PeriodicTask(std::chrono::milliseconds interval, std::function<void()> step)
      : interval_(interval), step_(std::move(step)) {}
  ~PeriodicTask() { Stop(); }
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  void Start() { thread_ = std::thread([this] { Loop(); }); }
  // Waits for a step in progress to end. Idempotent.
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  // The next step runs now instead of at the end of the interval.
  void Wake() {
    {
      std::lock_guard lock(mu_);
      woken_ = true;
    }
    cv_.notify_all();
  }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      woken_ = false;
      lock.unlock();
      step_();
      lock.lock();
      cv_.wait_for(lock, interval_, [&] { return stopping_ || woken_; });
    }
  }

  const std::chrono::milliseconds interval_;
  std::function<void()> step_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  bool woken_ = false;     // guarded by mu_
  std::thread thread_;
};

}  // namespace reprieve::app
