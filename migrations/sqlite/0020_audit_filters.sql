-- +goose Up
-- The owners' view of the audit trail filters by who, what and when, newest
-- first, a page at a time: each filter's column leads an index that ends
-- with the id, so a page is read from the index in order instead of by
-- walking the whole trail. The rows themselves, and their chain values, are
-- untouched.
CREATE INDEX audit_log_by_actor ON audit_log (actor, id);
CREATE INDEX audit_log_by_action ON audit_log (action, id);
CREATE INDEX audit_log_by_at ON audit_log (at);

-- +goose Down
DROP INDEX audit_log_by_at;
DROP INDEX audit_log_by_action;
DROP INDEX audit_log_by_actor;
