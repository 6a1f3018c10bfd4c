-- The recycle bin: one subscription's soft-deleted records in the order they will be purged.
CREATE INDEX resources_deleted_by_purge ON resources (subscription, scheduled_purge_at, key)
  WHERE state = 1;
