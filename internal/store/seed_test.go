package store

import (
	"fmt"
	"slices"
	"testing"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
)

// TestSeedCases: seeded cases follow a case filed before them in the
// reference sequence, across more than one transaction, open as the store
// reads them, and the next case filed the ordinary way continues the
// sequence.
func TestSeedCases(t *testing.T) {
	env := newTestStore(t)
	s := env.s
	first := mustCreate(t, s, newCase(t, caseSpec{}), nil)
	n := seedBatch + 5
	seeded := make([]casework.Case, n)
	for i := range seeded {
		seeded[i] = newCase(t, caseSpec{name: fmt.Sprintf("Proef %d", i), email: fmt.Sprintf("proef%d@example.nl", i)})
	}
	if err := s.SeedCases(t.Context(), seeded); err != nil {
		t.Fatalf("SeedCases: %v", err)
	}
	if first.Reference != casework.FormatReference(2026, 1) {
		t.Fatalf("first case %s", first.Reference)
	}
	if !slices.Equal(refs(seeded), wantRefs(2026, 2, n+1)) {
		t.Errorf("seeded references %s … %s, want %s … %s", seeded[0].Reference, seeded[n-1].Reference,
			casework.FormatReference(2026, 2), casework.FormatReference(2026, n+1))
	}
	got, err := s.CaseByReference(t.Context(), seeded[n-1].Reference, casework.Scope{All: true})
	if err != nil {
		t.Fatalf("CaseByReference: %v", err)
	}
	if got.ID != seeded[n-1].ID || got.Requester.Email != fmt.Sprintf("proef%d@example.nl", n-1) {
		t.Errorf("read back %d %q, want %d with its own address", got.ID, got.Requester.Email, seeded[n-1].ID)
	}
	if all := allCases(t, s, casework.Query{}, casework.Scope{All: true}); len(all) != n+1 {
		t.Errorf("listed %d cases, want %d", len(all), n+1)
	}
	next := mustCreate(t, s, newCase(t, caseSpec{received: deadline.Date{Year: 2026, Month: 11, Day: 26}}), nil)
	if next.Reference != casework.FormatReference(2026, n+2) {
		t.Errorf("the next case got %s, want %s", next.Reference, casework.FormatReference(2026, n+2))
	}
}
