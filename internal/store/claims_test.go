package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/clock"
	"github.com/avgloket/avgloket/internal/jobs"
	"github.com/avgloket/avgloket/internal/mail"
)

// markFailed records a failed attempt at mail id as a worker would: under
// its claim on the mail.
func markFailed(tb testing.TB, s *Store, id int64, attempts int, next time.Time, lastErr string) error {
	tb.Helper()
	const holder = "test-worker"
	err := s.writeOne(tb.Context(), func(tx *gorm.DB) *gorm.DB {
		return tx.Model(&outboxRow{}).Where("id = ?", id).Update("claimed_by", holder)
	}).Error
	if err != nil {
		tb.Fatal(err)
	}
	return s.MarkFailed(tb.Context(), holder, id, attempts, next, lastErr)
}

// queueMails puts n mails to invented recipients in the outbox at now.
func queueMails(tb testing.TB, s *Store, n int, now time.Time) {
	tb.Helper()
	msgs := make([]mail.Message, n)
	for i := range msgs {
		msgs[i] = mail.Message{To: fmt.Sprintf("ouder%d@example.nl", i+1), Subject: "Ontvangen", Text: "Uw verzoek is ontvangen."}
	}
	if err := s.write(tb.Context(), func(tx *gorm.DB) error { return s.enqueue(tx, msgs, now) }); err != nil {
		tb.Fatal(err)
	}
}

// claimOf reads who holds mail id's claim ("" for nobody) and whether it
// was sent.
func claimOf(tb testing.TB, s *Store, id int64) (holder string, sent bool) {
	tb.Helper()
	var by *string
	var sentAt *time.Time
	if err := s.db.Raw("SELECT claimed_by, sent_at FROM outbox WHERE id = ?", id).Row().Scan(&by, &sentAt); err != nil {
		tb.Fatal(err)
	}
	if by != nil {
		holder = *by
	}
	return holder, sentAt != nil
}

