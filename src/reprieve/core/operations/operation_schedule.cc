#include "reprieve/core/operations/operation_schedule.h"

#include <cstdint>
#include <string>

namespace reprieve::core {
namespace {
size_t Index(OperationKind kind) { return static_cast<size_t>(kind); }

// A uniform draw in [0, 1) from 32 random bits.
double Uniform(RandomSource& random) {
  return static_cast<double>(std::stoul(random.NewHex(4), nullptr, 16)) / 4294967296.0;
}
}  // namespace

void OperationSchedule::SetDuration(OperationKind kind, Duration duration) {
  std::lock_guard lock(mu_);
  kinds_[Index(kind)].duration = duration;
}

Duration OperationSchedule::DurationOf(OperationKind kind) const {
  std::lock_guard lock(mu_);
  return kinds_[Index(kind)].duration;
}

void OperationSchedule::SetFailureRate(OperationKind kind, double rate) {
  std::lock_guard lock(mu_);
  kinds_[Index(kind)].failure_rate = rate;
}

double OperationSchedule::FailureRateOf(OperationKind kind) const {
  std::lock_guard lock(mu_);
  return kinds_[Index(kind)].failure_rate;
}

void OperationSchedule::FailNext(OperationKind kind, std::string code, std::string message) {
  std::lock_guard lock(mu_);
  kinds_[Index(kind)].queued.push_back({std::move(code), std::move(message)});
}

int OperationSchedule::QueuedFailures(OperationKind kind) const {
  std::lock_guard lock(mu_);
  return static_cast<int>(kinds_[Index(kind)].queued.size());
}

OperationPlan OperationSchedule::Plan(OperationKind kind, RandomSource& random) {
  OperationPlan plan;
  plan.kind = kind;
  double rate = 0;
  {
    std::lock_guard lock(mu_);
    PerKind& per_kind = kinds_[Index(kind)];
    plan.duration = per_kind.duration;
    if (!per_kind.queued.empty()) {
      plan.error_code = std::move(per_kind.queued.front().code);
      plan.error_message = std::move(per_kind.queued.front().message);
      plan.queued = true;
      per_kind.queued.pop_front();
      return plan;
    }
    rate = per_kind.failure_rate;
  }
  if (rate > 0 && Uniform(random) < rate) {
    plan.error_code = std::string(kInjectedFailureCode);
    plan.error_message = "The " + std::string(OperationKindName(kind)) +
                         " operation failed: an injected failure (--operation-failure-rate).";
  }
  return plan;
}

void OperationSchedule::Unused(const OperationPlan& plan) {
  if (!plan.queued) return;
  std::lock_guard lock(mu_);
  kinds_[Index(plan.kind)].queued.push_front({plan.error_code, plan.error_message});
}

}  // namespace reprieve::core
