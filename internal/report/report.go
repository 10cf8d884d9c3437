// Package report computes the accountability report of AVG art. 5(2): how
// many requests a practice received, per right and per channel, how many it
// answered on time, how long answering took, how they ended and why
// refusals were given; beside them the consents withdrawn, the art. 19
// notices sent and the breach register's figures of the same period. It
// imports no web framework and no database library.
package report

import (
	"slices"
	"time"

	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
)

// Input is what a report is computed from.
type Input struct {
	Facts []Fact
	// Withdrawals are the days consents were withdrawn. The consent
	// registry belongs to the practice as a whole (a consent has no
	// branch), so these are the whole practice's.
	Withdrawals []deadline.Date
	// Breaches are entries of the breach register; those whose day
	// (breach.Breach.Day in Location) lies in the period are summarised.
	Breaches []breach.Breach
	Location *time.Location
	// NoticesSent is the number of art. 19 notices sent in the period:
	// mailed, or printed and marked posted.
	NoticesSent int
}

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

// Month is one calendar month of the period with the requests received in
// it: per right, in the order of casework.RequestTypes, and how those
// decided were answered.
type Month struct {
	Year     int
	Month    time.Month
	PerRight []int
	// Decided counts the month's requests decided; OnTime those of them
	// decided by the deadline in force, OnTimeExtended those of OnTime
	// decided after an extension, Late the rest.
	Decided, OnTime, OnTimeExtended, Late int
	// MedianDays and P90Days are as the Report's, over the month's
	// decided requests; zero when Decided is.
	MedianDays, P90Days int
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
	// ConsentsWithdrawn counts the consents withdrawn in the period, of the
	// whole practice (Input.Withdrawals).
	ConsentsWithdrawn int
	// NoticesSent is Input.NoticesSent.
	NoticesSent int
	// Breaches summarises the breaches of the period, by the breach
	// register's own rules (breach.Summarize).
	Breaches breach.Summary
}

// Compute makes the report of period p: the requests received in it (other
// facts are left out), the consents withdrawn in it, and the breaches of
// its days.
func Compute(in Input, p Period) Report {
	r := Report{Period: p, NoticesSent: in.NoticesSent}
	for _, d := range in.Withdrawals {
		if p.Contains(d) {
			r.ConsentsWithdrawn++
		}
	}
	r.Breaches = breach.Summarize(in.Breaches, func(b breach.Breach) bool { return p.Contains(b.Day(in.Location)) })
	perRight := map[casework.RequestType]int{}
	perChannel := map[casework.Channel]int{}
	outcomes := map[casework.Outcome]int{}
	grounds := map[string]int{}
	r.Months = months(p)
	var days []int
	monthDays := make([][]int, len(r.Months))
	for _, f := range in.Facts {
		if !p.Contains(f.ReceivedOn) {
			continue
		}
		r.Received++
		perRight[f.Type]++
		perChannel[f.Channel]++
		if f.PauseDays > 0 {
			r.Paused++
		}
		mi := monthIndex(p, f.ReceivedOn)
		m := &r.Months[mi]
		if t := slices.Index(casework.RequestTypes, f.Type); t >= 0 {
			m.PerRight[t]++
		}
		if f.DecidedOn.IsZero() {
			r.Open++
			continue
		}
		r.Decided++
		m.Decided++
		if f.DecidedOn.After(f.Due) {
			r.Late++
			m.Late++
		} else {
			r.OnTime++
			m.OnTime++
			if f.Extended {
				m.OnTimeExtended++
			}
		}
		if f.Extended {
			r.Extended++
		}
		outcomes[f.Outcome]++
		if f.Ground != "" {
			grounds[f.Ground]++
		}
		n := deadline.DaysBetween(f.ReceivedOn, f.DecidedOn)
		days = append(days, n)
		monthDays[mi] = append(monthDays[mi], n)
	}
	for i, ds := range monthDays {
		slices.Sort(ds)
		r.Months[i].MedianDays, r.Months[i].P90Days = Percentile(ds, 50), Percentile(ds, 90)
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

// monthIndex is the index in months(p) of d's month; d lies in p.
func monthIndex(p Period, d deadline.Date) int {
	return (d.Year-p.From.Year)*12 + int(d.Month) - int(p.From.Month)
}
