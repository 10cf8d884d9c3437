-- +goose Up
-- The accountability report (AVG art. 5(2)) reads the cases received in a
-- period.
CREATE INDEX cases_by_received ON cases (received_on);

-- +goose Down
DROP INDEX cases_by_received;
