package store

import (
	"bytes"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/store/dbtest"
	"github.com/avgloket/avgloket/internal/vault"
)

func TestOpenAppliesMigrationsOnce(t *testing.T) {
	dir := t.TempDir()
	keys, err := vault.LoadOrCreate(filepath.Join(dir, "keys.json"))
	if err != nil {
		t.Fatalf("LoadOrCreate: %v", err)
	}
	// The data folder does not exist yet: Open must create it.
	path := filepath.Join(dir, "nested", "data", "avgloket.db")

	open := func(t *testing.T) (*Store, string) {
		t.Helper()
		var logs bytes.Buffer
		s, err := Open(t.Context(), path, keys, slog.New(slog.NewTextHandler(&logs, nil)))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s, logs.String()
	}
	versions := func(t *testing.T, s *Store) []int64 {
		t.Helper()
		rows, err := s.sql.QueryContext(t.Context(), "SELECT version_id FROM goose_db_version ORDER BY id")
		if err != nil {
			t.Fatalf("read goose_db_version: %v", err)
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var v int64
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			out = append(out, v)
		}
		return out
	}

	files, err := fs.Glob(migrationFiles(t), "*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migration files: %v %v", files, err)
	}
	s, logs := open(t)
	if got := strings.Count(logs, "migration applied"); got != len(files) {
		t.Errorf("first Open logged %d applied migrations, want %d; logs:\n%s", got, len(files), logs)
	}
	// The wait is announced before it starts, with what is to come.
	announce := strings.Index(logs, fmt.Sprintf(`msg="applying database migrations" pending=%d`, len(files)))
	if announce < 0 || announce > strings.Index(logs, "migration applied") {
		t.Errorf("first Open did not say it applies %d migrations before applying them; logs:\n%s", len(files), logs)
	}
	info, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatalf("data folder: %v", err)
	}
	if perm := info.Mode().Perm(); perm != 0o700 {
		t.Errorf("data folder mode = %v, want 0700", perm)
	}
	for _, table := range []string{"practice", "branches", "staff", "staff_branches", "api_tokens", "setup_tokens",
		"case_sequences", "cases", "tracking_tokens", "idempotency_keys", "outbox"} {
		t.Run("table "+table, func(t *testing.T) {
			var n int
			err := s.db.WithContext(t.Context()).Raw("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", table).Row().Scan(&n)
			if err != nil || n != 1 {
				t.Errorf("table %s: count %d, err %v", table, n, err)
			}
		})
	}
	first := versions(t, s)
	if !slices.Contains(first, 1) {
		t.Errorf("goose_db_version = %v, want version 1 recorded", first)
	}
	// Some data, to show reopening does not touch it.
	c := mustCreate(t, s, newCase(t, caseSpec{}), nil)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s2, logs := open(t)
	defer s2.Close()
	if strings.Contains(logs, "migration applied") || strings.Contains(logs, "applying database migrations") {
		t.Errorf("reopening applied migrations again; logs:\n%s", logs)
	}
	if again := versions(t, s2); !slices.Equal(again, first) {
		t.Errorf("goose_db_version after reopen = %v, want %v", again, first)
	}
	if _, err := s2.CaseByReference(t.Context(), c.Reference, casework.Scope{All: true}); err != nil {
		t.Errorf("case after reopen: %v", err)
	}
}

