package web_test

import (
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/avgloket/avgloket/internal/staff"
)

// assertLacks fails for every text in unwanted that the page shows.
func assertLacks(tb testing.TB, p *page, unwanted ...string) {
	tb.Helper()
	text := p.text()
	for _, u := range unwanted {
		if strings.Contains(text, u) {
			tb.Errorf("page shows %q, which it must not:\n%s", u, text)
		}
	}
}

// The staff forms speak about the requester and the colleague, never to
// them as the public form does ("Uw naam"), in Dutch and in English.
func TestStaffFormsSpeakToStaff(t *testing.T) {
	a := newTestServer(t, withBranches("amsterdam", "utrecht"))
	a.addMember(t, "eigenaar@praktijk.example", staff.Owner)
	owner := a.signIn(t, "eigenaar@praktijk.example")
	for _, tt := range []struct {
		lang         string
		want, absent []string
	}{
		{"nl", []string{"Naam van de verzoeker", "E-mailadres van de verzoeker", "Telefoonnummer van de verzoeker",
			"Over wie gaat het verzoek?", "In welke taal krijgt de verzoeker onze berichten?", "Postadres van de verzoeker"},
			[]string{"Uw naam", "Uw e-mailadres", "Uw telefoonnummer", "Wat wilt u precies?", "In welke taal wilt u", "uw kind"}},
		{"en", []string{"Requester's name", "Requester's e-mail address", "Requester's phone number",
			"Who is the request about?", "In which language does the requester get our messages?", "Requester's postal address"},
			[]string{"Your name", "Your e-mail address", "Your phone number", "What exactly would you like?", "your child"}},
	} {
		t.Run("register/"+tt.lang, func(t *testing.T) {
			p := owner.get("/staff/cases/new?lang=" + tt.lang)
			if p.Status != http.StatusOK {
				t.Fatalf("status %d", p.Status)
			}
			assertShows(t, p, tt.want...)
			assertLacks(t, p, tt.absent...)
		})
	}
	for _, tt := range []struct {
		lang, name, email, absent string
	}{
		{"nl", "Naam van de collega", "E-mailadres van de collega", "Uw naam"},
		{"en", "Colleague's name", "Colleague's e-mail address", "Your name"},
	} {
		t.Run("team/"+tt.lang, func(t *testing.T) {
			p := owner.get("/staff/team?lang=" + tt.lang)
			assertShows(t, p, tt.name, tt.email)
			assertLacks(t, p, tt.absent)
		})
	}
}

// Branches and assignees go by name wherever staff see them: the queue,
// the case page and the team list; a receipt registered without a time of
// day shows its day only, never 00:00, to staff and on the tracking page.
func TestNamesNotCodesAndNoMidnight(t *testing.T) {
	a := newTestServer(t, withBranches("amsterdam", "utrecht"))
	a.addMember(t, "eigenaar@praktijk.example", staff.Owner)
	officerMember := a.addMember(t, "ineke@praktijk.example", staff.Officer, "utrecht")
	owner := a.signIn(t, "eigenaar@praktijk.example")
	form := owner.get("/staff/cases/new")
	casePath := owner.fill(form, "/staff/cases/new", "type", "access", "channel", "email", "received_at", "2026-11-20",
		"requester.relation", "self", "requester.name", "Joke Klaver", "requester.email", "joke@example.nl",
		"branch", "utrecht", "details", "Mijn dossier.").location()
	p := owner.get(casePath)
	p = owner.fill(p, casePath+"/assign", "assign.assignee", itoa(officerMember.ID))
	if got := p.location(); got != casePath {
		t.Fatalf("assign: to %s", got)
	}

	p = owner.get(casePath)
	assertShows(t, p, "20 november 2026", "Utrecht", officerMember.Name)
	for _, dd := range p.find(func(n *html.Node) bool { return n.Data == "dd" }) {
		if text := textContent(dd); strings.Contains(text, "00:00") || strings.Contains(text, "ineke@praktijk.example") {
			t.Errorf("case page fact %q shows a made-up time or the assignee's address", text)
		}
	}
	queue := owner.get("/staff/cases")
	assertShows(t, queue, officerMember.Name, "Utrecht")
	assertLacks(t, queue, "ineke@praktijk.example")
	if edit := owner.get(casePath + "/edit"); edit.fieldValue("received_time") != "" {
		t.Errorf("edit form fills the time %q that was never given", edit.fieldValue("received_time"))
	}
	team := owner.get("/staff/team")
	for _, td := range team.find(func(n *html.Node) bool { return n.Data == "td" && attr(n, "data-label") == a.nl("queue.col_branch") }) {
		if strings.TrimSpace(textContent(td)) == "utrecht" {
			t.Errorf("team list shows the branch code %q, want its name", textContent(td))
		}
	}
	assertShows(t, team, "Utrecht")

	track := a.browser(t).get("/volg/" + a.latestTrackingToken(t, "joke@example.nl"))
	assertShows(t, track, "20 november 2026")
	assertLacks(t, track, "00:00", "utrecht", "Utrecht")

	// With a time of day, the time is shown.
	p = owner.get(casePath + "/edit")
	owner.fill(p, casePath+"/edit", "received_time", "14:35").location()
	assertShows(t, owner.get(casePath), "20 november 2026, 14:35")
}
