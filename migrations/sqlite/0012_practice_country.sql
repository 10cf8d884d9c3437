-- +goose Up
-- The practice's country decides its supervisory authority (the Dutch AP or
-- the Belgian GBA) and the KvK/KBO number's form; the holiday calendar stays
-- a setting of its own.
ALTER TABLE practice ADD COLUMN country TEXT NOT NULL DEFAULT 'NL';
UPDATE practice SET country = calendar WHERE calendar IN ('NL', 'BE');

-- +goose Down
ALTER TABLE practice DROP COLUMN country;
