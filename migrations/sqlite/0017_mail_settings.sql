-- +goose Up
-- The SMTP server as the owner sets it on the settings page (issue 10). One
-- row (id 1). The password is sealed, bound to "mail_settings/password/1";
-- NULL when the server wants no login. Environment variables
-- (AVGLOKET_SMTP_*) win over this row.
CREATE TABLE mail_settings (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    host       TEXT     NOT NULL,
    port       INTEGER  NOT NULL,
    username   TEXT     NOT NULL DEFAULT '',
    password   BLOB,
    sender     TEXT     NOT NULL,
    security   TEXT     NOT NULL,
    ca_file    TEXT     NOT NULL DEFAULT '',
    updated_at DATETIME NOT NULL
);

-- What the owners' outbox page shows of a mail without opening it: which
-- letter it is and the case or breach it is about. Mails queued before this
-- migration have neither ('').
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN reference TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE outbox DROP COLUMN reference;
ALTER TABLE outbox DROP COLUMN kind;
DROP TABLE mail_settings;
