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

func TestBackoff(t *testing.T) {
	tests := []struct {
		attempt int
		want    time.Duration
	}{
		{-1, time.Minute},
		{0, time.Minute},
		{1, time.Minute},
		{2, 2 * time.Minute},
		{3, 4 * time.Minute},
		{4, 8 * time.Minute},
		{5, 16 * time.Minute},
		{8, 128 * time.Minute},
		{9, 256 * time.Minute},
		{10, 6 * time.Hour},
		{11, 6 * time.Hour},
		{100, 6 * time.Hour},
		{1 << 30, 6 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.attempt), func(t *testing.T) {
			if got := Backoff(tt.attempt); got != tt.want {
				t.Errorf("Backoff(%d) = %v, want %v", tt.attempt, got, tt.want)
			}
		})
	}
}

// newTestWorker returns a worker with a fake clock at t0 whose log goes to
// the returned buffer.
func newTestWorker(tb testing.TB, q Queue, s Sender) (*Worker, *clock.Fake, *lockedBuffer) {
	tb.Helper()
	clk := clock.NewFake(t0)
	logs := &lockedBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	senders := Always(s)
	if s == nil {
		senders = func(context.Context) (Sender, error) { return nil, ErrNoServer }
	}
	return NewWorker(q, senders, clk, log), clk, logs
}

// checkNoPersonalData fails if the log mentions the message's recipient,
// subject or text.
func checkNoPersonalData(tb testing.TB, logs string, m Message) {
	tb.Helper()
	for _, v := range []string{m.To, m.Subject, m.Text, "jan@"} {
		if v != "" && strings.Contains(strings.ToLower(logs), strings.ToLower(v)) {
			tb.Errorf("log contains %q:\n%s", v, logs)
		}
	}
}

func TestWorkerDelivers(t *testing.T) {
	ts := startServer(t, serverOptions{user: testUser, pass: testPass})
	q := &memQueue{}
	m := validMessage()
	id := q.add(t, m)
	w, _, logs := newTestWorker(t, q, newTestSender(t, ts))

	sent, err := w.RunOnce(context.Background())
	if err != nil || sent != 1 {
		t.Fatalf("RunOnce = %d, %v; want 1, nil", sent, err)
	}
	checkDelivered(t, ts.next(t), m)
	if r := q.row(t, id); !r.sent || !r.sentAt.Equal(t0) || r.failures != 0 {
		t.Errorf("outbox row = %+v, want sent at %v without failures", r, t0)
	}

	// Nothing is sent twice.
	if sent, err := w.RunOnce(context.Background()); err != nil || sent != 0 {
		t.Errorf("second RunOnce = %d, %v; want 0, nil", sent, err)
	}
	ts.none(t)
	checkNoPersonalData(t, logs.String(), m)
	if !strings.Contains(logs.String(), fmt.Sprintf("outbox_id=%d", id)) {
		t.Errorf("log does not name the outbox id:\n%s", logs)
	}
}

func TestWorkerRetriesWhenServerDown(t *testing.T) {
	port := closedPort(t)
	s, err := NewSMTPSender(SMTPConfig{Host: "127.0.0.1", Port: port, From: testFrom, Insecure: true, Timeout: failsafe})
	if err != nil {
		t.Fatal(err)
	}
	q := &memQueue{}
	m := validMessage()
	id := q.add(t, m)
	w, clk, logs := newTestWorker(t, q, s)

	sent, err := w.RunOnce(context.Background())
	if err != nil || sent != 0 {
		t.Fatalf("RunOnce with the server down = %d, %v; want 0, nil", sent, err)
	}
	r := q.row(t, id)
	if r.sent || r.Attempts != 1 || !r.next.Equal(t0.Add(time.Minute)) || r.lastErr == "" {
		t.Fatalf("outbox row = %+v, want unsent, attempts 1, next %v, an error", r, t0.Add(time.Minute))
	}
	if r.Message != m {
		t.Errorf("queued message changed: %+v", r.Message)
	}

	// Not due yet: nothing is tried.
	clk.Advance(time.Minute - time.Second)
	if sent, err := w.RunOnce(context.Background()); err != nil || sent != 0 || q.row(t, id).failures != 1 {
		t.Fatalf("RunOnce before the retry time = %d, %v, failures %d", sent, err, q.row(t, id).failures)
	}

	// The relay comes back on the same port; the retry delivers.
	ts := startServer(t, serverOptions{addr: fmt.Sprintf("127.0.0.1:%d", port)})
	clk.Advance(time.Second)
	sent, err = w.RunOnce(context.Background())
	if err != nil || sent != 1 {
		t.Fatalf("RunOnce after the back-off = %d, %v; want 1, nil", sent, err)
	}
	checkDelivered(t, ts.next(t), m)
	if r := q.row(t, id); !r.sent || !r.sentAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("outbox row = %+v, want sent at %v", r, t0.Add(time.Minute))
	}
	checkNoPersonalData(t, logs.String(), m)
}