// Every pooled connection must carry the pragmas, not just the first one
// (SECURITY.md item 9): each read pool connection, which is query_only too,
// and the write connection. Holding several connections at once forces the
// read pool to open distinct ones.
func TestEveryPooledConnectionHasPragmas(t *testing.T) {
	dbtest.SQLiteOnly(t, "SQLite pragmas on every pooled connection")
	env := newTestStore(t)
	const n = 6
	conns := make([]*sql.Conn, n+1)
	var wg sync.WaitGroup
	errs := make([]error, n+1)
	for i := range n {
		wg.Go(func() { conns[i], errs[i] = env.s.sql.Conn(t.Context()) })
	}
	wg.Wait()
	conns[n], errs[n] = env.s.w.sql.Conn(t.Context())
	for i, err := range errs {
		if err != nil {
			t.Fatalf("conn %d: %v", i, err)
		}
	}
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	if open := env.s.sql.Stats().OpenConnections; open < n {
		t.Fatalf("read pool has %d open connections, want at least %d", open, n)
	}
	for i, conn := range conns {
		var journal string
		var synchronous, foreignKeys, busy, queryOnly int
		q := func(pragma string, into any) {
			t.Helper()
			if err := conn.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(into); err != nil {
				t.Fatalf("conn %d: PRAGMA %s: %v", i, pragma, err)
			}
		}
		q("journal_mode", &journal)
		q("synchronous", &synchronous)
		q("foreign_keys", &foreignKeys)
		q("busy_timeout", &busy)
		q("query_only", &queryOnly)
		if journal != "wal" {
			t.Errorf("conn %d: journal_mode = %q, want wal", i, journal)
		}
		if synchronous != 2 {
			t.Errorf("conn %d: synchronous = %d, want 2 (FULL)", i, synchronous)
		}
		if foreignKeys != 1 {
			t.Errorf("conn %d: foreign_keys = %d, want 1", i, foreignKeys)
		}
		if busy <= 0 {
			t.Errorf("conn %d: busy_timeout = %d, want > 0", i, busy)
		}
		want := 1 // the read pool
		if i == n {
			want = 0 // the write connection
		}
		if queryOnly != want {
			t.Errorf("conn %d: query_only = %d, want %d", i, queryOnly, want)
		}
	}

	t.Run("foreign keys are enforced", func(t *testing.T) {
		_, err := conns[n].ExecContext(t.Context(),
			"INSERT INTO tracking_tokens (case_id, token_hash, created_at) VALUES (424242, 'x', '2026-01-01 00:00:00+00:00')")
		if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
			t.Errorf("insert with a dangling case_id: err = %v, want a FOREIGN KEY error", err)
		}
	})
}

// With _txlock=immediate a transaction holds the write lock from BEGIN on,
// before it has run a statement. A second writer that does not wait (busy
// timeout 0) is therefore refused at once while the first is open.
func TestTransactionsTakeWriteLockAtBegin(t *testing.T) {
	dbtest.SQLiteOnly(t, "SQLite's BEGIN IMMEDIATE on the write connection")
	env := newTestStore(t)
	tx, err := env.s.w.sql.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatalf("BeginTx: %v", err)
	}
	other, err := sql.Open("sqlite3", "file:"+env.dbPath+"?_busy_timeout=0")
	if err != nil {
		t.Fatalf("sql.Open: %v", err)
	}
	defer other.Close()
	insert := "INSERT INTO branches (code, name, created_at) VALUES ('x', 'X', '2026-01-01 00:00:00+00:00')"
	_, err = other.ExecContext(t.Context(), insert)
	if err == nil || !strings.Contains(err.Error(), "database is locked") {
		t.Errorf("write while an empty transaction is open: err = %v, want database is locked", err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatalf("Rollback: %v", err)
	}
	if _, err := other.ExecContext(t.Context(), insert); err != nil {
		t.Errorf("write after the transaction ended: %v", err)
	}
}

