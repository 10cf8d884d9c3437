// Package dbtest chooses the database a test runs on: a fresh PostgreSQL
// database when AVGLOKET_TEST_DATABASE_URL names a server, else the SQLite
// file the test asks for. It does not import store, so store's own tests
// use it too.
package dbtest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	// The pgx driver for database/sql, as "pgx".
	_ "github.com/jackc/pgx/v5/stdlib"
)

// EnvURL names the environment variable holding the admin URL of the
// PostgreSQL server tests run on, e.g.
// postgres://avgloket@127.0.0.1:55432/postgres. Unset, tests use SQLite.
const EnvURL = "AVGLOKET_TEST_DATABASE_URL"

// OnPostgres reports whether this run's tests use PostgreSQL.
func OnPostgres() bool { return os.Getenv(EnvURL) != "" }

// Target returns what the test opens its store on: on PostgreSQL the URL of
// a new database (avgloket_t_<random>) that already holds every migration,
// dropped when the test ends, connections and all; else sqlitePath.
//
// A new database is a copy of a template that the migrations built once
// (template.go): copying takes a fraction of a second, applying the schema
// several seconds, and the suite opens hundreds of stores.
func Target(tb testing.TB, sqlitePath string) string {
	tb.Helper()
	admin := os.Getenv(EnvURL)
	if admin == "" {
		return sqlitePath
	}
	u, err := url.Parse(admin)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		tb.Fatalf("%s: want a postgres:// URL", EnvURL)
	}
	tmpl, err := migratedTemplate(admin)
	if err != nil {
		tb.Fatalf("%s: %v", EnvURL, err)
	}
	db, err := sql.Open("pgx", admin)
	if err != nil {
		tb.Fatalf("%s: %v", EnvURL, err)
	}
	name := "avgloket_t_" + randomHex()
	if _, err := db.ExecContext(tb.Context(), "CREATE DATABASE "+name+" TEMPLATE "+tmpl); err != nil {
		_ = db.Close()
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		defer db.Close()
		// tb.Context is done by now.
		if _, err := db.Exec("DROP DATABASE " + name + " WITH (FORCE)"); err != nil {
			tb.Errorf("drop test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

func randomHex() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// SQLiteOnly skips the test, saying why, when this run is on PostgreSQL. It
// is for tests of what exists on SQLite alone (the database file, VACUUM
// INTO backups, pragmas, the group commit), never to hide a failure.
func SQLiteOnly(tb testing.TB, why string) {
	tb.Helper()
	if OnPostgres() {
		tb.Skip("SQLite only: " + strings.TrimSpace(why))
	}
}
