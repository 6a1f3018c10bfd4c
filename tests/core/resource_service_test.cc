#include "reprieve/core/service/resource_service.h"

#include <gtest/gtest.h>

#include "core/service_fixture.h"

namespace reprieve::core {
namespace {

using std::chrono::hours;
using testutil::StatusIs;

TEST_F(ServiceTest, CreateThenUpdateKeepsCreationAndBumpsVersion) {
  ASSERT_OK_AND_ASSIGN(PutOutcome created, Create("acct"));
  EXPECT_EQ(created.kind, PutOutcome::Kind::kCreated);
  clock_.Advance(hours(1));
  ASSERT_OK_AND_ASSIGN(PutOutcome updated, Create("ACCT", R"({"kind":"B"})"));
  EXPECT_EQ(updated.kind, PutOutcome::Kind::kUpdated);
  EXPECT_EQ(updated.record.name, "acct");
  EXPECT_EQ(updated.record.body, R"({"kind":"B"})");
  EXPECT_EQ(updated.record.created_at, created.record.created_at);
  EXPECT_EQ(updated.record.changed_at, created.record.created_at + hours(1));
  EXPECT_GT(updated.record.version, created.record.version);
}

TEST_F(ServiceTest, CreateRequiresSubscriptionAndGroup) {
  EXPECT_THAT(Create("acct", "{}", "nogroup"),
              StatusIs(StatusCode::kNotFound, "ResourceGroupNotFound"));
  EXPECT_THAT(service_.Put({ResourceId::Resource("other", kRg, "Microsoft.CognitiveServices",
                                                 "accounts", "acct"),
                            "eastus", "{}", false, "", "t", std::nullopt, {}}),
              StatusIs(StatusCode::kNotFound, "SubscriptionNotFound"));
}

TEST_F(ServiceTest, CreateRefusesBadNamesAndLocationChanges) {
  EXPECT_THAT(Create("-bad"), StatusIs(StatusCode::kInvalidArgument, "InvalidResourceName"));
  ASSERT_OK(Create("acct"));
  EXPECT_THAT(service_.Put({Account("acct"), "westus", "{}", false, "", "t", std::nullopt, {}}),
              StatusIs(StatusCode::kAlreadyExists, "InvalidResourceLocation"));
}

TEST_F(ServiceTest, DeleteSoftDeletesWith48HourSchedule) {
  ASSERT_OK(Create("acct"));
  clock_.Advance(hours(2));
  ASSERT_OK_AND_ASSIGN(DeleteOutcome deleted, service_.Delete(Del(Account("acct"))));
  EXPECT_TRUE(deleted.existed);
  EXPECT_TRUE(deleted.soft_deleted);
  EXPECT_THAT(service_.Get(Account("acct")), StatusIs(StatusCode::kNotFound, "ResourceNotFound"));
  ASSERT_OK_AND_ASSIGN(ResourceRecord record, service_.GetDeleted(accounts(), Ref("acct")));
  EXPECT_EQ(record.deleted_at, testutil::ParseUtc("2026-01-01T02:00:00Z"));
  EXPECT_EQ(record.scheduled_purge_at, testutil::ParseUtc("2026-01-03T02:00:00Z"));
}

TEST_F(ServiceTest, DeleteOfAbsentOrAlreadyDeletedReportsNothingExisted) {
  ASSERT_OK_AND_ASSIGN(DeleteOutcome absent, service_.Delete(Del(Account("nope"))));
  EXPECT_FALSE(absent.existed);
  ASSERT_OK(Create("acct"));
  ASSERT_OK(service_.Delete(Del(Account("acct"))));
  ASSERT_OK_AND_ASSIGN(DeleteOutcome again, service_.Delete(Del(Account("acct"))));
  EXPECT_FALSE(again.existed);
}

TEST_F(ServiceTest, SoftDeletedNameIsHeldUntilRestoreOrPurge) {
  ASSERT_OK(Create("acct"));
  ASSERT_OK(service_.Delete(Del(Account("acct"))));
  const auto conflict = Create("acct");
  EXPECT_THAT(conflict, StatusIs(StatusCode::kAlreadyExists, "FlagMustBeSetForRestore"));
  EXPECT_THAT(conflict.status().message(), testing::HasSubstr("restore"));
  EXPECT_THAT(conflict.status().message(), testing::HasSubstr("purge"));
}

TEST_F(ServiceTest, RestoreBringsBackTheDeletedBodyIgnoringTheRequest) {
  ASSERT_OK(Create("acct", R"({"kind":"TextAnalytics","tags":{"a":"b"}})"));
  ASSERT_OK(service_.Delete(Del(Account("acct"))));
  ASSERT_OK_AND_ASSIGN(PutOutcome restored, Restore("acct"));
  EXPECT_EQ(restored.kind, PutOutcome::Kind::kRestored);
  EXPECT_EQ(restored.record.body, R"({"kind":"TextAnalytics","tags":{"a":"b"}})");
  EXPECT_EQ(restored.record.state, LifecycleState::kActive);
  EXPECT_FALSE(restored.record.deleted_at.has_value());
  EXPECT_OK(service_.Get(Account("acct")));
  EXPECT_THAT(service_.GetDeleted(accounts(), Ref("acct")), StatusIs(StatusCode::kNotFound));
}

TEST_F(ServiceTest, RestoreWithNothingDeletedFails) {
  EXPECT_THAT(Restore("acct"),
              StatusIs(StatusCode::kNotFound, "CanNotRestoreANonExistingResource"));
  ASSERT_OK(Create("acct"));
  EXPECT_THAT(Restore("acct"),
              StatusIs(StatusCode::kNotFound, "CanNotRestoreANonExistingResource"));
}

TEST_F(ServiceTest, RestoreNeedsTheGroupRecreatedFirst) {
  ASSERT_OK(Create("acct"));
  ASSERT_OK_AND_ASSIGN(GroupDeleteOutcome gone,
                       service_.DeleteResourceGroup(kSub, kRg, "t", std::nullopt));
  EXPECT_EQ(gone.soft_deleted, 1);
  EXPECT_THAT(Restore("acct"), StatusIs(StatusCode::kNotFound, "ResourceGroupNotFound"));
  EXPECT_OK(service_.GetDeleted(accounts(), Ref("acct")));
  ASSERT_OK(service_.tenancy().PutResourceGroup(kSub, kRg, "eastus", "{}", "t"));
  EXPECT_OK(Restore("acct"));
  EXPECT_OK(service_.Get(Account("acct")));
}

TEST_F(ServiceTest, PurgeRemovesForGoodAndFreesTheName) {
  ASSERT_OK(Create("acct"));
  ASSERT_OK(service_.Delete(Del(Account("acct"))));
  ASSERT_OK(service_.Purge(accounts(), Ref("acct"), std::nullopt));
  EXPECT_THAT(service_.GetDeleted(accounts(), Ref("acct")), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(Restore("acct"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(service_.Purge(accounts(), Ref("acct"), std::nullopt),
              StatusIs(StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(PutOutcome again, Create("acct"));
  EXPECT_EQ(again.kind, PutOutcome::Kind::kCreated);
}

TEST_F(ServiceTest, DeletedLookupMatchesLocationAndGroup) {
  ASSERT_OK(Create("acct"));
  ASSERT_OK(service_.Delete(Del(Account("acct"))));
  EXPECT_OK(service_.GetDeleted(accounts(), {kSub, "East US", kRg, "ACCT"}));
  EXPECT_THAT(service_.GetDeleted(accounts(), {kSub, "westus", kRg, "acct"}),
              StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(service_.GetDeleted(accounts(), {kSub, "eastus", "other", "acct"}),
              StatusIs(StatusCode::kNotFound));
}

TEST_F(ServiceTest, ListsSeparateLiveFromDeletedAndPageByKey) {
  for (const char* name : {"a1", "a2", "a3"}) ASSERT_OK(Create(name));
  ASSERT_OK(service_.Delete(Del(Account("a2"))));
  ASSERT_OK_AND_ASSIGN(Page live, service_.ListActive(accounts(), kSub, std::nullopt, "", 1));
  ASSERT_EQ(live.items.size(), 1u);
  EXPECT_EQ(live.items[0].name, "a1");
  ASSERT_OK_AND_ASSIGN(Page rest,
                       service_.ListActive(accounts(), kSub, std::string(kRg), live.next_after, 10));
  ASSERT_EQ(rest.items.size(), 1u);
  EXPECT_EQ(rest.items[0].name, "a3");
  EXPECT_TRUE(rest.next_after.empty());
  ASSERT_OK_AND_ASSIGN(Page deleted, service_.ListDeleted(accounts(), kSub, std::nullopt, "", 10));
  ASSERT_EQ(deleted.items.size(), 1u);
  EXPECT_EQ(deleted.items[0].name, "a2");
}

TEST_F(ServiceTest, GroupDeleteRemovesTheGroupAndSoftDeletesItsResources) {
  ASSERT_OK(Create("a1"));
  ASSERT_OK(Create("a2"));
  ASSERT_OK_AND_ASSIGN(GroupDeleteOutcome outcome,
                       service_.DeleteResourceGroup(kSub, kRg, "t", std::nullopt));
  EXPECT_EQ(outcome.soft_deleted, 2);
  EXPECT_THAT(service_.tenancy().GetResourceGroup(kSub, kRg),
              StatusIs(StatusCode::kNotFound, "ResourceGroupNotFound"));
  ASSERT_OK_AND_ASSIGN(Page deleted, service_.ListDeleted(accounts(), kSub, std::nullopt, "", 10));
  EXPECT_EQ(deleted.items.size(), 2u);
  EXPECT_THAT(service_.DeleteResourceGroup(kSub, kRg, "t", std::nullopt),
              StatusIs(StatusCode::kNotFound, "ResourceGroupNotFound"));
}

TEST_F(ServiceTest, AccessKeysAreGeneratedAndRegeneratedOneAtATime) {
  ASSERT_OK(Create("acct"));
  ASSERT_OK_AND_ASSIGN(AccessKeys keys, service_.ListKeys(Account("acct")));
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].first, "key1");
  EXPECT_EQ(keys[1].first, "key2");
  EXPECT_NE(keys[0].second, keys[1].second);
  ASSERT_OK_AND_ASSIGN(AccessKeys regenerated,
                       service_.RegenerateKey(Account("acct"), "Key1", "t"));
  EXPECT_NE(regenerated[0].second, keys[0].second);
  EXPECT_EQ(regenerated[1].second, keys[1].second);
  EXPECT_THAT(service_.RegenerateKey(Account("acct"), "key3", "t"),
              StatusIs(StatusCode::kInvalidArgument, "InvalidKeyName"));
}

TEST_F(ServiceTest, KeysSurviveDeleteAndRestore) {
  ASSERT_OK(Create("acct"));
  ASSERT_OK_AND_ASSIGN(AccessKeys before, service_.ListKeys(Account("acct")));
  ASSERT_OK(service_.Delete(Del(Account("acct"))));
  EXPECT_THAT(service_.ListKeys(Account("acct")), StatusIs(StatusCode::kNotFound));
  ASSERT_OK(Restore("acct"));
  ASSERT_OK_AND_ASSIGN(AccessKeys after, service_.ListKeys(Account("acct")));
  EXPECT_EQ(after, before);
}

TEST_F(ServiceTest, OnlyACreateStoresItsOperationStatus) {
  PutRequest create{Account("acct"), "eastus", R"({"kind":"A"})", false, "", "t",
                    Op("op-create", OperationKind::kCreate), {}};
  ASSERT_OK_AND_ASSIGN(PutOutcome created, service_.Put(create));
  ASSERT_TRUE(created.operation.has_value());
  EXPECT_OK(service_.GetOperation("op-create"));
  PutRequest update = create;
  update.operation = Op("op-update", OperationKind::kCreate);
  ASSERT_OK_AND_ASSIGN(PutOutcome updated, service_.Put(update));
  EXPECT_EQ(updated.kind, PutOutcome::Kind::kUpdated);
  EXPECT_FALSE(updated.operation.has_value());
  EXPECT_THAT(service_.GetOperation("op-update"), StatusIs(StatusCode::kNotFound));
}

TEST_F(ServiceTest, OperationRecordsAreCommittedWithTheirChange) {
  ASSERT_OK(Create("acct"));
  ASSERT_OK(service_.Delete(Del(Account("acct"))));
  ASSERT_OK(service_.Purge(accounts(), Ref("acct"), Op("OP-1", OperationKind::kPurge)));
  ASSERT_OK_AND_ASSIGN(OperationRecord stored, service_.GetOperation("op-1"));
  EXPECT_EQ(stored.status, OperationStatus::kSucceeded);
  EXPECT_EQ(stored.kind, OperationKind::kPurge);
  EXPECT_EQ(stored.target, Account("acct").ToString());
  EXPECT_EQ(stored.started_by, "starter");
  EXPECT_EQ(stored.finished_at, clock_.Now());
  EXPECT_THAT(service_.GetOperation("op-2"), StatusIs(StatusCode::kNotFound));
}

}  // namespace
}  // namespace reprieve::core
