package casework_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/clock"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/staff"
	"github.com/avgloket/avgloket/internal/store"
	"github.com/avgloket/avgloket/internal/store/dbtest"
	"github.com/avgloket/avgloket/internal/vault"
)

// workflowLetters records which mails the workflow asked for.
type workflowLetters struct{ sent []string }

func (l *workflowLetters) mail(kind string, c casework.Case, url string) (mail.Message, error) {
	l.sent = append(l.sent, kind)
	return mail.Message{To: c.Requester.Email, Subject: kind + " " + c.Reference, Text: url}, nil
}
func (l *workflowLetters) Acknowledgement(c casework.Case, u string) (mail.Message, error) {
	return l.mail("ack", c, u)
}
func (l *workflowLetters) Message(c casework.Case, u string) (mail.Message, error) {
	return l.mail("message", c, u)
}
func (l *workflowLetters) Extension(c casework.Case, u string) (mail.Message, error) {
	return l.mail("extension", c, u)
}
func (l *workflowLetters) Decision(c casework.Case, u string) (mail.Message, error) {
	return l.mail("decision", c, u)
}
func (l *workflowLetters) Destroyed(c casework.Case, u string) (mail.Message, error) {
	return l.mail("destroyed", c, u)
}
func (l *workflowLetters) DecisionLetter(c casework.Case, d casework.Decision, _ deadline.Date) (casework.Letter, error) {
	return casework.Letter{Reference: c.Reference, Body: d.Letter}, nil
}

type workflowFixture struct {
	svc     *casework.Service
	store   *store.Store
	clock   *clock.Fake
	letters *workflowLetters
	owner   casework.Actor
}

func newWorkflowFixture(tb testing.TB) *workflowFixture {
	tb.Helper()
	dir := tb.TempDir()
	keys, err := vault.LoadOrCreate(filepath.Join(dir, "keys.json"))
	if err != nil {
		tb.Fatal(err)
	}
	st, err := store.Open(context.Background(), dbtest.Target(tb, filepath.Join(dir, "db.sqlite")), keys, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = st.Close() })
	fc := clock.NewFake(time.Date(2026, 11, 25, 9, 31, 0, 0, time.UTC))
	l := &workflowLetters{}
	f := &workflowFixture{svc: casework.NewService(st, l, fc, "https://avg.example"), store: st, clock: fc, letters: l}
	for _, b := range []string{"amsterdam", "utrecht"} {
		if _, err := st.AddBranch(context.Background(), practice.Branch{Code: b, Name: b}, fc.Now()); err != nil {
			tb.Fatal(err)
		}
	}
	o, err := st.AddMember(context.Background(), staff.NewMember{Email: "owner@example.org", Name: "Test Owner", Role: staff.Owner}, fc.Now())
	if err != nil {
		tb.Fatal(err)
	}
	f.owner = casework.Actor{ID: o.ID, Scope: o.Scope()}
	return f
}

