-- +goose Up
-- The queue's counts read only these columns: covering indexes let SQLite
-- count from the index alone instead of visiting every case's row.
CREATE INDEX cases_counts_by_branch ON cases (branch_id, status, due_on, assignee_id);
CREATE INDEX cases_counts ON cases (status, due_on, assignee_id);

-- +goose Down
DROP INDEX cases_counts;
DROP INDEX cases_counts_by_branch;
