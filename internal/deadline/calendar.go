package deadline

import (
	"fmt"
	"strings"
	"time"
)

// Country selects the public holidays of a [Calendar]. It is a practice
// setting; NL is the default (DOMAIN.md §2).
type Country string

// The supported countries.
const (
	NL Country = "NL" // the Netherlands: Algemene termijnenwet art. 3
	BE Country = "BE" // Belgium: wet van 4 januari 1974 betreffende de feestdagen
)

// ParseCountry parses a country code, ignoring case and surrounding spaces:
// "NL", "nl" and " be " are accepted, anything else (including "") is an error.
func ParseCountry(s string) (Country, error) {
	switch c := Country(strings.ToUpper(strings.TrimSpace(s))); c {
	case NL, BE:
		return c, nil
	}
	return "", fmt.Errorf("deadline: unknown country %q: want NL or BE", s)
}

// ExtraDayName is what [Calendar.Holiday] returns for an extra non-working
// day that is not also a public holiday.
const ExtraDayName = "extra vrije dag"

// Calendar tells working days from non-working days for one country:
// Saturdays, Sundays, the country's public holidays and the practice's extra
// non-working days (such as days set by royal decree for a given year, under
// Algemene termijnenwet art. 3(3)) are not working days.
//
// Build one with [NewCalendar]. A Calendar is immutable and safe for
// concurrent use. The zero Calendar is the Dutch calendar without extra days.
type Calendar struct {
	country Country
	extra   map[Date]struct{}
}

// NewCalendar returns the calendar of country c with the given extra
// non-working days. It fails if c is not [NL] or [BE] or an extra day does
// not exist (errors.Is(err, [ErrInvalidDate])). Duplicates and extras that are
// already weekends or holidays are harmless. The slice is copied.
func NewCalendar(c Country, extra []Date) (Calendar, error) {
	if c != NL && c != BE {
		return Calendar{}, fmt.Errorf("deadline: unknown country %q: want NL or BE", string(c))
	}
	cal := Calendar{country: c}
	if len(extra) > 0 {
		cal.extra = make(map[Date]struct{}, len(extra))
		for _, d := range extra {
			if !d.Valid() {
				return Calendar{}, fmt.Errorf("%w: extra non-working day %s", ErrInvalidDate, d)
			}
			cal.extra[d] = struct{}{}
		}
	}
	return cal, nil
}

// Country returns the country whose public holidays c uses.
func (c Calendar) Country() Country {
	if c.country == "" {
		return NL
	}
	return c.country
}

// holiday is one public holiday in one year.
type holiday struct {
	date Date
	name string
}

// holidays returns the public holidays of country in year, in date order
// per kind (fixed dates first, then the ones that move with Easter). Easter
// Sunday and Whit Sunday are left out: they are Sundays anyway.
func holidays(country Country, year int) []holiday {
	easter := Easter(year)
	at := func(m time.Month, d int) Date { return Date{Year: year, Month: m, Day: d} }
	if country == BE {
		// Wet van 4 januari 1974 betreffende de feestdagen, art. 1 (with
		// the Belgian Dutch names). A holiday on a Sunday is replaced by a
		// day off for employees, but that replacement day is no public
		// holiday for the counting of periods, so it is not listed here.
		return []holiday{
			{at(time.January, 1), "Nieuwjaar"},
			{at(time.May, 1), "Feest van de Arbeid"},
			{at(time.July, 21), "Nationale feestdag"},
			{at(time.August, 15), "Onze-Lieve-Vrouw-Hemelvaart"},
			{at(time.November, 1), "Allerheiligen"},
			{at(time.November, 11), "Wapenstilstand"},
			{at(time.December, 25), "Kerstmis"},
			{easter.AddDays(1), "Paasmaandag"},
			{easter.AddDays(39), "Onze-Lieve-Heer-Hemelvaart"},
			{easter.AddDays(50), "Pinkstermaandag"},
		}
	}
	// Algemene termijnenwet art. 3(1): the generally recognised holidays;
	// art. 3(2): Good Friday counts as one too. King's Day is 27 April,
	// or 26 April when the 27th is a Sunday (the rule since 2014; the
	// earlier Koninginnedag on 30 April is not modelled). 5 May counts
	// every year, not only in lustrum years.
	kingsDay := at(time.April, 27)
	if kingsDay.Weekday() == time.Sunday {
		kingsDay = at(time.April, 26)
	}
	return []holiday{
		{at(time.January, 1), "Nieuwjaarsdag"},
		{kingsDay, "Koningsdag"},
		{at(time.May, 5), "Bevrijdingsdag"},
		{at(time.December, 25), "Eerste Kerstdag"},
		{at(time.December, 26), "Tweede Kerstdag"},
		{easter.AddDays(-2), "Goede Vrijdag"},
		{easter.AddDays(1), "Tweede Paasdag"},
		{easter.AddDays(39), "Hemelvaartsdag"},
		{easter.AddDays(50), "Tweede Pinksterdag"},
	}
}

