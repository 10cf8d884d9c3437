package web_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/staff"
	"github.com/avgloket/avgloket/ui"
)

// fileOf files a request of another type than access through the public
// API and returns its reference.
func (a *testApp) fileOf(tb testing.TB, typ, name, email string, specifics object) string {
	tb.Helper()
	res := a.api(tb, http.MethodPost, "/api/v1/requests", "", with(newRequest(name, email), "type", typ, "specifics", specifics))
	if res.Status != http.StatusCreated {
		tb.Fatalf("file %s: %d %s", typ, res.Status, res.Body)
	}
	return res.object()["reference"].(string)
}

// A decision through the API names a ground the right allows, legal
// retention with its statute and end date (never the dossier term),
// "other" with an article, a withdrawal with how it came; otherwise 422
// with the field, and nothing changes.
func TestAPIDecisionGrounds(t *testing.T) {
	a := newTestServer(t)
	token := a.addToken(t, a.addMember(t, "functionaris@praktijk.example", staff.Officer))
	access := a.fileRequest(t, "Test Inzage", "inzage@example.nl", "")
	erasure := a.fileOf(t, "erasure", "Test Wissen", "wissen@example.nl", object{"erasure_scope": "all"})
	marketing := a.fileOf(t, "objection", "Test Bezwaar", "bezwaar@example.nl",
		object{"processing": "De nieuwsbrief", "direct_marketing": true})
	retention := object{"outcome": "partially_granted", "ground": "legal_retention", "statute": "art. 52 AWR", "until": "2033-12-31",
		"reasons": "Het dossier is vernietigd; de facturen bewaren wij."}
	for _, tc := range []struct {
		name   string
		ref    string
		body   object
		fields []string
		says   string // a part of the message on the first field
	}{
		{"access refused on legal retention", access, with(retention, "outcome", "refused"), []string{"ground"}, "cannot refuse"},
		{"access refused on compelling grounds", access, object{"outcome": "refused", "ground": "compelling_grounds",
			"reasons": "Wij wegen onze belangen zwaarder."}, []string{"ground"}, "cannot refuse"},
		{"direct marketing refused on compelling grounds", marketing, object{"outcome": "refused", "ground": "compelling_grounds",
			"reasons": "Wij wegen onze belangen zwaarder."}, []string{"ground"}, "cannot refuse"},
		{"legal retention without statute and end date", erasure, with(retention, "statute", "", "until", ""),
			[]string{"statute", "until"}, "Name the law"},
		{"legal retention on the youth-care dossier term", erasure, with(retention, "statute", "Jeugdwet art. 7.3.8", "until", "2046-01-01"),
			[]string{"statute"}, "within 3 months"},
		{"legal retention on the medical dossier term", erasure, with(retention, "statute", "art. 7:454 lid 3 BW", "until", "2046-01-01"),
			[]string{"statute"}, "within 3 months"},
		{"legal retention until yesterday", erasure, with(retention, "until", "2026-11-24"), []string{"until"}, "after today"},
		{"other without an article", access, object{"outcome": "refused", "ground": "other", "reasons": "Wij doen dit liever niet."},
			[]string{"reasons"}, "article"},
		{"withdrawn without how", access, object{"outcome": "withdrawn", "reasons": "De verzoeker belde."},
			[]string{"withdrawn_how"}, "how the requester withdrew"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			events, mails := a.eventCount(t, tc.ref), len(a.outbox(t))
			res := a.api(t, http.MethodPost, "/api/v1/cases/"+tc.ref+"/decision", token, tc.body)
			if res.Status != http.StatusUnprocessableEntity || res.errorCode() != "invalid" {
				t.Fatalf("status %d code %q, want 422 invalid\n%s", res.Status, res.errorCode(), res.Body)
			}
			fields := res.errorFields()
			var got []string
			for f := range fields {
				got = append(got, f)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.fields) {
				t.Errorf("fields %v, want %v", fields, tc.fields)
			}
			if !strings.Contains(fields[tc.fields[0]], tc.says) {
				t.Errorf("%s: %q does not say %q", tc.fields[0], fields[tc.fields[0]], tc.says)
			}
			if k := a.caseOf(t, tc.ref); k.Status == "completed" || k.Outcome != "" {
				t.Errorf("case %s %s after a refused decision, want it open", k.Status, k.Outcome)
			}
			if a.eventCount(t, tc.ref) != events || len(a.outbox(t)) != mails {
				t.Error("a refused decision left events or mails behind")
			}
		})
	}

	// Withdrawn by phone, as the timeline then says.
	res := a.api(t, http.MethodPost, "/api/v1/cases/"+access+"/decision", token,
		object{"outcome": "withdrawn", "withdrawn_how": "phone", "reasons": "De verzoeker belde om in te trekken."})
	if res.Status != http.StatusOK || res.object()["outcome"] != "withdrawn" {
		t.Fatalf("withdrawn by phone: %d %s", res.Status, res.Body)
	}
	officer := a.signIn(t, "functionaris@praktijk.example")
	assertShows(t, officer.get("/staff/cases/"+access), a.nl("outcome_label.withdrawn"),
		"Ingetrokken door de verzoeker via: de telefoon")

	// The erasure partly refused on a legal retention duty, once the
	// requester's identity is established: the requester reads the ground,
	// the statute and the end date.
	officer.submit("/staff/cases/"+erasure+"/identity", "identity.method", "email_on_file", "identity.outcome", "verified").location()
	res = a.api(t, http.MethodPost, "/api/v1/cases/"+erasure+"/decision", token, retention)
	if res.Status != http.StatusOK || res.object()["outcome"] != "partially_granted" {
		t.Fatalf("legal retention with statute and end date: %d %s", res.Status, res.Body)
	}
	track := a.browser(t).get("/volg/" + a.latestTrackingToken(t, "wissen@example.nl"))
	assertShows(t, track, retention["reasons"].(string),
		"Voor het overige wijzen wij uw verzoek af, omdat een wet ons verplicht deze gegevens te bewaren (art. 17 lid 3 onder b AVG).",
		"Wij bewaren deze gegevens op grond van art. 52 AWR tot en met zaterdag 31 december 2033; daarna vernietigen wij ze.")
}

