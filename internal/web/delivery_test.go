package web_test

import (
	"archive/zip"
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/delivery"
	"github.com/avgloket/avgloket/internal/staff"
)

// uploadDocument posts a file to the case's document upload as the case
// page's form does: multipart, the CSRF token in the query.
func (b *staffBrowser) uploadDocument(ref, filename string, content []byte) *page {
	b.tb.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, err := w.CreateFormFile("file", filename)
	if err != nil {
		b.tb.Fatal(err)
	}
	if _, err := fw.Write(content); err != nil {
		b.tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		b.tb.Fatal(err)
	}
	req, err := http.NewRequestWithContext(b.tb.Context(), http.MethodPost,
		b.base+"/staff/cases/"+ref+"/documents?_csrf="+url.QueryEscape(b.csrf), &body)
	if err != nil {
		b.tb.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(req)
}

// documentsOf returns the documents of case ref as stored.
func (a *testApp) documentsOf(tb testing.TB, ref string) []delivery.Document {
	tb.Helper()
	docs, err := a.delivery.Documents(tb.Context(), a.caseOf(tb, ref))
	if err != nil {
		tb.Fatalf("documents of %s: %v", ref, err)
	}
	return docs
}

// assertNotOnDisk fails if marker is found in clear in any file under dir.
func assertNotOnDisk(tb testing.TB, dir, marker string) {
	tb.Helper()
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(marker)) {
			tb.Errorf("%s holds %q in clear", path, marker)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

var mailedCode = regexp.MustCompile(`(?m)^(\d{6})$`)

// codeMailed returns the one-time code in the newest code mail to address.
func (a *testApp) codeMailed(tb testing.TB, address string) string {
	tb.Helper()
	code := ""
	for _, text := range a.mailsTo(tb, address) {
		if m := mailedCode.FindStringSubmatch(text); m != nil {
			code = m[1]
		}
	}
	if code == "" {
		tb.Fatalf("no code mailed to %s", address)
	}
	return code
}

// TestDeliveryJourney follows answer documents from the officer's upload
// to the requester's download and their destruction: the content check,
// encryption at rest, removal before sending, a mail without content, the
// one-time code (single use, ten minutes, five wrong tries lock for
// fifteen), no download with the tracking link alone, the download audited
// and shown to staff, and an expired document refused with its file gone.
func TestDeliveryJourney(t *testing.T) {
	a := newTestServer(t, withBranches("utrecht"))
	a.addMember(t, "officer@praktijk.example", staff.Officer, "utrecht")
	const requester = "sanne@example.nl"
	ref := a.fileRequest(t, "Sanne Voorbeeld", requester, "utrecht")
	token := a.latestTrackingToken(t, requester)
	officer := a.signIn(t, "officer@praktijk.example")
	a.walkAccess(t, officer, ref) // the copies follow the approved statement

	const marker = "DOSSIER-MARKER-7f3a"
	pdf := []byte("%PDF-1.7\n1 0 obj\n<< /Title (" + marker + ") >>\nendobj\n%%EOF\n")
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00"), bytes.Repeat([]byte{0}, 200)...)

	// A file named .pdf that is an executable is refused next to the
	// field, and nothing is kept.
	p := officer.uploadDocument(ref, "dossier.pdf", exe)
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("exe as .pdf: status %d, want 422", p.Status)
	}
	if got := p.textOf("documents-error"); got != a.nl("upload.document_type") {
		t.Errorf("exe as .pdf: error %q, want %q", got, a.nl("upload.document_type"))
	}
	if n := len(a.documentsOf(t, ref)); n != 0 {
		t.Fatalf("%d documents kept after a refusal", n)
	}

	// A PDF and a ZIP are kept, encrypted at rest.
	if p := officer.uploadDocument(ref, "dossier-sanne.pdf", pdf); p.Status != http.StatusSeeOther {
		t.Fatalf("pdf upload: status %d\n%s", p.Status, p.Body)
	}
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	f, _ := zw.Create("export.csv")
	_, _ = f.Write([]byte("datum,soort\n2026-01-05,intake\n"))
	_ = zw.Close()
	if p := officer.uploadDocument(ref, "export.zip", zbuf.Bytes()); p.Status != http.StatusSeeOther {
		t.Fatalf("zip upload: status %d", p.Status)
	}
	docs := a.documentsOf(t, ref)
	if len(docs) != 2 || docs[0].Kind != "pdf" || docs[1].Kind != "zip" || docs[0].Name != "dossier-sanne.pdf" || docs[0].Size != int64(len(pdf)) {
		t.Fatalf("documents %+v", docs)
	}
	pdfID, zipID := docs[0].ID, docs[1].ID
	assertNotOnDisk(t, a.filesDir, marker)
	assertNotOnDisk(t, a.filesDir, "dossier-sanne")
	if !a.files.Exists(pdfID) {
		t.Fatal("the PDF's file is not in the file store")
	}
	casePage := officer.get("/staff/cases/" + ref)
	assertShows(t, casePage, a.nl("documents.title"), "dossier-sanne.pdf", "export.zip", a.nl("documents.state_ready"), a.nl("documents.send"))

	// The ZIP is removed before sending: record and file.
	if p := officer.submit("/staff/cases/" + ref + "/documents/" + zipID + "/remove"); p.Status != http.StatusSeeOther {
		t.Fatalf("remove: status %d", p.Status)
	}
	if a.files.Exists(zipID) || len(a.documentsOf(t, ref)) != 1 {
		t.Fatal("the removed ZIP is still there")
	}

	// Before sending, the tracking page shows no documents and none can be
	// had.
	req := a.browser(t)
	p = req.get("/volg/" + token)
	assertLacks(t, p, a.nl("track.documents_title"))

	// Sending queues a mail that says only that documents are ready, with
	// the tracking link: no name, no content, no link to a file.
	before := len(a.mailsTo(t, requester))
	if p := officer.submit("/staff/cases/" + ref + "/documents/send"); p.Status != http.StatusSeeOther {
		t.Fatalf("send: status %d\n%s", p.Status, p.Body)
	}
	mails := a.mailsTo(t, requester)
	if len(mails) != before+1 {
		t.Fatalf("%d mails after sending, want %d", len(mails), before+1)
	}
	sent := mails[len(mails)-1]
	for _, unwanted := range []string{marker, "dossier-sanne", "/documents/", pdfID, "%PDF"} {
		if strings.Contains(sent, unwanted) {
			t.Errorf("the mail holds %q:\n%s", unwanted, sent)
		}
	}
	if !trackingLink.MatchString(sent) {
		t.Errorf("the mail has no tracking link:\n%s", sent)
	}
	token = a.latestTrackingToken(t, requester)
	if p := officer.submit("/staff/cases/" + ref + "/documents/send"); p.Status != http.StatusConflict {
		t.Errorf("sending again: status %d, want 409", p.Status)
	}
	// Sent documents cannot be removed any more.
	if p := officer.submit("/staff/cases/" + ref + "/documents/" + pdfID + "/remove"); p.Status != http.StatusNotFound {
		t.Errorf("removing a sent document: status %d, want 404", p.Status)
	}

	// The tracking link alone opens no document.
	doc := "/volg/" + token + "/documents/" + pdfID
	if p := req.get(doc); p.Status != http.StatusForbidden || strings.Contains(p.Body, marker) {
		t.Fatalf("download without a code: status %d, want 403", p.Status)
	}
	p = req.get("/volg/" + token)
	assertShows(t, p, a.nl("track.documents_title"), a.nl("track.documents_code_ask"))
	csrf := p.fieldValue("_csrf")
	code := func() string {
		t.Helper()
		if p := req.post("/volg/"+token+"/code", url.Values{"_csrf": {csrf}}); p.Status != http.StatusSeeOther {
			t.Fatalf("ask for a code: status %d\n%s", p.Status, p.text())
		}
		return a.codeMailed(t, requester)
	}
	enter := func(c string) *page {
		t.Helper()
		return req.post("/volg/"+token+"/code/check", url.Values{"_csrf": {csrf}, "code": {c}})
	}
	wrong := func(c string) string { // a code that differs from c
		if c == "000000" {
			return "000001"
		}
		return "000000"
	}

	// A wrong code is named next to the field; the right one opens the
	// documents for this browser.
	c1 := code()
	if strings.Contains(a.mailsTo(t, requester)[len(a.mailsTo(t, requester))-1], marker) {
		t.Error("the code mail holds the document's content")
	}
	if p := enter(wrong(c1)); p.Status != http.StatusUnprocessableEntity || p.textOf("code-error") != a.nl("delivery.code_wrong") {
		t.Fatalf("wrong code: status %d, error %q", p.Status, p.textOf("code-error"))
	}
	if p := enter(c1); p.Status != http.StatusSeeOther {
		t.Fatalf("right code: status %d\n%s", p.Status, p.Body)
	}
	p = req.get(doc)
	if p.Status != http.StatusOK || p.Body != string(pdf) {
		t.Fatalf("download: status %d, %d bytes", p.Status, len(p.Body))
	}
	for h, want := range map[string]string{"Content-Type": "application/pdf", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
		"Content-Disposition": `attachment; filename="document-` + pdfID[:8] + `.pdf"`} {
		if got := p.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	// Single use: a second browser with the same code gets nothing. The
	// code checks below run in it, since the first browser's grant is
	// still good.
	req = a.browser(t)
	csrf = req.get("/volg/" + token).fieldValue("_csrf")
	if p := enter(c1); p.Status != http.StatusUnprocessableEntity || p.textOf("code-error") != a.nl("delivery.code_expired") {
		t.Errorf("code used twice: status %d, error %q", p.Status, p.textOf("code-error"))
	}
	// Another browser with the tracking link, even with a forged cookie,
	// gets nothing.
	req.setCookie("avg_documents", "forged")
	if p := req.get(doc); p.Status != http.StatusForbidden {
		t.Errorf("other browser: status %d, want 403", p.Status)
	}

	// The download is audited as the requester's and shown to staff.
	k := a.caseOf(t, ref)
	log, err := a.store.AuditSearch(t.Context(), audit.Filter{Object: audit.Case(k.ID), Action: audit.FileView, Actor: audit.Requester(k.ID)})
	if err != nil || len(log.Entries) != 1 {
		t.Fatalf("requester's download audit entries: %v %v", log.Entries, err)
	}
	assertShows(t, officer.get("/staff/cases/"+ref), a.nl("documents.by_requester"), a.nl("documents.state_sent")[:8])

	// A code expires after ten minutes.
	c2 := code()
	a.clock.Advance(delivery.CodeValidity)
	if p := enter(c2); p.Status != http.StatusUnprocessableEntity || p.textOf("code-error") != a.nl("delivery.code_expired") {
		t.Errorf("code after ten minutes: status %d, error %q", p.Status, p.textOf("code-error"))
	}

	// Five wrong tries lock the codes for fifteen minutes, the right one
	// included; then a new code works again.
	c3 := code()
	for i := range delivery.MaxTries {
		p := enter(wrong(c3))
		want := http.StatusUnprocessableEntity
		if i == delivery.MaxTries-1 {
			want = http.StatusTooManyRequests
		}
		if p.Status != want {
			t.Fatalf("wrong try %d: status %d, want %d", i+1, p.Status, want)
		}
	}
	if p := enter(c3); p.Status != http.StatusTooManyRequests {
		t.Errorf("right code while locked: status %d, want 429", p.Status)
	}
	if p := req.post("/volg/"+token+"/code", url.Values{"_csrf": {csrf}}); p.Status != http.StatusTooManyRequests {
		t.Errorf("new code while locked: status %d, want 429", p.Status)
	}
	assertShows(t, req.get("/volg/"+token), strings.Split(a.nl("track.documents_locked"), "<no value>")[0])
	a.clock.Advance(delivery.Lockout)
	if p := enter(code()); p.Status != http.StatusSeeOther {
		t.Errorf("new code after the lock: status %d, want 303", p.Status)
	}

	// The documents are destroyed after the practice's period (30 days):
	// the file leaves the disk, a download is refused, and the page says
	// when they were removed.
	a.clock.Advance(29 * 24 * time.Hour)
	if n, err := a.delivery.Sweep(t.Context()); err != nil || n != 0 {
		t.Fatalf("sweep before the period: %d, %v", n, err)
	}
	a.clock.Advance(24 * time.Hour)
	if n, err := a.delivery.Sweep(t.Context()); err != nil || n != 1 {
		t.Fatalf("sweep: %d, %v", n, err)
	}
	if a.files.Exists(pdfID) {
		t.Fatal("the expired document's file is still on disk")
	}
	if p := req.get(doc); p.Status == http.StatusOK {
		t.Errorf("download after destruction: status %d", p.Status)
	}
	officer = a.signIn(t, "officer@praktijk.example") // the session has run out meanwhile
	if p := officer.get("/staff/cases/" + ref + "/documents/" + pdfID); p.Status != http.StatusNotFound {
		t.Errorf("staff download after destruction: status %d, want 404", p.Status)
	}
	p = req.get("/volg/" + token)
	assertShows(t, p, strings.Split(a.nl("track.documents_removed"), "<no value>")[0], "25 december 2026")
	assertLacks(t, p, a.nl("track.documents_code_ask"))
}

// TestDeliveryByPost: a requester without e-mail gets no mail; the case
// page says the documents go by post and offers them to staff to print.
func TestDeliveryByPost(t *testing.T) {
	a := newTestServer(t, withBranches("utrecht"))
	a.addMember(t, "ineke@praktijk.example", staff.Officer, "utrecht")
	officer := a.signIn(t, "ineke@praktijk.example")
	form := officer.get("/staff/cases/new")
	casePath := officer.fill(form, "/staff/cases/new", "channel", "post", "type", "access", "received_at", "2026-11-20",
		"requester.relation", "self", "requester.name", "Gerrit Postma", "requester.email", "",
		"requester.address.street", "Dorpsstraat 4", "requester.address.postcode", "3511 AB", "requester.address.city", "Utrecht").location()
	ref := strings.TrimPrefix(casePath, "/staff/cases/")
	a.walkAccess(t, officer, ref) // the copies follow the approved statement
	csv := []byte("datum;soort\n2026-01-05;intake\n")
	if p := officer.uploadDocument(ref, "afspraken.csv", csv); p.Status != http.StatusSeeOther {
		t.Fatalf("upload: status %d\n%s", p.Status, p.Body)
	}
	p := officer.get(casePath)
	assertShows(t, p, a.nl("documents.by_post"), a.nl("documents.send_post"), "afspraken.csv")
	if p := officer.submit(casePath + "/documents/send"); p.Status != http.StatusSeeOther {
		t.Fatalf("send by post: status %d", p.Status)
	}
	if n := len(a.outbox(t)); n != 0 {
		t.Fatalf("%d mail(s) queued for a requester without e-mail, want none", n)
	}
	doc := a.documentsOf(t, ref)[0]
	if !doc.Sent() {
		t.Fatal("the document is not marked sent")
	}
	dl := officer.get(casePath + "/documents/" + doc.ID)
	if dl.Status != http.StatusOK || dl.Body != string(csv) || !strings.HasPrefix(dl.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("staff download to print: status %d, %q", dl.Status, dl.Header.Get("Content-Disposition"))
	}
	assertShows(t, officer.get(casePath), a.nl("documents.state_sent")[:10], "· Ineke")
}

// TestDocumentDaysSetting: the owner sets how long sent documents are
// kept on the settings page; out of range is named next to the field, and
// documents sent afterwards are destroyed after that many days.
func TestDocumentDaysSetting(t *testing.T) {
	a := newTestServer(t, withBranches("utrecht"))
	a.addMember(t, "owner@praktijk.example", staff.Owner)
	owner := a.signIn(t, "owner@praktijk.example")
	form := []string{"practice.name", "Praktijk Test", "practice.address", "Straat 1", "practice.kvk", "12345678",
		"practice.privacy_email", "privacy@praktijk.example", "practice.time_zone", "Europe/Amsterdam",
		"practice.country", "NL", "practice.calendar", "NL", "practice.id_copy_days", "30", "practice.case_retention_days", "730"}
	assertShows(t, owner.get("/staff/settings"), a.nl("settings.document_days_label"))
	for _, bad := range []string{"0", "366", "tien"} {
		p := owner.submit("/staff/settings", append(form, "practice.document_days", bad)...)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.textOf("f-practice-document_days-error"), a.nl("settings.document_days")) {
			t.Errorf("document days %q: status %d, error %q", bad, p.Status, p.textOf("f-practice-document_days-error"))
		}
	}
	if p := owner.submit("/staff/settings", append(form, "practice.document_days", "7")...); p.Status != http.StatusSeeOther {
		t.Fatalf("document days 7: status %d", p.Status)
	}
	if st, _ := a.store.Settings(t.Context()); st.DocumentDays != 7 {
		t.Fatalf("document days stored %d, want 7", st.DocumentDays)
	}
	// A form without the field keeps the number.
	if p := owner.submit("/staff/settings", form...); p.Status != http.StatusSeeOther {
		t.Fatalf("form without document days: status %d", p.Status)
	}
	if st, _ := a.store.Settings(t.Context()); st.DocumentDays != 7 {
		t.Fatalf("document days %d after a form without the field, want 7", st.DocumentDays)
	}
	ref := a.fileRequest(t, "Sanne Voorbeeld", "sanne@example.nl", "utrecht")
	if p := owner.uploadDocument(ref, "export.json", []byte(`{"afspraken": []}`)); p.Status != http.StatusSeeOther {
		t.Fatalf("upload: status %d", p.Status)
	}
	if p := owner.submit("/staff/cases/" + ref + "/documents/send"); p.Status != http.StatusSeeOther {
		t.Fatalf("send: status %d", p.Status)
	}
	d := a.documentsOf(t, ref)[0]
	if got := d.DestroyAfter.Sub(d.SentAt); got != 7*24*time.Hour {
		t.Errorf("kept for %v after sending, want 7 days", got)
	}
}

// TestDocumentBodyLimit: the upload route takes up to 200 MB and refuses a
// larger body with 413 before reading it; the other staff forms keep their
// small limit.
func TestDocumentBodyLimit(t *testing.T) {
	a := newTestServer(t, withBranches("utrecht"))
	ref := a.fileRequest(t, "Sanne Voorbeeld", "sanne@example.nl", "utrecht")
	for _, tt := range []struct {
		path string
		size int64
		want int
	}{
		{"/staff/cases/" + ref + "/documents", 202 << 20, http.StatusRequestEntityTooLarge},
		{"/staff/cases/" + ref + "/note", 1 << 20, http.StatusRequestEntityTooLarge},
		// Within the limit the request goes on to the CSRF check.
		{"/staff/cases/" + ref + "/documents", 150 << 20, http.StatusForbidden},
	} {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, tt.path, strings.NewReader("x"))
		if err != nil {
			t.Fatal(err)
		}
		req.ContentLength = tt.size // declared, never sent: the limit must not read the body
		req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
		rec := httptest.NewRecorder()
		a.srv.ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("POST %s with %d bytes: status %d, want %d", tt.path, tt.size, rec.Code, tt.want)
		}
	}
}
