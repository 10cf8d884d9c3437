-- +goose Up
-- One-time links with which an invited staff member chooses a password.
CREATE TABLE invite_tokens (
    id         INTEGER PRIMARY KEY,
    staff_id   INTEGER  NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    token_hash TEXT     NOT NULL UNIQUE,
    expires_at DATETIME NOT NULL,
    used_at    DATETIME
);

-- The day of the last daily reminder, so a restart never sends it twice.
CREATE TABLE reminder_runs (
    day     TEXT PRIMARY KEY,
    sent_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE reminder_runs;
DROP TABLE invite_tokens;