// The decision form offers only the grounds the right allows, each with
// its article; legal retention's statute and end date only for an erasure;
// never compelling grounds against direct marketing.
func TestDecisionFormOffersTheRightsGrounds(t *testing.T) {
	a := newTestServer(t)
	a.addMember(t, "functionaris@praktijk.example", staff.Officer)
	officer := a.signIn(t, "functionaris@praktijk.example")
	access := a.fileRequest(t, "Test Inzage", "inzage@example.nl", "")
	erasure := a.fileOf(t, "erasure", "Test Wissen", "wissen@example.nl", object{"erasure_scope": "all"})
	objection := a.fileOf(t, "objection", "Test Bezwaar", "bezwaar@example.nl", object{"processing": "Het cliëntdossier"})
	marketing := a.fileOf(t, "objection", "Test Reclame", "reclame@example.nl",
		object{"processing": "De nieuwsbrief", "direct_marketing": true})
	withdrawal := a.fileOf(t, "consent_withdrawal", "Test Toestemming", "toestemming@example.nl", object{"consents": []string{"newsletter"}})
	for _, tc := range []struct {
		name      string
		ref       string
		grounds   []string
		retention bool
	}{
		{"access by the data subject", access, []string{"manifestly_unfounded", "identity_not_established", "no_authority",
			"rights_of_others", "statutory_restriction", "other"}, false},
		{"erasure", erasure, []string{"manifestly_unfounded", "identity_not_established", "no_authority",
			"legal_retention", "substantial_interest_other", "legal_claims", "other"}, true},
		{"objection", objection, []string{"manifestly_unfounded", "identity_not_established", "no_authority",
			"compelling_grounds", "right_not_applicable", "other"}, false},
		{"objection to direct marketing", marketing, []string{"manifestly_unfounded", "identity_not_established", "no_authority", "other"}, false},
		{"consent withdrawal", withdrawal, []string{"identity_not_established", "no_authority", "other"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := officer.get("/staff/cases/" + tc.ref)
			var got []string
			for _, o := range p.find(func(n *htmlNode) bool {
				return n.Data == "option" && n.Parent != nil && attr(n.Parent, "id") == "f-decision-ground"
			}) {
				if v := attr(o, "value"); v != "" {
					got = append(got, v)
				}
			}
			if !slices.Equal(got, tc.grounds) {
				t.Errorf("grounds offered %v, want %v", got, tc.grounds)
			}
			if p.hasField("decision.statute") != tc.retention || p.hasField("decision.until") != tc.retention {
				t.Errorf("statute and end date fields shown: %v, want %v", p.hasField("decision.statute"), tc.retention)
			}
		})
	}
	p := officer.get("/staff/cases/" + access)
	assertShows(t, p, a.nl("ground_label.rights_of_others")+" — art. 15 lid 4 AVG; art. 7:457 BW",
		a.nl("ground_label.statutory_restriction")+" — art. 23 AVG; art. 41 lid 1 UAVG",
		a.nl("ground_detail.statutory_restriction.i"))

	// A ground the right does not allow, posted all the same: 422 next to
	// the field, and the case stays open.
	p = officer.submit("/staff/cases/"+access+"/decision", "decision.outcome", "refused", "decision.ground", "legal_retention",
		"decision.statute", "art. 52 AWR", "decision.until", "2033-12-31", "decision.reasons", "Wij bewaren alles.")
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a disallowed ground: status %d, want 422", p.Status)
	}
	if got, want := p.textOf("f-decision-ground-error"), a.nl("case.ground_not_allowed"); got != want {
		t.Errorf("error next to the ground: %q, want %q", got, want)
	}
	if k := a.caseOf(t, access); k.Status == "completed" {
		t.Error("the case was completed on a disallowed ground")
	}
	// A statutory restriction names its letter of UAVG art. 41(1).
	p = officer.fill(officer.get("/staff/cases/"+access), "/staff/cases/"+access+"/decision", "decision.outcome", "refused",
		"decision.ground", "statutory_restriction", "decision.reasons", "Ter bescherming van een ander.")
	if p.Status != http.StatusUnprocessableEntity || p.textOf("f-decision-detail-error") != a.nl("case.detail_required") {
		t.Fatalf("statutory restriction without its letter: status %d, detail error %q", p.Status, p.textOf("f-decision-detail-error"))
	}
}

