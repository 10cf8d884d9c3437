package deadline

import (
	"errors"
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the host's zoneinfo
)

// day builds a Date; it is test shorthand and does not validate.
func day(y int, m time.Month, d int) Date { return Date{Year: y, Month: m, Day: d} }

// mustParse parses a YYYY-MM-DD literal in a test table.
func mustParse(t testing.TB, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatalf("ParseDate(%q): %v", s, err)
	}
	return d
}

func TestParseDate(t *testing.T) {
	valid := []struct {
		in   string
		want Date
	}{
		{"2026-01-30", day(2026, time.January, 30)},
		{"2024-02-29", day(2024, time.February, 29)}, // leap year
		{"2000-02-29", day(2000, time.February, 29)}, // divisible by 400
		{"2026-12-31", day(2026, time.December, 31)},
		{"0001-01-01", day(1, time.January, 1)},
		{"9999-12-31", day(9999, time.December, 31)},
	}
	for _, tc := range valid {
		t.Run("ok/"+tc.in, func(t *testing.T) {
			got, err := ParseDate(tc.in)
			if err != nil {
				t.Fatalf("ParseDate(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Fatalf("ParseDate(%q) = %#v, want %#v", tc.in, got, tc.want)
			}
			if got.String() != tc.in {
				t.Fatalf("String() = %q, want %q", got.String(), tc.in)
			}
		})
	}
	invalid := []string{
		"2026-02-30", "2026-02-29", "1900-02-29", "2026-04-31", "2026-13-01",
		"2026-00-10", "2026-01-00", "2026-01-32", "2026-2-3", "26-02-03",
		"", "junk", "yyyy-mm-dd", "2026-02-03T00:00", " 2026-02-03", "2026-02-03 ",
		"2026/02/03", "+026-02-03", "2026-+2-03", "2026-02--3", "２０２６-02-03",
		"03-02-2026",
	}
	for _, in := range invalid {
		t.Run("bad/"+in, func(t *testing.T) {
			d, err := ParseDate(in)
			if err == nil {
				t.Fatalf("ParseDate(%q) = %v, want an error", in, d)
			}
			if !errors.Is(err, ErrInvalidDate) {
				t.Fatalf("ParseDate(%q) error %v is not ErrInvalidDate", in, err)
			}
			if !d.IsZero() {
				t.Fatalf("ParseDate(%q) returned %v with the error, want the zero Date", in, d)
			}
		})
	}
}

func TestDateBasics(t *testing.T) {
	t.Run("zero", func(t *testing.T) {
		if !(Date{}).IsZero() || day(2026, 1, 1).IsZero() {
			t.Fatal("IsZero wrong")
		}
		if (Date{}).Valid() {
			t.Fatal("the zero Date must not be Valid")
		}
	})
	t.Run("compare", func(t *testing.T) {
		a, b := day(2026, 3, 31), day(2026, 4, 1)
		if !a.Before(b) || a.After(b) || a.Equal(b) || a.Compare(b) != -1 {
			t.Fatal("a < b not seen")
		}
		if !b.After(a) || b.Compare(a) != 1 || !a.Equal(a) || a.Compare(a) != 0 {
			t.Fatal("b > a not seen")
		}
		// Non-normalised dates compare as the day they stand for.
		if !day(2026, 2, 30).Equal(day(2026, 3, 2)) {
			t.Fatal("2026-02-30 should equal 2026-03-02")
		}
	})
	t.Run("weekday", func(t *testing.T) {
		for _, tc := range []struct {
			d    Date
			want time.Weekday
		}{
			{day(1970, 1, 1), time.Thursday},
			{day(2026, 1, 30), time.Friday},
			{day(2028, 2, 29), time.Tuesday},
			{day(1969, 12, 31), time.Wednesday},
			{day(1, 1, 1), time.Monday},
		} {
			if got := tc.d.Weekday(); got != tc.want {
				t.Errorf("%v.Weekday() = %v, want %v", tc.d, got, tc.want)
			}
		}
	})
	t.Run("add days and between", func(t *testing.T) {
		for _, tc := range []struct {
			from string
			n    int
			to   string
		}{
			{"2026-01-31", 1, "2026-02-01"},
			{"2028-02-28", 1, "2028-02-29"},
			{"2027-02-28", 1, "2027-03-01"},
			{"2026-12-31", 1, "2027-01-01"},
			{"2026-03-01", -1, "2026-02-28"},
			{"2026-01-01", 365, "2027-01-01"},
			{"2028-01-01", 366, "2029-01-01"},
			{"2026-06-15", 0, "2026-06-15"},
		} {
			from, to := mustParse(t, tc.from), mustParse(t, tc.to)
			if got := from.AddDays(tc.n); got != to {
				t.Errorf("%v.AddDays(%d) = %v, want %v", from, tc.n, got, to)
			}
			if got := DaysBetween(from, to); got != tc.n {
				t.Errorf("DaysBetween(%v, %v) = %d, want %d", from, to, got, tc.n)
			}
			if got := DaysBetween(to, from); got != -tc.n {
				t.Errorf("DaysBetween(%v, %v) = %d, want %d", to, from, got, -tc.n)
			}
		}
	})
	t.Run("agrees with package time 1800-2200", func(t *testing.T) {
		start := time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC)
		d := day(1800, 1, 1)
		for tt := start; tt.Year() < 2200; tt = tt.AddDate(0, 0, 1) {
			if want := DateOf(tt, time.UTC); d != want {
				t.Fatalf("AddDays walk reached %v, package time says %v", d, want)
			}
			if d.Weekday() != tt.Weekday() {
				t.Fatalf("%v.Weekday() = %v, want %v", d, d.Weekday(), tt.Weekday())
			}
			d = d.AddDays(1)
		}
	})
}

