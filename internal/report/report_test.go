package report

import (
	"testing"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
)

func day(t *testing.T, s string) deadline.Date {
	t.Helper()
	d, err := deadline.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestPercentile(t *testing.T) {
	tests := []struct {
		name   string
		values []int
		q      int
		want   int
	}{
		{"empty", nil, 50, 0},
		{"one value", []int{7}, 90, 7},
		{"median of four is the second", []int{1, 2, 3, 4}, 50, 2},
		{"median of five is the third", []int{1, 2, 3, 4, 5}, 50, 3},
		{"p90 of ten is the ninth", []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90, 9},
		{"p90 of eleven is the tenth", []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 90, 10},
		{"p90 of three is the largest", []int{4, 20, 30}, 90, 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Percentile(tt.values, tt.q); got != tt.want {
				t.Errorf("Percentile(%v, %d) = %d, want %d", tt.values, tt.q, got, tt.want)
			}
		})
	}
}

func count(cs []Count, key string) int {
	for _, c := range cs {
		if c.Key == key {
			return c.N
		}
	}
	return -1
}

func TestCompute(t *testing.T) {
	year := Period{day(t, "2026-01-01"), day(t, "2026-12-31")}
	facts := []Fact{
		// decided on the due day: on time, 30 days
		{Type: casework.Access, Channel: casework.Web, ReceivedOn: day(t, "2026-01-01"), Due: day(t, "2026-01-31"),
			DecidedOn: day(t, "2026-01-31"), Outcome: casework.Granted},
		// decided the day after the due day: late, 10 days, refused
		{Type: casework.Erasure, Channel: casework.Email, ReceivedOn: day(t, "2026-03-05"), Due: day(t, "2026-03-14"),
			DecidedOn: day(t, "2026-03-15"), Outcome: casework.Refused, Ground: "legal_obligation", PauseDays: 3},
		// extended, decided within the extension: on time, 80 days, partly
		{Type: casework.Erasure, Channel: casework.Post, ReceivedOn: day(t, "2026-03-10"), Due: day(t, "2026-06-10"),
			Extended: true, DecidedOn: day(t, "2026-05-29"), Outcome: casework.PartiallyGranted, Ground: "legal_obligation"},
		// open, on the last day of the period
		{Type: casework.Access, Channel: casework.Web, ReceivedOn: day(t, "2026-12-31"), Due: day(t, "2027-01-31")},
		// outside the period on both sides
		{Type: casework.Access, Channel: casework.Web, ReceivedOn: day(t, "2025-12-31"), Due: day(t, "2026-01-31"),
			DecidedOn: day(t, "2026-01-05"), Outcome: casework.Granted},
		{Type: casework.Objection, Channel: casework.Phone, ReceivedOn: day(t, "2027-01-01"), Due: day(t, "2027-02-01")},
	}
	r := Compute(facts, year)

	ints := []struct {
		name      string
		got, want int
	}{
		{"received (boundaries in, outside out)", r.Received, 4},
		{"decided", r.Decided, 3},
		{"open", r.Open, 1},
		{"on time (due day included)", r.OnTime, 2},
		{"late (day after due)", r.Late, 1},
		{"extended", r.Extended, 1},
		{"median days of 10, 30, 80", r.MedianDays, 30},
		{"p90 days of 10, 30, 80", r.P90Days, 80},
		{"paused", r.Paused, 1},
		{"access", count(r.PerRight, "access"), 2},
		{"erasure", count(r.PerRight, "erasure"), 2},
		{"objection (only outside the period)", count(r.PerRight, "objection"), 0},
		{"web", count(r.PerChannel, "web"), 2},
		{"phone", count(r.PerChannel, "phone"), 0},
		{"granted", count(r.Outcomes, "granted"), 1},
		{"partially granted", count(r.Outcomes, "partially_granted"), 1},
		{"refused", count(r.Outcomes, "refused"), 1},
		{"withdrawn", count(r.Outcomes, "withdrawn"), 0},
		{"ground legal_obligation", count(r.Grounds, "legal_obligation"), 2},
		{"grounds given", len(r.Grounds), 1},
		{"every right listed", len(r.PerRight), len(casework.RequestTypes)},
		{"twelve months", len(r.Months), 12},
		{"January access", r.Months[0].PerRight[0], 1},
		{"March erasure", r.Months[2].PerRight[2], 2},
		{"December access", r.Months[11].PerRight[0], 1},
		{"February access", r.Months[1].PerRight[0], 0},
	}
	for _, tt := range ints {
		if tt.got != tt.want {
			t.Errorf("%s = %d, want %d", tt.name, tt.got, tt.want)
		}
	}
}

func TestComputeEmptyAndShortPeriods(t *testing.T) {
	r := Compute(nil, Period{day(t, "2026-01-01"), day(t, "2026-12-31")})
	if r.Received != 0 || r.Decided != 0 || r.MedianDays != 0 || r.P90Days != 0 || len(r.Grounds) != 0 {
		t.Errorf("empty report = %+v", r)
	}
	if count(r.PerRight, "access") != 0 || len(r.Months) != 12 {
		t.Errorf("empty report lists rights %v and months %d", r.PerRight, len(r.Months))
	}
	across := Compute(nil, Period{day(t, "2025-11-15"), day(t, "2026-02-01")})
	if len(across.Months) != 4 || across.Months[0].Month != 11 || across.Months[3].Year != 2026 || across.Months[3].Month != 2 {
		t.Errorf("months across the year = %+v", across.Months)
	}
	if got := Compute(nil, Period{day(t, "2026-02-01"), day(t, "2026-01-01")}); len(got.Months) != 0 {
		t.Errorf("reversed period has months %+v", got.Months)
	}
}
