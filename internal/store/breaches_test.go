package store

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/staff"
)

// breachEnv is a store with branches utrecht and amsterdam and an owner.
type breachEnv struct {
	*testEnv
	owner breach.Actor
}

func newBreachEnv(tb testing.TB) *breachEnv {
	tb.Helper()
	env := newTestStore(tb)
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, code := range []string{"utrecht", "amsterdam"} {
		if _, err := env.s.AddBranch(tb.Context(), practice.Branch{Code: code, Name: code}, at); err != nil {
			tb.Fatalf("AddBranch: %v", err)
		}
	}
	m, err := env.s.AddMember(tb.Context(), staff.NewMember{Email: "eigenaar@praktijk.example", Name: "Els Eigenaar", Role: staff.Owner}, at)
	if err != nil {
		tb.Fatalf("AddMember: %v", err)
	}
	return &breachEnv{testEnv: env, owner: breach.Actor{ID: m.ID, Name: m.Name, Owner: true, Scope: breach.Scope{All: true}, Address: "192.0.2.7"}}
}

// laptop is a breach as a practice registers it first: a stolen laptop.
func laptop(branch string, aware time.Time) breach.Record {
	return breach.Record{Breach: breach.Breach{
		Title: "Laptop gestolen uit auto", Branch: branch, AwareAt: aware,
		Description: "De laptop van een jeugdhulpverlener met cliëntdossiers is uit de auto gestolen.",
		Kinds:       []breach.Kind{breach.Confidentiality, breach.Availability}, Incident: breach.Theft,
		DataCategories: []string{breach.CategoryContact, breach.CategoryYouthCare}, People: breach.Between(40, 60),
	}, CreatedAt: aware, UpdatedAt: aware}
}

func (e *breachEnv) create(tb testing.TB, r breach.Record) breach.Record {
	tb.Helper()
	if err := e.s.CreateBreach(tb.Context(), &r, e.owner, r.CreatedAt); err != nil {
		tb.Fatalf("CreateBreach: %v", err)
	}
	return r
}

// auditOf returns the audit entries about breach id, oldest first.
func auditOf(tb testing.TB, s *Store, id int64) []audit.Entry {
	tb.Helper()
	es, err := s.AuditEntries(tb.Context(), audit.Breach(id), 0, 500)
	if err != nil {
		tb.Fatalf("AuditEntries: %v", err)
	}
	return es
}

func TestBreachReferencesAreSequentialPerYear(t *testing.T) {
	env := newBreachEnv(t)
	tests := []struct {
		name  string
		aware time.Time
		want  string
	}{
		{"first of 2026", time.Date(2026, 3, 27, 17, 0, 0, 0, time.UTC), "DL-2026-001"},
		{"second of 2026", time.Date(2026, 3, 28, 17, 0, 0, 0, time.UTC), "DL-2026-002"},
		// 31 December 23:30 UTC is already New Year's Day in Amsterdam.
		{"new year in Amsterdam", time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), "DL-2027-001"},
		{"third of 2026", time.Date(2026, 12, 31, 22, 30, 0, 0, time.UTC), "DL-2026-003"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := env.create(t, laptop("utrecht", tc.aware))
			if r.Reference != tc.want {
				t.Errorf("reference %s, want %s", r.Reference, tc.want)
			}
		})
	}
}

