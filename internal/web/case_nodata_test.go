package web_test

import (
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/staff"
)

// TestCaseNoDataPaths walks an access and an erasure request about
// someone the practice holds no data on through the case page: the officer
// records that none of the register's activities concern the requester
// (audited), the activities step is done; on the access case the statement
// says no data are processed and is approved, the documents are skipped;
// on the erasure case the erasure, notices and destruction steps are
// skipped with why and offer no form. Each is granted, and its letter says
// plainly that no data are processed and, for the erasure, that there is
// nothing to erase. Ticking activities and "none" at once is refused next
// to the field.
func TestCaseNoDataPaths(t *testing.T) {
	a := newBreachApp(t)
	a.breachMember(t, "u@delinde.example", "Uri Utrecht", staff.Officer, "utrecht")
	officer := a.signIn(t, "u@delinde.example")

	// none records "none concern" on the case at path and checks the
	// activities step is done.
	none := func(path string) *page {
		t.Helper()
		wantStatus(t, officer.fill(officer.get(path), path+"/identity", "identity.method", "email_on_file", "identity.outcome", "verified"), http.StatusSeeOther)
		p := officer.get(path)
		if len(p.find(func(n *html.Node) bool {
			return n.Data == "button" && attr(n, "name") == "activities.none" && attr(n, "value") == "yes"
		})) != 1 {
			t.Fatalf("no button to record that none concern the requester:\n%s", p.text())
		}
		both := officer.submit(path+"/activities", "activities.activities", "client-file", "activities.none", "yes")
		wantStatus(t, both, http.StatusUnprocessableEntity)
		if both.summary()["#f-activities-activities"] != a.nl("answers.none_and_chosen") {
			t.Errorf("summary %v", both.summary())
		}
		wantStatus(t, officer.submit(path+"/activities", "activities.none", "yes"), http.StatusSeeOther)
		p = officer.get(path)
		assertShows(t, p, a.nl("flash.activities_none"), a.nl("answers.none_concern"))
		_, steps := pathSteps(t, p)
		if got := steps["activities"].state; got != a.nl("plan.state.done") {
			t.Errorf("activities step %q with none recorded", got)
		}
		return p
	}

	// Access: the confirmation that no data are processed (art. 15(1)).
	ref := a.fileRequest(t, "Tessa Proef", "tessa@example.nl", "utrecht")
	path := "/staff/cases/" + ref
	p := none(path)
	if k := caseByRef(t, a, ref); !k.NoActivities || len(k.Activities) != 0 {
		t.Fatalf("stored: none %v, activities %v", k.NoActivities, k.Activities)
	}
	if e := registerEntries(t, a, audit.CaseActivities); len(e) != 1 || e[0].Detail != "none=yes" {
		t.Errorf("audit entries %+v", e)
	}
	_, steps := pathSteps(t, p)
	if steps["statement"].state != a.nl("plan.state.current") || steps["documents"].state != a.nl("plan.skipped_no_data") {
		t.Errorf("statement %q, documents %q", steps["statement"].state, steps["documents"].state)
	}
	draft := p.fieldValue("statement.text")
	if !strings.Contains(draft, "verwerkt geen persoonsgegevens") {
		t.Fatalf("the draft does not say no data are processed:\n%s", draft)
	}
	officer.submit(path+"/access-statement", "statement.text", draft, "statement.approve", "yes").location()
	if d := officer.fill(officer.get(path), path+"/decision", "decision.outcome", "granted", "decision.reasons", "Wij hebben al onze verwerkingen nagelopen."); d.Status != http.StatusSeeOther {
		t.Fatalf("decision %d: %v", d.Status, d.summary())
	}
	p = officer.get(path)
	_, steps = pathSteps(t, p)
	letter := textContent(steps["letter"].node)
	for _, want := range []string{"Wij verwerken geen persoonsgegevens van u", "verwerkt geen persoonsgegevens van de persoon"} {
		if !strings.Contains(letter, want) {
			t.Errorf("the access letter lacks %q:\n%s", want, letter)
		}
	}
	if strings.Contains(letter, a.nl("letter.decision.access.granted")) {
		t.Errorf("the access letter promises a copy of data:\n%s", letter)
	}
	if k := caseByRef(t, a, ref); k.Status != casework.Completed || k.Outcome != casework.Granted {
		t.Errorf("access case %s/%s", k.Status, k.Outcome)
	}

	// Erasure: nothing to erase, no notices, nothing to destroy.
	res := a.api(t, http.MethodPost, "/api/v1/requests", "", with(newRequest("Wim Wissen", "wim@example.nl"), "type", "erasure",
		"specifics", object{"erasure_scope": "all"}, "branch", "utrecht"))
	if res.Status != http.StatusCreated {
		t.Fatalf("file erasure: %d %s", res.Status, res.Body)
	}
	ref = res.object()["reference"].(string)
	path = "/staff/cases/" + ref
	p = none(path)
	_, steps = pathSteps(t, p)
	for _, k := range []string{"erasure", "notices", "destruction"} {
		if got := steps[k].state; got != a.nl("plan.skipped_no_data") {
			t.Errorf("step %s: %q with none recorded", k, got)
		}
	}
	if steps["decision"].state != a.nl("plan.state.current") || p.formTo(path+"/erasure") != nil {
		t.Errorf("decision %q; an erasure form with nothing to erase", steps["decision"].state)
	}
	officer.fill(p, path+"/decision", "decision.outcome", "granted", "decision.reasons", "Wij hebben al onze verwerkingen nagelopen.").location()
	for _, l := range []lang.Code{lang.NL, lang.EN} {
		p = officer.get(path + "?lang=" + string(l))
		_, steps = pathSteps(t, p)
		letter = textContent(steps["letter"].node) // in the requester's language
		if !strings.Contains(letter, a.nl("letter.decision.erasure.no_data")) || strings.Contains(letter, a.nl("letter.decision.erasure.granted")) {
			t.Errorf("%s: the erasure letter:\n%s", l, letter)
		}
	}
	if k := caseByRef(t, a, ref); k.Status != casework.Completed || k.Outcome != casework.Granted {
		t.Errorf("erasure case %s/%s", k.Status, k.Outcome)
	}

	// Through the API: none with activities named is refused; none alone
	// is recorded and shown with the case.
	res = a.api(t, http.MethodPost, "/api/v1/requests", "", with(newRequest("Roos Recht", "roos@example.nl"), "branch", "utrecht"))
	if res.Status != http.StatusCreated {
		t.Fatalf("file: %d %s", res.Status, res.Body)
	}
	base := "/api/v1/cases/" + res.object()["reference"].(string)
	token := a.breachToken(t, "u@delinde.example")
	if bad := a.api(t, http.MethodPut, base+"/activities", token, object{"activities": []string{"client-file"}, "none": true}); bad.Status != http.StatusUnprocessableEntity || bad.errorFields()["activities"] == "" {
		t.Errorf("none with an activity: %d %s", bad.Status, bad.Body)
	}
	if got := a.api(t, http.MethodPut, base+"/activities", token, object{"activities": []string{}, "none": true}); got.Status != http.StatusOK || got.object()["no_activities"] != true {
		t.Errorf("none: %d %s", got.Status, got.Body)
	}
	if got := a.api(t, http.MethodGet, base, token, nil).object()["no_activities"]; got != true {
		t.Errorf("no_activities in GET: %v", got)
	}
	if n := len(a.mailsTo(t, "wim@example.nl")); n == 0 {
		t.Error("no letter mailed to the requester")
	}
}
