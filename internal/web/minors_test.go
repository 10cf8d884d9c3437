package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/representation"
	"github.com/avgloket/avgloket/internal/staff"
)

// setPractice changes the stored settings as change says.
func (a *testApp) setPractice(tb testing.TB, change func(*practice.Settings)) {
	tb.Helper()
	st, err := a.store.Settings(tb.Context())
	if err != nil {
		tb.Fatal(err)
	}
	change(&st)
	if err := a.store.SaveSettings(tb.Context(), st, a.clock.Now()); err != nil {
		tb.Fatal(err)
	}
}

// belgian makes the practice a Belgian one with the Belgian table.
func belgian(st *practice.Settings) {
	st.Name, st.Address, st.KvK, st.PrivacyEmail = "Praktijk Test", "Straat 1, Gent", "0123456789", "privacy@praktijk.example"
	st.Country, st.Calendar, st.TimeZone = practice.Belgium, "BE", "Europe/Brussels"
	st.RepresentationRules = representation.Initial(practice.Belgium)
}

// The public form asks someone asking for themselves their birth date when
// the practice serves minors (the default), tells a child under 12 that a
// parent with authority must confirm, and offers a parent without authority
// the BW 1:377c route. A practice that serves no minors does not ask.
func TestFormAsksOwnBirthDateWhenServingMinors(t *testing.T) {
	a := newTestServer(t)
	b := a.browser(t)
	p := b.get("/verzoek/access")
	if !p.hasField("requester.birth_date") || p.byID("f-requester-birth_date") == nil {
		t.Fatal("the form does not ask a self-requester's birth date")
	}
	if hint := p.textOf("f-requester-birth_date-hint"); !strings.Contains(hint, "jonger dan 12") || !strings.Contains(hint, "ouder met gezag") {
		t.Errorf("birth date hint %q does not say a parent with authority must confirm under 12", hint)
	}
	var relations []string
	for _, n := range p.find(func(n *htmlNode) bool { return attr(n, "name") == "requester.relation" }) {
		relations = append(relations, attr(n, "value"))
	}
	if want := []string{"self", "parent", "parent_without_authority", "guardian", "representative"}; !slices.Equal(relations, want) {
		t.Errorf("relations offered %v, want %v", relations, want)
	}
	assertShows(t, p, a.nl("relation.parent_without_authority"), "1:377c")

	t.Run("no birth date: 422 next to the field, nothing stored", func(t *testing.T) {
		csrf, idem := b.formTokens("/verzoek/access")
		f := validForm(csrf, idem)
		f.Del("requester.birth_date")
		p := b.post("/verzoek/access", f)
		if p.Status != http.StatusUnprocessableEntity || p.textOf("f-requester-birth_date-error") == "" {
			t.Fatalf("status %d, error %q", p.Status, p.textOf("f-requester-birth_date-error"))
		}
		if n := len(a.cases(t)); n != 0 {
			t.Fatalf("%d cases stored", n)
		}
	})
	t.Run("a bad birth date is shown next to the own field", func(t *testing.T) {
		csrf, idem := b.formTokens("/verzoek/access")
		f := validForm(csrf, idem)
		f.Set("requester.birth_date", "2030-01-01")
		p := b.post("/verzoek/access", f)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.textOf("f-requester-birth_date-error"), a.nl("field.date_future")) {
			t.Fatalf("status %d, error %q", p.Status, p.textOf("f-requester-birth_date-error"))
		}
		if got := p.fieldValue("requester.birth_date"); got != "2030-01-01" {
			t.Errorf("kept %q", got)
		}
	})
	t.Run("a 10-year-old is told a parent must confirm", func(t *testing.T) {
		csrf, idem := b.formTokens("/verzoek/access")
		f := validForm(csrf, idem)
		f.Set("requester.birth_date", "2016-09-01")
		f.Set("requester.email", "kind@example.nl")
		p := b.post("/verzoek/access", f)
		if p.location() != "/verzoek-ontvangen" {
			t.Fatal("not received")
		}
		got := b.get("/verzoek-ontvangen")
		assertShows(t, got, a.nl("received.parent_must"))
		cases := a.cases(t)
		if len(cases) != 1 || cases[0].Subject.BirthDate.String() != "2016-09-01" {
			t.Fatalf("stored %+v", cases)
		}
	})
	t.Run("an adult is not", func(t *testing.T) {
		csrf, idem := b.formTokens("/verzoek/access")
		b.post("/verzoek/access", validForm(csrf, idem)).location()
		if strings.Contains(b.get("/verzoek-ontvangen").text(), a.nl("received.parent_must")) {
			t.Fatal("an adult is told a parent must confirm")
		}
	})
	t.Run("in English", func(t *testing.T) {
		p := b.get("/verzoek/access?lang=en")
		assertShows(t, p, a.en("form.self_birth_date"), a.en("relation.parent_without_authority"), "1:377c")
	})

	a.setPractice(t, func(st *practice.Settings) { st.ServesMinors = false })
	t.Run("a practice that serves no minors does not ask", func(t *testing.T) {
		p := b.get("/verzoek/access")
		if p.hasField("requester.birth_date") {
			t.Fatal("the form asks a self-requester's birth date")
		}
		csrf, idem := b.formTokens("/verzoek/access")
		f := validForm(csrf, idem)
		f.Del("requester.birth_date")
		f.Set("requester.email", "volwassene@example.nl")
		b.post("/verzoek/access", f).location()
	})
}

