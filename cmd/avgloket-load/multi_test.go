package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/store/dbtest"
)

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
		cfg.databaseURL = dbtest.Target(t, "") // "": SQLite, one file in the shared data folder
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
