-- +goose Up
-- The download links of the art. 19 notices sent by mail: the mail carries
-- the reference and the link, never the notice itself (SECURITY.md item
-- 13). token_hash is a keyed hash of the link's secret (the secret is only
-- in the mail); the link opens its notice's letter as a PDF until
-- expires_at (the practice's document days from the decision); each
-- download is counted and audited.
CREATE TABLE notice_links (
    token_hash    TEXT     PRIMARY KEY,
    notice_id     INTEGER  NOT NULL UNIQUE REFERENCES case_notices (id) ON DELETE CASCADE,
    case_id       INTEGER  NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    created_at    DATETIME NOT NULL,
    expires_at    DATETIME NOT NULL,
    downloads     INTEGER  NOT NULL DEFAULT 0,
    downloaded_at DATETIME
);
CREATE INDEX notice_links_by_case ON notice_links (case_id);

-- +goose Down
DROP TABLE notice_links;
