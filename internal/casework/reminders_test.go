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
