#include "reprieve/store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <charconv>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "reprieve/base/log.h"
#include "reprieve/base/strings.h"
#include "reprieve/base/status_macros.h"
#include "reprieve/store/sqlite/migrations.h"

namespace reprieve::store {
namespace {

using core::Expectation;
using core::LifecycleState;
using core::ResourceRecord;

constexpr const char* kColumns =
    "key, id, subscription, resource_group, type, name, location, body, secrets, state, "
    "version, etag, created_at, changed_at, created_by, changed_by, deleted_at, "
    "scheduled_purge_at, retention_ms, purge_protected, customer_managed_key, dependencies, "
    "transient, created_by_type, changed_by_type, pending_operation, pending_kind";

constexpr const char* kOperationColumns =
    "id, subscription, created_at, started_by, kind, status, target, target_key, type, "
    "location, ends_at, finished_at, caller, error_code, error_message, api_version, flags, "
    "correlation_id, action, scope, http_method";

// Operation flags column: the delete options a finishing delete needs.
constexpr int kForcePurgeFlag = 1;
constexpr int kDeleteDependentsFlag = 2;
constexpr int kApplicationCallerFlag = 4;  // caller_type is kApplication

// The point lookup, built once: it runs on every request.
const std::string& GetSql() {
  static const std::string* const kSql =
      new std::string(std::string("SELECT ") + kColumns + " FROM resources WHERE key = ?1");
  return *kSql;
}

// "state = N" with the state as a literal. Bound as a parameter, the state is compared with
// the partial index's `state = 1` and every new binding makes SQLite prepare the statement
// again; as a literal, each state has its own cached statement.
std::string StateIs(LifecycleState state) {
  return "state = " + std::to_string(static_cast<int>(state));
}

int64_t ToMillis(Timestamp t) { return t.time_since_epoch().count(); }
Timestamp FromMillis(int64_t ms) { return Timestamp(Duration(ms)); }

// A connection with a cache of prepared statements. Not thread-safe: one user at a time.
class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, bool writer) {
    sqlite3* db = nullptr;
    const int flags = writer ? (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX)
                             : (SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
    if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
      std::string message = db ? sqlite3_errmsg(db) : "out of memory";
      sqlite3_close(db);
      return UnavailableError("cannot open SQLite database '" + path + "': " + message);
    }
    auto conn = std::unique_ptr<Connection>(new Connection(db));
    sqlite3_busy_timeout(db, 10000);
    REPRIEVE_RETURN_IF_ERROR(conn->Exec("PRAGMA foreign_keys = ON"));
    if (writer) {
      REPRIEVE_RETURN_IF_ERROR(conn->Exec("PRAGMA journal_mode = WAL"));
      // FULL: a commit is acknowledged only after the WAL is on stable storage.
      REPRIEVE_RETURN_IF_ERROR(conn->Exec("PRAGMA synchronous = FULL"));
      // The resource counts' triggers (migration 0011) see the row an INSERT OR REPLACE
      // replaces only when the replace fires delete triggers.
      REPRIEVE_RETURN_IF_ERROR(conn->Exec("PRAGMA recursive_triggers = ON"));
    } else {
      REPRIEVE_RETURN_IF_ERROR(conn->Exec("PRAGMA query_only = ON"));
    }
    return conn;
  }

  ~Connection() {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close(db_);
  }

  Status Exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      Status status = Error("executing '" + sql.substr(0, 60) + "'", error ? error : "");
      sqlite3_free(error);
      return status;
    }
    return OkStatus();
  }

  // Runs a statement without parameters or rows (transaction control) from the statement
  // cache: the writer runs these for every batch, and sqlite3_exec would parse them each time.
  Status Run(const std::string& sql) {
    REPRIEVE_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
    const int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE) return Error("executing '" + sql + "'", sqlite3_errmsg(db_));
    return OkStatus();
  }

  // A reset statement ready for binding, owned by the connection.
  Result<sqlite3_stmt*> Prepare(const std::string& sql) {
    auto it = statements_.find(sql);
    if (it != statements_.end()) {
      sqlite3_reset(it->second);
      sqlite3_clear_bindings(it->second);
      return it->second;
    }
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
      return Error("preparing statement", sqlite3_errmsg(db_));
    }
    statements_.emplace(sql, stmt);
    return stmt;
  }

  Status Error(const std::string& what, const std::string& detail) const {
    const int code = sqlite3_extended_errcode(db_);
    const int primary = code & 0xff;
    std::string message = "SQLite error " + std::to_string(code) + " " + what + ": " + detail;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_IOERR ||
        primary == SQLITE_FULL || primary == SQLITE_CANTOPEN) {
      return UnavailableError(std::move(message));
    }
    return InternalError(std::move(message));
  }

  sqlite3* db() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

void BindText(sqlite3_stmt* stmt, int index, std::string_view text) {
  sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

std::string ColumnText(sqlite3_stmt* stmt, int index) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, index));
  return text ? std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt, index)))
              : std::string();
}

