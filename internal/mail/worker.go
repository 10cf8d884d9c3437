package mail

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/avgloket/avgloket/internal/clock"
)

// InvalidBackoff is how long a message that fails Validate waits before it
// is looked at (and logged) again. Waiting will not fix it; the long wait
// keeps the log readable while a person corrects or removes the row.
const InvalidBackoff = 24 * time.Hour

const (
	firstBackoff = time.Minute
	maxBackoff   = 6 * time.Hour
	batchSize    = 50
	markTimeout  = 30 * time.Second
	maxLastError = 1000 // bytes of error text stored with a failed attempt
)

// Backoff returns how long to wait after the given failed attempt (1 for the
// first) before trying again: 1m, 2m, 4m, 8m, … doubling up to a cap of 6h,
// which is reached at the tenth attempt (the ninth waits 4h16m). Attempts
// below 1 count as 1. A relay that is down for a day thus costs about a dozen
// attempts, and a mail is retried at least four times a day for as long as it
// stays undelivered (the Queue has no "give up"; a person removes the row).
func Backoff(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := firstBackoff
	for i := 1; i < attempt; i++ {
		d *= 2
		if d >= maxBackoff {
			return maxBackoff
		}
	}
	return d
}

// Queued is a message in the outbox with its id and the number of failed
// attempts so far.
type Queued struct {
	ID       int64
	Message  Message
	Attempts int
}

// Queue is the outbox. It is implemented by the storage package, as a table
// written in the same database transaction as the change that causes the
// mail, so that a mail is queued if and only if its cause was committed.
//
// Several Workers (one per portal) may share a Queue: each takes its mails
// with a claim that names it (its holder) and runs out at a time it chooses,
// after which another Worker may take the mail over.
type Queue interface {
	// Claim claims for holder, until until, up to limit messages, oldest
	// first, that are not sent, whose next attempt is due at now, and that
	// nobody else holds a claim on at now (claims run out at their until);
	// and returns them. Of several holders claiming at once, each message
	// goes to at most one.
	Claim(ctx context.Context, holder string, now, until time.Time, limit int) ([]Queued, error)
	// MarkSent records that message id was delivered at the given time and
	// drops its claim; it is not claimed again. If id was already marked
	// sent (by a Worker whose claim had run out), the first record stays
	// and MarkSent returns ErrSentTwice.
	MarkSent(ctx context.Context, id int64, at time.Time) error
	// MarkFailed records a failed attempt by holder: the total number of
	// attempts, when to try again, and the error text (which never holds
	// the recipient's address), and drops the claim. It changes nothing
	// when holder no longer holds the claim on id.
	MarkFailed(ctx context.Context, holder string, id int64, attempts int, next time.Time, lastErr string) error
	// NextDue returns when the earliest unsent message is due (its next
	// attempt, or when another holder's claim on it runs out), and false
	// when nothing is waiting.
	NextDue(ctx context.Context) (time.Time, bool, error)
}

// ErrSentTwice is MarkSent's answer for a message that had been marked sent
// already: it was delivered twice.
var ErrSentTwice = errors.New("mail: the message had been sent already")

// ClaimLease is how long a Worker's claim on the mails it takes lasts,
// unless ClaimAs sets another. A Worker starts sending a claimed mail only
// while at least half of its claim is left, so that the send, bounded by
// the SMTP timeouts, ends before the claim does and no other Worker takes
// the mail over while it is under way. A portal that dies leaves its claimed
// mails to the others once their claims run out.
const ClaimLease = 5 * time.Minute

// Worker delivers the outbox. Several Workers may share an outbox, each under
// its own holder name; a Worker runs one Run, or RunOnce calls one at a time.
// Notify may be called from any goroutine.
//
// A mail is sent once, except when a portal stops (is killed, loses power)
// after the mail server accepted a mail and before MarkSent committed: the
// mail is then claimed again after its claim runs out and sent a second time.
// That one in-flight mail per dead portal cannot be told apart from one that
// never left.
//
// The Worker logs outbox ids, attempt counts and error texts with the
// recipient's address removed; never addresses, subjects or bodies.
type Worker struct {
	queue   Queue
	senders SenderFunc
	clock   clock.Clock
	log     *slog.Logger
	wake    chan struct{}
	holder  string        // whose claims this Worker makes
	lease   time.Duration // how long they last
}