// Holiday reports whether d is a non-working day other than a weekend, and
// gives its Dutch name: the public holiday's name (for example "Koningsdag",
// "Eerste Kerstdag", or for Belgium "Nationale feestdag"), or [ExtraDayName]
// for an extra day. When two holidays fall on the same day (Bevrijdingsdag
// and Hemelvaartsdag in 2016), the names are joined with " en ".
// Saturdays and Sundays that are no holiday give ok == false.
func (c Calendar) Holiday(d Date) (name string, ok bool) {
	d = fromDays(d.days()) // normalise
	var names []string
	for _, h := range holidays(c.Country(), d.Year) {
		if h.date == d {
			names = append(names, h.name)
		}
	}
	if len(names) > 0 {
		return strings.Join(names, " en "), true
	}
	if _, ok := c.extra[d]; ok {
		return ExtraDayName, true
	}
	return "", false
}

// IsWorkingDay reports whether d is a working day: not a Saturday or Sunday,
// not a public holiday and not an extra non-working day.
func (c Calendar) IsWorkingDay(d Date) bool {
	if isWeekend(d.Weekday()) {
		return false
	}
	_, holiday := c.Holiday(d)
	return !holiday
}

// NextWorkingDay returns d if it is a working day, else the first working
// day after it. This is the move of Regulation 1182/71 art. 3(4): a period
// whose last day is a public holiday, Saturday or Sunday ends with the
// expiry of the last hour of the following working day.
func (c Calendar) NextWorkingDay(d Date) Date {
	d = fromDays(d.days())
	for !c.IsWorkingDay(d) {
		d = d.AddDays(1)
	}
	return d
}

// WorkingDaysBetween counts the working days in (from, to]: after from, up to
// and including to. When to is before from it returns minus the number of
// working days in (to, from], so WorkingDaysBetween(today, due) reads as
// "nog 3 werkdagen" when positive and "2 werkdagen te laat" when negative,
// and WorkingDaysBetween(a, b) == -WorkingDaysBetween(b, a).
func (c Calendar) WorkingDaysBetween(from, to Date) int {
	if to.Before(from) {
		return -c.WorkingDaysBetween(to, from)
	}
	lo, hi := from.days()+1, to.days() // the range [lo, hi] of day numbers
	if lo > hi {
		return 0
	}
	n := weekdaysBefore(hi+1) - weekdaysBefore(lo)

	// Subtract every distinct holiday or extra day in the range that falls
	// on a Monday to Friday (weekends are already left out).
	off := make(map[int64]struct{})
	mark := func(d Date) {
		k := d.days()
		if k >= lo && k <= hi && !isWeekend(d.Weekday()) {
			off[k] = struct{}{}
		}
	}
	first, last := fromDays(lo).Year, fromDays(hi).Year
	for y := first; y <= last; y++ {
		for _, h := range holidays(c.Country(), y) {
			mark(h.date)
		}
	}
	for d := range c.extra {
		mark(d)
	}
	return int(n) - len(off)
}

// weekdaysBefore counts the Mondays to Fridays among the day numbers [0, n)
// (minus those in [n, 0) when n < 0). Day 0, 1970-01-01, was a Thursday.
func weekdaysBefore(n int64) int64 {
	// Weekdays among the first r days of a week starting on Thursday:
	// Thu, Fri, Sat, Sun, Mon, Tue, Wed.
	partial := [7]int64{0, 1, 2, 2, 2, 3, 4}
	return 5*floorDiv(n, 7) + partial[floorMod(n, 7)]
}

func isWeekend(w time.Weekday) bool { return w == time.Saturday || w == time.Sunday }
