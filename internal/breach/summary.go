package breach

import "slices"

// Summary is a year of the register in numbers, for the practice's annual
// review and the privacy officer's report.
type Summary struct {
	Year       int
	Total      int
	ByKind     map[Kind]int         // a breach of several kinds counts once for each
	ByIncident map[IncidentType]int // breaches without a type are under ""
	// Notified counts the breaches with an initial AP submission; Late
	// those of them submitted after the 72 hours; NotNotified the rest.
	Notified    int
	Late        int
	NotNotified int
	// Decided counts the breaches with a decision; the hours run from
	// AwareAt to the decision. Both are 0 when nothing was decided.
	Decided               int
	MedianHoursToDecision float64
	MaxHoursToDecision    float64
}

// YearSummary counts the breaches of year among breaches.
//
// Choice (DOMAIN.md is silent): a breach belongs to the year in its
// reference (DL-2026-… is 2026), the numbering the register shows; only a
// breach without a readable reference falls back to the year of AwareAt (in
// the location it carries).
// This keeps a breach discovered just around midnight on New Year's Eve in
// the year it was registered under, whatever time zone AwareAt is stored in.
func YearSummary(breaches []Breach, year int) Summary {
	s := Summary{Year: year, ByKind: map[Kind]int{}, ByIncident: map[IncidentType]int{}}
	var hours []float64
	for _, b := range breaches {
		if yearOf(b) != year {
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
