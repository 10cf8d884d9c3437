package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/staff"
)

// TestCaseErasurePage walks an erasure on the case page: one fieldset per
// chosen activity with every option's fields in view; problems next to the
// fields of the item at fault; the items recorded with who erased; a
// decision with a destruction promised leaves the case in progress (the
// queue says to confirm it), and confirming it completes the case and
// tells the requester.
func TestCaseErasurePage(t *testing.T) {
	a := newBreachApp(t)
	a.breachMember(t, "u@delinde.example", "Uri Utrecht", staff.Officer, "utrecht")
	officer := a.breachSignIn(t, "u@delinde.example")
	res := a.api(t, http.MethodPost, "/api/v1/requests", "", with(newRequest("Wim Wissen", "wim@example.nl"), "type", "erasure",
		"specifics", object{"erasure_scope": "all"}, "branch", "utrecht"))
	if res.Status != http.StatusCreated {
		t.Fatalf("file erasure: %d %s", res.Status, res.Body)
	}
	ref := res.object()["reference"].(string) // received 25 November 2026
	path := "/staff/cases/" + ref

	// Before any activity is chosen the step waits for them, without a form.
	page := officer.get(path)
	assertShows(t, page, a.nl("plan.step.erasure"), a.nl("plan.blocked.activities"))
	if page.formTo(path+"/erasure") != nil {
		t.Error("an erasure form before any activity is chosen")
	}
	wantStatus(t, officer.postForm(path+"/identity", "identity.method", "email_on_file", "identity.outcome", "verified"), http.StatusSeeOther)
	wantStatus(t, officer.postForm(path+"/activities", "activities.activities", "client-file", "activities.activities", "invoicing"), http.StatusSeeOther)
	page = officer.get(path)
	for _, name := range []string{"erasure.items.0.system", "erasure.items.0.erased_on", "erasure.items.0.ground", "erasure.items.0.until",
		"erasure.items.0.due", "erasure.items.1.due"} {
		if !page.hasField(name) {
			t.Errorf("the page lacks the field %s", name)
		}
	}
	if got := page.fieldValue("erasure.items.0.erased_on"); got != "2026-11-25" {
		t.Errorf("erased on defaults to %q, want today", got)
	}

	// A destruction promised beyond three months, and a kept item without
	// its end date: each problem next to its field.
	bad := officer.fill(page, path+"/erasure",
		"erasure.items.0.action", "scheduled", "erasure.items.0.system", "Dossierix", "erasure.items.0.due", "2027-02-26",
		"erasure.items.1.action", "kept", "erasure.items.1.ground", "AWR art. 52")
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	sum := bad.summary()
	if sum["#f-erasure-items-0-due"] != a.nl("erasure.due_within") || sum["#f-erasure-items-1-until"] != a.nl("case.until_required") || len(sum) != 2 {
		t.Errorf("summary %v", sum)
	}
	if bad.byID("f-erasure-items-0-due") == nil || bad.byID("f-erasure-items-1-until") == nil {
		t.Error("the summary links to fields that are not on the page")
	}
	if got := bad.fieldValue("erasure.items.0.due"); got != "2027-02-26" {
		t.Errorf("the typed day came back as %q", got)
	}

	// The fields of the options not chosen do not count: erased on stays
	// filled in for the kept and the scheduled item.
	ok := officer.fill(bad, path+"/erasure", "erasure.items.0.due", "2027-01-29", "erasure.items.1.until", "2033-12-31")
	wantStatus(t, ok, http.StatusSeeOther)
	page = officer.get(path)
	assertShows(t, page, a.nl("flash.erasure_saved"), "vernietiging beloofd uiterlijk vrijdag 29 januari 2027", "bewaard tot en met zaterdag 31 december 2033 (AWR art. 52)")
	k := caseByRef(t, a, ref)
	if len(k.Erasure) != 2 || k.Erasure[0].Due != "2027-01-29" || k.Erasure[0].ErasedOn != "" || k.Erasure[1].ErasedOn != "" {
		t.Fatalf("stored items %+v", k.Erasure)
	}

	// The requester confirms the address, so the letter says what is kept.
	wantStatus(t, a.browser(t).get("/volg/"+a.latestTrackingToken(t, "wim@example.nl")), http.StatusOK)

	// Decided in part: the letter names the promised day, the case stays in
	// progress and the queue says to confirm the destruction.
	wantStatus(t, officer.postForm(path+"/decision", "decision.outcome", "partially_granted", "decision.ground", "legal_retention",
		"decision.statute", "AWR art. 52", "decision.until", "2033-12-31",
		"decision.reasons", "Uw dossier vernietigen wij; de facturen bewaren wij zolang de belastingwet dat eist."), http.StatusSeeOther)
	k = caseByRef(t, a, ref)
	if k.Status != casework.InProgress || k.Outcome != casework.PartiallyGranted {
		t.Fatalf("decided: %s %s", k.Status, k.Outcome)
	}
	page = officer.get(path)
	assertShows(t, page, "wordt uiterlijk vrijdag 29 januari 2027 vernietigd (Dossierix)", a.nl("erasure.confirm_submit"))
	if page.formTo(path+"/decision") != nil || page.formTo(path+"/erasure") != nil {
		t.Error("a decided case still offers the decision or the erasure form")
	}
	queue := officer.get("/staff/cases")
	assertShows(t, queue, ref, "vernietiging bevestigen vóór vrijdag 29 januari 2027")

	// A day in the future is refused next to its field.
	page = officer.get(path)
	future := officer.fill(page, path+"/erasure/confirm", "destruction.erased_on", "2026-11-26")
	wantStatus(t, future, http.StatusUnprocessableEntity)
	if sum := future.summary(); sum["#f-destruction-erased_on"] != a.nl("erasure.erased_on_future") {
		t.Errorf("summary %v", sum)
	}
	done := officer.fill(future, path+"/erasure/confirm", "destruction.erased_on", "2026-11-25")
	wantStatus(t, done, http.StatusSeeOther)
	page = officer.get(path)
	assertShows(t, page, a.nl("flash.destruction_completed"), "vernietigd op woensdag 25 november 2026", "door Uri Utrecht")
	if k = caseByRef(t, a, ref); k.Status != casework.Completed {
		t.Errorf("status %s after the confirmation", k.Status)
	}
	mails := a.mailsTo(t, "wim@example.nl")
	if len(mails) == 0 || !strings.Contains(mails[len(mails)-1], "verzoek "+ref+" (Verwijdering) beloofden wij") {
		t.Errorf("mails to the requester: %v", mails)
	}
	if e := registerEntries(t, a, audit.CaseErasure); len(e) != 3 || e[1].Detail != "destroyed=client-file on=2026-11-25" {
		t.Errorf("audit entries %+v", e)
	}
}

