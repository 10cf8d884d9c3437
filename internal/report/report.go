// Package report computes the accountability report of AVG art. 5(2): how
// many requests a practice received, per right and per channel, how many it
// answered on time, how long answering took, how they ended and why
// refusals were given. It imports no web framework and no database library.
package report

import (
	"slices"
	"time"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
)

// Fact is what the report needs of one case.
type Fact struct {
	Type       casework.RequestType
	Channel    casework.Channel
	ReceivedOn deadline.Date
	// Due is the deadline in force (the extended one when Extended).
	Due      deadline.Date
	Extended bool
	// DecidedOn is the day the case was decided in the practice's time
	// zone; zero while it is open.
	DecidedOn deadline.Date
	Outcome   casework.Outcome
	Ground    string // the refusal ground's key; empty unless refused
	PauseDays int
}

// Period is the days from From to To, both included.
type Period struct{ From, To deadline.Date }

// Contains reports whether d lies in the period.
func (p Period) Contains(d deadline.Date) bool { return !d.Before(p.From) && !d.After(p.To) }

// Count is a key with how often it occurred.
type Count struct {
	Key string
	N   int
}

// Month is one calendar month of the period with its requests per right,
// in the order of casework.RequestTypes.
type Month struct {
	Year     int
	Month    time.Month
	PerRight []int
}

// Report is the figures for the requests received in a period.
type Report struct {
	Period     Period
	Received   int
	PerRight   []Count // every right, in the order of casework.RequestTypes
	PerChannel []Count // every channel, in the order of casework.Channels
	// Decided counts the requests decided; OnTime and Late split them by
	// the deadline in force, Extended counts those decided after an
	// extension. Open counts the requests not yet decided.
	Decided, OnTime, Late, Extended, Open int
	// MedianDays and P90Days are calendar days from receipt to decision,
	// by nearest rank; zero when nothing was decided.
	MedianDays, P90Days int
	Outcomes            []Count // every outcome, in the order of casework.Outcomes
	Grounds             []Count // the refusal grounds given, most frequent first
	Paused              int     // requests whose deadline was paused
	Months              []Month // every month the period touches
}

// Compute makes the report of the facts received in p; other facts are
// left out.
func Compute(facts []Fact, p Period) Report {
	r := Report{Period: p}
	perRight := map[casework.RequestType]int{}
	perChannel := map[casework.Channel]int{}
	outcomes := map[casework.Outcome]int{}
	grounds := map[string]int{}
	r.Months = months(p)
	var days []int
	for _, f := range facts {
		if !p.Contains(f.ReceivedOn) {
			continue
		}
		r.Received++
		perRight[f.Type]++
		perChannel[f.Channel]++
		if f.PauseDays > 0 {
			r.Paused++
		}
		if i := monthIndex(p, f.ReceivedOn); i >= 0 {
			if t := slices.Index(casework.RequestTypes, f.Type); t >= 0 {
				r.Months[i].PerRight[t]++
			}
		}
		if f.DecidedOn.IsZero() {
			r.Open++
			continue
		}
		r.Decided++
		if f.DecidedOn.After(f.Due) {
			r.Late++
		} else {
			r.OnTime++
		}
		if f.Extended {
			r.Extended++
		}
		outcomes[f.Outcome]++
		if f.Ground != "" {
			grounds[f.Ground]++
		}
		days = append(days, deadline.DaysBetween(f.ReceivedOn, f.DecidedOn))
	}
	for _, t := range casework.RequestTypes {
		r.PerRight = append(r.PerRight, Count{string(t), perRight[t]})
	}
	for _, c := range casework.Channels {
		r.PerChannel = append(r.PerChannel, Count{string(c), perChannel[c]})
	}
	for _, o := range casework.Outcomes {
		r.Outcomes = append(r.Outcomes, Count{string(o), outcomes[o]})
	}
	for g, n := range grounds {
		r.Grounds = append(r.Grounds, Count{g, n})
	}
	slices.SortFunc(r.Grounds, func(a, b Count) int {
		if a.N != b.N {
			return b.N - a.N
		}
		if a.Key < b.Key {
			return -1
		}
		return 1
	})
	slices.Sort(days)
	r.MedianDays, r.P90Days = Percentile(days, 50), Percentile(days, 90)
	return r
}

// Percentile returns the q-th percentile (0 < q <= 100) of sorted by the
// nearest-rank method: the smallest value with at least q% of the values at
// or below it. It returns 0 for an empty list.
func Percentile(sorted []int, q int) int {
	if len(sorted) == 0 {
		return 0
	}
	rank := (q*len(sorted) + 99) / 100 // ceil(q/100 * n)
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

// months lists every calendar month from p.From to p.To.
func months(p Period) []Month {
	var ms []Month
	if p.To.Before(p.From) {
		return ms
	}
	y, m := p.From.Year, p.From.Month
	for y < p.To.Year || (y == p.To.Year && m <= p.To.Month) {
		ms = append(ms, Month{Year: y, Month: m, PerRight: make([]int, len(casework.RequestTypes))})
		if m++; m > 12 {
			y, m = y+1, 1
		}
	}
	return ms
}

// monthIndex is the index in months(p) of d's month, -1 outside p.
func monthIndex(p Period, d deadline.Date) int {
	if !p.Contains(d) {
		return -1
	}
	return (d.Year-p.From.Year)*12 + int(d.Month) - int(p.From.Month)
}
