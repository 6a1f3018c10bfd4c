-- Operations become typed records that may run for a while: what they act on, their status,
-- when they end, and how they failed. Rows written before this migration were finished
-- when written; their status documents stay readable from the new columns.
ALTER TABLE operations ADD COLUMN kind          INTEGER NOT NULL DEFAULT 0;
ALTER TABLE operations ADD COLUMN status        INTEGER NOT NULL DEFAULT 1;
ALTER TABLE operations ADD COLUMN target        TEXT    NOT NULL DEFAULT '';
ALTER TABLE operations ADD COLUMN target_key    TEXT    NOT NULL DEFAULT '';
ALTER TABLE operations ADD COLUMN type          TEXT    NOT NULL DEFAULT '';
ALTER TABLE operations ADD COLUMN location      TEXT    NOT NULL DEFAULT '';
ALTER TABLE operations ADD COLUMN ends_at       INTEGER NOT NULL DEFAULT 0;
ALTER TABLE operations ADD COLUMN finished_at   INTEGER;
ALTER TABLE operations ADD COLUMN caller        TEXT    NOT NULL DEFAULT '';
ALTER TABLE operations ADD COLUMN error_code    TEXT    NOT NULL DEFAULT '';
ALTER TABLE operations ADD COLUMN error_message TEXT    NOT NULL DEFAULT '';
ALTER TABLE operations ADD COLUMN api_version   TEXT    NOT NULL DEFAULT '';
ALTER TABLE operations ADD COLUMN flags         INTEGER NOT NULL DEFAULT 0;
UPDATE operations SET ends_at = created_at, finished_at = created_at;

-- The executor's queue: operations in progress by the time they end.
CREATE INDEX operations_due ON operations (ends_at, id) WHERE status = 0;

-- The operation now changing a resource, and its kind.
ALTER TABLE resources ADD COLUMN pending_operation TEXT    NOT NULL DEFAULT '';
ALTER TABLE resources ADD COLUMN pending_kind      INTEGER NOT NULL DEFAULT 0;