ResourceRecord RecordFromRow(sqlite3_stmt* stmt) {
  ResourceRecord r;
  r.key = ColumnText(stmt, 0);
  r.id = ColumnText(stmt, 1);
  r.subscription = ColumnText(stmt, 2);
  r.resource_group = ColumnText(stmt, 3);
  r.type = ColumnText(stmt, 4);
  r.name = ColumnText(stmt, 5);
  r.location = ColumnText(stmt, 6);
  r.body = ColumnText(stmt, 7);
  r.secrets = ColumnText(stmt, 8);
  r.state = static_cast<LifecycleState>(sqlite3_column_int(stmt, 9));
  r.version = sqlite3_column_int64(stmt, 10);
  r.etag = ColumnText(stmt, 11);
  r.created_at = FromMillis(sqlite3_column_int64(stmt, 12));
  r.changed_at = FromMillis(sqlite3_column_int64(stmt, 13));
  r.created_by = ColumnText(stmt, 14);
  r.changed_by = ColumnText(stmt, 15);
  if (sqlite3_column_type(stmt, 16) != SQLITE_NULL) {
    r.deleted_at = FromMillis(sqlite3_column_int64(stmt, 16));
  }
  if (sqlite3_column_type(stmt, 17) != SQLITE_NULL) {
    r.scheduled_purge_at = FromMillis(sqlite3_column_int64(stmt, 17));
  }
  if (sqlite3_column_type(stmt, 18) != SQLITE_NULL) {
    r.retention = Duration(sqlite3_column_int64(stmt, 18));
  }
  r.purge_protected = sqlite3_column_int(stmt, 19) != 0;
  r.customer_managed_key = sqlite3_column_int(stmt, 20) != 0;
  r.transient = sqlite3_column_int(stmt, 22) != 0;
  r.created_by_type = static_cast<core::PrincipalType>(sqlite3_column_int(stmt, 23));
  r.changed_by_type = static_cast<core::PrincipalType>(sqlite3_column_int(stmt, 24));
  const std::string dependencies = ColumnText(stmt, 21);
  for (std::string_view dependency : Split(dependencies, '\n')) {
    if (!dependency.empty()) r.dependencies.emplace_back(dependency);
  }
  r.pending_operation = ColumnText(stmt, 25);
  r.pending_kind = static_cast<core::OperationKind>(sqlite3_column_int(stmt, 26));
  return r;
}

// The rows of `stmt` (text column 0 in core's text form, the sequence in column 1), each
// decoded by `decode`; the statement is reset.
template <typename T, typename Decode>
Result<std::vector<T>> ReadRows(Connection& conn, sqlite3_stmt* stmt, Decode decode,
                                const char* what) {
  std::vector<T> rows;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    std::optional<T> row = decode(ColumnText(stmt, 0));
    if (!row) {
      sqlite3_reset(stmt);
      return InternalError(std::string("a row of ") + what + " in the database cannot be read");
    }
    row->sequence = sqlite3_column_int64(stmt, 1);
    rows.push_back(std::move(*row));
  }
  sqlite3_reset(stmt);
  if (rc != SQLITE_DONE) return conn.Error(what, sqlite3_errmsg(conn.db()));
  return rows;
}

core::OperationRecord OperationFromRow(sqlite3_stmt* stmt) {
  core::OperationRecord op;
  op.id = ColumnText(stmt, 0);
  op.subscription = ColumnText(stmt, 1);
  op.created_at = FromMillis(sqlite3_column_int64(stmt, 2));
  op.started_by = ColumnText(stmt, 3);
  op.kind = static_cast<core::OperationKind>(sqlite3_column_int(stmt, 4));
  op.status = static_cast<core::OperationStatus>(sqlite3_column_int(stmt, 5));
  op.target = ColumnText(stmt, 6);
  op.target_key = ColumnText(stmt, 7);
  op.type = ColumnText(stmt, 8);
  op.location = ColumnText(stmt, 9);
  op.ends_at = FromMillis(sqlite3_column_int64(stmt, 10));
  if (sqlite3_column_type(stmt, 11) != SQLITE_NULL) {
    op.finished_at = FromMillis(sqlite3_column_int64(stmt, 11));
  }
  op.caller = ColumnText(stmt, 12);
  op.error_code = ColumnText(stmt, 13);
  op.error_message = ColumnText(stmt, 14);
  op.api_version = ColumnText(stmt, 15);
  const int flags = sqlite3_column_int(stmt, 16);
  op.force_purge = (flags & kForcePurgeFlag) != 0;
  op.delete_dependents = (flags & kDeleteDependentsFlag) != 0;
  op.caller_type = (flags & kApplicationCallerFlag) != 0 ? core::PrincipalType::kApplication
                                                         : core::PrincipalType::kUser;
  op.correlation_id = ColumnText(stmt, 17);
  op.action = ColumnText(stmt, 18);
  op.scope = ColumnText(stmt, 19);
  op.http_method = ColumnText(stmt, 20);
  return op;
}

// The smallest string greater than every string starting with `prefix`.
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(prefix.back());
    if (last < 0xff) {
      ++last;
      return prefix;
    }
    prefix.pop_back();
  }
  return prefix;
}

Status MigrateLocked(Connection& conn) {
  sqlite3_stmt* stmt = nullptr;
  REPRIEVE_ASSIGN_OR_RETURN(stmt, conn.Prepare("PRAGMA user_version"));
  if (sqlite3_step(stmt) != SQLITE_ROW) return conn.Error("reading user_version", "");
  const int current = sqlite3_column_int(stmt, 0);
  sqlite3_reset(stmt);
  const auto& migrations = sqlite::Migrations();
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  if (current > latest) {
    return FailedPreconditionError("the database has schema version " + std::to_string(current) +
                                   ", newer than this build knows (" + std::to_string(latest) +
                                   "); use a newer reprieved");
  }
  for (const sqlite::Migration& migration : migrations) {
    if (migration.version <= current) continue;
    REPRIEVE_RETURN_IF_ERROR(conn.Exec("BEGIN IMMEDIATE"));
    Status status = conn.Exec(std::string(migration.sql));
    if (status.ok()) {
      status = conn.Exec("PRAGMA user_version = " + std::to_string(migration.version));
    }
    if (!status.ok()) {
      (void)conn.Exec("ROLLBACK");
      return status;
    }
    REPRIEVE_RETURN_IF_ERROR(conn.Exec("COMMIT"));
    LogInfo("sqlite: applied migration " + std::string(migration.name));
  }
  return OkStatus();
}

// Records recently read, so that the common GET is a hash lookup instead of a SQLite read
// transaction. Sound because this process's writer thread is the database's only writer:
// after each commit it drops the keys it wrote and bumps the epoch, under the same lock; a
// reader caches what it read only if no commit ended since it started reading, so a
// snapshot older than a commit is never cached after that commit's invalidation.
class RecordCache {
 public:
  explicit RecordCache(size_t capacity) : capacity_(capacity) {}

