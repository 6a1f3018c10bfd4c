-- Lifecycle facts read from resource bodies: per-resource retention, purge protection,
-- customer-managed-key encryption, and the dependencies a recover needs active.
ALTER TABLE resources ADD COLUMN retention_ms INTEGER CHECK (retention_ms IS NULL OR retention_ms > 0);
ALTER TABLE resources ADD COLUMN purge_protected INTEGER NOT NULL DEFAULT 0 CHECK (purge_protected IN (0, 1));
ALTER TABLE resources ADD COLUMN customer_managed_key INTEGER NOT NULL DEFAULT 0 CHECK (customer_managed_key IN (0, 1));
ALTER TABLE resources ADD COLUMN dependencies TEXT NOT NULL DEFAULT '';
