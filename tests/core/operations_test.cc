// Long-running operations, as the lifecycle's specification: what a resource shows and
// refuses while one runs, and what its end commits. Time is the fake clock; nothing sleeps.
#include <gtest/gtest.h>

#include "core/service_fixture.h"

namespace reprieve::core {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using testutil::StatusIs;

class OperationsTest : public ServiceTest {
 protected:
  Result<PutOutcome> CreateWith(const std::string& name, const Invocation& op) {
    return service_.Put({Account(name), "eastus", R"({"kind":"A"})", false, "", "tester", op, {}});
  }
  Result<PutOutcome> RestoreWith(const std::string& name, const Invocation& op) {
    return service_.Put({Account(name), "eastus", "{}", true, "", "tester", op, {}});
  }
  OperationRecord Operation(const std::string& id) {
    auto op = service_.GetOperation(id);
    EXPECT_OK(op);
    return op.has_value() ? *op : OperationRecord{};
  }
  std::optional<ResourceRecord> Stored(const std::string& name) {
    auto record = store_->Get(Account(name).Key());
    if (!record.has_value()) return std::nullopt;
    return *record;
  }
};

TEST_F(OperationsTest, AZeroDurationOperationFinishesWithItsRequest) {
  ASSERT_OK_AND_ASSIGN(PutOutcome created, CreateWith("acct", Op("c1", OperationKind::kCreate)));
  EXPECT_EQ(created.operation->status, OperationStatus::kSucceeded);
  EXPECT_TRUE(created.record.pending_operation.empty());
  // A type whose DELETE answers 200 keeps no operation record for a delete done at once.
  ASSERT_OK_AND_ASSIGN(DeleteOutcome deleted,
                       service_.Delete(Del(Account("acct"), Op("d1", OperationKind::kDelete))));
  EXPECT_TRUE(deleted.soft_deleted);
  EXPECT_FALSE(deleted.operation.has_value());
  EXPECT_THAT(service_.GetOperation("d1"), StatusIs(StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(PurgeOutcome purged,
                       service_.Purge(accounts(), Ref("acct"), Op("p1", OperationKind::kPurge)));
  EXPECT_EQ(purged.operation->status, OperationStatus::kSucceeded);
  EXPECT_EQ(Operation("p1").status, OperationStatus::kSucceeded);
}

TEST_F(OperationsTest, ARunningDeleteKeepsTheResourceLiveAndDeletingUntilItEnds) {
  ASSERT_OK(Create("acct"));
  ASSERT_OK_AND_ASSIGN(
      DeleteOutcome started,
      service_.Delete(Del(Account("acct"), Op("d1", OperationKind::kDelete, minutes(2)))));
  EXPECT_TRUE(started.existed);
  EXPECT_FALSE(started.soft_deleted);
  EXPECT_EQ(started.operation->status, OperationStatus::kInProgress);
  EXPECT_EQ(started.operation->ends_at, clock_.Now() + minutes(2));

  ASSERT_OK_AND_ASSIGN(ResourceRecord live, service_.Get(Account("acct")));
  EXPECT_EQ(live.pending_operation, "d1");
  EXPECT_EQ(live.pending_kind, OperationKind::kDelete);
  ASSERT_OK_AND_ASSIGN(Page deleted, service_.ListDeleted(accounts(), kSub, std::nullopt, "", 10));
  EXPECT_TRUE(deleted.items.empty());

  clock_.Advance(minutes(2) - seconds(1));
  EXPECT_EQ(Operation("d1").status, OperationStatus::kInProgress);
  clock_.Advance(seconds(1));
  const OperationRecord ended = Operation("d1");  // the poll that sees the end ends it
  EXPECT_EQ(ended.status, OperationStatus::kSucceeded);
  EXPECT_EQ(ended.finished_at, clock_.Now());
  EXPECT_THAT(service_.Get(Account("acct")), StatusIs(StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(ResourceRecord gone, service_.GetDeleted(accounts(), Ref("acct")));
  EXPECT_EQ(gone.deleted_at, clock_.Now());  // deleted when the delete ended
  EXPECT_TRUE(gone.pending_operation.empty());
}

TEST_F(OperationsTest, WhileADeleteRunsOtherChangesAreConflicts) {
  ASSERT_OK(Create("acct"));
  ASSERT_OK(service_.Delete(Del(Account("acct"), Op("d1", OperationKind::kDelete, minutes(2)))));
  const auto conflict = StatusIs(StatusCode::kFailedPrecondition);
  EXPECT_THAT(service_.Purge(accounts(), Ref("acct"), Op("p1", OperationKind::kPurge)), conflict);
  EXPECT_THAT(service_.Delete(Del(Account("acct"), Op("d2", OperationKind::kDelete))), conflict);
  EXPECT_THAT(Create("acct"), conflict);
  EXPECT_THAT(service_.RegenerateKey(Account("acct"), "key1", "tester"), conflict);
  ASSERT_FALSE(service_.Purge(accounts(), Ref("acct"), std::nullopt).ok());
  EXPECT_EQ(service_.Purge(accounts(), Ref("acct"), std::nullopt).status().arm_code(), "Conflict");
  // Once it has ended, the same purge is accepted.
  clock_.Advance(minutes(2));
  EXPECT_OK(service_.Purge(accounts(), Ref("acct"), Op("p2", OperationKind::kPurge)));
}

TEST_F(OperationsTest, ARunningRecoverIsLiveAtOnceAndASecondRecoverConflicts) {
  ASSERT_OK(Create("acct"));
  ASSERT_OK(service_.Delete(Del(Account("acct"))));
  ASSERT_OK_AND_ASSIGN(PutOutcome recovering,
                       RestoreWith("acct", Op("r1", OperationKind::kRecover, minutes(2))));
  EXPECT_EQ(recovering.kind, PutOutcome::Kind::kRestored);
  EXPECT_EQ(recovering.record.pending_kind, OperationKind::kRecover);
  ASSERT_OK_AND_ASSIGN(ResourceRecord live, service_.Get(Account("acct")));
  EXPECT_EQ(live.pending_operation, "r1");
  EXPECT_THAT(RestoreWith("acct", Op("r2", OperationKind::kRecover)),
              StatusIs(StatusCode::kFailedPrecondition));
  clock_.Advance(minutes(2));
  EXPECT_EQ(Operation("r1").status, OperationStatus::kSucceeded);
  ASSERT_OK_AND_ASSIGN(ResourceRecord done, service_.Get(Account("acct")));
  EXPECT_TRUE(done.pending_operation.empty());
  EXPECT_THAT(service_.GetOperation("r2"), StatusIs(StatusCode::kNotFound));
}

TEST_F(OperationsTest, ARunningPurgeRemovesTheDeletedRecordWhenItEnds) {
  ASSERT_OK(Create("acct"));
  ASSERT_OK(service_.Delete(Del(Account("acct"))));
  ASSERT_OK(service_.Purge(accounts(), Ref("acct"), Op("p1", OperationKind::kPurge, seconds(30))));
  ASSERT_OK_AND_ASSIGN(ResourceRecord purging, service_.GetDeleted(accounts(), Ref("acct")));
  EXPECT_EQ(purging.pending_kind, OperationKind::kPurge);
  EXPECT_THAT(RestoreWith("acct", Op("r1", OperationKind::kRecover)),
              StatusIs(StatusCode::kFailedPrecondition));
  clock_.Advance(seconds(30));
  ASSERT_OK_AND_ASSIGN(int finished, service_.RunDueOperations(10));
  EXPECT_EQ(finished, 1);
  EXPECT_EQ(Operation("p1").status, OperationStatus::kSucceeded);
  EXPECT_FALSE(Stored("acct").has_value());
}

TEST_F(OperationsTest, AFailingOperationChangesNothingAndEndsFailedWithItsError) {
  ASSERT_OK(Create("acct"));
  ASSERT_OK(service_.Delete(
      Del(Account("acct"), Op("d1", OperationKind::kDelete, minutes(1), "InsufficientQuota"))));
  EXPECT_EQ(Operation("d1").status, OperationStatus::kInProgress);
  clock_.Advance(minutes(1));
  const OperationRecord failed = Operation("d1");
  EXPECT_EQ(failed.status, OperationStatus::kFailed);
  EXPECT_EQ(failed.error_code, "InsufficientQuota");
  EXPECT_EQ(failed.error_message, "it failed");
  ASSERT_OK_AND_ASSIGN(ResourceRecord live, service_.Get(Account("acct")));
  EXPECT_TRUE(live.pending_operation.empty());

  // A create set to fail with no duration fails at once and creates nothing.
  ASSERT_OK_AND_ASSIGN(PutOutcome doomed,
                       CreateWith("other", Op("c1", OperationKind::kCreate, {}, "Boom")));
  EXPECT_EQ(doomed.operation->status, OperationStatus::kFailed);
  EXPECT_FALSE(Stored("other").has_value());
  // A recover set to fail leaves the resource soft-deleted, recoverable again.
  ASSERT_OK(service_.Delete(Del(Account("acct"))));
  ASSERT_OK(RestoreWith("acct", Op("r1", OperationKind::kRecover, minutes(1), "Boom")));
  EXPECT_THAT(service_.Get(Account("acct")), StatusIs(StatusCode::kNotFound));
  clock_.Advance(minutes(1));
  EXPECT_EQ(Operation("r1").status, OperationStatus::kFailed);
  EXPECT_OK(RestoreWith("acct", Op("r2", OperationKind::kRecover)));
}

TEST_F(OperationsTest, AnOperationEndsOnceHoweverManyFinishIt) {
  ASSERT_OK(Create("acct"));
  ASSERT_OK(service_.Delete(Del(Account("acct"), Op("d1", OperationKind::kDelete, minutes(1)))));
  clock_.Advance(minutes(5));
  const OperationRecord first = Operation("d1");
  ASSERT_OK_AND_ASSIGN(int finished, service_.RunDueOperations(10));
  EXPECT_EQ(finished, 0);
  EXPECT_EQ(Operation("d1"), first);  // the end time is when it was first seen ended
  EXPECT_EQ(first.finished_at, clock_.Now());
}

TEST_F(OperationsTest, OperationsSurviveARestartAndFinishAfterIt) {
  ASSERT_OK(Create("acct"));
  ASSERT_OK(service_.Delete(Del(Account("acct"), Op("d1", OperationKind::kDelete, minutes(1)))));
  // A new service over the same store: nothing of the operation lived in the old one.
  ResourceService restarted(*store_, clock_, *random_, PolicyCatalog::Builtin());
  clock_.Advance(minutes(1));
  ASSERT_OK_AND_ASSIGN(int finished, restarted.RunDueOperations(10));
  EXPECT_EQ(finished, 1);
  EXPECT_EQ(Operation("d1").status, OperationStatus::kSucceeded);
  EXPECT_OK(service_.GetDeleted(accounts(), Ref("acct")));
}

TEST_F(OperationsTest, AGroupDeleteCancelsTheOperationsOnItsResources) {
  ASSERT_OK(CreateWith("acct", Op("c1", OperationKind::kCreate, minutes(1))));
  ASSERT_OK(service_.DeleteResourceGroup(kSub, kRg, "tester", std::nullopt));
  clock_.Advance(minutes(1));
  const OperationRecord canceled = Operation("c1");
  EXPECT_EQ(canceled.status, OperationStatus::kCanceled);
  EXPECT_EQ(canceled.error_code, "OperationCanceled");
}

TEST(OperationScheduleTest, QueuedFailuresGoToTheNextOperationsInTurn) {
  auto random = NewSequentialRandom();
  OperationSchedule schedule;
  schedule.SetDuration(OperationKind::kPurge, seconds(30));
  schedule.FailNext(OperationKind::kPurge, "Conflict", "first");
  schedule.FailNext(OperationKind::kPurge, "Gone", "second");
  EXPECT_FALSE(schedule.Plan(OperationKind::kDelete, *random).fails());
  const OperationPlan first = schedule.Plan(OperationKind::kPurge, *random);
  EXPECT_EQ(first.error_code, "Conflict");
  EXPECT_EQ(first.duration, seconds(30));
  schedule.Unused(first);  // refused before it started: still owed to the next one
  EXPECT_EQ(schedule.Plan(OperationKind::kPurge, *random).error_code, "Conflict");
  EXPECT_EQ(schedule.Plan(OperationKind::kPurge, *random).error_code, "Gone");
  EXPECT_FALSE(schedule.Plan(OperationKind::kPurge, *random).fails());
}

TEST(OperationScheduleTest, AFailureRateOfOneFailsEveryOperationAndZeroNone) {
  auto random = NewSequentialRandom();
  OperationSchedule schedule;
  schedule.SetFailureRate(OperationKind::kRecover, 1.0);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(schedule.Plan(OperationKind::kRecover, *random).error_code,
              std::string(kInjectedFailureCode));
    EXPECT_FALSE(schedule.Plan(OperationKind::kCreate, *random).fails());
  }
}

}  // namespace
}  // namespace reprieve::core
