package main

import (
	"context"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/avgloket/avgloket/internal/audit"
)

func TestAuditVerifyCommand(t *testing.T) {
	dir := t.TempDir()
	envs := map[string]string{"AVGLOKET_DATA_DIR": dir}
	mustRun(t, envs, "migrate")
	st := openData(t, dir)
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for i := range 5 {
		if err := st.AppendAudit(context.Background(), audit.Entry{At: at.Add(time.Duration(i) * time.Minute),
			Actor: audit.Staff(1), Action: audit.CaseView, Object: audit.Case(int64(i + 1)), Address: "192.0.2.7"}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	out := mustRun(t, envs, "audit", "verify")
	if !strings.Contains(out, "audit trail intact: 5 entries; last entry 5") {
		t.Fatalf("verify said %q", out)
	}

	// Someone with the database file but without the key edits an entry.
	db, onPG := rawData(t, dir)
	drop := "DROP TRIGGER audit_log_no_update"
	if onPG {
		drop += " ON audit_log"
	}
	for _, q := range []string{drop, "UPDATE audit_log SET object = 'case:9' WHERE id = 3"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	mustFail(t, envs, []string{"audit verify", "broken at entry 3"}, "audit", "verify")
}
