package deadline

import (
	"errors"
	"testing"
)

func mustCalendar(t testing.TB, c Country, extra ...Date) Calendar {
	t.Helper()
	cal, err := NewCalendar(c, extra)
	if err != nil {
		t.Fatalf("NewCalendar(%s, %v): %v", c, extra, err)
	}
	return cal
}

func TestParseCountry(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Country
		ok   bool
	}{
		{"NL", NL, true}, {"nl", NL, true}, {" BE ", BE, true}, {"be", BE, true},
		{"", "", false}, {"DE", "", false}, {"NLD", "", false}, {"Nederland", "", false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseCountry(tc.in)
			if (err == nil) != tc.ok || got != tc.want {
				t.Fatalf("ParseCountry(%q) = %q, %v", tc.in, got, err)
			}
		})
	}
}

func TestNewCalendar(t *testing.T) {
	t.Run("unknown country", func(t *testing.T) {
		if _, err := NewCalendar("DE", nil); err == nil {
			t.Fatal("want an error for DE")
		}
		if _, err := NewCalendar("", nil); err == nil {
			t.Fatal("want an error for the empty country")
		}
	})
	t.Run("invalid extra day", func(t *testing.T) {
		for _, d := range []Date{{}, day(2026, 2, 30), day(2026, 13, 1)} {
			_, err := NewCalendar(NL, []Date{day(2026, 5, 15), d})
			if !errors.Is(err, ErrInvalidDate) {
				t.Errorf("NewCalendar with extra %v: err = %v, want ErrInvalidDate", d, err)
			}
		}
	})
	t.Run("extras are copied", func(t *testing.T) {
		extra := []Date{day(2026, 5, 15)}
		cal := mustCalendar(t, NL, extra...)
		extra[0] = day(2026, 6, 1)
		if cal.IsWorkingDay(day(2026, 5, 15)) || !cal.IsWorkingDay(day(2026, 6, 1)) {
			t.Fatal("the calendar changed with the caller's slice")
		}
	})
	t.Run("zero calendar is NL", func(t *testing.T) {
		var zero Calendar
		if zero.Country() != NL {
			t.Fatalf("Country() = %q", zero.Country())
		}
		if name, ok := zero.Holiday(day(2026, 4, 27)); !ok || name != "Koningsdag" {
			t.Fatalf("zero calendar: Holiday(2026-04-27) = %q, %v", name, ok)
		}
	})
	t.Run("country", func(t *testing.T) {
		if c := mustCalendar(t, BE).Country(); c != BE {
			t.Fatalf("Country() = %q", c)
		}
	})
}

