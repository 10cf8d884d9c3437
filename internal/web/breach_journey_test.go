package web_test

import (
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/practice"
)

// amsTime is a moment of Amsterdam time, "2006-01-02 15:04".
func amsTime(tb testing.TB, s string) time.Time {
	tb.Helper()
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		tb.Fatal(err)
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// wantStatus fails unless p has the status.
func wantStatus(tb testing.TB, p *page, status int) {
	tb.Helper()
	if p.Status != status {
		tb.Fatalf("status %d, want %d\n%s", p.Status, status, p.text())
	}
}

// laptopFacts is the facts step of the done-when breach: a laptop with
// client files stolen from a car, discovered on Wednesday morning.
var laptopFacts = []string{
	"title", "Laptop met cliëntdossiers gestolen uit auto",
	"aware_at", "2026-11-25", "aware_at_time", "09:00",
	"started_at", "2026-11-24", "started_at_time", "22:00",
	"how_discovered", "De hulpverlener zag 's ochtends de ingeslagen ruit en belde de praktijk.",
	"reported_by", "Jeugdhulpverlener team Utrecht",
	"kinds", "confidentiality", "kinds", "availability",
	"incident_type", "theft",
	"description", "Uit de auto van een jeugdhulpverlener is een laptop gestolen met daarop dossiers van cliënten. De schijf was niet versleuteld.",
	"branch", "utrecht",
}

// The done-when, through the pages: an owner logs a stolen,
// unencrypted laptop with client files, sees the clock, scores it (very
// high), gets the advice to notify both, prints the AP draft and the
// families' letter, records the AP reference, later files a follow-up, and
// the register export lists it.
func TestBreachJourney(t *testing.T) {
	a := newBreachApp(t)
	owner := a.breachSignIn(t, "els@delinde.example")

	// Log the breach.
	form := owner.get("/staff/breaches/new")
	wantStatus(t, form, http.StatusOK)
	if !form.hasField("aware_at") || !form.hasField("description") {
		t.Fatal("the new-breach form lacks its fields")
	}
	loc := breachAt(t, owner.postForm("/staff/breaches/new", laptopFacts...))
	if loc != "/staff/breaches/DL-2026-001" {
		t.Fatalf("registered at %s, want /staff/breaches/DL-2026-001", loc)
	}
	ref := "DL-2026-001"

	// The practice's own, stricter target.
	breachAt(t, owner.postForm("/staff/breaches/settings", "own_target_hours", "48", "sector", "Zorg en welzijn (jeugdhulp)"))

	// The clock: 72 clock hours from 09:00 on Wednesday, counting down,
	// and the own target of 48 hours beside it.
	view := owner.get(loc)
	breachShows(t, view, a.cat.T(lang.NL, "breach.clock.own_target", map[string]any{"Hours": 48}), "vrijdag 27 november 2026, 09:00")
	own := amsTime(t, "2026-11-27 09:00").Sub(a.clock.Now()).Truncate(time.Minute)
	if got, want := view.textOf("own-countdown"), a.cat.T(lang.NL, "breach.left", map[string]any{"Hours": int(own.Hours()), "Minutes": int(own.Minutes()) % 60}); got != want {
		t.Errorf("own countdown %q, want %q", got, want)
	}
	wantStatus(t, view, http.StatusOK)
	deadline := amsTime(t, "2026-11-28 09:00")
	left := deadline.Sub(a.clock.Now()).Truncate(time.Minute)
	wantLeft := a.cat.T(lang.NL, "breach.left", map[string]any{"Hours": int(left.Hours()), "Minutes": int(left.Minutes()) % 60})
	if got := view.textOf("countdown"); got != wantLeft {
		t.Errorf("countdown %q, want %q", got, wantLeft)
	}
	breachShows(t, view, "zaterdag 28 november 2026, 09:00")
	// The banner is on every staff page while the decision is open.
	for _, path := range []string{"/staff/cases", "/staff/account", "/staff/breaches"} {
		if p := owner.get(path); !strings.Contains(p.text(), "Datalek "+ref+":") {
			t.Errorf("%s has no banner for %s", path, ref)
		}
	}

	// The data and the measures.
	wantStatus(t, owner.get("/staff/breaches/"+ref+"/edit/data"), http.StatusOK)
	breachAt(t, owner.postForm("/staff/breaches/"+ref+"/edit/data",
		"data_categories", "contact", "data_categories", "youth_care", "data_categories", "bsn",
		"special_categories", "health", "records.exact", "57",
		"affected_groups", "children", "affected_groups", "parents",
		"people_description", "Kinderen in begeleiding bij team Utrecht en hun ouders.",
		"people.min", "40", "people.max", "60"))
	breachAt(t, owner.postForm("/staff/breaches/"+ref+"/edit/measures",
		"measures_before.encrypted", "no", "measures_before.hashed", "unknown",
		"consequences", "Onbekenden kunnen gevoelige gegevens over kinderen en gezinnen lezen.",
		"measures_taken", "Aangifte gedaan; wachtwoorden van de medewerker gewijzigd.",
		"measures_planned", "Alle laptops krijgen schijfversleuteling."))

	// Score it: sensitive data of children, fully identifiable, seen by
	// unknown people, temporarily unavailable, stolen on purpose.
	assess := owner.get("/staff/breaches/" + ref + "/assessment")
	wantStatus(t, assess, http.StatusOK)
	if got := assess.checked("base"); len(got) != 1 || got[0] != breach.DPCSensitive {
		t.Errorf("proposed base %v, want sensitive (youth care, health)", got)
	}
	if got := assess.checked("adjust"); !slices.Equal(got, []string{"controller_nature", "vulnerable"}) {
		t.Errorf("proposed adjustments %v, want the practice's nature and vulnerable (children)", got)
	}
	breachAt(t, owner.postForm("/staff/breaches/"+ref+"/assessment", "base", "sensitive", "adjust", "vulnerable",
		"ei", "1", "confidentiality", "unknown_recipients", "integrity", "none", "availability", "temporary", "malicious", "1"))
	view = owner.get("/staff/breaches/" + ref)
	sev := view.textOf("severity")
	for _, want := range []string{"5,25", a.nl("breach.band.very_high"), "zeer groot"} {
		if !strings.Contains(sev, want) {
			t.Errorf("severity %q lacks %q", sev, want)
		}
	}
	advice := view.textOf("advice")
	if !strings.Contains(advice, a.nlFor(practice.AP, "breach.advice.notify")) || !strings.Contains(advice, a.nl("breach.advice.inform")) {
		t.Errorf("advice %q, want to notify the AP and inform the people", advice)
	}

	// Decide: departing from the advice needs a reason; following it does
	// not.
	dec := owner.get("/staff/breaches/" + ref + "/decision")
	wantStatus(t, dec, http.StatusOK)
	if got := dec.checked("notify_ap"); len(got) != 1 || got[0] != "yes" {
		t.Errorf("decision form proposes %v, want the advice (yes)", got)
	}
	bad := owner.postForm("/staff/breaches/"+ref+"/decision", "notify_ap", "yes", "inform_people", "no", "reason", "")
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	if got := bad.summary()["#f-reason"]; got != a.nl("breach.reason_required") {
		t.Errorf("error summary %v, want the reason required", bad.summary())
	}
	breachAt(t, owner.postForm("/staff/breaches/"+ref+"/decision", "notify_ap", "yes", "inform_people", "yes"))

	// The AP draft: every chapter, every answer given, unknown ones marked.
	draft := owner.get("/staff/breaches/" + ref + "/ap-draft")
	wantStatus(t, draft, http.StatusOK)
	for i, title := range []string{"Inleiding", "Internationaal", "Verwerkingsverantwoordelijke", "Tijdlijn", "Het datalek",
		"Persoonsgegevens", "Betrokkenen", "Maatregelen vooraf", "Gevolgen", "Vervolgacties"} {
		if got := draft.textOf("ch-" + strconv.Itoa(i+1)); got != strconv.Itoa(i+1)+". "+title {
			t.Errorf("chapter %d heading %q, want %q", i+1, got, title)
		}
	}
	for id, want := range map[string]string{
		"q-controller.name":       "Jeugdpraktijk De Linde",
		"q-controller.kvk":        "12345678",
		"q-reporter.name":         "Els Eigenaar",
		"q-reporter.phone":        breach.Unknown,
		"q-controller.sector":     "Zorg en welzijn (jeugdhulp)",
		"q-breach.summary":        "Laptop met cliëntdossiers gestolen uit auto",
		"q-timeline.discovered":   "woensdag 25 november 2026, 09:00",
		"q-people.count":          "minimaal 40 en maximaal 60",
		"q-before.encrypted":      "Nee",
		"q-before.hashed":         breach.Unknown,
		"q-consequences.severity": "zeer groot (ENISA-methode: score 5,25, ernst zeer hoog)",
		"q-data.records":          "57",
	} {
		n := draft.byID(id)
		if n == nil || n.Data != "textarea" || !hasAttr(n, "readonly") {
			t.Errorf("answer %s is not a read-only text box", id)
			continue
		}
		if got := textContent(n); got != want {
			t.Errorf("answer %s = %q, want %q", id, got, want)
		}
	}
	if strings.Contains(draft.Body, "<script") {
		t.Error("the draft page has a script")
	}
	pdf := owner.get("/staff/breaches/" + ref + "/ap-draft.pdf")
	wantStatus(t, pdf, http.StatusOK)
	assertPDF(t, pdf, "Concept-melding datalek aan de Autoriteit Persoonsgegevens", "Laptop met cliëntdossiers gestolen uit auto",
		"10. Vervolgacties")
	txt := owner.get("/staff/breaches/" + ref + "/ap-draft.txt")
	if ct := txt.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" || !strings.Contains(txt.Body, "9. Gevolgen") {
		t.Errorf("draft as text: %q\n%s", ct, txt.Body)
	}

	// The families' letter, to print.
	letter := owner.get("/staff/breaches/" + ref + "/letter")
	wantStatus(t, letter, http.StatusOK)
	nl := letter.fieldValue("letter_nl")
	for _, want := range []string{"Jeugdpraktijk De Linde", "gestolen", "Gaat het om uw kind?", "gegevens over jeugdhulp"} {
		if !strings.Contains(nl, want) {
			t.Errorf("Dutch letter lacks %q:\n%s", want, nl)
		}
	}
	if en := letter.fieldValue("letter_en"); !strings.Contains(en, "was stolen") {
		t.Errorf("English letter:\n%s", en)
	}
	letterPDF := owner.get("/staff/breaches/" + ref + "/letter.pdf?what=letter&language=nl")
	wantStatus(t, letterPDF, http.StatusOK)
	assertPDF(t, letterPDF, "Wat is er gebeurd?", "Jeugdpraktijk De Linde")

	// Record the AP reference after submitting on the AP's site that
	// afternoon.
	a.clock.Set(amsTime(t, "2026-11-25 14:05"))
	owner = a.breachSignIn(t, "els@delinde.example")
	breachAt(t, owner.postForm("/staff/breaches/"+ref+"/ap-draft", "kind", "initial",
		"submitted_at", "2026-11-25", "submitted_at_time", "14:00", "ap_reference", "M-2026-48213"))
	view = owner.get("/staff/breaches/" + ref)
	breachShows(t, view, "M-2026-48213", a.nlFor(practice.AP, "breach.state.notified"))
	if p := owner.get("/staff/cases"); strings.Contains(p.text(), "Datalek "+ref+":") {
		t.Error("the banner stays after the notification")
	}

	// Two days later the laptop turns up, the data unharmed: a follow-up.
	a.clock.Advance(48 * time.Hour)
	owner = a.breachSignIn(t, "els@delinde.example")
	breachAt(t, owner.postForm("/staff/breaches/"+ref+"/edit/measures",
		"consequences", "Onbekenden kunnen gevoelige gegevens over kinderen en gezinnen lezen.",
		"measures_taken", "Aangifte gedaan; wachtwoorden gewijzigd. De laptop is teruggevonden.",
		"measures_planned", "Alle laptops krijgen schijfversleuteling."))
	fu := owner.get("/staff/breaches/" + ref + "/followup?kind=supplement")
	wantStatus(t, fu, http.StatusOK)
	text := textContent(fu.byID("followup-text"))
	for _, want := range []string{"Aanvulling op de melding van een datalek", "M-2026-48213",
		"Was: Aangifte gedaan; wachtwoorden van de medewerker gewijzigd.", "De laptop is teruggevonden."} {
		if !strings.Contains(text, want) {
			t.Errorf("follow-up lacks %q:\n%s", want, text)
		}
	}
	breachAt(t, owner.postForm("/staff/breaches/"+ref+"/followup", "kind", "supplement",
		"submitted_at", "2026-11-27", "submitted_at_time", "11:00", "ap_reference", ""))
	got, err := a.breaches.Submissions(t.Context(), mustRecord(t, a, ref))
	if err != nil || len(got) != 2 || got[1].Kind != breach.NotifySupplement || got[1].APReference != "M-2026-48213" {
		t.Fatalf("submissions = %+v, %v", got, err)
	}
	// Nothing changed since the follow-up: the next one is empty.
	fu = owner.get("/staff/breaches/" + ref + "/followup?kind=change")
	breachShows(t, fu, a.nl("breach.followup.none"))

	// The register export lists it.
	export := owner.get("/staff/breaches/export.csv")
	wantStatus(t, export, http.StatusOK)
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(export.Body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v", err)
	}
	if len(rows) != 2 || rows[1][0] != ref || rows[1][1] != "Laptop met cliëntdossiers gestolen uit auto" || rows[1][19] != breach.BandVeryHigh ||
		rows[1][26] != "M-2026-48213" {
		t.Errorf("export rows %q", rows)
	}
	if cd := export.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
		t.Errorf("export Content-Disposition %q", cd)
	}

	// Every view, change and export is in the audit trail.
	entries, err := a.store.AuditEntries(t.Context(), "", 0, 500)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, e := range entries {
		if strings.HasPrefix(string(e.Action), "breach_") {
			counts[string(e.Action)+" "+e.Detail]++
		}
	}
	for _, want := range []string{"breach_create ", "breach_update step=data", "breach_update step=measures",
		"breach_update step=assessment", "breach_update step=decision", "breach_update step=submission kind=initial",
		"breach_update step=submission kind=supplement", "breach_view ", "breach_export what=ap_draft_pdf",
		"breach_export what=register_csv rows=1", "breach_export what=letter_pdf_nl"} {
		if counts[want] == 0 {
			t.Errorf("no audit entry %q (have %v)", want, counts)
		}
	}
	for _, e := range entries {
		if strings.Contains(e.Detail, "Laptop") || strings.Contains(e.Detail, "@") {
			t.Errorf("audit entry %+v holds personal data", e)
		}
	}
}

