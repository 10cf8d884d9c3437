-- +goose Up
-- A request registered by staff with the day of receipt but no time of day
-- (issue 10): the case shows the day only, never a made-up 00:00.
ALTER TABLE cases ADD COLUMN received_date_only INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE cases DROP COLUMN received_date_only;
