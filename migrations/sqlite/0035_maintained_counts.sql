-- +goose Up
-- The queue's counts and the navigation's badge (store.CountCases) were one
-- pass over every case in scope on every staff page: 68 % of the queue's
-- CPU at 100,000 cases (issue 13). These two tables hold the counts
-- instead, kept by the triggers below in the same transaction as every
-- insert, change and deletion of a case, so a count is a sum over at most
-- branches × staff × statuses (or × due days) rows, whatever the number of
-- cases. A branch_id or assignee_id of 0 stands for none (the cases'
-- column is NULL): ids start at 1, and a key without NULLs lets the upserts
-- below find their row.
--
-- case_counts: the open cases (status <> 'completed') per branch, assignee
-- and status. Open, Awaiting and Mine are sums over it.
CREATE TABLE case_counts (
    branch_id   INTEGER NOT NULL,
    assignee_id INTEGER NOT NULL,
    status      TEXT    NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (branch_id, assignee_id, status)
) WITHOUT ROWID;

-- case_due_counts: the open cases that run against their due date (not
-- decided, outcome = ''; not paused, paused_since = '') per branch,
-- assignee and due day. DueSoon, Overdue and MineUrgent are sums over a
-- range of days. Its rows are one per day on which such a case falls due,
-- so a practice's open work, not its history, sets its size.
CREATE TABLE case_due_counts (
    due_on      TEXT    NOT NULL,
    branch_id   INTEGER NOT NULL,
    assignee_id INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (due_on, branch_id, assignee_id)
) WITHOUT ROWID;

INSERT INTO case_counts (branch_id, assignee_id, status, n)
    SELECT coalesce(branch_id, 0), coalesce(assignee_id, 0), status, count(*) FROM cases
    WHERE status <> 'completed'
    GROUP BY coalesce(branch_id, 0), coalesce(assignee_id, 0), status;

INSERT INTO case_due_counts (due_on, branch_id, assignee_id, n)
    SELECT due_on, coalesce(branch_id, 0), coalesce(assignee_id, 0), count(*) FROM cases
    WHERE status <> 'completed' AND outcome = '' AND paused_since = ''
    GROUP BY due_on, coalesce(branch_id, 0), coalesce(assignee_id, 0);

-- The triggers are plain SQL on purpose: one statement per step, the
-- conditions in WHERE clauses, upserts in the form PostgreSQL shares
-- (INSERT … ON CONFLICT … DO UPDATE), so that the PostgreSQL port (issue
-- "Growing past one machine") rewrites each as a plpgsql trigger function
-- with the same statements, OLD and NEW alike (and without WITHOUT ROWID).
-- A row is counted off, and dropped when it reaches zero, then the new
-- state is counted on.
-- +goose StatementBegin
CREATE TRIGGER cases_counted_insert AFTER INSERT ON cases
BEGIN
    INSERT INTO case_counts (branch_id, assignee_id, status, n)
        SELECT coalesce(NEW.branch_id, 0), coalesce(NEW.assignee_id, 0), NEW.status, 1
        WHERE NEW.status <> 'completed'
        ON CONFLICT (branch_id, assignee_id, status) DO UPDATE SET n = n + 1;
    INSERT INTO case_due_counts (due_on, branch_id, assignee_id, n)
        SELECT NEW.due_on, coalesce(NEW.branch_id, 0), coalesce(NEW.assignee_id, 0), 1
        WHERE NEW.status <> 'completed' AND NEW.outcome = '' AND NEW.paused_since = ''
        ON CONFLICT (due_on, branch_id, assignee_id) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- Retention anonymises cases and keeps their rows, but a case that is
-- deleted (by hand, or a later retention rule) is counted off.
-- +goose StatementBegin
CREATE TRIGGER cases_counted_delete AFTER DELETE ON cases
BEGIN
    UPDATE case_counts SET n = n - 1
        WHERE branch_id = coalesce(OLD.branch_id, 0) AND assignee_id = coalesce(OLD.assignee_id, 0) AND status = OLD.status;
    DELETE FROM case_counts
        WHERE branch_id = coalesce(OLD.branch_id, 0) AND assignee_id = coalesce(OLD.assignee_id, 0) AND status = OLD.status AND n = 0;
    UPDATE case_due_counts SET n = n - 1
        WHERE due_on = OLD.due_on AND branch_id = coalesce(OLD.branch_id, 0) AND assignee_id = coalesce(OLD.assignee_id, 0)
          AND OLD.status <> 'completed' AND OLD.outcome = '' AND OLD.paused_since = '';
    DELETE FROM case_due_counts
        WHERE due_on = OLD.due_on AND branch_id = coalesce(OLD.branch_id, 0) AND assignee_id = coalesce(OLD.assignee_id, 0) AND n = 0;
END;
-- +goose StatementEnd

-- The store saves a case's whole row on every change; the WHEN clause
-- skips the saves that leave every counted column as it was.
-- +goose StatementBegin
CREATE TRIGGER cases_counted_update AFTER UPDATE OF status, outcome, paused_since, due_on, branch_id, assignee_id ON cases
WHEN OLD.status IS NOT NEW.status OR OLD.outcome IS NOT NEW.outcome OR OLD.paused_since IS NOT NEW.paused_since
  OR OLD.due_on IS NOT NEW.due_on OR OLD.branch_id IS NOT NEW.branch_id OR OLD.assignee_id IS NOT NEW.assignee_id
