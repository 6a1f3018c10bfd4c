// Clock: the only source of "now" for Reprieve's logic. Long-lived objects take a Clock&;
// pure functions take a Timestamp. SystemClock reads the wall clock; ManualClock moves only
// when told to (tests, demos, and `reprieved --clock manual`).
#pragma once

#include <functional>
#include <mutex>
#include <vector>

#include "reprieve/base/time.h"

namespace reprieve {

class Clock {
 public:
  virtual ~Clock() = default;
  // Safe to call concurrently.
  virtual Timestamp Now() const = 0;
};

// The wall clock. The only code allowed to read it (house rule 2).
class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
};

// A clock that stands still until Advance() or Set() moves it. Thread-safe. Observers
// registered with OnChange() run after every move, on the mover's thread, without the
// clock's lock held (they may call Now()).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start);

  Timestamp Now() const override;
  void Advance(Duration by);
  void Set(Timestamp to);
  void OnChange(std::function<void()> observer);

 private:
  void Notify();

  mutable std::mutex mu_;
  Timestamp now_;  // guarded by mu_
  std::vector<std::function<void()>> observers_;  // guarded by mu_
};

}  // namespace reprieve
