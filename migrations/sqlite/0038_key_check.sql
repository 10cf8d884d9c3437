-- +goose Up
-- key_check holds one known text sealed under the key ring (AAD bound to
-- this table and column, row "1"; internal/store/keycheck.go). A portal
-- starting with a key file whose keys do not open it refuses to start:
-- the key file does not belong to this database. The value is a sealed
-- column like any other, so key rewrap moves it to the current version.
-- A pair with postgres/0038_key_check.sql: BLOB here, BYTEA there.
CREATE TABLE key_check (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value BLOB NOT NULL
);

-- +goose Down
DROP TABLE key_check;
