-- Child resources in a transient state (a queued or running job) are deleted for good
-- with their parent instead of being soft-deleted with it.
ALTER TABLE resources ADD COLUMN transient INTEGER NOT NULL DEFAULT 0 CHECK (transient IN (0, 1));
