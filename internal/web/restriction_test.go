package web_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/staff"
)

// queueMarked returns the references the queue page p marks as restricted.
func (a *testApp) queueMarked(p *page) []string {
	var out []string
	for _, td := range p.find(func(n *html.Node) bool { return n.Data == "td" }) {
		text := textContent(td)
		if strings.HasPrefix(strings.TrimSpace(text), "AVG-") && strings.Contains(text, a.nl("queue.restricted")) {
			out = append(out, strings.Fields(text)[0])
		}
	}
	return out
}

// TestRestrictionPath walks a restriction (AVG art. 18) from received to
// completed on the case page, and on to its lifting: the form comes
// prefilled from the request and its problems come back next to the
// fields; the restricted activity is marked on the case and the case in the
// queue; the decision letter lists what is restricted, on which ground and
// until when, and that the requester is told before it is lifted; the
// lifting is announced for a later day with a mail queued at once (none
// when the announcement is refused); on that day the restriction shows as
// lifted and the queue's mark goes.
func TestRestrictionPath(t *testing.T) {
	a := newBreachApp(t)
	a.breachMember(t, "u@delinde.example", "Uri Utrecht", staff.Officer, "utrecht")
	officer := a.signIn(t, "u@delinde.example")
	filed := a.api(t, http.MethodPost, "/api/v1/requests", "", with(newRequest("Romy Beperk", "romy@example.nl"), "type", "restriction",
		"branch", "utrecht", "specifics", object{"restriction_data": "De diagnose in het verslag van maart", "restriction_ground": "accuracy"}))
	if filed.Status != http.StatusCreated {
		t.Fatalf("file: %d %s", filed.Status, filed.Body)
	}
	ref := filed.object()["reference"].(string)
	other := a.fileRequest(t, "Olga Anders", "olga@example.nl", "utrecht")
	path := "/staff/cases/" + ref

	p := officer.get(path)
	wantStatus(t, p, http.StatusOK)
	// Before any activity is chosen the step waits for them, without its
	// section.
	if p.byID("h-restriction") != nil || !strings.Contains(p.text(), a.nl("plan.step.restriction")+" Stand van deze stap: "+a.nl("plan.blocked.activities")) {
		t.Fatalf("the restriction step does not wait for the activities:\n%s", p.text())
	}
	wantStatus(t, officer.submit(path+"/activities", "activities.activities", "client-file", "activities.activities", "invoicing"), http.StatusSeeOther)

	p = officer.get(path)
	if got := p.checked("restriction.ground"); !slices.Equal(got, []string{casework.RestrictionAccuracy}) {
		t.Errorf("the ground the requester asked for is not chosen: %v", got)
	}
	if got := p.fieldValue("restriction.data"); got != "De diagnose in het verslag van maart" {
		t.Errorf("data prefilled as %q", got)
	}
	// No end: the problem shows next to its field, and nothing is stored.
	bad := officer.submit(path+"/restriction", "restriction.activities", "client-file", "restriction.data", "De diagnose",
		"restriction.ground", casework.RestrictionAccuracy, "restriction.from", "2026-11-25")
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	if got := bad.textOf("f-restriction-until-error"); !strings.Contains(got, a.nl("restriction.until_required")) {
		t.Errorf("the error next to the end date says %q", got)
	}
	if got := bad.fieldValue("restriction.data"); got != "De diagnose" {
		t.Errorf("typed data came back as %q", got)
	}
	if a.caseOf(t, ref).Restriction != nil {
		t.Fatal("a refused form stored a restriction")
	}
	wantStatus(t, officer.submit(path+"/restriction", "restriction.activities", "client-file", "restriction.data", "De diagnose in het verslag van maart",
		"restriction.ground", casework.RestrictionAccuracy, "restriction.from", "2026-11-25", "restriction.until_event", "tot de juistheid is nagegaan"),
		http.StatusSeeOther)
	p = officer.get(path)
	assertShows(t, p, a.nl("flash.restriction_saved"), a.nl("restriction.state.in_force"), a.nl("restriction.mark"),
		a.nl("restriction.not_restricted"), a.nl("restriction.ground.accuracy_contested"), "tot de juistheid is nagegaan")
	if p.byID("h-restriction-lifting") == nil {
		t.Error("no lifting form once the restriction is recorded")
	}
	if got := a.queueMarked(officer.get("/staff/cases")); !slices.Equal(got, []string{ref}) {
		t.Errorf("the queue marks %v, want %s only (not %s)", got, ref, other)
	}

	wantStatus(t, officer.submit(path+"/identity", "identity.method", "email_on_file", "identity.outcome", "verified"), http.StatusSeeOther)
	// Another choice of activities leaves the record out of date: the page
	// says so, and "granted" waits until the activities fit again.
	wantStatus(t, officer.submit(path+"/activities", "activities.activities", "invoicing"), http.StatusSeeOther)
	assertShows(t, officer.get(path), a.nl("restriction.outdated"))
	early := officer.submit(path+"/decision", "decision.outcome", "granted", "decision.reasons", "Wij gaan de diagnose na.")
	wantStatus(t, early, http.StatusUnprocessableEntity)
	assertShows(t, early, a.nl("restriction.not_recorded"))
	wantStatus(t, officer.submit(path+"/activities", "activities.activities", "client-file", "activities.activities", "invoicing"), http.StatusSeeOther)
	wantStatus(t, officer.submit(path+"/decision", "decision.outcome", "granted", "decision.reasons", "Wij gaan de diagnose na."), http.StatusSeeOther)
	k := a.caseOf(t, ref)
	letter, ok, err := a.store.CaseLetter(t.Context(), k.ID)
	if err != nil || !ok {
		t.Fatalf("no decision letter: %v", err)
	}
	for _, want := range []string{"Cliëntdossier", "De diagnose in het verslag van maart", a.nl("letter.restriction.ground.accuracy_contested"),
		"25 november 2026 tot de juistheid is nagegaan", a.nl("letter.restriction.notice"), "Wij gaan de diagnose na."} {
		if !strings.Contains(letter.Body, want) {
			t.Errorf("the letter lacks %q:\n%s", want, letter.Body)
		}
	}
	if strings.Contains(letter.Body, "Facturatie") {
		t.Errorf("the letter names an activity not restricted:\n%s", letter.Body)
	}

	// Lifting: refused for today (no mail), then announced for a later day.
	mails := len(a.mailsTo(t, "romy@example.nl"))
	bad = officer.submit(path+"/restriction/lifting", "lifting.on", "2026-11-25", "lifting.reason", "Nagegaan.")
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	if got := bad.textOf("f-lifting-on-error"); !strings.Contains(got, a.nl("restriction.lift_future")) {
		t.Errorf("the error next to the day says %q", got)
	}
	if n := len(a.mailsTo(t, "romy@example.nl")); n != mails {
		t.Fatalf("a refused announcement queued %d mail(s)", n-mails)
	}
	wantStatus(t, officer.submit(path+"/restriction/lifting", "lifting.on", "2026-12-10", "lifting.reason", "De diagnose is nagegaan en klopt."),
		http.StatusSeeOther)
	sent := a.mailsTo(t, "romy@example.nl")
	if len(sent) != mails+1 || !strings.Contains(sent[len(sent)-1], "10 december 2026") || strings.Contains(sent[len(sent)-1], "De diagnose is nagegaan") {
		t.Fatalf("after the announcement the requester has %d mails, the last:\n%s", len(sent), sent[len(sent)-1])
	}
	p = officer.get(path)
	assertShows(t, p, a.nl("restriction.state.in_force"), "De diagnose is nagegaan en klopt.")
	if p.byID("h-restriction-lifting") != nil {
		t.Error("the lifting can be announced twice")
	}
	if got := a.queueMarked(officer.get("/staff/cases?all=1")); !slices.Equal(got, []string{ref}) {
		t.Errorf("before the lifting day the queue marks %v", got)
	}
	// The requester reads the day and the reason on the tracking page.
	track := a.browser(t).get("/volg/" + a.latestTrackingToken(t, "romy@example.nl"))
	assertShows(t, track, a.nl("track.kind_restriction_lifting"), "10 december 2026", "De diagnose is nagegaan en klopt.")

	a.clock.Set(time.Date(2026, time.December, 10, 8, 0, 0, 0, time.UTC))
	officer = a.signIn(t, "u@delinde.example") // the session of two weeks ago has expired
	p = officer.get(path)
	assertShows(t, p, a.nlWith("restriction.state.lifted", "Date", a.nlDate(deadline.Date{Year: 2026, Month: time.December, Day: 10})))
	if got := a.queueMarked(officer.get("/staff/cases?all=1")); len(got) != 0 {
		t.Errorf("on the lifting day the queue still marks %v", got)
	}
	var actions []string
	for _, e := range a.auditTrail(t) {
		if strings.HasPrefix(string(e.Action), "case_restriction") {
			actions = append(actions, string(e.Action)+" "+e.Detail)
		}
	}
	slices.Sort(actions)
	if !slices.Equal(actions, []string{"case_restriction ground=accuracy_contested activities=client-file", "case_restriction_lifting lift_on=2026-12-10"}) {
		t.Errorf("audited %v", actions)
	}
}