func TestHolidays(t *testing.T) {
	nl, be := mustCalendar(t, NL), mustCalendar(t, BE)
	for _, tc := range []struct {
		cal  Calendar
		date string
		want string // "" means: not a holiday
	}{
		{nl, "2026-01-01", "Nieuwjaarsdag"},
		{nl, "2026-04-03", "Goede Vrijdag"},
		{nl, "2026-04-05", ""}, // Easter Sunday: a Sunday, not listed
		{nl, "2026-04-06", "Tweede Paasdag"},
		{nl, "2026-04-27", "Koningsdag"},
		{nl, "2026-05-05", "Bevrijdingsdag"},
		{nl, "2026-05-14", "Hemelvaartsdag"},
		{nl, "2026-05-24", ""}, // Whit Sunday
		{nl, "2026-05-25", "Tweede Pinksterdag"},
		{nl, "2026-12-25", "Eerste Kerstdag"},
		{nl, "2026-12-26", "Tweede Kerstdag"},
		{nl, "2026-05-01", ""}, // not a Dutch holiday
		{nl, "2026-07-21", ""},
		{nl, "2026-12-31", ""},
		// King's Day on a Sunday moves to Saturday 26 April.
		{nl, "2025-04-26", "Koningsdag"},
		{nl, "2025-04-27", ""},
		{nl, "2031-04-26", "Koningsdag"},
		{nl, "2031-04-27", ""},
		{nl, "2026-04-26", ""},
		// 5 May every year, not only in lustrum years.
		{nl, "2027-05-05", "Bevrijdingsdag"},
		// 2016: Ascension Day fell on 5 May.
		{nl, "2016-05-05", "Bevrijdingsdag en Hemelvaartsdag"},

		{be, "2026-01-01", "Nieuwjaar"},
		{be, "2026-04-03", ""}, // no Good Friday in Belgium
		{be, "2026-04-06", "Paasmaandag"},
		{be, "2026-04-27", ""}, // no King's Day in Belgium
		{be, "2026-05-01", "Feest van de Arbeid"},
		{be, "2026-05-05", ""},
		{be, "2026-05-14", "Onze-Lieve-Heer-Hemelvaart"},
		{be, "2026-05-25", "Pinkstermaandag"},
		{be, "2026-07-21", "Nationale feestdag"},
		{be, "2026-08-15", "Onze-Lieve-Vrouw-Hemelvaart"},
		{be, "2026-11-01", "Allerheiligen"},
		{be, "2026-11-11", "Wapenstilstand"},
		{be, "2026-12-25", "Kerstmis"},
		{be, "2026-12-26", ""}, // no Boxing Day in Belgium
		// 2008: Ascension Day fell on 1 May.
		{be, "2008-05-01", "Feest van de Arbeid en Onze-Lieve-Heer-Hemelvaart"},
	} {
		t.Run(string(tc.cal.Country())+"/"+tc.date, func(t *testing.T) {
			d := mustParse(t, tc.date)
			name, ok := tc.cal.Holiday(d)
			if name != tc.want || ok != (tc.want != "") {
				t.Fatalf("Holiday(%s) = %q, %v; want %q", tc.date, name, ok, tc.want)
			}
			if ok && tc.cal.IsWorkingDay(d) {
				t.Fatalf("%s is a holiday but IsWorkingDay says yes", tc.date)
			}
		})
	}
}

func TestWorkingDays(t *testing.T) {
	nl := mustCalendar(t, NL)
	extra := mustCalendar(t, NL, day(2026, 5, 15)) // the Friday after Ascension
	for _, tc := range []struct {
		name     string
		cal      Calendar
		date     string
		working  bool
		nextWork string
	}{
		{"plain Thursday", nl, "2026-02-26", true, "2026-02-26"},
		{"Saturday", nl, "2026-02-28", false, "2026-03-02"},
		{"Sunday", nl, "2026-03-01", false, "2026-03-02"},
		{"Good Friday to after Easter Monday", nl, "2027-03-26", false, "2027-03-30"},
		{"Christmas on Friday", nl, "2026-12-25", false, "2026-12-28"},
		{"Ascension then extra day then weekend", extra, "2026-05-14", false, "2026-05-18"},
		{"extra day", extra, "2026-05-15", false, "2026-05-18"},
		{"no extra day configured", nl, "2026-05-15", true, "2026-05-15"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := mustParse(t, tc.date)
			if got := tc.cal.IsWorkingDay(d); got != tc.working {
				t.Fatalf("IsWorkingDay(%s) = %v", tc.date, got)
			}
			if got := tc.cal.NextWorkingDay(d); got.String() != tc.nextWork {
				t.Fatalf("NextWorkingDay(%s) = %v, want %s", tc.date, got, tc.nextWork)
			}
		})
	}
	t.Run("extra day name", func(t *testing.T) {
		if name, ok := extra.Holiday(day(2026, 5, 15)); !ok || name != ExtraDayName {
			t.Fatalf("Holiday = %q, %v", name, ok)
		}
		// An extra day on a public holiday keeps the holiday's name.
		both := mustCalendar(t, NL, day(2026, 4, 27))
		if name, _ := both.Holiday(day(2026, 4, 27)); name != "Koningsdag" {
			t.Fatalf("Holiday = %q", name)
		}
	})
	t.Run("non-normalised input is normalised", func(t *testing.T) {
		// 2026-02-30 stands for Monday 2 March.
		if got := nl.NextWorkingDay(day(2026, 2, 30)); got != day(2026, 3, 2) {
			t.Fatalf("NextWorkingDay(2026-02-30) = %#v", got)
		}
	})
}