// requirementForm returns the form on the case page that records
// requirement key.
func requirementForm(tb testing.TB, p *page, ref, key string) *html.Node {
	tb.Helper()
	action := "/staff/cases/" + ref + "/requirement"
	for _, f := range p.find(func(n *htmlNode) bool { return n.Data == "form" && attr(n, "action") == action }) {
		for n := range f.Descendants() {
			if attr(n, "name") == "requirement.key" && attr(n, "value") == key {
				return f
			}
		}
	}
	tb.Fatalf("no form for requirement %s on the case page:\n%s", key, p.text())
	return nil
}

// A child under 12 files their own request: the case page says a parent
// with authority must act, no requirement form starts at "met", an empty
// submit is a 422 next to the field that changes nothing, and the case
// cannot be granted until a parent with authority is recorded.
func TestChildUnderTwelveThroughTheCasePage(t *testing.T) {
	a := newTestServer(t, withBranches("utrecht"))
	a.addMember(t, "officer@praktijk.example", staff.Officer, "utrecht")
	officer := a.signIn(t, "officer@praktijk.example")
	res := a.api(t, http.MethodPost, "/api/v1/requests", "", map[string]any{
		"type": "access", "requester": map[string]any{"name": "Test Kind", "email": "kind@example.org", "relation": "self"},
		"subject": map[string]any{"birth_date": "2016-09-01"}, "branch": "utrecht"})
	if res.Status != http.StatusCreated {
		t.Fatalf("file: %d %s", res.Status, res.Body)
	}
	ref := res.object()["reference"].(string)
	path := "/staff/cases/" + ref

	p := officer.get(path)
	assertShows(t, p, "10 jaar", "BW 7:465 lid 1", "ouder met gezag")
	for _, key := range []string{"parent_acts", "child_interest_check"} {
		form := requirementForm(t, p, ref, key)
		for n := range form.Descendants() {
			if n.Data == "option" && hasAttr(n, "selected") && attr(n, "value") != "" {
				t.Errorf("requirement %s: option %q is preselected", key, attr(n, "value"))
			}
		}
	}
	if form := p.formTo(path + "/identity"); form != nil {
		for n := range form.Descendants() {
			if n.Data == "input" && hasAttr(n, "checked") {
				t.Errorf("identity form: %s=%s is preticked", attr(n, "name"), attr(n, "value"))
			}
		}
	}

	before := a.eventCount(t, ref)
	empty := officer.fillForm(requirementForm(t, p, ref, "parent_acts"), path+"/requirement")
	if empty.Status != http.StatusUnprocessableEntity {
		t.Fatalf("empty submit: status %d, want 422", empty.Status)
	}
	if got := empty.textOf("f-requirement-state-error"); got != a.nl("field.choose") {
		t.Errorf("message next to the field %q, want %q", got, a.nl("field.choose"))
	}
	if sel := empty.byID("f-requirement-state"); sel == nil || attr(sel, "aria-invalid") != "true" {
		t.Error("the field with the problem is not marked")
	}
	if after := a.eventCount(t, ref); after != before {
		t.Fatalf("an empty submit recorded something: %d events, were %d", after, before)
	}

	officer.fill(p, path+"/identity", "identity.method", "email_on_file", "identity.outcome", "verified").location()
	a.walkAccess(t, officer, ref)
	p = officer.get(path)
	officer.fillForm(requirementForm(t, p, ref, "child_interest_check"), path+"/requirement", "requirement.state", "satisfied").location()

	// While the parent's part is open the page offers no grant; one posted
	// all the same is refused by the gate, next to the decision.
	p = officer.get(path)
	if got := outcomesOffered(p); slices.Contains(got, "granted") || slices.Contains(got, "partially_granted") {
		t.Errorf("the decision offers %v while the representation is open", got)
	}
	grant := officer.submit(path+"/decision", "decision.outcome", "granted", "decision.reasons", "Kopie via de beveiligde link.")
	if grant.Status != http.StatusConflict {
		t.Fatalf("granting without a parent: status %d, want 409", grant.Status)
	}
	if got := grant.textOf("f-decision-form"); got != a.nl("identity.requirements_missing") {
		t.Errorf("the decision form says %q, want why it cannot be granted", got)
	}
	if got := a.caseOf(t, ref).Status; got == "completed" {
		t.Fatal("the case was completed")
	}

	p = officer.get(path)
	officer.fillForm(requirementForm(t, p, ref, "parent_acts"), path+"/requirement", "requirement.state", "satisfied").location()
	p = officer.get(path)
	officer.fill(p, path+"/decision", "decision.outcome", "granted", "decision.reasons", "Kopie via de beveiligde link, met de ouder besproken.").location()
	if got := a.caseOf(t, ref).Outcome; got != "granted" {
		t.Fatalf("outcome %q, want granted", got)
	}
}

