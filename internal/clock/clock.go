// Package clock gives the rest of avgloket its notion of "now", so that
// deadlines, time-outs and retries can be tested without sleeping.
package clock

import (
	"sync"
	"time"
)

// Clock tells the current time and wakes those who wait for a later one.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives the clock's time once d has
	// passed on this clock (at once when d ≤ 0). The channel is buffered, so
	// nobody has to read it.
	After(d time.Duration) <-chan time.Time
}

// System is the real wall clock.
type System struct{}

// Now returns time.Now().
func (System) Now() time.Time { return time.Now() }

// After returns time.After(d).
func (System) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Fake is a clock that only moves when told to. It is safe for concurrent use.
type Fake struct {
	mu      sync.Mutex
	changed *sync.Cond // broadcast when a timer is added
	now     time.Time
	timers  []fakeTimer
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

// NewFake returns a Fake standing at t.
func NewFake(t time.Time) *Fake {
	f := &Fake{now: t}
	f.changed = sync.NewCond(&f.mu)
	return f
}

// Now returns the time the clock stands at.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// After returns a channel that receives the clock's time when Set or Advance
// bring it to now+d or later; at once when d ≤ 0.
func (f *Fake) After(d time.Duration) <-chan time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- f.now
		return ch
	}
	f.timers = append(f.timers, fakeTimer{at: f.now.Add(d), ch: ch})
	f.changed.Broadcast()
	return ch
}

// AwaitTimers blocks until at least n channels returned by After are waiting
// to fire: a test calls it to know that the code under test has gone to
// sleep before it moves the clock.
func (f *Fake) AwaitTimers(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for len(f.timers) < n {
		f.changed.Wait()
	}
}

// Set moves the clock to t and fires the timers due by then.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = t
	f.fire()
}

// Advance moves the clock forward by d and fires the timers due by then.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	f.fire()
}

// fire sends the time on every timer due by now and forgets them. The
// caller holds f.mu.
func (f *Fake) fire() {
	kept := f.timers[:0]
	for _, t := range f.timers {
		if t.at.After(f.now) {
			kept = append(kept, t)
			continue
		}
		t.ch <- f.now
	}
	f.timers = kept
}
