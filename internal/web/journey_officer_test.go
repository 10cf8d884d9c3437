package web_test

import (
	"net/http"
	"strings"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/staff"
)

// officerJourney: Uri, an officer of the Utrecht branch, signs in with the
// second factor, finds an erasure request in the queue and opens it,
// verifies the requester's identity, asks her something more (she answers
// on her tracking page), extends the deadline with a reason, records that
// none of the register's activities concern her, grants the request and
// so sends the decision letter. Erasure is the right with the shortest
// path that still ends in a decision and a letter: no statement to
// approve, and its own step falls away when no data are held.
func officerJourney(j *journey) {
	t := j.t
	a := newBreachApp(t)
	a.breachMember(t, "u@delinde.example", "Uri Utrecht", staff.Officer, "utrecht")
	a.signIn(t, "u@delinde.example") // enrols the second factor
	in := startInbox(t, "")
	const wim = "wim@example.nl"
	res := a.api(t, http.MethodPost, "/api/v1/requests", "", with(newRequest("Wim Wissen", wim), "type", "erasure",
		"specifics", object{"erasure_scope": "all"}, "branch", "utrecht"))
	if res.Status != http.StatusCreated {
		t.Fatalf("file the erasure request: %d %s", res.Status, res.Body)
	}
	ref := res.object()["reference"].(string)
	path := "/staff/cases/" + ref
	submit := func(action string) chromedp.Action[chromedp.Void] {
		return chromedp.Click(chromedp.CSS(`form[action="` + path + action + `"] button[type="submit"]`))
	}

	j.signIn(a.testApp, "u@delinde.example")
	j.shows("the queue", ref, "Wim Wissen")
	j.load("case", http.StatusOK, chromedp.Click(chromedp.CSS(`a[href="`+path+`"]`)))
	j.shows("the case page", ref, "Wim Wissen")

	// The identity, checked against the address on file.
	j.do("identity", chromedp.SendKeys(chromedp.ID("f-identity-method"), a.nl("identity.method_email_on_file")),
		chromedp.Click(chromedp.CSS(`input[name="identity.outcome"][value="verified"]`)))
	j.load("verified", http.StatusOK, submit("/identity"))
	j.shows("the case page after the check", a.nl("flash.identity"))
	if k := a.caseOf(t, ref); k.Identity.Status != casework.IdentityVerified {
		t.Fatalf("identity %s after the check, want verified", k.Identity.Status)
	}

	// Something more to ask: the forms of the identity step, folded away
	// once it is done, open under their summary.
	const question = "Heeft u ooit onder een andere achternaam bij ons in begeleiding gestaan?"
	j.do("open the identity's forms", chromedp.Click(chromedp.CSS(`details.step-more > summary`)))
	j.do("type the question", chromedp.SendKeys(chromedp.ID("f-ask-text"), question))
	j.load("asked", http.StatusOK, submit("/ask"))
	j.shows("the case page after the question", a.nl("flash.asked"), question)
	if k := a.caseOf(t, ref); !k.Paused() {
		t.Fatalf("the case is not paused while the question is open (status %s)", k.Status)
	}
	// Wim answers on his tracking page.
	wimsBrowser := a.browser(t)
	token := a.latestTrackingToken(t, wim)
	answer := "Nee, altijd onder deze naam."
	if loc := answerForm(t, wimsBrowser, formAction(t, wimsBrowser.get("/volg/"+token)), answer, "", "", nil).location(); loc != "/volg/"+token {
		t.Fatalf("after the answer: to %s", loc)
	}
	j.load("answer-read", http.StatusOK, chromedp.Navigate(a.ts.URL+path))
	j.shows("the case page with the answer", answer)
	before := a.caseOf(t, ref)
	if before.Paused() {
		t.Fatal("the case is still paused after the answer")
	}

	// The deadline extended, with the reason the requester reads.
	const reason = "Uw dossier ligt deels in het archief van een vestiging die is gesloten; wij hebben meer tijd nodig om het na te lopen."
	j.do("type the reason", chromedp.SendKeys(chromedp.ID("f-extension-reason"), reason))
	j.load("extended", http.StatusOK, submit("/extension"))
	j.shows("the case page after the extension", a.nl("flash.extended"))
	after := a.caseOf(t, ref)
	if !after.Extended || !after.Deadlines.Due.After(before.Deadlines.Due) {
		t.Fatalf("extended %v, due %s (was %s)", after.Extended, after.Deadlines.Due, before.Deadlines.Due)
	}
	if mails := strings.Join(a.mailsTo(t, wim), "\n"); !strings.Contains(mails, a.nlDate(after.Deadlines.Due)) {
		t.Errorf("no mail to %s gives the new deadline, %s", wim, a.nlDate(after.Deadlines.Due))
	}
	j.shows("the case page after the extension", reason)

	// None of the register's activities concern Wim: nothing to erase.
	j.load("no-data", http.StatusOK, chromedp.Click(chromedp.CSS(`button[name="activities.none"][value="yes"]`)))
	j.shows("the case page after the activities", a.nl("flash.activities_none"))

	// The decision, with the letter drafted, read, signed and sent.
	const signed = "Uri Utrecht, functionaris gegevensbescherming"
	j.do("decision",
		chromedp.Click(chromedp.CSS(`input[name="decision.outcome"][value="granted"]`)),
		chromedp.SendKeys(chromedp.ID("f-decision-reasons"), "Wij hebben al onze verwerkingen nagelopen en niets over u gevonden."))
	j.load("letter-draft", http.StatusOK, chromedp.Click(chromedp.CSS(`button[formaction="`+path+`/decision/letter"]`)))
	if draft := j.get("the draft letter", chromedp.Value(chromedp.ID("f-decision-letter"))); !strings.Contains(draft, a.nl("letter.decision.erasure.no_data")) {
		t.Errorf("the draft letter does not say there is nothing to erase:\n%s", draft)
	}
	j.do("sign the letter under the practice's name", chromedp.Focus(chromedp.ID("f-decision-letter")),
		chromedp.KeyEvent(kb.End, chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent("\n"+signed))
	j.load("decided", http.StatusOK, chromedp.Click(chromedp.CSS(`form[action="`+path+`/decision"] button.primary`)))
	j.shows("the case page after the decision", a.nl("flash.decided"), a.nl("letter.decision.erasure.no_data"), signed)
	k := a.caseOf(t, ref)
	if k.Status != casework.Completed || k.Outcome != casework.Granted {
		t.Fatalf("decided: %s %s, want completed and granted", k.Status, k.Outcome)
	}
	letter, _, err := a.store.CaseLetter(t.Context(), k.ID)
	if err != nil {
		t.Fatalf("the letter: %v", err)
	}
	if !strings.HasSuffix(strings.TrimSpace(letter.Body), signed) {
		t.Errorf("the letter as stored does not end with the signature:\n%s", letter.Body)
	}
	// The mail that the letter is ready reaches the mail server, with
	// the link to it.
	mails := deliverOutbox(t, a.testApp, in)
	if last := mails[len(mails)-1]; last.To != wim || !strings.Contains(last.Text, ref) || !strings.Contains(last.Text, testBaseURL+"/volg/") {
		t.Errorf("the last mail the server received: %+v, want the letter's to %s", last, wim)
	}
}