func TestWorkerWithoutSender(t *testing.T) {
	q := &memQueue{}
	id := q.add(t, validMessage())
	w, _, _ := newTestWorker(t, q, nil)

	sent, err := w.RunOnce(context.Background())
	if err != nil || sent != 0 {
		t.Fatalf("RunOnce = %d, %v; want 0, nil", sent, err)
	}
	if r := q.row(t, id); r.sent || r.failures != 0 || r.Attempts != 0 {
		t.Errorf("outbox row = %+v, want untouched", r)
	}
	if q.dueCalls != 0 {
		t.Errorf("Claim called %d times without a sender", q.dueCalls)
	}
}

func TestWorkerRefusesInvalidMessages(t *testing.T) {
	tests := []struct {
		name string
		m    Message
	}{
		{"CRLF in subject", Message{To: "jan@example.nl", Subject: "Hoi\r\nBcc: x@y.z", Text: "x"}},
		{"LF in subject", Message{To: "jan@example.nl", Subject: "Hoi\nBcc: x@y.z", Text: "x"}},
		{"header in recipient", Message{To: "jan@example.nl\r\nBcc: x@y.z", Subject: "Hoi", Text: "x"}},
		{"display name trick", Message{To: "x@y.z <jan@example.nl>", Subject: "Hoi", Text: "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, serverOptions{})
			q := &memQueue{}
			id := q.add(t, tt.m)
			w, _, logs := newTestWorker(t, q, newTestSender(t, ts))

			sent, err := w.RunOnce(context.Background())
			if err != nil || sent != 0 {
				t.Fatalf("RunOnce = %d, %v; want 0, nil", sent, err)
			}
			ts.none(t)
			r := q.row(t, id)
			if r.sent || r.Attempts != 1 || !r.next.Equal(t0.Add(InvalidBackoff)) ||
				!strings.Contains(r.lastErr, ErrInvalidMessage.Error()) {
				t.Errorf("outbox row = %+v, want failed once, next %v", r, t0.Add(InvalidBackoff))
			}
			checkNoPersonalData(t, logs.String(), Message{To: tt.m.To, Subject: tt.m.Subject})
			if !strings.Contains(logs.String(), fmt.Sprintf("outbox_id=%d", id)) {
				t.Errorf("log does not name the outbox id:\n%s", logs)
			}
		})
	}
}

func TestWorkerKeepsAddressOutOfErrors(t *testing.T) {
	// Relays quote the address when they refuse it.
	ts := startServer(t, serverOptions{rejectRcpt: func(to string) error {
		return fmt.Errorf("<%s>: Recipient address rejected: user unknown", strings.ToUpper(to))
	}})
	q := &memQueue{}
	m := validMessage()
	id := q.add(t, m)
	w, _, logs := newTestWorker(t, q, newTestSender(t, ts))

	if sent, err := w.RunOnce(context.Background()); err != nil || sent != 0 {
		t.Fatalf("RunOnce = %d, %v; want 0, nil", sent, err)
	}
	r := q.row(t, id)
	if r.Attempts != 1 || !strings.Contains(r.lastErr, "Recipient address rejected") {
		t.Fatalf("outbox row = %+v, want a failure with the server's reason", r)
	}
	checkNoPersonalData(t, r.lastErr, m)
	checkNoPersonalData(t, logs.String(), m)
	ts.none(t)
}