BEGIN
    UPDATE case_counts SET n = n - 1
        WHERE branch_id = coalesce(OLD.branch_id, 0) AND assignee_id = coalesce(OLD.assignee_id, 0) AND status = OLD.status;
    DELETE FROM case_counts
        WHERE branch_id = coalesce(OLD.branch_id, 0) AND assignee_id = coalesce(OLD.assignee_id, 0) AND status = OLD.status AND n = 0;
    UPDATE case_due_counts SET n = n - 1
        WHERE due_on = OLD.due_on AND branch_id = coalesce(OLD.branch_id, 0) AND assignee_id = coalesce(OLD.assignee_id, 0)
          AND OLD.status <> 'completed' AND OLD.outcome = '' AND OLD.paused_since = '';
    DELETE FROM case_due_counts
        WHERE due_on = OLD.due_on AND branch_id = coalesce(OLD.branch_id, 0) AND assignee_id = coalesce(OLD.assignee_id, 0) AND n = 0;
    INSERT INTO case_counts (branch_id, assignee_id, status, n)
        SELECT coalesce(NEW.branch_id, 0), coalesce(NEW.assignee_id, 0), NEW.status, 1
        WHERE NEW.status <> 'completed'
        ON CONFLICT (branch_id, assignee_id, status) DO UPDATE SET n = n + 1;
    INSERT INTO case_due_counts (due_on, branch_id, assignee_id, n)
        SELECT NEW.due_on, coalesce(NEW.branch_id, 0), coalesce(NEW.assignee_id, 0), 1
        WHERE NEW.status <> 'completed' AND NEW.outcome = '' AND NEW.paused_since = ''
        ON CONFLICT (due_on, branch_id, assignee_id) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- The list's marks, kept on the case's row so that a page of the queue
-- reads no other table per case (they were a correlated sub-select each).
-- destroy_by: the earliest destruction an erasure item promised and that
-- was not confirmed yet (case_erasure_items, 0033), NULL when none.
-- restriction_from, restriction_lift: the case's restriction's from_on and
-- lift_on (case_restrictions, 0029), NULL when it has none; whether it is
-- in force depends on the day, so the list compares them with today.
ALTER TABLE cases ADD COLUMN destroy_by TEXT;
ALTER TABLE cases ADD COLUMN restriction_from TEXT;
ALTER TABLE cases ADD COLUMN restriction_lift TEXT;

UPDATE cases SET destroy_by = (SELECT min(e.due) FROM case_erasure_items e
    WHERE e.case_id = cases.id AND e.action = 'scheduled' AND e.erased_on = '');
UPDATE cases SET restriction_from = r.from_on, restriction_lift = r.lift_on
    FROM case_restrictions r WHERE r.case_id = cases.id;

-- +goose StatementBegin
CREATE TRIGGER case_erasure_items_destroy_by_insert AFTER INSERT ON case_erasure_items
BEGIN
    UPDATE cases SET destroy_by = (SELECT min(e.due) FROM case_erasure_items e
        WHERE e.case_id = cases.id AND e.action = 'scheduled' AND e.erased_on = '')
    WHERE id = NEW.case_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER case_erasure_items_destroy_by_update AFTER UPDATE ON case_erasure_items
BEGIN
    UPDATE cases SET destroy_by = (SELECT min(e.due) FROM case_erasure_items e
        WHERE e.case_id = cases.id AND e.action = 'scheduled' AND e.erased_on = '')
    WHERE id IN (OLD.case_id, NEW.case_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER case_erasure_items_destroy_by_delete AFTER DELETE ON case_erasure_items
BEGIN
    UPDATE cases SET destroy_by = (SELECT min(e.due) FROM case_erasure_items e
        WHERE e.case_id = cases.id AND e.action = 'scheduled' AND e.erased_on = '')
    WHERE id = OLD.case_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER case_restrictions_marked_insert AFTER INSERT ON case_restrictions
BEGIN
    UPDATE cases SET restriction_from = NEW.from_on, restriction_lift = NEW.lift_on WHERE id = NEW.case_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER case_restrictions_marked_update AFTER UPDATE ON case_restrictions
BEGIN
    UPDATE cases SET restriction_from = NULL, restriction_lift = NULL WHERE id = OLD.case_id;
    UPDATE cases SET restriction_from = NEW.from_on, restriction_lift = NEW.lift_on WHERE id = NEW.case_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER case_restrictions_marked_delete AFTER DELETE ON case_restrictions
BEGIN
    UPDATE cases SET restriction_from = NULL, restriction_lift = NULL WHERE id = OLD.case_id;
END;
-- +goose StatementEnd

-- The queue shows open cases by (due_on, reference), read in that order
-- from the first index (an officer's branches are checked per case); the
-- queue filtered on one branch reads the second. Partial indexes hold the
-- open cases only, so the first page reads about fifty entries however
-- many completed cases the register keeps; the list names the condition
-- literally (status <> 'completed') so that SQLite may use them.
CREATE INDEX cases_open_by_due ON cases (due_on, reference) WHERE status <> 'completed';
CREATE INDEX cases_open_by_branch_due ON cases (branch_id, due_on, reference) WHERE status <> 'completed';

-- +goose Down
DROP INDEX cases_open_by_branch_due;
DROP INDEX cases_open_by_due;
DROP TRIGGER case_restrictions_marked_delete;
DROP TRIGGER case_restrictions_marked_update;
DROP TRIGGER case_restrictions_marked_insert;
DROP TRIGGER case_erasure_items_destroy_by_delete;
DROP TRIGGER case_erasure_items_destroy_by_update;
DROP TRIGGER case_erasure_items_destroy_by_insert;
ALTER TABLE cases DROP COLUMN restriction_lift;
ALTER TABLE cases DROP COLUMN restriction_from;
ALTER TABLE cases DROP COLUMN destroy_by;
DROP TRIGGER cases_counted_update;
DROP TRIGGER cases_counted_delete;
DROP TRIGGER cases_counted_insert;
DROP TABLE case_due_counts;
DROP TABLE case_counts;