func (f *workflowFixture) file(tb testing.TB, branch string) casework.Case {
	tb.Helper()
	var sub casework.Submission
	sub.Type = casework.Access
	sub.Requester = casework.Requester{Name: "Test Ouder", Email: "ouder@example.org", Relation: casework.Parent}
	sub.Subject.Name, sub.Subject.BirthDate = "Test Kind", "2013-05-01"
	sub.Branch = branch
	c, _, err := f.svc.Submit(context.Background(), sub, casework.Intake{Channel: casework.Web})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// A status never stops the clock (DOMAIN.md §8): only a question sent to
// the requester does, which package identity tests.
func TestMoveNeverPauses(t *testing.T) {
	f := newWorkflowFixture(t)
	ctx := context.Background()
	c := f.file(t, "utrecht")
	if c.Deadlines.Due.String() != "2026-12-28" {
		t.Fatalf("due %s", c.Deadlines.Due)
	}
	if _, err := f.svc.Move(ctx, f.owner, c.Reference, casework.Completed); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("completing without a decision: %v", err)
	}
	c, err := f.svc.Move(ctx, f.owner, c.Reference, casework.AwaitingIdentity)
	if err != nil {
		t.Fatal(err)
	}
	if c.Paused() || c.Deadlines.Due.String() != "2026-12-28" {
		t.Fatalf("a status change paused the clock: paused since %v, due %s", c.PausedSince, c.Deadlines.Due)
	}
	f.clock.Advance(6 * 24 * time.Hour)
	c, err = f.svc.Move(ctx, f.owner, c.Reference, casework.InProgress)
	if err != nil {
		t.Fatal(err)
	}
	if c.Paused() || c.PauseDays != 0 || c.Deadlines.Due.String() != "2026-12-28" {
		t.Fatalf("after moving back: paused %v, %d pause days, due %s", c.Paused(), c.PauseDays, c.Deadlines.Due)
	}
	_, events, err := f.svc.Timeline(ctx, f.owner, c.Reference)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, string(e.Kind))
	}
	if strings.Join(kinds, ",") != "created,status,status" {
		t.Fatalf("timeline %v", kinds)
	}
}

