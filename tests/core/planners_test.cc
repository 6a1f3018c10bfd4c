// The lifecycle's transitions as its specification: each planner maps a snapshot, the
// type's policy, the time and the caller to the batch that commits the transition. No
// store and no clock: the snapshots are written here, the time is a constant. Retentions
// are Azure's documented ones (Cognitive Services 48 hours, Key Vault 90 days by default,
// Machine Learning 14 days), the error codes those the seeds and ARM documentation name.
#include <gtest/gtest.h>

#include <algorithm>

#include "reprieve/base/strings.h"
#include "reprieve/core/lifecycle/planners.h"
#include "reprieve/core/lifecycle/transitions.h"
#include "testutil/testutil.h"

namespace reprieve::core {
namespace {

using std::chrono::hours;
using testutil::StatusIs;
using Kind = Expectation::Kind;

constexpr char kSub[] = "00000000-0000-0000-0000-00000000c0de";
const Timestamp kNow = testutil::ParseUtc("2026-03-01T12:00:00Z");

const PolicyCatalog& Catalog() { return PolicyCatalog::Builtin(); }
const TypePolicy& Policy(const std::string& type) { return *Catalog().Find(type); }

ResourceRecord Group() {
  ResourceRecord g;
  g.key = AsciiLower(std::string("/subscriptions/") + kSub + "/resourcegroups/rg");
  g.id = std::string("/subscriptions/") + kSub + "/resourceGroups/rg";
  g.type = std::string(kResourceGroupType);
  g.version = 3;
  return g;
}

ResourceId Id(const std::string& ns, const std::string& type, const std::string& name) {
  return ResourceId::Resource(kSub, "rg", ns, type, name);
}

// A live resource of `type` named `name`, at version 2.
ResourceRecord Live(const ResourceId& id) {
  ResourceRecord r;
  r.key = id.Key();
  r.id = id.ToString();
  r.subscription = AsciiLower(kSub);
  r.resource_group = "rg";
  r.type = id.FullType();
  r.name = id.name();
  r.location = "eastus";
  r.body = "{}";
  r.version = 2;
  return r;
}

ResourceRecord Deleted(const ResourceId& id, Timestamp at, Duration retention) {
  ResourceRecord r = Live(id);
  r.state = LifecycleState::kSoftDeleted;
  r.version = 3;
  r.deleted_at = at;
  r.scheduled_purge_at = at + retention;
  return r;
}

bool Expects(const WriteBatch& batch, const std::string& key, Kind kind) {
  return std::any_of(batch.expect.begin(), batch.expect.end(),
                     [&](const Expectation& e) { return e.key == key && e.kind == kind; });
}

const ResourceRecord* PutOf(const WriteBatch& batch, const std::string& key) {
  for (const ResourceRecord& r : batch.put) {
    if (r.key == key) return &r;
  }
  return nullptr;
}

bool Erases(const WriteBatch& batch, const std::string& key) {
  return std::find(batch.erase.begin(), batch.erase.end(), key) != batch.erase.end();
}

std::vector<std::string> EventTypes(const WriteBatch& batch) {
  std::vector<std::string> types;
  for (const LifecycleEvent& e : batch.events) types.push_back(e.event_type);
  return types;
}

class PlannersTest : public ::testing::Test {
 protected:
  PlannersTest()
      : random_(NewSequentialRandom()),
        journal_(*random_),
        events_(random_.get(), hours(24)),
        planner_(Catalog(), *random_, journal_, events_) {}

  Snapshot Of(std::optional<ResourceRecord> record) {
    Snapshot s;
    s.record = std::move(record);
    s.group = Group();
    return s;
  }
  static DeleteRequest Delete(const ResourceId& id, const std::string& api_version) {
    return {id, "alice", std::nullopt, api_version, false, false};
  }
  static Actor By(const std::string& who) { return Actor{kNow, Principal(who)}; }

