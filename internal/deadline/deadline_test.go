package deadline

import (
	"testing"
	"time"
)

// TestWorkedExamples is the worked-examples table of DOMAIN.md §2, row by
// row, including the weekdays the table names.
func TestWorkedExamples(t *testing.T) {
	for _, tc := range []struct {
		name     string
		country  Country
		received string
		recvDay  time.Weekday
		extended bool
		rawEnd   string
		rawDay   time.Weekday
		due      string
		dueDay   time.Weekday
		noticeBy string // only checked when set
	}{
		{"month-end clamp, then weekend", NL, "2026-01-30", time.Friday, false, "2026-02-28", time.Saturday, "2026-03-02", time.Monday, ""},
		{"clamp only", NL, "2026-03-31", time.Tuesday, false, "2026-04-30", time.Thursday, "2026-04-30", time.Thursday, ""},
		{"King's Day", NL, "2026-03-27", time.Friday, false, "2026-04-27", time.Monday, "2026-04-28", time.Tuesday, ""},
		{"Christmas + weekend", NL, "2026-11-25", time.Wednesday, false, "2026-12-25", time.Friday, "2026-12-28", time.Monday, ""},
		{"Good Friday, weekend, Easter Monday", NL, "2027-02-26", time.Friday, false, "2027-03-26", time.Friday, "2027-03-30", time.Tuesday, ""},
		{"5 May, then Ascension", NL, "2027-04-05", time.Monday, false, "2027-05-05", time.Wednesday, "2027-05-07", time.Friday, ""},
		{"leap year", NL, "2028-01-31", time.Monday, false, "2028-02-29", time.Tuesday, "2028-02-29", time.Tuesday, ""},
		{"received on a weekend; Christmas Mon+Tue", NL, "2028-11-25", time.Saturday, false, "2028-12-25", time.Monday, "2028-12-27", time.Wednesday, ""},
		{"extension (notice due by Mon 2026-03-02)", NL, "2026-01-31", time.Saturday, true, "2026-04-30", time.Thursday, "2026-04-30", time.Thursday, "2026-03-02"},
		{"3 months + clamp + weekend", NL, "2026-11-30", time.Monday, true, "2027-02-28", time.Sunday, "2027-03-01", time.Monday, ""},
		{"Belgian national day", BE, "2026-06-21", time.Sunday, false, "2026-07-21", time.Tuesday, "2026-07-22", time.Wednesday, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cal := mustCalendar(t, tc.country)
			received := mustParse(t, tc.received)
			if received.Weekday() != tc.recvDay {
				t.Fatalf("received %v is a %v, the table says %v", received, received.Weekday(), tc.recvDay)
			}
			months := 1
			if tc.extended {
				months = 3
			}
			raw := rawEnd(received, months, 0)
			if raw.String() != tc.rawEnd || raw.Weekday() != tc.rawDay {
				t.Fatalf("raw end = %v (%v), want %s (%v)", raw, raw.Weekday(), tc.rawEnd, tc.rawDay)
			}
			got := Compute(cal, received, 0, tc.extended)
			if got.Due.String() != tc.due || got.Due.Weekday() != tc.dueDay {
				t.Fatalf("Due = %v (%v), want %s (%v)", got.Due, got.Due.Weekday(), tc.due, tc.dueDay)
			}
			if tc.extended && got.ExtendedDue != got.Due {
				t.Fatalf("extended: ExtendedDue %v != Due %v", got.ExtendedDue, got.Due)
			}
			if !tc.extended && got.OriginalDue != got.Due {
				t.Fatalf("not extended: OriginalDue %v != Due %v", got.OriginalDue, got.Due)
			}
			if tc.noticeBy != "" && got.ExtensionNoticeBy.String() != tc.noticeBy {
				t.Fatalf("ExtensionNoticeBy = %v, want %s", got.ExtensionNoticeBy, tc.noticeBy)
			}
			if got.ExtensionNoticeBy != got.OriginalDue {
				t.Fatalf("ExtensionNoticeBy %v != OriginalDue %v", got.ExtensionNoticeBy, got.OriginalDue)
			}
		})
	}
}