func TestWorkerBacksOffFurther(t *testing.T) {
	q := &memQueue{}
	id := q.add(t, validMessage())
	w, clk, _ := newTestWorker(t, q, senderFunc(func(context.Context, Message) error {
		return errors.New("421 try later")
	}))
	for attempt := 1; attempt <= 11; attempt++ {
		if _, err := w.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		r := q.row(t, id)
		if want := clk.Now().Add(Backoff(attempt)); r.Attempts != attempt || !r.next.Equal(want) {
			t.Fatalf("after attempt %d: attempts %d, next %v; want next %v", attempt, r.Attempts, r.next, want)
		}
		clk.Set(r.next)
	}
}

type senderFunc func(context.Context, Message) error

func (f senderFunc) Send(ctx context.Context, m Message) error { return f(ctx, m) }

func TestWorkerRecordsSendFinishedDuringShutdown(t *testing.T) {
	q := &memQueue{}
	first := q.add(t, validMessage())
	second := q.add(t, validMessage())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	w, _, _ := newTestWorker(t, q, senderFunc(func(context.Context, Message) error {
		calls++
		cancel() // shutdown arrives while the relay accepts the mail
		return nil
	}))

	sent, err := w.RunOnce(ctx)
	if sent != 1 || !errors.Is(err, context.Canceled) {
		t.Fatalf("RunOnce = %d, %v; want 1, context.Canceled", sent, err)
	}
	if !q.row(t, first).sent {
		t.Error("the mail sent during shutdown was not recorded as sent")
	}
	if r := q.row(t, second); r.sent || r.failures != 0 || calls != 1 {
		t.Errorf("after shutdown: second row %+v, %d sends", r, calls)
	}
}

func TestWorkerSendsMoreThanABatch(t *testing.T) {
	q := &memQueue{}
	for range batchSize + 3 {
		q.add(t, validMessage())
	}
	n := 0
	w, _, _ := newTestWorker(t, q, senderFunc(func(context.Context, Message) error { n++; return nil }))
	if sent, err := w.RunOnce(context.Background()); err != nil || sent != batchSize+3 || n != batchSize+3 {
		t.Fatalf("RunOnce = %d, %v (%d sends); want %d", sent, err, n, batchSize+3)
	}
}

func TestWorkerRunNotifyAndStop(t *testing.T) {
	ts := startServer(t, serverOptions{})
	q := &memQueue{}
	first := validMessage()
	q.add(t, first)
	w, _, _ := newTestWorker(t, q, newTestSender(t, ts))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		w.Run(ctx, time.Hour) // the ticker never fires during the test
	}()

	// Run starts with a pass over the outbox.
	checkDelivered(t, ts.next(t), first)

	// Notify wakes it for a mail queued later.
	second := validMessage()
	second.To = "piet@example.nl"
	id := q.add(t, second)
	w.Notify()
	checkDelivered(t, ts.next(t), second)

	cancel()
	select {
	case <-stopped:
	case <-time.After(failsafe):
		t.Fatal("Run did not return after its context was cancelled")
	}
	if !q.row(t, id).sent {
		t.Error("second mail not recorded as sent")
	}
}

func TestWorkerRunWithoutSenderStops(t *testing.T) {
	q := &memQueue{}
	q.add(t, validMessage())
	w, _, logs := newTestWorker(t, q, nil)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		w.Run(ctx, 0)
	}()
	w.Notify()
	cancel()
	select {
	case <-stopped:
	case <-time.After(failsafe):
		t.Fatal("Run did not return after its context was cancelled")
	}
	if !strings.Contains(logs.String(), "no sender configured") {
		t.Errorf("log does not say that mail is off:\n%s", logs)
	}
}

// passQueue is an empty outbox that reports every pass Run makes over it.
type passQueue struct {
	memQueue
	passes chan struct{}
}

func (q *passQueue) Claim(ctx context.Context, holder string, now, until time.Time, limit int) ([]Queued, error) {
	q.passes <- struct{}{}
	return q.memQueue.Claim(ctx, holder, now, until, limit)
}