func TestAddMonths(t *testing.T) {
	for _, tc := range []struct {
		name string
		from string
		n    int
		want string
	}{
		{"EDPB 5 March", "2026-03-05", 1, "2026-04-05"},
		{"EDPB 31 August to 30-day September", "2026-08-31", 1, "2026-09-30"},
		{"31 March to 30 April", "2026-03-31", 1, "2026-04-30"},
		{"31 May to 30 June", "2026-05-31", 1, "2026-06-30"},
		{"31 October to 30 November", "2026-10-31", 1, "2026-11-30"},
		{"31 January to 28 February", "2026-01-31", 1, "2026-02-28"},
		{"30 January to 29 February leap", "2028-01-30", 1, "2028-02-29"},
		{"29 January to 28 February non-leap", "2027-01-29", 1, "2027-02-28"},
		{"29 February to 29 March", "2028-02-29", 1, "2028-03-29"},
		{"29 February plus a year", "2028-02-29", 12, "2029-02-28"},
		{"29 February plus four years", "2024-02-29", 48, "2028-02-29"},
		{"29 February 2000 plus 100 years", "2000-02-29", 1200, "2100-02-28"},
		{"30 November plus 3 into February", "2026-11-30", 3, "2027-02-28"},
		{"31 December to 31 January", "2026-12-31", 1, "2027-01-31"},
		{"over the year end", "2026-11-15", 3, "2027-02-15"},
		{"zero months", "2026-01-31", 0, "2026-01-31"},
		{"backwards with clamp", "2026-03-31", -1, "2026-02-28"},
		{"backwards over the year", "2026-01-15", -2, "2025-11-15"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := AddMonths(mustParse(t, tc.from), tc.n)
			if got.String() != tc.want {
				t.Fatalf("AddMonths(%s, %d) = %v, want %s", tc.from, tc.n, got, tc.want)
			}
		})
	}
}

