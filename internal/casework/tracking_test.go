package casework_test

import (
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
)

// A case keeps only the tracking links of its current address (issue 9):
// when staff correct the requester's e-mail address, every link sent to
// the old one stops working and confirms nothing; the link sent to the new
// address confirms it. A correction that leaves the address alone keeps
// the links.
func TestCorrectedAddressRevokesEarlierLinks(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 31, 0, 0, time.UTC)
	e := newEnv(t, now)
	staff := casework.Actor{ID: 0, Scope: casework.Scope{All: true}}
	c := e.submit(t, webForm("Test Aanvrager", "typo@example.nl", ""), web)
	first := e.token(t, c.Reference)
	if _, err := e.svc.SendMessage(t.Context(), staff, c.Reference, "Wij hebben uw verzoek ontvangen."); err != nil {
		t.Fatal(err)
	}
	second := e.token(t, c.Reference)
	correct := func(name, email string) casework.Case {
		t.Helper()
		e.clock.Advance(time.Hour)
		fixed, err := e.svc.Correct(t.Context(), staff, c.Reference, casework.Correction{
			Submission: webForm(name, email, ""), ReceivedAt: c.ReceivedAt, Channel: c.Channel})
		if err != nil {
			t.Fatalf("Correct: %v", err)
		}
		return fixed
	}

	correct("Test Aanvrager-Jansen", "typo@example.nl")
	if _, _, err := e.svc.Track(t.Context(), first, "192.0.2.1"); err != nil {
		t.Fatalf("a correction of the name revoked the link: %v", err)
	}
	if got := e.caseOf(t, c.Reference); got.EmailConfirmedAt == nil {
		t.Fatal("the link to the unchanged address did not confirm it")
	}

	fixed := correct("Test Aanvrager-Jansen", "juist@example.nl")
	if fixed.EmailConfirmedAt != nil {
		t.Fatal("the new address counts as confirmed")
	}
	fresh := e.token(t, c.Reference)
	for name, token := range map[string]string{"the acknowledgement": first, "the message": second} {
		_, _, err := e.svc.Track(t.Context(), token, "192.0.2.1")
		wantCode(t, err, apperr.NotFound)
		if _, err := e.svc.ByToken(t.Context(), token); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("%s's link still opens the case: %v", name, err)
		}
	}
	if got := e.caseOf(t, c.Reference); got.EmailConfirmedAt != nil {
		t.Fatal("a link sent to the old address confirmed the new one")
	}
	// Even a confirmation that raced the correction (the case read with the
	// old link just before it) confirms nothing.
	if err := e.store.ConfirmEmail(t.Context(), c.ID, casework.HashToken(first), e.clock.Now(), "192.0.2.1"); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("confirming with the old link: %v, want NotFound", err)
	}
	if got := e.caseOf(t, c.Reference); got.EmailConfirmedAt != nil {
		t.Fatal("the old link confirmed the new address")
	}

	got, _, err := e.svc.Track(t.Context(), fresh, "192.0.2.1")
	if err != nil {
		t.Fatalf("the new link: %v", err)
	}
	if got.EmailConfirmedAt == nil || got.Requester.Email != "juist@example.nl" {
		t.Fatalf("the new link did not confirm the new address: %+v", got.EmailConfirmedAt)
	}
}

func (e *env) caseOf(tb testing.TB, ref string) casework.Case {
	tb.Helper()
	c, err := e.svc.Case(tb.Context(), casework.Actor{Scope: casework.Scope{All: true}}, ref)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}
