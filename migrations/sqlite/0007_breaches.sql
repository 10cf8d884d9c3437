-- +goose Up
-- The breach register (AVG art. 33(5)): every breach, notified or not.
-- Only machine fields are kept in clear, for lists, filters, the banner and
-- the reminders: the reference, the branch, the moments of awareness,
-- decision, notification and informing, the kinds and incident type, the
-- assessment's numbers and band. Every text (title, description, measures,
-- reasons, the letters) is in body, sealed by the vault and bound to
-- breaches/body/<reference>.

-- The last sequence number handed out per year: DL-2026-001, -002, …
CREATE TABLE breach_sequences (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE breaches (
    id            INTEGER  PRIMARY KEY,
    reference     TEXT     NOT NULL UNIQUE,
    branch_id     INTEGER  REFERENCES branches (id),
    aware_at      DATETIME NOT NULL,
    -- aware_at + 72 hours, kept for ordering by urgency in SQL
    ap_deadline   DATETIME NOT NULL,
    kinds         TEXT     NOT NULL DEFAULT '',
    incident_type TEXT     NOT NULL DEFAULT '',
    -- JSON of the ENISA assessment (numbers and choices only) and its band
    assessment    TEXT     NOT NULL DEFAULT '',
    band          TEXT     NOT NULL DEFAULT '',
    -- NULL until decided
    notify_ap     INTEGER,
    inform_people TEXT     NOT NULL DEFAULT '',
    decided_at    DATETIME,
    decided_by    INTEGER  REFERENCES staff (id),
    -- the initial notification to the AP
    notified_at   DATETIME,
    informed_at   DATETIME,
    body          BLOB     NOT NULL,
    created_by    INTEGER  REFERENCES staff (id),
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);
CREATE INDEX breaches_by_deadline ON breaches (notified_at, ap_deadline);
CREATE INDEX breaches_by_branch ON breaches (branch_id, aware_at);

-- Submissions to the AP's form: the initial notification and its
-- follow-ups (art. 33(4)). draft is the draft as submitted (sealed JSON),
-- the base of the next follow-up's list of changes.
CREATE TABLE breach_notifications (
    id           INTEGER  PRIMARY KEY,
    breach_id    INTEGER  NOT NULL REFERENCES breaches (id) ON DELETE CASCADE,
    kind         TEXT     NOT NULL CHECK (kind IN ('initial', 'supplement', 'change', 'withdrawal')),
    submitted_at DATETIME NOT NULL,
    ap_reference TEXT     NOT NULL DEFAULT '',
    draft        BLOB     NOT NULL,
    recorded_by  INTEGER  REFERENCES staff (id),
    recorded_at  DATETIME NOT NULL
);
CREATE INDEX breach_notifications_by_breach ON breach_notifications (breach_id, id);
CREATE UNIQUE INDEX breach_notifications_one_initial ON breach_notifications (breach_id) WHERE kind = 'initial';

-- The people to inform (art. 34): name and address sealed; email_index is
-- a blind index (HMAC) of the address, so an address uploaded twice is put
-- on the list once. told_at and outbox_id record who was sent the letter
-- and when.
CREATE TABLE breach_recipients (
    id          INTEGER  PRIMARY KEY,
    breach_id   INTEGER  NOT NULL REFERENCES breaches (id) ON DELETE CASCADE,
    email_index TEXT     NOT NULL,
    contact     BLOB     NOT NULL,
    language    TEXT     NOT NULL CHECK (language IN ('nl', 'en')),
    added_at    DATETIME NOT NULL,
    told_at     DATETIME,
    outbox_id   INTEGER  REFERENCES outbox (id),
    UNIQUE (breach_id, email_index)
);

-- Reminders sent about the AP deadline (24h_left, 6h_left, overdue), each
-- once per breach.
CREATE TABLE breach_reminders (
    breach_id INTEGER  NOT NULL REFERENCES breaches (id) ON DELETE CASCADE,
    mark      TEXT     NOT NULL,
    sent_at   DATETIME NOT NULL,
    PRIMARY KEY (breach_id, mark)
);

-- Files kept with a breach (a police report, a photo, the AP's
-- confirmation): encrypted in the file store under id, bound to it; only
-- the type found in the content, the size and the time are here.
CREATE TABLE breach_files (
    id          TEXT     PRIMARY KEY,
    breach_id   INTEGER  NOT NULL REFERENCES breaches (id) ON DELETE CASCADE,
    kind        TEXT     NOT NULL CHECK (kind IN ('pdf', 'jpeg', 'png')),
    size        INTEGER  NOT NULL,
    uploaded_by INTEGER  REFERENCES staff (id),
    uploaded_at DATETIME NOT NULL
);
CREATE INDEX breach_files_by_breach ON breach_files (breach_id, uploaded_at);

-- The register's settings: the practice's own, stricter target for
-- notifying the AP (0: none) and what the AP form asks about the
-- controller beyond the practice's name, address and KvK number. One row.
-- contacts (the privacy officer, the reporter and the contact person) are
-- sealed like every other name and address.
CREATE TABLE breach_settings (
    id               INTEGER  PRIMARY KEY CHECK (id = 1),
    own_target_hours INTEGER  NOT NULL DEFAULT 0 CHECK (own_target_hours BETWEEN 0 AND 72),
    sector           TEXT     NOT NULL DEFAULT '',
    contacts         BLOB,
    updated_at       DATETIME NOT NULL
);

-- +goose Down
DROP TABLE breach_settings;
DROP TABLE breach_files;
DROP TABLE breach_reminders;
DROP TABLE breach_recipients;
DROP TABLE breach_notifications;
DROP TABLE breaches;
DROP TABLE breach_sequences;