  std::unique_ptr<RandomSource> random_;
  Journal journal_;
  LifecycleEvents events_;
  Planner planner_;
};

const ResourceId kAccount = Id("Microsoft.CognitiveServices", "accounts", "acct");
const ResourceId kWorkspace = Id("Microsoft.MachineLearningServices", "workspaces", "ws");
const ResourceId kVault = Id("Microsoft.KeyVault", "vaults", "kv1");

TEST_F(PlannersTest, ADeleteSoftDeletesForTheTypesRetentionGuardedByTheLiveVersion) {
  const ResourceRecord live = Live(kAccount);
  ASSERT_OK_AND_ASSIGN(auto plan, planner_.Delete(Policy(kAccount.FullType()),
                                                  Delete(kAccount, "2023-05-01"), Of(live),
                                                  By("alice")));
  EXPECT_TRUE(plan.outcome.existed);
  EXPECT_TRUE(plan.outcome.soft_deleted);
  EXPECT_TRUE(Expects(plan.batch, live.key, Kind::kActive));
  const ResourceRecord* deleted = PutOf(plan.batch, live.key);
  ASSERT_NE(deleted, nullptr);
  EXPECT_EQ(deleted->state, LifecycleState::kSoftDeleted);
  EXPECT_EQ(deleted->deleted_at, kNow);
  EXPECT_EQ(deleted->scheduled_purge_at, kNow + hours(48));
  EXPECT_EQ(deleted->changed_by, "alice");
  EXPECT_EQ(EventTypes(plan.batch),
            (std::vector<std::string>{"Reprieve.Lifecycle.ResourceSoftDeleted",
                                      "Reprieve.Lifecycle.PurgeScheduled"}));
  EXPECT_EQ(plan.batch.events[1].due, kNow + hours(24));
  EXPECT_TRUE(plan.batch.activity.empty()) << "no request, nothing to journal";
}

TEST_F(PlannersTest, AKeyVaultKeepsItsOwnRetention) {
  ResourceRecord live = Live(kVault);
  live.retention = hours(24 * 7);  // properties.softDeleteRetentionInDays: 7
  ASSERT_OK_AND_ASSIGN(auto plan, planner_.Delete(Policy(kVault.FullType()),
                                                  Delete(kVault, "2022-07-01"), Of(live),
                                                  By("alice")));
  EXPECT_EQ(PutOf(plan.batch, live.key)->scheduled_purge_at, kNow + hours(24 * 7));
}

TEST_F(PlannersTest, AWorkspaceDeleteTakesItsChildrenAsTheSeedSays) {
  const ResourceRecord live = Live(kWorkspace);
  ResourceRecord model = Live(Id("Microsoft.MachineLearningServices", "workspaces", "ws"));
  model.key = live.key + "/models/m1";
  model.id = live.id + "/models/m1";
  model.type = "Microsoft.MachineLearningServices/workspaces/models";
  ResourceRecord compute = model;
  compute.key = live.key + "/computes/c1";
  compute.id = live.id + "/computes/c1";
  compute.type = "Microsoft.MachineLearningServices/workspaces/computes";
  Snapshot snapshot = Of(live);
  snapshot.children = {model, compute};
  snapshot.soft_delete_enrolled = true;
  ASSERT_OK_AND_ASSIGN(auto plan, planner_.Delete(Policy(kWorkspace.FullType()),
                                                  Delete(kWorkspace, "2022-10-01"), snapshot,
                                                  By("alice")));
  ASSERT_TRUE(plan.outcome.soft_deleted);
  // Models stay, soft-deleted on the workspace's schedule; compute is deleted for good.
  const ResourceRecord* kept = PutOf(plan.batch, model.key);
  ASSERT_NE(kept, nullptr);
  EXPECT_EQ(kept->state, LifecycleState::kSoftDeleted);
  EXPECT_EQ(kept->scheduled_purge_at, kNow + hours(24 * 14));
  EXPECT_TRUE(Erases(plan.batch, compute.key));
}

TEST_F(PlannersTest, AWorkspaceIsDeletedForGoodWithForceToPurgeOrWithoutTheFeature) {
  const ResourceRecord live = Live(kWorkspace);
  DeleteRequest force = Delete(kWorkspace, "2022-10-01");
  force.force_purge = true;
  ASSERT_OK_AND_ASSIGN(auto forced,
                       planner_.Delete(Policy(kWorkspace.FullType()), force, Of(live), By("a")));
  EXPECT_FALSE(forced.outcome.soft_deleted);
  EXPECT_TRUE(Erases(forced.batch, live.key));
  EXPECT_TRUE(forced.batch.events.empty()) << "a permanent delete is no lifecycle event";

  Snapshot unenrolled = Of(live);
  unenrolled.soft_delete_enrolled = false;
  ASSERT_OK_AND_ASSIGN(auto hard, planner_.Delete(Policy(kWorkspace.FullType()),
                                                  Delete(kWorkspace, "2022-10-01"), unenrolled,
                                                  By("a")));
  EXPECT_FALSE(hard.outcome.soft_deleted);
}

TEST_F(PlannersTest, DeletingAlreadyDeletedPurgesOnlyWhenForced) {
  const ResourceRecord gone = Deleted(kWorkspace, kNow - hours(1), hours(24 * 14));
  ASSERT_OK_AND_ASSIGN(auto again, planner_.Delete(Policy(kWorkspace.FullType()),
                                                   Delete(kWorkspace, "2022-10-01"), Of(gone),
                                                   By("a")));
  EXPECT_FALSE(again.outcome.existed);
  DeleteRequest force = Delete(kWorkspace, "2022-10-01");
  force.force_purge = true;
  ASSERT_OK_AND_ASSIGN(auto purged,
                       planner_.Delete(Policy(kWorkspace.FullType()), force, Of(gone), By("a")));
  EXPECT_TRUE(Erases(purged.batch, gone.key));
  EXPECT_EQ(EventTypes(purged.batch),
            (std::vector<std::string>{"Reprieve.Lifecycle.ResourcePurged"}));
}

TEST_F(PlannersTest, ADeferredDeleteOnlyBeginsItsOperation) {
  const ResourceRecord live = Live(kAccount);
  Invocation start;
  start.id = "op-1";
  start.caller = "alice";
  start.plan.kind = OperationKind::kDelete;
  start.plan.duration = std::chrono::minutes(2);
  DeleteRequest request = Delete(kAccount, "2023-05-01");
  request.operation = start;
  const Actor actor{kNow, Principal("alice"), &start};
  ASSERT_OK_AND_ASSIGN(auto plan,
                       planner_.Delete(Policy(kAccount.FullType()), request, Of(live), actor));
  ASSERT_TRUE(plan.outcome.operation.has_value());
  EXPECT_EQ(plan.outcome.operation->status, OperationStatus::kInProgress);
  EXPECT_EQ(plan.outcome.operation->ends_at, kNow + std::chrono::minutes(2));
  const ResourceRecord* marked = PutOf(plan.batch, live.key);
  ASSERT_NE(marked, nullptr);
  EXPECT_EQ(marked->state, LifecycleState::kActive) << "still live until the delete ends";
  EXPECT_EQ(marked->pending_operation, "op-1");
  EXPECT_TRUE(plan.batch.events.empty());
}

TEST_F(PlannersTest, ARecoverNeedsWhatTheResourceDependsOnToBeLive) {
  ResourceRecord gone = Deleted(kAccount, kNow - hours(2), hours(48));
  gone.dependencies = {kVault.ToString()};
  PutRequest request{kAccount, "eastus", "{}", true, "", "bob", std::nullopt, {}};
  Snapshot snapshot = Of(gone);
  snapshot.dependencies = {{kVault.ToString(), kVault.ToString(), LifecycleState::kSoftDeleted}};
  EXPECT_THAT(planner_.Put(Policy(kAccount.FullType()), request, snapshot, By("bob")),
              StatusIs(StatusCode::kFailedPrecondition));
  snapshot.dependencies[0].state = std::nullopt;
  auto missing = planner_.Put(Policy(kAccount.FullType()), request, snapshot, By("bob"));
  EXPECT_EQ(missing.status().arm_code(), "DependencyNotFound");
  snapshot.dependencies[0].state = LifecycleState::kActive;
  ASSERT_OK_AND_ASSIGN(auto plan, planner_.Put(Policy(kAccount.FullType()), request, snapshot,
                                               By("bob")));
  EXPECT_EQ(plan.outcome.kind, PutOutcome::Kind::kRestored);
  const ResourceRecord* back = PutOf(plan.batch, gone.key);
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->state, LifecycleState::kActive);
  EXPECT_FALSE(back->deleted_at.has_value());
  EXPECT_TRUE(Expects(plan.batch, gone.key, Kind::kSoftDeleted));
  EXPECT_TRUE(Expects(plan.batch, Group().key, Kind::kActive)) << "a recover needs its group";
  EXPECT_EQ(plan.batch.cancel_events, (std::vector<std::string>{"purge-warning|" + gone.key}));
  EXPECT_EQ(EventTypes(plan.batch),
            (std::vector<std::string>{"Reprieve.Lifecycle.ResourceRecovered"}));
}

TEST_F(PlannersTest, ThereIsNothingToRecoverUnlessTheResourceIsSoftDeleted) {
  PutRequest request{kAccount, "eastus", "{}", true, "", "bob", std::nullopt, {}};
  EXPECT_THAT(planner_.Put(Policy(kAccount.FullType()), request, Of(std::nullopt), By("bob")),
              StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(planner_.Put(Policy(kAccount.FullType()), request, Of(Live(kAccount)), By("bob")),
              StatusIs(StatusCode::kNotFound));
}

TEST_F(PlannersTest, ACreateClaimsAGlobalNameOrIsRefusedWhileADeletedOwnerHoldsIt) {
  PutRequest request{kVault, "eastus", "{}", false, "", "bob", std::nullopt, {}};
  ASSERT_OK_AND_ASSIGN(auto created,
                       planner_.Put(Policy(kVault.FullType()), request, Of(std::nullopt), By("bob")));
  const std::string name_key = NameKey(kVault.FullType(), "kv1");
  EXPECT_TRUE(Expects(created.batch, name_key, Kind::kAbsent)) << "the database keeps names unique";
  ASSERT_NE(PutOf(created.batch, name_key), nullptr);

  // Another subscription's vault of that name, soft-deleted, still holds it.
  const ResourceId other = ResourceId::Resource("00000000-0000-0000-0000-0000000000ff", "rg",
                                                "Microsoft.KeyVault", "vaults", "kv1");
  Snapshot held = Of(std::nullopt);
  held.name = NameRecordFor(Deleted(other, kNow - hours(1), hours(24 * 90)), kNow - hours(3));
  held.name->id = other.ToString();
  held.name_owner = Deleted(other, kNow - hours(1), hours(24 * 90));
  EXPECT_THAT(planner_.Put(Policy(kVault.FullType()), request, held, By("bob")),
              StatusIs(StatusCode::kAlreadyExists));
}

TEST_F(PlannersTest, APurgeIsRefusedWhilePurgeProtectionHolds) {
  ResourceRecord gone = Deleted(kVault, kNow - hours(1), hours(24 * 90));
  gone.purge_protected = true;
  EXPECT_THAT(planner_.Purge(Policy(kVault.FullType()), Of(gone), By("bob"), kPurgedByUser),
              StatusIs(StatusCode::kFailedPrecondition));
  // At the scheduled purge the retention has ended: the expiry purge goes ahead.
  const Actor at_expiry{*gone.scheduled_purge_at, Principal("Reprieve")};
  EXPECT_OK(planner_.Purge(Policy(kVault.FullType()), Of(gone), at_expiry, kPurgedAtExpiry));
}

TEST_F(PlannersTest, AUsersPurgeAndTheRetentionsEndAreTheSameTransition) {
  const ResourceRecord gone = Deleted(kAccount, kNow - hours(48), hours(48));
  ASSERT_OK_AND_ASSIGN(auto by_user,
                       planner_.Purge(Policy(kAccount.FullType()), Of(gone), By("bob"),
                                      kPurgedByUser));
  ASSERT_OK_AND_ASSIGN(auto at_expiry,
                       planner_.Purge(Policy(kAccount.FullType()), Of(gone),
                                      Actor{kNow, Principal("Reprieve")}, kPurgedAtExpiry));
  for (const auto* plan : {&by_user, &at_expiry}) {
    EXPECT_TRUE(Erases(plan->batch, gone.key));
    EXPECT_TRUE(Expects(plan->batch, gone.key, Kind::kSoftDeleted));
    EXPECT_EQ(EventTypes(plan->batch),
              (std::vector<std::string>{"Reprieve.Lifecycle.ResourcePurged"}));
  }
  // A user's purge cancels the warning not yet sent; the expiry's leaves it to go first.
  EXPECT_EQ(by_user.batch.cancel_events.size(), 1u);
  EXPECT_TRUE(at_expiry.batch.cancel_events.empty());
  // The expiry is journaled as Reprieve's own change, with the reason; no ARM event.
  ASSERT_EQ(at_expiry.batch.activity.size(), 1u);
  EXPECT_EQ(at_expiry.batch.activity[0].caller, "Reprieve");
  EXPECT_EQ(at_expiry.batch.activity[0].operation_name,
            "Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts/delete");
  EXPECT_TRUE(by_user.batch.activity.empty()) << "no request given, nothing journaled";
}

TEST_F(PlannersTest, AnUpdateIsGuardedByTheVersionItWasPlannedFrom) {
  const ResourceRecord live = Live(kAccount);
  ASSERT_OK_AND_ASSIGN(auto plan,
                       planner_.Update(live, BodyChange{R"({"tags":{"a":"b"}})", std::nullopt},
                                       By("carol")));
  ASSERT_EQ(plan.batch.expect.size(), 1u);
  EXPECT_EQ(plan.batch.expect[0].version, live.version);
  EXPECT_EQ(plan.outcome.version, live.version + 1);
  EXPECT_EQ(plan.outcome.changed_by, "carol");
  EXPECT_EQ(plan.outcome.changed_at, kNow);
}

}  // namespace
}  // namespace reprieve::core