// createAtOnce has clients goroutines create each cases apiece at the same
// time, fails the test on any error, and returns the references handed
// out, sorted.
func createAtOnce(t *testing.T, s *Store, clients, each int) []string {
	t.Helper()
	var (
		mu   sync.Mutex
		got  []string
		errs []error
		wg   sync.WaitGroup
	)
	for i := range clients {
		wg.Go(func() {
			for k := range each {
				c := newCase(t, caseSpec{name: fmt.Sprintf("Client %d-%d", i, k), email: "client@example.nl"})
				err := create(t, s, &c, nil)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					got = append(got, c.Reference)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		t.Errorf("CreateCase: %v", err)
	}
	slices.Sort(got)
	return got
}

// CreateCase reads and bumps case_sequences in one transaction. Run many of
// them in parallel (go test -race): none may fail with "database is locked",
// and the references must be 1..n without gaps or duplicates.
func TestConcurrentCreateCaseNoLostUpdate(t *testing.T) {
	env := newTestStore(t)
	const workers, each = 8, 25
	got := createAtOnce(t, env.s, workers, each)
	want := wantRefs(2026, 1, workers*each)
	if !slices.Equal(got, want) {
		t.Fatalf("references = %s, want %s", fmtList(got), fmtList(want))
	}
	var last int
	if err := env.s.db.WithContext(t.Context()).Raw("SELECT last FROM case_sequences WHERE year = 2026").Row().Scan(&last); err != nil {
		t.Fatal(err)
	}
	if last != workers*each {
		t.Errorf("case_sequences.last = %d, want %d", last, workers*each)
	}
	stored := allCases(t, env.s, casework.Query{}, casework.Scope{All: true})
	if len(stored) != workers*each {
		t.Errorf("stored %d cases, want %d", len(stored), workers*each)
	}
	queued, _, err := env.s.OutboxStats(t.Context())
	if err != nil || queued != workers*each {
		t.Errorf("OutboxStats queued = %d (err %v), want %d", queued, err, workers*each)
	}
}

// containsFold reports whether data contains marker, ignoring ASCII case.
func containsFold(data []byte, marker string) bool {
	lower := bytes.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, data)
	return bytes.Contains(lower, []byte(strings.ToLower(marker))) ||
		bytes.Contains(data, []byte(marker))
}

// Personal data are sealed before they reach a row: a marker put in every
// personal field of a case and its mail is not in the database file, its
// WAL or shared-memory file, nor in a backup (SECURITY.md item 3).
func TestEncryptedAtRest(t *testing.T) {
	dbtest.SQLiteOnly(t, "reads the database file and a VACUUM INTO backup")
	env := newTestStore(t)
	token, err := casework.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	marker := "Zqxmarker" + strings.NewReplacer("-", "", "_", "").Replace(token[:12])
	c := newCase(t, caseSpec{
		name:    "Anna " + marker,
		email:   strings.ToLower(marker) + "@example.nl",
		subject: "Kind " + marker,
		details: "Het gaat om " + marker + " en zijn dossier.",
	})
	c.Type = casework.Rectification
	c.Requester.Relation = casework.Parent
	c.Requester.Phone = "+31 6 1234 5678"
	c.Subject.BirthDate = deadline.Date{Year: 2015, Month: time.March, Day: 14}
	c.Specifics = casework.Specifics{Wrong: "adres " + marker, Correct: "nieuw " + marker}
	c = mustCreate(t, env.s, c, func(c casework.Case) ([]mail.Message, error) {
		return []mail.Message{{To: c.Requester.Email, Subject: "Re " + marker, Text: "Beste " + c.Requester.Name}}, nil
	})

	// Not vacuous: the marker was stored and comes back.
	back, err := env.s.CaseByReference(t.Context(), c.Reference, casework.Scope{All: true})
	if err != nil {
		t.Fatalf("CaseByReference: %v", err)
	}
	if back.Requester.Name != c.Requester.Name || back.Requester.Email != c.Requester.Email ||
		back.Subject.Name != c.Subject.Name || back.Details != c.Details || back.Specifics.Wrong != c.Specifics.Wrong ||
		back.Subject.BirthDate != c.Subject.BirthDate || back.Requester.Phone != c.Requester.Phone {
		t.Fatalf("case read back = %+v, want the stored personal data", back)
	}
	due, err := env.s.Due(t.Context(), c.CreatedAt, 10)
	if err != nil || len(due) != 1 || due[0].Message.To != c.Requester.Email || !strings.Contains(due[0].Message.Text, marker) {
		t.Fatalf("Due = %+v, %v; want the queued mail with the marker", due, err)
	}
	if found := allCases(t, env.s, casework.Query{Text: "anna " + strings.ToLower(marker)}, casework.Scope{All: true}); len(found) != 1 {
		t.Errorf("search by name found %d cases, want 1", len(found))
	}

	backup := filepath.Join(env.dir, "backup", "avgloket-backup.db")
	if err := os.MkdirAll(filepath.Dir(backup), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := env.s.Backup(t.Context(), backup); err != nil {
		t.Fatalf("Backup: %v", err)
	}

	check := func(t *testing.T, files ...string) {
		t.Helper()
		read := 0
		for _, f := range files {
			data, err := os.ReadFile(f)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				t.Fatalf("read %s: %v", f, err)
			}
			read++
			if containsFold(data, marker) {
				t.Errorf("%s (%d bytes) contains the marker in clear", filepath.Base(f), len(data))
			}
		}
		if read == 0 {
			t.Fatalf("none of %v exists", files)
		}
	}
	dbFiles := []string{env.dbPath, env.dbPath + "-wal", env.dbPath + "-shm"}
	t.Run("database files while open", func(t *testing.T) { check(t, dbFiles...) })
	t.Run("backup", func(t *testing.T) { check(t, backup) })
	if err := env.s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	t.Run("database files after close", func(t *testing.T) { check(t, dbFiles...) })
}

// A ciphertext moved to another row or column, or altered, fails to open:
// the reader gets an error and never another case's data (SECURITY.md
// item 3: associated data binds a ciphertext to table, column and row).
func TestTamperedCaseFailsClosed(t *testing.T) {
	type pair struct{ a, b casework.Case }
	exec := func(tb testing.TB, db *gorm.DB, q string, args ...any) {
		tb.Helper()
		if err := db.Exec(q, args...).Error; err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
	blob := func(tb testing.TB, db *gorm.DB, column string, id int64) []byte {
		tb.Helper()
		var b []byte
		if err := db.Raw("SELECT "+column+" FROM cases WHERE id = ?", id).Row().Scan(&b); err != nil {
			tb.Fatalf("read %s: %v", column, err)
		}
		return b
	}
	tests := []struct {
		name   string
		tamper func(tb testing.TB, db *gorm.DB, p pair)
		broken func(p pair) []string // references that must fail to open
	}{
		{
			name: "requester blobs swapped between rows",
			tamper: func(tb testing.TB, db *gorm.DB, p pair) {
				ra, rb := blob(tb, db, "requester", p.a.ID), blob(tb, db, "requester", p.b.ID)
				exec(tb, db, "UPDATE cases SET requester = ? WHERE id = ?", rb, p.a.ID)
				exec(tb, db, "UPDATE cases SET requester = ? WHERE id = ?", ra, p.b.ID)
			},
			broken: func(p pair) []string { return []string{p.a.Reference, p.b.Reference} },
		},
		{
			name: "references swapped between rows",
			tamper: func(tb testing.TB, db *gorm.DB, p pair) {
				exec(tb, db, "UPDATE cases SET reference = 'tmp' WHERE id = ?", p.a.ID)
				exec(tb, db, "UPDATE cases SET reference = ? WHERE id = ?", p.a.Reference, p.b.ID)
				exec(tb, db, "UPDATE cases SET reference = ? WHERE id = ?", p.b.Reference, p.a.ID)
			},
			broken: func(p pair) []string { return []string{p.a.Reference, p.b.Reference} },
		},
		{
			name: "subject blob copied into the requester column",
			tamper: func(tb testing.TB, db *gorm.DB, p pair) {
				exec(tb, db, "UPDATE cases SET requester = subject WHERE id = ?", p.a.ID)
			},
			broken: func(p pair) []string { return []string{p.a.Reference} },
		},
		{
			name: "outbox message copied into the details column",
			tamper: func(tb testing.TB, db *gorm.DB, p pair) {
				exec(tb, db, "UPDATE cases SET details = (SELECT message FROM outbox ORDER BY id LIMIT 1) WHERE id = ?", p.a.ID)
			},
			broken: func(p pair) []string { return []string{p.a.Reference} },
		},
		{
			name: "one bit flipped in details",
			tamper: func(tb testing.TB, db *gorm.DB, p pair) {
				b := blob(tb, db, "details", p.a.ID)
				b[len(b)-20] ^= 0x01
				exec(tb, db, "UPDATE cases SET details = ? WHERE id = ?", b, p.a.ID)
			},
			broken: func(p pair) []string { return []string{p.a.Reference} },
		},
		{
			name: "subject truncated",
			tamper: func(tb testing.TB, db *gorm.DB, p pair) {
				b := blob(tb, db, "subject", p.a.ID)
				exec(tb, db, "UPDATE cases SET subject = ? WHERE id = ?", b[:len(b)-1], p.a.ID)
			},
			broken: func(p pair) []string { return []string{p.a.Reference} },
		},
		{
			name: "requester emptied",
			tamper: func(tb testing.TB, db *gorm.DB, p pair) {
				exec(tb, db, "UPDATE cases SET requester = ? WHERE id = ?", []byte{}, p.a.ID)
			},
			broken: func(p pair) []string { return []string{p.a.Reference} },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestStore(t)
			p := pair{
				a: mustCreate(t, env.s, newCase(t, caseSpec{name: "Anna Alfa", email: "anna@example.nl", details: "alfa details"}), nil),
				b: mustCreate(t, env.s, newCase(t, caseSpec{name: "Bert Beta", email: "bert@example.nl", details: "beta details"}), nil),
			}
			tt.tamper(t, rawWrite(env.s), p)
			broken := tt.broken(p)
			for _, c := range []casework.Case{p.a, p.b} {
				got, err := env.s.CaseByReference(t.Context(), c.Reference, casework.Scope{All: true})
				if !slices.Contains(broken, c.Reference) {
					if err != nil || got.Requester.Name != c.Requester.Name {
						t.Errorf("untouched case %s: %v, requester %q", c.Reference, err, got.Requester.Name)
					}
					continue
				}
				if err == nil {
					t.Errorf("case %s opened after tampering: requester %q", c.Reference, got.Requester.Name)
					continue
				}
				if !errors.Is(err, vault.ErrDecrypt) || apperr.CodeOf(err) != apperr.Internal {
					t.Errorf("case %s: err = %v, want an internal error wrapping vault.ErrDecrypt", c.Reference, err)
				}
				if got.Reference != "" || got.Requester.Name != "" || got.Details != "" {
					t.Errorf("case %s: got data %+v along with the error", c.Reference, got)
				}
				for _, leak := range []string{"Anna", "Bert", "alfa", "beta", "@example.nl"} {
					if strings.Contains(err.Error(), leak) {
						t.Errorf("case %s: error text %q holds personal data", c.Reference, err)
					}
				}
			}
			if page, err := env.s.ListCases(t.Context(), casework.Query{Limit: 10}, casework.Scope{All: true}); err == nil {
				t.Errorf("ListCases over a tampered case returned %d cases and no error", len(page.Cases))
			}
		})
	}
}

func TestTamperedOutboxFailsClosed(t *testing.T) {
	env := newTestStore(t)
	a := mustCreate(t, env.s, newCase(t, caseSpec{name: "Anna Alfa", email: "anna@example.nl"}), nil)
	mustCreate(t, env.s, newCase(t, caseSpec{name: "Bert Beta", email: "bert@example.nl"}), nil)
	db := rawWrite(env.s)
	var ma, mb []byte
	if err := db.Raw("SELECT message FROM outbox WHERE id = 1").Row().Scan(&ma); err != nil {
		t.Fatal(err)
	}
	if err := db.Raw("SELECT message FROM outbox WHERE id = 2").Row().Scan(&mb); err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("UPDATE outbox SET message = ? WHERE id = 1", mb).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("UPDATE outbox SET message = ? WHERE id = 2", ma).Error; err != nil {
		t.Fatal(err)
	}
	due, err := env.s.Due(t.Context(), a.CreatedAt.Add(time.Hour), 10)
	if !errors.Is(err, vault.ErrDecrypt) {
		t.Errorf("Due over swapped messages: err = %v, want vault.ErrDecrypt", err)
	}
	if len(due) != 0 {
		t.Errorf("Due returned %d messages along with the error", len(due))
	}
}

// An online backup taken while cases are being filed is consistent: it
// passes integrity and foreign-key checks, every case in it opens, and its
// references are 1..n without a gap (SECURITY.md item 10).
func TestBackupDuringWrites(t *testing.T) {
	dbtest.SQLiteOnly(t, "VACUUM INTO backups")
	env := newTestStore(t)
	if _, err := env.s.AddBranch(t.Context(), practice.Branch{Code: "utrecht", Name: "Utrecht"}, time.Now()); err != nil {
		t.Fatalf("AddBranch: %v", err)
	}
	var (
		written  atomic.Int64
		started  = make(chan struct{})
		once     sync.Once
		stop     = make(chan struct{})
		wg       sync.WaitGroup
		errMu    sync.Mutex
		writeErr error
	)
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				c := newCase(t, caseSpec{branch: "utrecht"})
				if err := create(t, env.s, &c, nil); err != nil {
					errMu.Lock()
					writeErr = err
					errMu.Unlock()
					return
				}
				if written.Add(1) >= 20 {
					once.Do(func() { close(started) })
				}
			}
		})
	}
	select {
	case <-started:
	case <-time.After(30 * time.Second):
		t.Fatal("writers did not get going")
	}
	backup := filepath.Join(env.dir, "avgloket-backup.db")
	berr := env.s.Backup(t.Context(), backup)
	during := written.Load()
	close(stop)
	wg.Wait()
	if berr != nil {
		t.Fatalf("Backup: %v", berr)
	}
	if writeErr != nil {
		t.Fatalf("a write failed during the backup: %v", writeErr)
	}

	restored := openStore(t, backup, env.keys)
	if err := restored.IntegrityCheck(t.Context()); err != nil {
		t.Fatalf("IntegrityCheck of the backup: %v", err)
	}
	cases := allCases(t, restored, casework.Query{}, casework.Scope{All: true})
	got := refs(cases)
	slices.Sort(got)
	if len(got) < 20 {
		t.Fatalf("backup holds %d cases, want at least the 20 written before it started", len(got))
	}
	if want := wantRefs(2026, 1, len(got)); !slices.Equal(got, want) {
		t.Errorf("backup references = %s, want %s", fmtList(got), fmtList(want))
	}
	for _, c := range cases {
		if c.Branch != "utrecht" || c.Requester.Name != "Jan de Vries" {
			t.Fatalf("case %s in the backup = branch %q, requester %q", c.Reference, c.Branch, c.Requester.Name)
		}
	}
	t.Logf("backup holds %d cases; %d were written when it returned, %d in all", len(got), during, written.Load())
	if err := env.s.IntegrityCheck(t.Context()); err != nil {
		t.Errorf("IntegrityCheck of the live database: %v", err)
	}
}

