package store

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/vault"
)

// benchCases is the size of the register BenchmarkListCases lists: far more
// than a care practice will ever hold, to show that a page costs the same at
// any depth.
const benchCases = 100_000

// benchDB is the seeded database, built once per test binary and only when
// a benchmark asks for it, so plain `go test` never seeds.
var benchDB struct {
	once sync.Once
	dir  string
	s    *Store
	took time.Duration
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDB.s != nil {
		_ = benchDB.s.Close()
	}
	if benchDB.dir != "" {
		_ = os.RemoveAll(benchDB.dir)
	}
	os.Exit(code)
}

func benchStore(b *testing.B) *Store {
	b.Helper()
	benchDB.once.Do(func() {
		start := time.Now()
		benchDB.dir, benchDB.s, benchDB.err = seedBench(benchCases)
		benchDB.took = time.Since(start)
	})
	if benchDB.err != nil {
		b.Fatalf("seed: %v", benchDB.err)
	}
	return benchDB.s
}

// seedBench creates a store with n cases in two branches, spread over ten
// years. Each row is sealed by the store's own code (caseRow), since the
// associated data binds every ciphertext to its reference; rows go in with
// batched inserts in one transaction.
func seedBench(n int) (dir string, s *Store, err error) {
	ctx := context.Background()
	dir, err = os.MkdirTemp("", "avgloket-bench-*")
	if err != nil {
		return "", nil, err
	}
	keys, err := vault.LoadOrCreate(filepath.Join(dir, "keys.json"))
	if err != nil {
		return dir, nil, err
	}
	s, err = Open(ctx, filepath.Join(dir, "bench.db"), keys, slog.New(slog.DiscardHandler))
	if err != nil {
		return dir, nil, err
	}
	cal, err := deadline.NewCalendar(deadline.NL, nil)
	if err != nil {
		return dir, s, err
	}
	loc := amsterdam
	var branchIDs []int64
	for _, code := range []string{"amsterdam", "utrecht"} {
		r := branchRow{Code: code, Name: code, CreatedAt: time.Now().UTC()}
		if err := s.w.db.Create(&r).Error; err != nil {
			return dir, s, err
		}
		branchIDs = append(branchIDs, r.ID)
	}
	const perYear = 10_000
	err = s.write(ctx, func(tx *gorm.DB) error {
		rows := make([]caseRow, 0, 1000)
		flush := func() error {
			if len(rows) == 0 {
				return nil
			}
			err := tx.CreateInBatches(&rows, 500).Error
			rows = rows[:0]
			return err
		}
		for i := range n {
			year, seq := 2016+i/perYear, i%perYear+1
			received := deadline.Date{Year: year, Month: time.January, Day: 1}.AddDays((seq - 1) * 365 / perYear)
			at := received.In(loc).Add(10 * time.Hour)
			c := casework.Case{
				Reference: casework.FormatReference(year, seq), Type: casework.RequestTypes[i%len(casework.RequestTypes)],
				Status: casework.Received, Channel: casework.Web, ReceivedAt: at, ReceivedOn: received,
				Deadlines: deadline.Compute(cal, received, 0, false), Language: casework.Dutch,
				Requester: casework.Requester{Name: fmt.Sprintf("Klant %d", i), Email: fmt.Sprintf("klant%d@example.nl", i), Relation: casework.Self},
				Subject:   casework.Subject{Name: fmt.Sprintf("Klant %d", i)},
				Details:   "Graag een kopie van mijn dossier.",
				Identity:  casework.Identity{Status: casework.IdentityUnverified},
				CreatedAt: at, UpdatedAt: at,
			}
			r, err := s.caseRow(tx, c)
			if err != nil {
				return err
			}
			r.BranchID = &branchIDs[i%len(branchIDs)]
			rows = append(rows, r)
			if len(rows) == cap(rows) {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		for y := 2016; y <= 2016+(n-1)/perYear; y++ {
			last := min(perYear, n-(y-2016)*perYear)
			if err := tx.Create(&caseSequenceRow{Year: y, Last: last}).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return dir, s, err
	}
	_, err = s.w.sql.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return dir, s, err
}

// BenchmarkListCases lists a page of 50 from a register of 100,000 cases:
// the first page, a page 90,000 cases deep (keyset cursor), the same for an
// officer of one branch, and a search by full name. It runs only with
// -bench; seeding takes a few seconds, once per test binary.
func BenchmarkListCases(b *testing.B) {
	s := benchStore(b)
	b.Logf("seeded %d cases in %v", benchCases, benchDB.took.Round(time.Millisecond))
	ctx := context.Background()
	var due, ref string
	if err := s.sql.QueryRowContext(ctx,
		"SELECT due_on, reference FROM cases ORDER BY due_on, reference LIMIT 1 OFFSET 89999").Scan(&due, &ref); err != nil {
		b.Fatalf("find the deep cursor: %v", err)
	}
	deep := encodeCursor(due, ref)
	all := casework.Scope{All: true}
	utrecht := casework.Scope{Branches: []string{"utrecht"}}

	benches := []struct {
		name  string
		q     casework.Query
		scope casework.Scope
		want  int
	}{
		{name: "first_page", q: casework.Query{Limit: 50}, scope: all, want: 50},
		{name: "deep_page", q: casework.Query{Limit: 50, Cursor: deep}, scope: all, want: 50},
		{name: "branch_first_page", q: casework.Query{Limit: 50}, scope: utrecht, want: 50},
		{name: "branch_deep_page", q: casework.Query{Limit: 50, Cursor: deep}, scope: utrecht, want: 50},
		{name: "name_search", q: casework.Query{Limit: 50, Text: "klant 77777"}, scope: all, want: 1},
	}
	for _, bb := range benches {
		b.Run(bb.name, func(b *testing.B) {
			page, err := s.ListCases(ctx, bb.q, bb.scope)
			if err != nil {
				b.Fatalf("ListCases: %v", err)
			}
			if len(page.Cases) != bb.want {
				b.Fatalf("ListCases returned %d cases, want %d", len(page.Cases), bb.want)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.ListCases(ctx, bb.q, bb.scope); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
