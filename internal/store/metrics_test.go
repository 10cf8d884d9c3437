package store

import (
	"reflect"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/metrics"
)

// TestMetricsGauges reads the gauges of an empty register, then after cases,
// mails and breaches in every state the gauges tell apart.
func TestMetricsGauges(t *testing.T) {
	env := newBreachEnv(t)
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	got, err := env.s.MetricsGauges(t.Context(), now)
	if err != nil {
		t.Fatalf("MetricsGauges: %v", err)
	}
	want := metrics.Gauges{OpenCases: map[string]int64{"received": 0, "awaiting_identity": 0, "in_progress": 0}}
	assertGauges(t, "empty", got, want)

	// Received on 1 October: due on 2 November, overdue. The others are
	// due in the new year.
	mustCreate(t, env.s, newCase(t, caseSpec{received: deadline.Date{Year: 2026, Month: time.October, Day: 1}}), nil)
	second := mustCreate(t, env.s, newCase(t, caseSpec{received: deadline.Date{Year: 2026, Month: time.December, Day: 1}}), nil)
	waiting := newCase(t, caseSpec{received: deadline.Date{Year: 2026, Month: time.December, Day: 2}})
	waiting.Status = casework.AwaitingIdentity
	mustCreate(t, env.s, waiting, nil)

	// Three acknowledgements: the oldest is sent, the next fails once and
	// is the oldest one waiting.
	due, err := env.s.Claim(t.Context(), "portal-1", now, now.Add(time.Minute), 10)
	if err != nil || len(due) != 3 {
		t.Fatalf("Claim = %d mails, %v", len(due), err)
	}
	if err := env.s.MarkSent(t.Context(), due[0].ID, now); err != nil {
		t.Fatal(err)
	}
	if err := env.s.MarkFailed(t.Context(), "portal-1", due[1].ID, 1, now.Add(time.Minute), "relay down"); err != nil {
		t.Fatal(err)
	}

	// Breaches: one open within its 72 hours, one open past them, one
	// decided not to notify (closed, however old).
	env.create(t, laptop("utrecht", now.Add(-10*time.Hour)))
	env.create(t, laptop("amsterdam", now.Add(-100*time.Hour)))
	closed := env.create(t, laptop("utrecht", now.Add(-200*time.Hour)))
	if _, err := env.s.UpdateBreach(t.Context(), closed.Reference, env.owner, "decision", now, func(r *breach.Record) error {
		r.Assessment = &breach.Assessment{DPC: 1, EI: 0.25, Confidentiality: breach.None, Integrity: breach.None, Availability: breach.None}
		r.Decision = &breach.Decision{NotifyAP: false, InformPeople: breach.InformNo, Reason: "Versleutelde schijf", DecidedAt: now}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	got, err = env.s.MetricsGauges(t.Context(), now)
	if err != nil {
		t.Fatalf("MetricsGauges: %v", err)
	}
	want = metrics.Gauges{OpenCases: map[string]int64{"received": 2, "awaiting_identity": 1, "in_progress": 0},
		OverdueCases: 1, QueuedMails: 2, FailingMails: 1, OldestQueued: second.CreatedAt,
		OpenBreaches: 2, LateBreaches: 1}
	assertGauges(t, "after activity", got, want)
}

func assertGauges(tb testing.TB, when string, got, want metrics.Gauges) {
	tb.Helper()
	if !got.OldestQueued.Equal(want.OldestQueued) {
		tb.Errorf("%s: oldest queued %v, want %v", when, got.OldestQueued, want.OldestQueued)
	}
	got.OldestQueued, want.OldestQueued = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		tb.Errorf("%s: gauges %+v, want %+v", when, got, want)
	}
}
