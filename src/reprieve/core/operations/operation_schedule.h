// OperationSchedule: how long each kind of long-running operation runs on the server's
// clock, and which of them fail (a rate per kind, and one-shot failures queued through the
// admin API), so that users can test their polling and error paths.
//
// Safe for concurrent use.
#pragma once

#include <array>
#include <deque>
#include <mutex>
#include <string>

#include "reprieve/base/random.h"
#include "reprieve/base/time.h"
#include "reprieve/core/model/operation.h"

namespace reprieve::core {

// What an operation that is about to start will do.
struct OperationPlan {
  OperationKind kind = OperationKind::kCreate;
  Duration duration{};     // 0: it finishes within the request
  std::string error_code;  // non-empty: it ends Failed with this error
  std::string error_message;
  bool queued = false;  // the failure came from FailNext (Unused puts it back)

  bool fails() const { return !error_code.empty(); }
};

class OperationSchedule {
 public:
  void SetDuration(OperationKind kind, Duration duration);
  Duration DurationOf(OperationKind kind) const;
  // The share (0..1) of operations of `kind` that fail with InternalServerError.
  void SetFailureRate(OperationKind kind, double rate);
  double FailureRateOf(OperationKind kind) const;
  // The next operation of `kind` to start fails with this error.
  void FailNext(OperationKind kind, std::string code, std::string message);
  // Failures queued by FailNext and not yet taken.
  int QueuedFailures(OperationKind kind) const;

  // Decides how the next operation of `kind` runs: its duration, and whether it fails
  // (a queued failure first, else by the failure rate, drawn from `random`).
  OperationPlan Plan(OperationKind kind, RandomSource& random);
  // Puts back the queued failure `plan` took: the request was refused before any
  // operation started, so the failure is still owed to the next one.
  void Unused(const OperationPlan& plan);

 private:
  struct Failure {
    std::string code;
    std::string message;
  };
  struct PerKind {
    Duration duration{};
    double failure_rate = 0;
    std::deque<Failure> queued;
  };
  mutable std::mutex mu_;
  std::array<PerKind, kOperationKinds> kinds_;  // guarded by mu_
};

// The error an operation failed by the failure rate ends with.
inline constexpr std::string_view kInjectedFailureCode = "InternalServerError";

}  // namespace reprieve::core
