package casework_test

import (
	"context"
	"slices"
	"testing"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
)

// namedGate is a decision gate that notes that it was asked and answers
// refuse (nil: the decision may go ahead).
type namedGate struct {
	name   string
	refuse error
	asked  *[]string
}

func (g namedGate) CanDecide(context.Context, casework.Case, casework.Decision) error {
	*g.asked = append(*g.asked, g.name)
	return g.refuse
}

// Each UseGate adds to the gates: a decision passes every gate in the order
// they were added, and the first refusal stops it before the next gate.
func TestDecisionGates(t *testing.T) {
	refusal := apperr.New(apperr.Conflict, "case.gate_test")
	for _, tc := range []struct {
		name          string
		first, second error
		asked         []string
		decided       bool
	}{
		{"both pass", nil, nil, []string{"first", "second"}, true},
		{"the second refuses", nil, refusal, []string{"first", "second"}, false},
		{"the first refuses", refusal, nil, []string{"first"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newWorkflowFixture(t)
			var asked []string
			f.svc.UseGate(namedGate{name: "first", refuse: tc.first, asked: &asked})
			f.svc.UseGate(namedGate{name: "second", refuse: tc.second, asked: &asked})
			c := f.file(t, "utrecht")
			_, err := f.svc.Decide(context.Background(), f.owner, c.Reference,
				casework.Decision{Outcome: casework.Granted, Reasons: "Kopie via de beveiligde link."})
			if !slices.Equal(asked, tc.asked) {
				t.Errorf("gates asked %v, want %v", asked, tc.asked)
			}
			if tc.decided && err != nil {
				t.Fatalf("Decide: %v", err)
			}
			if !tc.decided {
				wantCode(t, err, apperr.Conflict)
			}
			got, err := f.svc.Case(context.Background(), f.owner, c.Reference)
			if err != nil {
				t.Fatal(err)
			}
			if (got.Status == casework.Completed) != tc.decided {
				t.Errorf("status %s after Decide; decided should be %v", got.Status, tc.decided)
			}
		})
	}
}