// Every text of a breach is sealed: a marker in each is not in the
// database files, while it reads back (SECURITY.md item 3).
func TestBreachEncryptedAtRest(t *testing.T) {
	env := newBreachEnv(t)
	marker := "Qzbreachmarker"
	aware := time.Date(2026, 3, 27, 17, 0, 0, 0, time.UTC)
	r := laptop("utrecht", aware)
	r.Title = "Laptop van " + marker
	r.Description = "Dossier van " + marker + " stond erop."
	r.HowDiscovered, r.ReportedBy, r.Consequences = "Melding "+marker, "Collega "+marker, "Gevolgen "+marker
	r.MeasuresTaken, r.Processors = "Wachtwoorden "+marker, "Hoster "+marker
	r = env.create(t, r)
	_, err := env.s.UpdateBreach(t.Context(), r.Reference, env.owner, "texts", aware.Add(time.Hour), func(r *breach.Record) error {
		r.Texts.LetterNL = "Beste " + marker
		return nil
	})
	if err != nil {
		t.Fatalf("UpdateBreach: %v", err)
	}
	if _, _, err := env.s.AddRecipients(t.Context(), r.Reference, env.owner,
		[]breach.Recipient{{Name: "Ouder " + marker, Email: strings.ToLower(marker) + "@example.nl", Language: "nl"}}, aware); err != nil {
		t.Fatalf("AddRecipients: %v", err)
	}
	back, err := env.s.BreachByReference(t.Context(), r.Reference, breach.Scope{All: true})
	if err != nil {
		t.Fatalf("BreachByReference: %v", err)
	}
	if back.Title != r.Title || back.Description != r.Description || back.Texts.LetterNL != "Beste "+marker {
		t.Fatalf("read back %q / %q / %q", back.Title, back.Description, back.Texts.LetterNL)
	}
	for name, data := range storedBytes(t, env.testEnv) {
		if containsFold(data, marker) {
			t.Errorf("%s contains the marker in clear", name)
		}
	}
}

func TestBreachScope(t *testing.T) {
	env := newBreachEnv(t)
	aware := time.Date(2026, 3, 27, 17, 0, 0, 0, time.UTC)
	utrecht := env.create(t, laptop("utrecht", aware))
	whole := env.create(t, laptop("", aware.Add(time.Hour)))
	tests := []struct {
		name  string
		scope breach.Scope
		ref   string
		found bool
	}{
		{"owner sees a branch's breach", breach.Scope{All: true}, utrecht.Reference, true},
		{"owner sees the practice's breach", breach.Scope{All: true}, whole.Reference, true},
		{"officer of the branch", breach.Scope{Branches: []string{"utrecht"}}, utrecht.Reference, true},
		{"officer of another branch", breach.Scope{Branches: []string{"amsterdam"}}, utrecht.Reference, false},
		{"branch officer and the practice's breach", breach.Scope{Branches: []string{"utrecht"}}, whole.Reference, false},
		{"no scope at all", breach.Scope{}, utrecht.Reference, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := env.s.BreachByReference(t.Context(), tc.ref, tc.scope)
			if tc.found && err != nil {
				t.Fatalf("BreachByReference: %v", err)
			}
			if !tc.found && !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("BreachByReference: %v, want NotFound", err)
			}
			list, err := env.s.ListBreaches(t.Context(), breach.Filter{}, tc.scope)
			if err != nil {
				t.Fatal(err)
			}
			listed := slices.ContainsFunc(list, func(r breach.Record) bool { return r.Reference == tc.ref })
			if listed != tc.found {
				t.Errorf("listed = %v, want %v", listed, tc.found)
			}
			other := env.owner
			other.Scope = tc.scope
			_, err = env.s.UpdateBreach(t.Context(), tc.ref, other, "facts", aware, func(*breach.Record) error { return nil })
			if !tc.found && !apperr.Is(err, apperr.NotFound) {
				t.Errorf("UpdateBreach outside scope: %v, want NotFound", err)
			}
		})
	}
}

