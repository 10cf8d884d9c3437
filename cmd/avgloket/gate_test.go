package main

import (
	"testing"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
)

// The app wires the identity work among the case service's decision gates:
// a parent's request about a child is not granted while the proofs of
// representation are missing (DOMAIN.md §4).
func TestAppGatesDecisionsOnRepresentationProofs(t *testing.T) {
	t.Parallel()
	app := startApp(t, appOptions{})
	ref := mustFile(t, app.URL, parentRequest())

	owner := casework.Actor{Scope: allScope}
	_, err := app.cases.Decide(t.Context(), owner, ref, casework.Decision{Outcome: casework.Granted, Reasons: "Kopie via de beveiligde link."})
	if apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("granting without proofs: %v, want a Conflict from the identity gate", err)
	}
	c, err := app.cases.Case(t.Context(), owner, ref)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status == casework.Completed {
		t.Errorf("the case was decided without its proofs")
	}
}
