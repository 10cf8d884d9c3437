package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/store/dbtest"
	"github.com/avgloket/avgloket/migrations"
)

// writerProbe watches and steers a store's writer without sleeping: queued
// receives once for every job put in the queue, and hold occupies the
// writer so that the jobs queued meanwhile form the next batch.
type writerProbe struct {
	s      *Store
	queued chan struct{}
}

// probeWriter must be called before the store's first write.
func probeWriter(tb testing.TB, s *Store) *writerProbe {
	tb.Helper()
	p := &writerProbe{s: s, queued: make(chan struct{}, 1024)}
	s.w.queued = func() { p.queued <- struct{}{} }
	return p
}

// waitQueued returns once n more jobs have been queued.
func (p *writerProbe) waitQueued(n int) {
	for range n {
		<-p.queued
	}
}

// hold queues a job that blocks the writer and returns once it runs; the
// writer goes on when release is called, and done gives that job's answer.
func (p *writerProbe) hold(tb testing.TB) (release func(), done <-chan error) {
	tb.Helper()
	running, unblock := make(chan struct{}), make(chan struct{})
	answer := make(chan error, 1)
	go func() {
		answer <- p.s.write(context.Background(), func(*gorm.DB) error {
			close(running)
			<-unblock
			return nil
		})
	}()
	<-running
	p.waitQueued(1)
	return func() { close(unblock) }, answer
}

// goWrite runs fn through write on a goroutine of its own and returns its
// answer's channel.
func (p *writerProbe) goWrite(ctx context.Context, fn func(tx *gorm.DB) error) <-chan error {
	answer := make(chan error, 1)
	go func() { answer <- p.s.write(ctx, fn) }()
	return answer
}

// insertBranch is a job that adds the branch code.
func insertBranch(code string) func(tx *gorm.DB) error {
	return func(tx *gorm.DB) error {
		return tx.Create(&branchRow{Code: code, Name: code, CreatedAt: time.Now().UTC()}).Error
	}
}

// storedBranchCodes lists the branches in the database, read through the read pool.
func storedBranchCodes(tb testing.TB, s *Store) []string {
	tb.Helper()
	var codes []string
	if err := s.db.Model(&branchRow{}).Order("code").Pluck("code", &codes).Error; err != nil {
		tb.Fatalf("read branches: %v", err)
	}
	return codes
}

func counters(s *Store) (commits, ran int64) { return s.w.commits.Load(), s.w.ran.Load() }

// Many clients creating cases at once: no error, every case stored once
// with its own reference, and the writes shared transactions.
func TestWriterManyClientsCreateCases(t *testing.T) {
	env := newTestStore(t)
	const clients, each = 64, 4
	var commits0, ran0 int64
	if env.s.w != nil {
		commits0, ran0 = counters(env.s)
	}
	got := createAtOnce(t, env.s, clients, each)
	if want := wantRefs(2026, 1, clients*each); !slices.Equal(got, want) {
		t.Fatalf("references = %s, want %s", fmtList(got), fmtList(want))
	}
	stored := refs(allCases(t, env.s, casework.Query{}, casework.Scope{All: true}))
	slices.Sort(stored)
	if !slices.Equal(stored, got) {
		t.Errorf("stored cases = %s, want %s", fmtList(stored), fmtList(got))
	}
	if env.s.w == nil {
		return // PostgreSQL: no group commit
	}
	commits, ran := counters(env.s)
	if ran-ran0 != clients*each {
		t.Errorf("the writer ran %d jobs, want %d", ran-ran0, clients*each)
	}
	t.Logf("%d cases in %d commits", ran-ran0, commits-commits0)
}

// Jobs queued while the writer is busy commit together, in one transaction.
func TestWriterGroupsQueuedJobsInOneCommit(t *testing.T) {
	dbtest.SQLiteOnly(t, "the writer's group commit")
	env := newTestStore(t)
	p := probeWriter(t, env.s)
	const n = 20
	release, held := p.hold(t)
	commits0, ran0 := counters(env.s)
	answers := make([]<-chan error, n)
	cases := make([]casework.Case, n)
	for i := range n {
		cases[i] = newCase(t, caseSpec{name: fmt.Sprintf("Grouped %d", i)})
		ch := make(chan error, 1)
		answers[i] = ch
		go func() { ch <- create(t, env.s, &cases[i], nil) }()
	}
	p.waitQueued(n)
	release()
	if err := <-held; err != nil {
		t.Fatalf("held job: %v", err)
	}
	for i, a := range answers {
		if err := <-a; err != nil {
			t.Errorf("CreateCase %d: %v", i, err)
		}
	}
	commits, ran := counters(env.s)
	if commits-commits0 != 2 || ran-ran0 != n+1 {
		t.Errorf("commits %d, jobs %d; want 2 commits (the held job, then the %d queued) of %d jobs",
			commits-commits0, ran-ran0, n, n+1)
	}
	if stored := allCases(t, env.s, casework.Query{}, casework.Scope{All: true}); len(stored) != n {
		t.Errorf("stored %d cases, want %d", len(stored), n)
	}
}

