package web_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/store"
)

// BenchmarkSubmit files public requests through the portal's HTTP handler
// (no network: httptest's recorder), each one a durable case with its
// acknowledgement in the outbox, by the public form and by the API. Beside
// them, "raw insert" is the floor the issue measures against: one row in its
// own durable transaction on a bare SQLite file with the portal's pragmas
// (store.DSN). Compare the ns/op of each submission with it: the ratio is
// how close a submission comes to the machine's limit. cpu-ns/op is the
// process's CPU time (every thread: handlers, SQLite, GC) per submission;
// ns/op is dominated by the wait for the disk.
func BenchmarkSubmit(b *testing.B) {
	a := newApp(b, withBranches("utrecht"))
	st := practice.Defaults()
	st.Name, st.PrivacyEmail = "Praktijk De Linde", "privacy@praktijk.example"
	if err := a.store.SaveSettings(b.Context(), st, a.clock.Now()); err != nil {
		b.Fatal(err)
	}
	serve := func(b *testing.B, req *http.Request, want int) {
		rec := httptest.NewRecorder()
		a.srv.ServeHTTP(rec, req)
		if rec.Code != want {
			b.Fatalf("%s %s: status %d, want %d\n%s", req.Method, req.URL.Path, rec.Code, want, rec.Body)
		}
	}
	n := 0
	b.Run("form", func(b *testing.B) {
		rec := httptest.NewRecorder()
		a.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/verzoek/access", nil))
		m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(rec.Body.String())
		if m == nil {
			b.Fatalf("no _csrf in the form (status %d)", rec.Code)
		}
		cookies := rec.Result().Cookies()
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			n++
			form := validForm(m[1], "bench-form-"+strconv.Itoa(n))
			req := httptest.NewRequest(http.MethodPost, "/verzoek/access", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for _, c := range cookies {
				req.AddCookie(c)
			}
			serve(b, req, http.StatusSeeOther)
		}
	})
	b.Run("api", func(b *testing.B) {
		body, err := json.Marshal(with(newRequest("Anna de Vries", "anna@example.nl"), "branch", "utrecht"))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			n++
			req := httptest.NewRequest(http.MethodPost, "/api/v1/requests", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", "bench-api-"+strconv.Itoa(n))
			serve(b, req, http.StatusCreated)
		}
	})
	b.Run("raw insert", func(b *testing.B) {
		db, err := sql.Open("sqlite3", store.DSN(filepath.Join(b.TempDir(), "raw.db")))
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			tx, err := db.BeginTx(b.Context(), nil)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := tx.Exec("INSERT INTO t (v) VALUES (?)", "one row"); err != nil {
				b.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// reportCPU measures the process's CPU time from now until the returned
// function runs, and reports it per iteration as cpu-ns/op.
func reportCPU(b *testing.B) func() {
	start := cpuTime(b)
	return func() { b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op") }
}

func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
