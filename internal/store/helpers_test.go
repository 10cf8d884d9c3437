package store

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/store/dbtest"
	"github.com/avgloket/avgloket/internal/vault"
	"github.com/avgloket/avgloket/migrations"
)

// testEnv is a store on a fresh database with its own key ring.
type testEnv struct {
	s      *Store
	dir    string
	dbPath string // the SQLite file; on PostgreSQL, unused
	target string // what Open opens: dbPath, or a PostgreSQL URL
	keys   *vault.KeyRing
}

// newTestStore opens a store on a new database: a file in a temporary
// folder, or a new PostgreSQL database (dbtest.Target). The store is closed
// when the test ends.
func newTestStore(tb testing.TB) *testEnv {
	tb.Helper()
	dir := tb.TempDir()
	keys, err := vault.LoadOrCreate(filepath.Join(dir, "keys", "keys.json"))
	if err != nil {
		tb.Fatalf("LoadOrCreate: %v", err)
	}
	env := &testEnv{dir: dir, dbPath: filepath.Join(dir, "data", "avgloket.db"), keys: keys}
	env.target = dbtest.Target(tb, env.dbPath)
	env.s = openStore(tb, env.target, keys)
	return env
}

// openStore opens (or reopens) the database at target and closes it at the
// end of the test; closing twice is harmless.
func openStore(tb testing.TB, target string, keys *vault.KeyRing) *Store {
	tb.Helper()
	s, err := Open(tb.Context(), target, keys, slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatalf("Open(%s): %v", target, err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// migrationFiles are the SQLite migrations, as Migrate reads them.
func migrationFiles(tb testing.TB) fs.FS {
	tb.Helper()
	fsys, err := migrations.For(migrations.SQLite)
	if err != nil {
		tb.Fatal(err)
	}
	return fsys
}

var amsterdam = mustLocation("Europe/Amsterdam")

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func nlCalendar(tb testing.TB) deadline.Calendar {
	tb.Helper()
	cal, err := deadline.NewCalendar(deadline.NL, nil)
	if err != nil {
		tb.Fatalf("NewCalendar: %v", err)
	}
	return cal
}

// caseSpec describes a case for newCase; zero fields get plain defaults.
type caseSpec struct {
	name     string // requester (and, relation self, subject) name
	email    string
	subject  string
	details  string
	branch   string
	received deadline.Date
	at       time.Time // received and created at; derived from received when zero
}

// newCase builds an unsaved case as the casework service would.
func newCase(tb testing.TB, sp caseSpec) casework.Case {
	tb.Helper()
	if sp.received.IsZero() {
		sp.received = deadline.Date{Year: 2026, Month: time.November, Day: 25}
	}
	if sp.at.IsZero() {
		sp.at = sp.received.In(amsterdam).Add(10 * time.Hour)
	}
	if sp.name == "" {
		sp.name = "Jan de Vries"
	}
	if sp.email == "" {
		sp.email = "jan@example.nl"
	}
	if sp.subject == "" {
		sp.subject = sp.name
	}
	return casework.Case{
		Type:       casework.Access,
		Status:     casework.Received,
		Channel:    casework.Web,
		Branch:     sp.branch,
		ReceivedAt: sp.at,
		ReceivedOn: sp.received,
		Deadlines:  deadline.Compute(nlCalendar(tb), sp.received, 0, false),
		Language:   casework.Dutch,
		Requester:  casework.Requester{Name: sp.name, Email: sp.email, Relation: casework.Self},
		Subject:    casework.Subject{Name: sp.subject},
		Details:    sp.details,
		Identity:   casework.Identity{Status: casework.IdentityUnverified},
		CreatedAt:  sp.at,
		UpdatedAt:  sp.at,
	}
}

// ackMail is the compose function of the tests: one mail to the requester.
func ackMail(c casework.Case) ([]mail.Message, error) {
	return []mail.Message{{To: c.Requester.Email, Subject: "Ontvangen: " + c.Reference, Text: "Uw verzoek " + c.Reference}}, nil
}

// mustCreate stores c with a unique tracking token and returns it with its
// reference and id.
func mustCreate(tb testing.TB, s *Store, c casework.Case, compose func(casework.Case) ([]mail.Message, error)) casework.Case {
	tb.Helper()
	if err := create(tb, s, &c, compose); err != nil {
		tb.Fatalf("CreateCase: %v", err)
	}
	return c
}

func create(tb testing.TB, s *Store, c *casework.Case, compose func(casework.Case) ([]mail.Message, error)) error {
	tb.Helper()
	token, err := casework.NewToken()
	if err != nil {
		tb.Fatalf("NewToken: %v", err)
	}
	if compose == nil {
		compose = ackMail
	}
	nc := casework.NewCase{TrackingHash: casework.HashToken(token), TrackingExpires: c.CreatedAt.Add(casework.TrackingLinkValidity)}
	_, err = s.CreateCase(tb.Context(), c, nc, compose)
	return err
}

// allCases pages through every case in scope.
func allCases(tb testing.TB, s *Store, q casework.Query, scope casework.Scope) []casework.Case {
	tb.Helper()
	if q.Limit == 0 {
		q.Limit = 200
	}
	var out []casework.Case
	for {
		page, err := s.ListCases(tb.Context(), q, scope)
		if err != nil {
			tb.Fatalf("ListCases: %v", err)
		}
		out = append(out, page.Cases...)
		if page.Next == "" {
			return out
		}
		q.Cursor = page.Next
	}
}

func refs(cs []casework.Case) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Reference
	}
	return out
}

func wantRefs(year, from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, casework.FormatReference(year, i))
	}
	return out
}

func fmtList(s []string) string {
	if len(s) > 6 {
		return fmt.Sprintf("%v … %v (%d)", s[:3], s[len(s)-3:], len(s))
	}
	return fmt.Sprint(s)
}

// rawWrite is the write pool's gorm handle, past the writer, for tests that
// plant or tamper with rows as someone with access to the database could.
// gorm writes each dialect's placeholders.
func rawWrite(s *Store) *gorm.DB {
	if s.pgw != nil {
		return s.pgw
	}
	return s.w.db
}

// storedBytes is everything the database holds at rest, by name, for tests
// that look for personal data in clear: on SQLite the database file and its
// WAL; on PostgreSQL every row of every table as text, with bytea columns
// shown as their bytes (bytea_output 'escape'), not as hex.
func storedBytes(tb testing.TB, env *testEnv) map[string][]byte {
	tb.Helper()
	out := map[string][]byte{}
	if env.s.dialect != migrations.Postgres {
		for _, f := range []string{env.dbPath, env.dbPath + "-wal"} {
			data, err := os.ReadFile(f)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				tb.Fatal(err)
			}
			out[filepath.Base(f)] = data
		}
		return out
	}
	err := env.s.db.WithContext(tb.Context()).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SET LOCAL bytea_output = 'escape'").Error; err != nil {
			return err
		}
		var tables []string
		if err := tx.Raw("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'").
			Scan(&tables).Error; err != nil {
			return err
		}
		for _, t := range tables {
			var rows string
			if err := tx.Raw("SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM " + t + " t").Row().Scan(&rows); err != nil {
				return err
			}
			out["table "+t] = []byte(rows)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}
