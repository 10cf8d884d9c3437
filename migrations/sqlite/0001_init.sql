-- +goose Up
-- The practice's own details: exactly one row once set up.
CREATE TABLE practice (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    name           TEXT    NOT NULL,
    address        TEXT    NOT NULL,
    kvk            TEXT    NOT NULL,
    privacy_email  TEXT    NOT NULL,
    time_zone      TEXT    NOT NULL,
    calendar       TEXT    NOT NULL CHECK (calendar IN ('NL', 'BE')),
    extra_days     TEXT    NOT NULL DEFAULT '',
    identity_pause INTEGER NOT NULL DEFAULT 1,
    updated_at     DATETIME NOT NULL
);

CREATE TABLE branches (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    created_at DATETIME NOT NULL
);

CREATE TABLE staff (
    id          INTEGER PRIMARY KEY,
    email       TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('owner', 'officer')),
    -- argon2id PHC string; empty for accounts that sign in through OIDC only
    password_hash TEXT NOT NULL DEFAULT '',
    disabled_at DATETIME,
    created_at  DATETIME NOT NULL
);

CREATE TABLE staff_branches (
    staff_id  INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    branch_id INTEGER NOT NULL REFERENCES branches (id) ON DELETE CASCADE,
    PRIMARY KEY (staff_id, branch_id)
);

-- API tokens are stored as SHA-256 hashes only.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    staff_id     INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    label        TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL,
    last_used_at DATETIME,
    revoked_at   DATETIME
);

-- One-time links for the first-run setup.
CREATE TABLE setup_tokens (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at DATETIME NOT NULL,
    used_at    DATETIME
);

-- The last sequence number handed out per year, so references are
-- sequential and never reused, even after a case is deleted.
CREATE TABLE case_sequences (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

-- Personal data (requester, subject, details) are sealed by the vault
-- (AES-256-GCM, a data key per value, bound to table, column and row).
-- name_index holds blind indexes (HMAC) of the normalised names, for search.
CREATE TABLE cases (
    id                 INTEGER PRIMARY KEY,
    reference          TEXT    NOT NULL UNIQUE,
    type               TEXT    NOT NULL,
    status             TEXT    NOT NULL,
    outcome            TEXT    NOT NULL DEFAULT '',
    channel            TEXT    NOT NULL,
    branch_id          INTEGER REFERENCES branches (id),
    received_at        DATETIME NOT NULL,
    received_on        TEXT    NOT NULL,
    due_on             TEXT    NOT NULL,
    original_due_on    TEXT    NOT NULL,
    extended_due_on    TEXT    NOT NULL,
    extended           INTEGER NOT NULL DEFAULT 0,
    pause_days         INTEGER NOT NULL DEFAULT 0,
    language           TEXT    NOT NULL,
    relation           TEXT    NOT NULL,
    requester          BLOB    NOT NULL,
    subject            BLOB    NOT NULL,
    details            BLOB    NOT NULL,
    name_index         TEXT    NOT NULL DEFAULT '',
    identity_status    TEXT    NOT NULL DEFAULT 'unverified',
    identity_method    TEXT    NOT NULL DEFAULT '',
    identity_at        DATETIME,
    assignee_id        INTEGER REFERENCES staff (id),
    email_confirmed_at DATETIME,
    created_at         DATETIME NOT NULL,
    updated_at         DATETIME NOT NULL
);
CREATE INDEX cases_by_due ON cases (due_on, reference);
CREATE INDEX cases_by_branch_due ON cases (branch_id, due_on, reference);
CREATE INDEX cases_by_status_due ON cases (status, due_on, reference);

CREATE TABLE tracking_tokens (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    token_hash TEXT    NOT NULL UNIQUE,
    created_at DATETIME NOT NULL,
    expires_at DATETIME
);

CREATE TABLE idempotency_keys (
    key_hash     TEXT PRIMARY KEY,
    request_hash TEXT    NOT NULL,
    case_id      INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    created_at   DATETIME NOT NULL
);

-- Mail waiting to be sent, written in the same transaction as the change
-- that causes it. The message (recipient, subject, text) is sealed.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    message         BLOB     NOT NULL,
    created_at      DATETIME NOT NULL,
    next_attempt_at DATETIME NOT NULL,
    attempts        INTEGER  NOT NULL DEFAULT 0,
    last_error      TEXT     NOT NULL DEFAULT '',
    sent_at         DATETIME
);
CREATE INDEX outbox_due ON outbox (sent_at, next_attempt_at);

-- +goose Down
DROP TABLE outbox;
DROP TABLE idempotency_keys;
DROP TABLE tracking_tokens;
DROP TABLE cases;
DROP TABLE case_sequences;
DROP TABLE setup_tokens;
DROP TABLE api_tokens;
DROP TABLE staff_branches;
DROP TABLE staff;
DROP TABLE branches;
DROP TABLE practice;
