package web_test

import (
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/staff"
)

// objectionRegister puts two activities in the register through the API:
// a newsletter (direct marketing, on consent) and a waiting list (on
// legitimate interests, the basis art. 21(1) is about).
func (a *testApp) objectionRegister(tb testing.TB, owner string) {
	tb.Helper()
	activity := object{"key": "nieuwsbrief", "name": "Nieuwsbrief", "purpose": "Ouders informeren over cursussen.",
		"legal_basis": "consent", "special_categories": false, "direct_marketing": true, "automated_decisions": false,
		"data_subjects": []string{"Abonnees"}, "data_categories": []string{"Naam", "E-mailadres"}, "recipients": []object{},
		"retention": object{"months": 12, "from": "de afmelding", "ground": "Toestemming"}, "source": "De abonnee", "security": "Toegang per rol."}
	for _, act := range []object{activity, with(activity, "key", "wachtlijst", "name", "Wachtlijst", "legal_basis", "legitimate_interests",
		"direct_marketing", false, "purpose", "Aanmeldingen bijhouden tot de eerste afspraak.")} {
		if res := a.api(tb, http.MethodPost, "/api/v1/activities", owner, act); res.Status != http.StatusCreated {
			tb.Fatalf("POST activity: %d %s", res.Status, res.Body)
		}
	}
}

