-- +goose Up
-- Closed cases keep their personal data only for a set period; after it
-- the case is anonymised: the reference, type, dates and outcome stay for
-- the practice's accountability and statistics, who and what go.
ALTER TABLE cases ADD COLUMN anonymised_at DATETIME;
ALTER TABLE practice ADD COLUMN case_retention_days INTEGER NOT NULL DEFAULT 730;
CREATE INDEX cases_closed ON cases (status, anonymised_at, updated_at);

-- +goose Down
DROP INDEX cases_closed;
ALTER TABLE practice DROP COLUMN case_retention_days;
ALTER TABLE cases DROP COLUMN anonymised_at;
