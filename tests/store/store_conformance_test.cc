// The behaviour every ResourceStore adapter must have. Change this suite first, then the
// adapters (house rule 9).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include "reprieve/store/memory/memory_store.h"
#include "reprieve/store/sqlite/migrations.h"
#include "reprieve/store/sqlite/sqlite_store.h"
#include "reprieve/store/store_factory.h"
#include "testutil/testutil.h"

namespace reprieve::store {
namespace {

using core::Expectation;
using core::LifecycleState;
using core::ResourceRecord;
using core::WriteBatch;
using testutil::StatusIs;
using Kind = Expectation::Kind;

struct StoreFactory {
  std::string name;
  // Opens (or re-opens) the store kept in `dir`.
  std::function<std::unique_ptr<core::ResourceStore>(const std::string& dir)> open;
};

std::ostream& operator<<(std::ostream& os, const StoreFactory& f) { return os << f.name; }

ResourceRecord Record(const std::string& key, const std::string& type = "Ns/things",
                      const std::string& sub = "s1") {
  ResourceRecord r;
  r.key = key;
  r.id = key;
  r.subscription = sub;
  r.resource_group = "rg";
  r.type = type;
  r.name = key.substr(key.rfind('/') + 1);
  r.location = "eastus";
  r.body = R"({"properties":{"x":1}})";
  r.secrets = "key1=abc\n";
  r.version = 1;
  r.etag = "\"e\"";
  r.created_at = testutil::ParseUtc("2026-01-01T00:00:00Z");
  r.changed_at = r.created_at;
  r.created_by = "me";
  r.changed_by = "me";
  return r;
}

ResourceRecord SoftDeleted(ResourceRecord r, const std::string& purge_at) {
  r.state = LifecycleState::kSoftDeleted;
  r.version += 1;
  r.deleted_at = testutil::ParseUtc("2026-01-01T00:00:00Z");
  r.scheduled_purge_at = testutil::ParseUtc(purge_at);
  return r;
}

WriteBatch Put(const ResourceRecord& r, Kind expect = Kind::kAbsent, int64_t version = 0) {
  WriteBatch batch;
  batch.expect.push_back({r.key, expect, version});
  batch.put.push_back(r);
  return batch;
}

class StoreConformanceTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override { store_ = GetParam().open(dir_.path()); }
  testutil::TempDir dir_;
  std::unique_ptr<core::ResourceStore> store_;
};

TEST_P(StoreConformanceTest, GetOfAbsentKeyIsNotFound) {
  EXPECT_THAT(store_->Get("/nope"), StatusIs(StatusCode::kNotFound));
}

TEST_P(StoreConformanceTest, PutRoundTripsEveryField) {
  ResourceRecord r = SoftDeleted(Record("/a"), "2026-01-03T00:00:00.123Z");
  r.retention = std::chrono::days(9);
  r.purge_protected = true;
  r.customer_managed_key = true;
  r.transient = true;
  r.changed_by_type = core::PrincipalType::kApplication;
  r.dependencies = {"/subscriptions/s1/resourcegroups/rg/providers/ns/vaults/v",
                    "Microsoft.KeyVault/vaults/kv1"};
  ASSERT_OK(store_->Apply(Put(r)));
  ASSERT_OK_AND_ASSIGN(ResourceRecord got, store_->Get("/a"));
  EXPECT_EQ(got, r);
}

TEST_P(StoreConformanceTest, FailedExpectationWritesNothing) {
  ASSERT_OK(store_->Apply(Put(Record("/a"))));
  WriteBatch batch = Put(Record("/b"));
  batch.expect.push_back({"/a", Kind::kAbsent, 0});
  EXPECT_THAT(store_->Apply(batch), StatusIs(StatusCode::kAborted));
  EXPECT_THAT(store_->Get("/b"), StatusIs(StatusCode::kNotFound));
}

TEST_P(StoreConformanceTest, ExpectationsCheckStateAndVersion) {
  ResourceRecord a = Record("/a");
  ASSERT_OK(store_->Apply(Put(a)));
  ResourceRecord a2 = a;
  a2.version = 2;
  EXPECT_THAT(store_->Apply(Put(a2, Kind::kActive, 7)), StatusIs(StatusCode::kAborted));
  EXPECT_THAT(store_->Apply(Put(a2, Kind::kSoftDeleted, 1)), StatusIs(StatusCode::kAborted));
  EXPECT_OK(store_->Apply(Put(a2, Kind::kActive, 1)));
  ResourceRecord deleted = SoftDeleted(a2, "2026-01-03T00:00:00Z");
  EXPECT_OK(store_->Apply(Put(deleted, Kind::kActive, 0)));
  EXPECT_THAT(store_->Apply(Put(deleted, Kind::kActive, 0)), StatusIs(StatusCode::kAborted));
  WriteBatch purge;
  purge.expect.push_back({"/a", Kind::kSoftDeleted, deleted.version});
  purge.erase.push_back("/a");
  EXPECT_OK(store_->Apply(purge));
  EXPECT_THAT(store_->Get("/a"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store_->Apply(purge), StatusIs(StatusCode::kAborted));
}

TEST_P(StoreConformanceTest, TouchBumpsVersionAndKeepsContent) {
  ResourceRecord a = Record("/a");
  ASSERT_OK(store_->Apply(Put(a)));
  WriteBatch touch;
  touch.touch.push_back("/a");
  ASSERT_OK(store_->Apply(touch));
  ASSERT_OK_AND_ASSIGN(ResourceRecord got, store_->Get("/a"));
  EXPECT_EQ(got.version, 2);
  EXPECT_EQ(got.body, a.body);
  WriteBatch missing;
  missing.put.push_back(Record("/c"));
  missing.touch.push_back("/b");
  EXPECT_THAT(store_->Apply(missing), StatusIs(StatusCode::kAborted));
  EXPECT_THAT(store_->Get("/c"), StatusIs(StatusCode::kNotFound));
}

TEST_P(StoreConformanceTest, ReadsSeeEveryAcknowledgedWriteAtOnce) {
  ResourceRecord a = Record("/a");
  ASSERT_OK(store_->Apply(Put(a)));
  ASSERT_OK(store_->Get("/a"));  // a store may now hold it in a cache
  ResourceRecord changed = a;
  changed.version = 2;
  changed.body = R"({"v":2})";
  ASSERT_OK(store_->Apply(Put(changed, Kind::kActive, 1)));
  ASSERT_OK_AND_ASSIGN(ResourceRecord got, store_->Get("/a"));
  EXPECT_EQ(got.body, R"({"v":2})");
  WriteBatch touch;
  touch.touch.push_back("/a");
  ASSERT_OK(store_->Apply(touch));
  ASSERT_OK_AND_ASSIGN(ResourceRecord touched, store_->Get("/a"));
  EXPECT_EQ(touched.version, 3);
  WriteBatch erase;
  erase.erase.push_back("/a");
  ASSERT_OK(store_->Apply(erase));
  EXPECT_THAT(store_->Get("/a"), StatusIs(StatusCode::kNotFound));
}

TEST_P(StoreConformanceTest, ConcurrentReadersNeverSeeAnOlderVersionAfterAWriteReturns) {
  ASSERT_OK(store_->Apply(Put(Record("/hot"))));
  std::atomic<int64_t> acknowledged{1};
  std::atomic<bool> stop{false};
  std::atomic<int> stale{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 3; ++i) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        const int64_t floor = acknowledged.load();
        auto got = store_->Get("/hot");
        if (got.has_value() && got->version < floor) ++stale;
      }
    });
  }
  for (int64_t version = 1; version < 200; ++version) {
    ResourceRecord next = Record("/hot");
    next.version = version + 1;
    ASSERT_OK(store_->Apply(Put(next, Kind::kActive, version)));
    acknowledged.store(version + 1);
  }
  stop = true;
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(stale.load(), 0);
}

