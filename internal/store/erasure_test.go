package store

import (
	"slices"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/casework"
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
