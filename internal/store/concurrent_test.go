package store

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/store/dbtest"
	"github.com/avgloket/avgloket/migrations"
)

// instances returns the test's store and, on PostgreSQL, a second store on
// the same database: another portal instance, with pools of its own.
func instances(tb testing.TB, env *testEnv) []*Store {
	tb.Helper()
	out := []*Store{env.s}
	if env.s.dialect == migrations.Postgres {
		out = append(out, openStore(tb, env.target, env.keys))
	}
	return out
}

// Audited changes from 8 writers at once, on two instances on PostgreSQL,
// where each write is its own transaction: the audit trail stays one chain
// (the advisory lock in appendAudit), 200 entries that verify.
func TestAuditChainUnderConcurrentWriters(t *testing.T) {
	env := newTestStore(t)
	stores := instances(t, env)
	const writers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		s := stores[w%len(stores)]
		wg.Go(func() {
			for i := range each {
				// Changes that touch a shared row (a branch bumps
				// practice_version) queue on that row's lock anyway; an
				// entry of its own (a view, a sign-in) touches nothing
				// else. Both kinds, interleaved.
				var err error
				if i%2 == 0 {
					b := practice.Branch{Code: fmt.Sprintf("b%d-%d", w, i), Name: fmt.Sprintf("Vestiging %d-%d", w, i)}
					_, err = s.AddBranchAudited(t.Context(), b, cacheWho)
				} else {
					err = s.AppendAudit(t.Context(), auditEntry(w*each+i))
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("AddBranchAudited: %v", err)
	}
	mustVerify(t, env.s, writers*each)
	head, err := env.s.AuditHead(t.Context())
	if err != nil || head.LastID != writers*each {
		t.Errorf("AuditHead = %+v, %v; want last id %d", head, err, writers*each)
	}
}

// errOnPurpose rolls a write back.
var errOnPurpose = errors.New("rolled back on purpose")

// Case references under 8 concurrent writers (two instances on PostgreSQL),
// one write in five taking a number and then rolling back: the rolled-back
// numbers are handed out again, and the stored cases are numbered 1…160
// without a gap or a repeat (the case_sequences row stays locked from the
// upsert to the commit).
func TestCaseReferencesUnderConcurrentWriters(t *testing.T) {
	env := newTestStore(t)
	stores := instances(t, env)
	const writers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		s := stores[w%len(stores)]
		wg.Go(func() {
			for i := range each {
				if i%5 == 4 {
					err := s.write(t.Context(), func(tx *gorm.DB) error {
						if _, err := nextReference(tx, 2026); err != nil {
							return err
						}
						return errOnPurpose
					})
					if !errors.Is(err, errOnPurpose) {
						errs <- fmt.Errorf("rolled-back write: %v", err)
					}
					continue
				}
				c := newCase(t, caseSpec{name: fmt.Sprintf("Schrijver %d-%d", w, i), email: "schrijver@example.nl"})
				if err := create(t, s, &c, nil); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	stored := refs(allCases(t, env.s, casework.Query{}, casework.Scope{All: true}))
	slices.Sort(stored)
	if want := wantRefs(2026, 1, writers*each*4/5); !slices.Equal(stored, want) {
		t.Errorf("references = %s, want %s", fmtList(stored), fmtList(want))
	}
}

// Instances started at the same moment on one new PostgreSQL database: one
// migrates while the others wait on goose's session lock, and all open.
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	if !dbtest.OnPostgres() {
		t.Skip("PostgreSQL only: the migration lock is for instances sharing a server")
	}
	env := newTestStore(t)
	target := dbtest.Target(t, "")
	const n = 4
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			s, err := Open(t.Context(), target, env.keys, slog.New(slog.DiscardHandler))
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: Open: %v", i, err)
		}
	}
	s := openStore(t, target, env.keys)
	var dups int
	if err := s.db.Raw("SELECT count(*) - count(DISTINCT version_id) FROM goose_db_version").Row().Scan(&dups); err != nil || dups != 0 {
		t.Errorf("%d migrations recorded twice (err %v)", dups, err)
	}
}

// serializationFailure aborts tx as PostgreSQL does when it cannot
// serialise two transactions (SQLSTATE 40001), and returns that error.
func serializationFailure(tx *gorm.DB) error {
	return tx.Exec(`DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$`).Error
}

// On PostgreSQL a write whose transaction is aborted for a serialization
// failure runs again, from the start, and what the failed attempt did is
// gone.
func TestPostgresWriteRetriesSerializationFailure(t *testing.T) {
	if !dbtest.OnPostgres() {
		t.Skip("PostgreSQL only: SQLite has one writer and no serialization failures")
	}
	env := newTestStore(t)
	attempts := 0
	err := env.s.write(t.Context(), func(tx *gorm.DB) error {
		attempts++
		if err := tx.Create(&branchRow{Code: fmt.Sprintf("try%d", attempts), Name: "Poging"}).Error; err != nil {
			return err
		}
		if attempts == 1 {
			return serializationFailure(tx)
		}
		return nil
	})
	if err != nil || attempts != 2 {
		t.Fatalf("write = %v after %d attempts, want success on the second", err, attempts)
	}
	if got := storedBranchCodes(t, env.s); !slices.Equal(got, []string{"try2"}) {
		t.Errorf("branches = %v, want [try2]", got)
	}
	// A panic rolls back and is an error, as on SQLite.
	err = env.s.write(t.Context(), func(tx *gorm.DB) error {
		tx.Create(&branchRow{Code: "panic", Name: "Paniek"})
		panic("on purpose")
	})
	if err == nil {
		t.Error("a panicking write succeeded")
	}
	if got := storedBranchCodes(t, env.s); !slices.Equal(got, []string{"try2"}) {
		t.Errorf("branches after the panic = %v, want [try2]", got)
	}
}