TEST_P(StoreConformanceTest, ListFiltersAndPagesInKeyOrder) {
  ASSERT_OK(store_->Apply(Put(Record("/s1/rg/x3"))));
  ASSERT_OK(store_->Apply(Put(Record("/s1/rg/x1"))));
  ASSERT_OK(store_->Apply(Put(Record("/s1/rg2/x2"))));
  ASSERT_OK(store_->Apply(Put(Record("/s1/rg/other", "Ns/others"))));
  ASSERT_OK(store_->Apply(Put(Record("/s2/rg/x9", "Ns/things", "s2"))));
  ASSERT_OK(store_->Apply(Put(SoftDeleted(Record("/s1/rg/x0"), "2026-02-01T00:00:00Z"))));

  core::ListQuery query;
  query.type = "Ns/things";
  query.subscription = "s1";
  query.state = LifecycleState::kActive;
  query.limit = 2;
  ASSERT_OK_AND_ASSIGN(core::Page first, store_->List(query));
  ASSERT_EQ(first.items.size(), 2u);
  EXPECT_EQ(first.items[0].key, "/s1/rg/x1");
  EXPECT_EQ(first.items[1].key, "/s1/rg/x3");
  ASSERT_FALSE(first.next_after.empty());
  query.after_key = first.next_after;
  ASSERT_OK_AND_ASSIGN(core::Page second, store_->List(query));
  ASSERT_EQ(second.items.size(), 1u);
  EXPECT_EQ(second.items[0].key, "/s1/rg2/x2");
  EXPECT_TRUE(second.next_after.empty());

  core::ListQuery in_group;
  in_group.key_prefix = "/s1/rg/";
  ASSERT_OK_AND_ASSIGN(core::Page group, store_->List(in_group));
  ASSERT_EQ(group.items.size(), 4u);  // every type, both states, not /s1/rg2/
  EXPECT_EQ(group.items[0].key, "/s1/rg/other");

  core::ListQuery deleted;
  deleted.state = LifecycleState::kSoftDeleted;
  ASSERT_OK_AND_ASSIGN(core::Page gone, store_->List(deleted));
  ASSERT_EQ(gone.items.size(), 1u);
  EXPECT_EQ(gone.items[0].key, "/s1/rg/x0");
}

TEST_P(StoreConformanceTest, ExactlyFullLastPageHasNoNextCursor) {
  ASSERT_OK(store_->Apply(Put(Record("/a"))));
  ASSERT_OK(store_->Apply(Put(Record("/b"))));
  core::ListQuery query;
  query.limit = 2;
  ASSERT_OK_AND_ASSIGN(core::Page page, store_->List(query));
  EXPECT_EQ(page.items.size(), 2u);
  EXPECT_TRUE(page.next_after.empty());
}

