#include "reprieve/base/clock.h"

#include <utility>

namespace reprieve {

Timestamp SystemClock::Now() const {
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

ManualClock::ManualClock(Timestamp start) : now_(start) {}

Timestamp ManualClock::Now() const {
  std::lock_guard lock(mu_);
  return now_;
}

void ManualClock::Advance(Duration by) {
  {
    std::lock_guard lock(mu_);
    now_ += by;
  }
  Notify();
}

void ManualClock::Set(Timestamp to) {
  {
    std::lock_guard lock(mu_);
    now_ = to;
  }
  Notify();
}

void ManualClock::OnChange(std::function<void()> observer) {
  std::lock_guard lock(mu_);
  observers_.push_back(std::move(observer));
}

void ManualClock::Notify() {
  std::vector<std::function<void()>> observers;
  {
    std::lock_guard lock(mu_);
    observers = observers_;
  }
  for (const auto& observer : observers) observer();
}

}  // namespace reprieve
