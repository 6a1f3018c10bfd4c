-- Resources counted by type and state, kept by triggers inside the writer's transactions,
-- so that the metrics census reads a few rows instead of scanning every resource. The
-- writer runs with recursive_triggers on, so the delete half of an INSERT OR REPLACE is
-- counted too.
CREATE TABLE resource_counts (
  type  TEXT    NOT NULL,
  state INTEGER NOT NULL,
  n     INTEGER NOT NULL,
  PRIMARY KEY (type, state)
) WITHOUT ROWID;

INSERT INTO resource_counts (type, state, n)
  SELECT type, state, count(*) FROM resources GROUP BY type, state;

CREATE TRIGGER resource_counts_insert AFTER INSERT ON resources BEGIN
  INSERT INTO resource_counts (type, state, n) VALUES (NEW.type, NEW.state, 1)
    ON CONFLICT (type, state) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER resource_counts_delete AFTER DELETE ON resources BEGIN
  UPDATE resource_counts SET n = n - 1 WHERE type = OLD.type AND state = OLD.state;
END;

CREATE TRIGGER resource_counts_update AFTER UPDATE OF type, state ON resources BEGIN
  UPDATE resource_counts SET n = n - 1 WHERE type = OLD.type AND state = OLD.state;
  INSERT INTO resource_counts (type, state, n) VALUES (NEW.type, NEW.state, 1)
    ON CONFLICT (type, state) DO UPDATE SET n = n + 1;
END;
