package store

import (
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/mail"
)

// BenchmarkOutboxRound is the database's part of sending mail: a batch of 50
// due mails taken from the outbox and each marked sent, the way the worker
// did before claims (read them) and does now (claim them). It reports mails
// per second and their ratio to the raw one-row floor measured just before
// and after; each mail costs one durable MarkSent either way, so the ratio
// shows what the claim adds.
func BenchmarkOutboxRound(b *testing.B) {
	const batch = 50
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	takes := map[string]func(s *Store) ([]mail.Queued, error){
		"read": func(s *Store) ([]mail.Queued, error) { return s.Due(b.Context(), t0, batch) },
		"claim": func(s *Store) ([]mail.Queued, error) {
			return s.Claim(b.Context(), "portal-a", t0, t0.Add(mail.ClaimLease), batch)
		},
	}
	for _, name := range []string{"read", "claim"} {
		b.Run(name, func(b *testing.B) {
			before := floor(b)
			env := newTestStore(b)
			mails := 0
			for b.Loop() {
				b.StopTimer()
				queueMails(b, env.s, batch, t0)
				b.StartTimer()
				got, err := takes[name](env.s)
				if err != nil || len(got) != batch {
					b.Fatalf("took %d mails, %v", len(got), err)
				}
				for _, q := range got {
					if err := env.s.MarkSent(b.Context(), q.ID, t0); err != nil {
						b.Fatal(err)
					}
				}
				mails += batch
			}
			rate := float64(mails) / b.Elapsed().Seconds()
			raw := (before + floor(b)) / 2
			b.ReportMetric(rate, "mails/s")
			b.ReportMetric(rate/raw, "x_raw_floor")
		})
	}
}

// BenchmarkJobLease is what running a job under its lease costs beside the
// job itself: TakeLease and FinishLease, two durable writes, against the
// raw one-row floor.
func BenchmarkJobLease(b *testing.B) {
	before := floor(b)
	env := newTestStore(b)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	runs := 0
	for b.Loop() {
		ok, err := env.s.TakeLease(b.Context(), "bench", "portal-a", now, now.Add(time.Minute))
		if err != nil || !ok {
			b.Fatalf("TakeLease = %v, %v", ok, err)
		}
		if ok, err := env.s.FinishLease(b.Context(), "bench", "portal-a", now, "", now); err != nil || !ok {
			b.Fatalf("FinishLease = %v, %v", ok, err)
		}
		runs++
	}
	rate := float64(runs) / b.Elapsed().Seconds()
	raw := (before + floor(b)) / 2
	b.ReportMetric(rate, "runs/s")
	b.ReportMetric(rate/raw, "x_raw_floor")
}
