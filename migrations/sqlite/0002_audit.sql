-- +goose Up
-- The audit trail (SECURITY.md item 11). Rows are only ever appended: each
-- carries a keyed chain value (hash) over the previous row's value (prev)
-- and its own fields, so an edited, deleted or inserted row is found by
-- the verify command (internal/audit). Fields hold identifiers and codes,
-- never personal data. "at" is UTC with nine fraction digits, so text order
-- is time order.
CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    object  TEXT NOT NULL,
    address TEXT NOT NULL,
    detail  TEXT NOT NULL,
    prev    TEXT NOT NULL,
    hash    TEXT NOT NULL
);
CREATE INDEX audit_log_by_object ON audit_log (object, id);

-- The last entry of the trail, sealed with the key, so that deleting the
-- newest rows is found too. One row, written with the first entry.
CREATE TABLE audit_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    last_id   INTEGER NOT NULL,
    last_hash TEXT    NOT NULL,
    seal      TEXT    NOT NULL
);

-- The triggers stop ordinary use (the application, a mistaken statement in
-- the sqlite3 shell) from rewriting the trail. Someone who drops them can
-- change rows, but not without breaking the keyed chain.
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd

-- New rows take the next number after the head, so ids have no gaps.
-- +goose StatementBegin
CREATE TRIGGER audit_log_next_id BEFORE INSERT ON audit_log
WHEN NEW.id IS NOT coalesce((SELECT last_id FROM audit_head WHERE id = 1), 0) + 1
BEGIN
    SELECT RAISE(ABORT, 'audit_log ids must follow audit_head');
END;
-- +goose StatementEnd

-- The head only ever moves on by one, to a row that exists.
-- +goose StatementBegin
CREATE TRIGGER audit_head_first BEFORE INSERT ON audit_head
WHEN NEW.last_id IS NOT 1
  OR NOT EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.last_id AND hash = NEW.last_hash)
BEGIN
    SELECT RAISE(ABORT, 'audit_head must start at the first entry');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_head_advance BEFORE UPDATE ON audit_head
WHEN NEW.id IS NOT OLD.id
  OR NEW.last_id IS NOT OLD.last_id + 1
  OR NOT EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.last_id AND hash = NEW.last_hash)
BEGIN
    SELECT RAISE(ABORT, 'audit_head only moves on to the next entry');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN
    SELECT RAISE(ABORT, 'audit_head cannot be deleted');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE audit_head;
DROP TABLE audit_log;
