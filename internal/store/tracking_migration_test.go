package store

import (
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/avgloket/avgloket/internal/store/dbtest"
)

// Migration 0016 revokes the tracking links mailed before the latest
// correction of a case's e-mail address, and keeps every other link
// working: those mailed after it, and those of a case whose name alone was
// corrected.
func TestMigrationRevokesLinksToCorrectedAddresses(t *testing.T) {
	dbtest.SQLiteOnly(t, "SQLite's migration history; PostgreSQL starts from the 0036 baseline")
	env := newTestStore(t)
	ctx := t.Context()
	moved := mustCreate(t, env.s, newCase(t, caseSpec{email: "typo@example.nl"}), nil)
	renamed := mustCreate(t, env.s, newCase(t, caseSpec{name: "Piet Jansen", email: "piet@example.nl"}), nil)
	p, err := goose.NewProvider(goose.DialectSQLite3, env.s.w.sql, migrationFiles(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 15); err != nil {
		t.Fatalf("down: %v", err)
	}
	at := moved.CreatedAt.UTC()
	for _, q := range []struct {
		query string
		args  []any
	}{
		{"INSERT INTO case_events (case_id, at, kind, visible, data) VALUES (?, ?, 'corrected', 0, ?)",
			[]any{moved.ID, at.Add(time.Hour), `{"fields":"requester.name requester.email"}`}},
		{"INSERT INTO tracking_tokens (case_id, token_hash, created_at, expires_at) VALUES (?, 'to-the-new-address', ?, ?)",
			[]any{moved.ID, at.Add(time.Hour), at.Add(24 * time.Hour)}},
		{"INSERT INTO case_events (case_id, at, kind, visible, data) VALUES (?, ?, 'corrected', 0, ?)",
			[]any{renamed.ID, at.Add(time.Hour), `{"fields":"requester.name"}`}},
	} {
		if _, err := env.s.w.sql.ExecContext(ctx, q.query, q.args...); err != nil {
			t.Fatalf("%s: %v", q.query, err)
		}
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up: %v", err)
	}
	count := func(caseID int64) int {
		var n int
		if err := env.s.db.WithContext(ctx).Raw("SELECT count(*) FROM tracking_tokens WHERE case_id = ?", caseID).Row().Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(moved.ID); n != 1 {
		t.Errorf("the case whose address was corrected keeps %d links, want 1 (the one mailed after)", n)
	}
	if _, err := env.s.CaseByTracking(ctx, "to-the-new-address", at.Add(2*time.Hour)); err != nil {
		t.Errorf("the link mailed after the correction: %v", err)
	}
	if n := count(renamed.ID); n != 1 {
		t.Errorf("the case whose name was corrected keeps %d links, want its 1", n)
	}
}
