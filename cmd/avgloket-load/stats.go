package main

import (
	"math"
	"slices"
	"time"
)

// percentile returns the p-th percentile (0 < p ≤ 100) of sorted by the
// nearest-rank method: the smallest value with at least p % of the values
// at or below it. It returns 0 for no values.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// latencies summarises request durations.
type latencies struct {
	N             int
	P50, P95, P99 time.Duration
	Max           time.Duration
}

// summarize sorts ds in place and returns its percentiles.
func summarize(ds []time.Duration) latencies {
	slices.Sort(ds)
	l := latencies{N: len(ds), P50: percentile(ds, 50), P95: percentile(ds, 95), P99: percentile(ds, 99)}
	if len(ds) > 0 {
		l.Max = ds[len(ds)-1]
	}
	return l
}

// ms is d in milliseconds with fractions, for tables.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
