package web_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/staff"
)

// The breach register's wording after the lawyer's review (DOMAIN.md §7,
// §9, §10): unknown is unknown, the practice's own authority is named, the
// letter does not reassure against a high risk and holds no Dutch in
// English.

// inCountry moves the practice to country, as the settings page does.
func (a *breachApp) inCountry(tb testing.TB, country practice.Country) {
	tb.Helper()
	p, err := a.store.Settings(tb.Context())
	if err != nil {
		tb.Fatal(err)
	}
	p.Country = country
	if err := a.store.SaveSettings(tb.Context(), p, a.clock.Now()); err != nil {
		tb.Fatalf("SaveSettings: %v", err)
	}
}

// pdfText returns the text of a PDF download as poppler's pdftotext reads
// it, with runs of white space as one space. CI installs pdftotext
// (.ci/run), so under CI=true a missing pdftotext fails the test; elsewhere
// ok is false, the test says so in its log and goes on without the check.
func pdfText(tb testing.TB, p *page) (text string, ok bool) {
	tb.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatal("pdftotext not found: CI must install it (.ci/run: apt-get install -y poppler-utils)")
		}
		tb.Log("pdftotext not installed (apt-get install poppler-utils): the PDF's text is not checked")
		return "", false
	}
	cmd := exec.CommandContext(tb.Context(), bin, "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader([]byte(p.Body))
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " "), true
}

// A breach whose protection nobody answered says "nog niet bekend" in 8.1–
// 8.3 of the draft, on the page, as text and in the PDF; the breach page
// says it is not yet known, never "Niet beveiligd."; the measures typed
// appear in chapter 8 whatever the answers.
func TestBreachDraftUnansweredSecurity(t *testing.T) {
	a := newBreachApp(t)
	r := a.registered(t, stolenLaptop(t, a), "")
	owner := a.breachSignIn(t, "els@delinde.example")
	path := "/staff/breaches/" + r.Reference

	draft := owner.get(path + "/ap-draft")
	wantStatus(t, draft, http.StatusOK)
	for _, id := range []string{"q-before.encrypted", "q-before.hashed", "q-before.unintelligible", "q-timeline.ongoing",
		"q-international.other_countries"} {
		if got := draft.textOf(id); got != breach.Unknown {
			t.Errorf("answer %s = %q, want %q", id, got, breach.Unknown)
		}
	}
	txt := owner.get(path + "/ap-draft.txt")
	wantStatus(t, txt, http.StatusOK)
	questions := []string{"8.1 Waren de persoonsgegevens versleuteld?", "8.2 Waren de persoonsgegevens gehasht?",
		"8.3 Waren de persoonsgegevens op een andere manier onbegrijpelijk of ontoegankelijk gemaakt voor onbevoegden?"}
	for _, q := range questions {
		if !strings.Contains(txt.Body, q+"\n    "+breach.Unknown+"\n") {
			t.Errorf("text lacks %q answered %q:\n%s", q, breach.Unknown, txt.Body)
		}
	}
	pdf := owner.get(path + "/ap-draft.pdf")
	wantStatus(t, pdf, http.StatusOK)
	if text, ok := pdfText(t, pdf); ok {
		for _, q := range questions {
			if !strings.Contains(text, q+" "+breach.Unknown) {
				t.Errorf("PDF lacks %q answered %q:\n%s", q, breach.Unknown, text)
			}
		}
	}
	view := owner.get(path)
	if text := view.text(); strings.Contains(text, "Niet beveiligd") || !strings.Contains(text, "Waren de gegevens versleuteld? Nog niet bekend") {
		t.Errorf("breach page on unanswered protection:\n%s", text)
	}

	// Answered through the form's three choices, with the measures typed.
	form := owner.get(path + "/edit/measures")
	if got := form.checked("measures_before.encrypted"); !slices.Equal(got, []string{"unknown"}) {
		t.Errorf("form shows encryption as %v, want unknown", got)
	}
	breachAt(t, owner.postForm(path+"/edit/measures", "measures_before.encrypted", "no", "measures_before.hashed", "yes",
		"measures_before.otherwise_unintelligible", "unknown", "measures_before.text", "Wachtwoorden gehasht met bcrypt."))
	draft = owner.get(path + "/ap-draft")
	for id, want := range map[string]string{"q-before.encrypted": "Nee", "q-before.hashed": "Ja",
		"q-before.unintelligible": breach.Unknown, "q-before.how": "Wachtwoorden gehasht met bcrypt."} {
		if got := draft.textOf(id); got != want {
			t.Errorf("answer %s = %q, want %q", id, got, want)
		}
	}
	if got := owner.get(path + "/edit/measures").checked("measures_before.encrypted"); !slices.Equal(got, []string{"no"}) {
		t.Errorf("form shows encryption as %v, want no", got)
	}
	bad := owner.postForm(path+"/edit/measures", "measures_before.encrypted", "maybe")
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	if got := bad.summary()["#f-measures_before-encrypted"]; got == "" {
		t.Errorf("a made-up answer is not refused next to its field: %v", bad.summary())
	}
}

