package web_test

import (
	"net/http"
	"strings"

	"github.com/chromedp/chromedp"
)

// ownerJourney: Els, the practice's owner, signs in with the second factor
// and logs a stolen laptop in the breach register; she scores it with the
// ENISA method (sensitive data of vulnerable people, identifiable, seen by
// unknown people: very high), decides to notify the Autoriteit
// Persoonsgegevens and to inform the families, opens the draft of the
// notification and downloads it as a PDF to print.
func ownerJourney(j *journey) {
	t := j.t
	a := newBreachApp(t)
	a.signIn(t, "els@delinde.example") // enrols the second factor
	const title = "Laptop met cliëntdossiers gestolen uit auto"

	j.signIn(a.testApp, "els@delinde.example")
	j.load("breaches", http.StatusOK, chromedp.Navigate(a.ts.URL+"/staff/breaches"))
	j.load("breach-new", http.StatusOK, chromedp.Click(chromedp.CSS(`main a[href="/staff/breaches/new"]`)))
	j.do("type the facts",
		chromedp.SendKeys(chromedp.ID("f-title"), title),
		chromedp.SendKeys(chromedp.ID("f-branch"), "Utrecht"),
		chromedp.Click(chromedp.CSS(`input[name="kinds"][value="confidentiality"]`)),
		chromedp.Click(chromedp.CSS(`input[name="incident_type"][value="theft"]`)),
		chromedp.SendKeys(chromedp.ID("f-description"), "Uit de auto van een jeugdhulpverlener is een laptop gestolen met dossiers van cliënten. De schijf was niet versleuteld."))
	j.load("breach", http.StatusOK, chromedp.Click(chromedp.CSS(`form[action="/staff/breaches/new"] button.primary`)))
	u := j.get("where the breach is", chromedp.Location())
	i := strings.LastIndex(u, "/staff/breaches/")
	if i < 0 {
		t.Fatalf("after logging the browser is at %s, want the breach's page", u)
	}
	ref := u[i+len("/staff/breaches/"):]
	path := "/staff/breaches/" + ref
	if r := mustRecord(t, a, ref); r.Title != title {
		t.Fatalf("the register holds %q at %s, want the laptop", r.Title, ref)
	}
	j.shows("the breach page", ref, title)

	// The score.
	j.load("assessment", http.StatusOK, chromedp.Click(chromedp.CSS(`main a[href="`+path+`/assessment"]`)))
	j.do("score it",
		chromedp.Click(chromedp.CSS(`input[name="base"][value="sensitive"]`)),
		chromedp.Click(chromedp.CSS(`input[name="ei"][value="1"]`)),
		chromedp.Click(chromedp.CSS(`input[name="confidentiality"][value="unknown_recipients"]`)),
		chromedp.Click(chromedp.CSS(`input[name="integrity"][value="none"]`)),
		chromedp.Click(chromedp.CSS(`input[name="availability"][value="temporary"]`)))
	j.load("assessed", http.StatusOK, chromedp.Click(chromedp.CSS(`form[action="`+path+`/assessment"] button.primary`)))
	if sev := j.text("#severity"); !strings.Contains(sev, a.nl("breach.band.very_high")) {
		t.Errorf("severity shown %q, want %q", sev, a.nl("breach.band.very_high"))
	}

	// The decision: notify the authority, inform the families.
	j.load("decision", http.StatusOK, chromedp.Click(chromedp.CSS(`main a[href="`+path+`/decision"]`)))
	j.do("decide",
		chromedp.Click(chromedp.CSS(`input[name="notify_ap"][value="yes"]`)),
		chromedp.Click(chromedp.CSS(`input[name="inform_people"][value="yes"]`)))
	j.load("decided", http.StatusOK, chromedp.Click(chromedp.CSS(`form[action="`+path+`/decision"] button.primary`)))
	r := mustRecord(t, a, ref)
	if r.Decision == nil || !r.Decision.NotifyAP {
		t.Fatalf("decision stored %+v, want the authority notified", r.Decision)
	}

	// The draft of the notification, on screen and as a PDF to print.
	j.load("ap-draft", http.StatusOK, chromedp.Click(chromedp.CSS(`main a[href="`+path+`/ap-draft"]`)))
	if got := j.get("the draft's summary", chromedp.Value(chromedp.CSS(`[id="q-breach.summary"]`))); got != title {
		t.Errorf("the draft's summary %q, want %q", got, title)
	}
	j.printed("ap-draft-print")
	link, err := chromedp.Run(j.tab, chromedp.AttributeValue(chromedp.CSS(`main a[href$="ap-draft.pdf"]`), "href"))
	if err != nil || !link.Exists {
		t.Fatalf("the draft page's link to the PDF: %v", err)
	}
	pdf := j.download(a.testApp, link.Value)
	wantStatus(t, pdf, http.StatusOK)
	if len(pdf.Body) < 4000 {
		t.Errorf("the PDF is %d bytes, want a whole draft", len(pdf.Body))
	}
	assertPDF(t, pdf, "Concept-melding datalek aan de Autoriteit Persoonsgegevens", title, "10. Vervolgacties")
}