// breachAt returns where a 303 after a breach form points.
func breachAt(tb testing.TB, p *page) string {
	tb.Helper()
	if p.Status != http.StatusSeeOther {
		var problems []string
		for _, m := range p.summary() {
			problems = append(problems, m)
		}
		tb.Fatalf("status %d, want 303; problems %v\n%s", p.Status, problems, p.text())
	}
	return p.Header.Get("Location")
}

// breachShows fails unless the page's text holds every want.
func breachShows(tb testing.TB, p *page, want ...string) {
	tb.Helper()
	text := p.text()
	for _, w := range want {
		if !strings.Contains(text, w) {
			tb.Errorf("page lacks %q:\n%s", w, text)
		}
	}
}

// mustRecord returns the stored breach ref.
func mustRecord(tb testing.TB, a *breachApp, ref string) breach.Record {
	tb.Helper()
	r, err := a.store.BreachByReference(tb.Context(), ref, breach.Scope{All: true})
	if err != nil {
		tb.Fatalf("BreachByReference(%s): %v", ref, err)
	}
	return r
}

// assertPDF checks that p is a PDF download and that its text, as
// pdftotext reads it, holds every want (see pdfText for a machine without
// pdftotext).
func assertPDF(tb testing.TB, p *page, want ...string) {
	tb.Helper()
	if ct := p.Header.Get("Content-Type"); ct != "application/pdf" || !strings.HasPrefix(p.Body, "%PDF-") {
		tb.Fatalf("not a PDF: %q %q", ct, p.Body[:min(len(p.Body), 20)])
	}
	if cd := p.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
		tb.Errorf("Content-Disposition %q", cd)
	}
	text, ok := pdfText(tb, p)
	if !ok {
		return
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			tb.Errorf("PDF text lacks %q:\n%s", w, text)
		}
	}
}
