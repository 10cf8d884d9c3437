package report

import (
	"reflect"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/breach"
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
	r := Compute(Input{Facts: facts}, year)

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
		{"January decided", r.Months[0].Decided, 1},
		{"January on time", r.Months[0].OnTime, 1},
		{"January days", r.Months[0].MedianDays, 30},
		{"March decided", r.Months[2].Decided, 2},
		{"March on time (the extended one)", r.Months[2].OnTime, 1},
		{"March on time after an extension", r.Months[2].OnTimeExtended, 1},
		{"March late", r.Months[2].Late, 1},
		{"March median of 10, 80", r.Months[2].MedianDays, 10},
		{"March p90 of 10, 80", r.Months[2].P90Days, 80},
		{"December decided (open)", r.Months[11].Decided, 0},
		{"December days (none)", r.Months[11].MedianDays, 0},
	}
	for _, tt := range ints {
		if tt.got != tt.want {
			t.Errorf("%s = %d, want %d", tt.name, tt.got, tt.want)
		}
	}
}

func TestComputeEmptyAndShortPeriods(t *testing.T) {
	r := Compute(Input{}, Period{day(t, "2026-01-01"), day(t, "2026-12-31")})
	if r.Received != 0 || r.Decided != 0 || r.MedianDays != 0 || r.P90Days != 0 || len(r.Grounds) != 0 {
		t.Errorf("empty report = %+v", r)
	}
	if count(r.PerRight, "access") != 0 || len(r.Months) != 12 {
		t.Errorf("empty report lists rights %v and months %d", r.PerRight, len(r.Months))
	}
	across := Compute(Input{}, Period{day(t, "2025-11-15"), day(t, "2026-02-01")})
	if len(across.Months) != 4 || across.Months[0].Month != 11 || across.Months[3].Year != 2026 || across.Months[3].Month != 2 {
		t.Errorf("months across the year = %+v", across.Months)
	}
	if got := Compute(Input{}, Period{day(t, "2026-02-01"), day(t, "2026-01-01")}); len(got.Months) != 0 {
		t.Errorf("reversed period has months %+v", got.Months)
	}
}

// Consents count in the period of their withdrawal, its first and last day
// included; the notices sent pass through as given, nil while not counted.
func TestComputeConsentsAndNotices(t *testing.T) {
	year := Period{day(t, "2026-01-01"), day(t, "2026-12-31")}
	withdrawals := []deadline.Date{day(t, "2025-12-31"), day(t, "2026-01-01"), day(t, "2026-07-15"), day(t, "2026-12-31"), day(t, "2027-01-01")}
	for _, tt := range []struct {
		name   string
		period Period
		want   int
	}{
		{"a year, its first and last day included", year, 3},
		{"one day", Period{day(t, "2026-07-15"), day(t, "2026-07-15")}, 1},
		{"a period without withdrawals", Period{day(t, "2026-02-01"), day(t, "2026-06-30")}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Compute(Input{Withdrawals: withdrawals}, tt.period).ConsentsWithdrawn; got != tt.want {
				t.Errorf("ConsentsWithdrawn = %d, want %d", got, tt.want)
			}
		})
	}
	if got := Compute(Input{NoticesSent: 7}, year).NoticesSent; got != 7 {
		t.Errorf("NoticesSent = %d, want 7", got)
	}
}

// The breaches of a calendar year are the breach register's summary of that
// year, New Year's night included (breach.YearSummary); a shorter period
// counts the breaches of its days.
func TestComputeBreaches(t *testing.T) {
	amsterdam, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.ParseInLocation("2006-01-02 15:04", s, amsterdam)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	notified := func(aware time.Time, after time.Duration) []breach.Notification {
		return []breach.Notification{{Kind: breach.NotifyInitial, SubmittedAt: aware.Add(after)}}
	}
	told := at("2026-03-10 12:00")
	breaches := []breach.Breach{
		{Reference: "DL-2026-001", AwareAt: at("2026-03-02 09:00"), Notifications: notified(at("2026-03-02 09:00"), 20*time.Hour),
			Informed: &breach.Informing{At: &told}, Kinds: []breach.Kind{breach.Confidentiality}},
		{Reference: "DL-2026-002", AwareAt: at("2026-06-30 23:30"), Notifications: notified(at("2026-06-30 23:30"), 80*time.Hour)},
		{Reference: "DL-2026-003", AwareAt: at("2026-07-01 08:00")},
		// registered under 2025 a little after midnight: 2025's
		{Reference: "DL-2025-009", AwareAt: at("2026-01-01 00:20"), Notifications: notified(at("2026-01-01 00:20"), time.Hour)},
		{Reference: "DL-2027-001", AwareAt: at("2027-01-02 10:00")},
	}
	for _, year := range []int{2025, 2026, 2027} {
		p := Period{deadline.Date{Year: year, Month: time.January, Day: 1}, deadline.Date{Year: year, Month: time.December, Day: 31}}
		got, want := Compute(Input{Breaches: breaches, Location: amsterdam}, p).Breaches, breach.YearSummary(breaches, year)
		want.Year = 0
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%d: %+v\nwant the year summary %+v", year, got, want)
		}
	}
	for _, tt := range []struct {
		name                                          string
		from, to                                      string
		total, notified, inTime, late, informed, none int
	}{
		{"first half of 2026", "2026-01-01", "2026-06-30", 2, 2, 1, 1, 1, 0},
		{"second half of 2026", "2026-07-01", "2026-12-31", 1, 0, 0, 0, 0, 1},
		{"March only", "2026-03-01", "2026-03-31", 1, 1, 1, 0, 1, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := Compute(Input{Breaches: breaches, Location: amsterdam}, Period{day(t, tt.from), day(t, tt.to)}).Breaches
			if s.Total != tt.total || s.Notified != tt.notified || s.NotifiedInTime() != tt.inTime || s.Late != tt.late ||
				s.Informed != tt.informed || s.NotNotified != tt.none {
				t.Errorf("breaches = %+v; want total %d, notified %d (%d in time, %d late), informed %d, not notified %d",
					s, tt.total, tt.notified, tt.inTime, tt.late, tt.informed, tt.none)
			}
		})
	}
}