func TestOutboxDueMarkFailedMarkSent(t *testing.T) {
	env := newTestStore(t)
	ctx := t.Context()
	t0 := time.Date(2026, 11, 25, 9, 31, 0, 500_000_000, time.UTC)
	var ids []int64
	for i, name := range []string{"Anna Alfa", "Bert Beta", "Carla Gamma"} {
		c := newCase(t, caseSpec{name: name, email: strings.ToLower(strings.Fields(name)[0]) + "@example.nl", at: t0.Add(time.Duration(i) * time.Minute)})
		mustCreate(t, env.s, c, nil)
	}
	due := func(t *testing.T, now time.Time, limit int) []mail.Queued {
		t.Helper()
		q, err := env.s.Due(ctx, now, limit)
		if err != nil {
			t.Fatalf("Due(%v): %v", now, err)
		}
		return q
	}
	to := func(q []mail.Queued) []string {
		var out []string
		for _, m := range q {
			out = append(out, m.Message.To)
		}
		return out
	}

	steps := []struct {
		name string
		act  func(t *testing.T)
		now  time.Time
		want []string
	}{
		{name: "nothing due before the first mail", now: t0.Add(-time.Nanosecond)},
		{name: "first mail due at its creation", now: t0, want: []string{"anna@example.nl"}},
		{name: "all due later, oldest first", now: t0.Add(10 * time.Minute), want: []string{"anna@example.nl", "bert@example.nl", "carla@example.nl"}},
		{
			name: "failed mail waits for its next attempt",
			act: func(t *testing.T) {
				q := due(t, t0.Add(10*time.Minute), 1)
				if len(q) != 1 || q[0].Message.To != "anna@example.nl" || q[0].Attempts != 0 {
					t.Fatalf("Due limit 1 = %+v", q)
				}
				ids = append(ids, q[0].ID)
				// next is given in Amsterdam time; the store must compare instants.
				next := t0.Add(20 * time.Minute).In(amsterdam)
				if err := markFailed(t, env.s, q[0].ID, 1, next, "421 try again later"); err != nil {
					t.Fatalf("MarkFailed: %v", err)
				}
			},
			now:  t0.Add(20*time.Minute - time.Millisecond),
			want: []string{"bert@example.nl", "carla@example.nl"},
		},
		{name: "failed mail due again at its next attempt", now: t0.Add(20 * time.Minute), want: []string{"bert@example.nl", "carla@example.nl", "anna@example.nl"}},
		{
			name: "sent mails are not due again",
			act: func(t *testing.T) {
				for _, q := range due(t, t0.Add(time.Hour), 10) {
					if q.Message.To == "anna@example.nl" && q.Attempts != 1 {
						t.Errorf("retried mail has %d attempts, want 1", q.Attempts)
					}
					if q.Message.To != "carla@example.nl" {
						if err := env.s.MarkSent(ctx, q.ID, t0.Add(time.Hour)); err != nil {
							t.Fatalf("MarkSent: %v", err)
						}
					}
				}
			},
			now:  t0.Add(24 * time.Hour),
			want: []string{"carla@example.nl"},
		},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.act != nil {
				st.act(t)
			}
			if got := to(due(t, st.now, 10)); !slices.Equal(got, st.want) {
				t.Errorf("Due(%s) = %v, want %v", st.now.Format(time.RFC3339Nano), got, st.want)
			}
		})
	}
	queued, sent, err := env.s.OutboxStats(ctx)
	if err != nil || queued != 1 || sent != 2 {
		t.Errorf("OutboxStats = %d queued, %d sent, %v; want 1, 2", queued, sent, err)
	}
	var lastErr string
	if err := env.s.db.WithContext(ctx).Raw("SELECT last_error FROM outbox WHERE id = ?", ids[0]).Row().Scan(&lastErr); err != nil || lastErr != "" {
		t.Errorf("last_error after MarkSent = %q, %v; want it cleared", lastErr, err)
	}
}

