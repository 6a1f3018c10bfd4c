-- Whether the creator and the last modifier of a record were a user or an application
-- (systemData's createdByType and lastModifiedByType): 0 User, 1 Application.
ALTER TABLE resources ADD COLUMN created_by_type INTEGER NOT NULL DEFAULT 0
  CHECK (created_by_type IN (0, 1));
ALTER TABLE resources ADD COLUMN changed_by_type INTEGER NOT NULL DEFAULT 0
  CHECK (changed_by_type IN (0, 1));
