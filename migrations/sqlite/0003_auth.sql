-- +goose Up
-- Sign-in: second factor, OIDC binding and invitations on the staff row;
-- server-side sessions, recovery codes, throttling and OIDC attempts.
-- Nothing here holds a secret in clear: session ids, recovery codes, states
-- and nonces are stored as SHA-256 hashes, the TOTP secret and the PKCE
-- verifier are sealed by the vault, and failed sign-ins are keyed by blind
-- indexes (HMAC), never by e-mail address or IP address.

-- The TOTP secret is sealed (bound to staff/totp_secret/id). It is pending
-- while totp_enabled_at is NULL. totp_last_step is the last 30-second step
-- accepted, so a code cannot be used twice.
ALTER TABLE staff ADD COLUMN totp_secret BLOB;
ALTER TABLE staff ADD COLUMN totp_enabled_at DATETIME;
ALTER TABLE staff ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
-- Staff signing in through OIDC are keyed on (issuer, subject), never on
-- the e-mail address.
ALTER TABLE staff ADD COLUMN oidc_issuer TEXT;
ALTER TABLE staff ADD COLUMN oidc_subject TEXT;
-- Set for accounts created by invitation: only those may be bound to an
-- OIDC identity on first sign-in.
ALTER TABLE staff ADD COLUMN invited_at DATETIME;
ALTER TABLE staff ADD COLUMN password_changed_at DATETIME;
CREATE UNIQUE INDEX staff_by_oidc ON staff (oidc_issuer, oidc_subject) WHERE oidc_subject IS NOT NULL;

-- Sessions are looked up by the SHA-256 of their id; the id itself lives
-- only in the browser's cookie. expires_at is the absolute end, whatever
-- the activity; second_factor is 0 while the sign-in still awaits a code.
CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    id_hash       TEXT     NOT NULL UNIQUE,
    staff_id      INTEGER  NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at    DATETIME NOT NULL,
    last_seen_at  DATETIME NOT NULL,
    expires_at    DATETIME NOT NULL,
    second_factor INTEGER  NOT NULL DEFAULT 0
);
CREATE INDEX sessions_by_staff ON sessions (staff_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- One-time recovery codes, as SHA-256 of the normalised code.
CREATE TABLE recovery_codes (
    id        INTEGER PRIMARY KEY,
    staff_id  INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    code_hash TEXT    NOT NULL,
    used_at   DATETIME,
    UNIQUE (staff_id, code_hash)
);

-- Failed (and pending) sign-ins, counted per account and per address over a
-- sliding window. account_key and address are blind indexes.
CREATE TABLE login_failures (
    id          INTEGER PRIMARY KEY,
    account_key TEXT     NOT NULL,
    address     TEXT     NOT NULL,
    at          DATETIME NOT NULL
);
CREATE INDEX login_failures_by_account ON login_failures (account_key, at);
CREATE INDEX login_failures_by_address ON login_failures (address, at);

-- OIDC sign-ins under way: single use, bound to the browser that started
-- them by the hash of a random value in that browser's cookie.
CREATE TABLE oidc_attempts (
    id           INTEGER PRIMARY KEY,
    state_hash   TEXT     NOT NULL UNIQUE,
    browser_hash TEXT     NOT NULL,
    nonce_hash   TEXT     NOT NULL,
    verifier     BLOB     NOT NULL,
    created_at   DATETIME NOT NULL,
    expires_at   DATETIME NOT NULL,
    used_at      DATETIME
);
CREATE INDEX oidc_attempts_by_expiry ON oidc_attempts (expires_at);

-- +goose Down
DROP TABLE oidc_attempts;
DROP TABLE login_failures;
DROP TABLE recovery_codes;
DROP TABLE sessions;
DROP INDEX staff_by_oidc;
ALTER TABLE staff DROP COLUMN password_changed_at;
ALTER TABLE staff DROP COLUMN invited_at;
ALTER TABLE staff DROP COLUMN oidc_subject;
ALTER TABLE staff DROP COLUMN oidc_issuer;
ALTER TABLE staff DROP COLUMN totp_last_step;
ALTER TABLE staff DROP COLUMN totp_enabled_at;
ALTER TABLE staff DROP COLUMN totp_secret;