TEST_P(StoreConformanceTest, ListPurgeDueReturnsDueSoftDeletedEarliestFirst) {
  ASSERT_OK(store_->Apply(Put(SoftDeleted(Record("/late"), "2026-01-05T00:00:00Z"))));
  ASSERT_OK(store_->Apply(Put(SoftDeleted(Record("/early"), "2026-01-02T00:00:00Z"))));
  ASSERT_OK(store_->Apply(Put(SoftDeleted(Record("/mid"), "2026-01-03T00:00:00Z"))));
  ASSERT_OK(store_->Apply(Put(Record("/live"))));
  ASSERT_OK_AND_ASSIGN(auto due, store_->ListPurgeDue(testutil::ParseUtc("2026-01-03T00:00:00Z"), 10));
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].key, "/early");
  EXPECT_EQ(due[1].key, "/mid");
  ASSERT_OK_AND_ASSIGN(auto limited, store_->ListPurgeDue(testutil::ParseUtc("2027-01-01T00:00:00Z"), 1));
  ASSERT_EQ(limited.size(), 1u);
  EXPECT_EQ(limited[0].key, "/early");
}

TEST_P(StoreConformanceTest, ListDeletedPagesOneSubscriptionByPurgeDateThenKey) {
  // Two records share a purge instant: the key breaks the tie, so paging never skips or
  // repeats one.
  ASSERT_OK(store_->Apply(Put(SoftDeleted(Record("/s1/rg/b"), "2026-01-03T00:00:00Z"))));
  ASSERT_OK(store_->Apply(Put(SoftDeleted(Record("/s1/rg/a"), "2026-01-03T00:00:00Z"))));
  ASSERT_OK(store_->Apply(Put(SoftDeleted(Record("/s1/rg/z"), "2026-01-02T00:00:00Z"))));
  ASSERT_OK(store_->Apply(Put(SoftDeleted(Record("/s1/rg2/c", "Ns/others"), "2026-01-04T00:00:00Z"))));
  ASSERT_OK(store_->Apply(Put(SoftDeleted(Record("/s2/rg/d", "Ns/things", "s2"), "2026-01-01T00:00:00Z"))));
  ASSERT_OK(store_->Apply(Put(Record("/s1/rg/live"))));

  core::DeletedQuery query;
  query.subscription = "s1";
  query.limit = 2;
  ASSERT_OK_AND_ASSIGN(auto first, store_->ListDeleted(query));
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].key, "/s1/rg/z");
  EXPECT_EQ(first[1].key, "/s1/rg/a");
  query.after_purge_at = first.back().scheduled_purge_at;
  query.after_key = first.back().key;
  ASSERT_OK_AND_ASSIGN(auto second, store_->ListDeleted(query));
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(second[0].key, "/s1/rg/b");
  EXPECT_EQ(second[1].key, "/s1/rg2/c");
  query.after_purge_at = second.back().scheduled_purge_at;
  query.after_key = second.back().key;
  ASSERT_OK_AND_ASSIGN(auto rest, store_->ListDeleted(query));
  EXPECT_TRUE(rest.empty());

  core::DeletedQuery filtered;
  filtered.subscription = "s1";
  filtered.types = {"Ns/others"};
  ASSERT_OK_AND_ASSIGN(auto others, store_->ListDeleted(filtered));
  ASSERT_EQ(others.size(), 1u);
  EXPECT_EQ(others[0].key, "/s1/rg2/c");

  core::DeletedQuery in_group;
  in_group.subscription = "s1";
  in_group.key_prefix = "/s1/rg/";
  in_group.types = {"Ns/things", "Ns/others"};
  ASSERT_OK_AND_ASSIGN(auto group, store_->ListDeleted(in_group));
  ASSERT_EQ(group.size(), 3u);  // not /s1/rg2/c, not the live one
  EXPECT_EQ(group[0].key, "/s1/rg/z");
}

TEST_P(StoreConformanceTest, ApplyEachCommitsBatchesIndependently) {
  ASSERT_OK(store_->Apply(Put(Record("/taken"))));
  std::vector<WriteBatch> batches = {Put(Record("/a")), Put(Record("/taken")), Put(Record("/b"))};
  const std::vector<Status> results = store_->ApplyEach(batches);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_OK(results[0]);
  EXPECT_THAT(results[1], StatusIs(StatusCode::kAborted));
  EXPECT_OK(results[2]);
  EXPECT_OK(store_->Get("/a"));
  EXPECT_OK(store_->Get("/b"));
}

// A finished operation record created at `created`.
core::OperationRecord Operation(const std::string& id, const std::string& created) {
  core::OperationRecord op;
  op.id = id;
  op.subscription = "s1";
  op.created_at = op.ends_at = testutil::ParseUtc(created);
  op.finished_at = op.created_at;
  return op;
}

// An operation in progress that ends at `ends`.
core::OperationRecord Running(const std::string& id, const std::string& ends) {
  core::OperationRecord op = Operation(id, "2026-01-01T00:00:00Z");
  op.status = core::OperationStatus::kInProgress;
  op.finished_at.reset();
  op.ends_at = testutil::ParseUtc(ends);
  return op;
}