// A job that fails, or panics, is rolled back to its savepoint and gets its
// error; the jobs beside it in the same transaction commit, and the writer
// goes on.
func TestWriterFailingJobLeavesTheOthersCommitted(t *testing.T) {
	dbtest.SQLiteOnly(t, "the writer's group commit")
	boom := errors.New("boom")
	tests := []struct {
		name    string
		bad     func(tx *gorm.DB) error
		wantErr func(error) bool
	}{
		{"error", func(tx *gorm.DB) error {
			if err := insertBranch("bad")(tx); err != nil {
				return err
			}
			return boom
		}, func(err error) bool { return errors.Is(err, boom) }},
		{"panic", func(tx *gorm.DB) error {
			if err := insertBranch("bad")(tx); err != nil {
				return err
			}
			panic("a job gone wrong")
		}, func(err error) bool {
			return apperr.CodeOf(err) == apperr.Internal && strings.Contains(err.Error(), "a job gone wrong")
		}},
		{"constraint", func(tx *gorm.DB) error {
			if err := insertBranch("bad")(tx); err != nil {
				return err
			}
			return insertBranch("bad")(tx) // UNIQUE(code)
		}, func(err error) bool { return err != nil && strings.Contains(err.Error(), "UNIQUE") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestStore(t)
			p := probeWriter(t, env.s)
			release, held := p.hold(t)
			commits0, _ := counters(env.s)
			// One at a time, so the batch runs them in this order.
			first := p.goWrite(t.Context(), insertBranch("first"))
			p.waitQueued(1)
			bad := p.goWrite(t.Context(), tt.bad)
			p.waitQueued(1)
			last := p.goWrite(t.Context(), insertBranch("last"))
			p.waitQueued(1)
			release()
			<-held
			if err := <-first; err != nil {
				t.Errorf("first job: %v", err)
			}
			if err := <-bad; !tt.wantErr(err) {
				t.Errorf("bad job = %v", err)
			}
			if err := <-last; err != nil {
				t.Errorf("last job: %v", err)
			}
			if commits, _ := counters(env.s); commits-commits0 != 2 {
				t.Errorf("commits = %d, want 2 (the held job, then the three)", commits-commits0)
			}
			if got := storedBranchCodes(t, env.s); !slices.Equal(got, []string{"first", "last"}) {
				t.Errorf("branches = %v, want [first last]", got)
			}
			// The writer lives on.
			if err := env.s.write(t.Context(), insertBranch("after")); err != nil {
				t.Fatalf("write after the bad job: %v", err)
			}
		})
	}
}

// A job whose caller gives up while it is queued never runs; one whose
// caller gives up while it runs is committed, and the caller is told so.
func TestWriterCancelledJobs(t *testing.T) {
	dbtest.SQLiteOnly(t, "the writer's group commit")
	t.Run("while queued", func(t *testing.T) {
		env := newTestStore(t)
		p := probeWriter(t, env.s)
		release, held := p.hold(t)
		ctx, cancel := context.WithCancel(t.Context())
		ran := false
		answer := p.goWrite(ctx, func(tx *gorm.DB) error {
			ran = true
			return insertBranch("cancelled")(tx)
		})
		p.waitQueued(1)
		cancel()
		if err := <-answer; !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled write = %v, want context.Canceled", err)
		}
		release()
		<-held
		// A later write passes the skipped job on its way.
		if err := env.s.write(t.Context(), insertBranch("later")); err != nil {
			t.Fatal(err)
		}
		if ran {
			t.Error("the cancelled job ran")
		}
		if got := storedBranchCodes(t, env.s); !slices.Equal(got, []string{"later"}) {
			t.Errorf("branches = %v, want [later]", got)
		}
	})
	t.Run("while running", func(t *testing.T) {
		env := newTestStore(t)
		ctx, cancel := context.WithCancel(t.Context())
		err := env.s.write(ctx, func(tx *gorm.DB) error {
			cancel()
			return insertBranch("kept")(tx)
		})
		if err != nil {
			t.Errorf("write cancelled while running = %v, want nil (it committed)", err)
		}
		if got := storedBranchCodes(t, env.s); !slices.Equal(got, []string{"kept"}) {
			t.Errorf("branches = %v, want [kept]", got)
		}
	})
	t.Run("before", func(t *testing.T) {
		env := newTestStore(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if err := env.s.write(ctx, insertBranch("never")); !errors.Is(err, context.Canceled) {
			t.Errorf("write with an ended ctx = %v, want context.Canceled", err)
		}
		if got := storedBranchCodes(t, env.s); len(got) != 0 {
			t.Errorf("branches = %v, want none", got)
		}
	})
}