// A Belgian practice's draft (page, title, text, PDF) and letter name the
// GBA and never the AP; a Dutch practice's the reverse.
func TestBreachAuthorityByCountry(t *testing.T) {
	for _, tc := range []struct {
		country     practice.Country
		au          practice.Authority
		never       []string
		neverInPage []string
	}{
		{practice.Belgium, practice.GBA, []string{"Autoriteit Persoonsgegevens", "Dutch Data Protection Authority"}, []string{" AP ", " AP:", "de AP"}},
		{practice.Netherlands, practice.AP, []string{"Gegevensbeschermingsautoriteit", "Belgian Data Protection Authority"}, []string{"GBA"}},
	} {
		t.Run(string(tc.country), func(t *testing.T) {
			a := newBreachApp(t)
			a.inCountry(t, tc.country)
			r := a.registered(t, stolenLaptop(t, a), breach.InformYes)
			owner := a.breachSignIn(t, "els@delinde.example")
			path := "/staff/breaches/" + r.Reference
			check := func(what, text string, want ...string) {
				t.Helper()
				for _, w := range want {
					if !strings.Contains(text, w) {
						t.Errorf("%s lacks %q:\n%s", what, w, text)
					}
				}
				for _, n := range tc.never {
					if strings.Contains(text, n) {
						t.Errorf("%s names %q:\n%s", what, n, text)
					}
				}
				if strings.Contains(text, "<no value>") {
					t.Errorf("%s has an unfilled parameter:\n%s", what, text)
				}
			}
			title := a.nlFor(tc.au, "breach.draft.title")
			if want := "Concept-melding aan de " + tc.au.Code; title != want {
				t.Errorf("draft title %q, want %q", title, want)
			}
			draft := owner.get(path + "/ap-draft")
			wantStatus(t, draft, http.StatusOK)
			check("draft page", draft.text(), title, tc.au.Name+" ("+tc.au.Code+"), "+tc.au.Address)
			if h1 := draft.find(func(n *htmlNode) bool { return n.Data == "h1" }); len(h1) != 1 || !strings.Contains(textContent(h1[0]), title) {
				t.Errorf("draft heading is not %q", title)
			}
			for _, n := range tc.neverInPage {
				if strings.Contains(draft.text(), n) {
					t.Errorf("draft page has %q", n)
				}
			}
			txt := owner.get(path + "/ap-draft.txt")
			check("draft text", txt.Body, "Concept-melding datalek aan de "+tc.au.Name)
			if cd := txt.Header.Get("Content-Disposition"); !strings.Contains(cd, "-melding-"+tc.au.Code+".txt") {
				t.Errorf("draft text file %q", cd)
			}
			pdf := owner.get(path + "/ap-draft.pdf")
			wantStatus(t, pdf, http.StatusOK)
			if text, ok := pdfText(t, pdf); ok {
				check("draft PDF", text, "Concept-melding datalek aan de "+tc.au.Name)
			}
			view := owner.get(path)
			check("breach page", view.text(), a.nlFor(tc.au, "breach.advice.notify"), a.nlFor(tc.au, "breach.clock.deadline"))
			letter := owner.get(path + "/letter")
			check("Dutch letter", letter.fieldValue("letter_nl"), "een klacht indienen bij de "+tc.au.Name+".")
			check("English letter", letter.fieldValue("letter_en"), "complain to the "+tc.au.NameEN+".")
			other := a.registered(t, breach.Breach{Title: "Map kwijt", AwareAt: a.clock.Now(), Description: "Map kwijt."}, "")
			banner := owner.get("/staff/cases")
			check("banner", banner.text(), "Datalek "+other.Reference+":", "melden bij de "+tc.au.Name)
		})
	}
}

