package store

import (
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/practice"
)

// TestCaseNotices: notices are stored with their mails, read back with the
// status the outbox and the posting give them, a letter is marked posted
// once and only on its own case, a mail never; the count per branch takes
// the day each was sent or posted in the practice's time zone.
func TestCaseNotices(t *testing.T) {
	s := newTestStore(t).s
	ctx := t.Context()
	for _, b := range []string{"amsterdam", "utrecht"} {
		if _, err := s.AddBranch(ctx, practice.Branch{Code: b, Name: b}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	actor := casework.Actor{Scope: casework.Scope{All: true}}
	at := func(day, hour int) time.Time { return time.Date(2026, 12, day, hour, 30, 0, 0, time.UTC) }
	change := func(ref string, now time.Time, ch casework.Change) error {
		_, err := s.UpdateCase(ctx, ref, actor, func(k *casework.Case) (casework.Change, error) {
			k.UpdatedAt = now
			return ch, nil
		})
		return err
	}
	notice := func(recipient string, channel casework.NoticeChannel, activities ...string) casework.Notice {
		n := casework.Notice{Recipient: recipient, Kind: "processor", Activities: activities, Channel: channel,
			Letter: casework.Letter{Subject: "Art. 19", Body: "Wis de gegevens van Test Persoon"}, Language: casework.English}
		if channel == casework.NoticeByMail {
			n.Mail = &mail.Message{To: "privacy@ecd.example", Subject: "Art. 19", Text: "Wis", Kind: "notice"}
		}
		return n
	}
	utrecht := mustCreate(t, s, newCase(t, caseSpec{branch: "utrecht"}), ackMail)
	amsterdamCase := mustCreate(t, s, newCase(t, caseSpec{branch: "amsterdam", email: "ander@example.org"}), ackMail)
	if err := change(utrecht.Reference, at(1, 8), casework.Change{Notices: []casework.Notice{
		notice("ECD-leverancier", casework.NoticeByMail, "client-file", "waiting-list"),
		notice("Gemeente Voorbeeld", casework.NoticeByPost, "client-file")}}); err != nil {
		t.Fatal(err)
	}
	if err := change(amsterdamCase.Reference, at(1, 8), casework.Change{Notices: []casework.Notice{
		notice("ECD-leverancier", casework.NoticeByMail, "client-file")}}); err != nil {
		t.Fatal(err)
	}
	ns, err := s.CaseNotices(ctx, utrecht.ID)
	if err != nil || len(ns) != 2 {
		t.Fatalf("CaseNotices = %+v, %v", ns, err)
	}
	mailed, posted := ns[0], ns[1]
	if mailed.Status != casework.NoticeQueued || posted.Status != casework.NoticeQueued || mailed.At != nil ||
		len(mailed.Activities) != 2 || mailed.Letter.Body != "Wis de gegevens van Test Persoon" || mailed.Language != casework.English {
		t.Errorf("new notices read back as %+v", ns)
	}

	for _, tc := range []struct {
		name string
		ref  string
		id   int64
	}{
		{"a mail", utrecht.Reference, mailed.ID},
		{"another case's letter", amsterdamCase.Reference, posted.ID},
	} {
		if err := change(tc.ref, at(1, 9), casework.Change{NoticePosted: &tc.id}); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("marking %s posted: %v, want a conflict", tc.name, err)
		}
	}
	if err := change(utrecht.Reference, at(1, 10), casework.Change{NoticePosted: &posted.ID}); err != nil {
		t.Fatal(err)
	}
	if err := change(utrecht.Reference, at(1, 11), casework.Change{NoticePosted: &posted.ID}); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("marking a letter posted twice: %v, want a conflict", err)
	}
	// The mail goes out at 23:30 UTC: 2 December in Amsterdam.
	due, err := s.Due(ctx, at(2, 0), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range due {
		if q.Message.To == "privacy@ecd.example" { // the first: the utrecht case's
			if err := s.MarkSent(ctx, q.ID, at(1, 23)); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	ns, err = s.CaseNotices(ctx, utrecht.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ns[0].Status != casework.NoticeSent || !ns[0].At.Equal(at(1, 23)) || ns[1].Status != casework.NoticePrinted || !ns[1].At.Equal(at(1, 10)) {
		t.Errorf("after sending and posting: %s %v, %s %v", ns[0].Status, ns[0].At, ns[1].Status, ns[1].At)
	}

	day := func(d int) deadline.Date { return deadline.Date{Year: 2026, Month: time.December, Day: d} }
	for _, tc := range []struct {
		name     string
		from, to deadline.Date
		branch   string
		want     int
	}{
		{"1 December: the letter", day(1), day(1), "", 1},
		{"2 December: the mail, sent late on the 1st in UTC", day(2), day(2), "", 1},
		{"both days", day(1), day(2), "", 2},
		{"one branch", day(1), day(2), "amsterdam", 0},
		{"before", day(1).AddDays(-30), day(1).AddDays(-1), "", 0},
	} {
		got, err := s.NoticesSent(ctx, tc.from, tc.to, tc.branch, amsterdam)
		if err != nil || got != tc.want {
			t.Errorf("%s: NoticesSent = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}

// TestNoticeLink: a mailed notice's link is kept as a keyed hash only; it
// opens the notice's letter until it expires, each download counted and
// audited as an export of the case, a HEAD (audit.Unseen) neither; an
// unknown, expired or anonymised link is NotFound.
func TestNoticeLink(t *testing.T) {
	s := newTestStore(t).s
	ctx := t.Context()
	actor := casework.Actor{Scope: casework.Scope{All: true}}
	now := time.Date(2026, 12, 3, 14, 0, 0, 0, time.UTC)
	expires := now.Add(30 * 24 * time.Hour)
	const token = "Z2VoZWltLWdlaGVpbS1nZWhlaW0tZ2VoZWltLWdlaGVp"
	k := mustCreate(t, s, newCase(t, caseSpec{}), ackMail)
	_, err := s.UpdateCase(ctx, k.Reference, actor, func(c *casework.Case) (casework.Change, error) {
		c.UpdatedAt = now
		return casework.Change{Notices: []casework.Notice{{Recipient: "ECD-leverancier", Kind: "processor", Activities: []string{"client-file"},
			Channel: casework.NoticeByMail, Language: casework.Dutch, Letter: casework.Letter{Subject: "Art. 19", Body: "Wis de gegevens van Test Persoon"},
			Mail: &mail.Message{To: "privacy@ecd.example", Subject: "Art. 19", Text: "Zie de link", Kind: mail.KindNotice},
			Link: &casework.NoticeLink{Token: token, Expires: expires}}}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var rows []noticeLinkRow
	if err := s.db.Find(&rows).Error; err != nil || len(rows) != 1 {
		t.Fatalf("notice links %+v, %v", rows, err)
	}
	if h := rows[0].TokenHash; h == token || h == casework.HashToken(token) || len(h) != 64 {
		t.Errorf("the link is kept as %q: not a keyed hash", h)
	}
	downloads := func() (int, []string) {
		t.Helper()
		var r noticeLinkRow
		if err := s.db.Take(&r).Error; err != nil {
			t.Fatal(err)
		}
		p, err := s.AuditSearch(ctx, audit.Filter{Action: audit.CaseExport, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var details []string
		for _, e := range p.Entries {
			details = append(details, e.Detail+" "+e.Address)
		}
		return r.Downloads, details
	}
	if n, err := s.OpenNoticeLink(audit.Unseen(ctx), token, "192.0.2.7", now.Add(time.Hour)); err != nil || n.Letter.Body != "Wis de gegevens van Test Persoon" {
		t.Fatalf("HEAD: %+v, %v", n, err)
	}
	if n, d := downloads(); n != 0 || len(d) != 0 {
		t.Errorf("a HEAD counted %d, audited %v", n, d)
	}
	n, err := s.OpenNoticeLink(ctx, token, "192.0.2.7", now.Add(time.Hour))
	if err != nil || n.Letter.Body != "Wis de gegevens van Test Persoon" || n.Language != casework.Dutch {
		t.Fatalf("OpenNoticeLink = %+v, %v", n, err)
	}
	if c, d := downloads(); c != 1 || len(d) != 1 || d[0] != "notice_link="+idString(n.ID)+" 192.0.2.7" {
		t.Errorf("a download counted %d, audited %v", c, d)
	}
	// In this order: the anonymisation last, it drops the link.
	for _, tc := range []struct {
		name string
		open func() error
	}{
		{"unknown", func() error { _, err := s.OpenNoticeLink(ctx, token+"x", "192.0.2.7", now); return err }},
		{"expired", func() error { _, err := s.OpenNoticeLink(ctx, token, "192.0.2.7", expires); return err }},
		{"anonymised", func() error {
			if err := s.anonymise(ctx, k.ID, k.Reference, now); err != nil {
				return err
			}
			_, err := s.OpenNoticeLink(ctx, token, "192.0.2.7", now)
			return err
		}},
	} {
		if err := tc.open(); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("%s link: %v, want NotFound", tc.name, err)
		}
	}
}
