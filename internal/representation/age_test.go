package representation_test

import (
	"testing"

	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/representation"
)

// date parses a YYYY-MM-DD literal in a test table.
func date(tb testing.TB, s string) deadline.Date {
	tb.Helper()
	d, err := deadline.ParseDate(s)
	if err != nil {
		tb.Fatalf("ParseDate(%q): %v", s, err)
	}
	return d
}

func TestAgeOn(t *testing.T) {
	for _, tc := range []struct {
		name      string
		birth, on string
		want      int
	}{
		{"day before 12th birthday", "2014-03-10", "2026-03-09", 11},
		{"on 12th birthday", "2014-03-10", "2026-03-10", 12},
		{"day after 12th birthday", "2014-03-10", "2026-03-11", 12},
		{"day before 16th birthday", "2010-03-10", "2026-03-09", 15},
		{"on 16th birthday", "2010-03-10", "2026-03-10", 16},
		{"day after 16th birthday", "2010-03-10", "2026-03-11", 16},
		{"earlier month", "2014-06-15", "2026-05-20", 11},
		{"later month", "2014-06-15", "2026-07-01", 12},

		{"29 Feb: day before, leap year", "2012-02-29", "2024-02-28", 11},
		{"29 Feb: on the day, leap year", "2012-02-29", "2024-02-29", 12},
		{"29 Feb: 1 March, leap year", "2012-02-29", "2024-03-01", 12},
		{"29 Feb: 28 Feb, non-leap year", "2012-02-29", "2025-02-28", 12},
		{"29 Feb: 1 March, non-leap year", "2012-02-29", "2025-03-01", 13},
		{"29 Feb: 12th birthday in 2100 (not leap), 28 Feb", "2088-02-29", "2100-02-28", 11},
		{"29 Feb: 12th birthday in 2100 (not leap), 1 March", "2088-02-29", "2100-03-01", 12},
		{"29 Feb: 16th birthday in 2100 (not leap), 28 Feb", "2084-02-29", "2100-02-28", 15},
		{"29 Feb: 16th birthday in 2100 (not leap), 1 March", "2084-02-29", "2100-03-01", 16},
		{"29 Feb: 16th birthday, leap year", "2008-02-29", "2024-02-29", 16},

		{"received 1 Jan on 12th birthday", "2014-01-01", "2026-01-01", 12},
		{"received 31 Dec before 12th birthday", "2014-01-01", "2025-12-31", 11},
		{"received 31 Dec on 16th birthday", "2010-12-31", "2026-12-31", 16},
		{"received 30 Dec before 16th birthday", "2010-12-31", "2026-12-30", 15},
		{"received 1 Jan after 16th birthday", "2010-12-31", "2027-01-01", 16},
		{"received 1 Jan, born 31 Dec", "2013-12-31", "2026-01-01", 12},
		{"received 31 Dec, born 1 Jan", "2010-01-01", "2026-12-31", 16},

		{"day of birth", "2026-05-01", "2026-05-01", 0},
		{"before birth", "2026-05-01", "2026-04-30", -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := representation.AgeOn(date(t, tc.birth), date(t, tc.on)); got != tc.want {
				t.Fatalf("AgeOn(%s, %s) = %d, want %d", tc.birth, tc.on, got, tc.want)
			}
		})
	}
}
