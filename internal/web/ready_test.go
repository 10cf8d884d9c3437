package web_test

import (
	"database/sql"
	"encoding/json"
	"maps"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/avgloket/avgloket/internal/store"
	"github.com/avgloket/avgloket/internal/vault"
	"github.com/avgloket/avgloket/migrations"
)

// /readyz answers 200 while the database answers, no migration is pending
// and the key ring opens the check value, and 503 naming the failed check
// otherwise, without a path or an error's text.
func TestReadyz(t *testing.T) {
	a := newTestServer(t)
	b := a.browser(t)
	driver, dsn, dialect, goDialect := "sqlite3", store.DSN(a.dbTarget), migrations.SQLite, goose.DialectSQLite3
	if store.IsPostgresURL(a.dbTarget) {
		driver, dsn, dialect, goDialect = "pgx", a.dbTarget, migrations.Postgres, goose.DialectPostgres
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var checkValue []byte
	if err := raw.QueryRow("SELECT value FROM key_check").Scan(&checkValue); err != nil {
		t.Fatal(err)
	}
	other, err := vault.LoadOrCreate(filepath.Join(t.TempDir(), "keys.json"))
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := other.Seal([]byte("avgloket key check v1"), vault.AAD("key_check", "value", "1"))
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := migrations.For(dialect)
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if dialect == migrations.Postgres {
			q = strings.ReplaceAll(q, "?", "$1")
		}
		if _, err := raw.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name   string
		before func()
		status int
		checks map[string]string
		logged string
	}{
		{"ready", func() {}, http.StatusOK, map[string]string{"database": "ok", "migrations": "ok", "key": "ok"}, ""},
		{"key file changed", func() { exec("UPDATE key_check SET value = ?", foreign) }, http.StatusServiceUnavailable,
			map[string]string{"database": "ok", "migrations": "ok", "key": "failed"}, "readiness check: key"},
		{"ready again", func() { exec("UPDATE key_check SET value = ?", checkValue) }, http.StatusOK,
			map[string]string{"database": "ok", "migrations": "ok", "key": "ok"}, ""},
		// Rolling back migration 0038 drops the check value too.
		{"migration rolled back", func() {
			p, err := goose.NewProvider(goDialect, raw, fsys)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.DownTo(t.Context(), 37); err != nil {
				t.Fatal(err)
			}
		}, http.StatusServiceUnavailable, map[string]string{"database": "ok", "migrations": "pending", "key": "failed"}, "key_check"},
		{"database closed", func() { a.store.Close() }, http.StatusServiceUnavailable,
			map[string]string{"database": "failed", "migrations": "not checked", "key": "not checked"}, "readiness check: database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.before()
			p := b.get("/readyz")
			if p.Status != tt.status {
				t.Fatalf("status %d, want %d: %s", p.Status, tt.status, p.Body)
			}
			var got struct {
				Status string
				Checks map[string]string
			}
			if err := json.Unmarshal([]byte(p.Body), &got); err != nil {
				t.Fatalf("body %q: %v", p.Body, err)
			}
			wantStatus := "ready"
			if tt.status != http.StatusOK {
				wantStatus = "not ready"
			}
			if got.Status != wantStatus || !maps.Equal(got.Checks, tt.checks) {
				t.Errorf("body %s, want status %q and checks %v", p.Body, wantStatus, tt.checks)
			}
			if strings.Contains(p.Body, "/") || strings.Contains(p.Body, "sql") {
				t.Errorf("the body gives away details: %s", p.Body)
			}
			if tt.logged != "" && !strings.Contains(a.logs.String(), tt.logged) {
				t.Errorf("the log does not say %q", tt.logged)
			}
		})
	}
}
