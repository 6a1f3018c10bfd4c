-- The activity log: one row an entry, written with the change it records. The filter
-- columns are lower-case (filters compare case-insensitively); `entry` is the whole entry
-- in core's text form (EncodeActivity), its id included. `seq` (the rowid) is the commit
-- order: it orders the entries of one instant, and the retention drops by it. Every
-- mutation writes two or three entries, so the table has one secondary index only.
CREATE TABLE activity_log (
  seq               INTEGER PRIMARY KEY,
  subscription      TEXT    NOT NULL,
  event_time        INTEGER NOT NULL,
  resource_group    TEXT    NOT NULL,
  resource_id       TEXT    NOT NULL,
  resource_provider TEXT    NOT NULL,
  correlation_id    TEXT    NOT NULL,
  caller            TEXT    NOT NULL,
  status            TEXT    NOT NULL,
  entry             TEXT    NOT NULL
);

-- Lists a subscription's window newest first.
CREATE INDEX activity_by_time ON activity_log (subscription, event_time DESC, seq DESC);

-- What the entry of an operation's end repeats of the request that started it.
ALTER TABLE operations ADD COLUMN correlation_id TEXT NOT NULL DEFAULT '';
ALTER TABLE operations ADD COLUMN action         TEXT NOT NULL DEFAULT '';
ALTER TABLE operations ADD COLUMN scope          TEXT NOT NULL DEFAULT '';
ALTER TABLE operations ADD COLUMN http_method    TEXT NOT NULL DEFAULT '';
