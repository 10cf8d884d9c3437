package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/clock"
)

// addMails queues n valid mails to distinct invented recipients and returns
// their ids by recipient.
func addMails(tb testing.TB, q *memQueue, n int) map[string]int64 {
	tb.Helper()
	ids := map[string]int64{}
	for i := range n {
		m := validMessage()
		m.To = fmt.Sprintf("ouder%d@example.nl", i+1)
		ids[m.To] = q.add(tb, m)
	}
	return ids
}

// A mail is sent only under a claim with at least half of it left: when a
// batch's sends take long, the rest of the batch is claimed anew before it
// is sent, and each mail goes out once.
func TestWorkerRenewsClaimBeforeSending(t *testing.T) {
	q := &memQueue{}
	ids := addMails(t, q, 3)
	var w *Worker
	sends := map[string]int{}
	w, _, _ = newTestWorker(t, q, senderFunc(func(_ context.Context, m Message) error {
		r := q.row(t, ids[m.To])
		if r.claimedBy != w.holder {
			t.Errorf("%s sent under %q's claim, not the worker's", m.To, r.claimedBy)
		}
		if left := r.claimedUntil.Sub(w.clock.Now()); left < ClaimLease/2 {
			t.Errorf("%s sent with %v of its claim left, want at least %v", m.To, left, ClaimLease/2)
		}
		sends[m.To]++
		w.clock.(*clock.Fake).Advance(2 * time.Minute) // a slow relay
		return nil
	}))
	sent, err := w.RunOnce(t.Context())
	if err != nil || sent != 3 {
		t.Fatalf("RunOnce = %d, %v; want 3, nil", sent, err)
	}
	for to := range ids {
		if sends[to] != 1 {
			t.Errorf("%s sent %d times, want 1", to, sends[to])
		}
	}
	if q.dueCalls != 2 {
		t.Errorf("%d claims, want 2 (the third mail claimed again after two slow sends)", q.dueCalls)
	}
}

// Two workers (two portals) over one outbox: a claim keeps the other off the
// mails until it runs out; after that the other takes them over.
func TestWorkerClaimKeepsOthersOff(t *testing.T) {
	q := &memQueue{}
	addMails(t, q, 2)
	a, clk, _ := newTestWorker(t, q, senderFunc(func(context.Context, Message) error { return nil }))
	b := NewWorker(q, Always(senderFunc(func(context.Context, Message) error { return nil })), clk, nil)
	b.ClaimAs("portal-b", 0)

	// a claims both, then dies before sending (its claims stay).
	if got, err := q.Claim(t.Context(), a.holder, t0, t0.Add(ClaimLease), batchSize); err != nil || len(got) != 2 {
		t.Fatalf("Claim = %d mails, %v", len(got), err)
	}
	if at, ok, _ := q.NextDue(t.Context()); !ok || !at.Equal(t0.Add(ClaimLease)) {
		t.Errorf("NextDue = %v, %v; want when a's claim runs out", at, ok)
	}
	clk.Set(t0.Add(ClaimLease - time.Nanosecond))
	if sent, err := b.RunOnce(t.Context()); err != nil || sent != 0 {
		t.Fatalf("while a's claim holds: b sent %d, %v; want 0", sent, err)
	}
	clk.Set(t0.Add(ClaimLease))
	if sent, err := b.RunOnce(t.Context()); err != nil || sent != 2 {
		t.Fatalf("after a's claim ran out: b sent %d, %v; want 2", sent, err)
	}
}

// The rule for a worker whose claim ran out during a send that outlasted it
// (a relay that hung past the SMTP timeouts): the other worker took the mail
// over and sent it. The late worker's MarkSent keeps the first record and
// is logged as a double delivery; it sends nothing more under the lost
// claim; a late failure changes nothing.
func TestWorkerClaimTakenOver(t *testing.T) {
	for _, late := range []struct {
		name string
		err  error
	}{
		{"late success", nil},
		{"late failure", errors.New("421 timeout")},
	} {
		t.Run(late.name, func(t *testing.T) {
			q := &memQueue{}
			ids := addMails(t, q, 2)
			sends := map[string]int{}
			var a, b *Worker
			a, clk, logs := newTestWorker(t, q, senderFunc(func(ctx context.Context, m Message) error {
				sends[m.To]++
				if m.To == "ouder1@example.nl" {
					// The send hangs past the claim; meanwhile b takes
					// both mails over and sends them.
					a.clock.(*clock.Fake).Advance(ClaimLease + time.Minute)
					if sent, err := b.RunOnce(ctx); err != nil || sent != 2 {
						t.Errorf("b sent %d, %v; want 2", sent, err)
					}
				}
				return late.err
			}))
			b = NewWorker(q, Always(senderFunc(func(_ context.Context, m Message) error {
				sends[m.To]++
				return nil
			})), clk, slog.New(slog.DiscardHandler))
			b.ClaimAs("portal-b", 0)

			if _, err := a.RunOnce(t.Context()); err != nil {
				t.Fatalf("a: RunOnce: %v", err)
			}
			// ouder1 was under way at a when b sent it: the one mail a
			// send that outlasts its claim doubles. ouder2 a never sent.
			want := map[string]int{"ouder1@example.nl": 2, "ouder2@example.nl": 1}
			for to, n := range want {
				if sends[to] != n {
					t.Errorf("%s sent %d times, want %d", to, sends[to], n)
				}
			}
			r := q.row(t, ids["ouder1@example.nl"])
			if !r.sent || !r.sentAt.Equal(t0.Add(ClaimLease+time.Minute)) || r.failures != 0 {
				t.Errorf("ouder1's row = %+v; want b's record kept", r)
			}
			if twice := strings.Contains(logs.String(), "sent twice"); twice != (late.err == nil) {
				t.Errorf("log says sent twice: %v, want %v:\n%s", twice, late.err == nil, logs)
			}
		})
	}
}

// ClaimAs sets the claim's length; zero keeps ClaimLease.
func TestWorkerClaimAsLease(t *testing.T) {
	for _, tc := range []struct {
		lease, want time.Duration
	}{{4 * time.Second, 4 * time.Second}, {0, ClaimLease}} {
		q := &memQueue{}
		id := q.add(t, validMessage())
		var w *Worker
		var until time.Time
		w, _, _ = newTestWorker(t, q, senderFunc(func(context.Context, Message) error {
			until = q.row(t, id).claimedUntil
			return nil
		}))
		w.ClaimAs("portal-a", tc.lease)
		if _, err := w.RunOnce(t.Context()); err != nil {
			t.Fatal(err)
		}
		if !until.Equal(t0.Add(tc.want)) {
			t.Errorf("ClaimAs(%v): claimed until %v, want %v", tc.lease, until, t0.Add(tc.want))
		}
	}
}
