package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkMetricsGauges is one scrape's read of the database at benchSmall
// and benchCases cases (the register of BenchmarkQueue, benchOpen of them
// open), and logs the figure at benchCases against the one at benchSmall
// and against one durable one-row insert (floor), measured in the same run.
// It runs only with -bench.
func BenchmarkMetricsGauges(b *testing.B) {
	ctx := context.Background()
	mean := map[int]time.Duration{}
	for _, n := range []int{benchSmall, benchCases} {
		s := benchStore(b, n)
		now := benchToday(n).In(amsterdam).Add(12 * time.Hour)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.MetricsGauges(ctx, now); err != nil {
					b.Fatal(err)
				}
			}
			mean[n] = b.Elapsed() / time.Duration(b.N)
		})
	}
	insert := time.Duration(float64(time.Second) / floor(b))
	b.Logf("a scrape's read: %v at %d cases, %v at %d (%.2f×); one durable insert %v (the scrape %.2f× of it)",
		mean[benchCases], benchCases, mean[benchSmall], benchSmall, float64(mean[benchCases])/float64(mean[benchSmall]),
		insert, float64(mean[benchCases])/float64(insert))
}
