package letters_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/clock"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/letters"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/register"
)

// noticeLink finds a notice mail's link and its secret.
var noticeLink = regexp.MustCompile(`https://avg\.example/mededeling/([A-Za-z0-9_-]{43})\n`)

// noticeClock is the time notices are drafted at: 3 December 2026.
var noticeClock = clock.NewFake(time.Date(2026, 12, 3, 14, 0, 0, 0, time.UTC))

// A notice per recipient of the activities asked for: by mail where the
// register has an address, otherwise by post; in Dutch inside the
// Netherlands and Belgium, in English elsewhere; naming the person with
// their birth date, per activity of that recipient what to do, the case's
// reference and the contact, and nothing of another activity. The mail
// carries none of that (SECURITY.md item 13): the practice, the article,
// the reference, a link of its own that works for the practice's document
// days, and the contact.
func TestDraftNotices(t *testing.T) {
	w, _ := decisionWriter(t, practice.Netherlands)
	reg := []register.Activity{
		{Key: "client-file", Name: "Cliëntdossier", Recipients: []register.Recipient{
			{Name: "ECD-leverancier", Kind: register.Processor, Country: "NL", Email: "privacy@ecd.example"},
			{Name: "Gemeente Voorbeeld", Kind: register.Controller, Country: "NL"}}},
		{Key: "newsletter", Name: "Nieuwsbrief", Recipients: []register.Recipient{
			{Name: "Mailer Ltd", Kind: register.Processor, Country: "IE", Email: "dpo@mailer.example"}}},
		{Key: "invoicing", Name: "Facturatie", Recipients: []register.Recipient{{Name: "Belastingdienst", Kind: register.Authority, Country: "NL"}}},
	}
	n := letters.NewNotices(w, func(context.Context) ([]register.Activity, error) { return reg, nil }, "https://avg.example/", noticeClock)
	k := confirmedCase(casework.Erasure)
	k.Subject = casework.Subject{Name: "Sanne Bosgraaf", BirthDate: deadline.Date{Year: 2012, Month: time.March, Day: 4}}
	items := []casework.NoticeItem{{Activity: "client-file", Action: casework.NoticeErase}, {Activity: "newsletter", Action: casework.NoticeErase}}
	ns, err := n.DraftNotices(t.Context(), k, items, decidedOn)
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 3 {
		t.Fatalf("%d notices, want 3: %+v", len(ns), ns)
	}
	for i, want := range []struct {
		recipient string
		channel   casework.NoticeChannel
		to        string
		lang      casework.Language
		says      []string
	}{
		{"ECD-leverancier", casework.NoticeByMail, "privacy@ecd.example", casework.Dutch,
			[]string{"Sanne Bosgraaf, geboren op 4 maart 2012", "Cliëntdossier: wis de gegevens", "artikel 17 AVG", "AVG-2026-0042", "privacy@delinde.example"}},
		{"Gemeente Voorbeeld", casework.NoticeByPost, "", casework.Dutch, []string{"Sanne Bosgraaf", "Cliëntdossier: wis de gegevens"}},
		{"Mailer Ltd", casework.NoticeByMail, "dpo@mailer.example", casework.English,
			[]string{"Sanne Bosgraaf, born on 4 March 2012", "Nieuwsbrief: erase this person's data", "Article 17 GDPR", "AVG-2026-0042"}},
	} {
		got := ns[i]
		if got.Recipient != want.recipient || got.Channel != want.channel || got.Language != want.lang {
			t.Errorf("notice %d: %s by %s in %s, want %s by %s in %s", i, got.Recipient, got.Channel, got.Language, want.recipient, want.channel, want.lang)
		}
		switch {
		case want.to == "" && (got.Mail != nil || got.Link != nil):
			t.Errorf("notice %d has a mail or a link: %+v %+v", i, got.Mail, got.Link)
		case want.to != "":
			checkNoticeMail(t, got, want.to, want.lang)
		}
		for _, s := range want.says {
			if !strings.Contains(got.Letter.Body, s) {
				t.Errorf("notice to %s lacks %q:\n%s", got.Recipient, s, got.Letter.Body)
			}
		}
		for _, s := range []string{"Facturatie", "Belastingdienst", "fenna@example.nl"} {
			if strings.Contains(got.Letter.Body, s) {
				t.Errorf("notice to %s names %q", got.Recipient, s)
			}
		}
	}
	if strings.Contains(ns[0].Letter.Body, "Nieuwsbrief") || strings.Contains(ns[2].Letter.Body, "Cliëntdossier") {
		t.Errorf("a notice names an activity its recipient did not receive")
	}
	if none, err := n.DraftNotices(t.Context(), k, nil, decidedOn); err != nil || len(none) != 0 {
		t.Errorf("no items: %v, %v", none, err)
	}
}

