package identity_test

import (
	"context"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/representation"
)

const day = 24 * time.Hour

func nl(tb testing.TB) deadline.Calendar {
	tb.Helper()
	cal, err := deadline.NewCalendar(deadline.NL, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return cal
}

func (f *fixture) ask(tb testing.TB, ref string) casework.Case {
	tb.Helper()
	c, err := f.id.Ask(context.Background(), f.owner, ref, representation.MethodEmailOnFile, "", "Klopt uw adres nog?")
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// The clock of DOMAIN.md §8: it stops on the day a question is sent and runs
// again on the day it is answered or withdrawn; nothing else moves it. The
// fixture receives its requests on Wednesday 25 November 2026, due Monday
// 28 December.
func TestPauseRunsOnlyWhileAQuestionIsOpen(t *testing.T) {
	ctx := context.Background()

	t.Run("a question on day 5 answered on day 12 adds exactly 7 days", func(t *testing.T) {
		f := newFixture(t)
		c := f.file(t, "2013-05-01")
		f.clock.Advance(5 * day)
		c = f.ask(t, c.Reference)
		if !c.Paused() || c.PausedSince.String() != "2026-11-30" || c.Status != casework.AwaitingIdentity {
			t.Fatalf("after the question: paused since %v, status %s", c.PausedSince, c.Status)
		}
		// A status change while the question is open leaves the pause alone.
		f.clock.Advance(2 * day)
		if c, _ = f.cases.Move(ctx, f.owner, c.Reference, casework.InProgress); !c.Paused() || c.PauseDays != 0 {
			t.Fatalf("a status change ended the pause: paused %v, %d days", c.Paused(), c.PauseDays)
		}
		if c.Overdue(deadline.Date{Year: 2027, Month: 6, Day: 1}) {
			t.Fatal("a paused case counts as overdue")
		}
		f.clock.Advance(5 * day)
		c, err := f.id.Answer(ctx, f.token(), "192.0.2.9", "Ja, dat klopt.", nil)
		if err != nil {
			t.Fatal(err)
		}
		want := deadline.Compute(nl(t), c.ReceivedOn, 7, false)
		if c.Paused() || c.PauseDays != 7 || c.Deadlines != want {
			t.Fatalf("after the answer: paused %v, %d pause days, deadlines %+v, want %+v", c.Paused(), c.PauseDays, c.Deadlines, want)
		}
		if c.Deadlines.Due.String() != "2027-01-04" { // 25 Dec + 7 = Fri 1 Jan (New Year) → Mon 4 Jan
			t.Fatalf("due %s", c.Deadlines.Due)
		}
	})

	t.Run("a status change alone leaves the due date unchanged", func(t *testing.T) {
		f := newFixture(t)
		c := f.file(t, "2013-05-01")
		f.clock.Advance(3 * day)
		c, err := f.cases.Move(ctx, f.owner, c.Reference, casework.AwaitingIdentity)
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(9 * day)
		c, err = f.cases.Move(ctx, f.owner, c.Reference, casework.InProgress)
		if err != nil {
			t.Fatal(err)
		}
		if c.Paused() || c.PauseDays != 0 || c.Deadlines.Due.String() != "2026-12-28" {
			t.Fatalf("paused %v, %d pause days, due %s", c.Paused(), c.PauseDays, c.Deadlines.Due)
		}
	})

	t.Run("a question on day 11 is flagged, one on day 10 is not", func(t *testing.T) {
		for _, tc := range []struct {
			days int
			late bool
		}{{10, false}, {11, true}} {
			f := newFixture(t)
			c := f.file(t, "2013-05-01")
			f.clock.Advance(time.Duration(tc.days) * day)
			c = f.ask(t, c.Reference)
			_, events, err := f.cases.Timeline(ctx, f.owner, c.Reference)
			if err != nil {
				t.Fatal(err)
			}
			flagged := false
			for _, e := range events {
				if e.Kind == casework.EventInfoRequested {
					flagged = e.Data["late"] == "1"
				}
			}
			v, err := f.id.View(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			if flagged != tc.late || v.LateQuestion != tc.late {
				t.Errorf("question on day %d: timeline flag %v, view flag %v, want %v", tc.days, flagged, v.LateQuestion, tc.late)
			}
		}
	})

	t.Run("staff withdraw the question with a reason: the days so far are added", func(t *testing.T) {
		f := newFixture(t)
		c := f.file(t, "2013-05-01")
		if _, err := f.id.Withdraw(ctx, f.owner, c.Reference, "Niet meer nodig."); apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("withdrawing with no question open: %v", err)
		}
		f.clock.Advance(2 * day)
		c = f.ask(t, c.Reference)
		f.clock.Advance(3 * day)
		if _, err := f.id.Withdraw(ctx, f.owner, c.Reference, "  "); apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("withdrawing without a reason: %v", err)
		}
		c, err := f.id.Withdraw(ctx, f.owner, c.Reference, "De counsellor kent de ouder; de vraag is niet meer nodig.")
		if err != nil {
			t.Fatal(err)
		}
		if c.Paused() || c.PauseDays != 3 || c.Status != casework.InProgress {
			t.Fatalf("after withdrawal: paused %v, %d pause days, status %s", c.Paused(), c.PauseDays, c.Status)
		}
		if _, err := f.id.Answer(ctx, f.token(), "192.0.2.9", "Te laat", nil); apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("answering a withdrawn question: %v", err)
		}
		qs, err := f.store.InfoRequests(ctx, c.ID)
		if err != nil || len(qs) != 1 || qs[0].WithdrawnAt == nil || qs[0].Open() {
			t.Fatalf("questions %+v %v", qs, err)
		}
	})

	t.Run("the extension stays possible while paused, counting the pause", func(t *testing.T) {
		f := newFixture(t)
		c := f.file(t, "2013-05-01")
		f.clock.Advance(20 * day) // 15 December
		c = f.ask(t, c.Reference)
		f.clock.Advance(15 * day) // 30 December: past 28 December, within it moved by 15 days
		if why := c.ExtensionBlock(nl(t), deadline.Date{Year: 2026, Month: 12, Day: 30}); why != "" {
			t.Fatalf("extension blocked while paused: %s", why)
		}
		c, err := f.cases.Extend(ctx, f.owner, c.Reference, "Het dossier is omvangrijk.")
		if err != nil {
			t.Fatal(err)
		}
		if !c.Extended || !c.Paused() {
			t.Fatalf("extended %v paused %v", c.Extended, c.Paused())
		}
		f.clock.Advance(day)
		c, err = f.id.Answer(ctx, f.token(), "192.0.2.9", "Ja.", nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := deadline.Compute(nl(t), c.ReceivedOn, 16, true); c.PauseDays != 16 || c.Deadlines != want {
			t.Fatalf("deadlines %+v (%d days), want %+v", c.Deadlines, c.PauseDays, want)
		}
	})

	t.Run("without a pause the same day is too late", func(t *testing.T) {
		f := newFixture(t)
		c := f.file(t, "2013-05-01")
		f.clock.Advance(35 * day)
		if _, err := f.cases.Extend(ctx, f.owner, c.Reference, "Te laat."); apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("extension after the first month: %v", err)
		}
	})

	t.Run("a practice that does not pause keeps its dates", func(t *testing.T) {
		f := newFixture(t)
		st, err := f.store.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		st.Name, st.Address, st.KvK, st.PrivacyEmail, st.IdentityPause = "Praktijk Test", "Straat 1", "12345678", "privacy@praktijk.example", false
		if err := f.store.SaveSettings(ctx, st, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		c := f.file(t, "2013-05-01")
		f.clock.Advance(2 * day)
		if c = f.ask(t, c.Reference); c.Paused() {
			t.Fatal("paused although the practice does not pause for questions")
		}
	})
}