// An objection to direct marketing, from receipt to completion: the stop
// is marked on the activity for this person as soon as it is recorded,
// before any decision, and listed for a mailing tool (by address too)
// with nothing else of the case; no extension; a refusal or a balancing
// is refused (422); granted, the letter says from which day and for which
// activity; once decided the record is closed (409).
func TestObjectionToDirectMarketing(t *testing.T) {
	a := newTestServer(t)
	ownerMember := a.addMember(t, "eigenaar@praktijk.example", staff.Owner)
	owner := a.addToken(t, ownerMember)
	a.objectionRegister(t, owner)
	must := func(res apiResponse, want int) apiResponse {
		t.Helper()
		if res.Status != want {
			t.Fatalf("%d, want %d: %s", res.Status, want, res.Body)
		}
		return res
	}
	const details = "Ik wil de nieuwsbrief niet meer ontvangen, ook niet over de zomercursus."
	file := func(name, address string) string {
		return must(a.api(t, http.MethodPost, "/api/v1/cases", owner, with(newRequest(name, address), "type", "objection",
			"details", details, "specifics", object{"processing": "De nieuwsbrief", "direct_marketing": true},
			"received_at", "2026-11-20", "channel", "email")), http.StatusCreated).object()["reference"].(string)
	}
	ref, other := file("Mila Meldt", "mila@example.nl"), file("Otto Ander", "otto@example.nl")
	for _, r := range []string{ref, other} {
		must(a.api(t, http.MethodPut, "/api/v1/cases/"+r+"/activities", owner, object{"activities": []string{"nieuwsbrief", "wachtlijst"}}), http.StatusOK)
	}
	put := func(r string, body object) apiResponse {
		return a.api(t, http.MethodPut, "/api/v1/cases/"+r+"/objection", owner, body)
	}
	for _, tc := range []struct {
		name  string
		body  object
		field string
	}{
		{"no activities", object{"requester_grounds": "Geen reclame."}, "activities"},
		{"an activity that is no direct marketing", object{"activities": []string{"nieuwsbrief", "wachtlijst"}}, "activities"},
		{"continued", object{"activities": []string{"nieuwsbrief"}, "outcome": "continued"}, "outcome"},
		{"a balancing", object{"activities": []string{"nieuwsbrief"}, "practice_grounds": "Wij willen u blijven informeren."}, "practice_grounds"},
	} {
		if res := put(ref, tc.body); res.Status != http.StatusUnprocessableEntity || res.errorFields()[tc.field] == "" {
			t.Errorf("%s: %d %s, want 422 on %s", tc.name, res.Status, res.Body, tc.field)
		}
	}
	// The case page offers the newsletter ticked, and no balancing.
	a.addMember(t, "medewerker@praktijk.example", staff.Officer)
	officer := a.signIn(t, "medewerker@praktijk.example")
	form := officer.get("/staff/cases/" + ref)
	if got := form.checked("objection.activities"); len(got) != 1 || got[0] != "nieuwsbrief" {
		t.Errorf("the objection form comes with %v ticked, want the newsletter", got)
	}
	if form.hasField("objection.outcome") || form.hasField("objection.practice_grounds") {
		t.Error("the objection form to direct marketing asks for a balancing")
	}
	if boxes := form.find(func(n *html.Node) bool { return attr(n, "name") == "objection.activities" }); len(boxes) != 1 {
		t.Errorf("the objection form to direct marketing offers more than the newsletter")
	}
	must(a.api(t, http.MethodPut, "/api/v1/cases/"+other+"/activities", owner, object{"activities": []string{"wachtlijst"}}), http.StatusOK)
	if p := officer.get("/staff/cases/" + other); !strings.Contains(p.text(), a.nl("objection.case.no_marketing")) || p.formTo("/staff/cases/"+other+"/objection") != nil {
		t.Error("with no direct-marketing activity chosen, the page does not say so")
	}
	must(a.api(t, http.MethodPut, "/api/v1/cases/"+other+"/activities", owner, object{"activities": []string{"nieuwsbrief", "wachtlijst"}}), http.StatusOK)
	stops := func(query string) []any {
		t.Helper()
		return must(a.api(t, http.MethodGet, "/api/v1/activities/nieuwsbrief/stops"+query, owner, nil), http.StatusOK).object()["stops"].([]any)
	}
	if got := stops(""); len(got) != 0 {
		t.Fatalf("stops before any objection is recorded: %v", got)
	}

	saved := must(put(ref, object{"activities": []string{"nieuwsbrief"}, "requester_grounds": "Geen reclame meer."}), http.StatusOK).object()
	o, _ := saved["objection"].(map[string]any)
	if o == nil || o["outcome"] != "stopped" || o["from"] != "2026-11-20" || o["direct_marketing"] != true || saved["status"] == "completed" {
		t.Fatalf("the case after the objection: %v", saved)
	}
	// Otto's through the case page, as it comes: the newsletter ticked.
	officer.fill(officer.get("/staff/cases/"+other), "/staff/cases/"+other+"/objection").location()
	all := stops("")
	if len(all) != 2 {
		t.Fatalf("stops %v, want both people, before any decision", all)
	}
	res := must(a.api(t, http.MethodGet, "/api/v1/activities/nieuwsbrief/stops?email=MILA%40example.nl", owner, nil), http.StatusOK)
	mine := res.object()["stops"].([]any)
	want := map[string]any{"name": "Mila Meldt", "email": "mila@example.nl", "from": "2026-11-20", "case": ref}
	if len(mine) != 1 || len(mine[0].(map[string]any)) != len(want) {
		t.Fatalf("stops for Mila: %v", mine)
	}
	for k, v := range want {
		if mine[0].(map[string]any)[k] != v {
			t.Errorf("stop %s = %v, want %v", k, mine[0].(map[string]any)[k], v)
		}
	}
	assertHolds(t, "the stops of one address", string(res.Body), nil, []string{"Otto", "otto@example.nl", other, details, "Geen reclame"})
	if got := a.api(t, http.MethodGet, "/api/v1/activities/wachtlijst/stops", owner, nil).object()["stops"].([]any); len(got) != 0 {
		t.Errorf("the waiting list holds stops %v", got)
	}
	// Each reading of the list is audited: the activity and how many, never
	// the address looked up.
	if got := a.auditedDetails(t, audit.StopsView); !slices.Contains(got, "key=nieuwsbrief found=2") ||
		!slices.Contains(got, "key=nieuwsbrief found=1 by=email") || strings.Contains(strings.Join(got, " "), "mila") {
		t.Errorf("stops views audited as %v", got)
	}

	// Every staff member sees on the activity who must not be approached.
	page := officer.get("/staff/register/activities/nieuwsbrief")
	assertShows(t, page, a.nl("activities.stops.title"), "Mila Meldt", "mila@example.nl", "Otto Ander")
	if p := a.signIn(t, "eigenaar@praktijk.example").get("/staff/register/activities/wachtlijst"); strings.Contains(p.text(), a.nl("activities.stops.title")) {
		t.Error("an activity that is no direct marketing lists stops")
	}

	if res := a.api(t, http.MethodPost, "/api/v1/cases/"+ref+"/extension", owner, object{"reason": "Omvangrijk"}); res.Status != http.StatusConflict {
		t.Errorf("extension of an objection to direct marketing: %d, want 409", res.Status)
	}
	must(a.api(t, http.MethodPost, "/api/v1/cases/"+ref+"/identity", owner, object{"outcome": "verified", "method": "email_on_file"}), http.StatusOK)
	decide := func(body object) apiResponse {
		return a.api(t, http.MethodPost, "/api/v1/cases/"+ref+"/decision", owner, body)
	}
	if res := decide(object{"outcome": "refused", "ground": "manifestly_unfounded", "reasons": "Zie art. 12 lid 5 AVG."}); res.Status != http.StatusUnprocessableEntity ||
		res.errorFields()["outcome"] == "" {
		t.Errorf("refused after the stop: %d %s, want 422 on outcome", res.Status, res.Body)
	}
	done := must(decide(object{"outcome": "granted", "reasons": "U ontvangt de nieuwsbrief niet meer."}), http.StatusOK).object()
	if done["status"] != "completed" {
		t.Fatalf("after the decision: %v", done)
	}
	letter, ok, err := a.store.CaseLetter(t.Context(), a.caseOf(t, ref).ID)
	if err != nil || !ok {
		t.Fatalf("CaseLetter: %v %v", ok, err)
	}
	assertHolds(t, "the letter", letter.Body, []string{a.nlWith("letter.objection.marketing", "From", a.nlDate(deadline.Date{Year: 2026, Month: 11, Day: 20})), "- Nieuwsbrief"},
		[]string{"Wachtlijst", a.nl("letter.objection.balancing")})
	if res := put(ref, object{"activities": []string{"nieuwsbrief"}}); res.Status != http.StatusConflict {
		t.Errorf("PUT objection on a decided case: %d, want 409", res.Status)
	}
	if got := stops(""); len(got) != 2 {
		t.Errorf("after the decision the stops are %v", got)
	}
}

