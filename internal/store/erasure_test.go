package store

import (
	"slices"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/staff"
	"github.com/avgloket/avgloket/internal/store/dbtest"
)

// TestCaseErasureStored: the erasure items come back with the case in the
// register's order, are replaced as a whole by the next save, and the
// schema refuses a kept item without its statute.
func TestCaseErasureStored(t *testing.T) {
	env := newTestStore(t)
	s := env.s
	ctx := t.Context()
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	if _, err := s.SeedRegister(ctx, at); err != nil {
		t.Fatal(err)
	}
	c := mustCreate(t, s, newCase(t, caseSpec{}), ackMail)
	if c.Erasure == nil || len(c.Erasure) != 0 {
		t.Errorf("a new case holds erasure items %v", c.Erasure)
	}
	actor := casework.Actor{Scope: casework.Scope{All: true}}
	save := func(items []casework.ErasureItem) (casework.Case, error) {
		return s.UpdateCase(ctx, c.Reference, actor, func(k *casework.Case) (casework.Change, error) {
			return casework.Change{Erasure: &items}, nil
		})
	}
	items := []casework.ErasureItem{
		{Activity: "invoicing", Name: "Facturatie", Action: casework.ErasureKept, Ground: "AWR art. 52", Until: "2033-12-31"},
		{Activity: "client-file", Action: casework.ErasureErased, System: "cliëntdossier"},
	}
	got, err := save(items)
	if err != nil {
		t.Fatal(err)
	}
	want := []casework.ErasureItem{items[1], items[0]} // the register's order
	if !slices.Equal(got.Erasure, want) {
		t.Errorf("after the update %+v, want %+v", got.Erasure, want)
	}
	back, err := s.CaseByReference(ctx, c.Reference, casework.Scope{All: true})
	if err != nil || !slices.Equal(back.Erasure, want) {
		t.Errorf("read back %+v %v", back.Erasure, err)
	}

	if got, err = save(items[1:]); err != nil || !slices.Equal(got.Erasure, items[1:]) {
		t.Errorf("after a replacement %+v %v", got.Erasure, err)
	}
	if _, err := save([]casework.ErasureItem{{Activity: "invoicing", Action: casework.ErasureKept}}); err == nil {
		t.Error("a kept item without statute and end date was stored")
	}
	if back, _ := s.CaseByReference(ctx, c.Reference, casework.Scope{All: true}); !slices.Equal(back.Erasure, items[1:]) {
		t.Errorf("a refused save changed the items: %+v", back.Erasure)
	}
}

// Migration 0033 remakes the erasure table with the promised destruction:
// the items recorded before come through it unchanged, a scheduled item
// needs its day, and who erased comes back by name.
func TestErasureMigrationKeepsItems(t *testing.T) {
	dbtest.SQLiteOnly(t, "SQLite's migration history; PostgreSQL starts from the 0036 baseline")
	env := newTestStore(t)
	s := env.s
	ctx := t.Context()
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	if _, err := s.SeedRegister(ctx, at); err != nil {
		t.Fatal(err)
	}
	c := mustCreate(t, s, newCase(t, caseSpec{}), ackMail)
	p, err := goose.NewProvider(goose.DialectSQLite3, s.w.sql, migrationFiles(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 32); err != nil {
		t.Fatalf("down: %v", err)
	}
	if _, err := s.w.sql.ExecContext(ctx, `INSERT INTO case_erasure_items (case_id, activity, name, action, system, ground, until)
		VALUES (?, 'client-file', 'Cliëntdossier', 'erased', 'Dossierix', '', ''), (?, 'invoicing', 'Facturatie', 'kept', '', 'AWR art. 52', '2033-12-31')`,
		c.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up: %v", err)
	}
	back, err := s.CaseByReference(ctx, c.Reference, casework.Scope{All: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []casework.ErasureItem{
		{Activity: "client-file", Name: "Cliëntdossier", Action: casework.ErasureErased, System: "Dossierix"},
		{Activity: "invoicing", Name: "Facturatie", Action: casework.ErasureKept, Ground: "AWR art. 52", Until: "2033-12-31"},
	}
	if !slices.Equal(back.Erasure, want) {
		t.Errorf("after the migration %+v, want %+v", back.Erasure, want)
	}

	m, err := s.AddMember(ctx, staff.NewMember{Email: "wis@example.org", Name: "Wim Wisser", Role: staff.Officer}, at)
	if err != nil {
		t.Fatal(err)
	}
	save := func(items []casework.ErasureItem) (casework.Case, error) {
		return s.UpdateCase(ctx, c.Reference, casework.Actor{ID: m.ID, Scope: casework.Scope{All: true}}, func(k *casework.Case) (casework.Change, error) {
			return casework.Change{Erasure: &items}, nil
		})
	}
	if _, err := save([]casework.ErasureItem{{Activity: "client-file", Action: casework.ErasureScheduled, System: "Dossierix"}}); err == nil {
		t.Error("a scheduled item without its day was stored")
	}
	got, err := save([]casework.ErasureItem{
		{Activity: "client-file", Action: casework.ErasureScheduled, System: "Dossierix", Due: "2027-02-15"},
		{Activity: "newsletter", Action: casework.ErasureErased, ErasedOn: "2026-11-25", ErasedBy: m.ID},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Erasure) != 2 || got.Erasure[1].ErasedByName != "Wim Wisser" || got.DestroyBy.String() != "2027-02-15" {
		t.Errorf("saved %+v, destroy by %s", got.Erasure, got.DestroyBy)
	}
}
