-- +goose Up
-- When a destroyed file was removed from disk, so that the retention sweep
-- stops visiting it (before, every run listed every file ever destroyed).
ALTER TABLE case_files ADD COLUMN removed_at DATETIME;
CREATE INDEX case_files_to_remove ON case_files (removed_at, destroyed_at);

-- +goose Down
DROP INDEX case_files_to_remove;
ALTER TABLE case_files DROP COLUMN removed_at;
