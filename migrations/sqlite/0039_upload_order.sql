-- +goose Up
-- Files (ID copies and proofs, answer documents, breach attachments) are
-- listed in the order they came in. Their ids are random, and two uploads
-- in the same second tie on uploaded_at; SQLite broke the tie by rowid,
-- which PostgreSQL does not have. seq is that order on both databases:
-- here rowid, copied by a trigger into each new row; in
-- postgres/0039_upload_order.sql an identity column.
ALTER TABLE case_files ADD COLUMN seq INTEGER;
UPDATE case_files SET seq = rowid;
-- +goose StatementBegin
CREATE TRIGGER case_files_seq AFTER INSERT ON case_files WHEN NEW.seq IS NULL BEGIN
    UPDATE case_files SET seq = NEW.rowid WHERE rowid = NEW.rowid;
END;
-- +goose StatementEnd

ALTER TABLE case_documents ADD COLUMN seq INTEGER;
UPDATE case_documents SET seq = rowid;
-- +goose StatementBegin
CREATE TRIGGER case_documents_seq AFTER INSERT ON case_documents WHEN NEW.seq IS NULL BEGIN
    UPDATE case_documents SET seq = NEW.rowid WHERE rowid = NEW.rowid;
END;
-- +goose StatementEnd

ALTER TABLE breach_files ADD COLUMN seq INTEGER;
UPDATE breach_files SET seq = rowid;
-- +goose StatementBegin
CREATE TRIGGER breach_files_seq AFTER INSERT ON breach_files WHEN NEW.seq IS NULL BEGIN
    UPDATE breach_files SET seq = NEW.rowid WHERE rowid = NEW.rowid;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER case_files_seq;
ALTER TABLE case_files DROP COLUMN seq;
DROP TRIGGER case_documents_seq;
ALTER TABLE case_documents DROP COLUMN seq;
DROP TRIGGER breach_files_seq;
ALTER TABLE breach_files DROP COLUMN seq;
