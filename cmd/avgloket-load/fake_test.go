package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// fakeEnv makes the test binary act as a small avgloket (fakePortal), so
// that the harness's own runs are tested end to end without building the
// portal: the same commands, /healthz, the two API calls, a SQLite file
// written durably before each answer, SIGTERM and SIGKILL.
const fakeEnv = "AVGLOAD_FAKE_PORTAL"

// fakeLoseEvery makes the fake answer 201 without storing every n-th
// submission, so that a test can see the harness notice.
const fakeLoseEnv = "AVGLOAD_FAKE_LOSE_EVERY"

func TestMain(m *testing.M) {
	if os.Getenv(fakeEnv) == "1" {
		if err := fakePortal(os.Args[1:]); err != nil {
			fmt.Fprintln(os.Stderr, "fake portal:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func fakePortal(args []string) error {
	if len(args) < 1 {
		return fmt.Errorf("no command")
	}
	cmd, rest := args[0], args[1:]
	if cmd != "serve" && len(rest) > 0 {
		cmd, rest = cmd+" "+rest[0], rest[1:]
	}
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	data := fs.String("data", "", "")
	addr := fs.String("addr", "", "")
	for _, f := range []string{"name", "address", "kvk", "country", "privacy-email", "email", "role", "label"} {
		fs.String(f, "", "")
	}
	if err := fs.Parse(rest); err != nil {
		return err
	}
	db, err := fakeDB(*data)
	if err != nil {
		return err
	}
	defer db.Close()
	switch cmd {
	case "practice set", "user add":
		return nil
	case "token add":
		fmt.Println("API token (shown once):\nfake-token")
		return nil
	case "serve":
		return fakeServe(db, *addr)
	}
	return fmt.Errorf("unknown command %q", cmd)
}

func fakeDB(dir string) (*sql.DB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "avgloket.db")+"?_journal_mode=WAL&_synchronous=FULL&_txlock=immediate&_busy_timeout=10000")
	if err != nil {
		return nil, err
	}
	_, err = db.Exec("CREATE TABLE IF NOT EXISTS cases (id INTEGER PRIMARY KEY, email TEXT NOT NULL, idem TEXT UNIQUE)")
	return db, err
}

func fakeServe(db *sql.DB, addr string) error {
	loseEvery, _ := strconv.Atoi(os.Getenv(fakeLoseEnv))
	var n atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("POST /api/v1/requests", func(w http.ResponseWriter, r *http.Request) {
		var body submission
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var id int64
		err := db.QueryRow("INSERT INTO cases (email, idem) VALUES (?, ?) RETURNING id", body.Requester.Email, r.Header.Get("Idempotency-Key")).Scan(&id)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if k := n.Add(1); loseEvery > 0 && k%int64(loseEvery) == 0 {
			_, _ = db.Exec("DELETE FROM cases WHERE id = ?", id)
		}
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]string{"reference": fmt.Sprintf("AVG-2026-%04d", id)})
	})
	mux.HandleFunc("GET /api/v1/cases", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer fake-token" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		after, _ := strconv.ParseInt(r.URL.Query().Get("cursor"), 10, 64)
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		rows, err := db.Query("SELECT id, email FROM cases WHERE id > ? ORDER BY id LIMIT ?", after, limit)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer rows.Close()
		type requester struct {
			Email string `json:"email"`
		}
		type item struct {
			Reference string    `json:"reference"`
			Requester requester `json:"requester"`
		}
		out := struct {
			Cases []item  `json:"cases"`
			Next  *string `json:"next_cursor"`
		}{Cases: []item{}}
		var last int64
		for rows.Next() {
			var e string
			if err := rows.Scan(&last, &e); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			out.Cases = append(out.Cases, item{fmt.Sprintf("AVG-2026-%04d", last), requester{e}})
		}
		if len(out.Cases) == limit {
			c := strconv.FormatInt(last, 10)
			out.Next = &c
		}
		_ = json.NewEncoder(w).Encode(out)
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	go func() { <-ctx.Done(); _ = srv.Shutdown(context.Background()) }()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}

// fakeCommon points the harness at the test binary acting as the portal.
func fakeCommon(t *testing.T) common {
	t.Helper()
	t.Setenv(fakeEnv, "1")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c := common{portal: self, addr: "127.0.0.1:0"}
	if err := c.check(); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSubmitEndToEnd(t *testing.T) {
	c := fakeCommon(t)
	res, err := runSubmit(t.Context(), c, submitConfig{clients: 4, duration: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if bad := res.failed(); len(bad) > 0 {
		t.Fatalf("failed: %v", bad)
	}
	if res.acked == 0 || res.verdict.Found != res.acked || res.lat.N != res.acked {
		t.Errorf("acknowledged %d, found %d, timed %d: want all the same and more than 0", res.acked, res.verdict.Found, res.lat.N)
	}
	if res.ready <= 0 || res.idleRSS <= 0 || res.peakRSS <= 0 || res.integrity != "ok" {
		t.Errorf("ready %v, RSS %d/%d, integrity %q: want all measured", res.ready, res.idleRSS, res.peakRSS, res.integrity)
	}
}

func TestSubmitCrashEndToEnd(t *testing.T) {
	c := fakeCommon(t)
	const clients = 4
	res, err := runSubmit(t.Context(), c, submitConfig{clients: clients, duration: 600 * time.Millisecond, crash: true})
	if err != nil {
		t.Fatal(err)
	}
	if bad := res.failed(); len(bad) > 0 {
		t.Fatalf("failed: %v", bad)
	}
	if res.acked == 0 || res.afterKill != "ok" || res.restartReady <= 0 {
		t.Errorf("acknowledged %d, integrity after the kill %q, restart ready %v", res.acked, res.afterKill, res.restartReady)
	}
	if res.cut > clients {
		t.Errorf("%d requests cut by the kill, want at most one per client", res.cut)
	}
}

func TestSubmitNoticesALostSubmission(t *testing.T) {
	c := fakeCommon(t)
	t.Setenv(fakeLoseEnv, "5")
	res, err := runSubmit(t.Context(), c, submitConfig{clients: 2, duration: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.verdict.Lost == 0 || len(res.failed()) == 0 {
		t.Errorf("a fake that drops every fifth submission passed: %s", res.verdict)
	}
}

func TestSubmitRefusesWhatItCannotCheck(t *testing.T) {
	for _, cfg := range []submitConfig{
		{clients: 0, duration: time.Second},
		{clients: maxClients + 1, duration: time.Second},
		{clients: 1, duration: maxDuration + time.Second},
		{clients: 1, duration: time.Second, crash: true, smtpDown: true},
	} {
		if err := cfg.check(); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}
