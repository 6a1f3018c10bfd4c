// Racing lifecycle transitions on one name, over the SQLite store (real concurrency and
// group commit): every transition has exactly one winner and the losers get a clear error.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "reprieve/base/random.h"
#include "reprieve/core/service/resource_service.h"
#include "reprieve/store/store_factory.h"
#include "testutil/testutil.h"

namespace reprieve::core {
namespace {

using std::chrono::hours;

constexpr char kSub[] = "00000000-0000-0000-0000-000000000001";
constexpr int kThreads = 8;

class RaceTest : public ::testing::Test {
 protected:
  RaceTest() : clock_(testutil::ParseUtc("2026-01-01T00:00:00Z")), random_(NewSystemRandom()) {}

  void SetUp() override {
    auto store = store::OpenStore("sqlite:" + dir_.path() + "/db");
    ASSERT_OK(store);
    store_ = std::move(store).value();
    service_ = std::make_unique<ResourceService>(*store_, clock_, *random_,
                                                 PolicyCatalog::Builtin());
    ASSERT_OK(service_->tenancy().PutTenant("t", "{}"));
    ASSERT_OK(service_->tenancy().PutSubscription(kSub, "t", "{}"));
    ASSERT_OK(service_->tenancy().PutResourceGroup(kSub, "rg", "eastus", "{}", "t"));
  }

  static ResourceId Account(const std::string& name, const std::string& rg = "rg") {
    return ResourceId::Resource(kSub, rg, "Microsoft.CognitiveServices", "accounts", name);
  }
  Result<PutOutcome> Put(const std::string& name, bool restore, const std::string& rg = "rg") {
    return service_->Put({Account(name, rg), "eastus", R"({"kind":"Face"})", restore, "", "t",
                          std::nullopt, {}});
  }
  static DeleteRequest Del(const ResourceId& id) {
    return {id, "t", std::nullopt, "2025-09-01", false, false};
  }
  const TypePolicy& accounts() const {
    return *PolicyCatalog::Builtin().Find("Microsoft.CognitiveServices/accounts");
  }

  // Runs `body(thread_index)` on kThreads threads released at once.
  template <typename Fn>
  void Race(Fn body) {
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        while (!go.load()) std::this_thread::yield();
        body(i);
      });
    }
    go = true;
    for (auto& thread : threads) thread.join();
  }

  testutil::TempDir dir_;
  testutil::FakeClock clock_;
  std::unique_ptr<RandomSource> random_;
  std::unique_ptr<ResourceStore> store_;
  std::unique_ptr<ResourceService> service_;
};

TEST_F(RaceTest, RecoverAgainstPurgeHasExactlyOneWinner) {
  for (int round = 0; round < 20; ++round) {
    const std::string name = "acct" + std::to_string(round);
    ASSERT_OK(Put(name, false));
    ASSERT_OK(service_->Delete(Del(Account(name))));
    std::atomic<int> restored{0}, purged{0}, refused{0}, other{0};
    Race([&](int i) {
      if (i % 2 == 0) {
        auto result = Put(name, true);
        if (result.has_value()) {
          ++restored;
        } else if (result.status().code() == StatusCode::kNotFound) {
          ++refused;
        } else {
          ++other;
        }
      } else {
        const Status status = service_->Purge(accounts(), {kSub, "eastus", "rg", name}, std::nullopt).status();
        if (status.ok()) {
          ++purged;
        } else if (status.code() == StatusCode::kNotFound) {
          ++refused;
        } else {
          ++other;
        }
      }
    });
    EXPECT_EQ(restored + purged, 1) << "round " << round;
    EXPECT_EQ(refused, kThreads - 1) << "round " << round;
    EXPECT_EQ(other, 0) << "round " << round;
    if (restored == 1) {
      EXPECT_OK(service_->Get(Account(name)));
    } else {
      EXPECT_THAT(service_->Get(Account(name)), testutil::StatusIs(StatusCode::kNotFound));
      EXPECT_THAT(service_->GetDeleted(accounts(), {kSub, "eastus", "rg", name}),
                  testutil::StatusIs(StatusCode::kNotFound));
    }
  }
}

TEST_F(RaceTest, ConcurrentCreatesOfANewNameCreateOnceAndUpdateTheRest) {
  std::atomic<int> created{0}, updated{0};
  Race([&](int) {
    auto result = Put("fresh", false);
    ASSERT_OK(result);
    (result->kind == PutOutcome::Kind::kCreated ? created : updated)++;
  });
  EXPECT_EQ(created, 1);
  EXPECT_EQ(updated, kThreads - 1);
}

TEST_F(RaceTest, CreatesRacingARecoverAreRefusedUntilItWinsThenUpdate) {
  ASSERT_OK(Put("held", false));
  ASSERT_OK(service_->Delete(Del(Account("held"))));
  std::atomic<int> restored{0}, conflicts{0}, updated{0}, other{0};
  Race([&](int i) {
    auto result = Put("held", /*restore=*/i == 0);
    if (result.has_value()) {
      (result->kind == PutOutcome::Kind::kRestored ? restored : updated)++;
    } else if (result.status().arm_code() == "FlagMustBeSetForRestore") {
      ++conflicts;
    } else {
      ++other;
    }
  });
  // While the name is soft-deleted a create is refused; once the recover commits, a create
  // is an update of the recovered account. Nothing else can happen.
  EXPECT_EQ(restored, 1);
  EXPECT_EQ(conflicts + updated, kThreads - 1);
  EXPECT_EQ(other, 0);
}

TEST_F(RaceTest, GroupDeleteNeverLeavesALiveResourceWithoutItsGroup) {
  for (int round = 0; round < 10; ++round) {
    const std::string rg = "group" + std::to_string(round);
    ASSERT_OK(service_->tenancy().PutResourceGroup(kSub, rg, "eastus", "{}", "t"));
    Race([&](int i) {
      if (i == 0) {
        (void)service_->DeleteResourceGroup(kSub, rg, "t", std::nullopt);
      } else {
        (void)Put("acct" + std::to_string(i), false, rg);
      }
    });
    const bool group_exists = service_->tenancy().GetResourceGroup(kSub, rg).has_value();
    for (int i = 1; i < kThreads; ++i) {
      auto record = store_->Get(Account("acct" + std::to_string(i), rg).Key());
      if (record.has_value() && record->state == LifecycleState::kActive) {
        EXPECT_TRUE(group_exists) << "live acct" << i << " in deleted " << rg;
      }
    }
  }
}

}  // namespace
}  // namespace reprieve::core