func TestEaster(t *testing.T) {
	for _, want := range []string{
		"1818-03-22", // earliest possible
		"1943-04-25", // latest possible
		"2000-04-23", "2016-03-27", "2019-04-21", "2024-03-31", "2025-04-20",
		"2026-04-05", "2027-03-28", "2028-04-16", "2038-04-25", "2285-03-22",
	} {
		t.Run(want, func(t *testing.T) {
			d := mustParse(t, want)
			got := Easter(d.Year)
			if got != d {
				t.Fatalf("Easter(%d) = %v, want %v", d.Year, got, want)
			}
			if got.Weekday() != time.Sunday {
				t.Fatalf("Easter(%d) = %v is a %v", d.Year, got, got.Weekday())
			}
		})
	}
	t.Run("always a Sunday between 22 March and 25 April", func(t *testing.T) {
		for y := 1583; y <= 4099; y++ {
			e := Easter(y)
			if e.Weekday() != time.Sunday || e.Before(day(y, 3, 22)) || e.After(day(y, 4, 25)) {
				t.Fatalf("Easter(%d) = %v (%v)", y, e, e.Weekday())
			}
		}
	})
}

func TestDateOfTimeZone(t *testing.T) {
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		utc  string
		want string
	}{
		// Summer time (CEST, UTC+2): 22:30 UTC is 00:30 the next day.
		{"summer 21:30 UTC is 23:30 local", "2026-07-31T21:30:00Z", "2026-07-31"},
		{"summer 22:00 UTC is local midnight", "2026-07-31T22:00:00Z", "2026-08-01"},
		{"summer 22:30 UTC is 00:30 local", "2026-07-31T22:30:00Z", "2026-08-01"},
		{"summer 23:30 UTC is 01:30 local", "2026-07-31T23:30:00Z", "2026-08-01"},
		// Winter time (CET, UTC+1): 23:30 UTC is 00:30 the next day.
		{"winter 22:30 UTC is 23:30 local", "2026-01-31T22:30:00Z", "2026-01-31"},
		{"winter 22:59 UTC is 23:59 local", "2026-01-31T22:59:59Z", "2026-01-31"},
		{"winter 23:00 UTC is local midnight", "2026-01-31T23:00:00Z", "2026-02-01"},
		{"winter 23:30 UTC is 00:30 local", "2026-01-31T23:30:00Z", "2026-02-01"},
		{"new year's eve 23:30 UTC", "2026-12-31T23:30:00Z", "2027-01-01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm, err := time.Parse(time.RFC3339, tc.utc)
			if err != nil {
				t.Fatal(err)
			}
			if got := DateOf(tm, ams); got.String() != tc.want {
				t.Fatalf("DateOf(%s, Amsterdam) = %v, want %s", tc.utc, got, tc.want)
			}
		})
	}
	t.Run("nil location uses the time's own", func(t *testing.T) {
		tm := time.Date(2026, 8, 1, 0, 30, 0, 0, ams)
		if got := DateOf(tm, nil); got != day(2026, 8, 1) {
			t.Fatalf("DateOf(…, nil) = %v", got)
		}
		if got := DateOf(tm, time.UTC); got != day(2026, 7, 31) {
			t.Fatalf("DateOf(…, UTC) = %v", got)
		}
	})
	t.Run("In gives local midnight and round-trips, also on DST days", func(t *testing.T) {
		for _, s := range []string{"2026-03-29", "2026-10-25", "2026-08-01", "2026-02-01"} {
			d := mustParse(t, s)
			m := d.In(ams)
			if m.Hour() != 0 || m.Minute() != 0 || m.Location() != ams {
				t.Errorf("%v.In(ams) = %v, want local midnight", d, m)
			}
			if got := DateOf(m, ams); got != d {
				t.Errorf("DateOf(%v.In(ams)) = %v", d, got)
			}
			// The last nanosecond of the day still belongs to it.
			end := d.AddDays(1).In(ams).Add(-time.Nanosecond)
			if got := DateOf(end, ams); got != d {
				t.Errorf("DateOf(end of %v) = %v", d, got)
			}
		}
		if got := day(2026, 8, 1).In(nil); !got.Equal(time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("In(nil) = %v, want UTC midnight", got)
		}
	})
}
