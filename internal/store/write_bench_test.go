package store

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// rawFloorRows is how many one-row transactions measure the floor: enough
// for a steady figure, few enough to pay twice in every benchmark run.
const rawFloorRows = 200

// rawInserts opens a new database file with the portal's pragmas and returns
// an insert that commits one row as its own durable transaction.
func rawInserts(tb testing.TB) (insert func() error, done func()) {
	tb.Helper()
	db, err := sql.Open("sqlite3", DSN(filepath.Join(tb.TempDir(), "raw.db")))
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("CREATE TABLE raw (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"); err != nil {
		tb.Fatalf("create table: %v", err)
	}
	stmt, err := db.Prepare("INSERT INTO raw (v) VALUES (?)")
	if err != nil {
		tb.Fatalf("prepare: %v", err)
	}
	return func() error {
			_, err := stmt.Exec("a row of about the size of a small case's fields")
			return err
		}, func() {
			_ = stmt.Close()
			_ = db.Close()
		}
}

// floor is the limit the write benchmarks are measured against: one-row
// durable inserts per second through database/sql with the portal's pragmas
// (DSN), on this machine, now.
func floor(b *testing.B) float64 {
	b.Helper()
	insert, done := rawInserts(b)
	defer done()
	start := time.Now()
	for range rawFloorRows {
		if err := insert(); err != nil {
			b.Fatalf("raw floor: %v", err)
		}
	}
	return rawFloorRows / time.Since(start).Seconds()
}

// BenchmarkRawInsert is the floor itself: one row per durable transaction,
// one client, the portal's pragmas, a prepared statement.
func BenchmarkRawInsert(b *testing.B) {
	insert, done := rawInserts(b)
	defer done()
	for b.Loop() {
		if err := insert(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkCreateCase stores new cases (the row, its tracking token, event,
// audit entry and acknowledgement mail, as a web submission does) from 1 and
// from 64 clients at once, on a new database, and reports cases per second
// and their ratio to the raw one-row floor, measured just before and just
// after (the machine is shared; the mean of the two is the floor).
func BenchmarkCreateCase(b *testing.B) {
	for _, clients := range []int{1, 64} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			before := floor(b)
			env := newTestStore(b)
			c := newCase(b, caseSpec{name: "Bench Requester", email: "bench@example.nl", details: "Graag een kopie van mijn dossier."})
			var next atomic.Int64
			var (
				failOnce sync.Once
				failed   error
			)
			var wg sync.WaitGroup
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for range clients {
				wg.Go(func() {
					for next.Add(1) <= int64(b.N) {
						cc := c
						if err := create(b, env.s, &cc, nil); err != nil {
							failOnce.Do(func() { failed = err })
							return
						}
					}
				})
			}
			wg.Wait()
			took := time.Since(start)
			b.StopTimer()
			if failed != nil {
				b.Fatalf("CreateCase: %v", failed)
			}
			limit := (before + floor(b)) / 2
			rate := float64(b.N) / took.Seconds()
			b.ReportMetric(rate, "cases/s")
			b.ReportMetric(limit, "floor_rows/s")
			b.ReportMetric(rate/limit, "x_floor")
		})
	}
}

// BenchmarkCreateCaseInstances is BenchmarkCreateCase as the multi harness
// loads the store: 8 clients spread over the instances (two on
// PostgreSQL, each with its own pools), cases per second. On PostgreSQL
// every new case of a year waits for the one before to commit (the case
// number's row), so the figure is one over the time from taking the number
// to the commit.
func BenchmarkCreateCaseInstances(b *testing.B) {
	env := newTestStore(b)
	stores := instances(b, env)
	c := newCase(b, caseSpec{name: "Bench Requester", email: "bench@example.nl", details: "Graag een kopie van mijn dossier."})
	var next atomic.Int64
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for w := range 8 {
		s := stores[w%len(stores)]
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				cc := c
				if err := create(b, s, &cc, nil); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatalf("CreateCase: %v", err)
	}
	b.ReportMetric(float64(b.N)/took.Seconds(), "cases/s")
}