func TestCompute(t *testing.T) {
	nl := mustCalendar(t, NL)
	be := mustCalendar(t, BE)
	ascensionFriday := mustCalendar(t, NL, day(2026, 5, 15))
	for _, tc := range []struct {
		name        string
		cal         Calendar
		received    string
		pause       int
		extended    bool
		original    string
		extendedDue string
	}{
		{"EDPB 5 March (Easter Sunday, Easter Monday)", nl, "2026-03-05", 0, false, "2026-04-07", "2026-06-05"},
		{"EDPB 31 August", nl, "2026-08-31", 0, false, "2026-09-30", "2026-11-30"},
		{"31 May to 30 June", nl, "2026-05-31", 0, false, "2026-06-30", "2026-08-31"},
		{"29 January, non-leap: 28 Feb is a Sunday", nl, "2027-01-29", 0, false, "2027-03-01", "2027-04-29"},
		{"received 29 February", nl, "2028-02-29", 0, true, "2028-03-29", "2028-05-29"},
		{"received on a Sunday", nl, "2026-03-01", 0, false, "2026-04-01", "2026-06-01"},
		{"received on Christmas", nl, "2026-12-25", 0, false, "2027-01-25", "2027-03-25"},
		{"pause 5 days into Christmas", nl, "2026-11-20", 5, false, "2026-12-28", "2027-02-25"},
		{"pause 7 days into King's Day", nl, "2026-03-20", 7, false, "2026-04-28", "2026-06-29"},
		{"pause after the month-end clamp", nl, "2026-01-31", 1, false, "2026-03-02", "2026-05-01"},
		{"pause lands on a working day", nl, "2026-01-30", 3, false, "2026-03-03", "2026-05-04"},
		{"negative pause counts as zero", nl, "2026-01-30", -4, false, "2026-03-02", "2026-04-30"},
		{"King's Day on a Sunday: 2025 is Saturday 26 April", nl, "2025-03-26", 0, false, "2025-04-28", "2025-06-26"},
		{"2025: 27 April is a Sunday anyway", nl, "2025-03-27", 0, false, "2025-04-28", "2025-06-27"},
		{"extra day after Ascension", ascensionFriday, "2026-04-14", 0, false, "2026-05-18", "2026-07-14"},
		{"same without the extra day", nl, "2026-04-14", 0, false, "2026-05-15", "2026-07-14"},
		{"BE: 1 May", be, "2026-04-01", 0, false, "2026-05-04", "2026-07-01"},
		{"BE: Good Friday is a working day", be, "2027-02-26", 0, false, "2027-03-26", "2027-05-26"},
		{"BE: Armistice, extended", be, "2026-08-11", 0, true, "2026-09-11", "2026-11-12"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Compute(tc.cal, mustParse(t, tc.received), tc.pause, tc.extended)
			if got.OriginalDue.String() != tc.original {
				t.Errorf("OriginalDue = %v (%v), want %s", got.OriginalDue, got.OriginalDue.Weekday(), tc.original)
			}
			if got.ExtendedDue.String() != tc.extendedDue {
				t.Errorf("ExtendedDue = %v (%v), want %s", got.ExtendedDue, got.ExtendedDue.Weekday(), tc.extendedDue)
			}
			want := got.OriginalDue
			if tc.extended {
				want = got.ExtendedDue
			}
			if got.Due != want || got.ExtensionNoticeBy != got.OriginalDue {
				t.Errorf("Due = %v, ExtensionNoticeBy = %v; inconsistent with %+v", got.Due, got.ExtensionNoticeBy, got)
			}
		})
	}
}

func TestPauseDays(t *testing.T) {
	for _, tc := range []struct {
		name            string
		asked, answered string
		want            int
	}{
		{"Monday to Wednesday", "2026-03-02", "2026-03-04", 2},
		{"same day", "2026-03-02", "2026-03-02", 0},
		{"answer before question", "2026-03-04", "2026-03-02", 0},
		{"over a month end", "2026-02-27", "2026-03-02", 3},
		{"over 29 February", "2028-02-28", "2028-03-01", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := PauseDays(mustParse(t, tc.asked), mustParse(t, tc.answered)); got != tc.want {
				t.Fatalf("PauseDays(%s, %s) = %d, want %d", tc.asked, tc.answered, got, tc.want)
			}
		})
	}
}