// A parent without parental authority: the case page says what applies
// (BW 1:377c), a grant is refused, the decision form comes with a refusal
// that names BW 1:377c, and the tracking page repeats the route.
func TestParentWithoutAuthorityThroughThePages(t *testing.T) {
	a := newTestServer(t, withBranches("utrecht"))
	a.addMember(t, "officer@praktijk.example", staff.Officer, "utrecht")
	officer := a.signIn(t, "officer@praktijk.example")
	requester := a.browser(t)
	csrf, idem := requester.formTokens("/verzoek/access")
	f := url.Values{"_csrf": {csrf}, "_idem": {idem}, "requester.relation": {"parent_without_authority"},
		"requester.name": {"Test Ouder"}, "requester.email": {"ouder@example.org"}, "subject.name": {"Test Kind"},
		"subject.birth_date": {"2012-01-15"}, "branch": {"utrecht"}, "language": {"nl"}}
	requester.post("/verzoek/access", f).location()
	ref := a.cases(t)[0].Reference
	path := "/staff/cases/" + ref

	p := officer.get(path)
	assertShows(t, p, a.nl("relation.parent_without_authority"), "BW 1:377c")
	if p.formTo(path+"/requirement") != nil {
		t.Error("the case page offers to record the 1:377c route as met")
	}
	if got := p.checked("decision.outcome"); !slices.Equal(got, []string{"refused"}) {
		t.Errorf("decision prefilled with %v, want refused", got)
	}
	if got := p.fieldValue("decision.ground"); got != "no_authority" {
		t.Errorf("ground prefilled %q, want no_authority", got)
	}
	if got := p.fieldValue("decision.reasons"); !strings.Contains(got, "1:377c") {
		t.Errorf("refusal draft %q does not name BW 1:377c", got)
	}
	officer.fill(p, path+"/identity", "identity.method", "email_on_file", "identity.outcome", "verified").location()
	p = officer.get(path)
	if grant := officer.fill(p, path+"/decision", "decision.outcome", "granted", "decision.ground", "", "decision.reasons", "Hierbij het dossier."); grant.Status != http.StatusConflict {
		t.Fatalf("granting to a parent without authority: status %d, want 409", grant.Status)
	}
	p = officer.get(path)
	officer.fill(p, path+"/decision").location()
	track := requester.get("/volg/" + a.latestTrackingToken(t, "ouder@example.org"))
	assertShows(t, track, a.nl("outcome.refused"), a.nl("ground.no_authority"), a.nl("track.without_authority.NL"))
}

