package main

import (
	"bytes"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	// The pgx driver for database/sql, as "pgx".
	_ "github.com/jackc/pgx/v5/stdlib"
)

// testDatabaseEnv names the admin URL of the PostgreSQL server the suite
// runs on; unset, it runs on SQLite.
const testDatabaseEnv = "AVGLOKET_TEST_DATABASE_URL"

// testDatabase returns the --database-url of a multi run: on PostgreSQL a
// new, empty database made from the admin URL and dropped when the test
// ends; on SQLite "" (one file in the shared data folder).
func testDatabase(t *testing.T) string {
	t.Helper()
	admin := os.Getenv(testDatabaseEnv)
	if admin == "" {
		return ""
	}
	u, err := url.Parse(admin)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s: want a postgres:// URL", testDatabaseEnv)
	}
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("%s: %v", testDatabaseEnv, err)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	name := "avgloket_load_" + hex.EncodeToString(b)
	if _, err := db.ExecContext(t.Context(), "CREATE DATABASE "+name); err != nil {
		_ = db.Close()
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		defer db.Close()
		if _, err := db.Exec("DROP DATABASE " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// buildPortal builds the avgloket binary into a folder of t's.
func buildPortal(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "avgloket")
	cmd := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "github.com/avgloket/avgloket/cmd/avgloket")
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=auto")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestMultiInstances runs the real portal, twice on one database (the
// suite's: PostgreSQL when AVGLOKET_TEST_DATABASE_URL is set, else one
// SQLite file), and checks what runMulti checks: every submission stored
// once under references 1…S, each case readable through every instance,
// each acknowledgement mailed once (after a kill: once more for the mail in
// flight, and no other), the audit trail intact.
func TestMultiInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the portal and runs two instances of it")
	}
	c := common{portal: buildPortal(t), addr: "127.0.0.1:0"}
	run := func(t *testing.T, cfg multiConfig) multiResult {
		cfg.databaseURL = testDatabase(t)
		res, err := runMulti(t.Context(), c, cfg)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		printMulti(&out, res)
		t.Log("\n" + out.String())
		if bad := res.failed(); len(bad) > 0 {
			t.Errorf("failed:\n  %s", strings.Join(bad, "\n  "))
		}
		return res
	}
	t.Run("submit", func(t *testing.T) {
		res := run(t, multiConfig{instances: 2, submissions: 500, clients: 8, mailWait: 2 * time.Minute})
		if res.reads.Reads != 2*500 {
			t.Errorf("%d reads, want every case through both instances (1000)", res.reads.Reads)
		}
	})
	t.Run("kill-while-sending", func(t *testing.T) {
		res := run(t, multiConfig{instances: 2, submissions: 150, clients: 8, kill: true,
			mailDelay: 50 * time.Millisecond, lease: 4 * time.Second, mailWait: 2 * time.Minute})
		if res.killed == "" || res.inFlight == "" {
			t.Errorf("no instance was killed during a mail's answer")
		}
	})
}
