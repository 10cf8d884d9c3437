package web_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/staff"
)

// postPortability posts the case page's portability form as a browser
// does: multipart, the CSRF token in the query; files maps a field to a
// file's content.
func (b *staffBrowser) postPortability(ref string, fields map[string]string, files map[string]string) *page {
	b.tb.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			b.tb.Fatal(err)
		}
	}
	for k, v := range files {
		fw, err := w.CreateFormFile(k, "export.csv")
		if err != nil {
			b.tb.Fatal(err)
		}
		if _, err := io.WriteString(fw, v); err != nil {
			b.tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.tb.Fatal(err)
	}
	req, err := http.NewRequestWithContext(b.tb.Context(), http.MethodPost,
		b.base+"/staff/cases/"+ref+"/portability?_csrf="+url.QueryEscape(b.csrf), &body)
	if err != nil {
		b.tb.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(req)
}

// exportData is data.json of an export, read back.
type exportData struct {
	Activities []struct {
		Activity string
		Name     string
		Basis    string `json:"legal_basis"`
		Data     map[string]string
	}
}

// readExport opens a portability ZIP and returns its data.json, data.csv
// rows and manifest.json.
func readExport(tb testing.TB, b []byte) (exportData, [][]string, map[string]any) {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		tb.Fatalf("the export is no ZIP: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			tb.Fatal(err)
		}
		if files[f.Name], err = io.ReadAll(r); err != nil {
			tb.Fatal(err)
		}
	}
	var data exportData
	if err := json.Unmarshal(files["data.json"], &data); err != nil {
		tb.Fatalf("data.json: %v", err)
	}
	rows, err := csv.NewReader(bytes.NewReader(files["data.csv"])).ReadAll()
	if err != nil {
		tb.Fatalf("data.csv: %v", err)
	}
	var manifest map[string]any
	if err := json.Unmarshal(files["manifest.json"], &manifest); err != nil {
		tb.Fatalf("manifest.json: %v", err)
	}
	return data, rows, manifest
}

// portabilityMarker is entered as data, to look for at rest.
const portabilityMarker = "PORTA-MARKER-91c2"

var transferLink = regexp.MustCompile(`https?://\S+/overdracht/([A-Za-z0-9_-]{43})`)

