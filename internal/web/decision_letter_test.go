package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/staff"
)

// pdfOf reads the text of a PDF the API sent, as pdfText does for pages.
func pdfOf(tb testing.TB, res apiResponse) (string, bool) {
	tb.Helper()
	if res.Status != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" {
		tb.Fatalf("letter.pdf: status %d, type %q: %s", res.Status, res.Header.Get("Content-Type"), res.Body)
	}
	return pdfText(tb, &page{tb: tb, Status: res.Status, Header: res.Header, Body: string(res.Body)})
}

// nlDate writes d as Dutch letters do.
func (a *testApp) nlDate(d deadline.Date) string { return lang.Date(lang.NL, d) }

func assertHolds(tb testing.TB, what, text string, want, absent []string) {
	tb.Helper()
	for _, s := range want {
		if !strings.Contains(text, s) {
			tb.Errorf("%s lacks %q:\n%s", what, s, text)
		}
	}
	for _, s := range absent {
		if strings.Contains(text, s) {
			tb.Errorf("%s holds %q:\n%s", what, s, text)
		}
	}
}

// At decision time the officer has the letter drafted from the decision,
// edits it and sends it: the edited text is stored with the case, the mail
// only says a letter is ready behind the link, the tracking page shows the
// letter and offers its PDF, and the PDF (staff page, API, tracking link)
// holds the reference, the date, the practice, the ground's article, the
// Dutch authority and the court. Before the decision there is no letter
// (409).
func TestDecisionLetterDraftEditSend(t *testing.T) {
	a := newTestServer(t)
	a.setCountry(t, practice.Netherlands, func(s *practice.Settings) {
		s.Name, s.Address, s.PrivacyURL = "Praktijk De Linde", "Lindelaan 3\n3512 AB Utrecht", "https://delinde.example/privacy"
	})
	member := a.addMember(t, "functionaris@praktijk.example", staff.Officer)
	token := a.addToken(t, member)
	officer := a.signIn(t, "functionaris@praktijk.example")
	ref := a.fileRequest(t, "Fenna Bosgraaf", "fenna@example.nl", "")
	casePath := "/staff/cases/" + ref
	if res := a.api(t, http.MethodGet, "/api/v1/cases/"+ref+"/letter.pdf", token, nil); res.Status != http.StatusConflict {
		t.Fatalf("letter.pdf before the decision: status %d, want 409", res.Status)
	}
	if got := officer.get(casePath + "/letter.pdf"); got.Status != http.StatusConflict {
		t.Errorf("staff letter.pdf before the decision: status %d, want 409", got.Status)
	}
	a.browser(t).get("/volg/" + a.trackingToken(t, "fenna@example.nl")) // confirms the address
	officer.submit(casePath+"/identity", "identity.method", "email_on_file", "identity.outcome", "verified").location()
	a.walkAccess(t, officer, ref)

	p := officer.get(casePath)
	assertShows(t, p, a.nl("case.letter_draft"), a.nl("case.letter_intro"))
	if p.fieldValue("decision.letter") != "" {
		t.Fatal("the form holds a letter before one was drafted")
	}
	form := p.formTo(casePath + "/decision")
	// A decision that is not valid is not drafted: its problems come back.
	bad := officer.fillForm(form, casePath+"/decision/letter", "decision.outcome", "refused", "decision.reasons", "Nee.")
	if bad.Status != http.StatusUnprocessableEntity || bad.textOf("f-decision-ground-error") == "" || bad.fieldValue("decision.letter") != "" {
		t.Fatalf("draft without a ground: status %d, ground error %q", bad.Status, bad.textOf("f-decision-ground-error"))
	}
	const reasons = "Een deel van het dossier gaat over uw broer."
	draft := officer.fillForm(form, casePath+"/decision/letter", "decision.outcome", "partially_granted",
		"decision.ground", "rights_of_others", "decision.reasons", reasons)
	if draft.Status != http.StatusOK {
		t.Fatalf("draft: status %d\n%s", draft.Status, draft.text())
	}
	text := draft.fieldValue("decision.letter")
	assertHolds(t, "the draft", text, []string{"Geachte Fenna Bosgraaf,", ref, a.nl("letter.decision.access.partially_granted"),
		a.nl("ground.rights_of_others"), "art. 15 lid 4 AVG; art. 7:457 BW", reasons, "Autoriteit Persoonsgegevens",
		"artikel 35 UAVG", "Praktijk De Linde"}, nil)
	if a.caseOf(t, ref).Status == "completed" || len(a.mailsTo(t, "fenna@example.nl")) != 1 {
		t.Fatal("drafting the letter decided the case or sent a mail")
	}

	const added = "U mag ons altijd bellen: 030 123 45 67."
	edited := strings.Replace(text, "Geachte Fenna Bosgraaf,", "Geachte mevrouw Bosgraaf,", 1) + "\n\n" + added
	officer.fill(draft, casePath+"/decision", "decision.letter", edited).location()

	k := a.caseOf(t, ref)
	l, ok, err := a.store.CaseLetter(t.Context(), k.ID)
	if err != nil || !ok {
		t.Fatalf("CaseLetter: %v %v", ok, err)
	}
	if l.Body != strings.TrimSpace(edited) || !strings.Contains(l.Letterhead, "KvK-nummer 12345678") || l.Recipient != "Fenna Bosgraaf" {
		t.Errorf("stored letter: body %q, letterhead %q, recipient %q", l.Body, l.Letterhead, l.Recipient)
	}

	mails := a.mailsTo(t, "fenna@example.nl")
	last := mails[len(mails)-1]
	assertHolds(t, "the decision mail", last, []string{ref, "/volg/", "brief met het besluit staat voor u klaar"},
		[]string{reasons, added, "mevrouw Bosgraaf", "art. 15 lid 4", a.nl("ground.rights_of_others")})

	track := a.browser(t).get("/volg/" + a.latestTrackingToken(t, "fenna@example.nl"))
	assertShows(t, track, a.nl("track.letter_title"), "Geachte mevrouw Bosgraaf,", added, "KvK-nummer 12345678", a.nl("track.letter_pdf"))
	var pdfLink string
	for _, h := range track.links() {
		if strings.HasSuffix(h, "/letter.pdf") {
			pdfLink = h
		}
	}
	if pdfLink == "" {
		t.Fatal("the tracking page offers no PDF of the letter")
	}
	settings, err := a.store.Settings(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	date := lang.Date(lang.NL, deadline.DateOf(k.UpdatedAt, settings.Location()))
	if l.Date != date {
		t.Errorf("letter dated %q, want the day of the decision, %q", l.Date, date)
	}
	want := []string{ref, date, "Praktijk De Linde", "art. 15 lid 4 AVG", "Autoriteit Persoonsgegevens", "rechtbank",
		"artikel 35 UAVG", "Geachte mevrouw Bosgraaf,", added, "Lindelaan 3"}
	for _, got := range []*page{a.browser(t).get(pdfLink), officer.get(casePath + "/letter.pdf")} {
		if got.Status != http.StatusOK || got.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("letter PDF: status %d, type %q", got.Status, got.Header.Get("Content-Type"))
		}
		if text, ok := pdfText(t, got); ok {
			assertHolds(t, "the letter PDF", text, want, nil)
		}
	}
	if text, ok := pdfOf(t, a.api(t, http.MethodGet, "/api/v1/cases/"+ref+"/letter.pdf", token, nil)); ok {
		assertHolds(t, "the API's letter PDF", text, want, nil)
	}

	p = officer.get(casePath)
	assertShows(t, p, a.nl("case.letter_title"), "Geachte mevrouw Bosgraaf,", added, a.nl("case.letter_pdf"))
}