func mustNL(tb testing.TB) deadline.Calendar {
	tb.Helper()
	cal, err := deadline.NewCalendar(deadline.NL, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return cal
}

func TestExtend(t *testing.T) {
	ctx := context.Background()
	t.Run("within the first month, once", func(t *testing.T) {
		f := newWorkflowFixture(t)
		c := f.file(t, "utrecht")
		if _, err := f.svc.Extend(ctx, f.owner, c.Reference, " "); apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("empty reason: %v", err)
		}
		c, err := f.svc.Extend(ctx, f.owner, c.Reference, "Veel dossiers te doorzoeken")
		if err != nil {
			t.Fatal(err)
		}
		if !c.Extended || c.Deadlines.Due != c.Deadlines.ExtendedDue || c.Deadlines.Due.String() != "2027-02-25" {
			t.Fatalf("extended %v due %s", c.Extended, c.Deadlines.Due)
		}
		if got := strings.Join(f.letters.sent, ","); got != "ack,extension" {
			t.Fatalf("mails %s", got)
		}
		_, err = f.svc.Extend(ctx, f.owner, c.Reference, "nogmaals")
		wantCode(t, err, apperr.Conflict)
	})
	t.Run("after the first month", func(t *testing.T) {
		f := newWorkflowFixture(t)
		c := f.file(t, "utrecht")
		f.clock.Set(time.Date(2026, 12, 29, 9, 0, 0, 0, time.UTC)) // the day after the due date
		_, err := f.svc.Extend(ctx, f.owner, c.Reference, "te laat")
		wantCode(t, err, apperr.Conflict)
	})
	t.Run("on the last day of the first month", func(t *testing.T) {
		f := newWorkflowFixture(t)
		c := f.file(t, "utrecht")
		f.clock.Set(time.Date(2026, 12, 28, 20, 0, 0, 0, time.UTC)) // 21:00 in Amsterdam on the due date
		if _, err := f.svc.Extend(ctx, f.owner, c.Reference, "net op tijd"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestDecide(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		d    casework.Decision
		code apperr.Code
	}{
		{"granted with reasons", casework.Decision{Outcome: casework.Granted, Reasons: "Kopie via de beveiligde link."}, ""},
		{"granted without reasons", casework.Decision{Outcome: casework.Granted}, apperr.Invalid},
		{"refused without ground", casework.Decision{Outcome: casework.Refused, Reasons: "Nee."}, apperr.Invalid},
		{"refused with ground", casework.Decision{Outcome: casework.Refused, Ground: casework.GroundIdentity, Reasons: "Niet vastgesteld."}, ""},
		{"partial with ground", casework.Decision{Outcome: casework.PartiallyGranted, Ground: casework.GroundOthers, Reasons: "Deels."}, ""},
		{"partial on a ground access does not allow", casework.Decision{Outcome: casework.PartiallyGranted, Ground: casework.GroundRetention,
			Statute: "art. 52 AWR", Until: "2033-12-31", Reasons: "Deels."}, apperr.Invalid},
		{"withdrawn by e-mail", casework.Decision{Outcome: casework.Withdrawn, WithdrawnHow: "email", Reasons: "Per e-mail ingetrokken."}, ""},
		{"withdrawn without how", casework.Decision{Outcome: casework.Withdrawn, Reasons: "Ingetrokken."}, apperr.Invalid},
		{"granted with a ground", casework.Decision{Outcome: casework.Granted, Ground: casework.GroundOther, Reasons: "Ja."}, apperr.Invalid},
		{"unknown outcome", casework.Decision{Outcome: "maybe", Reasons: "?"}, apperr.Invalid},
		{"unknown ground", casework.Decision{Outcome: casework.Refused, Ground: "whim", Reasons: "?"}, apperr.Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newWorkflowFixture(t)
			c := f.file(t, "utrecht")
			got, err := f.svc.Decide(ctx, f.owner, c.Reference, tc.d)
			if tc.code != "" {
				wantCode(t, err, tc.code)
				if got, _ := f.svc.Case(ctx, f.owner, c.Reference); got.Status == casework.Completed {
					t.Fatal("a refused decision completed the case")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != casework.Completed || got.Outcome != tc.d.Outcome {
				t.Fatalf("status %s outcome %s", got.Status, got.Outcome)
			}
			_, err = f.svc.Decide(ctx, f.owner, c.Reference, tc.d)
			wantCode(t, err, apperr.Conflict)
			_, err = f.svc.Move(ctx, f.owner, c.Reference, casework.InProgress)
			wantCode(t, err, apperr.Conflict)
			_, visible, err := f.svc.Track(ctx, strings.TrimPrefix(lastLink(t, f), "https://avg.example/volg/"), "192.0.2.1")
			if err != nil {
				t.Fatal(err)
			}
			if len(visible) != 1 || visible[0].Kind != casework.EventDecided {
				t.Fatalf("requester sees %+v", visible)
			}
			// The requester's identity was never verified: a refusal's
			// ground and reasons are held back (DOMAIN.md §8).
			if got := visible[0]; tc.d.Outcome.Refuses() {
				if got.Text != "" || got.Data["ground"] != "" || got.Data["withheld"] != "true" || got.Data["outcome"] != string(tc.d.Outcome) {
					t.Fatalf("unconfirmed requester sees the refusal's details: %+v", got)
				}
			} else if got.Text != tc.d.Reasons {
				t.Fatalf("requester sees %+v", got)
			}
		})
	}
}

// lastLink returns the tracking link of the newest queued mail.
func lastLink(tb testing.TB, f *workflowFixture) string {
	tb.Helper()
	due, err := f.store.Due(context.Background(), f.clock.Now().Add(time.Hour), 100)
	if err != nil || len(due) == 0 {
		tb.Fatalf("outbox: %v (%d)", err, len(due))
	}
	return due[len(due)-1].Message.Text
}

func TestMessagesNotesAndAssignment(t *testing.T) {
	ctx := context.Background()
	f := newWorkflowFixture(t)
	c := f.file(t, "utrecht")
	if _, err := f.svc.AddNote(ctx, f.owner, c.Reference, "Intern: dossier bij hulpverlener opvragen"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SendMessage(ctx, f.owner, c.Reference, "Wij hebben uw verzoek in behandeling."); err != nil {
		t.Fatal(err)
	}
	_, visible, err := f.svc.Track(ctx, strings.TrimPrefix(lastLink(t, f), "https://avg.example/volg/"), "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if len(visible) != 1 || visible[0].Text != "Wij hebben uw verzoek in behandeling." {
		t.Fatalf("requester sees %+v (notes must stay internal)", visible)
	}

	officer, err := f.store.AddMember(ctx, staff.NewMember{Email: "a@example.org", Name: "Officer Amsterdam", Role: staff.Officer, Branches: []string{"amsterdam"}}, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Assign(ctx, f.owner, c.Reference, officer.ID)
	wantCode(t, err, apperr.Invalid) // an Amsterdam officer cannot take a Utrecht case
	amsterdam := casework.Actor{ID: officer.ID, Scope: officer.Scope()}
	_, err = f.svc.AddNote(ctx, amsterdam, c.Reference, "mag niet")
	wantCode(t, err, apperr.NotFound)

	utrecht, err := f.store.AddMember(ctx, staff.NewMember{Email: "u@example.org", Name: "Officer Utrecht", Role: staff.Officer, Branches: []string{"utrecht"}}, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.Assign(ctx, f.owner, c.Reference, utrecht.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Assignee != "u@example.org" || got.AssigneeID != utrecht.ID {
		t.Fatalf("assignee %q %d", got.Assignee, got.AssigneeID)
	}
	got, err = f.svc.Assign(ctx, f.owner, c.Reference, 0)
	if err != nil || got.Assignee != "" || got.AssigneeID != 0 {
		t.Fatalf("unassign: %v %q", err, got.Assignee)
	}
}

func TestCorrect(t *testing.T) {
	ctx := context.Background()
	f := newWorkflowFixture(t)
	c := f.file(t, "utrecht")
	var sub casework.Submission
	sub.Type = casework.Access
	sub.Requester = casework.Requester{Name: "Test Ouder", Email: "ander@example.org", Relation: casework.Parent}
	sub.Subject.Name, sub.Subject.BirthDate = "Test Kind", "2013-05-01"
	sub.Branch = "utrecht"
	letter := time.Date(2026, 10, 20, 12, 0, 0, 0, time.UTC)
	got, err := f.svc.Correct(ctx, f.owner, c.Reference, casework.Correction{Submission: sub, ReceivedAt: letter, Channel: casework.Post})
	if err != nil {
		t.Fatal(err)
	}
	if got.Deadlines.Due.String() != "2026-11-20" || got.Requester.Email != "ander@example.org" || got.EmailConfirmedAt != nil {
		t.Fatalf("after correction: due %s email %s", got.Deadlines.Due, got.Requester.Email)
	}
	_, events, err := f.svc.Timeline(ctx, f.owner, c.Reference)
	if err != nil {
		t.Fatal(err)
	}
	last := events[len(events)-1]
	if last.Kind != casework.EventCorrected || last.Data["fields"] != "requester.email received_at channel" {
		t.Fatalf("event %+v", last)
	}
	if strings.Contains(last.Data["fields"], "ander@") {
		t.Fatal("event data holds personal data")
	}
	_, err = f.svc.Correct(ctx, f.owner, c.Reference, casework.Correction{Submission: sub, ReceivedAt: letter, Channel: casework.Post})
	wantCode(t, err, apperr.Conflict) // nothing changed
	_, err = f.svc.Correct(ctx, f.owner, c.Reference, casework.Correction{Submission: sub, ReceivedAt: f.clock.Now().Add(time.Hour), Channel: casework.Post})
	wantCode(t, err, apperr.Invalid)
}

// A completed case keeps its personal data for the retention period, then
// only its reference, type, dates and outcome remain (SECURITY.md item 12).
func TestRetireAnonymisesClosedCases(t *testing.T) {
	ctx := context.Background()
	f := newWorkflowFixture(t)
	done := f.file(t, "utrecht")
	open := f.file(t, "utrecht")
	if _, err := f.svc.SendMessage(ctx, f.owner, done.Reference, "Uw dossier staat klaar."); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Decide(ctx, f.owner, done.Reference, casework.Decision{Outcome: casework.Withdrawn, WithdrawnHow: "phone",
		Reasons: "Ingetrokken door Test Ouder.", Letter: "Geachte Test Ouder,"}); err != nil {
		t.Fatal(err)
	}
	if l, ok, err := f.store.CaseLetter(ctx, done.ID); err != nil || !ok || l.Body != "Geachte Test Ouder," {
		t.Fatalf("the decision letter as sent: %+v, %v, %v", l, ok, err)
	}
	link := lastLink(t, f)
	f.clock.Advance(729 * 24 * time.Hour)
	if n, err := f.svc.Retire(ctx); err != nil || n != 0 {
		t.Fatalf("before two years: %d anonymised, %v", n, err)
	}
	f.clock.Advance(2 * 24 * time.Hour)
	if n, err := f.svc.Retire(ctx); err != nil || n != 1 {
		t.Fatalf("after two years: %d anonymised, %v", n, err)
	}
	c, events, err := f.svc.Timeline(ctx, f.owner, done.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if c.Requester.Name != "" || c.Requester.Email != "" || c.Subject.Name != "" || c.Details != "" ||
		c.Outcome != casework.Withdrawn || c.Type != done.Type || !c.ReceivedOn.Equal(done.ReceivedOn) {
		t.Fatalf("after anonymising: %+v", c)
	}
	for _, e := range events {
		if e.Text != "" {
			t.Fatalf("event %s kept its text %q", e.Kind, e.Text)
		}
	}
	if l, ok, err := f.store.CaseLetter(ctx, done.ID); err != nil || ok {
		t.Fatalf("the decision letter outlives the anonymisation: %+v, %v", l, err)
	}
	if _, _, err := f.svc.Track(ctx, strings.TrimPrefix(link, "https://avg.example/volg/"), "192.0.2.1"); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("the tracking link still works: %v", err)
	}
	if page, err := f.svc.List(ctx, casework.Query{Text: "Test Ouder"}, casework.Scope{All: true}); err != nil || len(page.Cases) != 1 || page.Cases[0].Reference != open.Reference {
		t.Fatalf("name search finds %+v, %v; want only the open case", page.Cases, err)
	}
	if n, err := f.svc.Retire(ctx); err != nil || n != 0 {
		t.Fatalf("a second run: %d, %v", n, err)
	}
}

// A refusal, whole or partial, decided after the deadline in force is
// flagged as late in the decided event (art. 12(4)); the deadline is the
// extended one when extended, and identity pauses push it on. The case is
// received on 25 November 2026: due 28 December, or 25 February 2027 when
// extended.
func TestDecideLate(t *testing.T) {
	ctx := context.Background()
	refusal := casework.Decision{Outcome: casework.Refused, Ground: casework.GroundOthers, Reasons: "Het dossier gaat ook over anderen."}
	partial := refusal
	partial.Outcome = casework.PartiallyGranted
	granted := casework.Decision{Outcome: casework.Granted, Reasons: "Kopie via de beveiligde link."}
	amsterdam := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name     string
		extend   bool
		pauseFor int // days a question waits for its answer, from the day of receipt
		on       time.Time
		d        casework.Decision
		late     bool
	}{
		{"refused on the due date", false, 0, amsterdam(2026, 12, 28), refusal, false},
		{"refused the day after", false, 0, amsterdam(2026, 12, 29), refusal, true},
		{"partly refused the day after", false, 0, amsterdam(2026, 12, 29), partial, true},
		{"granted the day after", false, 0, amsterdam(2026, 12, 29), granted, false},
		{"extended, refused after the first month", true, 0, amsterdam(2027, 1, 20), refusal, false},
		{"extended, refused on the extended date", true, 0, amsterdam(2027, 2, 25), refusal, false},
		{"extended, refused after the extended date", true, 0, amsterdam(2027, 2, 26), refusal, true},
		{"refused after the month, the pause added", false, 6, amsterdam(2026, 12, 31), refusal, false},
		{"refused after the month and the pause", false, 6, amsterdam(2027, 1, 5), refusal, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newWorkflowFixture(t)
			c := f.file(t, "utrecht")
			if tc.extend {
				if _, err := f.svc.Extend(ctx, f.owner, c.Reference, "Omvangrijk dossier."); err != nil {
					t.Fatal(err)
				}
			}
			if tc.pauseFor > 0 {
				// A question sent and answered, as package identity does it.
				step := func(fn func(*casework.Case, casework.Env)) {
					if _, err := f.svc.Apply(ctx, f.owner, c.Reference, func(c *casework.Case, env casework.Env) (casework.Change, error) {
						fn(c, env)
						return casework.Change{}, nil
					}); err != nil {
						t.Fatal(err)
					}
				}
				step(casework.Pause)
				f.clock.Advance(time.Duration(tc.pauseFor) * 24 * time.Hour)
				step(casework.Resume)
			}
			f.clock.Set(tc.on)
			if _, err := f.svc.Decide(ctx, f.owner, c.Reference, tc.d); err != nil {
				t.Fatal(err)
			}
			_, events, err := f.svc.Timeline(ctx, f.owner, c.Reference)
			if err != nil {
				t.Fatal(err)
			}
			decided := events[len(events)-1]
			if decided.Kind != casework.EventDecided || decided.DecidedLate() != tc.late {
				t.Fatalf("decided event %+v: late %v, want %v", decided, decided.DecidedLate(), tc.late)
			}
		})
	}
}

// The requester reads a refusal's ground, detail, statute and reasons only
// once their identity is verified and their address confirmed; staff
// always read everything.
func TestTrackRefusalOnceConfirmed(t *testing.T) {
	ctx := context.Background()
	d := casework.Decision{Outcome: casework.Refused, Ground: casework.GroundStatutory, Detail: "i",
		Reasons: "Het dossier bevat gegevens over een ander kind."}
	for _, tc := range []struct {
		name     string
		verified bool
		shown    bool
	}{
		{"identity not verified", false, false},
		{"identity verified", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newWorkflowFixture(t)
			c := f.file(t, "utrecht")
			if tc.verified {
				_, err := f.svc.Apply(ctx, f.owner, c.Reference, func(c *casework.Case, env casework.Env) (casework.Change, error) {
					now := f.clock.Now()
					c.Identity = casework.Identity{Status: casework.IdentityVerified, Method: "email_on_file", VerifiedAt: &now}
					return casework.Change{Events: []casework.Event{{Kind: casework.EventIdentity, Data: map[string]string{"outcome": "verified"}}}}, nil
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			if _, err := f.svc.Decide(ctx, f.owner, c.Reference, d); err != nil {
				t.Fatal(err)
			}
			k, visible, err := f.svc.Track(ctx, strings.TrimPrefix(lastLink(t, f), "https://avg.example/volg/"), "192.0.2.1")
			if err != nil {
				t.Fatal(err)
			}
			if k.EmailConfirmedAt == nil {
				t.Fatal("following the link did not confirm the address")
			}
			got := visible[len(visible)-1]
			shown := got.Text == d.Reasons && got.Data["ground"] == string(d.Ground) && got.Data["detail"] == "i"
			withheld := got.Text == "" && got.Data["ground"] == "" && got.Data["detail"] == "" && got.Data["withheld"] == "true"
			if tc.shown && !shown || !tc.shown && !withheld {
				t.Fatalf("requester sees %+v", got)
			}
			_, events, err := f.svc.Timeline(ctx, f.owner, c.Reference)
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(events, func(e casework.Event) bool { return e.Kind == casework.EventDecided })
			if i < 0 || events[i].Text != d.Reasons || events[i].Data["ground"] != string(d.Ground) {
				t.Fatalf("staff see %+v", events)
			}
		})
	}
}
