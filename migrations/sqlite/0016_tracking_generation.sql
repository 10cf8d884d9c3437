-- +goose Up
-- A case keeps only the tracking links of its current e-mail address
-- (issue 9). Each address of a case is a generation: a correction of the
-- address starts the next one and revokes the links of the earlier ones, and
-- a link opens the case and confirms the address only while its generation
-- is the case's.
ALTER TABLE cases ADD COLUMN address_generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tracking_tokens ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;

-- Links mailed before the latest correction of the address went to an
-- address the case no longer has: revoke them. Both moments are written by
-- the same clock in the same format, so they compare as text.
DELETE FROM tracking_tokens
 WHERE EXISTS (SELECT 1 FROM case_events e
                WHERE e.case_id = tracking_tokens.case_id
                  AND e.kind = 'corrected'
                  AND e.data LIKE '%requester.email%'
                  AND e.at > tracking_tokens.created_at);

-- +goose Down
ALTER TABLE tracking_tokens DROP COLUMN generation;
ALTER TABLE cases DROP COLUMN address_generation;
