-- +goose Up
-- Which processing activities of the register (AVG art. 30) concern the
-- person a case is about: the officer ticks them on every case; the access
-- answer (art. 15(1)(a)–(h)), the erasure items and the art. 19 notices
-- derive from that choice. An activity's key only: what it means stays in
-- the register.
CREATE TABLE case_activities (
    case_id  INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    activity TEXT    NOT NULL,
    PRIMARY KEY (case_id, activity)
);

-- The access statement (art. 15(1)(a)–(h)) of an access case as the officer
-- edited it; no row while the drafted text stands unedited. The text may
-- name the person, so it is sealed like other case texts. approved_by and
-- approved_at are set together when the officer approves the text, and
-- cleared again when the text is edited afterwards or the chosen activities
-- change (the row then goes: the statement is drafted anew).
CREATE TABLE access_statements (
    case_id     INTEGER  PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    body        BLOB     NOT NULL,
    edited_by   INTEGER  REFERENCES staff (id),
    edited_at   DATETIME NOT NULL,
    approved_by INTEGER  REFERENCES staff (id),
    approved_at DATETIME,
    CHECK ((approved_by IS NULL) = (approved_at IS NULL))
);

-- +goose Down
DROP TABLE access_statements;
DROP TABLE case_activities;