func TestWorkingDaysBetween(t *testing.T) {
	nl := mustCalendar(t, NL)
	be := mustCalendar(t, BE)
	extra := mustCalendar(t, NL, day(2026, 5, 15))
	for _, tc := range []struct {
		name     string
		cal      Calendar
		from, to string
		want     int
	}{
		{"same day", nl, "2026-03-02", "2026-03-02", 0},
		{"next day", nl, "2026-03-02", "2026-03-03", 1},
		{"over a weekend", nl, "2026-02-26", "2026-03-02", 2},
		{"to a Saturday", nl, "2026-02-26", "2026-02-28", 1},
		{"from a Saturday", nl, "2026-02-28", "2026-03-02", 1},
		{"weekend only", nl, "2026-02-27", "2026-03-01", 0},
		{"a full week", nl, "2026-03-02", "2026-03-09", 5},
		{"over Christmas", nl, "2026-12-24", "2026-12-29", 2},
		{"over Easter 2027", nl, "2027-03-25", "2027-03-30", 1},
		{"month of April 2026 NL", nl, "2026-03-31", "2026-04-30", 19},  // 22 weekdays − Good Fri, Easter Mon, King's Day
		{"month of April 2026 BE", be, "2026-03-31", "2026-04-30", 21},  // 22 − Easter Monday
		{"whole year 2026 NL", nl, "2025-12-31", "2026-12-31", 261 - 8}, // Tweede Kerstdag is a Saturday
		{"extra day counts as off", extra, "2026-05-13", "2026-05-18", 1},
		{"without the extra day", nl, "2026-05-13", "2026-05-18", 2},
		{"late: two working days", nl, "2026-03-04", "2026-03-02", -2},
		{"late over a weekend", nl, "2026-03-02", "2026-02-26", -2},
		{"late over Christmas", nl, "2026-12-29", "2026-12-24", -2},
		{"late by a weekend only", nl, "2026-03-01", "2026-02-27", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from, to := mustParse(t, tc.from), mustParse(t, tc.to)
			got := tc.cal.WorkingDaysBetween(from, to)
			if got != tc.want {
				t.Fatalf("WorkingDaysBetween(%s, %s) = %d, want %d", tc.from, tc.to, got, tc.want)
			}
			if back := tc.cal.WorkingDaysBetween(to, from); back != -got {
				t.Fatalf("reverse = %d, want %d", back, -got)
			}
			if naive := naiveWorkingDaysBetween(tc.cal, from, to); naive != got {
				t.Fatalf("day-by-day count = %d, fast count = %d", naive, got)
			}
		})
	}
	t.Run("agrees with day-by-day counting", func(t *testing.T) {
		start := day(2023, 12, 20)
		for _, cal := range []Calendar{nl, be, extra} {
			for i := 0; i < 800; i += 7 {
				for j := i; j < i+120; j += 3 {
					a, b := start.AddDays(i), start.AddDays(j)
					if got, want := cal.WorkingDaysBetween(a, b), naiveWorkingDaysBetween(cal, a, b); got != want {
						t.Fatalf("%s (%v, %v]: got %d, want %d", cal.Country(), a, b, got, want)
					}
				}
			}
		}
	})
}

// naiveWorkingDaysBetween counts day by day; the reference for the fast count.
func naiveWorkingDaysBetween(cal Calendar, from, to Date) int {
	sign := 1
	if to.Before(from) {
		from, to, sign = to, from, -1
	}
	n := 0
	for d := from.AddDays(1); !d.After(to); d = d.AddDays(1) {
		if cal.IsWorkingDay(d) {
			n++
		}
	}
	return sign * n
}

func TestWeekdaysBefore(t *testing.T) {
	// Check the closed formula against counting, around day 0 both ways.
	var count int64
	for n := int64(0); n < 30; n++ {
		if got := weekdaysBefore(n); got != count {
			t.Fatalf("weekdaysBefore(%d) = %d, want %d", n, got, count)
		}
		if !isWeekend(fromDays(n).Weekday()) {
			count++
		}
	}
	count = 0
	for n := int64(0); n > -30; n-- {
		if got := weekdaysBefore(n); got != -count {
			t.Fatalf("weekdaysBefore(%d) = %d, want %d", n, got, -count)
		}
		if !isWeekend(fromDays(n - 1).Weekday()) {
			count++
		}
	}
}
