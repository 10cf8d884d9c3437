package store

import (
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/breach"
)

// Every receiver works on the Store's one database: what a narrow receiver
// writes, the Store and the other receivers read, and its audit entries
// join the one chain that Audit verifies.
func TestReceiversShareOneDatabase(t *testing.T) {
	env := newBreachEnv(t)
	s := env.s
	for name, db := range map[string]*DB{
		"Cases": s.Cases.DB, "Breaches": s.Breaches.DB, "Staff": s.Staff.DB, "Accounts": s.Accounts.DB,
		"Audit": s.Audit.DB, "Outbox": s.Outbox.DB, "Practice": s.Practice.DB,
	} {
		if db != s.DB {
			t.Errorf("%s has a database of its own", name)
		}
	}

	aware := time.Date(2026, 3, 27, 17, 0, 0, 0, time.UTC)
	r := laptop("", aware)
	if err := s.Breaches.CreateBreach(t.Context(), &r, env.owner, aware); err != nil {
		t.Fatalf("Breaches.CreateBreach: %v", err)
	}
	got, err := s.BreachByReference(t.Context(), r.Reference, breach.Scope{All: true})
	if err != nil || got.Title != r.Title {
		t.Fatalf("Store.BreachByReference(%s) = %q, %v; want %q", r.Reference, got.Title, err, r.Title)
	}
	entries, err := s.Audit.AuditEntries(t.Context(), audit.Breach(r.ID), 0, 10)
	if err != nil || len(entries) != 1 || entries[0].Action != audit.BreachCreate {
		t.Fatalf("Audit.AuditEntries(%s) = %+v, %v; want the breach_create entry", audit.Breach(r.ID), entries, err)
	}
	if brk, n, err := s.Audit.VerifyAudit(t.Context()); err != nil || brk != nil || n == 0 {
		t.Errorf("Audit.VerifyAudit = %v, %d, %v; want an intact chain", brk, n, err)
	}
}