// A refusal's ground and reasons reach the requester only once their
// identity is established (the address is confirmed by following the
// link): before, the tracking page says only that it was refused, with a
// neutral text, and the decision mail never holds them. Staff see it all.
func TestTrackRefusalNeutralUntilConfirmed(t *testing.T) {
	a := newTestServer(t)
	a.addMember(t, "functionaris@praktijk.example", staff.Officer)
	officer := a.signIn(t, "functionaris@praktijk.example")
	const reasons = "Het dossier bevat vooral gegevens over uw zus."
	because := "Wij wijzen uw verzoek af, omdat wij anders de rechten en vrijheden van anderen zouden schaden (art. 15 lid 4 AVG; art. 7:457 BW)."
	refuse := func(ref string) {
		t.Helper()
		p := officer.get("/staff/cases/" + ref)
		if got := officer.fill(p, "/staff/cases/"+ref+"/decision", "decision.outcome", "refused", "decision.ground", "rights_of_others",
			"decision.reasons", reasons).location(); got != "/staff/cases/"+ref {
			t.Fatalf("decision: to %s", got)
		}
	}

	unconfirmed := a.fileRequest(t, "Test Onbekend", "onbekend@example.nl", "")
	refuse(unconfirmed)
	mails := a.mailsTo(t, "onbekend@example.nl")
	if last := mails[len(mails)-1]; strings.Contains(last, reasons) || strings.Contains(last, a.nl("ground.rights_of_others")) {
		t.Errorf("the decision mail holds the refusal's details:\n%s", last)
	}
	track := a.browser(t).get("/volg/" + a.latestTrackingToken(t, "onbekend@example.nl"))
	assertShows(t, track, a.nl("outcome.refused"), a.nlWith("track.withheld", "Via", "de praktijk"), a.nlWith("track.complaint", "AuthorityName", "Autoriteit Persoonsgegevens", "AuthoritySite", "www.autoriteitpersoonsgegevens.nl", "Via", "de praktijk"))
	if text := track.text(); strings.Contains(text, reasons) || strings.Contains(text, a.nl("ground.rights_of_others")) {
		t.Errorf("an unconfirmed requester reads the refusal's details:\n%s", text)
	}
	assertShows(t, officer.get("/staff/cases/"+unconfirmed), reasons,
		a.nl("ground_label.rights_of_others")+" — art. 15 lid 4 AVG; art. 7:457 BW")

	confirmed := a.fileRequest(t, "Test Bekend", "bekend@example.nl", "")
	officer.submit("/staff/cases/"+confirmed+"/identity", "identity.method", "email_on_file", "identity.outcome", "verified").location()
	refuse(confirmed)
	track = a.browser(t).get("/volg/" + a.latestTrackingToken(t, "bekend@example.nl"))
	assertShows(t, track, a.nl("outcome.refused"), because, reasons, a.nlWith("track.complaint", "AuthorityName", "Autoriteit Persoonsgegevens", "AuthoritySite", "www.autoriteitpersoonsgegevens.nl", "Via", "de praktijk"))
	if strings.Contains(track.text(), a.nlWith("track.withheld", "Via", "de praktijk")) {
		t.Error("a confirmed requester reads the neutral text")
	}
}