// The banner on staff pages is gone once the decision is recorded, also a
// decision to notify: the breach's own page keeps counting down.
func TestBreachBannerGoneAfterDecision(t *testing.T) {
	a := newBreachApp(t)
	r := a.registered(t, stolenLaptop(t, a), "")
	owner := a.breachSignIn(t, "els@delinde.example")
	banner := "Datalek " + r.Reference + ":"
	if p := owner.get("/staff/cases"); !strings.Contains(p.text(), banner) {
		t.Fatalf("no banner before the decision:\n%s", p.text())
	}
	breachAt(t, owner.postForm("/staff/breaches/"+r.Reference+"/assessment", "base", "sensitive", "adjust", "vulnerable",
		"ei", "1", "confidentiality", "unknown_recipients", "integrity", "none", "availability", "none"))
	if p := owner.get("/staff/cases"); !strings.Contains(p.text(), banner) {
		t.Error("the banner went with the assessment, before the decision")
	}
	breachAt(t, owner.postForm("/staff/breaches/"+r.Reference+"/decision", "notify_ap", "yes", "inform_people", "yes"))
	for _, path := range []string{"/staff/cases", "/staff/account", "/staff/breaches"} {
		if p := owner.get(path); strings.Contains(p.text(), banner) {
			t.Errorf("%s keeps the banner after the decision", path)
		}
	}
	if view := owner.get("/staff/breaches/" + r.Reference); view.textOf("countdown") == "" {
		t.Error("the breach page stopped counting down before the notification")
	}
}

// The register export names the reason for not informing the people, how
// many were told and how, and the follow-ups to the authority.
func TestBreachExportFollowUpColumns(t *testing.T) {
	a := newBreachApp(t)
	b := stolenLaptop(t, a)
	b.NotInformedReason = "De gegevens waren versleuteld (art. 34 lid 3 a)."
	r := a.registered(t, b, breach.InformPublicNotice)
	owner, err := a.store.MemberByEmail(t.Context(), "els@delinde.example")
	if err != nil {
		t.Fatal(err)
	}
	actor := breach.Actor{ID: owner.ID, Name: owner.Name, Owner: true, Scope: breach.Scope{All: true}}
	now := a.clock.Now()
	if _, err := a.breaches.RecordInformed(t.Context(), actor, r.Reference, breach.InformedInput{At: now,
		How: "mededeling op de website", Count: breach.Between(40, 60)}); err != nil {
		t.Fatal(err)
	}
	for _, in := range []breach.SubmissionInput{
		{Kind: breach.NotifyInitial, SubmittedAt: now, APReference: "M-2026-1"},
		{Kind: breach.NotifySupplement, SubmittedAt: now.Add(time.Minute)},
	} {
		a.clock.Advance(2 * time.Minute)
		if _, err := a.breaches.Submit(t.Context(), actor, r.Reference, in); err != nil {
			t.Fatalf("Submit %s: %v", in.Kind, err)
		}
	}
	p := a.breachSignIn(t, "els@delinde.example").get("/staff/breaches/export.csv")
	wantStatus(t, p, http.StatusOK)
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(p.Body, "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("export: %v, %d rows", err, len(rows))
	}
	head, row := rows[0], rows[1]
	col := func(name string) string {
		i := slices.Index(head, name)
		if i < 0 {
			t.Errorf("export has no column %s: %v", name, head)
			return ""
		}
		return row[i]
	}
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	when := now.Add(time.Minute).In(loc).Format("2006-01-02 15:04")
	for name, want := range map[string]string{
		"not_informed_reason": b.NotInformedReason,
		"informed_count":      "40-60",
		"informed_how":        "mededeling op de website",
		"follow_ups":          "supplement " + when + " M-2026-1",
		"ongoing":             "",
	} {
		if got := col(name); got != want {
			t.Errorf("column %s = %q, want %q", name, got, want)
		}
	}
}