// An objection to processing on legitimate interests, from receipt to
// completion on the case page: the balancing is recorded with its
// problems next to the fields; a decision that contradicts it is refused;
// refused on compelling grounds, the letter cites the requester's grounds,
// the practice's and the outcome — held back while the requester is not
// confirmed, so a second, unconfirmed case's letter holds none of it. No
// stop is marked.
func TestObjectionBalancing(t *testing.T) {
	a := newTestServer(t)
	owner := a.addToken(t, a.addMember(t, "eigenaar@praktijk.example", staff.Owner))
	a.objectionRegister(t, owner)
	a.addMember(t, "functionaris@praktijk.example", staff.Officer)
	officer := a.signIn(t, "functionaris@praktijk.example")
	const (
		mine = "Ik sta op de wachtlijst van een andere praktijk en wil niet dat mijn gegevens bij u blijven."
		ours = "Zonder wachtlijst kunnen wij de zorg voor uw zoon niet plannen; hij staat bovenaan."
	)
	file := func(name, address string) string {
		ref := a.fileOf(t, "objection", name, address, object{"processing": "De wachtlijst", "direct_marketing": false, "grounds": mine})
		if res := a.api(t, http.MethodPut, "/api/v1/cases/"+ref+"/activities", owner, object{"activities": []string{"nieuwsbrief", "wachtlijst"}}); res.Status != http.StatusOK {
			t.Fatalf("PUT activities: %d %s", res.Status, res.Body)
		}
		return ref
	}
	ref := file("Wim Wachter", "wim@example.nl")
	casePath := "/staff/cases/" + ref

	page := officer.get(casePath)
	if got := page.checked("objection.activities"); len(got) != 0 {
		t.Errorf("an objection on other grounds comes with %v ticked", got)
	}
	if page.fieldValue("objection.requester_grounds") != mine {
		t.Errorf("the requester's grounds are not taken from the request: %q", page.fieldValue("objection.requester_grounds"))
	}
	bad := officer.fill(page, casePath+"/objection", "objection.activities", "wachtlijst", "objection.outcome", "continued")
	if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.textOf("f-objection-practice_grounds-error"), a.nl("objection.practice_grounds_required")) {
		t.Fatalf("continued without compelling grounds: status %d, error %q", bad.Status, bad.textOf("f-objection-practice_grounds-error"))
	}
	if got := bad.checked("objection.activities"); len(got) != 1 || got[0] != "wachtlijst" {
		t.Errorf("the refused form shows %v ticked, want what was typed", got)
	}
	officer.fill(bad, casePath+"/objection", "objection.activities", "wachtlijst", "objection.outcome", "continued",
		"objection.practice_grounds", ours).location()
	page = officer.get(casePath)
	assertShows(t, page, a.nlWith("objection.case.recorded", "Outcome", a.nl("objection.outcome.continued")))
	got := a.caseOf(t, ref).Objection
	if got == nil || got.PracticeGrounds != ours || got.RequesterGrounds != mine || got.DirectMarketing {
		t.Fatalf("recorded %+v", got)
	}
	for _, key := range []string{"nieuwsbrief", "wachtlijst"} {
		if s := a.api(t, http.MethodGet, "/api/v1/activities/"+key+"/stops", owner, nil).object()["stops"].([]any); len(s) != 0 {
			t.Errorf("a balancing marked stops on %s: %v", key, s)
		}
	}
	assertNotOnDisk(t, filepath.Dir(a.filesDir), ours)

	decide := func(r string, body object) apiResponse {
		return a.api(t, http.MethodPost, "/api/v1/cases/"+r+"/decision", owner, body)
	}
	if res := decide(ref, object{"outcome": "granted", "reasons": "Wij stoppen."}); res.Status != http.StatusUnprocessableEntity || res.errorFields()["outcome"] == "" {
		t.Errorf("granted against the balancing: %d %s", res.Status, res.Body)
	}
	if res := decide(ref, object{"outcome": "refused", "ground": "right_not_applicable", "reasons": "Zie art. 21 AVG."}); res.Status != http.StatusUnprocessableEntity ||
		res.errorFields()["ground"] == "" {
		t.Errorf("refused as not applicable against the balancing: %d %s", res.Status, res.Body)
	}
	a.browser(t).get("/volg/" + a.trackingToken(t, "wim@example.nl")) // confirms the address
	if res := a.api(t, http.MethodPost, "/api/v1/cases/"+ref+"/identity", owner, object{"outcome": "verified", "method": "email_on_file"}); res.Status != http.StatusOK {
		t.Fatalf("identity: %d %s", res.Status, res.Body)
	}
	refusal := object{"outcome": "refused", "ground": "compelling_grounds", "reasons": "Wij zetten de wachtlijst voort."}
	if res := decide(ref, refusal); res.Status != http.StatusOK {
		t.Fatalf("refused on compelling grounds: %d %s", res.Status, res.Body)
	}
	letter, _, err := a.store.CaseLetter(t.Context(), a.caseOf(t, ref).ID)
	if err != nil {
		t.Fatal(err)
	}
	assertHolds(t, "the letter", letter.Body, []string{a.nl("letter.objection.balancing"), "- Wachtlijst", mine, ours,
		a.nl("letter.objection.outcome.continued")}, nil)
	assertShows(t, officer.get(casePath), ours)

	// Not confirmed: the refusal holds the balancing back.
	unconfirmed := file("Vera Vaag", "vera@example.nl")
	if res := a.api(t, http.MethodPut, "/api/v1/cases/"+unconfirmed+"/objection", owner, object{"activities": []string{"wachtlijst"},
		"requester_grounds": mine, "practice_grounds": ours, "outcome": "continued"}); res.Status != http.StatusOK {
		t.Fatalf("PUT objection: %d %s", res.Status, res.Body)
	}
	if res := decide(unconfirmed, refusal); res.Status != http.StatusOK {
		t.Fatalf("refused: %d %s", res.Status, res.Body)
	}
	held, _, err := a.store.CaseLetter(t.Context(), a.caseOf(t, unconfirmed).ID)
	if err != nil {
		t.Fatal(err)
	}
	assertHolds(t, "the unconfirmed letter", held.Body, nil, []string{mine, ours, "Wachtlijst", a.nl("letter.objection.balancing")})
}