// checkNoticeMail checks that notice n is mailed to to with a link of its
// own, until 2 January 2027 (30 days), and nothing of the letter: not the
// person, not the activities.
func checkNoticeMail(t *testing.T, n casework.Notice, to string, c casework.Language) {
	t.Helper()
	m := n.Mail
	if m == nil || m.To != to || m.Kind != mail.KindNotice || m.Ref != "AVG-2026-0042" || n.Link == nil {
		t.Fatalf("notice to %s: mail %+v link %+v, want a notice mail to %s with a link", n.Recipient, m, n.Link, to)
	}
	link := noticeLink.FindStringSubmatch(m.Text)
	if link == nil || link[1] != n.Link.Token {
		t.Errorf("the mail to %s has not the notice's link:\n%s", to, m.Text)
	}
	if want := time.Date(2027, 1, 2, 14, 0, 0, 0, time.UTC); !n.Link.Expires.Equal(want) {
		t.Errorf("the link expires %s, want %s", n.Link.Expires, want)
	}
	says := map[casework.Language][]string{
		casework.Dutch:   {"Praktijk De Linde", "artikel 19 AVG", "AVG-2026-0042", "tot en met zaterdag 2 januari 2027", "privacy@delinde.example"},
		casework.English: {"Praktijk De Linde", "Article 19 GDPR", "AVG-2026-0042", "until Saturday 2 January 2027", "privacy@delinde.example"},
	}[c]
	for _, s := range says {
		if !strings.Contains(m.Text, s) {
			t.Errorf("the mail to %s lacks %q:\n%s", to, s, m.Text)
		}
	}
	for _, s := range []string{"Sanne", "Bosgraaf", "2012", "Cliëntdossier", "Nieuwsbrief", "Dorpsstraat", "adres"} {
		if strings.Contains(m.Text, s) || strings.Contains(m.Subject, s) {
			t.Errorf("the mail to %s carries %q:\n%s\n%s", to, s, m.Subject, m.Text)
		}
	}
}

// The decision letter says the recipients were told and that the
// requester may ask who they are, only when some were.
func TestDecisionLetterNotified(t *testing.T) {
	w, _ := decisionWriter(t, practice.Netherlands)
	k := confirmedCase(casework.Erasure)
	d := casework.Decision{Outcome: casework.Granted, Reasons: "Gewist."}
	for _, tc := range []struct {
		notified int
		want     string
	}{{0, ""}, {1, "aan de organisatie die uw gegevens"}, {3, "aan de 3 organisaties"}} {
		d.Notified = tc.notified
		l, err := w.DecisionLetter(k, d, decidedOn)
		if err != nil {
			t.Fatal(err)
		}
		if says := strings.Contains(l.Body, "Wilt u weten welke"); says != (tc.want != "") || !strings.Contains(l.Body, tc.want) {
			t.Errorf("%d told: letter\n%s", tc.notified, l.Body)
		}
	}
}

// A rectification's notice lists what the corrected data are now, and
// nothing of what was kept; its mail not even that.
func TestDraftNoticesRectification(t *testing.T) {
	w, _ := decisionWriter(t, practice.Netherlands)
	reg := []register.Activity{{Key: "client-file", Name: "Cliëntdossier", Recipients: []register.Recipient{
		{Name: "ECD-leverancier", Kind: register.Processor, Country: "NL", Email: "privacy@ecd.example"}}}}
	n := letters.NewNotices(w, func(context.Context) ([]register.Activity, error) { return reg, nil }, "https://avg.example/", noticeClock)
	k := confirmedCase(casework.Rectification)
	k.Rectification = []casework.RectificationItem{{Field: "adres", Old: "Kerkstraat 1", New: "Dorpsstraat 12", Systems: []string{"dossier"}},
		{Field: "diagnose", Old: "Oud oordeel", Kept: true, Reason: "Een professioneel oordeel."}}
	ns, err := n.DraftNotices(t.Context(), k, []casework.NoticeItem{{Activity: "client-file", Action: casework.NoticeRectify}}, decidedOn)
	if err != nil || len(ns) != 1 {
		t.Fatalf("DraftNotices = %+v, %v", ns, err)
	}
	checkNoticeMail(t, ns[0], "privacy@ecd.example", casework.Dutch)
	body := ns[0].Letter.Body
	for _, s := range []string{"Cliëntdossier: corrigeer", "adres: Dorpsstraat 12", "artikel 16 AVG"} {
		if !strings.Contains(body, s) {
			t.Errorf("the notice lacks %q:\n%s", s, body)
		}
	}
	for _, s := range []string{"Kerkstraat", "diagnose", "oordeel"} {
		if strings.Contains(body, s) {
			t.Errorf("the notice names %q:\n%s", s, body)
		}
	}
}