  uint64_t epoch() const { return epoch_.load(std::memory_order_acquire); }

  std::optional<ResourceRecord> Find(std::string_view key) const {
    std::shared_lock lock(mu_);
    auto it = records_.find(std::string(key));
    if (it == records_.end()) return std::nullopt;
    return it->second;
  }

  void Insert(const ResourceRecord& record, uint64_t read_epoch) {
    std::unique_lock lock(mu_);
    if (epoch_.load(std::memory_order_relaxed) != read_epoch) return;
    if (records_.size() >= capacity_) records_.clear();  // bounded; refills from reads
    records_.insert_or_assign(record.key, record);
  }

  // After a commit: forget what it changed.
  void Invalidate(const std::vector<const core::WriteBatch*>& committed) {
    std::unique_lock lock(mu_);
    epoch_.fetch_add(1, std::memory_order_acq_rel);
    for (const core::WriteBatch* batch : committed) {
      for (const ResourceRecord& record : batch->put) records_.erase(record.key);
      for (const std::string& key : batch->erase) records_.erase(key);
      for (const std::string& key : batch->touch) records_.erase(key);
    }
  }

 private:
  const size_t capacity_;
  mutable std::shared_mutex mu_;
  std::atomic<uint64_t> epoch_{0};
  std::unordered_map<std::string, ResourceRecord> records_;  // guarded by mu_
};

class SqliteStore final : public core::ResourceStore {
 public:
  explicit SqliteStore(SqliteOptions options) : options_(std::move(options)) {}

  ~SqliteStore() override {
    {
      std::lock_guard lock(queue_mu_);
      stopping_ = true;
    }
    queue_cv_.notify_all();
    if (writer_thread_.joinable()) writer_thread_.join();
  }

  Status Start() {
    REPRIEVE_ASSIGN_OR_RETURN(writer_, Connection::Open(options_.path, /*writer=*/true));
    REPRIEVE_RETURN_IF_ERROR(MigrateLocked(*writer_));
    writer_thread_ = std::thread([this] { WriterLoop(); });
    return OkStatus();
  }

  Result<ResourceRecord> Get(std::string_view key) override {
    if (auto cached = cache_.Find(key)) {
      telemetry_.CacheLookup(true);
      return std::move(*cached);
    }
    telemetry_.CacheLookup(false);
    const uint64_t read_epoch = cache_.epoch();
    auto record = ReadRecord(key);
    if (record.has_value()) cache_.Insert(*record, read_epoch);
    return record;
  }

