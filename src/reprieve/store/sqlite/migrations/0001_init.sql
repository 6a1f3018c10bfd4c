-- Resources of every type, live and soft-deleted, keyed by lower-case ARM id.
CREATE TABLE resources (
  key                TEXT    NOT NULL PRIMARY KEY,
  id                 TEXT    NOT NULL,
  subscription       TEXT    NOT NULL,
  resource_group     TEXT    NOT NULL,
  type               TEXT    NOT NULL,
  name               TEXT    NOT NULL,
  location           TEXT    NOT NULL,
  body               TEXT    NOT NULL,
  secrets            TEXT    NOT NULL,
  state              INTEGER NOT NULL CHECK (state IN (0, 1)),
  version            INTEGER NOT NULL CHECK (version > 0),
  etag               TEXT    NOT NULL,
  created_at         INTEGER NOT NULL,
  changed_at         INTEGER NOT NULL,
  created_by         TEXT    NOT NULL,
  changed_by         TEXT    NOT NULL,
  deleted_at         INTEGER,
  scheduled_purge_at INTEGER,
  -- A soft-deleted record always has both dates; a live one has neither.
  CHECK ((state = 1) = (deleted_at IS NOT NULL)),
  CHECK ((state = 1) = (scheduled_purge_at IS NOT NULL))
) WITHOUT ROWID;

-- Lists by type within a subscription and state, in key order (keyset paging).
CREATE INDEX resources_by_type ON resources (type, subscription, state, key);

-- The sweeper's queue: soft-deleted records by purge date.
CREATE INDEX resources_purge_due ON resources (scheduled_purge_at, key) WHERE state = 1;

-- Long-running-operation status documents.
CREATE TABLE operations (
  id           TEXT    NOT NULL PRIMARY KEY,
  subscription TEXT    NOT NULL,
  body         TEXT    NOT NULL,
  created_at   INTEGER NOT NULL
) WITHOUT ROWID;
