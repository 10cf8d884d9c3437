-- +goose Up
-- The timeline of a case: what happened, by whom, and what the requester
-- was told. body holds text (notes, messages, reasons) sealed by the vault;
-- data holds only machine words (statuses, outcome codes, field names).
CREATE TABLE case_events (
    id        INTEGER PRIMARY KEY,
    case_id   INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    at        DATETIME NOT NULL,
    kind      TEXT     NOT NULL,
    actor_id  INTEGER REFERENCES staff (id),
    visible   INTEGER  NOT NULL DEFAULT 0,
    data      TEXT     NOT NULL DEFAULT '',
    body      BLOB
);
CREATE INDEX case_events_by_case ON case_events (case_id, id);

-- The day the case started waiting for identity information (the identity
-- pause, EDPB 01/2022 §159); empty when not paused.
ALTER TABLE cases ADD COLUMN paused_since TEXT NOT NULL DEFAULT '';
CREATE INDEX cases_by_assignee_due ON cases (assignee_id, due_on, reference);

-- +goose Down
DROP INDEX cases_by_assignee_due;
ALTER TABLE cases DROP COLUMN paused_since;
DROP TABLE case_events;