// A restriction of a requester without e-mail: the lifting queues no mail;
// the letter to print tells the day and the reason.
func TestRestrictionLiftingByPost(t *testing.T) {
	a := newBreachApp(t)
	a.breachMember(t, "u@delinde.example", "Uri Utrecht", staff.Officer, "utrecht")
	officer := a.signIn(t, "u@delinde.example")
	path := officer.fill(officer.get("/staff/cases/new"), "/staff/cases/new", "channel", "post", "type", "restriction", "branch", "utrecht",
		"received_at", "2026-11-20", "requester.relation", "self", "requester.name", "Gerrit Postma", "requester.email", "",
		"details", "Beperk mijn dossier.", "requester.address.street", "Dorpsstraat 4",
		"requester.address.postcode", "3511 AB", "requester.address.city", "Utrecht").location()
	wantStatus(t, officer.submit(path+"/activities", "activities.activities", "client-file"), http.StatusSeeOther)
	wantStatus(t, officer.submit(path+"/restriction", "restriction.activities", "client-file", "restriction.data", "Het hele dossier",
		"restriction.ground", casework.RestrictionLegalClaims, "restriction.from", "2026-11-20", "restriction.until", "2027-05-31"), http.StatusSeeOther)
	p := officer.get(path)
	assertShows(t, p, a.nl("restriction.lifting.notice_post"))
	before := len(a.outbox(t))
	wantStatus(t, officer.submit(path+"/restriction/lifting", "lifting.on", "2026-12-15", "lifting.reason", "De rechtszaak is voorbij."), http.StatusSeeOther)
	if n := len(a.outbox(t)); n != before {
		t.Fatalf("%d mail(s) queued for a case by post", n-before)
	}
	links := printLinks(officer.get(path))
	if len(links) != 2 {
		t.Fatalf("letters to print %v, want the acknowledgement and the lifting notice", links)
	}
	if text, ok := pdfText(t, officer.get(links[1])); ok {
		assertHolds(t, "the lifting notice", text, []string{"Gerrit Postma", "Dorpsstraat 4", "15 december 2026", "De rechtszaak is voorbij.",
			"artikel 18 lid 3 AVG"}, nil)
	}
}

