package breach

import (
	"slices"
	"time"

	"github.com/avgloket/avgloket/internal/deadline"
)

// Summary is a year (or another period) of the register in numbers, for the
// practice's annual review, the privacy officer's report and the
// accountability report.
type Summary struct {
	Year       int // the year of YearSummary; 0 for Summarize
	Total      int
	ByKind     map[Kind]int         // a breach of several kinds counts once for each
	ByIncident map[IncidentType]int // breaches without a type are under ""
	// Notified counts the breaches with an initial AP submission; Late
	// those of them submitted after the 72 hours; NotNotified the rest.
	Notified    int
	Late        int
	NotNotified int
	// Informed counts the breaches whose people were told (art. 34): the
	// day they were told is recorded.
	Informed int
	// Decided counts the breaches with a decision; the hours run from
	// AwareAt to the decision. Both are 0 when nothing was decided.
	Decided               int
	MedianHoursToDecision float64
	MaxHoursToDecision    float64
}

// NotifiedInTime counts the breaches notified to the AP within the 72
// hours.
func (s Summary) NotifiedInTime() int { return s.Notified - s.Late }

// YearSummary counts the breaches of year among breaches.
//
// Choice (DOMAIN.md is silent): a breach belongs to the year in its
// reference (DL-2026-… is 2026), the numbering the register shows; only a
// breach without a readable reference falls back to the year of AwareAt (in
// the location it carries).
// This keeps a breach discovered just around midnight on New Year's Eve in
// the year it was registered under, whatever time zone AwareAt is stored in.
func YearSummary(breaches []Breach, year int) Summary {
	s := Summarize(breaches, func(b Breach) bool { return yearOf(b) == year })
	s.Year = year
	return s
}

// Summarize counts the breaches among breaches for which in reports true.
func Summarize(breaches []Breach, in func(Breach) bool) Summary {
	s := Summary{ByKind: map[Kind]int{}, ByIncident: map[IncidentType]int{}}
	var hours []float64
	for _, b := range breaches {
		if !in(b) {
			continue
		}
		s.Total++
		for _, k := range Kinds {
			if b.HasKind(k) {
				s.ByKind[k]++
			}
		}
		s.ByIncident[b.Incident]++
		if n, ok := b.FirstNotification(); ok {
			s.Notified++
			if Late(n.SubmittedAt, b.AwareAt) {
				s.Late++
			}
		} else {
			s.NotNotified++
		}
		if b.Informed != nil && b.Informed.At != nil && !b.Informed.At.IsZero() {
			s.Informed++
		}
		if b.Decision != nil && !b.Decision.DecidedAt.IsZero() {
			hours = append(hours, b.Decision.DecidedAt.Sub(b.AwareAt).Hours())
		}
	}
	s.Decided = len(hours)
	if len(hours) > 0 {
		slices.Sort(hours)
		s.MaxHoursToDecision = hours[len(hours)-1]
		mid := len(hours) / 2
		s.MedianHoursToDecision = hours[mid]
		if len(hours)%2 == 0 {
			s.MedianHoursToDecision = (hours[mid-1] + hours[mid]) / 2
		}
	}
	return s
}

// Day returns the day b belongs to in the register, in loc: the day the
// practice became aware of it, kept inside the year YearSummary counts it
// in (the last or first day of that year when AwareAt in loc falls in
// another, around New Year's Eve). A period of whole calendar years thus
// counts exactly the breaches of those years' summaries.
func (b Breach) Day(loc *time.Location) deadline.Date {
	d := deadline.DateOf(b.AwareAt, loc)
	switch y := yearOf(b); {
	case y < d.Year:
		return deadline.Date{Year: y, Month: time.December, Day: 31}
	case y > d.Year:
		return deadline.Date{Year: y, Month: time.January, Day: 1}
	}
	return d
}

// yearOf returns the register year of b.
func yearOf(b Breach) int {
	if y, _, ok := ParseReference(b.Reference); ok {
		return y
	}
	if b.AwareAt.IsZero() {
		return 0
	}
	return b.AwareAt.Year()
}
