package web_test

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/staff"
)

// noticeRegister adds to the register: a dossier and a waiting list, both
// given to the same processor (with an e-mail address) and the dossier to a
// municipality too (without one: a letter); invoices given to the tax
// office; a newsletter given to a mailing service that has nothing to do
// with the case.
func (a *testApp) noticeRegister(tb testing.TB, token string) {
	tb.Helper()
	activity := func(key, name string, recipients ...object) object {
		return object{"key": key, "name": name, "purpose": "Hulp bieden.", "legal_basis": "legal_obligation",
			"special_categories": false, "direct_marketing": false, "automated_decisions": false,
			"data_subjects": []string{"Cliënten"}, "data_categories": []string{"Naam"}, "recipients": recipients,
			"retention": object{"months": 240, "from": "de laatste wijziging", "ground": "Jeugdwet art. 7.3.8"}, "source": "De cliënt", "security": "Toegang per rol."}
	}
	ecd := object{"name": "ECD-leverancier", "kind": "processor", "country": "NL", "email": "privacy@ecd.example", "agreement": true}
	for _, act := range []object{
		activity("dossier", "Cliëntdossier", ecd,
			object{"name": "Gemeente Voorbeeld", "kind": "controller", "country": "NL", "email": "", "agreement": true}),
		activity("wachtlijst", "Wachtlijst", ecd),
		activity("facturen", "Facturatie", object{"name": "Belastingdienst", "kind": "authority", "country": "NL", "email": "", "agreement": false}),
		activity("nieuwsbrief", "Nieuwsbrief", object{"name": "Nieuwsbriefdienst", "kind": "processor", "country": "IE", "email": "dpo@mailer.example", "agreement": true}),
	} {
		if res := a.api(tb, http.MethodPost, "/api/v1/activities", token, act); res.Status != http.StatusCreated {
			tb.Fatalf("add activity: %d %s", res.Status, res.Body)
		}
	}
}

// decidedErasure files an erasure of name's data about the dossier, the
// waiting list and the invoices, records the invoices kept and the rest
// erased, and decides it with decision; it returns the reference.
func (a *testApp) decidedErasure(tb testing.TB, token, name, email string, decision object) string {
	tb.Helper()
	must := func(res apiResponse, want int) apiResponse {
		tb.Helper()
		if res.Status != want {
			tb.Fatalf("%d, want %d: %s", res.Status, want, res.Body)
		}
		return res
	}
	ref := must(a.api(tb, http.MethodPost, "/api/v1/cases", token, with(newRequest(name, email), "type", "erasure",
		"subject", object{"name": name, "birth_date": "1984-06-15"}, "specifics", object{"erasure_scope": "all"},
		"received_at", "2026-11-20", "channel", "email")), http.StatusCreated).object()["reference"].(string)
	must(a.api(tb, http.MethodPut, "/api/v1/cases/"+ref+"/activities", token, object{"activities": []string{"dossier", "wachtlijst", "facturen"}}), http.StatusOK)
	must(a.api(tb, http.MethodPut, "/api/v1/cases/"+ref+"/erasure", token, object{"items": []object{
		{"activity": "dossier", "action": "erased"}, {"activity": "wachtlijst", "action": "erased"},
		{"activity": "facturen", "action": "kept", "ground": "AWR art. 52", "until": "2033-12-31"}}}), http.StatusOK)
	must(a.api(tb, http.MethodPost, "/api/v1/cases/"+ref+"/identity", token, object{"outcome": "verified", "method": "email_on_file"}), http.StatusOK)
	must(a.api(tb, http.MethodPost, "/api/v1/cases/"+ref+"/decision", token, decision), http.StatusOK)
	return ref
}