// PUT …/restriction: 409 for another right, 422 with the fields at fault,
// 200 with the restriction in the case (and in GET), 409 once decided.
func TestAPIRestriction(t *testing.T) {
	a := newBreachApp(t)
	owner := a.addToken(t, a.addMember(t, "eigenaar@delinde.example", staff.Owner))
	access := a.fileRequest(t, "Ivo Inzage", "ivo@example.nl", "utrecht")
	filed := a.api(t, http.MethodPost, "/api/v1/requests", "", with(newRequest("Rik Beperkt", "rik@example.nl"), "type", "restriction", "branch", "utrecht"))
	if filed.Status != http.StatusCreated {
		t.Fatalf("file: %d %s", filed.Status, filed.Body)
	}
	ref := filed.object()["reference"].(string)
	put := func(ref string, body object) apiResponse {
		return a.api(t, http.MethodPut, "/api/v1/cases/"+ref+"/restriction", owner, body)
	}
	good := object{"activities": []string{"invoicing"}, "data": "De facturen van 2025", "ground": "legal_claims", "from": "2026-11-25", "until": "2027-03-01"}
	if res := put(access, good); res.Status != http.StatusConflict {
		t.Errorf("on an access case: %d %s", res.Status, res.Body)
	}
	if res := put(ref, good); res.Status != http.StatusUnprocessableEntity || res.errorFields()["activities"] != a.en("restriction.no_activities") {
		t.Errorf("before choosing activities: %d %s", res.Status, res.Body)
	}
	if res := a.api(t, http.MethodPut, "/api/v1/cases/"+ref+"/activities", owner, object{"activities": []string{"client-file", "invoicing"}}); res.Status != http.StatusOK {
		t.Fatalf("activities: %d %s", res.Status, res.Body)
	}
	for _, tc := range []struct {
		name  string
		body  object
		field string
	}{
		{"an activity not chosen", with(good, "activities", []string{"newsletter"}), "activities"},
		{"a ground outside art. 18(1)", with(good, "ground", "because"), "ground"},
		{"a day and an event", with(good, "until_event", "tot de zaak voorbij is"), "until_event"},
		{"from before the request", with(good, "from", "2026-01-01"), "from"},
	} {
		if res := put(ref, tc.body); res.Status != http.StatusUnprocessableEntity || res.errorFields()[tc.field] == "" {
			t.Errorf("%s: %d %s, want 422 on %s", tc.name, res.Status, res.Body, tc.field)
		}
	}
	res := put(ref, good)
	if res.Status != http.StatusOK {
		t.Fatalf("PUT: %d %s", res.Status, res.Body)
	}
	got, _ := a.api(t, http.MethodGet, "/api/v1/cases/"+ref, owner, nil).object()["restriction"].(map[string]any)
	if got["ground"] != "legal_claims" || got["until"] != "2027-03-01" || got["data"] != "De facturen van 2025" || got["until_event"] != nil {
		t.Errorf("GET the case: restriction %v", got)
	}
	if _, ok := a.api(t, http.MethodGet, "/api/v1/cases/"+access, owner, nil).object()["restriction"]; ok {
		t.Error("an access case shows a restriction")
	}
	decide := a.api(t, http.MethodPost, "/api/v1/cases/"+ref+"/decision", owner, object{"outcome": "refused", "ground": "no_restriction_ground",
		"reasons": "Geen van de gronden van artikel 18 lid 1 AVG is van toepassing."})
	if decide.Status != http.StatusOK {
		t.Fatalf("decision: %d %s", decide.Status, decide.Body)
	}
	if res := put(ref, good); res.Status != http.StatusConflict {
		t.Errorf("PUT on a decided case: %d, want 409", res.Status)
	}
}