// Notify returns at once, also when a wake-up is already pending and no Run
// is listening; the pending wake-ups merge into one, which Run still gets.
func TestNotifyNeverBlocks(t *testing.T) {
	q := &passQueue{passes: make(chan struct{}, 100)}
	w, _, _ := newTestWorker(t, q, senderFunc(func(context.Context, Message) error { return nil }))

	// No Run is listening: the first Notify leaves a wake-up pending, the
	// others find it there.
	notified := make(chan struct{})
	go func() {
		defer close(notified)
		for range 10 {
			w.Notify()
		}
	}()
	select {
	case <-notified:
	case <-time.After(failsafe):
		t.Fatal("Notify blocked while a wake-up was pending and no Run was listening")
	}

	pass := func(why string) {
		t.Helper()
		select {
		case <-q.passes:
		case <-time.After(failsafe):
			t.Fatalf("no pass over the outbox %s", why)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		w.Run(ctx, time.Hour) // the ticker never fires during the test
	}()
	defer func() {
		cancel()
		<-stopped
	}()
	pass("at the start")
	pass("for the wake-ups made before Run")
	// The ten wake-ups were one: Run waits again.
	select {
	case <-q.passes:
		t.Fatal("ten pending wake-ups made more than one pass")
	case <-time.After(100 * time.Millisecond):
	}
	w.Notify()
	pass("for a Notify while Run waits")
}

// A mail whose first attempt failed is retried when its back-off ends (one
// minute later), not at the worker's next round (an hour later here), and
// waiting for it takes the fake clock's time, not the test's.
func TestWorkerRetriesOnTime(t *testing.T) {
	ts := startServer(t, serverOptions{})
	q := &memQueue{}
	id := q.add(t, validMessage())
	real := newTestSender(t, ts)
	calls := 0
	flaky := senderFunc(func(ctx context.Context, m Message) error {
		calls++
		if calls == 1 {
			return errors.New("451 try again later")
		}
		return real.Send(ctx, m)
	})
	w, clk, _ := newTestWorker(t, q, flaky)

	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		w.Run(ctx, time.Hour)
	}()
	defer func() {
		cancel()
		<-stopped
	}()

	awaitTimers(t, clk, 1) // the failed first round is over and Run waits
	if r := q.row(t, id); r.sent || !r.next.Equal(t0.Add(time.Minute)) {
		t.Fatalf("after the first round: %+v, want a retry due at %v", r, t0.Add(time.Minute))
	}
	clk.Advance(time.Minute - time.Second)
	ts.none(t)
	clk.Advance(time.Second)
	ts.next(t)
	awaitTimers(t, clk, 1)
	if r := q.row(t, id); !r.sent || !r.sentAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("retry: %+v, want sent at %v", r, t0.Add(time.Minute))
	}
}

// awaitTimers waits until n timers of clk are pending.
func awaitTimers(tb testing.TB, clk *clock.Fake, n int) {
	tb.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		clk.AwaitTimers(n)
	}()
	select {
	case <-done:
	case <-time.After(failsafe):
		tb.Fatalf("no %d timers pending on the clock", n)
	}
}

// A server configured while the worker runs (saved on the settings page) is
// used from the next round on, without a new worker; one removed again stops
// the sending.
func TestWorkerTakesTheSenderOfEachRound(t *testing.T) {
	q := &memQueue{}
	first := q.add(t, validMessage())
	var server Sender // none yet
	var got []Message
	rec := senderFunc(func(_ context.Context, m Message) error { got = append(got, m); return nil })
	senders := func(context.Context) (Sender, error) {
		if server == nil {
			return nil, ErrNoServer
		}
		return server, nil
	}
	w := NewWorker(q, senders, clock.NewFake(t0), nil)
	if sent, err := w.RunOnce(t.Context()); sent != 0 || err != nil || q.row(t, first).sent {
		t.Fatalf("without a server: RunOnce = %d, %v; want nothing sent", sent, err)
	}
	server = rec
	if sent, err := w.RunOnce(t.Context()); sent != 1 || err != nil || !q.row(t, first).sent || len(got) != 1 {
		t.Fatalf("after the server was set: RunOnce = %d, %v, got %d; want the mail sent", sent, err, len(got))
	}
	server = nil
	second := q.add(t, validMessage())
	if sent, err := w.RunOnce(t.Context()); sent != 0 || err != nil || q.row(t, second).sent {
		t.Fatalf("after the server was removed: RunOnce = %d, %v; want nothing sent", sent, err)
	}
	broken := errors.New("CA file gone")
	w = NewWorker(q, func(context.Context) (Sender, error) { return nil, broken }, clock.NewFake(t0), nil)
	if _, err := w.RunOnce(t.Context()); !errors.Is(err, broken) {
		t.Errorf("a sender that cannot be made: RunOnce error = %v, want it reported", err)
	}
}
