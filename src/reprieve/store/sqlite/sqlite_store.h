// SqliteStore: the embedded default ResourceStore, on SQLite in WAL mode.
//
// One writer thread owns the only write connection and commits group-wise: every batch
// waiting when it starts a transaction goes into that transaction (each under its own
// savepoint, so one failed expectation does not undo the others), and all are acknowledged
// after one durable COMMIT (synchronous=FULL). Readers use a pool of connections in parallel.
// Schema changes are numbered migrations (migrations/NNNN_*.sql), applied at open.
#pragma once

#include <memory>
#include <string>

#include "reprieve/base/result.h"
#include "reprieve/core/ports/resource_store.h"
#include "reprieve/core/ports/telemetry.h"

namespace reprieve::store {

struct SqliteOptions {
  std::string path;                // database file; created if missing
  int max_batches_per_commit = 256;  // group-commit bound
  core::Telemetry* telemetry = nullptr;  // hears of commits and cache lookups; not owned
};

// kUnavailable if the database cannot be opened or migrated; kFailedPrecondition if it was
// written by a newer Reprieve (unknown migration).
Result<std::unique_ptr<core::ResourceStore>> OpenSqliteStore(const SqliteOptions& options);

// The schema version a database at `path` would have after OpenSqliteStore.
int SqliteSchemaVersion();

}  // namespace reprieve::store