TEST_P(StoreConformanceTest, OperationsAreStoredWithTheirBatch) {
  WriteBatch batch = Put(Record("/a"));
  core::OperationRecord op = Running("op1", "2026-01-01T00:02:00Z");
  op.kind = core::OperationKind::kPurge;
  op.target = "/Subscriptions/S1/resourceGroups/RG/providers/Microsoft.X/y/A";
  op.target_key = "/a";
  op.type = "Microsoft.X/y";
  op.location = "eastus";
  op.started_by = "11111111-2222-3333-4444-555555555555";
  op.caller = "app-1";
  op.caller_type = core::PrincipalType::kApplication;
  op.error_code = "InsufficientQuota";
  op.error_message = "quota exceeded";
  op.api_version = "2025-09-01";
  op.force_purge = true;
  op.delete_dependents = true;
  batch.operations.push_back(op);
  ASSERT_OK(store_->Apply(batch));
  ASSERT_OK_AND_ASSIGN(core::OperationRecord stored, store_->GetOperation("op1"));
  EXPECT_EQ(stored, op);
  WriteBatch failing = Put(Record("/a"));
  failing.operations.push_back(Operation("op2", "2026-01-01T00:00:00Z"));
  EXPECT_THAT(store_->Apply(failing), StatusIs(StatusCode::kAborted));
  EXPECT_THAT(store_->GetOperation("op2"), StatusIs(StatusCode::kNotFound));
}

TEST_P(StoreConformanceTest, PendingOperationMarkersRoundTrip) {
  ResourceRecord record = Record("/a");
  record.pending_operation = "op1";
  record.pending_kind = core::OperationKind::kRecover;
  ASSERT_OK(store_->Apply(Put(record)));
  ASSERT_OK_AND_ASSIGN(ResourceRecord stored, store_->Get("/a"));
  EXPECT_EQ(stored, record);
}

TEST_P(StoreConformanceTest, OldOperationsAreListedOldestFirstAndErased) {
  WriteBatch batch;
  batch.operations = {Operation("late", "2026-01-03T00:00:00Z"),
                      Operation("early", "2026-01-01T00:00:00Z"),
                      Operation("mid", "2026-01-02T00:00:00Z"),
                      Running("running", "2026-06-01T00:00:00Z")};
  ASSERT_OK(store_->Apply(batch));
  ASSERT_OK_AND_ASSIGN(auto old, store_->ListOperationsBefore(testutil::ParseUtc("2026-01-03T00:00:00Z"), 10));
  EXPECT_EQ(old, (std::vector<std::string>{"early", "mid"}));
  ASSERT_OK_AND_ASSIGN(auto first, store_->ListOperationsBefore(testutil::ParseUtc("2027-01-01T00:00:00Z"), 1));
  EXPECT_EQ(first, (std::vector<std::string>{"early"}));
  // An operation in progress is never old, however long ago it started.
  ASSERT_OK_AND_ASSIGN(auto all, store_->ListOperationsBefore(testutil::ParseUtc("2027-01-01T00:00:00Z"), 10));
  EXPECT_EQ(all, (std::vector<std::string>{"early", "mid", "late"}));
  WriteBatch drop;
  drop.erase_operations = {"early", "mid", "never-existed"};
  ASSERT_OK(store_->Apply(drop));
  EXPECT_THAT(store_->GetOperation("early"), StatusIs(StatusCode::kNotFound));
  EXPECT_OK(store_->GetOperation("late"));
}

TEST_P(StoreConformanceTest, DueOperationsAreListedByEndThenId) {
  WriteBatch batch;
  batch.operations = {Running("b", "2026-01-01T00:05:00Z"), Running("a", "2026-01-01T00:05:00Z"),
                      Running("c", "2026-01-01T00:01:00Z"), Running("later", "2026-01-02T00:00:00Z"),
                      Operation("done", "2026-01-01T00:00:00Z")};
  ASSERT_OK(store_->Apply(batch));
  ASSERT_OK_AND_ASSIGN(auto due, store_->ListOperationsDue(testutil::ParseUtc("2026-01-01T00:05:00Z"), 10));
  std::vector<std::string> ids;
  for (const auto& op : due) ids.push_back(op.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"c", "a", "b"}));
  ASSERT_OK_AND_ASSIGN(auto one, store_->ListOperationsDue(testutil::ParseUtc("2027-01-01T00:00:00Z"), 1));
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].id, "c");
}

TEST_P(StoreConformanceTest, ARunningExpectationFinishesAnOperationOnce) {
  WriteBatch start;
  start.operations = {Running("op", "2026-01-01T00:05:00Z")};
  ASSERT_OK(store_->Apply(start));
  core::OperationRecord done = Running("op", "2026-01-01T00:05:00Z");
  done.status = core::OperationStatus::kSucceeded;
  done.finished_at = done.ends_at;
  WriteBatch finish = Put(Record("/effect"));
  finish.expect_running = {"op"};
  finish.operations = {done};
  WriteBatch again = finish;
  again.put = {Record("/second-effect")};
  const std::vector<Status> results = store_->ApplyEach({finish, again});
  EXPECT_OK(results[0]);
  EXPECT_THAT(results[1], StatusIs(StatusCode::kAborted));
  EXPECT_OK(store_->Get("/effect"));
  EXPECT_THAT(store_->Get("/second-effect"), StatusIs(StatusCode::kNotFound));
  WriteBatch unknown;
  unknown.expect_running = {"never-started"};
  EXPECT_THAT(store_->Apply(unknown), StatusIs(StatusCode::kAborted));
}

