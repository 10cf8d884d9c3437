-- +goose Up
-- practice_version is bumped, in the same transaction, by every change to
-- the tables the store keeps in memory (the practice's settings, its
-- branches, its SMTP server: internal/store/practice_cache.go). Before it
-- answers from memory, a portal compares the number with the one it loaded
-- at: a change made by `avgloket practice set` or `branch add`, or by
-- another portal on the same database, is seen at the next request. On
-- PostgreSQL (issue 14) the triggers become one plpgsql function.
CREATE TABLE practice_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO practice_version (id, n) VALUES (1, 1);

-- +goose StatementBegin
CREATE TRIGGER practice_version_practice_insert AFTER INSERT ON practice
BEGIN UPDATE practice_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER practice_version_practice_update AFTER UPDATE ON practice
BEGIN UPDATE practice_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER practice_version_practice_delete AFTER DELETE ON practice
BEGIN UPDATE practice_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER practice_version_branches_insert AFTER INSERT ON branches
BEGIN UPDATE practice_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER practice_version_branches_update AFTER UPDATE ON branches
BEGIN UPDATE practice_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER practice_version_branches_delete AFTER DELETE ON branches
BEGIN UPDATE practice_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER practice_version_mail_insert AFTER INSERT ON mail_settings
BEGIN UPDATE practice_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER practice_version_mail_update AFTER UPDATE ON mail_settings
BEGIN UPDATE practice_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER practice_version_mail_delete AFTER DELETE ON mail_settings
BEGIN UPDATE practice_version SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd

-- The covering indexes of 0009 served the queue's counts when they passed
-- over the cases; 0035 keeps the counts in tables, so nothing reads them,
-- and every new case paid for two more index entries.
DROP INDEX cases_counts;
DROP INDEX cases_counts_by_branch;

-- +goose Down
CREATE INDEX cases_counts ON cases (status, due_on, assignee_id, paused_since);
CREATE INDEX cases_counts_by_branch ON cases (branch_id, status, due_on, assignee_id, paused_since);
DROP TRIGGER practice_version_practice_insert;
DROP TRIGGER practice_version_practice_update;
DROP TRIGGER practice_version_practice_delete;
DROP TRIGGER practice_version_branches_insert;
DROP TRIGGER practice_version_branches_update;
DROP TRIGGER practice_version_branches_delete;
DROP TRIGGER practice_version_mail_insert;
DROP TRIGGER practice_version_mail_update;
DROP TRIGGER practice_version_mail_delete;
DROP TABLE practice_version;
