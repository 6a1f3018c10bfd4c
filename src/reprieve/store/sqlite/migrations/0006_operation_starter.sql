-- Who started each long-running operation (the object id of the principal): its status URLs
-- are readable by that principal whatever its roles, as Azure authorizes operation results.
ALTER TABLE operations ADD COLUMN started_by TEXT NOT NULL DEFAULT '';