// A breach comes back as it was stored, every field, and each change is
// one audit entry naming its step.
func TestBreachRoundTripAndAudit(t *testing.T) {
	env := newBreachEnv(t)
	aware := time.Date(2026, 3, 27, 17, 0, 0, 0, time.UTC)
	r := env.create(t, laptop("utrecht", aware))
	started, ended := aware.Add(-3*time.Hour), aware.Add(-2*time.Hour)
	informed := aware.Add(30 * time.Hour)
	want := r.Breach
	_, err := env.s.UpdateBreach(t.Context(), r.Reference, env.owner, "facts", aware.Add(time.Hour), func(r *breach.Record) error {
		r.StartedAt, r.EndedAt, r.HowDiscovered, r.ReportedBy = &started, &ended, "Politie belde", "Teamleider"
		r.IncidentOther, r.DataOther, r.SpecialCategories = "", "", []string{"health"}
		r.Records, r.AffectedGroups, r.PeopleDescription = breach.Exactly(120), []string{breach.GroupChildren, breach.GroupParents}, "Cliënten 2024"
		r.PeopleInOtherCountries, r.Countries, r.OtherAuthoritiesInformed = breach.Yes, "België", "IGJ"
		r.Ongoing = breach.No
		r.MeasuresBefore = breach.MeasuresBefore{Encrypted: breach.No, Hashed: breach.Yes, Text: "wachtwoord"}
		r.Consequences, r.MeasuresTaken, r.MeasuresPlanned, r.Processors = "c", "t", "p", "hoster"
		r.Assessment = &breach.Assessment{DPC: 4, EI: 1, Confidentiality: breach.UnknownRecipients, Integrity: breach.None,
			Availability: breach.Permanent, Malicious: true}
		r.Guidance = &breach.Guidance{Base: breach.DPCSensitive, Adjust: breach.DPCAdjustments{Vulnerable: true}}
		r.SeverityWord = "zeer groot"
		r.Decision = &breach.Decision{NotifyAP: true, InformPeople: breach.InformYes, Reason: "r", DecidedAt: aware.Add(2 * time.Hour), DecidedBy: "Els"}
		r.Informed = &breach.Informing{At: &informed, How: "per brief", Count: breach.Between(40, 60)}
		r.NotInformedReason, r.LateReason = "", "laat"
		want = r.Breach
		return nil
	})
	if err != nil {
		t.Fatalf("UpdateBreach: %v", err)
	}
	back, err := env.s.BreachByReference(t.Context(), r.Reference, breach.Scope{All: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		field     string
		got, want any
	}{
		{"title", back.Title, want.Title}, {"branch", back.Branch, want.Branch}, {"aware", back.AwareAt.Equal(want.AwareAt), true},
		{"started", back.StartedAt.Equal(started), true}, {"ended", back.EndedAt.Equal(ended), true},
		{"kinds", slices.Equal(back.Kinds, want.Kinds), true}, {"incident", back.Incident, want.Incident},
		{"categories", slices.Equal(back.DataCategories, want.DataCategories), true},
		{"special", slices.Equal(back.SpecialCategories, want.SpecialCategories), true},
		{"records", *back.Records.Exact, 120}, {"people", *back.People.Min*1000 + *back.People.Max, 40060},
		{"groups", slices.Equal(back.AffectedGroups, want.AffectedGroups), true}, {"countries", back.Countries, "België"},
		{"measures before", back.MeasuresBefore, want.MeasuresBefore}, {"assessment", *back.Assessment, *want.Assessment},
		{"guidance", *back.Guidance, breach.Guidance{Base: breach.DPCSensitive, Adjust: breach.DPCAdjustments{Vulnerable: true}}},
		{"severity word", back.SeverityWord, "zeer groot"}, {"decision by", back.Decision.DecidedBy, "Els"},
		{"decision", back.Decision.NotifyAP && back.Decision.InformPeople == breach.InformYes && back.Decision.DecidedAt.Equal(want.Decision.DecidedAt), true},
		{"informed", back.Informed.How == "per brief" && back.Informed.At.Equal(informed), true}, {"late", back.LateReason, "laat"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.field, c.got, c.want)
		}
	}
	entries := auditOf(t, env.s, r.ID)
	var got []string
	for _, e := range entries {
		got = append(got, string(e.Action)+" "+e.Detail)
		if e.Actor != audit.Staff(env.owner.ID) || e.Address != env.owner.Address {
			t.Errorf("entry %+v: want the owner from %s", e, env.owner.Address)
		}
	}
	if want := []string{"breach_create ", "breach_update step=facts"}; !slices.Equal(got, want) {
		t.Errorf("audit = %q, want %q", got, want)
	}
}