// Audit entries appended by several jobs of one transaction stay one chain
// when one of those jobs is rolled back to its savepoint.
func TestWriterAuditChainAcrossSavepoints(t *testing.T) {
	dbtest.SQLiteOnly(t, "the writer's group commit")
	env := newTestStore(t)
	s := env.s
	mustAppend(t, s, auditEntry(0))
	p := probeWriter(t, s)
	release, held := p.hold(t)
	boom := errors.New("the change failed")
	var answers []<-chan error
	for i := 1; i <= 5; i++ {
		answers = append(answers, p.goWrite(t.Context(), func(tx *gorm.DB) error {
			if err := s.appendAudit(tx, auditEntry(i)); err != nil {
				return err
			}
			if i%2 == 0 {
				return boom
			}
			return nil
		}))
		p.waitQueued(1)
	}
	release()
	<-held
	for k, a := range answers {
		i := k + 1
		if err := <-a; (i%2 == 0) != errors.Is(err, boom) {
			t.Errorf("job %d = %v", i, err)
		}
	}
	mustVerify(t, s, 4) // entry 0, then 1, 3 and 5
	entries, err := s.AuditEntries(t.Context(), "", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var details []string
	for _, e := range entries {
		details = append(details, e.Detail)
	}
	if want := []string{"n=0", "n=1", "n=3", "n=5"}; !slices.Equal(details, want) {
		t.Errorf("entries = %v, want %v", details, want)
	}
}

// When SQLite ends the transaction by itself (here a job rolls it back, as
// SQLite may on a full disk), the jobs that ran in it are told they failed
// and the jobs after them run in a new transaction.
func TestWriterTransactionEndedUnderneath(t *testing.T) {
	dbtest.SQLiteOnly(t, "the writer's group commit")
	env := newTestStore(t)
	p := probeWriter(t, env.s)
	release, held := p.hold(t)
	first := p.goWrite(t.Context(), insertBranch("first"))
	p.waitQueued(1)
	ender := p.goWrite(t.Context(), func(tx *gorm.DB) error { return tx.Exec("ROLLBACK").Error })
	p.waitQueued(1)
	last := p.goWrite(t.Context(), insertBranch("last"))
	p.waitQueued(1)
	release()
	<-held
	if err := <-first; err == nil {
		t.Error("first job: nil, want an error (its transaction was rolled back)")
	}
	if err := <-ender; err == nil {
		t.Error("ending job: nil, want an error")
	}
	if err := <-last; err != nil {
		t.Errorf("last job: %v", err)
	}
	if got := storedBranchCodes(t, env.s); !slices.Equal(got, []string{"last"}) {
		t.Errorf("branches = %v, want [last]", got)
	}
}

// Close runs the jobs already queued, then refuses new ones.
func TestWriterCloseDrainsTheQueue(t *testing.T) {
	dbtest.SQLiteOnly(t, "the writer's group commit")
	env := newTestStore(t)
	p := probeWriter(t, env.s)
	release, held := p.hold(t)
	var answers []<-chan error
	for _, code := range []string{"a", "b", "c"} {
		answers = append(answers, p.goWrite(t.Context(), insertBranch(code)))
	}
	p.waitQueued(3)
	closed := make(chan error, 1)
	go func() { closed <- env.s.Close() }()
	release()
	<-held
	for _, a := range answers {
		if err := <-a; err != nil {
			t.Errorf("queued job: %v", err)
		}
	}
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := env.s.write(t.Context(), insertBranch("late")); !errors.Is(err, errClosed) {
		t.Errorf("write after Close = %v, want errClosed", err)
	}
	s := openStore(t, env.target, env.keys)
	if got := storedBranchCodes(t, s); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("branches after reopening = %v, want [a b c]", got)
	}
}

// The read pool refuses writes, so one that bypasses the writer fails in
// the tests instead of racing it.
func TestReadPoolRefusesWrites(t *testing.T) {
	env := newTestStore(t)
	const insert = "INSERT INTO branches (code, name, created_at) VALUES ('x', 'X', '2026-01-01 00:00:00+00:00')"
	readOnly := "readonly"
	if env.s.dialect == migrations.Postgres {
		readOnly = "read-only transaction"
	}
	if _, err := env.s.sql.ExecContext(t.Context(), insert); err == nil || !strings.Contains(err.Error(), readOnly) {
		t.Errorf("insert on the read pool: err = %v, want a readonly error", err)
	}
	if err := env.s.db.Create(&branchRow{Code: "y", Name: "Y", CreatedAt: time.Now().UTC()}).Error; err == nil ||
		!strings.Contains(err.Error(), readOnly) {
		t.Errorf("gorm create on the read pool: err = %v, want a readonly error", err)
	}
	if got := storedBranchCodes(t, env.s); len(got) != 0 {
		t.Errorf("branches = %v, want none", got)
	}
}