// A requester by post, without e-mail, is told of the destruction carried
// out by a letter to print, as of every other step; no mail is queued.
func TestErasureDestroyedByPost(t *testing.T) {
	a := newBreachApp(t)
	a.breachMember(t, "u@delinde.example", "Uri Utrecht", staff.Officer, "utrecht")
	officer := a.breachSignIn(t, "u@delinde.example")
	mails := len(a.outbox(t))
	form := officer.get("/staff/cases/new")
	created := officer.fill(form, "/staff/cases/new", "channel", "post", "type", "erasure", "received_at", "2026-11-20", "branch", "utrecht",
		"requester.relation", "self", "requester.name", "Gerrit Postma", "requester.email", "",
		"requester.address.street", "Dorpsstraat 4", "requester.address.postcode", "3511 ab", "requester.address.city", "Utrecht",
		"details", "Vernietig mijn dossier.")
	wantStatus(t, created, http.StatusSeeOther)
	path := created.location()
	wantStatus(t, officer.postForm(path+"/identity", "identity.method", "in_person", "identity.outcome", "verified"), http.StatusSeeOther)
	wantStatus(t, officer.postForm(path+"/activities", "activities.activities", "client-file"), http.StatusSeeOther)
	wantStatus(t, officer.postForm(path+"/erasure", "erasure.items.0.activity", "client-file", "erasure.items.0.action", "scheduled",
		"erasure.items.0.system", "Papieren archief", "erasure.items.0.due", "2027-01-15"), http.StatusSeeOther)
	wantStatus(t, officer.postForm(path+"/decision", "decision.outcome", "granted", "decision.reasons", "Wij vernietigen uw dossier."), http.StatusSeeOther)
	wantStatus(t, officer.postForm(path+"/erasure/confirm", "destruction.activity", "client-file", "destruction.erased_on", "2026-11-25"), http.StatusSeeOther)
	// Only the art. 19 notices to the recipients of the erased dossier go
	// out by mail; nothing to the requester, who has no address.
	for _, m := range a.outbox(t)[mails:] {
		if !strings.Contains(m.Message.Subject, "(artikel 19 AVG)") {
			t.Errorf("a mail %q queued for a requester without e-mail (to %s)", m.Message.Subject, m.Message.To)
		}
	}
	p := officer.get(path)
	assertShows(t, p, a.nl("case.letter.destroyed"))
	var letter string
	for _, l := range printLinks(p) {
		if strings.Contains(l, "/letters/") && !strings.HasSuffix(l, "/acknowledgement") {
			letter = l
		}
	}
	pdf := officer.get(letter)
	wantStatus(t, pdf, http.StatusOK)
	if text, ok := pdfText(t, pdf); ok && !strings.Contains(text, "vernietigd op woensdag 25 november 2026") {
		t.Errorf("the letter lacks the day of destruction:\n%s", text)
	}
}
