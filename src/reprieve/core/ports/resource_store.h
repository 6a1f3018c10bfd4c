// ResourceStore: the persistence port core needs. Implemented by store/{memory,sqlite};
// behaviour is pinned by tests/store/store_conformance_test.cc.
//
// Writes are optimistic transactions: a WriteBatch states what it expects of the records it
// touches (absent, active or soft-deleted, at a version) and is applied atomically and
// durably only if every expectation holds. This is how every lifecycle transition is "one
// transaction guarded by the current state": of two racing transitions on one record,
// exactly one commits and the other gets kAborted.
//
// Implementations are safe for concurrent use without external synchronization.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reprieve/base/result.h"
#include "reprieve/base/time.h"
#include "reprieve/core/model/activity.h"
#include "reprieve/core/model/event.h"
#include "reprieve/core/model/resource.h"

namespace reprieve::core {

struct Expectation {
  enum class Kind { kAbsent, kActive, kSoftDeleted };
  std::string key;
  Kind kind = Kind::kAbsent;
  int64_t version = 0;  // for kActive / kSoftDeleted: the version the record must have; 0 = any

  // Whether a record in this state satisfies the expectation (`present` false: no record).
  bool HeldBy(bool present, LifecycleState state, int64_t record_version) const {
    if (kind == Kind::kAbsent) return !present;
    const LifecycleState want =
        kind == Kind::kActive ? LifecycleState::kActive : LifecycleState::kSoftDeleted;
    return present && state == want && (version == 0 || record_version == version);
  }
};

struct WriteBatch {
  std::vector<Expectation> expect;
  std::vector<ResourceRecord> put;      // inserted or replaced whole, by key
  std::vector<std::string> erase;       // keys removed (absent keys are ignored)
  std::vector<std::string> touch;       // existing keys whose version increments, content kept
  std::vector<OperationRecord> operations;    // inserted or replaced whole, by id
  std::vector<std::string> erase_operations;  // operation ids removed (absent ones ignored)
  // Operation ids that must exist and still be in progress (kAborted otherwise): how the
  // transaction that finishes an operation makes sure it finishes once.
  std::vector<std::string> expect_running;
  std::vector<ActivityEntry> activity;  // appended to the activity log (ids are new)
  // Activity entries removed, by the keys ListActivityBefore gave (absent ones ignored).
  std::vector<std::string> erase_activity;
  // The event outbox: events appended (an id already there keeps its event, so a replayed
  // batch adds nothing), events removed by id (fanned out), and pending events removed by
  // their cancel key (LifecycleEvent::cancel_key).
  std::vector<LifecycleEvent> events;
  std::vector<std::string> erase_events;
  std::vector<std::string> cancel_events;
  // Deliveries inserted or replaced whole, by id; and removed (delivered), by id.
  std::vector<EventDelivery> deliveries;
  std::vector<std::string> erase_deliveries;
};

// A window of one subscription's activity log, newest first.
struct ActivityQuery {
  std::string subscription;  // lower-case
  Timestamp from{};          // inclusive
  Timestamp to{};            // inclusive
  // Equality filters, compared case-insensitively; empty: any.
  std::string resource_group;
  std::string resource_id;
  std::string resource_provider;
  std::string correlation_id;
  std::string caller;
  std::string status;
  // Keyset cursor: only entries after this one in (time, sequence) descending order.
  std::optional<Timestamp> before_time;
  int64_t before_sequence = 0;
  int limit = 100;  // 1..1000
};

struct ActivityPage {
  std::vector<ActivityEntry> items;  // newest first; entries of one instant, last committed first
  bool more = false;                 // more entries match after the last item
};

struct ListQuery {
  std::string type;                          // canonical type; empty = every type
  std::optional<std::string> subscription;   // lower-case; nullopt = every subscription
  std::string key_prefix;                    // only keys starting with it ("" = all)
  std::optional<LifecycleState> state;       // nullopt = both states
  std::string after_key;                     // keyset cursor: keys strictly greater
  int limit = 100;                           // 1..1000
};

struct Page {
  std::vector<ResourceRecord> items;  // ascending by key
  std::string next_after;             // non-empty iff more items may follow
};

// One subscription's soft-deleted records in the order they will be purged: by scheduled
// purge date, then key (the recycle bin).
struct DeletedQuery {
  std::string subscription;        // lower-case
  std::string key_prefix;          // only keys starting with it ("" = the whole subscription)
  std::vector<std::string> types;  // canonical types; empty = every type
  // Keyset cursor: only records after (after_purge_at, after_key) in that order.
  std::optional<Timestamp> after_purge_at;
  std::string after_key;
  int limit = 100;  // 1..1000
};

// What the store holds, counted, for monitoring.
struct StoreCensus {
  struct Resources {
    std::string type;  // canonical
    LifecycleState state = LifecycleState::kActive;
    int64_t count = 0;
    bool operator==(const Resources&) const = default;
  };
  std::vector<Resources> resources;  // by (type, state) ascending; no zero counts
  // The earliest scheduled purge of a soft-deleted record (nullopt: none is soft-deleted).
  std::optional<Timestamp> earliest_purge;
  int64_t operations_running = 0;
  int64_t outbox_events = 0;  // not fanned out yet (due or, like purge warnings, later)
  int64_t deliveries_pending = 0;
  int64_t deliveries_dead_lettered = 0;
};

class ResourceStore {
 public:
  virtual ~ResourceStore() = default;

