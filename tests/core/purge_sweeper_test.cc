#include "reprieve/core/lifecycle/purge_sweeper.h"

#include <gtest/gtest.h>

#include "core/service_fixture.h"

namespace reprieve::core {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using testing::ElementsAre;

class PurgeSweeperTest : public ServiceTest {
 protected:
  PurgeSweeper sweeper_{*store_, clock_, PolicyCatalog::Builtin(), PurgeSweeper::Options{.batch_size = 2, .max_batches = 3}};
};

TEST_F(PurgeSweeperTest, PurgesExactlyAtTheScheduledPurgeDate) {
  ASSERT_OK(Create("acct"));
  ASSERT_OK(service_.Delete(Del(Account("acct"))));
  clock_.Advance(hours(48) - milliseconds(1));
  ASSERT_OK_AND_ASSIGN(SweepReport early, sweeper_.RunOnce());
  EXPECT_TRUE(early.purged.empty());
  EXPECT_OK(service_.GetDeleted(accounts(), Ref("acct")));
  clock_.Advance(milliseconds(1));
  ASSERT_OK_AND_ASSIGN(SweepReport due, sweeper_.RunOnce());
  EXPECT_THAT(due.purged, ElementsAre(Account("acct").ToString()));
  EXPECT_THAT(service_.GetDeleted(accounts(), Ref("acct")), testutil::StatusIs(StatusCode::kNotFound));
  EXPECT_OK(Create("acct"));
}

TEST_F(PurgeSweeperTest, PurgesOnlyResourcesWhoseRetentionHasElapsed) {
  ASSERT_OK(Create("aa"));
  ASSERT_OK(Create("bb"));
  ASSERT_OK(service_.Delete(Del(Account("aa"))));
  clock_.Advance(hours(24));
  ASSERT_OK(service_.Delete(Del(Account("bb"))));
  clock_.Advance(hours(24));
  ASSERT_OK_AND_ASSIGN(SweepReport report, sweeper_.RunOnce());
  EXPECT_THAT(report.purged, ElementsAre(Account("aa").ToString()));
  EXPECT_OK(service_.GetDeleted(accounts(), Ref("bb")));
}

TEST_F(PurgeSweeperTest, LeavesLiveAndRecoveredResourcesAlone) {
  ASSERT_OK(Create("live"));
  ASSERT_OK(Create("back"));
  ASSERT_OK(service_.Delete(Del(Account("back"))));
  ASSERT_OK(Restore("back"));
  clock_.Advance(hours(100));
  ASSERT_OK_AND_ASSIGN(SweepReport report, sweeper_.RunOnce());
  EXPECT_TRUE(report.purged.empty());
  EXPECT_OK(service_.Get(Account("live")));
  EXPECT_OK(service_.Get(Account("back")));
}

TEST_F(PurgeSweeperTest, DropsOperationRecordsADayOld) {
  ASSERT_OK(Create("acct"));
  ASSERT_OK(service_.Delete(Del(Account("acct"))));
  ASSERT_OK(service_.Purge(accounts(), Ref("acct"), Op("op-1", OperationKind::kPurge)));
  clock_.Advance(hours(23));
  ASSERT_OK_AND_ASSIGN(SweepReport kept, sweeper_.RunOnce());
  EXPECT_EQ(kept.operations_dropped, 0);
  EXPECT_OK(service_.GetOperation("op-1"));
  clock_.Advance(hours(1) + milliseconds(1));
  ASSERT_OK_AND_ASSIGN(SweepReport dropped, sweeper_.RunOnce());
  EXPECT_EQ(dropped.operations_dropped, 1);
  EXPECT_THAT(service_.GetOperation("op-1"), testutil::StatusIs(StatusCode::kNotFound));
}

TEST_F(PurgeSweeperTest, WorksInBoundedBatchesAndSaysWhenMoreIsDue) {
  for (int i = 0; i < 7; ++i) {
    const std::string name = "acct" + std::to_string(i);
    ASSERT_OK(Create(name));
    ASSERT_OK(service_.Delete(Del(Account(name))));
  }
  clock_.Advance(hours(48));
  ASSERT_OK_AND_ASSIGN(SweepReport first, sweeper_.RunOnce());
  EXPECT_EQ(first.purged.size(), 6u);  // 3 batches of 2
  EXPECT_TRUE(first.more_due);
  ASSERT_OK_AND_ASSIGN(SweepReport second, sweeper_.RunOnce());
  EXPECT_EQ(second.purged.size(), 1u);
  EXPECT_FALSE(second.more_due);
}

// The activity log of the whole subscription over [from, to].
std::vector<ActivityEntry> Log(ResourceStore& store, Timestamp from, Timestamp to) {
  ActivityQuery query;
  query.subscription = kSub;
  query.from = from;
  query.to = to;
  query.limit = 1000;
  auto page = store.ListActivity(query);
  EXPECT_OK(page);
  return page.has_value() ? page->items : std::vector<ActivityEntry>{};
}

TEST_F(PurgeSweeperTest, RecordsItsPurgesAndKeepsTheActivityLogNinetyDays) {
  const Timestamp start = clock_.Now();
  Invocation create = Op("c1", OperationKind::kCreate);
  create.action = "Microsoft.CognitiveServices/accounts/write";
  ASSERT_OK(service_.Put({Account("acct"), "eastus", R"({"kind":"A"})", false, "", "tester",
                          create, {}}));
  ASSERT_OK(service_.Delete(Del(Account("acct"))));
  clock_.Advance(hours(48));
  ASSERT_OK(sweeper_.RunOnce());
  const std::vector<ActivityEntry> log = Log(*store_, start, clock_.Now());
  ASSERT_EQ(log.size(), 3u);  // the expiry purge, then the create's Started and Succeeded
  EXPECT_EQ(log[0].caller, kReprieveCaller);
  EXPECT_EQ(log[0].operation_name, accounts().PurgeAction());
  EXPECT_EQ(log[0].time, clock_.Now());
  EXPECT_EQ(log[0].properties[1], (std::pair<std::string, std::string>{"reason", "retentionExpired"}));
  EXPECT_EQ(log[1].status, kActivitySucceeded);
  EXPECT_EQ(log[2].status, kActivityStarted);

  // 90 days after the create its entries go; the purge's, two days younger, stays.
  clock_.Advance(hours(24 * 90) - hours(48));
  ASSERT_OK(sweeper_.RunOnce());
  EXPECT_EQ(Log(*store_, start, clock_.Now()).size(), 3u);  // exactly 90 days: kept
  clock_.Advance(milliseconds(1));
  ASSERT_OK_AND_ASSIGN(SweepReport report, sweeper_.RunOnce());
  EXPECT_EQ(report.activity_dropped, 2);
  ASSERT_EQ(Log(*store_, start, clock_.Now()).size(), 1u);
}

}  // namespace
}  // namespace reprieve::core
