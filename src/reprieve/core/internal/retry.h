// Re-deciding a transition that lost a race. Internal to core.
#pragma once

#include <string>

#include "reprieve/base/status.h"

namespace reprieve::core::internal {

// How often a transition is re-decided after losing a race before the request gives up.
// Each retry re-reads the state, so only sustained contention on one name exhausts it.
inline constexpr int kMaxAttempts = 16;

inline bool IsRace(const Status& status) { return status.code() == StatusCode::kAborted; }

// The answer when contention on `id` outlasted every attempt.
inline Status Contended(const std::string& id) {
  return Status(StatusCode::kAborted,
                "The resource '" + id +
                    "' is being changed by concurrent requests; retry the request.")
      .WithArmCode("Conflict");
}

// Runs `attempt` until it returns something other than a lost race.
template <typename Fn>
auto RetryRaces(const std::string& id, Fn attempt) -> decltype(attempt()) {
  for (int i = 0; i < kMaxAttempts; ++i) {
    auto result = attempt();
    if (!IsRace(result.status())) return result;
  }
  return Contended(id);
}

}  // namespace reprieve::core::internal