  Result<ResourceRecord> ReadRecord(std::string_view key) {
    return WithReader([&](Connection& conn) -> Result<ResourceRecord> {
      REPRIEVE_ASSIGN_OR_RETURN(
          sqlite3_stmt * stmt,
          conn.Prepare(GetSql()));
      BindText(stmt, 1, key);
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) return NotFoundError("no record " + std::string(key));
      if (rc != SQLITE_ROW) return conn.Error("reading a record", sqlite3_errmsg(conn.db()));
      ResourceRecord record = RecordFromRow(stmt);
      sqlite3_reset(stmt);
      return record;
    });
  }

  Result<core::Page> List(const core::ListQuery& query) override {
    std::string sql = std::string("SELECT ") + kColumns + " FROM resources WHERE key > ?1";
    if (!query.key_prefix.empty()) sql += " AND key >= ?2 AND key < ?3";
    if (!query.type.empty()) sql += " AND type = ?4";
    if (query.subscription) sql += " AND subscription = ?5";
    if (query.state) sql += " AND " + StateIs(*query.state);
    sql += " ORDER BY key LIMIT ?7";
    return WithReader([&](Connection& conn) -> Result<core::Page> {
      REPRIEVE_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, conn.Prepare(sql));
      BindText(stmt, 1, query.after_key);
      if (!query.key_prefix.empty()) {
        BindText(stmt, 2, query.key_prefix);
        BindText(stmt, 3, PrefixEnd(query.key_prefix));
      }
      if (!query.type.empty()) BindText(stmt, 4, query.type);
      if (query.subscription) BindText(stmt, 5, *query.subscription);
      sqlite3_bind_int(stmt, 7, query.limit + 1);
      core::Page page;
      int rc;
      while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (static_cast<int>(page.items.size()) == query.limit) {
          page.next_after = page.items.back().key;
          break;
        }
        page.items.push_back(RecordFromRow(stmt));
      }
      sqlite3_reset(stmt);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return conn.Error("listing records", sqlite3_errmsg(conn.db()));
      }
      return page;
    });
  }

  Result<std::vector<ResourceRecord>> ListPurgeDue(Timestamp now, int limit) override {
    return WithReader([&](Connection& conn) -> Result<std::vector<ResourceRecord>> {
      REPRIEVE_ASSIGN_OR_RETURN(
          sqlite3_stmt * stmt,
          conn.Prepare(std::string("SELECT ") + kColumns +
                       " FROM resources WHERE state = 1 AND scheduled_purge_at <= ?1"
                       " ORDER BY scheduled_purge_at, key LIMIT ?2"));
      sqlite3_bind_int64(stmt, 1, ToMillis(now));
      sqlite3_bind_int(stmt, 2, limit);
      std::vector<ResourceRecord> due;
      int rc;
      while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) due.push_back(RecordFromRow(stmt));
      sqlite3_reset(stmt);
      if (rc != SQLITE_DONE) return conn.Error("listing due purges", sqlite3_errmsg(conn.db()));
      return due;
    });
  }

  Result<std::vector<ResourceRecord>> ListDeleted(const core::DeletedQuery& query) override {
    std::string sql = std::string("SELECT ") + kColumns +
                      " FROM resources WHERE state = 1 AND subscription = ?1";
    if (!query.key_prefix.empty()) sql += " AND key >= ?2 AND key < ?3";
    if (query.after_purge_at) sql += " AND (scheduled_purge_at, key) > (?4, ?5)";
    if (!query.types.empty()) {
      sql += " AND type IN (";
      for (size_t idx = 0; idx < query.types.size(); ++idx) {
        sql += (idx ? ", ?" : "?") + std::to_string(7 + idx);
      }
      sql += ")";
    }
    sql += " ORDER BY scheduled_purge_at, key LIMIT ?6";
    return WithReader([&](Connection& conn) -> Result<std::vector<ResourceRecord>> {
      REPRIEVE_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, conn.Prepare(sql));
      BindText(stmt, 1, query.subscription);
      if (!query.key_prefix.empty()) {
        BindText(stmt, 2, query.key_prefix);
        BindText(stmt, 3, PrefixEnd(query.key_prefix));
      }
      if (query.after_purge_at) {
        sqlite3_bind_int64(stmt, 4, ToMillis(*query.after_purge_at));
        BindText(stmt, 5, query.after_key);
      }
      sqlite3_bind_int(stmt, 6, query.limit);
      for (size_t idx = 0; idx < query.types.size(); ++idx) {
        BindText(stmt, static_cast<int>(7 + idx), query.types[idx]);
      }
      std::vector<ResourceRecord> found;
      int rc;
      while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) found.push_back(RecordFromRow(stmt));
      sqlite3_reset(stmt);
      if (rc != SQLITE_DONE) {
        return conn.Error("listing deleted records", sqlite3_errmsg(conn.db()));
      }
      return found;
    });
  }

  Status Apply(const core::WriteBatch& batch) override {
    std::vector<core::WriteBatch> batches;
    batches.push_back(batch);
    return ApplyEach(batches).front();
  }

  std::vector<Status> ApplyEach(const std::vector<core::WriteBatch>& batches) override {
    Pending pending{&batches, std::vector<Status>(batches.size()), {}};
    std::future<void> done = pending.done.get_future();
    {
      std::lock_guard lock(queue_mu_);
      if (stopping_) return std::vector<Status>(batches.size(), UnavailableError("store closed"));
      queue_.push_back(&pending);
    }
    queue_cv_.notify_one();
    done.wait();
    return std::move(pending.results);
  }

  Result<core::OperationRecord> GetOperation(std::string_view id) override {
    return WithReader([&](Connection& conn) -> Result<core::OperationRecord> {
      REPRIEVE_ASSIGN_OR_RETURN(
          sqlite3_stmt * stmt,
          conn.Prepare(std::string("SELECT ") + kOperationColumns +
                       " FROM operations WHERE id = ?1"));
      BindText(stmt, 1, id);
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) return NotFoundError("no operation " + std::string(id));
      if (rc != SQLITE_ROW) return conn.Error("reading an operation", sqlite3_errmsg(conn.db()));
      core::OperationRecord op = OperationFromRow(stmt);
      sqlite3_reset(stmt);
      return op;
    });
  }

  Result<std::vector<core::OperationRecord>> ListOperationsDue(Timestamp now,
                                                               int limit) override {
    return WithReader([&](Connection& conn) -> Result<std::vector<core::OperationRecord>> {
      REPRIEVE_ASSIGN_OR_RETURN(
          sqlite3_stmt * stmt,
          conn.Prepare(std::string("SELECT ") + kOperationColumns +
                       " FROM operations WHERE status = 0 AND ends_at <= ?1"
                       " ORDER BY ends_at, id LIMIT ?2"));
      sqlite3_bind_int64(stmt, 1, ToMillis(now));
      sqlite3_bind_int(stmt, 2, limit);
      std::vector<core::OperationRecord> due;
      int rc;
      while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) due.push_back(OperationFromRow(stmt));
      sqlite3_reset(stmt);
      if (rc != SQLITE_DONE) {
        return conn.Error("listing due operations", sqlite3_errmsg(conn.db()));
      }
      return due;
    });
  }

  Result<std::vector<std::string>> ListOperationsBefore(Timestamp cutoff, int limit) override {
    return ListIdsBefore(
        "SELECT id FROM operations WHERE created_at < ?1 AND status <> 0 ORDER BY created_at "
        "LIMIT ?2",
        cutoff, limit, "listing old operations");
  }

  Result<core::ActivityPage> ListActivity(const core::ActivityQuery& query) override {
    // Each filter present gets its own statement text (and cached statement).
    const std::pair<const char*, const std::string*> filters[] = {
        {"resource_group", &query.resource_group},   {"resource_id", &query.resource_id},
        {"resource_provider", &query.resource_provider},
        {"correlation_id", &query.correlation_id}, {"caller", &query.caller},
        {"status", &query.status}};
    std::string sql =
        "SELECT entry, seq FROM activity_log WHERE subscription = ?1 AND event_time >= ?2 AND "
        "event_time <= ?3";
    int index = 4;
    for (const auto& [column, value] : filters) {
      if (!value->empty()) sql += std::string(" AND ") + column + " = ?" + std::to_string(index);
      ++index;
    }
    if (query.before_time) sql += " AND (event_time < ?10 OR (event_time = ?10 AND seq < ?11))";
    sql += " ORDER BY event_time DESC, seq DESC LIMIT ?12";
    return WithReader([&](Connection& conn) -> Result<core::ActivityPage> {
      REPRIEVE_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, conn.Prepare(sql));
      BindText(stmt, 1, query.subscription);
      sqlite3_bind_int64(stmt, 2, ToMillis(query.from));
      sqlite3_bind_int64(stmt, 3, ToMillis(query.to));
      int bind = 4;
      for (const auto& [column, value] : filters) {
        if (!value->empty()) BindText(stmt, bind, AsciiLower(*value));
        ++bind;
      }
      if (query.before_time) {
        sqlite3_bind_int64(stmt, 10, ToMillis(*query.before_time));
        sqlite3_bind_int64(stmt, 11, query.before_sequence);
      }
      sqlite3_bind_int(stmt, 12, query.limit + 1);
      core::ActivityPage page;
      int rc;
      while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (static_cast<int>(page.items.size()) == query.limit) {
          page.more = true;
          break;
        }
        auto entry = core::DecodeActivity(ColumnText(stmt, 0));
        if (!entry) {
          sqlite3_reset(stmt);
          return InternalError("an activity entry in the database cannot be read");
        }
        entry->sequence = sqlite3_column_int64(stmt, 1);
        page.items.push_back(std::move(*entry));
      }
      sqlite3_reset(stmt);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return conn.Error("listing the activity log", sqlite3_errmsg(conn.db()));
      }
      return page;
    });
  }

  Result<std::vector<std::string>> ListActivityBefore(Timestamp cutoff, int limit) override {
    // In commit order, which is time order unless a manual clock was set back: the oldest
    // entries come first without an index on the time.
    return ListIdsBefore(
        "SELECT seq FROM activity_log WHERE event_time < ?1 ORDER BY seq LIMIT ?2", cutoff,
        limit, "listing old activity");
  }

  Result<std::vector<core::LifecycleEvent>> ListEventsDue(Timestamp now, int limit) override {
    return WithReader([&](Connection& conn) -> Result<std::vector<core::LifecycleEvent>> {
      REPRIEVE_ASSIGN_OR_RETURN(
          sqlite3_stmt * stmt,
          conn.Prepare("SELECT event, seq FROM event_outbox WHERE due_at <= ?1"
                       " ORDER BY due_at, seq LIMIT ?2"));
      sqlite3_bind_int64(stmt, 1, ToMillis(now));
      sqlite3_bind_int(stmt, 2, limit);
      return ReadRows<core::LifecycleEvent>(conn, stmt, core::DecodeEvent, "the event outbox");
    });
  }

  Result<std::vector<core::EventDelivery>> ListDeliveriesDue(Timestamp now, int limit) override {
    return WithReader([&](Connection& conn) -> Result<std::vector<core::EventDelivery>> {
      REPRIEVE_ASSIGN_OR_RETURN(
          sqlite3_stmt * stmt,
          conn.Prepare("SELECT delivery, seq FROM event_deliveries WHERE dead_lettered = 0 AND"
                       " next_attempt_at <= ?1 ORDER BY next_attempt_at, seq LIMIT ?2"));
      sqlite3_bind_int64(stmt, 1, ToMillis(now));
      sqlite3_bind_int(stmt, 2, limit);
      return ReadRows<core::EventDelivery>(conn, stmt, core::DecodeDelivery, "event deliveries");
    });
  }

  Result<std::vector<core::EventDelivery>> ListDeliveries(bool dead_lettered, int limit) override {
    return WithReader([&](Connection& conn) -> Result<std::vector<core::EventDelivery>> {
      REPRIEVE_ASSIGN_OR_RETURN(
          sqlite3_stmt * stmt,
          conn.Prepare("SELECT delivery, seq FROM event_deliveries WHERE dead_lettered = ?1"
                       " ORDER BY seq LIMIT ?2"));
      sqlite3_bind_int(stmt, 1, dead_lettered ? 1 : 0);
      sqlite3_bind_int(stmt, 2, limit);
      return ReadRows<core::EventDelivery>(conn, stmt, core::DecodeDelivery, "event deliveries");
    });
  }

  Result<core::StoreCensus> TakeCensus() override {
    return WithReader([&](Connection& conn) -> Result<core::StoreCensus> {
      core::StoreCensus census;
      // One read transaction, so that the counts agree with each other.
      REPRIEVE_RETURN_IF_ERROR(conn.Run("BEGIN"));
      const auto scan = [&](const char* sql, const char* what, auto&& row) -> Status {
        auto stmt = conn.Prepare(sql);
        if (!stmt.has_value()) return stmt.status();
        int rc;
        while ((rc = sqlite3_step(*stmt)) == SQLITE_ROW) row(*stmt);
        sqlite3_reset(*stmt);
        if (rc != SQLITE_DONE) return conn.Error(what, sqlite3_errmsg(conn.db()));
        return OkStatus();
      };
      const auto one = [](int64_t& out) {
        return [&out](sqlite3_stmt* stmt) { out = sqlite3_column_int64(stmt, 0); };
      };
      Status status = scan(
          "SELECT type, state, n FROM resource_counts WHERE n > 0 ORDER BY type, state",
          "counting resources", [&](sqlite3_stmt* stmt) {
            census.resources.push_back({ColumnText(stmt, 0),
                                        static_cast<LifecycleState>(sqlite3_column_int(stmt, 1)),
                                        sqlite3_column_int64(stmt, 2)});
          });
      if (status.ok()) {
        status = scan("SELECT min(scheduled_purge_at) FROM resources WHERE state = 1",
                      "finding the next purge", [&](sqlite3_stmt* stmt) {
                        if (sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
                          census.earliest_purge = FromMillis(sqlite3_column_int64(stmt, 0));
                        }
                      });
      }
      if (status.ok()) {
        status = scan("SELECT count(*) FROM operations WHERE status = 0", "counting operations",
                      one(census.operations_running));
      }
      if (status.ok()) {
        status = scan("SELECT count(*) FROM event_outbox", "counting events",
                      one(census.outbox_events));
      }
      if (status.ok()) {
        status = scan("SELECT count(*) FROM event_deliveries WHERE dead_lettered = 0",
                      "counting deliveries", one(census.deliveries_pending));
      }
      if (status.ok()) {
        status = scan("SELECT count(*) FROM event_deliveries WHERE dead_lettered = 1",
                      "counting deliveries", one(census.deliveries_dead_lettered));
      }
      (void)conn.Run("COMMIT");
      if (!status.ok()) return status;
      return census;
    });
  }

  Status Probe() override {
    std::lock_guard lock(health_mu_);
    return health_;
  }

  Result<int64_t> Count(LifecycleState state) override {
    return WithReader([&](Connection& conn) -> Result<int64_t> {
      REPRIEVE_ASSIGN_OR_RETURN(
          sqlite3_stmt * stmt,
          conn.Prepare("SELECT count(*) FROM resources WHERE " + StateIs(state)));
      if (sqlite3_step(stmt) != SQLITE_ROW) {
        return conn.Error("counting records", sqlite3_errmsg(conn.db()));
      }
      const int64_t count = sqlite3_column_int64(stmt, 0);
      sqlite3_reset(stmt);
      return count;
    });
  }

 private:
  struct Pending {
    const std::vector<core::WriteBatch>* batches;
    std::vector<Status> results;
    std::promise<void> done;
  };

  // The ids `sql` selects, given the cutoff (?1) and the limit (?2).
  Result<std::vector<std::string>> ListIdsBefore(const char* sql, Timestamp cutoff, int limit,
                                                 const char* what) {
    return WithReader([&](Connection& conn) -> Result<std::vector<std::string>> {
      REPRIEVE_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, conn.Prepare(sql));
      sqlite3_bind_int64(stmt, 1, ToMillis(cutoff));
      sqlite3_bind_int(stmt, 2, limit);
      std::vector<std::string> ids;
      int rc;
      while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) ids.push_back(ColumnText(stmt, 0));
      sqlite3_reset(stmt);
      if (rc != SQLITE_DONE) return conn.Error(what, sqlite3_errmsg(conn.db()));
      return ids;
    });
  }

  template <typename Fn>
  auto WithReader(Fn fn) -> decltype(fn(std::declval<Connection&>())) {
    std::unique_ptr<Connection> conn;
    {
      std::lock_guard lock(readers_mu_);
      if (!readers_.empty()) {
        conn = std::move(readers_.back());
        readers_.pop_back();
      }
    }
    if (!conn) {
      auto opened = Connection::Open(options_.path, /*writer=*/false);
      if (!opened.has_value()) return opened.status();
      conn = std::move(opened).value();
    }
    auto result = fn(*conn);
    std::lock_guard lock(readers_mu_);
    readers_.push_back(std::move(conn));
    return result;
  }

  void WriterLoop() {
    while (true) {
      std::vector<Pending*> group;
      {
        std::unique_lock lock(queue_mu_);
        queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, nothing left to write
        size_t batches = 0;
        while (!queue_.empty() &&
               (group.empty() || batches + queue_.front()->batches->size() <=
                                     static_cast<size_t>(options_.max_batches_per_commit))) {
          batches += queue_.front()->batches->size();
          group.push_back(queue_.front());
          queue_.pop_front();
        }
      }
      CommitGroup(group);
      for (Pending* pending : group) pending->done.set_value();
    }
  }

  void CommitGroup(const std::vector<Pending*>& group) {
    const auto started = std::chrono::steady_clock::now();
    size_t batches = 0;
    for (const Pending* pending : group) batches += pending->batches->size();
    const Status outcome = CommitGroupOnce(group);
    telemetry_.Committed(
        batches, std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - started),
        outcome.ok());
    // Probe() reports the last commit's failure until a commit succeeds again.
    std::lock_guard lock(health_mu_);
    health_ = outcome.ok() ? OkStatus()
                           : UnavailableError("the last commit failed: " + outcome.ToString());
  }

  // The status of the group's transaction itself (not of its batches' expectations).
  Status CommitGroupOnce(const std::vector<Pending*>& group) {
    Status begun = writer_->Run("BEGIN IMMEDIATE");
    if (!begun.ok()) {
      LogError("sqlite: cannot begin a write transaction: " + begun.ToString());
      for (Pending* pending : group) std::fill(pending->results.begin(), pending->results.end(), begun);
      return begun;
    }
    for (Pending* pending : group) {
      for (size_t batch_idx = 0; batch_idx < pending->batches->size(); ++batch_idx) {
        pending->results[batch_idx] = ApplyInSavepoint((*pending->batches)[batch_idx]);
      }
    }
    Status committed = writer_->Run("COMMIT");
    if (committed.ok()) {
      std::vector<const core::WriteBatch*> applied;
      for (Pending* pending : group) {
        for (size_t batch_idx = 0; batch_idx < pending->batches->size(); ++batch_idx) {
          if (pending->results[batch_idx].ok()) applied.push_back(&(*pending->batches)[batch_idx]);
        }
      }
      cache_.Invalidate(applied);
    }
    if (!committed.ok()) {
      LogError("sqlite: commit failed, the group is rolled back: " + committed.ToString());
      (void)writer_->Run("ROLLBACK");
      for (Pending* pending : group) {
        for (Status& result : pending->results) {
          if (result.ok()) result = committed;
        }
      }
    }
    return committed;
  }

  Status ApplyInSavepoint(const core::WriteBatch& batch) {
    REPRIEVE_RETURN_IF_ERROR(writer_->Run("SAVEPOINT batch"));
    Status status = ApplyBatch(batch);
    if (!status.ok()) {
      (void)writer_->Run("ROLLBACK TO batch");
      if (status.code() != StatusCode::kAborted) {
        LogError("sqlite: write failed: " + status.ToString());
      }
    }
    Status released = writer_->Run("RELEASE batch");
    return status.ok() ? released : status;
  }

  Status CheckExpectation(const Expectation& expectation) {
    REPRIEVE_ASSIGN_OR_RETURN(
        sqlite3_stmt * stmt, writer_->Prepare("SELECT state, version FROM resources WHERE key = ?1"));
    BindText(stmt, 1, expectation.key);
    const int rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      return writer_->Error("checking an expectation", sqlite3_errmsg(writer_->db()));
    }
    const bool present = rc == SQLITE_ROW;
    const auto state = static_cast<LifecycleState>(present ? sqlite3_column_int(stmt, 0) : 0);
    const int64_t version = present ? sqlite3_column_int64(stmt, 1) : 0;
    sqlite3_reset(stmt);
    const bool holds = expectation.HeldBy(present, state, version);
    if (holds) return OkStatus();
    return AbortedError("the record " + expectation.key + " changed concurrently");
  }

  Status Step(sqlite3_stmt* stmt, const char* what) {
    const int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE) return writer_->Error(what, sqlite3_errmsg(writer_->db()));
    return OkStatus();
  }

  Status ApplyBatch(const core::WriteBatch& batch) {
    for (const Expectation& expectation : batch.expect) {
      REPRIEVE_RETURN_IF_ERROR(CheckExpectation(expectation));
    }
    for (const std::string& id : batch.expect_running) {
      REPRIEVE_ASSIGN_OR_RETURN(sqlite3_stmt * stmt,
                                writer_->Prepare("SELECT status FROM operations WHERE id = ?1"));
      BindText(stmt, 1, id);
      const int rc = sqlite3_step(stmt);
      const bool running = rc == SQLITE_ROW && sqlite3_column_int(stmt, 0) == 0;
      sqlite3_reset(stmt);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return writer_->Error("checking an operation", sqlite3_errmsg(writer_->db()));
      }
      if (!running) return AbortedError("the operation " + id + " is no longer in progress");
    }
    for (const std::string& key : batch.touch) {
      REPRIEVE_ASSIGN_OR_RETURN(
          sqlite3_stmt * stmt,
          writer_->Prepare("UPDATE resources SET version = version + 1 WHERE key = ?1"));
      BindText(stmt, 1, key);
      REPRIEVE_RETURN_IF_ERROR(Step(stmt, "touching a record"));
      if (sqlite3_changes(writer_->db()) != 1) {
        return AbortedError("the record " + key + " to touch is gone");
      }
    }
    for (const std::string& key : batch.erase) {
      REPRIEVE_ASSIGN_OR_RETURN(sqlite3_stmt * stmt,
                                writer_->Prepare("DELETE FROM resources WHERE key = ?1"));
      BindText(stmt, 1, key);
      REPRIEVE_RETURN_IF_ERROR(Step(stmt, "erasing a record"));
    }
    for (const ResourceRecord& r : batch.put) {
      REPRIEVE_ASSIGN_OR_RETURN(
          sqlite3_stmt * stmt,
          writer_->Prepare(std::string("INSERT OR REPLACE INTO resources (") + kColumns +
                           ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                           "?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)"));
      BindText(stmt, 1, r.key);
      BindText(stmt, 2, r.id);
      BindText(stmt, 3, r.subscription);
      BindText(stmt, 4, r.resource_group);
      BindText(stmt, 5, r.type);
      BindText(stmt, 6, r.name);
      BindText(stmt, 7, r.location);
      BindText(stmt, 8, r.body);
      BindText(stmt, 9, r.secrets);
      sqlite3_bind_int(stmt, 10, static_cast<int>(r.state));
      sqlite3_bind_int64(stmt, 11, r.version);
      BindText(stmt, 12, r.etag);
      sqlite3_bind_int64(stmt, 13, ToMillis(r.created_at));
      sqlite3_bind_int64(stmt, 14, ToMillis(r.changed_at));
      BindText(stmt, 15, r.created_by);
      BindText(stmt, 16, r.changed_by);
      if (r.deleted_at) sqlite3_bind_int64(stmt, 17, ToMillis(*r.deleted_at));
      if (r.scheduled_purge_at) sqlite3_bind_int64(stmt, 18, ToMillis(*r.scheduled_purge_at));
      if (r.retention) sqlite3_bind_int64(stmt, 19, r.retention->count());
      sqlite3_bind_int(stmt, 20, r.purge_protected ? 1 : 0);
      sqlite3_bind_int(stmt, 21, r.customer_managed_key ? 1 : 0);
      std::string dependencies;
      for (const std::string& dependency : r.dependencies) dependencies += dependency + "\n";
      BindText(stmt, 22, dependencies);
      sqlite3_bind_int(stmt, 23, r.transient ? 1 : 0);
      sqlite3_bind_int(stmt, 24, static_cast<int>(r.created_by_type));
      sqlite3_bind_int(stmt, 25, static_cast<int>(r.changed_by_type));
      BindText(stmt, 26, r.pending_operation);
      sqlite3_bind_int(stmt, 27, static_cast<int>(r.pending_kind));
      REPRIEVE_RETURN_IF_ERROR(Step(stmt, "writing a record"));
    }
    for (const core::OperationRecord& op : batch.operations) {
      REPRIEVE_ASSIGN_OR_RETURN(
          sqlite3_stmt * stmt,
          writer_->Prepare(std::string("INSERT OR REPLACE INTO operations (body, ") +
                           kOperationColumns +
                           ") VALUES ('', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                           "?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)"));
      BindText(stmt, 1, op.id);
      BindText(stmt, 2, op.subscription);
      sqlite3_bind_int64(stmt, 3, ToMillis(op.created_at));
      BindText(stmt, 4, op.started_by);
      sqlite3_bind_int(stmt, 5, static_cast<int>(op.kind));
      sqlite3_bind_int(stmt, 6, static_cast<int>(op.status));
      BindText(stmt, 7, op.target);
      BindText(stmt, 8, op.target_key);
      BindText(stmt, 9, op.type);
      BindText(stmt, 10, op.location);
      sqlite3_bind_int64(stmt, 11, ToMillis(op.ends_at));
      if (op.finished_at) sqlite3_bind_int64(stmt, 12, ToMillis(*op.finished_at));
      BindText(stmt, 13, op.caller);
      BindText(stmt, 14, op.error_code);
      BindText(stmt, 15, op.error_message);
      BindText(stmt, 16, op.api_version);
      sqlite3_bind_int(
          stmt, 17,
          (op.force_purge ? kForcePurgeFlag : 0) |
              (op.delete_dependents ? kDeleteDependentsFlag : 0) |
              (op.caller_type == core::PrincipalType::kApplication ? kApplicationCallerFlag : 0));
      BindText(stmt, 18, op.correlation_id);
      BindText(stmt, 19, op.action);
      BindText(stmt, 20, op.scope);
      BindText(stmt, 21, op.http_method);
      REPRIEVE_RETURN_IF_ERROR(Step(stmt, "writing an operation"));
    }
    for (const core::ActivityEntry& e : batch.activity) {
      REPRIEVE_ASSIGN_OR_RETURN(
          sqlite3_stmt * stmt,
          writer_->Prepare("INSERT INTO activity_log (subscription, event_time, resource_group,"
                           " resource_id, resource_provider, correlation_id, caller, status, entry)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
      BindText(stmt, 1, e.subscription);
      sqlite3_bind_int64(stmt, 2, ToMillis(e.time));
      BindText(stmt, 3, AsciiLower(e.resource_group));
      BindText(stmt, 4, AsciiLower(e.resource_id));
      BindText(stmt, 5, AsciiLower(core::ProviderOf(e.resource_type)));
      BindText(stmt, 6, AsciiLower(e.correlation_id));
      BindText(stmt, 7, AsciiLower(e.caller));
      BindText(stmt, 8, AsciiLower(e.status));
      BindText(stmt, 9, core::EncodeActivity(e));
      REPRIEVE_RETURN_IF_ERROR(Step(stmt, "writing an activity entry"));
    }
    for (const std::string& id : batch.erase_activity) {
      REPRIEVE_ASSIGN_OR_RETURN(sqlite3_stmt * stmt,
                                writer_->Prepare("DELETE FROM activity_log WHERE seq = ?1"));
      int64_t seq = 0;
      if (std::from_chars(id.data(), id.data() + id.size(), seq).ec != std::errc()) continue;
      sqlite3_bind_int64(stmt, 1, seq);
      REPRIEVE_RETURN_IF_ERROR(Step(stmt, "erasing an activity entry"));
    }
    for (const std::string& id : batch.erase_operations) {
      REPRIEVE_ASSIGN_OR_RETURN(sqlite3_stmt * stmt,
                                writer_->Prepare("DELETE FROM operations WHERE id = ?1"));
      BindText(stmt, 1, id);
      REPRIEVE_RETURN_IF_ERROR(Step(stmt, "erasing an operation"));
    }
    return ApplyOutbox(batch);
  }

  Status ApplyOutbox(const core::WriteBatch& batch) {
    const auto each = [&](const std::vector<std::string>& values, const char* sql,
                          const char* what) -> Status {
      for (const std::string& value : values) {
        REPRIEVE_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, writer_->Prepare(sql));
        BindText(stmt, 1, value);
        REPRIEVE_RETURN_IF_ERROR(Step(stmt, what));
      }
      return OkStatus();
    };
    REPRIEVE_RETURN_IF_ERROR(each(batch.erase_events, "DELETE FROM event_outbox WHERE id = ?1",
                                  "erasing an event"));
    REPRIEVE_RETURN_IF_ERROR(each(batch.cancel_events,
                                  "DELETE FROM event_outbox WHERE cancel_key = ?1 AND"
                                  " cancel_key <> ''",
                                  "cancelling an event"));
    for (const core::LifecycleEvent& e : batch.events) {
      REPRIEVE_ASSIGN_OR_RETURN(
          sqlite3_stmt * stmt,
          writer_->Prepare("INSERT OR IGNORE INTO event_outbox (id, due_at, cancel_key, event)"
                           " VALUES (?1, ?2, ?3, ?4)"));
      BindText(stmt, 1, e.id);
      sqlite3_bind_int64(stmt, 2, ToMillis(e.due));
      BindText(stmt, 3, e.cancel_key);
      BindText(stmt, 4, core::EncodeEvent(e));
      REPRIEVE_RETURN_IF_ERROR(Step(stmt, "writing an event"));
    }
    REPRIEVE_RETURN_IF_ERROR(each(batch.erase_deliveries,
                                  "DELETE FROM event_deliveries WHERE id = ?1",
                                  "erasing a delivery"));
    for (const core::EventDelivery& d : batch.deliveries) {
      REPRIEVE_ASSIGN_OR_RETURN(
          sqlite3_stmt * stmt,
          writer_->Prepare("INSERT INTO event_deliveries (id, dead_lettered, next_attempt_at,"
                           " delivery) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (id) DO UPDATE SET"
                           " dead_lettered = excluded.dead_lettered, next_attempt_at ="
                           " excluded.next_attempt_at, delivery = excluded.delivery"));
      BindText(stmt, 1, d.id);
      sqlite3_bind_int(stmt, 2, d.dead_lettered ? 1 : 0);
      sqlite3_bind_int64(stmt, 3, ToMillis(d.next_attempt));
      BindText(stmt, 4, core::EncodeDelivery(d));
      REPRIEVE_RETURN_IF_ERROR(Step(stmt, "writing a delivery"));
    }
    return OkStatus();
  }

  const SqliteOptions options_;
  std::unique_ptr<Connection> writer_;  // used only by the writer thread after Start()
  std::thread writer_thread_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Pending*> queue_;  // guarded by queue_mu_
  bool stopping_ = false;       // guarded by queue_mu_

  RecordCache cache_{1 << 16};
  core::Telemetry& telemetry_ = core::TelemetryOrNone(options_.telemetry);
  std::mutex health_mu_;
  Status health_;  // guarded by health_mu_: the last commit's outcome

  std::mutex readers_mu_;
  std::vector<std::unique_ptr<Connection>> readers_;  // idle read connections; guarded
};

}  // namespace

Result<std::unique_ptr<core::ResourceStore>> OpenSqliteStore(const SqliteOptions& options) {
  auto store = std::make_unique<SqliteStore>(options);
  REPRIEVE_RETURN_IF_ERROR(store->Start());
  return std::unique_ptr<core::ResourceStore>(std::move(store));
}

int SqliteSchemaVersion() {
  const auto& migrations = sqlite::Migrations();
  return migrations.empty() ? 0 : migrations.back().version;
}

}  // namespace reprieve::store