// TestPortabilityJourney walks a portability request from receipt to the
// decision: activities on consent and contract take data (typed and
// uploaded as CSV), one on a legal obligation does not and says why; the
// export is an answer document whose ZIP parses as JSON and CSV and holds
// what was entered; the API answers the same ZIP; on the requester's
// instruction the export goes to another organisation by a mail in the
// outbox with a link of its own; the decision letter says what was
// exported, where it went, and which activity the right does not cover.
func TestPortabilityJourney(t *testing.T) {
	a := newTestServer(t, withBranches("utrecht"))
	owner := a.addToken(t, a.addMember(t, "eigenaar@praktijk.example", staff.Owner))
	a.addMember(t, "officer@praktijk.example", staff.Officer, "utrecht")
	officer := a.signIn(t, "officer@praktijk.example")
	must := func(res apiResponse, want int) apiResponse {
		t.Helper()
		if res.Status != want {
			t.Fatalf("%d, want %d: %s", res.Status, want, res.Body)
		}
		return res
	}
	activity := object{"key": "dossier", "name": "Cliëntdossier", "purpose": "Hulp bieden en vastleggen wat er gebeurt.",
		"legal_basis": "legal_obligation", "special_categories": false, "direct_marketing": false, "automated_decisions": false,
		"data_subjects": []string{"Cliënten"}, "data_categories": []string{"Naam"}, "recipients": []object{},
		"retention": object{"months": 240, "from": "de laatste wijziging", "ground": "Jeugdwet art. 7.3.8"}, "source": "De cliënt", "security": "Toegang per rol."}
	must(a.api(t, http.MethodPost, "/api/v1/activities", owner, activity), http.StatusCreated)
	must(a.api(t, http.MethodPost, "/api/v1/activities", owner, with(activity, "key", "nieuwsbrief", "name", "Nieuwsbrief", "legal_basis", "consent")), http.StatusCreated)
	must(a.api(t, http.MethodPost, "/api/v1/activities", owner, with(activity, "key", "afspraken", "name", "Behandelovereenkomst", "legal_basis", "contract")), http.StatusCreated)
	ref := must(a.api(t, http.MethodPost, "/api/v1/cases", owner, with(newRequest("Sanne Verzonnen", "sanne@example.nl"), "type", "portability",
		"branch", "utrecht", "specifics", object{"format": "json", "destination": "controller", "other_controller": "Praktijk Noord"},
		"received_at", "2026-11-20", "channel", "email")), http.StatusCreated).object()["reference"].(string)
	casePath := "/staff/cases/" + ref

	// Before any activity is chosen the step waits for them, without its
	// section; the data go in only once activities are chosen.
	if p := officer.get(casePath); p.Status != http.StatusOK || p.byID("h-portability") != nil ||
		!strings.Contains(p.text(), a.nl("plan.step.portability")+" Stand van deze stap: "+a.nl("plan.blocked.activities")) {
		t.Fatalf("case page before activities: %d\n%s", p.Status, p.text())
	}
	must(a.api(t, http.MethodPut, "/api/v1/cases/"+ref+"/activities", owner, object{"activities": []string{"dossier", "nieuwsbrief", "afspraken"}}), http.StatusOK)
	p := officer.get(casePath)
	if !strings.Contains(p.text(), a.nl("portability.not_covered")) || !p.hasField("portability.data.nieuwsbrief") ||
		!p.hasField("portability.file.afspraken") || p.hasField("portability.data.dossier") {
		t.Fatalf("the section does not tell covered from not covered:\n%s", p.text())
	}

	// The API refuses an activity the right does not cover, and one not chosen.
	for _, tc := range []struct{ name, activity string }{{"legal obligation", "dossier"}, {"not chosen", "wachtlijst"}} {
		res := a.api(t, http.MethodPut, "/api/v1/cases/"+ref+"/portability", owner,
			object{"items": []object{{"activity": tc.activity, "data": object{"naam": "Sanne"}}}})
		if res.Status != http.StatusUnprocessableEntity || res.errorFields()["items.0.activity"] == "" {
			t.Errorf("%s: %d %s, want 422 on items.0.activity", tc.name, res.Status, res.Body)
		}
	}

	// A line without a colon comes back next to its activity's field; an
	// unreadable file next to its own.
	bad := officer.postPortability(ref, map[string]string{"portability.data.nieuwsbrief": "e-mailadres sanne@example.nl"},
		map[string]string{"portability.file.afspraken": "{\"telefoon\": "})
	if bad.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad data: status %d, want 422", bad.Status)
	}
	if got := bad.textOf("f-pd-nieuwsbrief-error"); !strings.Contains(got, a.nl("portability.line_format")) {
		t.Errorf("the line's error %q", got)
	}
	if got := bad.textOf("f-pd-afspraken-error"); !strings.Contains(got, a.nl("portability.file_format")) {
		t.Errorf("the file's error %q", got)
	}
	if k := a.caseOf(t, ref); k.Portability.Recorded() {
		t.Error("refused data were stored")
	}

	ok := officer.postPortability(ref, map[string]string{"portability.data.nieuwsbrief": "e-mailadres: sanne@example.nl\r\naangemeld: 2025-04-01\r\nnotitie: " + portabilityMarker + "\r\n"},
		map[string]string{"portability.file.afspraken": "veld;waarde\ntelefoon;+31 6 12345678\nvoorkeur;\"ochtend; liefst dinsdag\"\n"})
	if ok.Status != http.StatusSeeOther {
		t.Fatalf("save: status %d\n%s", ok.Status, ok.text())
	}
	if k := a.caseOf(t, ref); len(k.Portability.Items) != 3 || k.Portability.Items[0].Portable() || len(k.Portability.Items[2].Fields) != 2 {
		t.Fatalf("stored %+v", k.Portability.Items)
	}
	if p := officer.get(casePath); p.fieldValue("portability.data.afspraken") == "" {
		t.Error("the uploaded data are not shown back in the form")
	}

	// The export: an answer document, a ZIP that parses as JSON and CSV and
	// holds what was entered, without the legal obligation.
	if p := officer.post(casePath+"/portability/export", withCSRF(t, "", officer.csrf)); p.Status != http.StatusSeeOther {
		t.Fatalf("export: status %d\n%s", p.Status, p.text())
	}
	docs := a.documentsOf(t, ref)
	if len(docs) != 1 || docs[0].Kind != "zip" || a.caseOf(t, ref).Portability.Document != docs[0].ID {
		t.Fatalf("documents after the export: %+v", docs)
	}
	dl := officer.get(casePath + "/documents/" + docs[0].ID)
	if dl.Status != http.StatusOK || !strings.HasPrefix(dl.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %d %v", dl.Status, dl.Header)
	}
	data, rows, manifest := readExport(t, []byte(dl.Body))
	want := map[string]map[string]string{
		"nieuwsbrief": {"e-mailadres": "sanne@example.nl", "aangemeld": "2025-04-01", "notitie": portabilityMarker},
		"afspraken":   {"telefoon": "+31 6 12345678", "voorkeur": "ochtend; liefst dinsdag"},
	}
	if len(data.Activities) != 2 {
		t.Fatalf("data.json holds %+v", data.Activities)
	}
	for _, act := range data.Activities {
		w := want[act.Activity]
		if len(act.Data) != len(w) || (act.Activity == "afspraken" && act.Basis != "contract") || (act.Activity == "nieuwsbrief" && act.Name != "Nieuwsbrief") {
			t.Errorf("data.json %+v", act)
		}
		for k, v := range w {
			if act.Data[k] != v {
				t.Errorf("data.json %s.%s = %q, want %q", act.Activity, k, act.Data[k], v)
			}
		}
	}
	if len(rows) != 6 || rows[0][0] != "activity" {
		t.Fatalf("data.csv %q", rows)
	}
	for _, r := range rows[1:] {
		if got := strings.TrimPrefix(r[2], "'"); want[r[0]][r[1]] != got {
			t.Errorf("data.csv row %q, want %q", r, want[r[0]][r[1]])
		}
	}
	if excl, _ := manifest["not_included"].([]any); len(excl) != 1 || excl[0].(map[string]any)["activity"] != "dossier" || manifest["case_reference"] != ref {
		t.Errorf("manifest %v", manifest)
	}
	if bytes.Contains([]byte(dl.Body), []byte("Cliëntdossier")) && strings.Contains(string(rows[len(rows)-1][0]), "dossier") {
		t.Error("the legal obligation's activity is in the data")
	}
	// The API answers the same ZIP, byte for byte.
	zipRes := must(a.api(t, http.MethodGet, "/api/v1/cases/"+ref+"/portability.zip", owner, nil), http.StatusOK)
	if !bytes.Equal(zipRes.Body, []byte(dl.Body)) || zipRes.Header.Get("Content-Type") != "application/zip" {
		t.Errorf("the API's ZIP differs from the stored export (%d bytes, %s)", len(zipRes.Body), zipRes.Header.Get("Content-Type"))
	}

	// To another organisation: a bad address comes back next to the field;
	// a good one queues a mail with a link of its own.
	tr := officer.get(casePath)
	if tr.fieldValue("transfer.organisation") != "Praktijk Noord" {
		t.Errorf("the transfer form does not offer the organisation the requester named: %q", tr.fieldValue("transfer.organisation"))
	}
	badMail := officer.post(casePath+"/portability/transfer", withCSRF(t, "transfer.organisation=Praktijk+Noord&transfer.email=geen-adres", officer.csrf))
	if badMail.Status != http.StatusUnprocessableEntity || !strings.Contains(badMail.textOf("f-transfer-email-error"), a.nl("field.email")) {
		t.Fatalf("bad address: %d %q", badMail.Status, badMail.textOf("f-transfer-email-error"))
	}
	if p := officer.post(casePath+"/portability/transfer", withCSRF(t, "transfer.organisation=Praktijk+Noord&transfer.email=Privacy%40Noord.example", officer.csrf)); p.Status != http.StatusSeeOther {
		t.Fatalf("transfer: %d\n%s", p.Status, p.text())
	}
	mails := a.mailsTo(t, "privacy@noord.example")
	if len(mails) != 1 {
		t.Fatalf("mails to the organisation: %d", len(mails))
	}
	m := transferLink.FindStringSubmatch(mails[0])
	if m == nil || strings.Contains(mails[0], "sanne@example.nl") || strings.Contains(mails[0], "+31 6") {
		t.Fatalf("the mail has no link of its own or carries the data:\n%s", mails[0])
	}
	anon := a.browser(t)
	got := anon.get("/overdracht/" + m[1])
	if got.Status != http.StatusOK || !bytes.Equal([]byte(got.Body), []byte(dl.Body)) || !strings.HasPrefix(got.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("the organisation's download: %d %v", got.Status, got.Header)
	}
	if anon.get("/overdracht/"+strings.Repeat("B", 43)).Status != http.StatusNotFound {
		t.Error("a made-up link opens something")
	}
	if p := officer.get(casePath); !strings.Contains(p.text(), "privacy@noord.example") || !strings.Contains(p.text(), "1 keer gedownload") {
		t.Errorf("the case page does not show the transfer and its download:\n%s", p.text())
	}
	if k := a.caseOf(t, ref); len(k.Portability.Transfers) != 1 || a.documentsOf(t, ref)[0].DestroyAfter.IsZero() {
		t.Errorf("transfer not recorded or the document never destroyed: %+v", k.Portability.Transfers)
	}

	// The data, the export and the organisation are never in clear at rest.
	a.assertNotAtRest(t, portabilityMarker)
	a.assertNotAtRest(t, "privacy@noord.example")

	// The requester gets it through the documents' sending; then the decision.
	if p := officer.post(casePath+"/documents/send", withCSRF(t, "", officer.csrf)); p.Status != http.StatusSeeOther {
		t.Fatalf("send: %d", p.Status)
	}
	a.browser(t).get("/volg/" + a.latestTrackingToken(t, "sanne@example.nl")) // confirms the address
	must(a.api(t, http.MethodPost, "/api/v1/cases/"+ref+"/identity", owner, object{"outcome": "verified", "method": "email_on_file"}), http.StatusOK)
	must(a.api(t, http.MethodPost, "/api/v1/cases/"+ref+"/decision", owner,
		object{"outcome": "partially_granted", "ground": "right_not_applicable", "reasons": "Het cliëntdossier valt er niet onder."}), http.StatusOK)
	k := a.caseOf(t, ref)
	if k.Status != "completed" {
		t.Fatalf("status %s", k.Status)
	}
	l, found, err := a.store.CaseLetter(t.Context(), k.ID)
	if err != nil || !found {
		t.Fatalf("letter: %v %v", found, err)
	}
	for _, s := range []string{"Nieuwsbrief, Behandelovereenkomst", "Praktijk Noord (privacy@noord.example)", "Cliëntdossier: hiervoor geldt het recht op overdraagbaarheid niet",
		"artikel 20 lid 1 onder a AVG"} {
		if !strings.Contains(l.Body, s) {
			t.Errorf("the letter lacks %q:\n%s", s, l.Body)
		}
	}
	if res := a.api(t, http.MethodPut, "/api/v1/cases/"+ref+"/portability", owner, object{"items": []object{}}); res.Status != http.StatusConflict {
		t.Errorf("PUT on a completed case: %d, want 409", res.Status)
	}
}

