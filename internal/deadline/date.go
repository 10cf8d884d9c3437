// Package deadline computes the response deadlines of data-subject requests
// under the AVG/GDPR (art. 12(3)), counted per Regulation (EEC, Euratom)
// No 1182/71 art. 3, with the Dutch (Algemene termijnenwet) and Belgian
// (wet van 4 januari 1974) public holidays. Which days are public holidays is
// left by Regulation 1182/71 art. 2(1) to the Member State concerned, hence
// one [Calendar] per country.
//
// The package is pure: it works on calendar days ([Date]) and never reads the
// wall clock. Callers turn a moment into a day with [DateOf] and the
// practice's time zone.
package deadline

import (
	"errors"
	"fmt"
	"time"
)

// Date is a calendar day without time zone, in the proleptic Gregorian
// calendar. The zero Date (0000-00-00) means "no date"; see [Date.IsZero].
//
// A Date whose fields do not name an existing day (say 2026-02-30) is not
// [Date.Valid]; arithmetic on it normalises it the way [time.Date] does
// (2026-02-30 counts as 2026-03-02).
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar day of t in loc. A web request at 00:30
// Amsterdam time on 1 August is received on 1 August even though UTC still
// says 31 July (DOMAIN.md §2: dates are calendar days in the practice's time
// zone). A nil loc means t's own location.
func DateOf(t time.Time, loc *time.Location) Date {
	if loc != nil {
		t = t.In(loc)
	}
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// ParseDate parses a date in the strict form YYYY-MM-DD (four-digit year,
// two-digit month and day, nothing else) and checks that the day exists, so
// "2026-02-30", "2026-2-3" and "2026-02-03T00:00" are all rejected.
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, fmt.Errorf("%w %q: want YYYY-MM-DD", ErrInvalidDate, s)
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return Date{}, fmt.Errorf("%w %q: want YYYY-MM-DD", ErrInvalidDate, s)
	}
	date := Date{Year: y, Month: time.Month(m), Day: d}
	if !date.Valid() {
		return Date{}, fmt.Errorf("%w %q: no such day", ErrInvalidDate, s)
	}
	return date, nil
}

// digits parses a string made only of ASCII digits.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// String returns the date as YYYY-MM-DD.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// IsZero reports whether d is the zero Date, meaning "no date".
func (d Date) IsZero() bool { return d == Date{} }

// Valid reports whether d names an existing day: month 1–12 and a day
// number that the month has (29 February only in leap years).
func (d Date) Valid() bool {
	return d.Month >= time.January && d.Month <= time.December &&
		d.Day >= 1 && d.Day <= daysIn(d.Year, d.Month)
}

// ErrInvalidDate is returned (wrapped) where a Date must name an existing day.
var ErrInvalidDate = errors.New("deadline: invalid date")

// AddDays returns the day n calendar days after d (before d if n < 0).
func (d Date) AddDays(n int) Date { return fromDays(d.days() + int64(n)) }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	// Day 0 of the internal count (1970-01-01) was a Thursday.
	return time.Weekday(floorMod(d.days()+4, 7))
}

// Compare returns -1 if d is before o, 0 if they are the same day and +1 if
// d is after o.
func (d Date) Compare(o Date) int {
	a, b := d.days(), o.days()
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is before o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is after o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// Equal reports whether d and o are the same day.
func (d Date) Equal(o Date) bool { return d.Compare(o) == 0 }

// In returns midnight at the start of d in loc (UTC if loc is nil). Where
// midnight does not exist in loc because of a clock change, the result is
// normalised as [time.Date] does.
func (d Date) In(loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// DaysBetween returns the number of calendar days from from to to: positive
// when to is later, negative when it is earlier, 0 on the same day.
func DaysBetween(from, to Date) int { return int(to.days() - from.days()) }

// AddMonths returns the day with the same day number as d, n months later
// (earlier if n < 0); when that month is too short it returns the month's
// last day. This is the end of a period "expressed in months" under
// Regulation 1182/71 art. 3(2)(c): 31 August + 1 month = 30 September,
// 31 January + 1 month = 28 (or 29) February.
func AddMonths(d Date, n int) Date {
	m := int(d.Month) - 1 + n
	y := d.Year + int(floorDiv(int64(m), 12))
	month := time.Month(floorMod(int64(m), 12) + 1)
	day := min(d.Day, daysIn(y, month))
	return Date{Year: y, Month: month, Day: day}
}

// Easter returns Easter Sunday of the given year in the Gregorian calendar,
// by the anonymous Gregorian algorithm (Meeus/Jones/Butcher). Good Friday,
// Easter Monday, Ascension Day and Whit Monday are counted from it.
func Easter(year int) Date {
	y := int64(year)
	a := floorMod(y, 19)
	b, c := floorDiv(y, 100), floorMod(y, 100)
	d, e := floorDiv(b, 4), floorMod(b, 4)
	f := floorDiv(b+8, 25)
	g := floorDiv(b-f+1, 3)
	h := floorMod(19*a+b-d-g+15, 30)
	i, k := floorDiv(c, 4), floorMod(c, 4)
	l := floorMod(32+2*e+2*i-h-k, 7)
	m := floorDiv(a+11*h+22*l, 451)
	month := floorDiv(h+l-7*m+114, 31)
	day := floorMod(h+l-7*m+114, 31) + 1
	return Date{Year: year, Month: time.Month(month), Day: int(day)}
}

// isLeap reports whether year is a Gregorian leap year.
func isLeap(year int) bool {
	return year%4 == 0 && (year%100 != 0 || year%400 == 0)
}

// daysIn returns the number of days of month m in year y.
func daysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if isLeap(y) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// days returns the number of days since 1970-01-01 (negative before it),
// using Howard Hinnant's days_from_civil. Out-of-range months and days are
// normalised first, as time.Date does.
func (d Date) days() int64 {
	m0 := int64(d.Month) - 1
	y := int64(d.Year) + floorDiv(m0, 12)
	m := floorMod(m0, 12) + 1 // 1..12
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400              // [0, 399]
	doy := (153*((m+9)%12) + 2) / 5 // day of the year (from 1 March) of the 1st of month m
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468 + int64(d.Day) - 1 // a day beyond the month carries on
}

// fromDays is the inverse of Date.days (Hinnant's civil_from_days).
func fromDays(z int64) Date {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return Date{Year: int(y), Month: time.Month(m), Day: int(d)}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }
