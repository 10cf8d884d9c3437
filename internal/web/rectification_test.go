package web_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/staff"
)

// TestRectificationJourney follows a rectification (AVG art. 16) from
// receipt to the letter through the case page: the identity is verified,
// the activities chosen; an item without its new value or reason comes
// back as 422 with the message next to the field and what was typed kept;
// one correction (in two systems) and two data kept (one with the
// requester's statement) are added, a mistaken one removed; "granted"
// is refused next to the outcome; partially granted, the case is completed
// and the letter lists what was corrected, what was not and why, the
// statement added and the offer to add one; the section is then closed.
func TestRectificationJourney(t *testing.T) {
	a := newBreachApp(t)
	a.breachMember(t, "u@delinde.example", "Uri Utrecht", staff.Officer, "utrecht")
	officer := a.breachSignIn(t, "u@delinde.example")
	res := a.api(t, http.MethodPost, "/api/v1/requests", "", with(newRequest("Roos Verbeek", "roos@example.nl"), "type", "rectification",
		"branch", "utrecht", "specifics", object{"wrong": "Mijn adres en mijn diagnose kloppen niet.", "correct": "Dorpsstraat 12, Utrecht"}))
	if res.Status != http.StatusCreated {
		t.Fatalf("file: %d %s", res.Status, res.Body)
	}
	ref := res.object()["reference"].(string)
	path := "/staff/cases/" + ref
	a.browser(t).get("/volg/" + a.trackingToken(t, "roos@example.nl")) // confirms the address
	wantStatus(t, officer.postForm(path+"/identity", "identity.method", "email_on_file", "identity.outcome", "verified"), http.StatusSeeOther)
	wantStatus(t, officer.postForm(path+"/activities", "activities.activities", "client-file"), http.StatusSeeOther)

	casePage := officer.get(path)
	wantStatus(t, casePage, http.StatusOK)
	assertShows(t, casePage, a.nl("rectification.title"), a.nl("rectification.none"), a.nl("rectification.add_title"))
	if !slices.Contains(casePage.links(), "#h-rectification") {
		t.Errorf("the step rail does not lead to the corrections: %v", casePage.links())
	}

	add := func(kv ...string) *page {
		return officer.postForm(path+"/rectification", kv...)
	}
	noNew := add("rectification.field", "adres", "rectification.old", "Kerkstraat 1, Utrecht", "rectification.action", "corrected",
		"rectification.systems", "Dossierix")
	wantStatus(t, noNew, http.StatusUnprocessableEntity)
	if got := noNew.textOf("f-rectification-new-error"); !strings.Contains(got, a.nl("field.required")) {
		t.Errorf("new value error %q", got)
	}
	if noNew.summary()["#f-rectification-new"] != a.nl("field.required") || noNew.fieldValue("rectification.old") != "Kerkstraat 1, Utrecht" {
		t.Errorf("summary %v, old value %q: the form lost what was typed", noNew.summary(), noNew.fieldValue("rectification.old"))
	}
	noReason := add("rectification.field", "diagnose", "rectification.old", "ADHD", "rectification.action", "kept")
	wantStatus(t, noReason, http.StatusUnprocessableEntity)
	if got := noReason.textOf("f-rectification-reason-error"); !strings.Contains(got, a.nl("field.required")) {
		t.Errorf("reason error %q", got)
	}
	if len(a.caseOf(t, ref).Rectification) != 0 {
		t.Fatal("a refused item was recorded")
	}

	wantStatus(t, add("rectification.field", "adres", "rectification.old", "Kerkstraat 1, Utrecht", "rectification.action", "corrected",
		"rectification.new", "Dorpsstraat 12, Utrecht", "rectification.systems", "Dossierix\r\nfacturatie",
		"rectification.reason", "ignored for a correction"), http.StatusSeeOther)
	wantStatus(t, add("rectification.field", "diagnose", "rectification.old", "ADHD", "rectification.action", "kept",
		"rectification.reason", "Een diagnose is een professioneel oordeel van de behandelaar, geen feit.",
		"rectification.statement", "Ik herken mij niet in deze diagnose."), http.StatusSeeOther)
	wantStatus(t, add("rectification.field", "telefoonnummer", "rectification.old", "06 1234 5678", "rectification.action", "corrected",
		"rectification.new", "06 8765 4321", "rectification.systems", "Dossierix"), http.StatusSeeOther)
	wantStatus(t, add("rectification.field", "verslag 3 maart", "rectification.old", "Moeder kwam niet.", "rectification.action", "kept",
		"rectification.reason", "Het verslag klopt met de agenda."), http.StatusSeeOther)
	removed := officer.postForm(path+"/rectification/remove", "rectification.item", "2")
	wantStatus(t, removed, http.StatusSeeOther)
	shown := officer.get(removed.location())
	assertShows(t, shown, a.nl("flash.rectification_removed"), "Kerkstraat 1, Utrecht", "Dorpsstraat 12, Utrecht", "Dossierix, facturatie",
		"Ik herken mij niet in deze diagnose.", "Het verslag klopt met de agenda.")
	if strings.Contains(shown.text(), "06 8765 4321") {
		t.Error("the removed item still shows")
	}
	items := a.caseOf(t, ref).Rectification
	if len(items) != 3 || items[0].Reason != "" || !slices.Equal(items[0].Systems, []string{"Dossierix", "facturatie"}) || !items[2].Kept {
		t.Fatalf("items recorded %+v", items)
	}
	wantStatus(t, officer.postForm(path+"/rectification/remove", "rectification.item", "7"), http.StatusNotFound)

	granted := officer.postForm(path+"/decision", "decision.outcome", "granted", "decision.reasons", "Wij hebben uw gegevens aangepast.")
	wantStatus(t, granted, http.StatusUnprocessableEntity)
	if got := granted.textOf("f-decision-outcome-error"); !strings.Contains(got, a.nl("rectification.kept_not_granted")) {
		t.Errorf("outcome error %q", got)
	}
	wantStatus(t, officer.postForm(path+"/decision", "decision.outcome", "partially_granted", "decision.ground", "data_correct",
		"decision.detail", "judgement", "decision.reasons", "Uw adres is aangepast; de diagnose en het verslag niet."), http.StatusSeeOther)
	k := a.caseOf(t, ref)
	if k.Status != "completed" || k.Outcome != "partially_granted" {
		t.Fatalf("case %s %s", k.Status, k.Outcome)
	}
	l, ok, err := a.store.CaseLetter(t.Context(), k.ID)
	if err != nil || !ok {
		t.Fatalf("CaseLetter: %v %v", ok, err)
	}
	assertHolds(t, "the letter", l.Body, []string{a.nl("letter.decision.rectification.partially_granted"),
		a.nl("letter.rectification.heading"), "- adres: verbeterd; er staat nu „Dorpsstraat 12, Utrecht” (in: Dossierix, facturatie).",
		"- diagnose: niet aangepast. Een diagnose is een professioneel oordeel van de behandelaar, geen feit. " + a.nl("letter.rectification.statement_added"),
		"- verslag 3 maart: niet aangepast. Het verslag klopt met de agenda.", a.nl("letter.rectification.statement_offer")},
		[]string{"Kerkstraat", "06 8765 4321", "Moeder kwam niet"})

	done := officer.get(path)
	assertShows(t, done, "Dorpsstraat 12, Utrecht")
	if strings.Contains(done.text(), a.nl("rectification.add_title")) || len(done.find(func(n *htmlNode) bool {
		return n.Data == "form" && strings.Contains(attr(n, "action"), "/rectification")
	})) != 0 {
		t.Error("a completed case still offers to change the corrections")
	}
	closed := add("rectification.field", "adres", "rectification.old", "x", "rectification.action", "corrected",
		"rectification.new", "y", "rectification.systems", "Dossierix")
	wantStatus(t, closed, http.StatusConflict)
	if got := closed.textOf("f-rectification-form"); got != a.nl("case.completed") {
		t.Errorf("a completed case: %q", got)
	}
}
