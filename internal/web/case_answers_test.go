package web_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/staff"
)

// caseByRef reads case ref straight from the store (all branches).
func caseByRef(tb testing.TB, a *breachApp, ref string) casework.Case {
	tb.Helper()
	k, err := a.store.CaseByReference(tb.Context(), ref, casework.Scope{All: true})
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// statementOf reads what the officer stored as the access statement of ref.
func statementOf(tb testing.TB, a *breachApp, ref string) casework.Statement {
	tb.Helper()
	st, err := a.store.AccessStatement(tb.Context(), caseByRef(tb, a, ref).ID)
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

// TestCaseActivitiesAndStatementPages: on an access case the statement
// waits for the activities; an officer ticks the register's activities
// that concern the person (one change, audited);
// the statement drafted from exactly those shows in the text area; an
// unknown key is refused next to the field (422); the officer edits and
// approves the statement (who and when shown, audited); saving it again
// without approving withdraws the approval; choosing other activities
// drafts it anew; an empty text is refused (422); a case of another right
// has the activities but no statement (409 when posted); an officer of
// another branch gets 404 and changes nothing.
func TestCaseActivitiesAndStatementPages(t *testing.T) {
	a := newBreachApp(t)
	a.breachMember(t, "u@delinde.example", "Uri Utrecht", staff.Officer, "utrecht")
	a.breachMember(t, "am@delinde.example", "Anna Amsterdam", staff.Officer, "amsterdam")
	officer := a.breachSignIn(t, "u@delinde.example")
	other := a.breachSignIn(t, "am@delinde.example")
	ref := a.fileRequest(t, "Tessa Proef", "tessa@example.nl", "utrecht")
	path := "/staff/cases/" + ref

	page := officer.get(path)
	wantStatus(t, page, http.StatusOK)
	for _, key := range []string{"client-file", "invoicing", "newsletter", "contact-form"} {
		if len(page.find(func(n *html.Node) bool {
			return n.Data == "input" && attr(n, "name") == "activities.activities" && attr(n, "value") == key
		})) != 1 {
			t.Fatalf("no check box for %s:\n%s", key, page.text())
		}
	}
	if got := page.checked("activities.activities"); len(got) != 0 {
		t.Errorf("ticked before choosing: %v", got)
	}
	// The statement follows the activities on the path: until they are
	// chosen its step says so and offers no text to approve; the draft
	// (read through the API) says no data are processed.
	if page.hasField("statement.text") {
		t.Error("the statement is offered before the activities are chosen")
	}
	assertShows(t, page, a.nl("plan.step.statement"), a.nl("plan.blocked.activities"))
	if draft := a.api(t, http.MethodGet, "/api/v1/cases/"+ref+"/access-statement", a.breachToken(t, "u@delinde.example"), nil); !strings.Contains(string(draft.Body), "verwerkt geen persoonsgegevens") {
		t.Errorf("with nothing chosen the draft should say no data are processed:\n%s", draft.Body)
	}

	// Tick two activities.
	p := officer.postForm(path+"/activities", "activities.activities", "client-file", "activities.activities", "invoicing")
	wantStatus(t, p, http.StatusSeeOther)
	page = officer.get(path)
	if got := page.checked("activities.activities"); !slices.Equal(got, []string{"client-file", "invoicing"}) {
		t.Errorf("ticked %v, want client-file, invoicing", got)
	}
	assertShows(t, page, a.nl("flash.activities"), a.nl("answers.drafted"))
	draft := page.fieldValue("statement.text")
	for _, want := range []string{"Cliëntdossier", "Jeugdwet art. 7.3.8", "Algemene wet inzake rijksbelastingen art. 52",
		"Autoriteit Persoonsgegevens", "Postbus 93374", "privacy@delinde.example"} {
		if !strings.Contains(draft, want) {
			t.Errorf("the draft lacks %q:\n%s", want, draft)
		}
	}
	// Neither rests on consent or contract: no portability, no withdrawal.
	for _, not := range []string{"Verzenddienst voor de nieuwsbrief", "Nieuwsbrief", "buiten de EU/EER", "overdraagbaarheid", "toestemming op elk moment"} {
		if strings.Contains(draft, not) {
			t.Errorf("the draft holds %q of an activity not chosen", not)
		}
	}
	if k := caseByRef(t, a, ref); !slices.Equal(k.Activities, []string{"client-file", "invoicing"}) {
		t.Errorf("stored activities %v", k.Activities)
	}
	entries := registerEntries(t, a, audit.CaseActivities)
	if len(entries) != 1 || entries[0].Detail != "activities=client-file,invoicing" || entries[0].Object != audit.Case(caseByRef(t, a, ref).ID) {
		t.Errorf("audit entries %+v", entries)
	}

	// An activity the register does not have.
	bad := officer.postForm(path+"/activities", "activities.activities", "client-file", "activities.activities", "gekaapt")
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	if bad.summary()["#f-activities-activities"] != a.nl("case.activity_unknown") {
		t.Errorf("summary %v", bad.summary())
	}
	if k := caseByRef(t, a, ref); !slices.Equal(k.Activities, []string{"client-file", "invoicing"}) {
		t.Errorf("a refused choice changed the activities: %v", k.Activities)
	}

	// Edit and approve.
	edited := draft + "\nWij voegen hier een persoonlijke toelichting voor Tessa aan toe."
	p = officer.postForm(path+"/access-statement", "statement.text", edited, "statement.approve", "yes")
	wantStatus(t, p, http.StatusSeeOther)
	page = officer.get(path)
	assertShows(t, page, a.nl("flash.statement_approved"), "Goedgekeurd door Uri Utrecht")
	if got := page.fieldValue("statement.text"); !strings.Contains(got, "persoonlijke toelichting voor Tessa") {
		t.Errorf("the text area does not show the approved text:\n%s", got)
	}
	st := statementOf(t, a, ref)
	if !st.Approved() || st.ApprovedBy != "Uri Utrecht" || !strings.Contains(st.Text, "toelichting voor Tessa") {
		t.Errorf("stored statement %+v", st)
	}
	assertShows(t, page, a.nl("event.access_statement")+" : "+a.nl("answers.event_approved"), a.nl("event.activities")+" : client-file,invoicing")
	if e := registerEntries(t, a, audit.CaseStatement); len(e) != 1 || e[0].Detail != "approved=yes" {
		t.Errorf("audit entries %+v", e)
	}

	// Saving again without approving withdraws the approval.
	wantStatus(t, officer.postForm(path+"/access-statement", "statement.text", edited+" Nog een zin."), http.StatusSeeOther)
	page = officer.get(path)
	assertShows(t, page, a.nl("answers.not_approved"))
	if st := statementOf(t, a, ref); st.Approved() || !strings.HasSuffix(st.Text, "Nog een zin.") {
		t.Errorf("after editing: approved %v, text %q", st.Approved(), st.Text)
	}
	if e := registerEntries(t, a, audit.CaseStatement); len(e) != 2 || e[1].Detail != "approved=no" {
		t.Errorf("audit entries %+v", e)
	}

	// An empty text is refused, the stored one stays.
	empty := officer.postForm(path+"/access-statement", "statement.text", "  \r\n ", "statement.approve", "yes")
	wantStatus(t, empty, http.StatusUnprocessableEntity)
	if _, ok := empty.summary()["#f-statement-text"]; !ok {
		t.Errorf("summary %v", empty.summary())
	}
	if st := statementOf(t, a, ref); st.Approved() || !strings.HasSuffix(st.Text, "Nog een zin.") {
		t.Errorf("a refused text changed the statement: %+v", st)
	}

	// Approve, then choose other activities: the statement is drafted anew
	// from the new choice.
	wantStatus(t, officer.postForm(path+"/access-statement", "statement.text", edited, "statement.approve", "yes"), http.StatusSeeOther)
	wantStatus(t, officer.postForm(path+"/activities", "activities.activities", "newsletter"), http.StatusSeeOther)
	if st := statementOf(t, a, ref); st.Text != "" || st.Approved() {
		t.Errorf("a new choice kept the old statement: %+v", st)
	}
	page = officer.get(path)
	assertShows(t, page, a.nl("answers.drafted"))
	redraft := page.fieldValue("statement.text")
	if !strings.Contains(redraft, "Nieuwsbrief") || !strings.Contains(redraft, "buiten de EU/EER") || strings.Contains(redraft, "Jeugdwet") ||
		strings.Contains(redraft, "toelichting voor Tessa") {
		t.Errorf("the new draft does not follow the new choice:\n%s", redraft)
	}
	// The same choice again leaves an edited statement alone.
	wantStatus(t, officer.postForm(path+"/access-statement", "statement.text", redraft+" Eigen zin.", "statement.approve", "yes"), http.StatusSeeOther)
	wantStatus(t, officer.postForm(path+"/activities", "activities.activities", "newsletter"), http.StatusSeeOther)
	if st := statementOf(t, a, ref); !st.Approved() || !strings.HasSuffix(st.Text, "Eigen zin.") {
		t.Errorf("the same choice reset the statement: %+v", st)
	}

	// Another branch: not found, nothing changes.
	wantStatus(t, other.postForm(path+"/activities", "activities.activities", "invoicing"), http.StatusNotFound)
	wantStatus(t, other.postForm(path+"/access-statement", "statement.text", "Gekaapt", "statement.approve", "yes"), http.StatusNotFound)
	if k := caseByRef(t, a, ref); !slices.Equal(k.Activities, []string{"newsletter"}) {
		t.Errorf("another branch changed the activities: %v", k.Activities)
	}
	if st := statementOf(t, a, ref); strings.Contains(st.Text, "Gekaapt") {
		t.Error("another branch changed the statement")
	}

	// An erasure case: activities yes, statement no.
	res := a.api(t, http.MethodPost, "/api/v1/requests", "", with(newRequest("Wim Wissen", "wim@example.nl"), "type", "erasure",
		"specifics", object{"erasure_scope": "all"}, "branch", "utrecht"))
	if res.Status != http.StatusCreated {
		t.Fatalf("file erasure: %d %s", res.Status, res.Body)
	}
	erasure := res.object()["reference"].(string)
	epath := "/staff/cases/" + erasure
	wantStatus(t, officer.postForm(epath+"/activities", "activities.activities", "client-file"), http.StatusSeeOther)
	epage := officer.get(epath)
	if got := epage.checked("activities.activities"); !slices.Equal(got, []string{"client-file"}) {
		t.Errorf("erasure case ticked %v", got)
	}
	if epage.hasField("statement.text") || strings.Contains(epage.text(), a.nl("answers.statement_title")) {
		t.Error("an erasure case shows an access statement")
	}
	refused := officer.postForm(epath+"/access-statement", "statement.text", "Iets", "statement.approve", "yes")
	wantStatus(t, refused, http.StatusConflict)
	assertShows(t, refused, a.nl("case.not_access"))

	// A completed case keeps its choice and its statement.
	wantStatus(t, officer.postForm(path+"/decision", "decision.outcome", "withdrawn", "decision.withdrawn_how", "email",
		"decision.reasons", "Ingetrokken door de verzoeker."), http.StatusSeeOther)
	done := officer.postForm(path+"/activities", "activities.activities", "invoicing")
	wantStatus(t, done, http.StatusConflict)
	assertShows(t, done, a.nl("case.completed"))
	wantStatus(t, officer.postForm(path+"/access-statement", "statement.text", "Later", "statement.approve", "yes"), http.StatusConflict)
	if k := caseByRef(t, a, ref); !slices.Equal(k.Activities, []string{"newsletter"}) {
		t.Errorf("a completed case's activities changed: %v", k.Activities)
	}
	final := officer.get(path)
	if final.hasField("activities.activities") || final.hasField("statement.text") || !strings.Contains(final.text(), "Eigen zin.") {
		t.Error("a completed case should show its choice and statement without forms")
	}
}

// TestAPICaseActivitiesAndStatement: PUT …/activities answers 200 with the
// case holding the activities (GET holds them too, lists do not), 422 with
// fields.activities for a key the register lacks; GET …/access-statement
// is plain text in the case's language, the draft from exactly the chosen
// activities until the officer approves a text, then that text; 409 on a
// case of another right; another branch's token gets 404.
func TestAPICaseActivitiesAndStatement(t *testing.T) {
	a := newBreachApp(t)
	a.breachMember(t, "u@delinde.example", "Uri Utrecht", staff.Officer, "utrecht")
	a.breachMember(t, "am@delinde.example", "Anna Amsterdam", staff.Officer, "amsterdam")
	token := a.breachToken(t, "u@delinde.example")
	otherToken := a.breachToken(t, "am@delinde.example")
	english := a.api(t, http.MethodPost, "/api/v1/requests", "", with(newRequest("Tom Test", "tom@example.nl"), "branch", "utrecht", "language", "en"))
	if english.Status != http.StatusCreated {
		t.Fatalf("file: %d %s", english.Status, english.Body)
	}
	ref := english.object()["reference"].(string)
	base := "/api/v1/cases/" + ref

	res := a.api(t, http.MethodPut, base+"/activities", token, object{"activities": []string{"newsletter", "client-file"}})
	if res.Status != http.StatusOK {
		t.Fatalf("PUT activities: %d %s", res.Status, res.Body)
	}
	if got := res.object()["activities"]; !equalStrings(got, "client-file", "newsletter") {
		t.Errorf("activities in the answer: %v, want the register's order", got)
	}
	if got := a.api(t, http.MethodGet, base, token, nil).object()["activities"]; !equalStrings(got, "client-file", "newsletter") {
		t.Errorf("activities in GET: %v", got)
	}
	if list := a.api(t, http.MethodGet, "/api/v1/cases?branch=utrecht", token, nil); strings.Contains(string(list.Body), `"activities"`) {
		t.Error("a list shows activities it did not read")
	}

	bad := a.api(t, http.MethodPut, base+"/activities", token, object{"activities": []string{"client-file", "gekaapt"}})
	if bad.Status != http.StatusUnprocessableEntity || bad.errorFields()["activities"] == "" {
		t.Errorf("unknown key: %d %s", bad.Status, bad.Body)
	}
	if k := caseByRef(t, a, ref); !slices.Equal(k.Activities, []string{"client-file", "newsletter"}) {
		t.Errorf("a refused choice changed the activities: %v", k.Activities)
	}

	st := a.api(t, http.MethodGet, base+"/access-statement", token, nil)
	if st.Status != http.StatusOK || st.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("statement: %d %q %s", st.Status, st.Header.Get("Content-Type"), st.Body)
	}
	text := string(st.Body)
	for _, want := range []string{"Access to personal data (Article 15 GDPR)", "Cliëntdossier", "Nieuwsbrief",
		"outside the EU/EEA (US); safeguard for the transfer: Adequaatheidsbesluit EU-VS Data Privacy Framework",
		"(data portability, Article 20), in: Nieuwsbrief.", "Dutch Data Protection Authority (Autoriteit Persoonsgegevens)"} {
		if !strings.Contains(text, want) {
			t.Errorf("the statement lacks %q:\n%s", want, text)
		}
	}
	for _, not := range []string{"Facturatie", "Uw rechten", "Boekhoudkantoor"} {
		if strings.Contains(text, not) {
			t.Errorf("the statement holds %q", not)
		}
	}

	// The officer approves an edited text on the page: the API gives it.
	officer := a.breachSignIn(t, "u@delinde.example")
	wantStatus(t, officer.postForm("/staff/cases/"+ref+"/access-statement", "statement.text", "Approved text for Tom.",
		"statement.approve", "yes"), http.StatusSeeOther)
	if got := string(a.api(t, http.MethodGet, base+"/access-statement", token, nil).Body); got != "Approved text for Tom." {
		t.Errorf("after approval the API gives %q", got)
	}

	erasure := a.api(t, http.MethodPost, "/api/v1/requests", "", with(newRequest("Wim Wissen", "wim@example.nl"), "type", "erasure",
		"specifics", object{"erasure_scope": "all"}, "branch", "utrecht")).object()["reference"].(string)
	if res := a.api(t, http.MethodGet, "/api/v1/cases/"+erasure+"/access-statement", token, nil); res.Status != http.StatusConflict {
		t.Errorf("erasure case: %d %s", res.Status, res.Body)
	}
	if res := a.api(t, http.MethodPut, "/api/v1/cases/"+erasure+"/activities", token, object{"activities": []string{"invoicing"}}); res.Status != http.StatusOK {
		t.Errorf("activities on an erasure case: %d %s", res.Status, res.Body)
	}

	for _, r := range []struct{ method, path string }{{http.MethodGet, base + "/access-statement"}, {http.MethodPut, base + "/activities"}} {
		if res := a.api(t, r.method, r.path, otherToken, object{"activities": []string{}}); res.Status != http.StatusNotFound {
			t.Errorf("another branch %s %s: %d", r.method, r.path, res.Status)
		}
	}
	if k := caseByRef(t, a, ref); !slices.Equal(k.Activities, []string{"client-file", "newsletter"}) {
		t.Errorf("another branch changed the activities: %v", k.Activities)
	}
}

// equalStrings reports whether v, a decoded JSON array, holds exactly want.
func equalStrings(v any, want ...string) bool {
	list, ok := v.([]any)
	if !ok || len(list) != len(want) {
		return false
	}
	for i, x := range list {
		if x != want[i] {
			return false
		}
	}
	return true
}
