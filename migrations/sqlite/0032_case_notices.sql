-- +goose Up
-- The notices of AVG art. 19: when a rectification, erasure or restriction
-- is decided (granted in whole or in part), every recipient of the chosen
-- activities (for an erasure, of the erased ones) is told, one notice per
-- recipient listing its activities. A recipient with an e-mail address in
-- the register is mailed through the outbox in the decision's transaction
-- (outbox_id; the address and the text are sealed there); the others get a
-- letter printed from the case page and marked posted (printed_at). The
-- status is not stored twice: a mail is sent when its outbox row is, a
-- letter when it was printed. recipient, kind and activities come from the
-- register (an organisation, a kind, activity keys), not the person's data;
-- letter is the notice as written (subject, letterhead, body), sealed and
-- bound to the row id, since it names the person. It is dropped when the
-- case is anonymised; the row stays, for the accountability report.
CREATE TABLE case_notices (
    id         INTEGER  PRIMARY KEY,
    case_id    INTEGER  NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    recipient  TEXT     NOT NULL,
    kind       TEXT     NOT NULL,
    -- the activity keys the recipient received data of, comma-separated,
    -- in the register's order
    activities TEXT     NOT NULL,
    channel    TEXT     NOT NULL CHECK (channel IN ('mail', 'post')),
    outbox_id  INTEGER  REFERENCES outbox (id),
    letter     BLOB,
    -- the language the notice is written in (the recipient's)
    language   TEXT     NOT NULL CHECK (language IN ('nl', 'en')),
    created_at DATETIME NOT NULL,
    printed_at DATETIME,
    CHECK (channel = 'mail' OR outbox_id IS NULL),
    CHECK (channel = 'post' OR printed_at IS NULL)
);
CREATE INDEX case_notices_case ON case_notices (case_id);
CREATE INDEX case_notices_created ON case_notices (created_at);

-- +goose Down
DROP TABLE case_notices;