// A Belgian practice's letter names the GBA and the president of the court
// of first instance, and its KBO number; a decision through the API without
// a letter text sends the drafted letter.
func TestDecisionLetterBelgium(t *testing.T) {
	a := newTestServer(t)
	a.setCountry(t, practice.Belgium)
	token := a.addToken(t, a.addMember(t, "functionaris@praktijk.example", staff.Officer))
	ref := a.fileRequest(t, "Lotte Vanbrabant", "lotte@example.be", "")
	res := a.api(t, http.MethodPost, "/api/v1/cases/"+ref+"/decision", token,
		object{"outcome": "refused", "ground": "manifestly_unfounded", "reasons": "Het twaalfde verzoek deze maand."})
	if res.Status != http.StatusOK {
		t.Fatalf("decision: %d %s", res.Status, res.Body)
	}
	if text, ok := pdfOf(t, a.api(t, http.MethodGet, "/api/v1/cases/"+ref+"/letter.pdf", token, nil)); ok {
		assertHolds(t, "the Belgian letter", text, []string{ref, "Praktijk Grensland", "KBO-nummer 0123456789",
			"Gegevensbeschermingsautoriteit", "Drukpersstraat 35", "voorzitter van de rechtbank van eerste aanleg", "artikel 209"},
			[]string{"Autoriteit Persoonsgegevens", "35 UAVG"})
	}
}

// A case by post gets no mail: the print box offers the extension notice,
// the question and the decision letter as PDFs on the practice's
// letterhead, with the requester's postal address, the date and the
// reference on top.
func TestPostalDecisionLetter(t *testing.T) {
	a := newTestServer(t)
	a.setCountry(t, practice.Netherlands)
	a.addMember(t, "ineke@praktijk.example", staff.Officer)
	officer := a.signIn(t, "ineke@praktijk.example")
	casePath := officer.fill(officer.get("/staff/cases/new"), "/staff/cases/new", "channel", "post", "type", "access",
		"received_at", "2026-11-20", "requester.relation", "self", "requester.name", "Gerrit Postma", "requester.email", "",
		"details", "Mijn dossier graag per post.", "requester.address.street", "Dorpsstraat 4",
		"requester.address.postcode", "3511 AB", "requester.address.city", "Utrecht").location()
	// The extension notice and the question about identity are letters on
	// the practice's letterhead too: date, reference, address block, and
	// the new date with the reasons, or the question.
	officer.submit(casePath+"/extension", "extension.reason", "Het archief ligt op een andere locatie.").location()
	officer.submit(casePath+"/ask", "ask.method", "in_person", "ask.text", "Wilt u langskomen met uw paspoort?").location()
	k := a.caseOf(t, strings.TrimPrefix(casePath, "/staff/cases/"))
	links := printLinks(officer.get(casePath))
	if len(links) != 3 {
		t.Fatalf("letters to print %v, want the acknowledgement, the extension and the question", links)
	}
	head := []string{"Praktijk Grensland", "KvK-nummer 12345678", "privacy@grensland.example", "Gerrit Postma", "Dorpsstraat 4",
		"3511 AB Utrecht", "Datum:", "Kenmerk: " + k.Reference}
	if text, ok := pdfText(t, officer.get(links[1])); ok {
		assertHolds(t, "the extension notice", text, append(head, "artikel 12 lid 3 AVG", a.nlDate(k.Deadlines.Due),
			"Het archief ligt op een andere locatie."), nil)
	}
	if text, ok := pdfText(t, officer.get(links[2])); ok {
		assertHolds(t, "the question", text, append(head, "Wilt u langskomen met uw paspoort?"), nil)
	}
	officer.submit(casePath+"/identity", "identity.method", "in_person", "identity.outcome", "verified",
		"identity.note", "Paspoort gezien aan de balie").location()
	a.walkAccess(t, officer, k.Reference)
	p := officer.get(casePath)
	officer.fill(p, casePath+"/decision", "decision.outcome", "granted", "decision.reasons", "Het dossier gaat per post mee.").location()
	if n := len(a.outbox(t)); n != 0 {
		t.Fatalf("%d mail(s) queued for a case by post, want none", n)
	}
	links = printLinks(officer.get(casePath))
	if len(links) != 4 || links[3] != casePath+"/letter.pdf" {
		t.Fatalf("letters to print %v, want the acknowledgement, the extension, the question and the decision letter", links)
	}
	got := officer.get(links[3])
	if text, ok := pdfText(t, got); ok {
		assertHolds(t, "the decision letter by post", text, []string{"Gerrit Postma", "Dorpsstraat 4", "3511 AB Utrecht",
			strings.TrimPrefix(casePath, "/staff/cases/"), "Datum:", a.nl("letter.decision.access.granted"), "Het dossier gaat per post mee."}, nil)
	}
}
