package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/migrations"
)

// maxBatch bounds how many jobs share one transaction: enough to turn a
// burst of 64 clients into a couple of commits, few enough that one batch
// never holds the write lock for long.
const maxBatch = 128

// errClosed answers a write asked for after Close.
var errClosed = errors.New("the database is closed")

// writer owns the one write connection. SQLite allows one writer at a time
// anyway; letting every request hold its own connection and wait on the busy
// timeout for that lock costs a connection, an OS thread and retries per
// waiter, and one fsync per request. Instead jobs queue here and one
// goroutine runs whatever has queued up in a single transaction (group
// commit): under load, one fsync makes many requests durable.
type writer struct {
	db  *gorm.DB // over sql: SetMaxOpenConns(1), BEGIN IMMEDIATE
	sql *sql.DB
	log *slog.Logger

	// mu guards closed against sends on a closed jobs: senders hold it for
	// reading while they send, Close takes it to close jobs.
	mu      sync.RWMutex
	closed  bool
	jobs    chan *writeJob
	stopped chan struct{}

	// commits counts the committed transactions and ran the jobs they ran
	// (failed ones too); the tests read them to see that commits group.
	commits, ran atomic.Int64
	// queued, when set (by a test, before any write), is called each time
	// a job has been queued.
	queued func()
}

// The states of a writeJob: the writer moves a queued job to running, or
// its caller, giving up, to cancelled; whichever comes first wins.
const (
	jobQueued int32 = iota
	jobRunning
	jobCancelled
)

type writeJob struct {
	fn    func(tx *gorm.DB) error
	state atomic.Int32
	// done carries the job's answer; buffered, so answering never waits.
	done chan error
}

func newWriter(db *gorm.DB, sqlDB *sql.DB, log *slog.Logger) *writer {
	w := &writer{db: db, sql: sqlDB, log: log, jobs: make(chan *writeJob, maxBatch), stopped: make(chan struct{})}
	go w.run()
	return w
}

// write runs fn in a write transaction and returns once that transaction is
// committed (durable: synchronous=FULL) or has failed. fn may share the
// transaction with other jobs that were queued at the same time; each runs
// inside its own savepoint, so an error or a panic from fn undoes fn's own
// changes only and is returned here, while the others commit. A failed
// commit fails every job of the transaction.
//
// fn runs on the writer's goroutine with the writer's context: its
// statements are not interrupted when ctx ends (an interrupted write undoes
// the whole shared transaction). If ctx ends while the job is still queued,
// write returns ctx.Err() and fn never runs; once fn has started, write
// waits for the transaction and returns its outcome, so a change that was
// committed is never reported as failed and fn never runs after write has
// returned.
//
// fn must not call write (directly or through a store method that writes):
// the writer would wait for itself. Reads inside fn go through tx; reads on
// the read pool do not see this transaction's, nor its batch's, changes.
//
// All writes to the database go through here. On PostgreSQL there is no
// group commit: fn runs in its own transaction, concurrently with others
// (writePostgres).
func (d *DB) write(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if d.dialect == migrations.Postgres {
		return d.writePostgres(ctx, fn)
	}
	return d.w.do(ctx, fn)
}

func (w *writer) do(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	j := &writeJob{fn: fn, done: make(chan error, 1)}
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return internal(errClosed, "write")
	}
	select {
	case w.jobs <- j:
		w.mu.RUnlock()
	case <-ctx.Done():
		w.mu.RUnlock()
		return ctx.Err()
	}
	if w.queued != nil {
		w.queued()
	}
	select {
	case err := <-j.done:
		return err
	case <-ctx.Done():
		if j.state.CompareAndSwap(jobQueued, jobCancelled) {
			return ctx.Err()
		}
		return <-j.done
	}
}

// close stops taking jobs, lets the writer finish every queued one and waits
// for it.
func (w *writer) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.jobs)
	}
	w.mu.Unlock()
	<-w.stopped
}