// NextDue tells the worker when to wake: the earliest next attempt of an
// unsent mail, a failed one's retry included; nothing once all are sent.
func TestOutboxNextDue(t *testing.T) {
	env := newTestStore(t)
	ctx := t.Context()
	t0 := time.Date(2026, 11, 25, 9, 31, 0, 500_000_000, time.UTC)
	next := func(t *testing.T) (time.Time, bool) {
		t.Helper()
		at, ok, err := env.s.NextDue(ctx)
		if err != nil {
			t.Fatalf("NextDue: %v", err)
		}
		return at, ok
	}
	if _, ok := next(t); ok {
		t.Fatal("NextDue of an empty outbox says something is waiting")
	}
	mustCreate(t, env.s, newCase(t, caseSpec{name: "Anna Alfa", email: "anna@example.nl", at: t0}), nil)
	if at, ok := next(t); !ok || !at.Equal(t0) {
		t.Errorf("NextDue = %v, %v; want %v", at, ok, t0)
	}
	q, err := env.s.Due(ctx, t0, 10)
	if err != nil || len(q) != 1 {
		t.Fatalf("Due = %v, %v", q, err)
	}
	if err := markFailed(t, env.s, q[0].ID, 1, t0.Add(time.Minute), "451 later"); err != nil {
		t.Fatal(err)
	}
	if at, ok := next(t); !ok || !at.Equal(t0.Add(time.Minute)) {
		t.Errorf("NextDue after a failure = %v, %v; want %v", at, ok, t0.Add(time.Minute))
	}
	if err := env.s.MarkSent(ctx, q[0].ID, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if at, ok := next(t); ok {
		t.Errorf("NextDue with everything sent = %v", at)
	}
}

// The Query doc says zero values select everything; a zero Limit must not
// crash the store (it used to index views[-1]).
func TestListCasesZeroLimit(t *testing.T) {
	env := newTestStore(t)
	for range 3 {
		mustCreate(t, env.s, newCase(t, caseSpec{}), nil)
	}
	page, err := env.s.ListCases(t.Context(), casework.Query{}, casework.Scope{All: true})
	if err != nil {
		t.Fatalf("ListCases: %v", err)
	}
	if got := refs(page.Cases); !slices.Equal(got, wantRefs(2026, 1, 3)) || page.Next != "" {
		t.Errorf("ListCases with zero limit = %v, next %q; want every case on one page", got, page.Next)
	}
}

func TestListCasesCursorAndScope(t *testing.T) {
	env := newTestStore(t)
	for _, code := range []string{"amsterdam", "utrecht"} {
		if _, err := env.s.AddBranch(t.Context(), practice.Branch{Code: code, Name: code}, time.Now()); err != nil {
			t.Fatalf("AddBranch: %v", err)
		}
	}
	days := []int{20, 3, 20, 11, 1, 3, 24}
	for i, d := range days {
		branch := "amsterdam"
		if i%2 == 1 {
			branch = "utrecht"
		}
		mustCreate(t, env.s, newCase(t, caseSpec{branch: branch, received: deadline.Date{Year: 2026, Month: time.October, Day: d}}), nil)
	}
	tests := []struct {
		name  string
		q     casework.Query
		scope casework.Scope
		want  []string // references in list order
	}{
		// Due dates: Oct 1 → Nov 2, Oct 3 → Nov 3, Oct 11 → Nov 11, Oct 20 → Nov 20, Oct 24 → Nov 24.
		{name: "all by due date then reference", q: casework.Query{Limit: 3}, scope: casework.Scope{All: true},
			want: []string{"AVG-2026-0005", "AVG-2026-0002", "AVG-2026-0006", "AVG-2026-0004", "AVG-2026-0001", "AVG-2026-0003", "AVG-2026-0007"}},
		{name: "officer of utrecht", q: casework.Query{Limit: 2}, scope: casework.Scope{Branches: []string{"utrecht"}},
			want: []string{"AVG-2026-0002", "AVG-2026-0006", "AVG-2026-0004"}},
		{name: "no branches in scope", q: casework.Query{Limit: 2}, scope: casework.Scope{}},
		{name: "branch filter inside a wider scope", q: casework.Query{Limit: 2, Branch: "amsterdam"},
			scope: casework.Scope{Branches: []string{"amsterdam", "utrecht"}},
			want:  []string{"AVG-2026-0005", "AVG-2026-0001", "AVG-2026-0003", "AVG-2026-0007"}},
		{name: "branch filter outside the scope", q: casework.Query{Limit: 2, Branch: "amsterdam"},
			scope: casework.Scope{Branches: []string{"utrecht"}}},
		{name: "due before", q: casework.Query{Limit: 2, DueBefore: deadline.Date{Year: 2026, Month: time.November, Day: 11}},
			scope: casework.Scope{All: true}, want: []string{"AVG-2026-0005", "AVG-2026-0002", "AVG-2026-0006"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := refs(allCases(t, env.s, tt.q, tt.scope))
			if !slices.Equal(got, tt.want) {
				t.Errorf("list = %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("malformed cursor", func(t *testing.T) {
		for _, cur := range []string{"!!!", encodeCursorRaw("no separator"), encodeCursorRaw("2026-13-01|AVG-2026-0001")} {
			_, err := env.s.ListCases(t.Context(), casework.Query{Limit: 2, Cursor: cur}, casework.Scope{All: true})
			if e := apperr.As(err); err == nil || e.Code != apperr.Invalid || e.Fields["cursor"] == "" {
				t.Errorf("cursor %q: err = %v, want Invalid on cursor", cur, err)
			}
		}
	})
}

func encodeCursorRaw(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
