package casework_test

import (
	"context"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
)

// The decision letter travels with the decision: drafting checks the
// decision as deciding does and ignores a text already typed; a letter
// longer than MaxLetter is refused with the decision (422 on "letter") and
// nothing is stored; the officer's text is stored with the case in the
// decision's transaction; a decided case has no new draft (409).
func TestDecisionLetterTravelsWithTheDecision(t *testing.T) {
	ctx := context.Background()
	f := newWorkflowFixture(t)
	c := f.file(t, "utrecht")
	withdrawn := casework.Decision{Outcome: casework.Withdrawn, WithdrawnHow: "phone", Reasons: "Ingetrokken door de verzoeker."}

	_, err := f.svc.DraftLetter(ctx, f.owner, c.Reference, casework.Decision{Outcome: casework.Refused, Reasons: "Nee."})
	if e := wantCode(t, err, apperr.Invalid); e.Fields["ground"] == "" {
		t.Errorf("draft of a refusal without a ground: fields %v", e.Fields)
	}
	typed := withdrawn
	typed.Letter = "Een oude versie."
	if l, err := f.svc.DraftLetter(ctx, f.owner, c.Reference, typed); err != nil || l.Body != "" {
		t.Fatalf("DraftLetter = %+v, %v; want a fresh draft (the fake drafts nothing)", l, err)
	}

	long := withdrawn
	long.Letter = strings.Repeat("a", casework.MaxLetter+1)
	_, err = f.svc.Decide(ctx, f.owner, c.Reference, long)
	if e := wantCode(t, err, apperr.Invalid); e.Fields["letter"] != "field.too_long" {
		t.Errorf("a letter too long: fields %v", e.Fields)
	}
	if _, ok, err := f.store.CaseLetter(ctx, c.ID); err != nil || ok {
		t.Fatalf("a refused decision stored a letter: %v, %v", ok, err)
	}

	sent := withdrawn
	sent.Letter = "Geachte heer Jansen,\n\nU trok uw verzoek in."
	decided, err := f.svc.Decide(ctx, f.owner, c.Reference, sent)
	if err != nil {
		t.Fatal(err)
	}
	l, ok, err := f.store.CaseLetter(ctx, c.ID)
	if err != nil || !ok || l.Body != sent.Letter || l.Reference != c.Reference || !l.SentAt.Equal(decided.UpdatedAt) {
		t.Fatalf("stored letter %+v (%v, %v); want the officer's text, sent at the decision %v", l, ok, err, decided.UpdatedAt)
	}
	_, err = f.svc.DraftLetter(ctx, f.owner, c.Reference, withdrawn)
	wantCode(t, err, apperr.Conflict)
}