  // The record with this key, in either state. kNotFound if absent; kUnavailable if the
  // store cannot be read.
  virtual Result<ResourceRecord> Get(std::string_view key) = 0;

  // Records matching `query`, ascending by key, at most `query.limit`.
  virtual Result<Page> List(const ListQuery& query) = 0;

  // Up to `limit` soft-deleted records with scheduled_purge_at <= now, earliest first.
  virtual Result<std::vector<ResourceRecord>> ListPurgeDue(Timestamp now, int limit) = 0;

  // Up to `query.limit` soft-deleted records matching `query`, by (scheduled_purge_at, key).
  virtual Result<std::vector<ResourceRecord>> ListDeleted(const DeletedQuery& query) = 0;

  // Applies `batch` atomically and durably: when this returns ok the batch survives a crash.
  // kAborted (message naming the key) if an expectation does not hold; nothing is written then.
  virtual Status Apply(const WriteBatch& batch) = 0;

  // Applies each batch independently (each atomic, each with its own expectations) in one
  // durable commit. Returns one Status per batch, in order.
  virtual std::vector<Status> ApplyEach(const std::vector<WriteBatch>& batches) = 0;

  // kNotFound if no operation has this id.
  virtual Result<OperationRecord> GetOperation(std::string_view id) = 0;

  // Ids of up to `limit` finished operation records created before `cutoff`, oldest first.
  // Operations still in progress are never listed.
  virtual Result<std::vector<std::string>> ListOperationsBefore(Timestamp cutoff, int limit) = 0;

  // Up to `limit` operations in progress whose ends_at <= now, earliest end first.
  virtual Result<std::vector<OperationRecord>> ListOperationsDue(Timestamp now, int limit) = 0;

  // The entries matching `query`.
  virtual Result<ActivityPage> ListActivity(const ActivityQuery& query) = 0;

  // The store's keys (opaque; for WriteBatch::erase_activity) of up to `limit` activity
  // entries older than `cutoff`, oldest first.
  virtual Result<std::vector<std::string>> ListActivityBefore(Timestamp cutoff, int limit) = 0;

  // Up to `limit` outbox events with due <= now, by (due, commit order).
  virtual Result<std::vector<LifecycleEvent>> ListEventsDue(Timestamp now, int limit) = 0;

  // Up to `limit` deliveries not dead-lettered whose next_attempt <= now, by (next_attempt,
  // commit order).
  virtual Result<std::vector<EventDelivery>> ListDeliveriesDue(Timestamp now, int limit) = 0;

  // Up to `limit` deliveries, dead-lettered or pending as asked, in commit order.
  virtual Result<std::vector<EventDelivery>> ListDeliveries(bool dead_lettered, int limit) = 0;

  // Number of records in `state`, for diagnostics and tests.
  virtual Result<int64_t> Count(LifecycleState state) = 0;

  // Everything counted, in one read, for a scrape every few seconds rather than a request
  // (a store may keep the resource counts as it writes, as SQLite does, or count them).
  virtual Result<StoreCensus> TakeCensus() = 0;

  // Ok when the store can serve now; kUnavailable saying why when it cannot (its last commit
  // failed, its database is gone). Reads no record.
  virtual Status Probe() = 0;
};

}  // namespace reprieve::core
