package casework_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/letters"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/staff"
	"github.com/avgloket/avgloket/ui"
)

func TestDailyReminders(t *testing.T) {
	ctx := context.Background()
	f := newWorkflowFixture(t)
	cat, err := lang.Load(ui.FS)
	if err != nil {
		t.Fatal(err)
	}
	writer, err := letters.New(ui.FS, cat, func() (practice.Settings, error) {
		s := practice.Defaults()
		s.Name = "Praktijk Test"
		return s, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rem := casework.NewReminders(f.store, writer, f.clock, "https://avg.example")
	officer, err := f.store.AddMember(ctx, staff.NewMember{Email: "u@example.org", Name: "Officer Utrecht", Role: staff.Officer, Branches: []string{"utrecht"}}, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}

	// Filed 2026-11-25: due 2026-12-28. A letter of 20 October (due 20
	// November, so late) and one that is done.
	soon := f.file(t, "utrecht")
	var letter casework.Submission
	letter.Type = casework.Erasure
	letter.Requester = casework.Requester{Name: "Test Ouder", Email: "ouder@example.org", Relation: casework.Self}
	letter.Branch = "utrecht"
	late, _, err := f.svc.Submit(ctx, letter, casework.Intake{Channel: casework.Post, ReceivedAt: time.Date(2026, 10, 20, 9, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	done := f.file(t, "utrecht")
	for _, ref := range []string{soon.Reference, late.Reference, done.Reference} {
		if _, err := f.svc.Assign(ctx, f.owner, ref, officer.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.Decide(ctx, f.owner, done.Reference, casework.Decision{Outcome: casework.Granted, Reasons: "Gedaan."}); err != nil {
		t.Fatal(err)
	}
	queued := func() int {
		due, err := f.store.Due(ctx, f.clock.Now().Add(time.Hour), 1000)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, m := range due {
			if strings.HasPrefix(m.Message.Subject, "Herinnering") {
				n++
			}
		}
		return n
	}

	// 2026-12-21 05:30 UTC is 06:30 in Amsterdam: too early.
	f.clock.Set(time.Date(2026, 12, 21, 5, 30, 0, 0, time.UTC))
	if n, err := rem.RunDue(ctx); err != nil || n != 0 {
		t.Fatalf("before 07:00: %d mails, err %v", n, err)
	}
	f.clock.Set(time.Date(2026, 12, 21, 6, 30, 0, 0, time.UTC)) // 07:30
	if n, err := rem.RunDue(ctx); err != nil || n != 1 {
		t.Fatalf("at 07:30: %d mails, err %v", n, err)
	}
	due, err := f.store.Due(ctx, f.clock.Now().Add(time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	m := due[len(due)-1].Message
	if m.To != "u@example.org" {
		t.Fatalf("reminder to %q", m.To)
	}
	// 28 December is four working days after Monday 21 December (Christmas
	// and Boxing Day do not count), inside the five-day window.
	for _, want := range []string{soon.Reference, late.Reference, "te laat", "nog 4 werkdagen", "/staff/cases?mine=1"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("reminder lacks %q:\n%s", want, m.Text)
		}
	}
	for _, never := range []string{done.Reference, "Test Kind", "Test Ouder"} {
		if strings.Contains(m.Text, never) {
			t.Errorf("reminder holds %q:\n%s", never, m.Text)
		}
	}
	if n, err := rem.RunDue(ctx); err != nil || n != 0 {
		t.Fatalf("second run on the same day: %d mails, err %v", n, err)
	}
	if got := queued(); got != 1 {
		t.Fatalf("%d reminders queued, want 1", got)
	}
	f.clock.Advance(24 * time.Hour)
	if n, err := rem.RunDue(ctx); err != nil || n != 1 {
		t.Fatalf("next day: %d mails, err %v", n, err)
	}
}

// A decided erasure is no longer due, but a destruction it promised is:
// the assignee's reminder names it once its day is within five working
// days or past, until it is confirmed.
func TestReminderNamesPromisedDestruction(t *testing.T) {
	ctx := context.Background()
	f := newWorkflowFixture(t)
	cat, err := lang.Load(ui.FS)
	if err != nil {
		t.Fatal(err)
	}
	writer, err := letters.New(ui.FS, cat, func() (practice.Settings, error) { return practice.Defaults(), nil })
	if err != nil {
		t.Fatal(err)
	}
	rem := casework.NewReminders(f.store, writer, f.clock, "https://avg.example")
	officer, err := f.store.AddMember(ctx, staff.NewMember{Email: "u@example.org", Name: "Officer Utrecht", Role: staff.Officer, Branches: []string{"utrecht"}}, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	var sub casework.Submission
	sub.Type = casework.Erasure
	sub.Requester = casework.Requester{Name: "Test Verzoeker", Email: "verzoeker@example.org", Relation: casework.Self}
	sub.Branch = "utrecht"
	c, _, err := f.svc.Submit(ctx, sub, casework.Intake{Channel: casework.Web}) // received Wednesday 2026-11-25
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Assign(ctx, f.owner, c.Reference, officer.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ChooseActivities(ctx, f.owner, c.Reference, []string{"client-file"}, []string{"client-file"}); err != nil {
		t.Fatal(err)
	}
	promise := casework.ErasureItem{Activity: "client-file", Action: casework.ErasureScheduled, Due: "2027-02-15", System: "cliëntdossier"}
	if _, err := f.svc.Apply(ctx, f.owner, c.Reference, casework.SaveErasure([]casework.ErasureItem{promise})); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Decide(ctx, f.owner, c.Reference, casework.Decision{Outcome: casework.Granted, Reasons: "Wij vernietigen uw dossier."}); err != nil {
		t.Fatal(err)
	}
	reminder := func() string {
		t.Helper()
		n, err := rem.RunDue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return ""
		}
		due, err := f.store.Due(ctx, f.clock.Now().Add(time.Hour), 1000)
		if err != nil {
			t.Fatal(err)
		}
		return due[len(due)-1].Message.Text
	}
	// Monday 4 January 2027, past the answer's deadline (28 December): the
	// decided case is not late, and the destruction is six weeks off.
	f.clock.Set(time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC))
	if text := reminder(); text != "" {
		t.Fatalf("a reminder six weeks before the destruction:\n%s", text)
	}
	// Monday 8 February: 15 February is five working days ahead.
	f.clock.Set(time.Date(2027, 2, 8, 8, 0, 0, 0, time.UTC))
	text := reminder()
	for _, want := range []string{c.Reference, "vernietiging bevestigen vóór maandag 15 februari 2027", "nog 5 werkdagen"} {
		if !strings.Contains(text, want) {
			t.Errorf("reminder lacks %q:\n%s", want, text)
		}
	}
	// Past the day it says how late; once confirmed it is gone.
	f.clock.Set(time.Date(2027, 2, 17, 8, 0, 0, 0, time.UTC))
	if text := reminder(); !strings.Contains(text, "2 dagen te laat") {
		t.Errorf("late destruction:\n%s", text)
	}
	if _, err := f.svc.ConfirmDestruction(ctx, f.owner, c.Reference, "client-file", "2027-02-17", ""); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(time.Date(2027, 2, 18, 8, 0, 0, 0, time.UTC))
	if text := reminder(); text != "" {
		t.Errorf("a reminder after the confirmation:\n%s", text)
	}
}