core::ActivityEntry Entry(const std::string& id, const std::string& at, const std::string& group,
                          const std::string& status) {
  core::ActivityEntry e;
  e.id = id;
  e.subscription = "s1";
  e.time = testutil::ParseUtc(at);
  e.resource_group = group;
  e.resource_id = "/subscriptions/s1/resourceGroups/" + group + "/providers/Ns/things/" + id;
  e.resource_type = "Ns/things";
  e.status = status;
  e.caller = "App-1";
  e.correlation_id = "c-" + id;
  e.properties = {{"statusCode", "OK"}, {"statusMessage", "line one\nline two \\ end"}};
  return e;
}

std::vector<std::string> Ids(const core::ActivityPage& page) {
  std::vector<std::string> ids;
  for (const auto& e : page.items) ids.push_back(e.id);
  return ids;
}

TEST_P(StoreConformanceTest, ActivityIsListedNewestFirstInCommitOrderAndFiltered) {
  WriteBatch first;
  first.activity = {Entry("a1", "2026-01-01T00:00:00Z", "RG1", "Started"),
                    Entry("a2", "2026-01-01T00:00:00Z", "RG1", "Succeeded")};
  ASSERT_OK(store_->Apply(first));
  WriteBatch second;
  second.activity = {Entry("b1", "2026-01-02T00:00:00Z", "rg2", "Failed")};
  ASSERT_OK(store_->Apply(second));
  WriteBatch failing = Put(Record("/x"));
  ASSERT_OK(store_->Apply(failing));
  failing.activity = {Entry("never", "2026-01-03T00:00:00Z", "RG1", "Started")};
  EXPECT_THAT(store_->Apply(failing), StatusIs(StatusCode::kAborted));  // not recorded

  core::ActivityQuery query;
  query.subscription = "s1";
  query.from = testutil::ParseUtc("2025-12-31T00:00:00Z");
  query.to = testutil::ParseUtc("2026-12-31T00:00:00Z");
  ASSERT_OK_AND_ASSIGN(core::ActivityPage all, store_->ListActivity(query));
  EXPECT_EQ(Ids(all), (std::vector<std::string>{"b1", "a2", "a1"}));
  EXPECT_FALSE(all.more);
  core::ActivityEntry round = all.items[2];
  round.sequence = 0;
  EXPECT_EQ(round, Entry("a1", "2026-01-01T00:00:00Z", "RG1", "Started"));

  query.resource_group = "rg1";  // case-insensitive
  ASSERT_OK_AND_ASSIGN(core::ActivityPage group, store_->ListActivity(query));
  EXPECT_EQ(Ids(group), (std::vector<std::string>{"a2", "a1"}));
  query.resource_group.clear();
  query.caller = "app-1";
  query.status = "failed";
  ASSERT_OK_AND_ASSIGN(core::ActivityPage failed, store_->ListActivity(query));
  EXPECT_EQ(Ids(failed), (std::vector<std::string>{"b1"}));
  query.caller.clear();
  query.status.clear();
  query.resource_provider = "ns";
  query.to = testutil::ParseUtc("2026-01-01T00:00:00Z");  // inclusive
  ASSERT_OK_AND_ASSIGN(core::ActivityPage window, store_->ListActivity(query));
  EXPECT_EQ(Ids(window), (std::vector<std::string>{"a2", "a1"}));

  // Keyset paging resumes after the last entry of a page.
  query = core::ActivityQuery{};
  query.subscription = "s1";
  query.from = testutil::ParseUtc("2025-12-31T00:00:00Z");
  query.to = testutil::ParseUtc("2026-12-31T00:00:00Z");
  query.limit = 2;
  ASSERT_OK_AND_ASSIGN(core::ActivityPage page1, store_->ListActivity(query));
  EXPECT_EQ(Ids(page1), (std::vector<std::string>{"b1", "a2"}));
  EXPECT_TRUE(page1.more);
  query.before_time = page1.items.back().time;
  query.before_sequence = page1.items.back().sequence;
  ASSERT_OK_AND_ASSIGN(core::ActivityPage page2, store_->ListActivity(query));
  EXPECT_EQ(Ids(page2), (std::vector<std::string>{"a1"}));
  EXPECT_FALSE(page2.more);
}

TEST_P(StoreConformanceTest, OldActivityIsListedOldestFirstAndErased) {
  WriteBatch batch;
  batch.activity = {Entry("late", "2026-03-01T00:00:00Z", "rg", "Started"),
                    Entry("early", "2026-01-01T00:00:00Z", "rg", "Started")};
  ASSERT_OK(store_->Apply(batch));
  ASSERT_OK_AND_ASSIGN(auto old, store_->ListActivityBefore(testutil::ParseUtc("2026-02-01T00:00:00Z"), 10));
  ASSERT_EQ(old.size(), 1u);  // "early"
  WriteBatch drop;
  drop.erase_activity = {old[0], "424242"};
  ASSERT_OK(store_->Apply(drop));
  core::ActivityQuery query;
  query.subscription = "s1";
  query.from = testutil::ParseUtc("2025-01-01T00:00:00Z");
  query.to = testutil::ParseUtc("2027-01-01T00:00:00Z");
  ASSERT_OK_AND_ASSIGN(core::ActivityPage left, store_->ListActivity(query));
  EXPECT_EQ(Ids(left), (std::vector<std::string>{"late"}));
  ASSERT_OK_AND_ASSIGN(auto none, store_->ListActivityBefore(testutil::ParseUtc("2026-02-01T00:00:00Z"), 10));
  EXPECT_TRUE(none.empty());
}