// Two workers claim from one outbox at once, in batches, and mark what they
// claimed sent, until nothing is left: every mail is claimed by exactly one
// of them. Once through one
// store (the portal's writer), once through two stores on one file (two
// processes on one SQLite database).
func TestOutboxClaimConcurrent(t *testing.T) {
	for _, twoStores := range []bool{false, true} {
		t.Run(fmt.Sprintf("two stores %v", twoStores), func(t *testing.T) {
			env := newTestStore(t)
			t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
			const mails = 300
			queueMails(t, env.s, mails, t0)
			stores := []*Store{env.s, env.s}
			if twoStores {
				stores[1] = openStore(t, env.target, env.keys)
			}
			claimed := make([]map[int64]bool, 2)
			var wg sync.WaitGroup
			errs := make(chan error, 2)
			for i, s := range stores {
				holder := fmt.Sprintf("portal-%d", i)
				claimed[i] = map[int64]bool{}
				wg.Go(func() {
					for {
						got, err := s.Claim(t.Context(), holder, t0, t0.Add(time.Minute), 7)
						if err != nil {
							errs <- err
							return
						}
						if len(got) == 0 {
							return
						}
						for _, q := range got {
							if claimed[i][q.ID] {
								errs <- fmt.Errorf("%s got mail %d twice", holder, q.ID)
								return
							}
							claimed[i][q.ID] = true
							// Sent, as a worker would, so that the next
							// claim takes new mails (a holder's own claims
							// are its to renew).
							if err := s.MarkSent(t.Context(), q.ID, t0); err != nil {
								errs <- err
								return
							}
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			for id := int64(1); id <= mails; id++ {
				a, b := claimed[0][id], claimed[1][id]
				if a == b {
					t.Fatalf("mail %d: claimed by portal-0 %v, portal-1 %v; want exactly one", id, a, b)
				}
				if by, sent := claimOf(t, env.s, id); by != "" || !sent {
					t.Errorf("mail %d: claimed_by %q, sent %v; want sent, no claim", id, by, sent)
				}
			}
			t.Logf("portal-0 claimed %d, portal-1 %d", len(claimed[0]), len(claimed[1]))
		})
	}
}

// A claim keeps other workers off a mail until it runs out; then another
// takes it over. The marks that follow: a failure reported under a claim
// that was taken over changes nothing; the first MarkSent records the
// delivery, a second one keeps it and answers ErrSentTwice.
func TestOutboxClaimExpiry(t *testing.T) {
	env := newTestStore(t)
	s, ctx := env.s, t.Context()
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	queueMails(t, s, 1, t0)
	claim := func(holder string, now time.Time) []mail.Queued {
		t.Helper()
		got, err := s.Claim(ctx, holder, now, now.Add(mail.ClaimLease), 10)
		if err != nil {
			t.Fatalf("Claim: %v", err)
		}
		return got
	}

	if got := claim("portal-a", t0.Add(-time.Second)); len(got) != 0 {
		t.Fatalf("claimed %d mails before they were due", len(got))
	}
	got := claim("portal-a", t0)
	if len(got) != 1 || got[0].Message.To != "ouder1@example.nl" {
		t.Fatalf("portal-a claimed %+v", got)
	}
	id := got[0].ID
	if got := claim("portal-b", t0.Add(mail.ClaimLease-time.Microsecond)); len(got) != 0 {
		t.Fatalf("portal-b claimed %d mails under portal-a's claim", len(got))
	}
	if at, ok, err := s.NextDue(ctx); err != nil || !ok || !at.Equal(t0.Add(mail.ClaimLease)) {
		t.Errorf("NextDue = %v, %v, %v; want when portal-a's claim runs out", at, ok, err)
	}
	// The holder itself may renew its claim before it runs out.
	if got := claim("portal-a", t0.Add(time.Minute)); len(got) != 1 {
		t.Fatalf("portal-a renewed %d claims, want 1", len(got))
	}
	expiry := t0.Add(time.Minute + mail.ClaimLease)
	if got := claim("portal-b", expiry); len(got) != 1 || got[0].ID != id {
		t.Fatalf("after the claim ran out portal-b claimed %+v", got)
	}
	if by, _ := claimOf(t, s, id); by != "portal-b" {
		t.Fatalf("claimed_by = %q after the takeover", by)
	}

	// portal-a's late failure counts for nothing: the mail is portal-b's.
	if err := s.MarkFailed(ctx, "portal-a", id, 1, expiry.Add(time.Hour), "421 timeout"); err != nil {
		t.Fatal(err)
	}
	if q, err := s.Due(ctx, expiry, 10); err != nil || len(q) != 1 || q[0].Attempts != 0 {
		t.Fatalf("after a stale MarkFailed: due %+v, %v; want the mail, 0 attempts", q, err)
	}
	if by, _ := claimOf(t, s, id); by != "portal-b" {
		t.Fatalf("claimed_by = %q after a stale MarkFailed", by)
	}

	sent := expiry.Add(time.Second)
	if err := s.MarkSent(ctx, id, sent); err != nil {
		t.Fatalf("MarkSent: %v", err)
	}
	if err := s.MarkSent(ctx, id, sent.Add(time.Minute)); !errors.Is(err, mail.ErrSentTwice) {
		t.Errorf("second MarkSent = %v, want ErrSentTwice", err)
	}
	var at time.Time
	if err := s.db.Raw("SELECT sent_at FROM outbox WHERE id = ?", id).Row().Scan(&at); err != nil || !at.Equal(sent) {
		t.Errorf("sent_at = %v, %v; want the first %v", at, err, sent)
	}
	if by, done := claimOf(t, s, id); by != "" || !done {
		t.Errorf("after MarkSent: claimed_by %q, sent %v; want no claim, sent", by, done)
	}
	if got := claim("portal-a", sent.Add(time.Hour)); len(got) != 0 {
		t.Errorf("a sent mail was claimed again")
	}
	if err := s.MarkSent(ctx, 999, sent); err != nil {
		t.Errorf("MarkSent of a mail that is gone = %v, want nil", err)
	}
}

// The worker over the real outbox: two portals run their workers at once
// over one store; every mail is sent once.
func TestOutboxTwoWorkers(t *testing.T) {
	env := newTestStore(t)
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	const mails = 120
	queueMails(t, env.s, mails, t0)
	clk := clock.NewFake(t0)
	var mu sync.Mutex
	sends := map[string]int{}
	sender := mail.Always(senderFunc(func(_ context.Context, m mail.Message) error {
		mu.Lock()
		defer mu.Unlock()
		sends[m.To]++
		return nil
	}))
	var wg sync.WaitGroup
	total := make([]int, 2)
	for i := range total {
		w := mail.NewWorker(env.s.Outbox, sender, clk, nil)
		w.ClaimAs(fmt.Sprintf("portal-%d", i), 0)
		wg.Go(func() {
			n, err := w.RunOnce(t.Context())
			if err != nil {
				t.Errorf("portal-%d: RunOnce: %v", i, err)
			}
			total[i] = n
		})
	}
	wg.Wait()
	if total[0]+total[1] != mails || len(sends) != mails {
		t.Fatalf("sent %d + %d to %d recipients; want %d", total[0], total[1], len(sends), mails)
	}
	for to, n := range sends {
		if n != 1 {
			t.Errorf("%s got %d mails", to, n)
		}
	}
	t.Logf("portal-0 sent %d, portal-1 %d", total[0], total[1])
}

type senderFunc func(context.Context, mail.Message) error

func (f senderFunc) Send(ctx context.Context, m mail.Message) error { return f(ctx, m) }

// Two portals' runners over one store, looking at the same moments: the job
// runs once per due time; a lease left by a portal that died is taken over
// once it runs out.
func TestJobLeases(t *testing.T) {
	env := newTestStore(t)
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	clk := clock.NewFake(t0)
	runs := 0
	boom := errors.New("mail to ann.example@example.nl: queue full")
	job := jobs.Job{Name: "reminders", Every: 10 * time.Minute, Lease: 20 * time.Minute,
		Do: func(context.Context) error { runs++; return boom }}
	a := jobs.NewRunner(env.s.Leases, "portal-a", clk, nil, nil)
	b := jobs.NewRunner(env.s.Leases, "portal-b", clk, nil, nil)
	for _, st := range []struct {
		at   time.Duration
		runs int
	}{{0, 1}, {time.Minute, 1}, {10*time.Minute - time.Microsecond, 1}, {10 * time.Minute, 2}, {25 * time.Minute, 3}} {
		clk.Set(t0.Add(st.at))
		for _, r := range []*jobs.Runner{b, a, a, b} {
			if _, err := r.Run(t.Context(), job); err != nil && !errors.Is(err, boom) {
				t.Fatal(err)
			}
		}
		if runs != st.runs {
			t.Errorf("at +%v: %d runs, want %d", st.at, runs, st.runs)
		}
	}
	var row leaseRow
	if err := env.s.db.Where("name = ?", job.Name).Take(&row).Error; err != nil {
		t.Fatal(err)
	}
	if row.Holder != "" || !row.ExpiresAt.Equal(t0.Add(35*time.Minute)) || row.LastError != "mail to [address] queue full" ||
		row.EndedAt == nil || !row.EndedAt.Equal(t0.Add(25*time.Minute)) {
		t.Errorf("lease row = %+v", row)
	}

	// portal-a takes the lease and dies mid-run.
	clk.Set(t0.Add(35 * time.Minute))
	if ok, err := env.s.TakeLease(t.Context(), job.Name, "portal-a", clk.Now(), clk.Now().Add(job.Lease)); !ok || err != nil {
		t.Fatalf("TakeLease = %v, %v", ok, err)
	}
	clk.Advance(job.Lease - time.Microsecond)
	if ok, _ := b.Run(t.Context(), job); ok {
		t.Fatal("portal-b ran the job under portal-a's lease")
	}
	clk.Advance(time.Microsecond)
	if ok, _ := b.Run(t.Context(), job); !ok || runs != 4 {
		t.Fatalf("portal-b did not take over the run (%v, %d runs)", ok, runs)
	}
	// portal-a, had it lived, could no longer give the lease back.
	if ok, err := env.s.FinishLease(t.Context(), job.Name, "portal-a", clk.Now(), "", clk.Now()); ok || err != nil {
		t.Errorf("FinishLease by the old holder = %v, %v; want false", ok, err)
	}
}

// Portals that start at once all try to take a job that has no lease row
// yet: one of them gets it. Through one store and two on one file.
func TestJobLeaseFirstTake(t *testing.T) {
	env := newTestStore(t)
	other := openStore(t, env.target, env.keys)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for job := range 20 {
		name := fmt.Sprintf("job-%d", job)
		var taken sync.Map
		var wg sync.WaitGroup
		for i, s := range []*Store{env.s, env.s, other, other} {
			wg.Go(func() {
				ok, err := s.TakeLease(t.Context(), name, fmt.Sprintf("portal-%d", i), now, now.Add(time.Minute))
				if err != nil {
					t.Error(err)
				}
				taken.Store(i, ok)
			})
		}
		wg.Wait()
		n := 0
		taken.Range(func(_, ok any) bool {
			if ok.(bool) {
				n++
			}
			return true
		})
		if n != 1 {
			t.Errorf("%s taken by %d portals, want 1", name, n)
		}
	}
}

// A mail is due the moment it is queued, to the nanosecond, although a
// claim's expiry is kept to the microsecond.
func TestOutboxClaimAtQueueTime(t *testing.T) {
	env := newTestStore(t)
	at := time.Date(2026, 12, 1, 9, 0, 0, 123_456_789, time.UTC)
	queueMails(t, env.s, 1, at)
	if got, err := env.s.Claim(t.Context(), "portal-a", at, at.Add(time.Minute), 10); err != nil || len(got) != 1 {
		t.Errorf("Claim at the queueing time = %d mails, %v; want 1", len(got), err)
	}
}
