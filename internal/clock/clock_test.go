package clock

import (
	"testing"
	"time"
)

func TestFakeAfter(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	f := NewFake(t0)
	now := f.After(0)
	minute := f.After(time.Minute)
	hour := f.After(time.Hour)
	f.AwaitTimers(2) // the zero timer fired at once and is not pending
	fired := func(ch <-chan time.Time) (time.Time, bool) {
		select {
		case at := <-ch:
			return at, true
		default:
			return time.Time{}, false
		}
	}
	if at, ok := fired(now); !ok || !at.Equal(t0) {
		t.Errorf("After(0) = %v, %v; want %v at once", at, ok, t0)
	}
	f.Advance(time.Minute - time.Nanosecond)
	if _, ok := fired(minute); ok {
		t.Error("After(1m) fired before a minute passed")
	}
	f.Advance(time.Nanosecond)
	if at, ok := fired(minute); !ok || !at.Equal(t0.Add(time.Minute)) {
		t.Errorf("After(1m) = %v, %v; want %v", at, ok, t0.Add(time.Minute))
	}
	if _, ok := fired(hour); ok {
		t.Error("After(1h) fired after a minute")
	}
	f.Set(t0.Add(2 * time.Hour))
	if at, ok := fired(hour); !ok || !at.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("After(1h) after Set = %v, %v", at, ok)
	}
}