core::LifecycleEvent Event(const std::string& id, const std::string& due,
                          const std::string& cancel_key = "") {
  core::LifecycleEvent e;
  e.id = id;
  e.event_type = "Reprieve.Lifecycle.ResourceSoftDeleted";
  e.subscription = "s1";
  e.subject = "/subscriptions/s1/resourceGroups/rg/providers/Ns/things/" + id;
  e.data_version = "1";
  e.time = testutil::ParseUtc("2026-01-01T00:00:00Z");
  e.due = testutil::ParseUtc(due);
  e.cancel_key = cancel_key;
  e.data = {{"resourceId", e.subject}, {"claims.http://x.y/z", "a\nb\\c"}};
  return e;
}

template <typename T>
std::vector<std::string> IdsOf(const std::vector<T>& items) {
  std::vector<std::string> ids;
  for (const T& item : items) ids.push_back(item.id);
  return ids;
}

TEST_P(StoreConformanceTest, OutboxEventsAreDueByTimeThenCommitOrderAndCancelled) {
  WriteBatch first;
  first.events = {Event("late", "2026-01-03T00:00:00Z"), Event("b", "2026-01-01T00:00:00Z"),
                  Event("warn", "2026-01-02T00:00:00Z", "purge-warning|/x")};
  ASSERT_OK(store_->Apply(first));
  WriteBatch second;
  second.events = {Event("a", "2026-01-01T00:00:00Z"),
                   Event("b", "2026-01-09T00:00:00Z")};  // "b" is there: kept as it was
  ASSERT_OK(store_->Apply(second));
  WriteBatch failing = Put(Record("/x"));
  ASSERT_OK(store_->Apply(failing));
  failing.events = {Event("never", "2026-01-01T00:00:00Z")};
  EXPECT_THAT(store_->Apply(failing), StatusIs(StatusCode::kAborted));  // not appended

  ASSERT_OK_AND_ASSIGN(auto due, store_->ListEventsDue(testutil::ParseUtc("2026-01-02T00:00:00Z"), 10));
  EXPECT_EQ(IdsOf(due), (std::vector<std::string>{"b", "a", "warn"}));
  core::LifecycleEvent round = due[0];
  EXPECT_GT(round.sequence, 0);
  round.sequence = 0;
  EXPECT_EQ(round, Event("b", "2026-01-01T00:00:00Z"));
  ASSERT_OK_AND_ASSIGN(auto one, store_->ListEventsDue(testutil::ParseUtc("2026-01-02T00:00:00Z"), 1));
  EXPECT_EQ(IdsOf(one), (std::vector<std::string>{"b"}));

  WriteBatch drop;
  drop.erase_events = {"b", "absent"};
  drop.cancel_events = {"purge-warning|/x", "purge-warning|/none"};
  ASSERT_OK(store_->Apply(drop));
  ASSERT_OK_AND_ASSIGN(auto left, store_->ListEventsDue(testutil::ParseUtc("2027-01-01T00:00:00Z"), 10));
  EXPECT_EQ(IdsOf(left), (std::vector<std::string>{"a", "late"}));
}

core::EventDelivery Delivery(const std::string& id, const std::string& next) {
  core::EventDelivery d;
  d.id = id;
  d.subscription_key = "/reprieve/eventgrid/subscriptions/s1/providers/microsoft.eventgrid/eventsubscriptions/es";
  d.event = Event("e-" + id, "2026-01-01T00:00:00Z");
  d.next_attempt = testutil::ParseUtc(next);
  return d;
}

TEST_P(StoreConformanceTest, DeliveriesAreDueByNextAttemptAndDeadLettersKept) {
  WriteBatch batch;
  batch.deliveries = {Delivery("d1", "2026-01-02T00:00:00Z"), Delivery("d2", "2026-01-01T00:00:00Z"),
                      Delivery("d3", "2026-01-05T00:00:00Z")};
  ASSERT_OK(store_->Apply(batch));
  const Timestamp now = testutil::ParseUtc("2026-01-03T00:00:00Z");
  ASSERT_OK_AND_ASSIGN(auto due, store_->ListDeliveriesDue(now, 10));
  EXPECT_EQ(IdsOf(due), (std::vector<std::string>{"d2", "d1"}));
  core::EventDelivery round = due[1];
  round.sequence = 0;
  EXPECT_EQ(round, Delivery("d1", "2026-01-02T00:00:00Z"));

  // A failed attempt replaces the delivery whole; one dead-lettered is no longer due.
  core::EventDelivery retried = due[1];
  retried.attempts = 1;
  retried.last_attempt = now;
  retried.last_outcome = "503";
  retried.next_attempt = now + std::chrono::seconds(10);
  core::EventDelivery dead = due[0];
  dead.attempts = 1;
  dead.dead_lettered = true;
  dead.dead_letter_reason = "DeliveryRefused";
  WriteBatch update;
  update.deliveries = {retried, dead};
  ASSERT_OK(store_->Apply(update));
  ASSERT_OK_AND_ASSIGN(auto later, store_->ListDeliveriesDue(now + std::chrono::hours(72), 10));
  EXPECT_EQ(IdsOf(later), (std::vector<std::string>{"d1", "d3"}));
  EXPECT_EQ(later[0].attempts, 1);
  EXPECT_EQ(later[0].last_outcome, "503");
  ASSERT_OK_AND_ASSIGN(auto dead_letters, store_->ListDeliveries(true, 10));
  EXPECT_EQ(IdsOf(dead_letters), (std::vector<std::string>{"d2"}));
  EXPECT_EQ(dead_letters[0].dead_letter_reason, "DeliveryRefused");
  ASSERT_OK_AND_ASSIGN(auto pending, store_->ListDeliveries(false, 10));
  EXPECT_EQ(IdsOf(pending), (std::vector<std::string>{"d1", "d3"}));  // commit order

  WriteBatch delivered;
  delivered.erase_deliveries = {"d1", "absent"};
  ASSERT_OK(store_->Apply(delivered));
  ASSERT_OK_AND_ASSIGN(auto rest, store_->ListDeliveries(false, 10));
  EXPECT_EQ(IdsOf(rest), (std::vector<std::string>{"d3"}));
}

