-- +goose Up
-- How long the practice keeps its client files, in its own words and in
-- each language of the portal: the request form states it where a person
-- asks for erasure (DOMAIN.md §9: retention texts come from the practice,
-- never from a fixed Dutch sentence). Empty: a sentence without periods.
ALTER TABLE practice ADD COLUMN records_retention_nl TEXT NOT NULL DEFAULT '';
ALTER TABLE practice ADD COLUMN records_retention_en TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE practice DROP COLUMN records_retention_en;
ALTER TABLE practice DROP COLUMN records_retention_nl;