func TestBreachSubmissionsKeepTheDraftSent(t *testing.T) {
	env := newBreachEnv(t)
	aware := time.Date(2026, 3, 27, 17, 0, 0, 0, time.UTC)
	r := env.create(t, laptop("utrecht", aware))
	submit := func(kind breach.NotificationKind, at time.Time, answer string) error {
		_, err := env.s.AddSubmission(t.Context(), r.Reference, env.owner, at, func(r *breach.Record) (breach.Submission, error) {
			n := breach.Notification{Kind: kind, SubmittedAt: at, APReference: "M-1"}
			r.Notifications = append(r.Notifications, n)
			d := breach.Draft{Reference: r.Reference, Chapters: []breach.Chapter{{Number: 1, Questions: []breach.Question{{ID: "q", Answer: answer}}}}}
			return breach.Submission{Notification: n, Draft: d, RecordedAt: at}, nil
		})
		return err
	}
	if err := submit(breach.NotifyInitial, aware.Add(20*time.Hour), "eerst"); err != nil {
		t.Fatalf("initial: %v", err)
	}
	if err := submit(breach.NotifySupplement, aware.Add(40*time.Hour), "later"); err != nil {
		t.Fatalf("supplement: %v", err)
	}
	if err := submit(breach.NotifyInitial, aware.Add(50*time.Hour), "nog eens"); err == nil {
		t.Error("a second initial notification was stored")
	}
	subs, err := env.s.Submissions(t.Context(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 2 || subs[0].Kind != breach.NotifyInitial || subs[1].Draft.Chapters[0].Questions[0].Answer != "later" {
		t.Fatalf("submissions = %+v", subs)
	}
	back, err := env.s.BreachByReference(t.Context(), r.Reference, breach.Scope{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if first, ok := back.FirstNotification(); !ok || !first.SubmittedAt.Equal(aware.Add(20*time.Hour)) || len(back.Notifications) != 2 {
		t.Errorf("notifications = %+v", back.Notifications)
	}
	if back.DecisionOpen() {
		t.Error("decision still open after the notification")
	}
}

func TestBreachRecipientsAndLetters(t *testing.T) {
	env := newBreachEnv(t)
	aware := time.Date(2026, 3, 27, 17, 0, 0, 0, time.UTC)
	r := env.create(t, laptop("utrecht", aware))
	people := []breach.Recipient{{Name: "A", Email: "a@example.nl", Language: "nl"}, {Email: "b@example.nl", Language: "en"}}
	added, skipped, err := env.s.AddRecipients(t.Context(), r.Reference, env.owner, people, aware)
	if err != nil || added != 2 || skipped != 0 {
		t.Fatalf("AddRecipients = %d, %d, %v", added, skipped, err)
	}
	added, skipped, err = env.s.AddRecipients(t.Context(), r.Reference, env.owner,
		[]breach.Recipient{{Email: "b@example.nl", Language: "nl"}, {Email: "c@example.nl", Language: "nl"}}, aware)
	if err != nil || added != 1 || skipped != 1 {
		t.Fatalf("second upload = %d added, %d skipped, %v; want 1 and 1", added, skipped, err)
	}
	send := func() (int, error) {
		var queued int
		_, err := env.s.SendLetters(t.Context(), r.Reference, env.owner, aware.Add(time.Hour),
			func(_ breach.Record, ps []breach.Person) ([]mail.Message, error) {
				var ms []mail.Message
				for _, p := range ps {
					ms = append(ms, mail.Message{To: p.Email, Subject: "Datalek", Text: "Brief in " + p.Language})
				}
				queued = len(ms)
				return ms, nil
			}, func(r *breach.Record) { r.Informed = &breach.Informing{How: "per e-mail", ByEmail: true} })
		return queued, err
	}
	if queued, err := send(); err != nil || queued != 3 {
		t.Fatalf("SendLetters: queued %d, %v; want 3", queued, err)
	}
	due, err := env.s.Due(t.Context(), aware.Add(2*time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	var to []string
	for _, q := range due {
		to = append(to, q.Message.To)
	}
	if want := []string{"a@example.nl", "b@example.nl", "c@example.nl"}; !slices.Equal(to, want) {
		t.Errorf("outbox to %v, want %v", to, want)
	}
	ps, err := env.s.People(t.Context(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.QueuedAt == nil || p.Delivery() != breach.Queued {
			t.Errorf("%s: queued at %v, %s; want queued", p.Email, p.QueuedAt, p.Delivery())
		}
	}
	// Sending again finds nobody left: no second mail.
	if _, err := send(); err != nil {
		t.Fatal(err)
	}
	if due, _ := env.s.Due(t.Context(), aware.Add(2*time.Hour), 100); len(due) != 3 {
		t.Errorf("%d mails after sending twice, want 3", len(due))
	}
	rec, err := env.s.BreachByReference(t.Context(), r.Reference, breach.Scope{All: true})
	if err != nil || rec.Queued != 3 || rec.Told != 0 || rec.Informed == nil || rec.Informed.At != nil {
		t.Fatalf("queued: %+v, %v; want 3 queued, none told, not informed yet", rec, err)
	}

	// The outbox reports back: a sent letter tells its person and, the
	// first, makes the breach informed at that moment; a failed one shows.
	sent := aware.Add(90 * time.Minute)
	if err := env.s.MarkSent(t.Context(), due[0].ID, sent); err != nil {
		t.Fatal(err)
	}
	if err := markFailed(t, env.s, due[1].ID, 1, sent.Add(time.Minute), "550 no such user"); err != nil {
		t.Fatal(err)
	}
	if err := env.s.MarkSent(t.Context(), due[2].ID, sent.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	ps, err = env.s.People(t.Context(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	var states []breach.Delivery
	for _, p := range ps {
		states = append(states, p.Delivery())
	}
	if want := []breach.Delivery{breach.Sent, breach.Failed, breach.Sent}; !slices.Equal(states, want) {
		t.Errorf("deliveries %v, want %v", states, want)
	}
	if ps[0].SentAt == nil || !ps[0].SentAt.Equal(sent) || ps[1].Attempts != 1 {
		t.Errorf("people %+v", ps)
	}
	rec, err = env.s.BreachByReference(t.Context(), r.Reference, breach.Scope{All: true})
	if err != nil || rec.Told != 2 || rec.Informed == nil || rec.Informed.At == nil || !rec.Informed.At.Equal(sent) ||
		rec.Informed.Count.Exact == nil || *rec.Informed.Count.Exact != 2 {
		t.Errorf("sent: %d told, informed %+v, %v; want 2 told, informed at %v", rec.Told, rec.Informed, err, sent)
	}
}

func TestBreachRemindersAndOpenDecisions(t *testing.T) {
	env := newBreachEnv(t)
	aware := time.Date(2026, 3, 27, 17, 0, 0, 0, time.UTC)
	a := env.create(t, laptop("utrecht", aware))
	b := env.create(t, laptop("amsterdam", aware.Add(-5*time.Hour)))
	open, err := env.s.OpenDecisions(t.Context(), breach.Scope{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if open.Count != 2 || open.Reference != b.Reference || !open.AwareAt.Equal(b.AwareAt) {
		t.Errorf("OpenDecisions = %+v, want 2 with %s first", open, b.Reference)
	}
	mine, err := env.s.OpenDecisions(t.Context(), breach.Scope{Branches: []string{"utrecht"}})
	if err != nil || mine.Count != 1 || mine.Reference != a.Reference {
		t.Errorf("OpenDecisions(utrecht) = %+v, %v", mine, err)
	}
	none, err := env.s.OpenDecisions(t.Context(), breach.Scope{})
	if err != nil || none.Count != 0 {
		t.Errorf("OpenDecisions(no scope) = %+v, %v", none, err)
	}

	// Once the decision is recorded the banner is gone, also when it is to
	// notify: the reminders keep going until the notification is made.
	if _, err := env.s.UpdateBreach(t.Context(), b.Reference, env.owner, "decision", aware, func(r *breach.Record) error {
		r.Assessment = &breach.Assessment{DPC: 4, EI: 1, Confidentiality: breach.UnknownRecipients, Integrity: breach.None, Availability: breach.None}
		r.Decision = &breach.Decision{NotifyAP: true, InformPeople: breach.InformYes, DecidedAt: aware}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	open, err = env.s.OpenDecisions(t.Context(), breach.Scope{All: true})
	if err != nil || open.Count != 1 || open.Reference != a.Reference {
		t.Errorf("OpenDecisions after deciding %s = %+v, %v; want only %s", b.Reference, open, err, a.Reference)
	}

	msg := []mail.Message{{To: "eigenaar@praktijk.example", Subject: "Herinnering", Text: "DL"}}
	for i, want := range []bool{true, false} {
		saved, err := env.s.SaveReminder(t.Context(), a.ID, breach.Reminder24h, aware, msg)
		if err != nil || saved != want {
			t.Errorf("SaveReminder #%d = %v, %v; want %v", i+1, saved, err, want)
		}
	}
	waiting, err := env.s.Waiting(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(waiting) != 2 || waiting[1].Reference != a.Reference || !slices.Equal(waiting[1].Marks, []string{breach.Reminder24h}) {
		t.Errorf("Waiting = %+v", waiting)
	}
	// A corrected moment of awareness is a new deadline: its reminders
	// start over.
	if _, err := env.s.UpdateBreach(t.Context(), a.Reference, env.owner, "facts", aware, func(r *breach.Record) error {
		r.AwareAt = r.AwareAt.Add(-time.Hour)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	waiting, _ = env.s.Waiting(t.Context())
	for _, w := range waiting {
		if len(w.Marks) != 0 {
			t.Errorf("%s keeps marks %v after a new awareness", w.Reference, w.Marks)
		}
	}
	owners, err := env.s.Owners(t.Context())
	if err != nil || len(owners) != 1 || owners[0].Email != "eigenaar@praktijk.example" {
		t.Errorf("Owners = %+v, %v", owners, err)
	}
}

func TestListBreachesOrderAndFilters(t *testing.T) {
	env := newBreachEnv(t)
	aware := time.Date(2026, 3, 20, 17, 0, 0, 0, time.UTC)
	old := env.create(t, laptop("utrecht", aware))                        // open, deadline first
	recent := env.create(t, laptop("amsterdam", aware.Add(48*time.Hour))) // open
	closed := env.create(t, laptop("utrecht", aware.Add(96*time.Hour)))   // decided not to notify
	if _, err := env.s.UpdateBreach(t.Context(), closed.Reference, env.owner, "decision", aware.Add(100*time.Hour), func(r *breach.Record) error {
		r.Assessment = &breach.Assessment{DPC: 1, EI: 0.25, Confidentiality: breach.None, Integrity: breach.None, Availability: breach.Temporary}
		r.Kinds = []breach.Kind{breach.Availability}
		r.Decision = &breach.Decision{NotifyAP: false, InformPeople: breach.InformNo, DecidedAt: aware.Add(100 * time.Hour)}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		filter breach.Filter
		want   []string
	}{
		{"open first, then newest", breach.Filter{}, []string{old.Reference, recent.Reference, closed.Reference}},
		{"open only", breach.Filter{State: breach.StateOpen}, []string{old.Reference, recent.Reference}},
		{"decided", breach.Filter{State: breach.StateDecided}, []string{closed.Reference}},
		{"by kind", breach.Filter{Kind: breach.Confidentiality}, []string{old.Reference, recent.Reference}},
		{"by band", breach.Filter{Band: breach.BandLow}, []string{closed.Reference}},
		{"by branch", breach.Filter{Branch: "amsterdam"}, []string{recent.Reference}},
		{"by reference", breach.Filter{Text: strings.ToLower(recent.Reference)}, []string{recent.Reference}},
		{"by year", breach.Filter{Year: 2025}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list, err := env.s.ListBreaches(t.Context(), tc.filter, breach.Scope{All: true})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range list {
				got = append(got, r.Reference)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestBreachSettingsRoundTrip(t *testing.T) {
	env := newBreachEnv(t)
	ctx := context.Background()
	zero, err := env.s.BreachSettings(ctx)
	if err != nil || zero != (breach.Settings{}) {
		t.Fatalf("BreachSettings before saving = %+v, %v", zero, err)
	}
	want := breach.Settings{OwnTargetHours: 48, Sector: "Jeugdhulp", DPO: breach.Contact{Name: "F. G.", Email: "fg@praktijk.example"}}
	if err := env.s.SaveBreachSettings(ctx, want, env.owner, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got, err := env.s.BreachSettings(ctx); err != nil || got != want {
		t.Errorf("BreachSettings = %+v, %v; want %+v", got, err, want)
	}
}

// seedBreach fills every sealed column of the breach register for the
// rewrap tests: a breach, a submission with its draft, a person to inform
// and the register's settings.
func seedBreach(tb testing.TB, s *Store, staffID int64) {
	tb.Helper()
	owner := breach.Actor{ID: staffID, Owner: true, Scope: breach.Scope{All: true}}
	r := laptop("", time.Date(2026, 3, 27, 17, 0, 0, 0, time.UTC))
	if err := s.CreateBreach(tb.Context(), &r, owner, r.CreatedAt); err != nil {
		tb.Fatalf("CreateBreach: %v", err)
	}
	at := r.AwareAt.Add(time.Hour)
	_, err := s.AddSubmission(tb.Context(), r.Reference, owner, at, func(r *breach.Record) (breach.Submission, error) {
		n := breach.Notification{Kind: breach.NotifyInitial, SubmittedAt: at, APReference: "M-1"}
		r.Notifications = append(r.Notifications, n)
		return breach.Submission{Notification: n, Draft: breach.Draft{Reference: r.Reference, Title: r.Title}}, nil
	})
	if err != nil {
		tb.Fatalf("AddSubmission: %v", err)
	}
	if _, _, err := s.AddRecipients(tb.Context(), r.Reference, owner, []breach.Recipient{{Name: "Ouder", Email: "ouder@example.nl", Language: "nl"}}, at); err != nil {
		tb.Fatalf("AddRecipients: %v", err)
	}
	if err := s.SaveBreachSettings(tb.Context(), breach.Settings{DPO: breach.Contact{Name: "F. G."}}, owner, at); err != nil {
		tb.Fatalf("SaveBreachSettings: %v", err)
	}
}

// A body sealed before the yes-or-no answers could be unknown stored only
// true (omitempty): true reads as Yes, an absent value as unanswered, never
// as "no", except that a recorded end answers "still going on?" with no.
// Written again, the body keeps the answers as read.
func TestBreachLegacyAnswers(t *testing.T) {
	env := newBreachEnv(t)
	aware := time.Date(2026, 3, 27, 17, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		legacy  map[string]any
		ongoing breach.Answer
		before  breach.MeasuresBefore
		abroad  breach.Answer
	}{
		{"true and nothing", map[string]any{"hashed": true, "ongoing": true}, breach.Yes,
			breach.MeasuresBefore{Hashed: breach.Yes}, breach.Unanswered},
		{"an end recorded", map[string]any{"ended_at": aware.Add(-time.Hour), "people_in_other_countries": true}, breach.No,
			breach.MeasuresBefore{}, breach.Yes},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := env.create(t, laptop("utrecht", aware))
			body := map[string]any{"title": r.Title, "description": r.Description, "records": map[string]any{},
				"people": map[string]any{}, "informed_count": map[string]any{}}
			for k, v := range tc.legacy {
				body[k] = v
			}
			blob, err := env.s.sealJSON("breaches", "body", r.Reference, body)
			if err != nil {
				t.Fatal(err)
			}
			if err := rawWrite(env.s).Model(&breachRow{}).Where("id = ?", r.ID).Update("body", blob).Error; err != nil {
				t.Fatal(err)
			}
			for _, step := range []string{"read", "written again"} {
				back, err := env.s.BreachByReference(t.Context(), r.Reference, breach.Scope{All: true})
				if err != nil {
					t.Fatal(err)
				}
				if back.MeasuresBefore != tc.before || back.Ongoing != tc.ongoing || back.PeopleInOtherCountries != tc.abroad {
					t.Errorf("%s: protection %+v, ongoing %q, abroad %q; want %+v, %q, %q", step, back.MeasuresBefore,
						back.Ongoing, back.PeopleInOtherCountries, tc.before, tc.ongoing, tc.abroad)
				}
				if _, err := env.s.UpdateBreach(t.Context(), r.Reference, env.owner, "facts", aware, func(*breach.Record) error { return nil }); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