// A Belgian practice is offered the Belgian table on the settings page, and
// the setting "serves minors" is kept.
func TestSettingsOfferTheBelgianTable(t *testing.T) {
	a := newTestServer(t, withBranches("utrecht"))
	a.addMember(t, "owner@praktijk.example", staff.Owner)
	owner := a.signIn(t, "owner@praktijk.example")
	a.setPractice(t, func(st *practice.Settings) {
		st.Name, st.Address, st.KvK, st.PrivacyEmail = "Praktijk Test", "Straat 1", "12345678", "privacy@praktijk.example"
	})

	p := owner.get("/staff/settings")
	var offered []string
	for _, n := range p.find(func(n *htmlNode) bool { return attr(n, "name") == "practice.rules_source" }) {
		offered = append(offered, attr(n, "value"))
	}
	if !slices.Equal(offered, []string{"nl", "own"}) || !slices.Equal(p.checked("practice.rules_source"), []string{"nl"}) {
		t.Fatalf("a Dutch practice is offered %v, ticked %v", offered, p.checked("practice.rules_source"))
	}
	if got := p.checked("practice.serves_minors"); len(got) != 1 {
		t.Fatal("serves minors is not ticked by default")
	}
	owner.submit("/staff/settings", "practice.name", "Praktijk Test", "practice.address", "Straat 1", "practice.kvk", "12345678",
		"practice.privacy_email", "privacy@praktijk.example", "practice.time_zone", "Europe/Amsterdam", "practice.country", "NL",
		"practice.calendar", "NL", "practice.id_copy_days", "30", "practice.case_retention_days", "730",
		"practice.rules_source", "nl").location()
	if st, _ := a.store.Settings(t.Context()); st.ServesMinors {
		t.Fatal("serves minors still on after it was unticked")
	}
	a.setPractice(t, func(st *practice.Settings) { st.ServesMinors = true })

	a.setPractice(t, func(st *practice.Settings) { belgian(st); st.RepresentationRules = "" })
	p = owner.get("/staff/settings")
	assertShows(t, p, a.nl("settings.rules_source.be"), a.nl("settings.rules_source_hint_be"))
	owner.fill(p, "/staff/settings", "practice.rules_source", "be").location()
	st, err := a.store.Settings(t.Context())
	if err != nil || st.RepresentationRules != string(representation.ExampleBE().JSON()) {
		t.Fatalf("the Belgian table was not taken: %v", err)
	}
	p = owner.get("/staff/settings")
	if got := p.checked("practice.rules_source"); !slices.Equal(got, []string{"be"}) {
		t.Fatalf("ticked %v after choosing the Belgian table", got)
	}
	t.Run("an own table that is empty is refused", func(t *testing.T) {
		p := owner.fill(p, "/staff/settings", "practice.rules_source", "own", "practice.rules", "")
		if p.Status != http.StatusUnprocessableEntity || p.textOf("f-practice-rules-error") == "" {
			t.Fatalf("status %d", p.Status)
		}
	})
	owner.fill(p, "/staff/settings", "practice.rules_source", "nl").location()
	if st, _ := a.store.Settings(t.Context()); st.RepresentationRules != "" {
		t.Fatal("the Dutch default was not taken")
	}
}

// A practice set up in Belgium starts with the Belgian table; one in the
// Netherlands with the Dutch default.
func TestSetupStartsWithTheCountrysTable(t *testing.T) {
	for _, tc := range []struct {
		country, kvk, tz string
		want             string
	}{
		{"NL", "12345678", "Europe/Amsterdam", ""},
		{"BE", "0123.456.789", "Europe/Brussels", string(representation.ExampleBE().JSON())},
	} {
		t.Run(tc.country, func(t *testing.T) {
			a := newTestServer(t)
			path := "/setup/" + a.addSetupToken(t)
			b := a.browser(t)
			csrf, _ := b.formTokens(path)
			f := validSetup(csrf)
			f.Set("practice.country", tc.country)
			f.Set("practice.calendar", tc.country)
			f.Set("practice.kvk", tc.kvk)
			f.Set("practice.time_zone", tc.tz)
			if p := b.post(path, f); p.Status != http.StatusOK {
				t.Fatalf("status %d\n%s", p.Status, p.text())
			}
			st, err := a.store.Settings(t.Context())
			if err != nil || st.RepresentationRules != tc.want || !st.ServesMinors {
				t.Fatalf("rules %.60q, serves minors %v, %v", st.RepresentationRules, st.ServesMinors, err)
			}
		})
	}
}

// The API takes the new relation (an extension of version 1) and gives it
// back; the old ones keep working.
func TestAPIRelationParentWithoutAuthority(t *testing.T) {
	a := newTestServer(t, withBranches("utrecht"))
	for _, rel := range []string{"parent_without_authority", "parent"} {
		res := a.api(t, http.MethodPost, "/api/v1/requests", "", map[string]any{
			"type": "access", "requester": map[string]any{"name": "Test Ouder", "email": "ouder@example.org", "relation": rel},
			"subject": map[string]any{"name": "Test Kind", "birth_date": "2012-01-15"}, "branch": "utrecht"})
		if res.Status != http.StatusCreated {
			t.Fatalf("%s: %d %s", rel, res.Status, res.Body)
		}
		if got := a.caseOf(t, res.object()["reference"].(string)).Requester.Relation; string(got) != rel {
			t.Fatalf("stored relation %q, want %q", got, rel)
		}
	}
}
