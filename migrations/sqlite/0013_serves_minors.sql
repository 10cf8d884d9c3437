-- +goose Up
-- Whether the practice serves minors: then the public form asks a requester
-- who asks for themselves their date of birth, since a child under 12 cannot
-- exercise the rights alone (BW 7:465(1)). On unless the owner turns it off.
ALTER TABLE practice ADD COLUMN serves_minors INTEGER NOT NULL DEFAULT 1;

-- +goose Down
ALTER TABLE practice DROP COLUMN serves_minors;