// SenderFunc gives the sender for the next round of the outbox, built from
// the settings as they are then (Servers.Sender), or an error wrapping
// ErrNoServer when no server is configured.
type SenderFunc func(ctx context.Context) (Sender, error)

// Always is a SenderFunc that always gives s.
func Always(s Sender) SenderFunc {
	return func(context.Context) (Sender, error) { return s, nil }
}

// NewWorker returns a Worker that takes mails from q and sends them with the
// sender s gives for each round. While s reports ErrNoServer nothing is sent
// and mails stay queued (until a server is configured, which the next round
// picks up). A nil log discards the log.
func NewWorker(q Queue, s SenderFunc, c clock.Clock, log *slog.Logger) *Worker {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Worker{queue: q, senders: s, clock: c, log: log, wake: make(chan struct{}, 1),
		holder: "worker/" + rand.Text(), lease: ClaimLease}
}

// ClaimAs makes w claim its mails as holder (the portal's name, shared with
// its job leases) instead of the random name NewWorker gives it, for lease
// (ClaimLease if lease ≤ 0). A short lease hands a dead portal's mails on
// sooner, but a send that takes more than half of it may be doubled by the
// portal that takes the mail over. Call it before Run.
func (w *Worker) ClaimAs(holder string, lease time.Duration) {
	w.holder = holder
	if lease > 0 {
		w.lease = lease
	}
}

// RunOnce sends every message that is due and returns how many were sent.
//
// A failed send is recorded with MarkFailed: attempts+1, next try at now +
// Backoff(attempts+1), and the error text without the recipient's address. A
// message that fails Validate is never sent; it is marked failed with
// InvalidBackoff and logged by id. With no server configured, RunOnce does
// nothing; a sender that cannot be made (a CA file gone) is an error.
//
// RunOnce returns an error if the queue fails (and stops there, so that a
// broken database does not cause repeated sends) or ctx's error if ctx is done
// between messages. A send that was under way when ctx ended is still
// recorded as sent or failed.
func (w *Worker) RunOnce(ctx context.Context) (sent int, err error) {
	sent, _, err = w.runOnce(ctx)
	return sent, err
}

// runOnce is RunOnce that also reports whether a server was configured.
func (w *Worker) runOnce(ctx context.Context) (sent int, configured bool, err error) {
	sender, err := w.senders(ctx)
	if errors.Is(err, ErrNoServer) {
		return 0, false, nil
	}
	if err != nil {
		return 0, true, fmt.Errorf("mail: sender: %w", err)
	}
	sent, err = w.send(ctx, sender)
	return sent, true, err
}

// send claims the due mails, a batch at a time, and delivers them with
// sender. A mail whose claim has less than half of it left is not sent;
// the batch ends there and the next claim renews it.
func (w *Worker) send(ctx context.Context, sender Sender) (sent int, err error) {
	seen := make(map[int64]bool)
	for {
		if err := ctx.Err(); err != nil {
			return sent, err
		}
		now := w.clock.Now()
		until := now.Add(w.lease)
		due, err := w.queue.Claim(ctx, w.holder, now, until, batchSize)
		if err != nil {
			return sent, fmt.Errorf("mail: claim due mails: %w", err)
		}
		fresh, cut := false, false
		for _, item := range due {
			// A queue that hands back a row it was just told about would
			// otherwise have it sent again in the same run.
			if seen[item.ID] {
				continue
			}
			if err := ctx.Err(); err != nil {
				return sent, err
			}
			if until.Sub(w.clock.Now()) < w.lease/2 {
				cut = true
				break
			}
			seen[item.ID], fresh = true, true
			ok, err := w.deliver(ctx, sender, item)
			if ok {
				sent++
			}
			if err != nil {
				return sent, err
			}
		}
		if !fresh || (!cut && len(due) < batchSize) {
			return sent, nil
		}
	}
}

