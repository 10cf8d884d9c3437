-- +goose Up
-- Answer documents (AVG art. 15(3): the copy of the data; later also the
-- data for portability) that an officer uploads from the client-record
-- system and delivers to the requester through the tracking page. The
-- content is in the encrypted file store under id; the row holds only what
-- staff see in the list. name is the uploaded file's name, sealed (it may
-- name the client). sent_at is when the officer sent the documents to the
-- requester; destroy_after follows from it and the practice's setting;
-- destroyed_at is when the retention job removed the file.
CREATE TABLE case_documents (
    id            TEXT PRIMARY KEY,
    case_id       INTEGER  NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    name          BLOB     NOT NULL,
    kind          TEXT     NOT NULL,
    size          INTEGER  NOT NULL,
    uploaded_by   INTEGER  REFERENCES staff (id),
    uploaded_at   DATETIME NOT NULL,
    sent_at       DATETIME,
    destroy_after DATETIME,
    destroyed_at  DATETIME
);
CREATE INDEX case_documents_by_case ON case_documents (case_id);
CREATE INDEX case_documents_to_destroy ON case_documents (destroyed_at, destroy_after);

-- Each download of a document, by the requester or by staff, for the case
-- page (who, when, which).
CREATE TABLE document_downloads (
    id          INTEGER  PRIMARY KEY,
    document_id TEXT     NOT NULL REFERENCES case_documents (id) ON DELETE CASCADE,
    by_staff    INTEGER  REFERENCES staff (id),
    at          DATETIME NOT NULL
);
CREATE INDEX document_downloads_by_document ON document_downloads (document_id);

-- The one-time code a requester asks for on the tracking page, at most one
-- per case: its hash, expiry and use; wrong tries and the lock they cause;
-- and the download grant that a right code opens, as the hash of the
-- random value in the requester's cookie, with its expiry.
CREATE TABLE delivery_codes (
    case_id       INTEGER  PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    code_hash     TEXT     NOT NULL DEFAULT '',
    code_expires  DATETIME,
    failures      INTEGER  NOT NULL DEFAULT 0,
    locked_until  DATETIME,
    grant_hash    TEXT     NOT NULL DEFAULT '',
    grant_expires DATETIME
);

-- How many days sent answer documents are kept before they are destroyed.
ALTER TABLE practice ADD COLUMN document_days INTEGER NOT NULL DEFAULT 30;

-- +goose Down
ALTER TABLE practice DROP COLUMN document_days;
DROP TABLE delivery_codes;
DROP TABLE document_downloads;
DROP TABLE case_documents;