TEST_P(StoreConformanceTest, CountsByState) {
  ASSERT_OK(store_->Apply(Put(Record("/a"))));
  ASSERT_OK(store_->Apply(Put(SoftDeleted(Record("/b"), "2026-02-01T00:00:00Z"))));
  ASSERT_OK(store_->Apply(Put(SoftDeleted(Record("/c"), "2026-02-01T00:00:00Z"))));
  EXPECT_EQ(store_->Count(LifecycleState::kActive).value(), 1);
  EXPECT_EQ(store_->Count(LifecycleState::kSoftDeleted).value(), 2);
}

TEST_P(StoreConformanceTest, RacingCreatorsOfOneKeyHaveExactlyOneWinner) {
  constexpr int kThreads = 8;
  std::atomic<int> winners{0};
  std::atomic<int> losers{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      ResourceRecord r = Record("/contended");
      r.body = std::to_string(i);
      const Status status = store_->Apply(Put(r));
      if (status.ok()) ++winners;
      if (status.code() == StatusCode::kAborted) ++losers;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(winners.load(), 1);
  EXPECT_EQ(losers.load(), kThreads - 1);
}

TEST_P(StoreConformanceTest, CensusCountsWhatTheStoreHolds) {
  ASSERT_OK_AND_ASSIGN(core::StoreCensus empty, store_->TakeCensus());
  EXPECT_TRUE(empty.resources.empty());
  EXPECT_FALSE(empty.earliest_purge.has_value());
  EXPECT_EQ(empty.operations_running, 0);

  WriteBatch batch;
  batch.put = {Record("/a"), Record("/b"), Record("/c", "Ns/others"),
               SoftDeleted(Record("/d"), "2026-01-05T00:00:00Z"),
               SoftDeleted(Record("/e"), "2026-01-03T00:00:00Z")};
  batch.operations = {Running("op1", "2026-01-01T00:02:00Z"),
                      Operation("op2", "2026-01-01T00:00:00Z")};
  batch.events = {Event("e1", "2026-01-01T00:00:00Z"), Event("e2", "2026-01-09T00:00:00Z")};
  core::EventDelivery dead = Delivery("d2", "2026-01-01T00:00:00Z");
  dead.dead_lettered = true;
  batch.deliveries = {Delivery("d1", "2026-01-02T00:00:00Z"), dead,
                      Delivery("d3", "2026-01-03T00:00:00Z")};
  ASSERT_OK(store_->Apply(batch));

  ASSERT_OK_AND_ASSIGN(core::StoreCensus census, store_->TakeCensus());
  const std::vector<core::StoreCensus::Resources> expected = {
      {"Ns/others", LifecycleState::kActive, 1},
      {"Ns/things", LifecycleState::kActive, 2},
      {"Ns/things", LifecycleState::kSoftDeleted, 2}};
  EXPECT_EQ(census.resources, expected);
  EXPECT_EQ(census.earliest_purge, testutil::ParseUtc("2026-01-03T00:00:00Z"));
  EXPECT_EQ(census.operations_running, 1);
  EXPECT_EQ(census.outbox_events, 2);
  EXPECT_EQ(census.deliveries_pending, 2);
  EXPECT_EQ(census.deliveries_dead_lettered, 1);
}

TEST_P(StoreConformanceTest, CensusFollowsReplacesErasesAndStateChanges) {
  WriteBatch first;
  first.put = {Record("/a"), Record("/b"), Record("/c")};
  ASSERT_OK(store_->Apply(first));
  // /a is replaced by its soft-deleted self, /b erased, /c replaced by another type.
  WriteBatch second;
  second.put = {SoftDeleted(Record("/a"), "2026-01-05T00:00:00Z"), Record("/c", "Ns/others")};
  second.erase = {"/b"};
  ASSERT_OK(store_->Apply(second));
  ASSERT_OK_AND_ASSIGN(core::StoreCensus census, store_->TakeCensus());
  const std::vector<core::StoreCensus::Resources> expected = {
      {"Ns/others", LifecycleState::kActive, 1},
      {"Ns/things", LifecycleState::kSoftDeleted, 1}};
  EXPECT_EQ(census.resources, expected);
  // A touch keeps type and state: nothing moves.
  WriteBatch touch;
  touch.touch = {"/a"};
  ASSERT_OK(store_->Apply(touch));
  ASSERT_OK_AND_ASSIGN(census, store_->TakeCensus());
  EXPECT_EQ(census.resources, expected);
}

TEST_P(StoreConformanceTest, ProbeOfAWorkingStoreIsOk) {
  EXPECT_OK(store_->Probe());
  ASSERT_OK(store_->Apply(Put(Record("/a"))));
  EXPECT_OK(store_->Probe());
}

INSTANTIATE_TEST_SUITE_P(
    Adapters, StoreConformanceTest,
    ::testing::Values(
        StoreFactory{"memory", [](const std::string&) { return NewMemoryStore(); }},
        StoreFactory{"sqlite",
                     [](const std::string& dir) {
                       auto store = OpenStore("sqlite:" + dir + "/reprieve.db");
                       REPRIEVE_CHECK(store.has_value()) << store.status();
                       return std::move(store).value();
                     }}),
    [](const auto& test_info) { return test_info.param.name; });

TEST(StoreFactoryTest, RefusesUnknownSchemes) {
  EXPECT_THAT(OpenStore("postgres://x"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(OpenStore("sqlite:"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(SqliteStoreTest, RefusesADatabaseFromANewerSchema) {
  testutil::TempDir dir;
  const std::string path = dir.path() + "/db";
  ASSERT_OK(OpenStore("sqlite:" + path));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const std::string bump = "PRAGMA user_version = " + std::to_string(SqliteSchemaVersion() + 1);
  ASSERT_EQ(sqlite3_exec(db, bump.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  EXPECT_THAT(OpenStore("sqlite:" + path), StatusIs(StatusCode::kFailedPrecondition));
}

// A database written before the resource counts existed gets them counted by the migration.
TEST(SqliteStoreTest, TheCountsMigrationCountsWhatIsAlreadyThere) {
  testutil::TempDir dir;
  const std::string path = dir.path() + "/db";
  {
    ASSERT_OK_AND_ASSIGN(auto store, OpenStore("sqlite:" + path));
    WriteBatch batch;
    batch.put = {Record("/a"), Record("/b"), SoftDeleted(Record("/c"), "2026-02-01T00:00:00Z")};
    ASSERT_OK(store->Apply(batch));
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const char* undo =
      "DROP TRIGGER resource_counts_insert; DROP TRIGGER resource_counts_delete; "
      "DROP TRIGGER resource_counts_update; DROP TABLE resource_counts; "
      "PRAGMA user_version = 10;";
  ASSERT_EQ(sqlite3_exec(db, undo, nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  ASSERT_OK_AND_ASSIGN(auto reopened, OpenStore("sqlite:" + path));
  ASSERT_OK_AND_ASSIGN(core::StoreCensus census, reopened->TakeCensus());
  const std::vector<core::StoreCensus::Resources> expected = {
      {"Ns/things", LifecycleState::kActive, 2}, {"Ns/things", LifecycleState::kSoftDeleted, 1}};
  EXPECT_EQ(census.resources, expected);
}

TEST(SqliteStoreTest, AcknowledgedWritesSurviveReopen) {
  testutil::TempDir dir;
  const std::string url = "sqlite:" + dir.path() + "/db";
  {
    ASSERT_OK_AND_ASSIGN(auto store, OpenStore(url));
    WriteBatch batch = Put(SoftDeleted(Record("/a"), "2026-02-01T00:00:00Z"));
    batch.events = {Event("e", "2026-01-01T00:00:00Z")};
    batch.deliveries = {Delivery("d", "2026-01-01T00:00:00Z")};
    ASSERT_OK(store->Apply(batch));
  }
  ASSERT_OK_AND_ASSIGN(auto reopened, OpenStore(url));
  ASSERT_OK_AND_ASSIGN(ResourceRecord got, reopened->Get("/a"));
  EXPECT_EQ(got.state, LifecycleState::kSoftDeleted);
  // The outbox is as durable as the records it was committed with.
  const Timestamp later = testutil::ParseUtc("2027-01-01T00:00:00Z");
  ASSERT_OK_AND_ASSIGN(auto events, reopened->ListEventsDue(later, 10));
  EXPECT_EQ(IdsOf(events), (std::vector<std::string>{"e"}));
  ASSERT_OK_AND_ASSIGN(auto deliveries, reopened->ListDeliveriesDue(later, 10));
  EXPECT_EQ(IdsOf(deliveries), (std::vector<std::string>{"d"}));
}

TEST(SqliteStoreTest, MigratesAVersionOneDatabaseKeepingItsRecords) {
  testutil::TempDir dir;
  const std::string path = dir.path() + "/db";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const std::string v1 = std::string(sqlite::Migrations().front().sql) +
                         "; INSERT INTO resources VALUES ('/old', '/Old', 's', 'rg', 'Ns/t', 'Old', "
                         "'eastus', '{}', '', 1, 2, 'e', 0, 0, 'me', 'me', 5, 10); "
                         "PRAGMA user_version = 1;";
  ASSERT_EQ(sqlite3_exec(db, v1.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  ASSERT_OK_AND_ASSIGN(auto store, OpenStore("sqlite:" + path));
  ASSERT_OK_AND_ASSIGN(ResourceRecord old, store->Get("/old"));
  EXPECT_EQ(old.state, LifecycleState::kSoftDeleted);
  EXPECT_FALSE(old.retention.has_value());
  EXPECT_TRUE(old.dependencies.empty());
  EXPECT_EQ(old.created_by_type, core::PrincipalType::kUser);
  EXPECT_EQ(old.changed_by_type, core::PrincipalType::kUser);
}

TEST(SqliteStoreTest, RefusesAnUnopenablePath) {
  EXPECT_THAT(OpenStore("sqlite:/nonexistent-dir/sub/db"), StatusIs(StatusCode::kUnavailable));
}

}  // namespace
}  // namespace reprieve::store
