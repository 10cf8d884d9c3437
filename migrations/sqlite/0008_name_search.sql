-- +goose Up
-- Search by name used LIKE '%…%' over a space-separated list of blind
-- indexes, which reads every case. Two indexed columns make it a look-up.
ALTER TABLE cases ADD COLUMN requester_index TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN subject_index TEXT NOT NULL DEFAULT '';
UPDATE cases SET
    requester_index = CASE WHEN instr(name_index, ' ') > 0 THEN substr(name_index, 1, instr(name_index, ' ') - 1) ELSE name_index END,
    subject_index   = CASE WHEN instr(name_index, ' ') > 0 THEN substr(name_index, instr(name_index, ' ') + 1) ELSE '' END;
CREATE INDEX cases_by_requester_index ON cases (requester_index);
CREATE INDEX cases_by_subject_index ON cases (subject_index);
ALTER TABLE cases DROP COLUMN name_index;

-- +goose Down
ALTER TABLE cases ADD COLUMN name_index TEXT NOT NULL DEFAULT '';
DROP INDEX cases_by_subject_index;
DROP INDEX cases_by_requester_index;
ALTER TABLE cases DROP COLUMN subject_index;
ALTER TABLE cases DROP COLUMN requester_index;
