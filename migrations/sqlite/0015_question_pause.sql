-- +goose Up
-- The clock pauses only while a question sent to the requester is open
-- (DOMAIN.md §8): a question can be withdrawn by staff, which ends the pause
-- as an answer does.
ALTER TABLE info_requests ADD COLUMN withdrawn_at DATETIME;

-- A status alone no longer stops the clock. A case paused by a status, with
-- no question open, runs again from here without the days it stood still:
-- that pause had no ground, and the earlier date is the safe one.
UPDATE cases SET paused_since = ''
 WHERE paused_since <> ''
   AND NOT EXISTS (SELECT 1 FROM info_requests q
                    WHERE q.case_id = cases.id AND q.answered_at IS NULL AND q.withdrawn_at IS NULL);

-- A paused case is never overdue; the queue's counts read paused_since, so
-- the covering indexes hold it too.
DROP INDEX cases_counts_by_branch;
DROP INDEX cases_counts;
CREATE INDEX cases_counts_by_branch ON cases (branch_id, status, due_on, assignee_id, paused_since);
CREATE INDEX cases_counts ON cases (status, due_on, assignee_id, paused_since);

-- +goose Down
DROP INDEX cases_counts;
DROP INDEX cases_counts_by_branch;
CREATE INDEX cases_counts_by_branch ON cases (branch_id, status, due_on, assignee_id);
CREATE INDEX cases_counts ON cases (status, due_on, assignee_id);
ALTER TABLE info_requests DROP COLUMN withdrawn_at;
