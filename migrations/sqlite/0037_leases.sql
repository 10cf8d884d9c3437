-- +goose Up
-- Several portals may share one database (issue 14). A background job
-- (reminders, retention, sweeps) runs on whichever portal takes its row here
-- first: a conditional UPDATE sets holder and expires_at only where the lease
-- has run out, so one portal wins. While a run is under way expires_at is its
-- end at the latest (a portal killed mid-run leaves a lease that runs out and
-- another portal takes the job over); after a run, holder is '' again and
-- expires_at is when the job is due next, so the others skip it till then.
-- last_error holds no personal data (internal/jobs keeps addresses out).
CREATE TABLE job_leases (
    name       TEXT     PRIMARY KEY,
    holder     TEXT     NOT NULL DEFAULT '',
    expires_at DATETIME NOT NULL,
    started_at DATETIME,
    ended_at   DATETIME,
    last_error TEXT     NOT NULL DEFAULT ''
);

-- A mail is claimed by one portal before it is sent: claimed_by names the
-- portal (host, process, random), claimed_until when the claim runs out and
-- another portal may take the mail. Both are NULL when nobody holds it.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claimed_until DATETIME;

-- +goose Down
ALTER TABLE outbox DROP COLUMN claimed_until;
ALTER TABLE outbox DROP COLUMN claimed_by;
DROP TABLE job_leases;
