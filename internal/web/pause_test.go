package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/staff"
)

// The clock of DOMAIN.md §8 as staff and the requester see it: a question
// sent on day 11 pauses the case and is flagged; the paused case is not
// overdue in the queue, the tracking page says the date moves, and staff
// withdraw the question with a reason, which the requester reads.
func TestQuestionPauseThroughThePages(t *testing.T) {
	a := newTestServer(t, withBranches("utrecht"))
	a.addMember(t, "officer@praktijk.example", staff.Officer, "utrecht")
	res := a.api(t, http.MethodPost, "/api/v1/requests", "", map[string]any{
		"type": "access", "requester": map[string]any{"name": "Test Ouder", "email": "ouder@example.org", "relation": "parent"},
		"subject": map[string]any{"name": "Test Kind", "birth_date": "2013-05-01"}, "branch": "utrecht"})
	if res.Status != http.StatusCreated {
		t.Fatalf("file: %d %s", res.Status, res.Body)
	}
	ref := res.object()["reference"].(string)

	a.clock.Advance(11 * 24 * time.Hour) // 6 December
	officer := a.signIn(t, "officer@praktijk.example")
	officer.submit("/staff/cases/"+ref+"/ask", "ask.method", "email_on_file", "ask.text", "Klopt uw adres nog?").location()
	page := officer.get("/staff/cases/" + ref)
	// Paused on 6 December; an answer today would move 28 December by 0
	// days, so the running date is still Monday 28 December.
	assertShows(t, page, "stilgezet sinds zondag 6 december 2026", "maandag 28 december 2026", "mogelijk niet ‘zonder onnodige vertraging’")

	a.clock.Advance(30 * 24 * time.Hour) // 5 January: past 28 December, still paused
	officer = a.signIn(t, "officer@praktijk.example")
	if q := officer.get("/staff/cases?overdue=1"); strings.Contains(q.Body, `href="/staff/cases/`+ref+`"`) {
		t.Fatal("a paused case is listed as overdue")
	}
	if q := officer.get("/staff/cases"); !strings.Contains(q.Body, `href="/staff/cases/`+ref+`"`) || strings.Contains(q.text(), "te laat") {
		t.Fatal("the queue does not list the paused case, or calls it late")
	}
	if page = officer.get("/staff/cases/" + ref); strings.Contains(page.text(), "te laat") {
		t.Fatal("the case page calls a paused case late")
	}
	parent := a.browser(t)
	track := parent.get("/volg/" + a.latestTrackingToken(t, "ouder@example.org"))
	assertShows(t, track, "schuift op met het aantal dagen")

	empty := officer.submit("/staff/cases/"+ref+"/question/withdraw", "withdraw.reason", " ")
	if empty.Status != http.StatusUnprocessableEntity || empty.textOf("f-withdraw-reason-error") == "" {
		t.Fatalf("withdrawal without a reason: status %d, message %q", empty.Status, empty.textOf("f-withdraw-reason-error"))
	}
	officer.submit("/staff/cases/"+ref+"/question/withdraw", "withdraw.reason", "De counsellor kent de ouder.").location()
	page = officer.get("/staff/cases/" + ref)
	// 30 days paused: 25 December + 30 = Sunday 24 January → Monday 25 January.
	assertShows(t, page, "maandag 25 januari 2027", a.nl("identity.withdrawn"), "30 dagen stilgezet")
	track = parent.get("/volg/" + a.latestTrackingToken(t, "ouder@example.org"))
	assertShows(t, track, a.nl("track.kind_info_withdrawn"), "De counsellor kent de ouder.", "maandag 25 januari 2027")
}