// Besides the reminders at 24 and 6 hours before the AP deadline, the
// practice's own target of 48 hours gets reminders 12 and 2 hours before
// it, each once.
func TestBreachOwnTargetReminders(t *testing.T) {
	a := newBreachApp(t)
	a.breachMember(t, "u@delinde.example", "Uri Utrecht", staff.Officer, "utrecht")
	owner, err := a.store.MemberByEmail(t.Context(), "els@delinde.example")
	if err != nil {
		t.Fatal(err)
	}
	actor := breach.Actor{ID: owner.ID, Name: owner.Name, Owner: true, Scope: breach.Scope{All: true}}
	if err := a.breaches.SaveSettings(t.Context(), actor, breach.Settings{OwnTargetHours: 48}); err != nil {
		t.Fatal(err)
	}
	aware := a.clock.Now()
	r := a.registered(t, breach.Breach{Title: "USB-stick kwijt", Branch: "utrecht", AwareAt: aware,
		Description: "Een USB-stick met verslagen is kwijt."}, "")
	target, deadline := aware.Add(48*time.Hour), aware.Add(72*time.Hour)
	if !target.Equal(breach.OwnTarget(aware, 48)) || !deadline.Equal(breach.APDeadline(aware)) {
		t.Fatal("the target and deadline of this test are not the register's")
	}
	steps := []struct {
		name    string
		at      time.Time
		subject string // "" for no reminder
	}{
		{"a day before the target", target.Add(-24 * time.Hour), ""},
		{"12 hours before the target", target.Add(-12 * time.Hour), "Datalek " + r.Reference + ": nog 12 uur tot de eigen streeftermijn (48 uur) om te melden bij de AP"},
		{"11 hours before, again", target.Add(-11 * time.Hour), ""},
		{"2 hours before the target", target.Add(-2 * time.Hour), "Datalek " + r.Reference + ": nog 2 uur tot de eigen streeftermijn (48 uur) om te melden bij de AP"},
		{"an hour before, again", target.Add(-time.Hour), ""},
		// 48 hours is also a day before the AP deadline: its reminder.
		{"the target passed", target.Add(time.Minute), "Datalek " + r.Reference + ": nog 24 uur om te melden bij de AP"},
		{"an hour after the target", target.Add(time.Hour), ""},
		{"six hours before the AP deadline", deadline.Add(-6 * time.Hour), "Datalek " + r.Reference + ": nog 6 uur om te melden bij de AP"},
	}
	seen := 0
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			a.clock.Set(st.at)
			if _, err := a.breaches.RunReminders(t.Context()); err != nil {
				t.Fatal(err)
			}
			queued := a.outbox(t)[seen:]
			seen += len(queued)
			if st.subject == "" {
				if len(queued) != 0 {
					t.Errorf("%d reminders queued, want none: %q", len(queued), queued[0].Message.Subject)
				}
				return
			}
			if len(queued) != 1 || queued[0].Message.Subject != st.subject || queued[0].Message.To != "els@delinde.example" {
				t.Fatalf("reminders %+v, want one to the owner: %q", queued, st.subject)
			}
			if text := queued[0].Message.Text; strings.Contains(text, "USB") || strings.Contains(text, "<no value>") ||
				!strings.Contains(text, "Autoriteit Persoonsgegevens") {
				t.Errorf("reminder text:\n%s", text)
			}
		})
	}
}

// While the English letter holds Dutch marked for translation, it is not
// sent (422, the reason next to the English letter) nor printed; once
// translated, it goes.
func TestBreachEnglishLetterUntranslated(t *testing.T) {
	a := newBreachApp(t)
	b := stolenLaptop(t, a)
	b.Consequences = "Onbekenden kunnen lezen welke gezinnen hulp krijgen."
	r := a.registered(t, b, breach.InformYes)
	owner := a.breachSignIn(t, "els@delinde.example")
	path := "/staff/breaches/" + r.Reference
	up := owner.upload(path+"/recipients", "csv", "lijst.csv", []byte("naam,email,taal\nAnna Ouder,anna@example.nl,nl\nBen Parent,ben@example.org,en\n"))
	wantStatus(t, up, http.StatusOK)

	letter := owner.get(path + "/letter")
	en := letter.fieldValue("letter_en")
	if !strings.Contains(en, "[TRANSLATE INTO ENGLISH: "+b.Consequences+"]") || letter.byID("untranslated") == nil {
		t.Fatalf("the English draft does not mark the Dutch text:\n%s", en)
	}
	sent := owner.postForm(path + "/send")
	wantStatus(t, sent, http.StatusUnprocessableEntity)
	if got := sent.summary()["#f-letter_en"]; got != a.nl("breach.letter_untranslated") {
		t.Errorf("refusal %v, want the untranslated letter named", sent.summary())
	}
	if n := len(a.outbox(t)); n != 0 {
		t.Errorf("%d mails queued for a refused send", n)
	}
	wantStatus(t, owner.get(path+"/letter.pdf?what=letter&language=en"), http.StatusUnprocessableEntity)

	translated := strings.ReplaceAll(en, "[TRANSLATE INTO ENGLISH: "+b.Consequences+"]", "Strangers could read which families receive care.")
	breachAt(t, owner.postForm(path+"/letter", "letter_nl", letter.fieldValue("letter_nl"), "letter_en", translated,
		"notice_nl", letter.fieldValue("notice_nl"), "notice_en", letter.fieldValue("notice_en")))
	breachAt(t, owner.postForm(path+"/send"))
	for _, q := range a.outbox(t) {
		if q.Message.To == "ben@example.org" && (!strings.Contains(q.Message.Text, "Strangers could read") ||
			strings.Contains(q.Message.Text, "gezinnen") || breach.Untranslated(q.Message.Text)) {
			t.Errorf("the English mail:\n%s", q.Message.Text)
		}
	}
}
