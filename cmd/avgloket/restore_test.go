package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/store"
	"github.com/avgloket/avgloket/internal/store/dbtest"
	"github.com/avgloket/avgloket/internal/vault"
	"github.com/avgloket/avgloket/migrations"
)

// storeCase files access request i through the store, as the portal does.
func storeCase(tb testing.TB, st *store.Store, i int) string {
	tb.Helper()
	now := time.Date(2026, time.November, 25, 9, 0, 0, 0, time.UTC)
	received := deadline.Date{Year: 2026, Month: time.November, Day: 25}
	cal, err := deadline.NewCalendar(deadline.NL, nil)
	if err != nil {
		tb.Fatal(err)
	}
	c := casework.Case{
		Type: casework.Access, Status: casework.Received, Channel: casework.Web,
		ReceivedAt: now, ReceivedOn: received, Deadlines: deadline.Compute(cal, received, 0, false), Language: casework.Dutch,
		Requester: casework.Requester{Name: fmt.Sprintf("Aanvrager %d", i), Email: fmt.Sprintf("aanvrager%d@example.org", i), Relation: casework.Self},
		Details:   "MARKER-RESTORE alles wat u over mij bewaart",
		Identity:  casework.Identity{Status: casework.IdentityUnverified}, CreatedAt: now, UpdatedAt: now,
	}
	token, err := casework.NewToken()
	if err != nil {
		tb.Fatal(err)
	}
	ack := func(c casework.Case) ([]mail.Message, error) {
		return []mail.Message{{To: c.Requester.Email, Subject: "Ontvangen " + c.Reference, Text: "Uw verzoek " + c.Reference}}, nil
	}
	if _, err := st.CreateCase(context.Background(), &c, casework.NewCase{TrackingHash: casework.HashToken(token), TrackingExpires: now.AddDate(0, 6, 0)}, ack); err != nil {
		tb.Errorf("CreateCase: %v", err)
	}
	return c.Reference
}

// wantEmptyFolder fails unless dir is empty (or absent, when it may be).
func wantEmptyFolder(tb testing.TB, dir string, absentOK bool) {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) && absentOK {
		return
	}
	if err != nil {
		tb.Fatal(err)
	}
	if len(entries) > 0 {
		names := make([]string, len(entries))
		for i, e := range entries {
			names[i] = e.Name()
		}
		tb.Errorf("%s holds %v after a refused restore, want nothing", dir, names)
	}
}

// A backup taken while cases keep being filed through the store restores
// into an empty data folder, passes every check and holds every case filed
// before it started (SECURITY.md item 10).
func TestRestoreCommand(t *testing.T) {
	dbtest.SQLiteOnly(t, "restore of a SQLite backup file; PostgreSQL is restored with pg_restore")
	t.Parallel()
	src := filepath.Join(t.TempDir(), "data")
	mustRun(t, map[string]string{"AVGLOKET_DATA_DIR": src}, "migrate")
	seed := seedKeys(t, src)
	st := openData(t, src)

	var (
		filed   []string
		mu      sync.Mutex
		n       atomic.Int64
		stop    = make(chan struct{})
		started = make(chan struct{})
		wg      sync.WaitGroup
	)
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			ref := storeCase(t, st, i)
			mu.Lock()
			filed = append(filed, ref)
			mu.Unlock()
			if n.Add(1) == 10 {
				close(started)
			}
		}
	})
	select {
	case <-started:
	case <-time.After(failsafe):
		t.Fatal("no cases filed in time")
	}
	mu.Lock()
	before := len(filed)
	mu.Unlock()
	backupPath := filepath.Join(t.TempDir(), "backup.db")
	r := runCLI(t, context.Background(), map[string]string{"AVGLOKET_DATA_DIR": src}, "backup", "--to", backupPath)
	during := n.Load()
	close(stop)
	wg.Wait()
	if r.err != nil {
		t.Fatalf("backup: %v", r.err)
	}
	if during <= int64(before) {
		t.Logf("no case was filed while the backup ran (%d before, %d after)", before, during)
	}

	dst := filepath.Join(t.TempDir(), "restored")
	envs := map[string]string{"AVGLOKET_DATA_DIR": dst, "AVGLOKET_KEY_FILE": filepath.Join(src, "keys.json")}
	out := mustRun(t, envs, "restore", "--from", backupPath)
	t.Logf("restore printed:\n%s", out)
	for _, want := range []string{"copied " + backupPath, "integrity_check ok", "foreign_key_check ok", "opens the backup's check value",
		"migrations applied", "audit trail intact", "files/"} {
		if !strings.Contains(out, want) {
			t.Errorf("restore's report does not say %q", want)
		}
	}
	if fi, err := os.Stat(filepath.Join(dst, "avgloket.db")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("restored database: %v, %v; want mode 0600", fi, err)
	}
	if tmp, _ := filepath.Glob(filepath.Join(dst, ".restore-*")); len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}

	keys, err := vault.LoadOrCreate(filepath.Join(src, "keys.json"))
	if err != nil {
		t.Fatal(err)
	}
	restored, err := store.Open(context.Background(), filepath.Join(dst, "avgloket.db"), keys, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	mu.Lock()
	refs := filed[:before]
	mu.Unlock()
	scope := casework.Scope{All: true}
	for _, ref := range append(refs, seed.ref) {
		if _, err := restored.CaseByReference(context.Background(), ref, scope); err != nil {
			t.Errorf("case %s, filed before the backup, is not in the restored database: %v", ref, err)
		}
	}
	if out := mustRun(t, envs, "audit", "verify"); !strings.Contains(out, "intact") {
		t.Errorf("audit verify on the restored database: %q", out)
	}
	// A second restore into the same folder is refused and changes nothing.
	mustFail(t, envs, []string{"restore", "holds a database already"}, "restore", "--from", backupPath)
	if _, err := restored.CaseByReference(context.Background(), seed.ref, scope); err != nil {
		t.Errorf("after the refused restore: %v", err)
	}
}

