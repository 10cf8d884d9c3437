package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/clock"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// memLease is a lease row as the storage package keeps it.
type memLease struct {
	holder          string
	expires         time.Time
	started, ended  time.Time
	lastErr         string
	takes, finishes int
}

// memLeases keeps leases in memory by the Leases contract.
type memLeases struct {
	mu   sync.Mutex
	rows map[string]*memLease
}

func newMemLeases() *memLeases { return &memLeases{rows: map[string]*memLease{}} }

func (m *memLeases) TakeLease(_ context.Context, job, holder string, now, until time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.rows[job]
	if !ok {
		l = &memLease{}
		m.rows[job] = l
	} else if l.expires.After(now) {
		return false, nil
	}
	l.holder, l.expires, l.started = holder, until, now
	l.takes++
	return true, nil
}

func (m *memLeases) FinishLease(_ context.Context, job, holder string, ended time.Time, lastErr string, next time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.rows[job]
	if !ok || l.holder != holder {
		return false, nil
	}
	l.holder, l.expires, l.ended, l.lastErr = "", next, ended, lastErr
	l.finishes++
	return true, nil
}

func (m *memLeases) row(job string) memLease {
	m.mu.Lock()
	defer m.mu.Unlock()
	if l, ok := m.rows[job]; ok {
		return *l
	}
	return memLease{}
}

// TestRunOncePerDueTime: two portals (two runners, two holders) over one
// store look at the same job, at the same moments; it runs once per due
// time, on whichever looked first.
func TestRunOncePerDueTime(t *testing.T) {
	clk := clock.NewFake(t0)
	leases := newMemLeases()
	runs := 0
	job := Job{Name: "reminders", Every: 10 * time.Minute, Lease: 20 * time.Minute,
		Do: func(context.Context) error { runs++; return nil }}
	a := NewRunner(leases, "host-a/1/x", clk, nil, nil)
	b := NewRunner(leases, "host-b/1/y", clk, nil, nil)

	steps := []struct {
		at       time.Duration // after t0
		wantRuns int           // in all, after both looked
	}{
		{0, 1},
		{time.Minute, 1},
		{10*time.Minute - time.Nanosecond, 1},
		{10 * time.Minute, 2},
		{15 * time.Minute, 2},
		{21 * time.Minute, 3},
	}
	for _, st := range steps {
		clk.Set(t0.Add(st.at))
		for _, r := range []*Runner{a, b, b, a} {
			if _, err := r.Run(t.Context(), job); err != nil {
				t.Fatalf("at +%v: Run: %v", st.at, err)
			}
		}
		if runs != st.wantRuns {
			t.Errorf("at +%v: %d runs, want %d", st.at, runs, st.wantRuns)
		}
	}
	if l := leases.row("reminders"); l.holder != "" || !l.expires.Equal(t0.Add(31*time.Minute)) || l.finishes != 3 {
		t.Errorf("lease after the runs = %+v; want given back until +31m after 3 runs", l)
	}
}

// TestExpiredLeaseTakenOver: a portal killed mid-run never gives its lease
// back; once the lease has run out another portal runs the job.
func TestExpiredLeaseTakenOver(t *testing.T) {
	clk := clock.NewFake(t0)
	leases := newMemLeases()
	job := Job{Name: "retention", Every: 10 * time.Minute, Lease: 20 * time.Minute}
	// The portal that died: it took the lease and was gone.
	if ok, err := leases.TakeLease(t.Context(), job.Name, "dead/1/x", t0, t0.Add(job.Lease)); !ok || err != nil {
		t.Fatalf("TakeLease = %v, %v", ok, err)
	}
	ran := false
	job.Do = func(context.Context) error { ran = true; return nil }
	b := NewRunner(leases, "host-b/1/y", clk, nil, nil)

	clk.Set(t0.Add(job.Lease - time.Nanosecond))
	if ok, err := b.Run(t.Context(), job); ok || err != nil || ran {
		t.Fatalf("before the lease ran out: Run = %v, %v (ran %v); want false, nil", ok, err, ran)
	}
	clk.Set(t0.Add(job.Lease))
	if ok, err := b.Run(t.Context(), job); !ok || err != nil || !ran {
		t.Fatalf("after the lease ran out: Run = %v, %v (ran %v); want true, nil", ok, err, ran)
	}
}

