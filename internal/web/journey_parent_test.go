package web_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/chromedp/chromedp"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/staff"
)

// parentJourney: Anna files an access request for her son Sem on the
// public form. The acknowledgement reaches the test's SMTP server, and its
// tracking link opens the case's page; meanwhile the officer asked, on the
// staff pages, for a masked copy of her ID, which the page shows and she
// answers with the file uploaded. The case leaves the wait for her, and
// the copy is stored.
func parentJourney(j *journey) {
	t := j.t
	a := newTestServer(t, withBranches("utrecht"))
	a.addMember(t, "otto@delinde.example", staff.Officer, "utrecht")
	in := startInbox(t, "")
	const (
		anna     = "anna@example.nl"
		question = "Wilt u een afgeschermde kopie van uw identiteitsbewijs sturen?"
	)

	j.load("start", http.StatusOK, chromedp.Navigate(a.ts.URL+"/"))
	j.load("access-form", http.StatusOK, chromedp.Click(chromedp.CSS(`a[href="/verzoek/access"]`)))
	j.do("type the form",
		chromedp.Click(chromedp.CSS(`input[name="requester.relation"][value="parent"]`)),
		chromedp.SendKeys(chromedp.ID("f-requester-name"), "Anna de Vries"),
		chromedp.SendKeys(chromedp.ID("f-requester-email"), anna),
		chromedp.SendKeys(chromedp.ID("f-subject-name"), "Sem de Vries"),
		chromedp.SendKeys(chromedp.ID("f-subject-birth_date"), "03152016")) // mm dd yyyy: see newChromium
	j.load("received", http.StatusOK, chromedp.Click(chromedp.CSS(`form button[type="submit"]`)))
	ref := fmt.Sprintf("AVG-%d-0001", a.clock.Now().Year())
	j.shows("the confirmation", a.nl("received.heading"), ref, dueNL)
	if k := a.caseOf(t, ref); k.Requester.Relation != casework.Parent || k.Subject.Name != "Sem de Vries" || k.Requester.Email != anna {
		t.Fatalf("stored case: %+v", k)
	}

	// The acknowledgement, as the mail server received it.
	mails := deliverOutbox(t, a, in)
	if subject := a.cat.T("nl", "mail.ack.subject", map[string]any{"Reference": ref}); len(mails) != 1 || mails[0].To != anna ||
		mails[0].Subject != subject || !strings.Contains(mails[0].Text, ref) {
		t.Fatalf("mails received %+v, want one acknowledgement to %s naming %s", mails, anna, ref)
	}
	tracking := mailLink(t, a, mails[0].Text, `/volg/[A-Za-z0-9_-]+`)

	// The officer asks for a masked copy of her ID on the staff pages; the
	// mail that says so arrives too.
	officer := a.signIn(t, "otto@delinde.example")
	officer.submit("/staff/cases/"+ref+"/ask", "ask.method", "id_copy", "ask.upload", "id_copy", "ask.text", question).location()
	if mails := deliverOutbox(t, a, in); len(mails) != 1 || mails[0].To != anna {
		t.Fatalf("mails received after the question %+v, want one to %s", mails, anna)
	}
	if k := a.caseOf(t, ref); k.Status != casework.AwaitingIdentity || !k.Paused() {
		t.Fatalf("after the question the case is %s (paused %v), want awaiting_identity and paused", k.Status, k.Paused())
	}

	// The link in the acknowledgement: the case, the question, the form.
	j.load("tracking", http.StatusOK, chromedp.Navigate(tracking))
	j.shows("the tracking page", ref, question, a.nl("status.awaiting_identity"))
	file := filepath.Join(t.TempDir(), "kopie-paspoort.png")
	if err := os.WriteFile(file, idCopyPNG(t, "GPS-52.0907-5.1214", "PIXELS-KOPIE-0815"), 0o600); err != nil {
		t.Fatal(err)
	}
	j.do("answer with the file",
		chromedp.SendKeys(chromedp.ID("f-answer"), "Hierbij een afgeschermde kopie van mijn paspoort."),
		chromedp.SetUploadFiles(chromedp.ID("f-file"), []string{file}))
	j.load("answered", http.StatusOK, chromedp.Click(chromedp.CSS(`form[enctype="multipart/form-data"] button.primary`)))

	k := a.caseOf(t, ref)
	if k.Status == casework.AwaitingIdentity || k.Paused() {
		t.Errorf("after the answer the case is %s (paused %v), want it on its way again", k.Status, k.Paused())
	}
	j.shows("the tracking page after the answer", ref, a.nl("status."+string(k.Status)))
	if forms := j.get("the answer form is gone", chromedp.Evaluate[string](
		`String(document.querySelectorAll('form[enctype="multipart/form-data"]').length)`)); forms != "0" {
		t.Errorf("the tracking page still offers %s answer form(s) after the answer", forms)
	}
	files, err := a.store.Files(t.Context(), k.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Purpose != "id_copy" || files[0].Kind != "png" {
		t.Errorf("files stored: %+v, want one ID copy (png)", files)
	}
	if p := officer.get("/staff/cases/" + ref); !strings.Contains(p.text(), "Hierbij een afgeschermde kopie van mijn paspoort.") {
		t.Error("the officer's case page does not show the answer")
	}
}
