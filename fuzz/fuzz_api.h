// A process-wide ArmApi over a memory store, with a tenant, subscription and group, for
// the fuzzers; and the property every answer must have.
#pragma once

#include <cstdlib>
#include <memory>

#include "reprieve/base/clock.h"
#include "reprieve/base/random.h"
#include "reprieve/core/lifecycle/purge_sweeper.h"
#include "reprieve/core/policy/policy_catalog.h"
#include "reprieve/core/service/resource_service.h"
#include "reprieve/http/arm_api.h"
#include "reprieve/store/memory/memory_store.h"

namespace reprieve::fuzz {

inline http::ArmApi& Api() {
  struct World {
    ManualClock clock{*ParseRfc3339("2026-01-01T00:00:00Z")};
    std::unique_ptr<core::ResourceStore> store = store::NewMemoryStore();
    std::unique_ptr<RandomSource> random = NewSequentialRandom();
    core::ResourceService service{*store, clock, *random, core::PolicyCatalog::Builtin()};
    core::PurgeSweeper sweeper{*store, clock, core::PolicyCatalog::Builtin(), {}};
    std::unique_ptr<http::ArmApi> api;
    World() {
      (void)service.tenancy().PutTenant("00000000-0000-0000-0000-00000000a001", "{}");
      (void)service.tenancy().PutSubscription("00000000-0000-0000-0000-00000000b001",
                                    "00000000-0000-0000-0000-00000000a001", "{}");
      (void)service.tenancy().PutResourceGroup("00000000-0000-0000-0000-00000000b001", "rg", "eastus",
                                     "{}", "fuzz");
      http::ArmApiOptions options;
      options.manual_clock = &clock;
      options.sweep_now = [this] {
        auto report = sweeper.RunOnce();
        return report.has_value() ? static_cast<int64_t>(report->purged.size()) : 0;
      };
      options.default_tenant = "00000000-0000-0000-0000-00000000a001";
      auto created = http::ArmApi::Create(service, clock, *random, options);
      if (!created.has_value()) std::abort();
      api = std::move(created).value();
    }
  };
  static World* const world = new World();
  return *world->api;
}

// Bad input is the client's fault: a 5xx is a bug.
inline void CheckAnswer(const http::HttpResponse& response) {
  if (response.status >= 500 || response.status < 200) std::abort();
}

}  // namespace reprieve::fuzz
