-- The sweeper drops operation-status records by age.
CREATE INDEX operations_by_age ON operations (created_at);
