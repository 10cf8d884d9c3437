package lang

import (
	"fmt"
	"time"

	"github.com/avgloket/avgloket/internal/deadline"
)

var (
	dutchDays   = [...]string{"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"}
	dutchMonths = [...]string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"}
)

// Date writes d in full, as people read it: "maandag 28 december 2026" or
// "Monday 28 December 2026".
func Date(c Code, d deadline.Date) string {
	if d.IsZero() {
		return ""
	}
	if c == EN {
		return fmt.Sprintf("%s %d %s %d", d.Weekday(), d.Day, d.Month, d.Year)
	}
	return fmt.Sprintf("%s %d %s %d", dutchDays[d.Weekday()], d.Day, dutchMonths[d.Month-1], d.Year)
}

// DateTime writes t in loc as a date with the time of day.
func DateTime(c Code, t time.Time, loc *time.Location) string {
	t = t.In(loc)
	return Date(c, deadline.DateOf(t, loc)) + ", " + t.Format("15:04")
}
