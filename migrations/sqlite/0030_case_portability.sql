-- +goose Up
-- What a portability case (AVG art. 20) recorded, one row per case: body
-- holds, sealed and bound to the case id, per chosen activity its name and
-- legal basis and, for one on consent or contract, the data the person
-- provided, and the organisations the export went to on the requester's
-- instruction (their names and addresses say something about the person's
-- care). document_id is the answer document holding the export ZIP ('' until
-- made, and again once the data change); exported_at when it was made.
CREATE TABLE case_portability (
    case_id     INTEGER  PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    body        BLOB     NOT NULL,
    document_id TEXT     NOT NULL DEFAULT '',
    exported_at DATETIME
);

-- The download links of an export sent to another organisation: the hash
-- of the link's secret (the secret is only in the mail), the document it
-- opens, and until when (the document is destroyed then, as sent answer
-- documents are); each download is counted and audited.
CREATE TABLE portability_links (
    token_hash    TEXT     PRIMARY KEY,
    case_id       INTEGER  NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    document_id   TEXT     NOT NULL,
    created_at    DATETIME NOT NULL,
    expires_at    DATETIME NOT NULL,
    downloads     INTEGER  NOT NULL DEFAULT 0,
    downloaded_at DATETIME
);
CREATE INDEX portability_links_by_case ON portability_links (case_id);

-- +goose Down
DROP TABLE portability_links;
DROP TABLE case_portability;
