package web_test

import (
	"net/http"
	"testing"

	"github.com/avgloket/avgloket/internal/staff"
)

// When staff correct the requester's e-mail address, the link mailed to
// the old address answers 404 and confirms nothing; the link mailed to the
// new address opens the tracking page and confirms it (issue 9).
func TestCorrectedAddressRevokesTheOldLink(t *testing.T) {
	a := newTestServer(t)
	a.addMember(t, "officer@praktijk.example", staff.Officer)
	officer := a.signIn(t, "officer@praktijk.example")
	form := officer.get("/staff/cases/new")
	casePath := officer.fill(form, "/staff/cases/new", "type", "access", "channel", "phone", "received_at", "2026-11-25",
		"requester.relation", "self", "requester.name", "Test Beller", "requester.email", "beler@example.nl",
		"language", "nl").location()
	old := a.trackingToken(t, "beler@example.nl")

	officer.fill(officer.get(casePath+"/edit"), casePath+"/edit", "requester.email", "beller@example.nl").location()
	requester := a.browser(t)
	if p := requester.get("/volg/" + old); p.Status != http.StatusNotFound {
		t.Fatalf("the link to the old address: status %d, want 404", p.Status)
	}
	ref := a.cases(t)[0].Reference
	if c := a.caseOf(t, ref); c.EmailConfirmedAt != nil {
		t.Fatal("the link to the old address confirmed the new one")
	}
	if p := requester.get("/volg/" + a.trackingToken(t, "beller@example.nl")); p.Status != http.StatusOK {
		t.Fatalf("the link to the new address: status %d", p.Status)
	}
	if c := a.caseOf(t, ref); c.EmailConfirmedAt == nil || c.Requester.Email != "beller@example.nl" {
		t.Fatal("the link to the new address did not confirm it")
	}
}
