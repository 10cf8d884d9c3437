-- +goose Up
-- What is on record for each requirement of a case (representation of a
-- minor, proofs, consents): the latest status per key. reason is sealed.
CREATE TABLE case_requirements (
    case_id   INTEGER  NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    key       TEXT     NOT NULL,
    satisfied INTEGER  NOT NULL DEFAULT 0,
    waived    INTEGER  NOT NULL DEFAULT 0,
    reason    BLOB,
    by_id     INTEGER  REFERENCES staff (id),
    at        DATETIME NOT NULL,
    PRIMARY KEY (case_id, key)
);

-- Questions to the requester for identity information or proofs, and their
-- answers. text and answer are sealed.
CREATE TABLE info_requests (
    id            INTEGER PRIMARY KEY,
    case_id       INTEGER  NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    method        TEXT     NOT NULL,
    upload_kind   TEXT     NOT NULL DEFAULT '',
    text          BLOB     NOT NULL,
    asked_by      INTEGER  REFERENCES staff (id),
    asked_at      DATETIME NOT NULL,
    answer        BLOB,
    answered_at   DATETIME
);
CREATE INDEX info_requests_by_case ON info_requests (case_id, id);

-- Files that requesters uploaded. The content lives encrypted in the data
-- folder's files/; destroyed_at records that file and key are gone (an ID
-- copy is destroyed once identity is recorded, or after destroy_after).
CREATE TABLE case_files (
    id            TEXT PRIMARY KEY,
    case_id       INTEGER  NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    purpose       TEXT     NOT NULL,
    kind          TEXT     NOT NULL,
    size          INTEGER  NOT NULL,
    uploaded_at   DATETIME NOT NULL,
    destroy_after DATETIME,
    destroyed_at  DATETIME
);
CREATE INDEX case_files_by_case ON case_files (case_id);
CREATE INDEX case_files_to_destroy ON case_files (destroyed_at, destroy_after);

ALTER TABLE practice ADD COLUMN representation_rules TEXT NOT NULL DEFAULT '';
ALTER TABLE practice ADD COLUMN id_copy_days INTEGER NOT NULL DEFAULT 30;

-- +goose Down
ALTER TABLE practice DROP COLUMN id_copy_days;
ALTER TABLE practice DROP COLUMN representation_rules;
DROP TABLE case_files;
DROP TABLE info_requests;
DROP TABLE case_requirements;