// TestLeaseLostDuringRun: a run that outlasts its lease, while another
// portal takes the job over, reports ErrLeaseLost, and its end does not
// overwrite the other portal's record.
func TestLeaseLostDuringRun(t *testing.T) {
	clk := clock.NewFake(t0)
	leases := newMemLeases()
	b := NewRunner(leases, "host-b/1/y", clk, nil, nil)
	other := Job{Name: "sweep", Every: time.Hour, Lease: 5 * time.Minute, Do: func(context.Context) error { return nil }}
	slow := other
	slow.Do = func(ctx context.Context) error {
		clk.Advance(6 * time.Minute)
		if ok, err := b.Run(ctx, other); !ok || err != nil {
			t.Errorf("takeover: Run = %v, %v", ok, err)
		}
		return nil
	}
	a := NewRunner(leases, "host-a/1/x", clk, nil, nil)
	if ok, err := a.Run(t.Context(), slow); !ok || !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("Run = %v, %v; want true, ErrLeaseLost", ok, err)
	}
	if l := leases.row("sweep"); !l.expires.Equal(t0.Add(6*time.Minute+time.Hour)) || l.finishes != 1 {
		t.Errorf("lease = %+v; want the takeover's record (due +1h6m)", l)
	}
}

// TestRunRecordsAndObserves: the observer hears of every run with its
// duration and error; the error is kept with the lease without addresses,
// and the job is due again after Every all the same.
func TestRunRecordsAndObserves(t *testing.T) {
	clk := clock.NewFake(t0)
	leases := newMemLeases()
	type seen struct {
		job  string
		took time.Duration
		err  error
	}
	var got []seen
	r := NewRunner(leases, "host-a/1/x", clk, func(job string, took time.Duration, err error) {
		got = append(got, seen{job, took, err})
	}, nil)
	boom := fmt.Errorf("queue reminder for ann.example@example.nl: %w", errors.New("disk full"))
	job := Job{Name: "breach-reminders", Every: 10 * time.Minute, Lease: time.Hour,
		Do: func(context.Context) error { clk.Advance(3 * time.Second); return boom }}
	if ok, err := r.Run(t.Context(), job); !ok || !errors.Is(err, boom) {
		t.Fatalf("Run = %v, %v; want true and the job's error", ok, err)
	}
	if len(got) != 1 || got[0].job != job.Name || got[0].took != 3*time.Second || got[0].err != boom {
		t.Errorf("observed %+v", got)
	}
	l := leases.row(job.Name)
	if want := "queue reminder for [address] disk full"; l.lastErr != want {
		t.Errorf("last error = %q, want %q", l.lastErr, want)
	}
	if !l.ended.Equal(t0.Add(3*time.Second)) || !l.expires.Equal(t0.Add(10*time.Minute)) {
		t.Errorf("lease = %+v; want ended +3s, due +10m", l)
	}
	job.Do = func(context.Context) error { return nil }
	clk.Advance(10 * time.Minute)
	if ok, err := r.Run(t.Context(), job); !ok || err != nil {
		t.Fatalf("second Run = %v, %v", ok, err)
	}
	if l := leases.row(job.Name); l.lastErr != "" {
		t.Errorf("last error after a good run = %q", l.lastErr)
	}
	if len(got) != 2 || got[1].err != nil {
		t.Errorf("observed %+v", got)
	}
}

func TestErrorText(t *testing.T) {
	long := make([]byte, 2*maxLastError)
	for i := range long {
		long[i] = 'x'
	}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"none", nil, ""},
		{"plain", errors.New("read cases: database is locked"), "read cases: database is locked"},
		{"address", errors.New("mail to <bo.example@example.org> refused"), "mail to [address] refused"},
		{"cut", errors.New(string(long)), string(long[:maxLastError])},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ErrorText(tc.err); got != tc.want {
				t.Errorf("ErrorText = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestNewHolder(t *testing.T) {
	a, b := NewHolder(), NewHolder()
	if a == b || a == "" {
		t.Errorf("NewHolder gave %q and %q; want two different names", a, b)
	}
}