// deliver sends one queued message and records the outcome. ok reports
// whether it was sent; err is a queue failure or ctx's error.
func (w *Worker) deliver(ctx context.Context, sender Sender, item Queued) (ok bool, err error) {
	attempts := item.Attempts + 1
	if verr := item.Message.Validate(); verr != nil {
		next := w.clock.Now().Add(InvalidBackoff)
		w.log.Error("mail: invalid message in outbox, not sent",
			"outbox_id", item.ID, "attempt", attempts, "next", next, "error", verr.Error())
		return false, w.markFailed(ctx, item.ID, attempts, next, verr.Error())
	}

	sendErr := sender.Send(ctx, item.Message)
	if sendErr != nil && ctx.Err() != nil && errors.Is(sendErr, ctx.Err()) {
		// Stopped before it started: not an attempt.
		return false, ctx.Err()
	}

	// The send is over: record its outcome even if ctx has ended meanwhile,
	// or a delivered mail would be delivered again after a restart.
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	now := w.clock.Now()
	if sendErr == nil {
		err := w.queue.MarkSent(mctx, item.ID, now)
		if errors.Is(err, ErrSentTwice) {
			w.log.Warn("mail: sent twice; another portal sent it after this one's claim ran out",
				"outbox_id", item.ID, "attempt", attempts)
			return true, nil
		}
		if err != nil {
			return true, fmt.Errorf("mail: mark outbox %d sent: %w", item.ID, err)
		}
		w.log.Info("mail: sent", "outbox_id", item.ID, "attempt", attempts)
		return true, nil
	}
	next := now.Add(Backoff(attempts))
	text := errorText(sendErr, item.Message.To)
	w.log.Warn("mail: send failed, will retry",
		"outbox_id", item.ID, "attempt", attempts, "next", next, "error", text)
	return false, w.markFailed(mctx, item.ID, attempts, next, text)
}

func (w *Worker) markFailed(ctx context.Context, id int64, attempts int, next time.Time, text string) error {
	if err := w.queue.MarkFailed(ctx, w.holder, id, attempts, next, text); err != nil {
		return fmt.Errorf("mail: mark outbox %d failed: %w", id, err)
	}
	return nil
}

// errorText is err's text without the recipient's address, cut to
// maxLastError bytes.
func errorText(err error, to string) string {
	s := redact(err.Error(), to)
	if len(s) > maxLastError {
		s = strings.ToValidUTF8(s[:maxLastError], "")
	}
	return s
}

// minWait is the shortest pause between two rounds of Run, so that a mail
// that stays due (its failure could not be recorded) does not make Run spin.
const minWait = time.Second

// Run delivers the outbox until ctx is done: once at the start, then when the
// earliest unsent mail is due (a retry after a minute goes after a minute),
// at the latest every interval `every` (a minute if every ≤ 0), and whenever
// Notify is called. It waits on the Worker's clock. Errors are logged, not
// returned. Run returns once ctx is done and the send under way, if any, has
// finished and been recorded.
func (w *Worker) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = time.Minute
	}
	told := false // that no server is configured, since there was one
	for {
		_, configured, err := w.runOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.log.Error("mail: outbox run failed", "error", err.Error())
		}
		if !configured && !told {
			w.log.Warn("mail: no sender configured, mails stay queued")
		}
		told = !configured
		select {
		case <-ctx.Done():
			return
		case <-w.clock.After(w.wait(ctx, every, configured)):
		case <-w.wake:
		}
	}
}

// wait returns how long Run sleeps: until the earliest unsent mail is due,
// but at least minWait and at most every. Without a server nothing will be
// sent, so it waits every (or until Notify, as after the settings page
// saved a server).
func (w *Worker) wait(ctx context.Context, every time.Duration, configured bool) time.Duration {
	if !configured {
		return every
	}
	next, ok, err := w.queue.NextDue(ctx)
	if err != nil {
		if ctx.Err() == nil {
			w.log.Error("mail: outbox next due", "error", err.Error())
		}
		return every
	}
	if !ok {
		return every
	}
	return min(max(next.Sub(w.clock.Now()), minWait), every)
}

// Notify wakes Run to look at the outbox now, typically right after a
// transaction that queued a mail has committed. It never blocks; wake-ups
// that arrive while one is pending are merged.
func (w *Worker) Notify() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}