// A restore that fails a check removes what it wrote and says why.
func TestRestoreRefuses(t *testing.T) {
	dbtest.SQLiteOnly(t, "restore of a SQLite backup file; PostgreSQL is restored with pg_restore")
	t.Parallel()
	src := filepath.Join(t.TempDir(), "data")
	srcEnvs := map[string]string{"AVGLOKET_DATA_DIR": src}
	mustRun(t, srcEnvs, "migrate")
	st := openData(t, src)
	storeCase(t, st, 1)
	st.Close()
	dir := t.TempDir()
	backupPath := filepath.Join(dir, "backup.db")
	mustRun(t, srcEnvs, "backup", "--to", backupPath)
	backup, err := os.ReadFile(backupPath)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	truncated := write("truncated.db", backup[:len(backup)/2])
	notSQLite := write("notes.txt", []byte("dit is geen database\n"))
	otherKeys := filepath.Join(t.TempDir(), "other-keys.json")
	if _, err := vault.LoadOrCreate(otherKeys); err != nil {
		t.Fatal(err)
	}
	// A backup from before the key check value (migration 0038).
	old := write("old.db", backup)
	raw, err := sql.Open("sqlite3", store.DSN(old))
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := migrations.For(migrations.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, fsys)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(context.Background(), 37); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("PRAGMA journal_mode = DELETE"); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	keyFile := filepath.Join(src, "keys.json")
	tests := []struct {
		name    string
		from    string
		keyFile string
		want    []string
	}{
		{"truncated", truncated, keyFile, []string{"fails its check", "nothing was kept"}},
		{"not a database", notSQLite, keyFile, []string{"not an SQLite database"}},
		{"missing backup", filepath.Join(dir, "none.db"), keyFile, []string{"none.db"}},
		{"no key file", backupPath, filepath.Join(dir, "keys.json"), []string{"no key file", "AVGLOKET_KEY_FILE"}},
		{"another key file", backupPath, otherKeys, []string{"does not belong to the backup", "check value"}},
		{"another key file, old backup", old, otherKeys, []string{"does not belong to the backup", "sealed values"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := t.TempDir()
			envs := map[string]string{"AVGLOKET_DATA_DIR": dst, "AVGLOKET_KEY_FILE": tt.keyFile}
			err := mustFail(t, envs, append([]string{"restore"}, tt.want...), "restore", "--from", tt.from)
			t.Log(err)
			wantEmptyFolder(t, dst, false)
			// A data folder that did not exist is not left behind.
			fresh := filepath.Join(t.TempDir(), "new")
			envs["AVGLOKET_DATA_DIR"] = fresh
			mustFail(t, envs, []string{"restore"}, "restore", "--from", tt.from)
			wantEmptyFolder(t, fresh, true)
		})
	}
	mustFail(t, srcEnvs, []string{"restore", "--from"}, "restore")
	mustFail(t, srcEnvs, []string{"restore", "holds a database already"}, "restore", "--from", backupPath)

	// The old backup restores with its own key file and gets its check value.
	dst := t.TempDir()
	out := mustRun(t, map[string]string{"AVGLOKET_DATA_DIR": dst, "AVGLOKET_KEY_FILE": keyFile}, "restore", "--from", old)
	if !strings.Contains(out, "predates the key check value") || !strings.Contains(out, "audit trail intact") {
		t.Errorf("restore of an old backup printed:\n%s", out)
	}
}