// A refusal decided after the deadline is flagged on the case; the form
// warns before.
func TestLateRefusalFlagged(t *testing.T) {
	a := newTestServer(t)
	a.addMember(t, "functionaris@praktijk.example", staff.Officer)
	var officer *staffBrowser
	onTime := a.fileRequest(t, "Test Tijdig", "tijdig@example.nl", "")
	late := a.fileRequest(t, "Test Laat", "laat@example.nl", "")
	refuse := func(ref string) *page {
		t.Helper()
		p := officer.get("/staff/cases/" + ref)
		officer.fill(p, "/staff/cases/"+ref+"/decision", "decision.outcome", "refused", "decision.ground", "manifestly_unfounded",
			"decision.reasons", "Het is het tiende verzoek deze maand.").location()
		return officer.get("/staff/cases/" + ref)
	}
	// Received on Wednesday 25 November 2026, due Monday 28 December.
	a.clock.Set(time.Date(2026, time.December, 28, 15, 0, 0, 0, time.UTC))
	officer = a.signIn(t, "functionaris@praktijk.example")
	p := refuse(onTime)
	if strings.Contains(p.text(), a.nl("case.decided_late")) {
		t.Error("a refusal on the due date is flagged as late")
	}
	a.clock.Set(time.Date(2026, time.December, 29, 9, 0, 0, 0, time.UTC))
	officer = a.signIn(t, "functionaris@praktijk.example")
	assertShows(t, officer.get("/staff/cases/"+late), a.nl("case.decision_late_warning"))
	p = refuse(late)
	assertShows(t, p, "besloten na de termijn")
	if n := len(p.find(func(n *htmlNode) bool {
		return hasClass(n, "late") && strings.Contains(textContent(n), "besloten na de termijn")
	})); n != 2 {
		t.Errorf("the flag shows %d times, want in the facts and on the timeline", n)
	}
}

// Every ground a right allows has its text for the requester and its label
// for staff, and every choice a ground asks for and every way to withdraw
// has its text, in both languages (the catalogue holds the same IDs in
// each).
func TestGroundTextsInTheCatalogue(t *testing.T) {
	cat, err := lang.Load(ui.FS)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"track.because_refused", "track.because_partially_granted"}
	for _, typ := range casework.RequestTypes {
		for _, r := range casework.GroundRules(casework.Case{Type: typ, Requester: casework.Requester{Relation: casework.Parent}}) {
			want = append(want, "ground."+string(r.Ground), "ground_label."+string(r.Ground))
			for _, d := range r.Details {
				want = append(want, "ground_detail."+string(r.Ground)+"."+d)
			}
		}
	}
	for _, h := range casework.WithdrawnHows {
		want = append(want, "withdrawn_how."+h)
	}
	for _, id := range want {
		if !cat.Has(id) {
			t.Errorf("the catalogue lacks %s", id)
		}
	}
}
