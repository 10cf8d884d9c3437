-- +goose Up
-- The address of the practice's own privacy statement, linked from every
-- public page (empty: no link), and the origins of the websites that may
-- show the public pages in a frame, one a line (empty: none may).
ALTER TABLE practice ADD COLUMN privacy_url TEXT NOT NULL DEFAULT '';
ALTER TABLE practice ADD COLUMN frame_origins TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE practice DROP COLUMN frame_origins;
ALTER TABLE practice DROP COLUMN privacy_url;
