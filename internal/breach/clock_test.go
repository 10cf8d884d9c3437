package breach

import (
	"slices"
	"testing"
	"time"
)

// mustAmsterdam returns the Europe/Amsterdam zone or stops the test.
func mustAmsterdam(tb testing.TB) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		tb.Fatalf("load Europe/Amsterdam: %v", err)
	}
	return loc
}

// ams returns the wall-clock time s ("2006-01-02 15:04") in Amsterdam.
func ams(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.ParseInLocation("2006-01-02 15:04", s, mustAmsterdam(tb))
	if err != nil {
		tb.Fatalf("parse %q: %v", s, err)
	}
	return t
}

func TestAPDeadline(t *testing.T) {
	const layout = "Mon 2006-01-02 15:04 MST"
	for _, tc := range []struct {
		name  string
		aware time.Time
		want  string // the deadline on Amsterdam's wall clock
	}{
		{"summer time starts (clock forward)", ams(t, "2026-03-27 18:00"), "Mon 2026-03-30 19:00 CEST"},
		{"summer time ends (clock back)", ams(t, "2026-10-23 18:00"), "Mon 2026-10-26 17:00 CET"},
		{"aware the evening before the change: the hour pushes past midnight", ams(t, "2026-03-28 23:30"), "Wed 2026-04-01 00:30 CEST"},
		{"aware just after the change", ams(t, "2026-03-29 03:00"), "Wed 2026-04-01 03:00 CEST"},
		{"aware in the repeated hour (first 02:30)", time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), "Wed 2026-10-28 01:30 CET"},
		{"ordinary summer week, no weekend extension", ams(t, "2026-06-10 09:30"), "Sat 2026-06-13 09:30 CEST"},
		{"ordinary winter week, Friday afternoon", ams(t, "2026-01-16 16:00"), "Mon 2026-01-19 16:00 CET"},
		{"over Christmas, no holiday extension", ams(t, "2026-12-24 12:00"), "Sun 2026-12-27 12:00 CET"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := APDeadline(tc.aware)
			if s := got.In(mustAmsterdam(t)).Format(layout); s != tc.want {
				t.Errorf("APDeadline(%v) = %s, want %s", tc.aware, s, tc.want)
			}
			if d := got.Sub(tc.aware); d != 72*time.Hour {
				t.Errorf("deadline is %v after awareness, want exactly 72h", d)
			}
		})
	}
}

func TestOwnTarget(t *testing.T) {
	aware := ams(t, "2026-03-27 18:00")
	for _, tc := range []struct {
		name  string
		hours int
		want  time.Time
	}{
		{"48 hours, across the change", 48, ams(t, "2026-03-29 19:00")},
		{"24 hours", 24, ams(t, "2026-03-28 18:00")},
		{"72 hours is the law", 72, APDeadline(aware)},
		{"no target", 0, APDeadline(aware)},
		{"negative is no target", -5, APDeadline(aware)},
		{"looser than the law", 96, APDeadline(aware)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := OwnTarget(aware, tc.hours); !got.Equal(tc.want) {
				t.Errorf("OwnTarget(%d) = %v, want %v", tc.hours, got, tc.want)
			}
		})
	}
}

func TestLateAndRemaining(t *testing.T) {
	aware := ams(t, "2026-10-23 18:00")
	deadline := APDeadline(aware)
	for _, tc := range []struct {
		name      string
		at        time.Time
		late      bool
		remaining time.Duration
	}{
		{"at awareness", aware, false, 72 * time.Hour},
		{"an hour before", deadline.Add(-time.Hour), false, time.Hour},
		{"exactly at 72 hours", deadline, false, 0},
		{"a nanosecond after", deadline.Add(time.Nanosecond), true, -time.Nanosecond},
		{"the next day", deadline.Add(24 * time.Hour), true, -24 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Late(tc.at, aware); got != tc.late {
				t.Errorf("Late = %v, want %v", got, tc.late)
			}
			if got := Remaining(tc.at, deadline); got != tc.remaining {
				t.Errorf("Remaining = %v, want %v", got, tc.remaining)
			}
		})
	}
}

func TestReminderDue(t *testing.T) {
	deadline := ams(t, "2026-03-30 19:00")
	for _, tc := range []struct {
		name string
		left time.Duration
		sent []string
		want []string
	}{
		{"two days left", 48 * time.Hour, nil, nil},
		{"just over a day", 24*time.Hour + time.Minute, nil, nil},
		{"a day left", 24 * time.Hour, nil, []string{Reminder24h}},
		{"23 hours, day reminder sent", 23 * time.Hour, []string{Reminder24h}, nil},
		{"7 hours, nothing sent", 7 * time.Hour, nil, []string{Reminder24h}},
		{"6 hours left", 6 * time.Hour, []string{Reminder24h}, []string{Reminder6h}},
		{"5 hours, nothing sent: only the urgent one", 5 * time.Hour, nil, []string{Reminder6h}},
		{"5 hours, both sent", 5 * time.Hour, []string{Reminder24h, Reminder6h}, nil},
		{"5 hours, 6-hour sent, no late day reminder", 5 * time.Hour, []string{Reminder6h}, nil},
		{"at the deadline", 0, []string{Reminder6h}, nil},
		{"a minute late", -time.Minute, []string{Reminder24h, Reminder6h}, []string{ReminderOverdue}},
		{"late, overdue sent", -time.Hour, []string{ReminderOverdue}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ReminderDue(deadline.Add(-tc.left), deadline, tc.sent)
			if !slices.Equal(got, tc.want) {
				t.Errorf("ReminderDue = %v, want %v", got, tc.want)
			}
		})
	}
}

// The practice's own target (here 48 hours) gets its own reminders, twelve
// and two hours before it, each once; a target no stricter than the law's
// 72 hours gets none.
func TestTargetReminderDue(t *testing.T) {
	aware := ams(t, "2026-03-27 18:00")
	target := OwnTarget(aware, 48)
	for _, tc := range []struct {
		name  string
		hours int
		left  time.Duration // before the 48-hour target
		sent  []string
		want  []string
	}{
		{"a day before the target", 48, 24 * time.Hour, nil, nil},
		{"just over 12 hours", 48, 12*time.Hour + time.Minute, nil, nil},
		{"12 hours before", 48, 12 * time.Hour, nil, []string{ReminderTarget12h}},
		{"11 hours, 12-hour sent", 48, 11 * time.Hour, []string{ReminderTarget12h}, nil},
		{"2 hours before", 48, 2 * time.Hour, []string{ReminderTarget12h}, []string{ReminderTarget2h}},
		{"an hour, nothing sent: only the urgent one", 48, time.Hour, nil, []string{ReminderTarget2h}},
		{"an hour, 2-hour sent", 48, time.Hour, []string{ReminderTarget12h, ReminderTarget2h}, nil},
		{"AP reminders do not count", 48, time.Hour, []string{Reminder24h}, []string{ReminderTarget2h}},
		{"target passed", 48, -time.Minute, nil, nil},
		{"no target", 0, 2 * time.Hour, nil, nil},
		{"a 72-hour target is no target", 72, 2 * time.Hour, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := TargetReminderDue(target.Add(-tc.left), aware, tc.hours, tc.sent)
			if !slices.Equal(got, tc.want) {
				t.Errorf("TargetReminderDue = %v, want %v", got, tc.want)
			}
		})
	}
}
