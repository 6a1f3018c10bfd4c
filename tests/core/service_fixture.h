// A ResourceService over a MemoryStore and a FakeClock, with one tenant, subscription and
// resource group, for core tests.
#pragma once

#include <memory>

#include "reprieve/base/random.h"
#include "reprieve/core/service/resource_service.h"
#include "reprieve/store/memory/memory_store.h"
#include "testutil/testutil.h"

namespace reprieve::core {

inline constexpr char kSub[] = "00000000-0000-0000-0000-000000000001";
inline constexpr char kRg[] = "rg1";
inline constexpr char kAccountType[] = "Microsoft.CognitiveServices/accounts";

class ServiceTest : public ::testing::Test {
 protected:
  ServiceTest()
      : clock_(testutil::ParseUtc("2026-01-01T00:00:00Z")),
        store_(store::NewMemoryStore()),
        random_(NewSequentialRandom()),
        service_(*store_, clock_, *random_, PolicyCatalog::Builtin()) {}

  void SetUp() override {
    ASSERT_OK(service_.tenancy().PutTenant("t1", "{}"));
    ASSERT_OK(service_.tenancy().PutSubscription(kSub, "t1", "{}"));
    ASSERT_OK(service_.tenancy().PutResourceGroup(kSub, kRg, "eastus", "{}", "tester"));
  }

  static ResourceId Account(const std::string& name, const std::string& rg = kRg) {
    return ResourceId::Resource(kSub, rg, "Microsoft.CognitiveServices", "accounts", name);
  }

  Result<PutOutcome> Create(const std::string& name, const std::string& body = R"({"kind":"A"})",
                            const std::string& rg = kRg) {
    return service_.Put({Account(name, rg), "eastus", body, false, "", "tester", std::nullopt, {}});
  }

  Result<PutOutcome> Restore(const std::string& name, const std::string& rg = kRg) {
    return service_.Put({Account(name, rg), "eastus", R"({"kind":"ignored"})", true, "", "tester",
                         std::nullopt, {}});
  }

  static DeleteRequest Del(const ResourceId& id,
                           std::optional<Invocation> op = std::nullopt) {
    return {id, "t", std::move(op), "2025-09-01", false, false};
  }

  // An operation `id` of `kind` that runs for `duration` and, with `fail_code`, fails.
  static Invocation Op(const std::string& id, OperationKind kind, Duration duration = {},
                           const std::string& fail_code = "") {
    Invocation start;
    start.id = id;
    start.started_by = "starter";
    start.caller = "tester";
    start.plan.kind = kind;
    start.plan.duration = duration;
    start.plan.error_code = fail_code;
    start.plan.error_message = fail_code.empty() ? "" : "it failed";
    return start;
  }

  const TypePolicy& accounts() const { return *PolicyCatalog::Builtin().Find(kAccountType); }
  DeletedRef Ref(const std::string& name, const std::string& rg = kRg) const {
    return {kSub, "EastUS", rg, name};
  }

  testutil::FakeClock clock_;
  std::unique_ptr<ResourceStore> store_;
  std::unique_ptr<RandomSource> random_;
  ResourceService service_;
};

}  // namespace reprieve::core