// An erasure decided partially granted tells every recipient of the erased
// activities — once each, listing all of them — and no one else: not the
// recipient of the kept invoices, not the newsletter's. The processor is
// mailed in the decision's transaction, a mail with the reference and a
// link of its own to the notice as a PDF (counted and audited, 404 once
// expired) and nothing of the case; the municipality gets a letter to
// print, which is marked posted (audited). The decision letter says the
// recipients were told, the tracking page names them when asked, and the
// API lists one entry per recipient and activity. A refusal tells no one.
func TestNoticesJourney(t *testing.T) {
	a := newTestServer(t)
	owner := a.addMember(t, "eigenaar@praktijk.example", staff.Owner)
	token := a.addToken(t, owner)
	a.noticeRegister(t, token)
	ctx := t.Context()

	ref := a.decidedErasure(t, token, "Eva Erdacht", "eva@example.nl", object{"outcome": "partially_granted",
		"ground": "legal_retention", "statute": "AWR art. 52", "until": "2033-12-31", "reasons": "Het dossier en de wachtlijst zijn gewist."})
	k := a.caseOf(t, ref)
	ns, err := a.store.CaseNotices(ctx, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	type told struct {
		recipient, activities string
		channel               casework.NoticeChannel
	}
	var got []told
	for _, n := range ns {
		got = append(got, told{n.Recipient, strings.Join(n.Activities, ","), n.Channel})
	}
	want := []told{{"ECD-leverancier", "dossier,wachtlijst", casework.NoticeByMail}, {"Gemeente Voorbeeld", "dossier", casework.NoticeByPost}}
	if !slices.Equal(got, want) {
		t.Fatalf("notices %+v, want %+v", got, want)
	}

	// The mail went into the outbox with the decision: the practice, the
	// article, the reference and a link of the processor's own, and
	// nothing of the case (SECURITY.md item 13): not the person, not the
	// birth date, not the activities.
	mails := a.mailsTo(t, "privacy@ecd.example")
	if len(mails) != 1 {
		t.Fatalf("%d mails to the processor, want 1", len(mails))
	}
	for _, w := range []string{"artikel 19 AVG", ref} {
		if !strings.Contains(mails[0], w) {
			t.Errorf("the notice mail lacks %q:\n%s", w, mails[0])
		}
	}
	for _, w := range []string{"Eva", "Erdacht", "1984", "Cliëntdossier", "Wachtlijst", "Facturatie"} {
		if strings.Contains(mails[0], w) {
			t.Errorf("the notice mail carries %q:\n%s", w, mails[0])
		}
	}
	link := noticeLink.FindStringSubmatch(mails[0])
	if link == nil {
		t.Fatalf("the notice mail has no link of its own:\n%s", mails[0])
	}
	// The processor follows it: the notice as a PDF, with who and what. A
	// HEAD (a mail scanner) is not counted; the download is, and audited.
	processor := a.browser(t)
	if head := processor.send(http.MethodHead, "/mededeling/"+link[1], nil); head.Status != http.StatusOK || head.Body != "" {
		t.Errorf("HEAD of the notice link: %d", head.Status)
	}
	if d := noticeDownloads(t, a); len(d) != 0 {
		t.Errorf("a HEAD was audited: %v", d)
	}
	dl := processor.get("/mededeling/" + link[1])
	assertPDF(t, dl, "Eva Erdacht", "15 juni 1984", "Cliëntdossier: wis", "Wachtlijst: wis", ref)
	if xfo, cc := dl.Header.Get("X-Frame-Options"), dl.Header.Get("Cache-Control"); xfo != "DENY" || cc != "no-store" {
		t.Errorf("the notice download may be framed or kept: X-Frame-Options %q, Cache-Control %q", xfo, cc)
	}
	if d := noticeDownloads(t, a); len(d) != 1 || d[0] != "notice_link="+itoa(ns[0].ID) {
		t.Errorf("the download audited as %v, want once for notice %d", d, ns[0].ID)
	}
	if processor.get("/mededeling/"+strings.Repeat("B", 43)).Status != http.StatusNotFound {
		t.Error("a made-up notice link opens something")
	}
	if m := a.mailsTo(t, "dpo@mailer.example"); len(m) != 0 {
		t.Errorf("the newsletter's recipient was mailed: %v", m)
	}
	queuedAt := map[string]bool{}
	for _, q := range a.outbox(t) {
		if q.Message.To == "privacy@ecd.example" || q.Message.To == "eva@example.nl" {
			queuedAt[q.Message.To] = true
		}
	}
	if !queuedAt["privacy@ecd.example"] || !queuedAt["eva@example.nl"] {
		t.Errorf("outbox: notice and decision mail not both queued: %v", queuedAt)
	}
	if l, ok, err := a.store.CaseLetter(ctx, k.ID); err != nil || !ok || !strings.Contains(l.Body, "Wilt u weten welke dat zijn?") {
		t.Errorf("the decision letter does not say the recipients were told: %v %v\n%s", ok, err, l.Body)
	}

	// The case page: both notices, the letter to print, marked posted.
	b := a.signIn(t, "eigenaar@praktijk.example")
	p := b.get("/staff/cases/" + ref)
	if p.textOf("h-notices") != a.nl("notices.case.title") {
		t.Fatalf("no notices section on the case page:\n%s", p.Body)
	}
	text := p.text()
	for _, w := range []string{"ECD-leverancier", "Gemeente Voorbeeld", a.nl("notices.status.to_print"), a.nl("notices.status.queued")} {
		if !strings.Contains(text, w) {
			t.Errorf("the case page lacks %q", w)
		}
	}
	if strings.Contains(text, "Belastingdienst") || strings.Contains(text, "Nieuwsbriefdienst") {
		t.Errorf("the case page names a recipient who is not told")
	}
	// The step rail: telling the recipients is the current step, until the
	// letter is posted.
	if !strings.Contains(p.Body, `href="#h-notices"`) {
		t.Errorf("the step rail does not lead to the notices")
	}
	post := ns[1]
	base := "/staff/cases/" + ref + "/notices/" + itoa(post.ID)
	pdf := b.get(base + "/letter.pdf")
	if pdf.Status != http.StatusOK || pdf.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.Body, "%PDF") {
		t.Fatalf("letter PDF: %d %s", pdf.Status, pdf.Header.Get("Content-Type"))
	}
	if res := b.get("/staff/cases/" + ref + "/notices/" + itoa(ns[0].ID) + "/letter.pdf"); res.Status != http.StatusNotFound {
		t.Errorf("PDF of a mailed notice: %d, want 404", res.Status)
	}
	if loc := b.submit(base + "/posted").location(); loc != "/staff/cases/"+ref {
		t.Errorf("after marking posted: to %s", loc)
	}
	if res := b.submit(base + "/posted"); res.Status != http.StatusConflict || res.textOf("f-notices-form") != a.nl("notices.not_to_post") {
		t.Errorf("marking posted twice: %d %q, want 409 with the reason in the section", res.Status, res.textOf("f-notices-form"))
	}
	details := a.auditedDetails(t, audit.CaseNotices)
	slices.Sort(details)
	if strings.Join(details, " ") != "count=2 post=1 posted="+itoa(post.ID) {
		t.Errorf("audited %v", details)
	}
	after := b.get("/staff/cases/" + ref)
	if text := after.text(); !strings.Contains(text, "geprint en verstuurd op") || strings.Contains(text, a.nl("notices.status.to_print")) {
		t.Errorf("the posted notice does not show as posted")
	}
	if strings.Contains(after.Body, `href="#h-notices"`) {
		t.Errorf("the step rail still leads to the notices once all are posted")
	}

	// The outbox sends the mail: the notice is sent, as the API says.
	for _, q := range a.outbox(t) {
		if q.Message.To == "privacy@ecd.example" {
			if err := a.store.MarkSent(ctx, q.ID, a.clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	list := a.api(t, http.MethodGet, "/api/v1/cases/"+ref+"/notices", token, nil)
	var entries []string
	for _, e := range list.object()["notices"].([]any) {
		m := e.(map[string]any)
		entries = append(entries, m["recipient"].(string)+"/"+m["activity"].(string)+"/"+m["status"].(string))
	}
	if w := "ECD-leverancier/dossier/sent ECD-leverancier/wachtlijst/sent Gemeente Voorbeeld/dossier/printed"; strings.Join(entries, " ") != w {
		t.Errorf("GET notices: %v, want %s", entries, w)
	}
	// The accountability report counts both: the one mailed and the one
	// posted.
	year := strconv.Itoa(a.clock.Now().Year())
	if csv := b.get("/staff/report/report.csv?from=" + year + "-01-01&to=" + year + "-12-31").Body; !slices.Contains(strings.Fields(csv), "notice,sent,2") {
		t.Errorf("the report does not count the two notices sent:\n%s", csv)
	}

	// The tracking page: that recipients were told; their names on request.
	track := "/volg/" + a.latestTrackingToken(t, "eva@example.nl")
	visitor := a.browser(t)
	page := visitor.get(track)
	if !strings.Contains(page.text(), a.nl("track.told_ask")) || strings.Contains(page.text(), "Gemeente Voorbeeld") {
		t.Errorf("tracking page before asking: the button, no names expected")
	}
	page = visitor.get(track + "?ingelicht=1")
	names := page.textOf("told")
	if !strings.Contains(names, "ECD-leverancier") || !strings.Contains(names, "Gemeente Voorbeeld") || strings.Contains(page.text(), "Belastingdienst") {
		t.Errorf("tracking page after asking: %q", names)
	}

	// A refusal tells no one.
	refused := a.decidedErasure(t, token, "Rik Geweigerd", "rik@example.nl", object{"outcome": "refused",
		"ground": "legal_claims", "reasons": "Er loopt een procedure (art. 17 lid 3 onder e AVG)."})
	if ns, err := a.store.CaseNotices(ctx, a.caseOf(t, refused).ID); err != nil || len(ns) != 0 {
		t.Errorf("notices of a refusal: %v %v", ns, err)
	}
	if m := a.mailsTo(t, "privacy@ecd.example"); len(m) != 0 {
		t.Errorf("a refusal mailed the processor: %d mails queued", len(m))
	}
	if res := a.api(t, http.MethodGet, "/api/v1/cases/"+refused+"/notices", token, nil); res.Status != http.StatusOK ||
		len(res.object()["notices"].([]any)) != 0 {
		t.Errorf("GET notices of a refusal: %d %s", res.Status, res.Body)
	}

	// Once the practice's document days (30) are over, the link finds
	// nothing, as a made-up one does.
	a.clock.Advance(31 * 24 * time.Hour)
	expired := processor.get("/mededeling/" + link[1])
	madeUp := processor.get("/mededeling/" + strings.Repeat("B", 43))
	if expired.Status != http.StatusNotFound || expired.text() != madeUp.text() {
		t.Errorf("an expired notice link: %d, want 404 as for a made-up one", expired.Status)
	}
	if d := noticeDownloads(t, a); len(d) != 1 {
		t.Errorf("an expired link was audited: %v", d)
	}
}

// noticeLink finds a notice mail's link and its secret.
var noticeLink = regexp.MustCompile(`https?://\S+/mededeling/([A-Za-z0-9_-]{43})`)

// noticeDownloads are the audited downloads of notices through their links.
func noticeDownloads(tb testing.TB, a *testApp) []string {
	tb.Helper()
	var out []string
	for _, d := range a.auditedDetails(tb, audit.CaseExport) {
		if strings.HasPrefix(d, "notice_link=") {
			out = append(out, d)
		}
	}
	return out
}