// FuzzCompute checks the invariants of Compute for any receipt date, pause,
// country and extra day: Due is a working day, not before the raw end, with
// no working day between the raw end and Due; OriginalDue <= ExtendedDue;
// and the dates round-trip through String and ParseDate.
func FuzzCompute(f *testing.F) {
	f.Add(2026, 1, 30, 0, false, false, 0)
	f.Add(2026, 1, 31, 0, true, false, 0)
	f.Add(2026, 11, 25, 5, false, false, 3)
	f.Add(2026, 6, 21, 0, false, true, 0)
	f.Add(2028, 2, 29, 30, true, false, -2)
	f.Add(9998, 12, 31, 365, true, true, 1)
	f.Fuzz(func(t *testing.T, year, month, dayNum, pause int, extended, belgian bool, extraOffset int) {
		// Fold the inputs into a valid receipt date in years 1..9998.
		y := 1 + int(floorMod(int64(year), 9998))
		m := time.Month(1 + floorMod(int64(month), 12))
		received := Date{Year: y, Month: m, Day: 1 + int(floorMod(int64(dayNum), int64(daysIn(y, m))))}
		pause = int(floorMod(int64(pause), 400)) - 10 // a few negatives too
		country := NL
		if belgian {
			country = BE
		}
		// One extra non-working day near the raw end.
		raw := rawEnd(received, 1, pause)
		cal, err := NewCalendar(country, []Date{raw.AddDays(int(floorMod(int64(extraOffset), 9)) - 2)})
		if err != nil {
			t.Fatal(err)
		}

		if got, err := ParseDate(received.String()); err != nil || got != received {
			t.Fatalf("ParseDate(%q) = %v, %v", received.String(), got, err)
		}

		d := Compute(cal, received, pause, extended)
		rawOrig, rawExt := raw, rawEnd(received, 3, pause)
		for _, c := range []struct {
			name    string
			due     Date
			rawDate Date
		}{
			{"OriginalDue", d.OriginalDue, rawOrig},
			{"ExtendedDue", d.ExtendedDue, rawExt},
		} {
			if !c.due.Valid() {
				t.Fatalf("%s %#v is not a valid date", c.name, c.due)
			}
			if !cal.IsWorkingDay(c.due) {
				t.Fatalf("%s %v (%v) is not a working day", c.name, c.due, c.due.Weekday())
			}
			if c.due.Before(c.rawDate) {
				t.Fatalf("%s %v is before the raw end %v", c.name, c.due, c.rawDate)
			}
			if gap := DaysBetween(c.rawDate, c.due); gap > 10 {
				t.Fatalf("%s %v is %d days after the raw end %v", c.name, c.due, gap, c.rawDate)
			}
			if n := cal.WorkingDaysBetween(c.rawDate.AddDays(-1), c.due); n != 1 {
				t.Fatalf("%s %v: %d working days in [%v, %v], want exactly 1", c.name, c.due, n, c.rawDate, c.due)
			}
			if c.due.Year <= 9999 {
				if got, err := ParseDate(c.due.String()); err != nil || got != c.due {
					t.Fatalf("ParseDate(%q) = %v, %v", c.due.String(), got, err)
				}
			}
		}
		if !d.OriginalDue.Before(d.ExtendedDue) {
			t.Fatalf("OriginalDue %v is not before ExtendedDue %v", d.OriginalDue, d.ExtendedDue)
		}
		if !d.OriginalDue.After(received) {
			t.Fatalf("OriginalDue %v is not after receipt %v", d.OriginalDue, received)
		}
		if d.ExtensionNoticeBy != d.OriginalDue {
			t.Fatalf("ExtensionNoticeBy %v != OriginalDue %v", d.ExtensionNoticeBy, d.OriginalDue)
		}
		want := d.OriginalDue
		if extended {
			want = d.ExtendedDue
		}
		if d.Due != want {
			t.Fatalf("Due %v, want %v (extended=%v)", d.Due, want, extended)
		}
	})
}