// TestAPIDescriptionDescribesPortability checks the portability routes'
// requests and answers against the description the portal serves: the
// record saved (200), a non-portable activity (422), another right (409),
// and the ZIP.
func TestAPIDescriptionDescribesPortability(t *testing.T) {
	a := newTestServer(t)
	v := describedAPI(t, a.description(t))
	owner := a.addToken(t, a.addMember(t, "eigenaar@praktijk.example", staff.Owner))
	call := func(method, path string, body any, want int) apiResponse {
		t.Helper()
		res := a.api(t, method, path, owner, body)
		if res.Status != want {
			t.Fatalf("%s %s: %d, want %d\n%s", method, path, res.Status, want, res.Body)
		}
		var js []byte
		if body != nil {
			js, _ = json.Marshal(body)
		}
		req, err := http.NewRequestWithContext(t.Context(), method, a.ts.URL+path, bytes.NewReader(js))
		if err != nil {
			t.Fatal(err)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Authorization", "Bearer "+owner)
		answer := &http.Response{StatusCode: res.Status, Header: res.Header, Body: io.NopCloser(bytes.NewReader(res.Body)), Request: req}
		if ok, errs := v.ValidateHttpRequestResponse(req, answer); !ok {
			t.Errorf("%s %s (%d) does not match the description:%s\n%s", method, path, res.Status, describe(errs), res.Body)
		}
		return res
	}
	activity := object{"key": "nieuwsbrief", "name": "Nieuwsbrief", "purpose": "Nieuws sturen.",
		"legal_basis": "consent", "special_categories": false, "direct_marketing": true, "automated_decisions": false,
		"data_subjects": []string{"Ouders"}, "data_categories": []string{"E-mailadres"}, "recipients": []object{},
		"retention": object{"months": 12, "from": "de afmelding", "ground": "Toestemming"}, "source": "De ouder", "security": "Toegang per rol."}
	call(http.MethodPost, "/api/v1/activities", activity, http.StatusCreated)
	call(http.MethodPost, "/api/v1/activities", with(activity, "key", "facturen", "name", "Facturatie", "legal_basis", "legal_obligation", "direct_marketing", false), http.StatusCreated)
	access := call(http.MethodPost, "/api/v1/cases", with(newRequest("Noor Verzonnen", "noor@example.nl"), "received_at", "2026-11-20", "channel", "email"),
		http.StatusCreated).object()["reference"].(string)
	call(http.MethodPut, "/api/v1/cases/"+access+"/portability", object{"items": []object{}}, http.StatusConflict)
	call(http.MethodGet, "/api/v1/cases/"+access+"/portability.zip", nil, http.StatusConflict)
	ref := call(http.MethodPost, "/api/v1/cases", with(newRequest("Noor Verzonnen", "noor@example.nl"), "type", "portability",
		"specifics", object{"format": "csv", "destination": "self"}, "received_at", "2026-11-20", "channel", "email"),
		http.StatusCreated).object()["reference"].(string)
	call(http.MethodPut, "/api/v1/cases/"+ref+"/activities", object{"activities": []string{"nieuwsbrief", "facturen"}}, http.StatusOK)
	call(http.MethodGet, "/api/v1/cases/"+ref+"/portability.zip", nil, http.StatusConflict)
	if f := call(http.MethodPut, "/api/v1/cases/"+ref+"/portability", object{"items": []object{{"activity": "facturen", "data": object{"bedrag": "80"}}}},
		http.StatusUnprocessableEntity).errorFields(); f["items.0.activity"] == "" {
		t.Errorf("a legal obligation: fields %v", f)
	}
	saved := call(http.MethodPut, "/api/v1/cases/"+ref+"/portability", object{"items": []object{
		{"activity": "nieuwsbrief", "data": object{"e-mailadres": "noor@example.nl", "naam": "Noor Verzonnen"}}}}, http.StatusOK).object()
	items, _ := saved["items"].([]any)
	if len(items) != 2 || items[0].(map[string]any)["portable"] != true || items[1].(map[string]any)["portable"] != false {
		t.Errorf("saved %v", saved)
	}
	z := call(http.MethodGet, "/api/v1/cases/"+ref+"/portability.zip", nil, http.StatusOK)
	if data, _, _ := readExport(t, z.Body); len(data.Activities) != 1 || data.Activities[0].Data["naam"] != "Noor Verzonnen" {
		t.Errorf("the ZIP holds %+v", data.Activities)
	}
}

// When none of the chosen activities rests on consent or contract the
// section offers no data fields but records that, for the letter; the
// refusal's letter then names the activity and its legal basis.
func TestPortabilityNothingCovered(t *testing.T) {
	a := newTestServer(t)
	owner := a.addToken(t, a.addMember(t, "eigenaar@praktijk.example", staff.Owner))
	browser := a.signIn(t, "eigenaar@praktijk.example")
	activity := object{"key": "dossier", "name": "Cliëntdossier", "purpose": "Hulp bieden.",
		"legal_basis": "legal_obligation", "special_categories": false, "direct_marketing": false, "automated_decisions": false,
		"data_subjects": []string{"Cliënten"}, "data_categories": []string{"Naam"}, "recipients": []object{},
		"retention": object{"months": 240, "from": "de laatste wijziging", "ground": "Jeugdwet art. 7.3.8"}, "source": "De cliënt", "security": "Toegang per rol."}
	if res := a.api(t, http.MethodPost, "/api/v1/activities", owner, activity); res.Status != http.StatusCreated {
		t.Fatalf("activity: %d %s", res.Status, res.Body)
	}
	ref := a.fileOf(t, "portability", "Daan Verzonnen", "daan@example.nl", object{"format": "csv", "destination": "self"})
	if res := a.api(t, http.MethodPut, "/api/v1/cases/"+ref+"/activities", owner, object{"activities": []string{"dossier"}}); res.Status != http.StatusOK {
		t.Fatalf("activities: %d", res.Status)
	}
	p := browser.get("/staff/cases/" + ref)
	if !strings.Contains(p.text(), a.nl("portability.none_portable")) || p.hasField("portability.data.dossier") {
		t.Fatalf("the section:\n%s", p.text())
	}
	if res := browser.postPortability(ref, nil, nil); res.Status != http.StatusSeeOther {
		t.Fatalf("record: %d\n%s", res.Status, res.text())
	}
	k := a.caseOf(t, ref)
	if len(k.Portability.Items) != 1 || k.Portability.Items[0].Portable() {
		t.Fatalf("recorded %+v", k.Portability.Items)
	}
	if p := browser.get("/staff/cases/" + ref); !strings.Contains(p.text(), a.nl("portability.recorded_none")) {
		t.Errorf("the section does not say it is recorded:\n%s", p.text())
	}
	a.browser(t).get("/volg/" + a.latestTrackingToken(t, "daan@example.nl"))
	a.api(t, http.MethodPost, "/api/v1/cases/"+ref+"/identity", owner, object{"outcome": "verified", "method": "email_on_file"})
	if res := a.api(t, http.MethodPost, "/api/v1/cases/"+ref+"/decision", owner,
		object{"outcome": "refused", "ground": "right_not_applicable", "reasons": "Wij verwerken uw dossier omdat de wet dat vraagt."}); res.Status != http.StatusOK {
		t.Fatalf("decision: %d %s", res.Status, res.Body)
	}
	l, _, err := a.store.CaseLetter(t.Context(), k.ID)
	if err != nil || !strings.Contains(l.Body, "Cliëntdossier: hiervoor geldt het recht op overdraagbaarheid niet") ||
		!strings.Contains(l.Body, "Wettelijke verplichting") || strings.Contains(l.Body, "ZIP") {
		t.Errorf("the letter:\n%s", l.Body)
	}
}
