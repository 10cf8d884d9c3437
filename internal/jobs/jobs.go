// Package jobs runs avgloket's background jobs (reminders, retention,
// sweeps) so that, however many portals share one database, each job runs
// once per due time: a portal runs a job only after taking the job's lease,
// a row in the database that one portal at a time can hold.
//
// A lease is held while a run is under way, up to the job's Lease length; a
// portal that dies mid-run leaves a lease that runs out, after which another
// portal takes the job over. After a run the lease is given back with the
// time the job is next due, and until then no portal takes it.
package jobs

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/avgloket/avgloket/internal/clock"
)

// Job is one background job.
type Job struct {
	// Name identifies the job's lease; the same on every portal.
	Name string
	// Every is the time from the start of one run to when the job is next
	// due.
	Every time.Duration
	// Lease is how long one run may take. Another portal may take the job
	// over once it has passed; the run is cancelled then, so that two portals
	// do not run the job at once.
	Lease time.Duration
	// Do does the work. It must be safe to run again after a run that was
	// cut off (each of its changes in a transaction of its own).
	Do func(ctx context.Context) error
}

// Leases keeps the jobs' leases; it is implemented by the storage package,
// in the database the portals share.
type Leases interface {
	// TakeLease gives job's lease to holder until until if it is free at
	// now: absent (it is then created) or run out (its expiry ≤ now). It
	// reports whether holder took it; exactly one of several callers at the
	// same time does.
	TakeLease(ctx context.Context, job, holder string, now, until time.Time) (bool, error)
	// FinishLease records the end of holder's run (ended, and the error text,
	// "" for none) and gives the lease back until next, when the job is due
	// again. It reports false, changing nothing, when holder no longer holds
	// the lease (it ran out and another portal took it).
	FinishLease(ctx context.Context, job, holder string, ended time.Time, lastErr string, next time.Time) (bool, error)
}

// Observer is told of every run: the job, how long it took and its error.
type Observer func(job string, took time.Duration, err error)

// ErrLeaseLost is returned by Run when the run outlasted its lease and another
// portal had taken the job over by the time it ended.
var ErrLeaseLost = errors.New("jobs: the lease ran out during the run")

// maxLastError bounds the error text kept with a lease.
const maxLastError = 500

// Runner runs jobs under leases held as holder.
type Runner struct {
	leases  Leases
	holder  string
	clock   clock.Clock
	observe Observer
	log     *slog.Logger
}

// NewRunner returns a Runner that takes leases from l as holder (NewHolder),
// reads the time from c and tells observe of every run (nil: nobody). A nil
// log discards the log.
func NewRunner(l Leases, holder string, c clock.Clock, observe Observer, log *slog.Logger) *Runner {
	if observe == nil {
		observe = func(string, time.Duration, error) {}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Runner{leases: l, holder: holder, clock: c, observe: observe, log: log}
}

// NewHolder returns a name for this process as a lease holder: its host,
// its process id and a random part, so that a restarted process (whose pid
// may come again) is another holder.
func NewHolder() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), rand.Text()[:10])
}

// Run runs j if its lease can be taken now, and reports whether it ran.
//
// A run that ran is recorded with its end and its error text, and the lease
// is given back until the run's start plus j.Every. The observer is told of
// it. err is j's error, or ErrLeaseLost, or a failure of the leases; a job
// that was not due returns false, nil.
func (r *Runner) Run(ctx context.Context, j Job) (ran bool, err error) {
	start := r.clock.Now()
	taken, err := r.leases.TakeLease(ctx, j.Name, r.holder, start, start.Add(j.Lease))
	if err != nil {
		return false, fmt.Errorf("jobs: take the lease of %s: %w", j.Name, err)
	}
	if !taken {
		return false, nil
	}
	runCtx, cancel := context.WithTimeout(ctx, j.Lease)
	jobErr := j.Do(runCtx)
	cancel()
	end := r.clock.Now()
	r.observe(j.Name, end.Sub(start), jobErr)

	// The end is recorded even if ctx has ended meanwhile, so that the
	// other portals need not wait for the lease to run out.
	fctx, fcancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer fcancel()
	held, err := r.leases.FinishLease(fctx, j.Name, r.holder, end, ErrorText(jobErr), start.Add(j.Every))
	if err != nil {
		return true, errors.Join(jobErr, fmt.Errorf("jobs: give back the lease of %s: %w", j.Name, err))
	}
	if !held {
		return true, errors.Join(jobErr, ErrLeaseLost)
	}
	return true, jobErr
}

// RunDue runs each of js that is due, one after the other, and logs the
// failures. It stops early when ctx ends.
func (r *Runner) RunDue(ctx context.Context, js []Job) {
	for _, j := range js {
		if ctx.Err() != nil {
			return
		}
		if _, err := r.Run(ctx, j); err != nil && ctx.Err() == nil {
			r.log.Error("background job failed", "job", j.Name, "err", err)
		}
	}
}

// Loop runs the due jobs of js at once and then every poll, until ctx ends.
// A job thus starts between its Every and its Every+poll after its previous
// start, on whichever portal looks first.
func (r *Runner) Loop(ctx context.Context, poll time.Duration, js []Job) {
	for {
		r.RunDue(ctx, js)
		select {
		case <-ctx.Done():
			return
		case <-r.clock.After(poll):
		}
	}
}

// ErrorText is the text kept of a run's error ("" for nil): cut to a bounded
// length, with every word that holds an '@' (an e-mail address) replaced,
// since the leases are read by anyone who reads the database.
func ErrorText(err error) string {
	if err == nil {
		return ""
	}
	words := strings.Fields(err.Error())
	for i, w := range words {
		if strings.Contains(w, "@") {
			words[i] = "[address]"
		}
	}
	s := strings.Join(words, " ")
	if len(s) > maxLastError {
		s = strings.ToValidUTF8(s[:maxLastError], "")
	}
	return s
}
