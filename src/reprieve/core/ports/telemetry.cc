#include "reprieve/core/ports/telemetry.h"

#include "reprieve/core/events/lifecycle_events.h"
#include "reprieve/core/model/event.h"

namespace reprieve::core {
namespace {

class DroppingTelemetry final : public Telemetry {
 public:
  void RequestStarted() override {}
  void RequestFinished(std::string_view, std::string_view, int, Duration) override {}
  void TlsHandshake(bool) override {}
  void AuthenticationFailed(std::string_view) override {}
  void AuthorizationDenied(std::string_view) override {}
  void OperationRefused(std::string_view) override {}
  void Transitioned(Transition, std::string_view, std::string_view) override {}
  void SweepFinished(int64_t, Duration) override {}
  void Committed(size_t, Duration, bool) override {}
  void CacheLookup(bool) override {}
};

std::string_view DataOf(const LifecycleEvent& event, std::string_view name) {
  for (const auto& [key, value] : event.data) {
    if (key == name) return value;
  }
  return {};
}

}  // namespace

Telemetry& NoTelemetry() {
  static DroppingTelemetry* const kNone = new DroppingTelemetry();  // never destroyed
  return *kNone;
}

void ReportTransitions(const std::vector<LifecycleEvent>& events, Telemetry& telemetry) {
  for (const LifecycleEvent& event : events) {
    Transition transition;
    if (event.event_type == kSoftDeletedEvent) {
      transition = Transition::kSoftDelete;
    } else if (event.event_type == kRecoveredEvent) {
      transition = Transition::kRecover;
    } else if (event.event_type == kPurgedEvent) {
      transition = Transition::kPurge;
    } else {
      continue;
    }
    telemetry.Transitioned(transition, DataOf(event, "resourceType"),
                           transition == Transition::kPurge ? DataOf(event, "reason")
                                                            : std::string_view());
  }
}

}  // namespace reprieve::core
