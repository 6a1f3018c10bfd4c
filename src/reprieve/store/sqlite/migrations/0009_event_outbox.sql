-- The event outbox: one row an event, written with the transition it reports, removed when
-- it is fanned out to its subscriptions' deliveries. `seq` (the rowid) is the commit order;
-- `event` is the whole event in core's text form (EncodeEvent).
CREATE TABLE event_outbox (
  seq        INTEGER PRIMARY KEY,
  id         TEXT    NOT NULL UNIQUE,
  due_at     INTEGER NOT NULL,
  cancel_key TEXT    NOT NULL,
  event      TEXT    NOT NULL
);
CREATE INDEX event_outbox_due ON event_outbox (due_at, seq);
CREATE INDEX event_outbox_cancel ON event_outbox (cancel_key) WHERE cancel_key <> '';

-- One event on its way to one event subscription, until it is delivered (then removed) or
-- dead-lettered (then kept for the admin API). `delivery` is EncodeDelivery's text.
CREATE TABLE event_deliveries (
  seq             INTEGER PRIMARY KEY,
  id              TEXT    NOT NULL UNIQUE,
  dead_lettered   INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  delivery        TEXT    NOT NULL
);
CREATE INDEX event_deliveries_due ON event_deliveries (dead_lettered, next_attempt_at, seq);
