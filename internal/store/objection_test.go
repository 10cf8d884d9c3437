package store

import (
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/register"
)

// TestObjectionAndMarketingStops: an objection to direct marketing comes
// back with its case and marks the activity for that person at once; a
// second save replaces the case's stops and no other person's; a lookup by
// address finds only that person; an objection on other grounds marks
// nothing; anonymising the case removes the record, not the stop.
func TestObjectionAndMarketingStops(t *testing.T) {
	env := newTestStore(t)
	s := env.s
	ctx := t.Context()
	for _, a := range register.Template(practice.Netherlands) {
		if _, err := s.AddActivity(ctx, a, audit.Entry{At: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC), Actor: audit.System}); err != nil {
			t.Fatal(err)
		}
	}
	actor := casework.Actor{Scope: casework.Scope{All: true}}
	save := func(c casework.Case, o casework.ObjectionRecord) casework.Case {
		t.Helper()
		got, err := s.UpdateCase(ctx, c.Reference, actor, func(*casework.Case) (casework.Change, error) {
			return casework.Change{Objection: &o}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	newsletter := casework.ObjectedActivity{Key: "newsletter", Name: "Nieuwsbrief", DirectMarketing: true}
	contact := casework.ObjectedActivity{Key: "contact-form", Name: "Contactformulier", Objectable: true}
	stop := func(c casework.Case, acts ...casework.ObjectedActivity) casework.ObjectionRecord {
		return casework.ObjectionRecord{Activities: acts, Outcome: casework.ObjectionStopped, DirectMarketing: true, From: c.ReceivedOn,
			RequesterGrounds: "Geen nieuwsbrief meer."}
	}

	ilse := mustCreate(t, s, newCase(t, caseSpec{name: "Ilse Brouwer", email: "ilse@example.org"}), ackMail)
	bram := mustCreate(t, s, newCase(t, caseSpec{name: "Bram Kok", email: "bram@example.org"}), ackMail)
	got := save(ilse, stop(ilse, newsletter, contact))
	if got.Objection == nil || got.Objection.RequesterGrounds != "Geen nieuwsbrief meer." || got.Objection.From != ilse.ReceivedOn ||
		len(got.Objection.Activities) != 2 || got.Objection.Activities[0] != newsletter {
		t.Fatalf("objection reads back as %+v", got.Objection)
	}
	save(bram, stop(bram, newsletter))
	stops, err := s.ActivityStops(ctx, "newsletter", "")
	if err != nil || len(stops) != 2 {
		t.Fatalf("stops %+v, %v; want both people", stops, err)
	}
	if mine, err := s.ActivityStops(ctx, "newsletter", " ILSE@example.org"); err != nil || len(mine) != 1 ||
		mine[0].Name != "Ilse Brouwer" || mine[0].Case != ilse.Reference || mine[0].From != ilse.ReceivedOn {
		t.Errorf("stops for Ilse %+v, %v", mine, err)
	}

	// Saved again on other grounds: Ilse's stops go, Bram's stays.
	save(ilse, casework.ObjectionRecord{Activities: []casework.ObjectedActivity{contact}, Outcome: casework.ObjectionContinued,
		RequesterGrounds: "Mijn situatie.", PracticeGrounds: "Dringende redenen."})
	for key, want := range map[string]int{"newsletter": 1, "contact-form": 0} {
		if stops, err := s.ActivityStops(ctx, key, ""); err != nil || len(stops) != want {
			t.Errorf("%s: stops %+v, %v; want %d", key, stops, err, want)
		}
	}
	back, err := s.CaseByReference(ctx, ilse.Reference, casework.Scope{All: true})
	if err != nil || back.Objection == nil || back.Objection.PracticeGrounds != "Dringende redenen." || back.Objection.DirectMarketing {
		t.Errorf("read back %+v, %v", back.Objection, err)
	}

	// Anonymised in time: the grounds go, the stop that Bram asked for stays.
	done := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	if _, err := s.UpdateCase(ctx, bram.Reference, actor, func(k *casework.Case) (casework.Change, error) {
		k.Status, k.Outcome, k.UpdatedAt = casework.Completed, casework.Granted, done
		return casework.Change{}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AnonymiseClosedCases(ctx, done.AddDate(1, 0, 0), done.AddDate(1, 0, 0)); err != nil {
		t.Fatal(err)
	}
	if back, err := s.CaseByReference(ctx, bram.Reference, casework.Scope{All: true}); err != nil || back.Objection != nil {
		t.Errorf("the anonymised case keeps its objection %+v, %v", back.Objection, err)
	}
	if stops, err := s.ActivityStops(ctx, "newsletter", "bram@example.org"); err != nil || len(stops) != 1 || stops[0].Name != "Bram Kok" {
		t.Errorf("after anonymising the case the stop is %+v, %v", stops, err)
	}
}
