package main

import (
	"context"
	"time"

	"github.com/avgloket/avgloket/internal/jobs"
)

// Every background job looks for work every jobEvery, on whichever portal
// takes its lease; a run may take jobLease before another portal may take
// the job over (the run is then cancelled).
const (
	jobEvery = 10 * time.Minute
	jobLease = 20 * time.Minute
	jobPoll  = time.Minute // how often a portal looks for due jobs
)

// housekeeping runs the background jobs under their leases until ctx ends:
// at start, and then each when it is due, on this portal or another one
// sharing the database.
func (a *App) housekeeping(ctx context.Context) {
	jobs.NewRunner(a.store.Leases, a.holder, a.clock, a.metrics.JobRan, a.log).Loop(ctx, jobPoll, a.backgroundJobs())
}

// backgroundJobs are the day's reminders once their hour has come, the
// reminders about breaches whose 72 hours run out (24 and 6 hours left, and
// past), the pruning of expired sessions, OIDC attempts and old sign-in
// failures, the retention of completed cases, of destroyed ID copies and of
// answer documents, and the removal of abandoned temporary files.
func (a *App) backgroundJobs() []jobs.Job {
	job := func(name string, do func(ctx context.Context) error) jobs.Job {
		return jobs.Job{Name: name, Every: jobEvery, Lease: jobLease, Do: do}
	}
	return []jobs.Job{
		job("daily-reminders", func(ctx context.Context) error {
			n, err := a.reminders.RunDue(ctx)
			if n > 0 {
				a.log.Info("daily reminders queued", "mails", n)
				a.worker.Notify()
			}
			return err
		}),
		job("breach-reminders", func(ctx context.Context) error {
			n, err := a.breaches.RunReminders(ctx)
			if n > 0 {
				a.log.Info("breach reminders queued", "mails", n)
				a.worker.Notify()
			}
			return err
		}),
		job("auth-prune", a.auth.Prune),
		job("case-retention", func(ctx context.Context) error {
			n, err := a.cases.Retire(ctx)
			if n > 0 {
				a.log.Info("case retention: completed cases anonymised", "cases", n)
			}
			return err
		}),
		job("identity-sweep", func(ctx context.Context) error {
			n, err := a.identity.Sweep(ctx)
			if n > 0 {
				a.log.Info("file retention: destroyed files removed", "files", n)
			}
			return err
		}),
		job("delivery-sweep", func(ctx context.Context) error {
			n, err := a.delivery.Sweep(ctx)
			if n > 0 {
				a.log.Info("document retention: answer documents destroyed", "documents", n)
			}
			return err
		}),
		job("temp-files", func(context.Context) error {
			_, err := a.files.RemoveTemp(a.clock.Now().Add(-time.Hour))
			return err
		}),
	}
}