// run takes the first queued job, everything else already queued (up to
// maxBatch) with it, and runs them as one transaction, until jobs is closed
// and empty.
func (w *writer) run() {
	defer close(w.stopped)
	var batch []*writeJob
	for {
		if len(batch) == 0 {
			j, ok := <-w.jobs
			if !ok {
				return
			}
			batch = append(batch, j)
		}
	more:
		for len(batch) < maxBatch {
			select {
			case j, ok := <-w.jobs:
				if !ok {
					break more
				}
				batch = append(batch, j)
			default:
				break more
			}
		}
		batch = w.commit(batch)
	}
}

// commit runs batch in one transaction and answers each job that ran. It
// returns the jobs it did not get to: if SQLite ended the transaction by
// itself (it may on a full disk or an I/O error), the jobs that ran have
// lost their changes and are answered with the error, and the rest wait for
// a new transaction.
func (w *writer) commit(batch []*writeJob) (rest []*writeJob) {
	ctx := context.Background()
	tx := w.db.WithContext(ctx).Begin()
	if tx.Error != nil {
		err := internal(tx.Error, "begin write transaction")
		for _, j := range batch {
			if j.state.CompareAndSwap(jobQueued, jobRunning) {
				j.done <- err
			}
		}
		return nil
	}
	ran := make([]*writeJob, 0, len(batch))
	errs := make([]error, 0, len(batch))
	for i, j := range batch {
		if !j.state.CompareAndSwap(jobQueued, jobRunning) {
			continue
		}
		ran = append(ran, j)
		err, lost := w.runJob(ctx, tx, j)
		errs = append(errs, err)
		if lost != nil {
			_ = tx.Rollback().Error
			lost = internal(lost, "write transaction ended early")
			for k, j := range ran {
				if errs[k] == nil {
					errs[k] = lost
				}
				j.done <- errs[k]
			}
			return batch[i+1:]
		}
	}
	if len(ran) == 0 {
		_ = tx.Rollback().Error
		return nil
	}
	if err := tx.Commit().Error; err != nil {
		err = internal(err, "commit")
		for _, j := range ran {
			j.done <- err
		}
		return nil
	}
	w.commits.Add(1)
	w.ran.Add(int64(len(ran)))
	for k, j := range ran {
		j.done <- errs[k]
	}
	return nil
}

// runJob runs j inside a savepoint of tx and returns j's error. lost is
// non-nil when the savepoint could not be set, released or rolled back to:
// the transaction is gone.
func (w *writer) runJob(ctx context.Context, tx *gorm.DB, j *writeJob) (err, lost error) {
	conn := tx.Statement.ConnPool
	if _, err := conn.ExecContext(ctx, "SAVEPOINT job"); err != nil {
		return err, err
	}
	if err = callWrite(w.log, tx, j.fn); err != nil {
		if _, e := conn.ExecContext(ctx, "ROLLBACK TO job"); e != nil {
			return err, e
		}
	}
	if _, e := conn.ExecContext(ctx, "RELEASE job"); e != nil {
		return err, e
	}
	return err, nil
}

// callWrite runs a write's fn, turning a panic into an error, logged with
// its stack: the caller rolls fn's changes back (a savepoint on SQLite, the
// transaction on PostgreSQL) and the process lives on.
func callWrite(log *slog.Logger, tx *gorm.DB, fn func(tx *gorm.DB) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			log.Error("a write panicked; its changes are rolled back", "panic", r, "stack", string(debug.Stack()))
			err = internal(fmt.Errorf("panic: %v", r), "write")
		}
	}()
	return fn(tx)
}

// writeOne runs one statement through write and returns its result, for
// RowsAffected; its Error is the statement's error, or else the
// transaction's.
func (d *DB) writeOne(ctx context.Context, stmt func(tx *gorm.DB) *gorm.DB) *gorm.DB {
	var res *gorm.DB
	err := d.write(ctx, func(tx *gorm.DB) error {
		res = stmt(tx)
		return res.Error
	})
	if res == nil {
		res = &gorm.DB{}
	}
	if res.Error == nil {
		res.Error = err
	}
	return res
}
