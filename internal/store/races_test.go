package store

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/delivery"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/staff"
	"github.com/avgloket/avgloket/internal/store/dbtest"
)

// Read-then-write rules under concurrent writers: on PostgreSQL every
// write is its own transaction, on two instances here, so a write that
// reads a row, decides in Go and writes back must keep the rule as SQLite's
// one writer does. Each test runs racers writes at once, round robin over
// the instances.
const racers = 8

// race runs fn(i, s) for i in 0…n-1, racers at a time, spread over
// stores, and returns the errors in i's order.
func race(t *testing.T, stores []*Store, n int, fn func(i int, s *Store) error) []error {
	t.Helper()
	errs := make([]error, n)
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for w := range racers {
		s := stores[w%len(stores)]
		wg.Go(func() {
			for i := range next {
				errs[i] = fn(i, s)
			}
		})
	}
	wg.Wait()
	return errs
}

// Officers updating one case at once: each update reads the case and
// writes it back one pause day further, so none may be lost.
func TestConcurrentCaseUpdatesLoseNothing(t *testing.T) {
	env := newTestStore(t)
	stores := instances(t, env)
	c := mustCreate(t, env.s, newCase(t, caseSpec{}), ackMail)
	actor := casework.Actor{Scope: casework.Scope{All: true}}
	const n = 40
	errs := race(t, stores, n, func(_ int, s *Store) error {
		_, err := s.UpdateCase(t.Context(), c.Reference, actor, func(k *casework.Case) (casework.Change, error) {
			k.PauseDays++
			return casework.Change{}, nil
		})
		return err
	})
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	got, err := env.s.CaseByReference(t.Context(), c.Reference, casework.Scope{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if got.PauseDays != n {
		t.Errorf("pause days = %d after %d concurrent updates, want %d (updates lost)", got.PauseDays, n, n)
	}
}

// Officers moving one case through its state machine at once: only the
// first moves it, the others find it moved and are refused.
func TestConcurrentCaseTransitionOnce(t *testing.T) {
	env := newTestStore(t)
	stores := instances(t, env)
	c := mustCreate(t, env.s, newCase(t, caseSpec{}), ackMail)
	actor := casework.Actor{Scope: casework.Scope{All: true}}
	from := c.Status
	errs := race(t, stores, racers, func(i int, s *Store) error {
		_, err := s.UpdateCase(t.Context(), c.Reference, actor, func(k *casework.Case) (casework.Change, error) {
			if k.Status != from {
				return casework.Change{}, conflict("moved already")
			}
			k.Status = casework.InProgress
			k.Details = fmt.Sprintf("gesloten door %d", i)
			return casework.Change{}, nil
		})
		return err
	})
	moved := 0
	for _, err := range errs {
		switch {
		case err == nil:
			moved++
		case !apperr.Is(err, apperr.Conflict):
			t.Error(err)
		}
	}
	if moved != 1 {
		t.Errorf("%d of %d concurrent transitions from %q succeeded, want 1", moved, racers, from)
	}
}

// Wrong sign-ins for one account at once: each attempt counts those before
// it, itself included, so the counts handed back are 1…n (a throttle that
// two parallel attempts both see as the first is no throttle).
func TestConcurrentLoginFailuresCountEachOther(t *testing.T) {
	env := newTestStore(t)
	stores := instances(t, env)
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	const n = 24
	counts := make([]int, n)
	errs := race(t, stores, n, func(i int, s *Store) error {
		var err error
		counts[i], _, err = s.AddLoginFailure(t.Context(), "acct:olga", fmt.Sprintf("192.0.2.%d", i), at, at.Add(-time.Hour))
		return err
	})
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	slices.Sort(counts)
	want := make([]int, n)
	for i := range want {
		want[i] = i + 1
	}
	if !slices.Equal(counts, want) {
		t.Errorf("counts = %v, want 1…%d", counts, n)
	}
}

// One submission sent several times at once with the same idempotency key:
// one case, and every other answer is that case, replayed.
func TestConcurrentIdempotentSubmissionsMakeOneCase(t *testing.T) {
	env := newTestStore(t)
	stores := instances(t, env)
	gave := make([]string, racers)
	replays := make([]bool, racers)
	errs := race(t, stores, racers, func(i int, s *Store) error {
		c := newCase(t, caseSpec{name: "Dubbel Verzonden"})
		nc := casework.NewCase{IdempotencyHash: "idem-1", RequestHash: "req-1"}
		var err error
		replays[i], err = s.CreateCase(t.Context(), &c, nc, ackMail)
		gave[i] = c.Reference
		return err
	})
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	stored := refs(allCases(t, env.s, casework.Query{}, casework.Scope{All: true}))
	if len(stored) != 1 {
		t.Fatalf("%d cases stored for one idempotency key, want 1: %v", len(stored), stored)
	}
	fresh := 0
	for i := range racers {
		if errs[i] == nil && gave[i] != stored[0] {
			t.Errorf("answer %d: reference %s, want %s", i, gave[i], stored[0])
		}
		if !replays[i] {
			fresh++
		}
	}
	if fresh != 1 {
		t.Errorf("%d answers were not replays, want 1", fresh)
	}
}

// Breaches registered at once, on a new year and on: references are
// DL-2026-001…n without a gap or a repeat.
func TestConcurrentBreachReferences(t *testing.T) {
	env := newBreachEnv(t)
	stores := instances(t, env.testEnv)
	aware := time.Date(2026, 3, 27, 9, 0, 0, 0, time.UTC)
	const n = 16
	errs := race(t, stores, n, func(i int, s *Store) error {
		r := laptop("", aware.Add(time.Duration(i)*time.Minute))
		return s.CreateBreach(t.Context(), &r, env.owner, r.CreatedAt)
	})
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	list, err := env.s.ListBreaches(t.Context(), breach.Filter{}, breach.Scope{All: true})
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for i, r := range list {
		got = append(got, r.Reference)
		want = append(want, breach.FormatReference(2026, i+1))
	}
	slices.Sort(got)
	if !slices.Equal(got, want) || len(got) != n {
		t.Errorf("references = %v, want DL-2026-001…%03d", got, n)
	}
}

// Officers changing one breach at once: each appends to the title, none
// is lost.
func TestConcurrentBreachUpdatesLoseNothing(t *testing.T) {
	env := newBreachEnv(t)
	stores := instances(t, env.testEnv)
	aware := time.Date(2026, 3, 27, 9, 0, 0, 0, time.UTC)
	r := env.create(t, laptop("", aware))
	const n = 24
	errs := race(t, stores, n, func(_ int, s *Store) error {
		_, err := s.UpdateBreach(t.Context(), r.Reference, env.owner, "title", aware, func(b *breach.Record) error {
			b.Title += "!"
			return nil
		})
		return err
	})
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	got, err := env.s.BreachByReference(t.Context(), r.Reference, breach.Scope{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if bangs := strings.Count(got.Title, "!"); bangs != n {
		t.Errorf("title has %d of %d appended marks (updates lost)", bangs, n)
	}
}

// Wrong delivery codes entered at once: every try counts, so exactly
// delivery.MaxTries of them are wrong answers, the rest find the codes
// locked; and a right code entered twice at once opens one grant.
func TestConcurrentDeliveryCodeTries(t *testing.T) {
	env := newTestStore(t)
	stores := instances(t, env)
	c := mustCreate(t, env.s, newCase(t, caseSpec{}), ackMail)
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	issue := func(cs delivery.Codes) (delivery.Codes, *mail.Message, error) {
		next, err := cs.Issue("right", now)
		return next, nil, err
	}
	if err := env.s.UpdateCodes(t.Context(), c.ID, now, issue); err != nil {
		t.Fatal(err)
	}
	const n = 3 * delivery.MaxTries
	errs := race(t, stores, n, func(i int, s *Store) error {
		return s.UpdateCodes(t.Context(), c.ID, now, func(cs delivery.Codes) (delivery.Codes, *mail.Message, error) {
			next, err := cs.Try(fmt.Sprintf("wrong%d", i), "", now)
			return next, nil, err
		})
	})
	wrong := 0
	for _, err := range errs {
		switch {
		case apperr.Is(err, apperr.Invalid):
			wrong++
		case !apperr.Is(err, apperr.RateLimited):
			t.Errorf("a wrong try: %v", err)
		}
	}
	if wrong != delivery.MaxTries-1 {
		t.Errorf("%d of %d wrong codes at once were looked at before the lock, want %d", wrong, n, delivery.MaxTries-1)
	}

	later := now.Add(delivery.Lockout)
	if err := env.s.UpdateCodes(t.Context(), c.ID, later, func(cs delivery.Codes) (delivery.Codes, *mail.Message, error) {
		next, err := cs.Issue("right", later)
		return next, nil, err
	}); err != nil {
		t.Fatal(err)
	}
	errs = race(t, stores, racers, func(i int, s *Store) error {
		return s.UpdateCodes(t.Context(), c.ID, later, func(cs delivery.Codes) (delivery.Codes, *mail.Message, error) {
			next, err := cs.Try("right", fmt.Sprintf("grant%d", i), later)
			return next, nil, err
		})
	})
	opened := 0
	for _, err := range errs {
		if err == nil {
			opened++
		}
	}
	if opened != 1 {
		t.Errorf("one right code entered %d times at once opened %d grants, want 1", racers, opened)
	}
}

// An invitation link followed several times at once sets one password.
func TestConcurrentInviteAcceptedOnce(t *testing.T) {
	env := newTestStore(t)
	stores := instances(t, env)
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	who := audit.Entry{At: at, Actor: audit.System}
	compose := func(staff.Member) (mail.Message, error) {
		return mail.Message{To: "nina@praktijk.example", Subject: "Uitnodiging", Text: "Welkom"}, nil
	}
	if _, err := env.s.Invite(t.Context(), staff.NewMember{Email: "nina@praktijk.example", Name: "Nina Nieuw", Role: staff.Officer},
		"link-1", at.Add(time.Hour), who, compose); err != nil {
		t.Fatal(err)
	}
	errs := race(t, stores, racers, func(i int, s *Store) error {
		return s.AcceptInvite(t.Context(), "link-1", fmt.Sprintf("hash%d", i), at, "192.0.2.1")
	})
	accepted := 0
	for _, err := range errs {
		switch {
		case err == nil:
			accepted++
		case !apperr.Is(err, apperr.NotFound):
			t.Error(err)
		}
	}
	if accepted != 1 {
		t.Errorf("one invitation link followed %d times at once was accepted %d times, want 1", racers, accepted)
	}
}

// A second factor confirmed twice at once (a double submit) is enabled
// once: the recovery codes shown for the other attempt are never stored.
func TestConcurrentTOTPEnabledOnce(t *testing.T) {
	env := newTestStore(t)
	stores := instances(t, env)
	m := addStaff(t, env.s, "totp@zorg.example", "h", false)
	if err := env.s.SetPendingTOTP(t.Context(), m.ID, "SECRET1"); err != nil {
		t.Fatal(err)
	}
	errs := race(t, stores, racers, func(i int, s *Store) error {
		return s.EnableTOTP(t.Context(), m.ID, "SECRET1", 10, authNow, []string{fmt.Sprintf("codes-of-%d", i)})
	})
	enabled := 0
	for _, err := range errs {
		switch {
		case err == nil:
			enabled++
		case !apperr.Is(err, apperr.Conflict):
			t.Error(err)
		}
	}
	if enabled != 1 {
		t.Errorf("one pending secret confirmed %d times at once was enabled %d times, want 1", racers, enabled)
	}
}

// A write whose every attempt PostgreSQL aborts gives up after
// pgWriteAttempts with an Internal error, and none of its attempts is
// stored.
func TestPostgresWriteGivesUp(t *testing.T) {
	if !dbtest.OnPostgres() {
		t.Skip("PostgreSQL only: SQLite has one writer and no serialization failures")
	}
	env := newTestStore(t)
	attempts := 0
	err := env.s.write(t.Context(), func(tx *gorm.DB) error {
		attempts++
		if err := tx.Create(&branchRow{Code: fmt.Sprintf("try%d", attempts), Name: "Poging"}).Error; err != nil {
			return err
		}
		return serializationFailure(tx)
	})
	if !apperr.Is(err, apperr.Internal) || attempts != pgWriteAttempts {
		t.Errorf("write = %v after %d attempts, want Internal after %d", err, attempts, pgWriteAttempts)
	}
	if got := storedBranchCodes(t, env.s); len(got) != 0 {
		t.Errorf("branches = %v, want none", got)
	}
}
