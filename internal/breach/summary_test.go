package breach

import (
	"maps"
	"reflect"
	"testing"
	"time"
)

func TestYearSummary(t *testing.T) {
	// mk returns a breach of 2026 (unless ref says otherwise) decided after
	// hours hours (none when negative) and notified after notified hours
	// (not notified when negative).
	mk := func(ref string, incident IncidentType, kinds []Kind, hours, notified float64) Breach {
		aware := ams(t, "2026-05-04 09:00")
		b := Breach{Reference: ref, Title: "t", Description: "d", AwareAt: aware, Incident: incident, Kinds: kinds}
		if hours >= 0 {
			b.Decision = &Decision{InformPeople: InformNo, DecidedAt: aware.Add(time.Duration(hours * float64(time.Hour)))}
		}
		if notified >= 0 {
			b.Notifications = []Notification{{Kind: NotifyInitial, SubmittedAt: aware.Add(time.Duration(notified * float64(time.Hour)))}}
		}
		return b
	}
	c, i, a := Confidentiality, Integrity, Availability
	breaches := []Breach{
		mk("DL-2026-001", WrongRecipient, []Kind{c}, 2, 20),
		mk("DL-2026-002", WrongRecipient, []Kind{c}, 10, -1),
		mk("DL-2026-003", Malware, []Kind{c, i, a}, 30, 80), // late
		mk("DL-2026-004", LostDevice, []Kind{a}, 4, -1),
		mk("DL-2026-005", Hacking, []Kind{c}, -1, -1), // undecided
		mk("DL-2025-014", Theft, []Kind{c}, 1, 1),     // another year
	}
	// A breach without a reference counts in the year of its awareness.
	noRef := mk("", PublishedByMistake, []Kind{c}, 100, 50)
	breaches = append(breaches, noRef)
	old := mk("", Theft, nil, -1, -1)
	old.AwareAt = ams(t, "2025-12-31 23:00")
	breaches = append(breaches, old)

	for _, tc := range []struct {
		name string
		year int
		want Summary
	}{
		{"2026", 2026, Summary{
			Year: 2026, Total: 6,
			ByKind:     map[Kind]int{c: 5, i: 1, a: 2},
			ByIncident: map[IncidentType]int{WrongRecipient: 2, Malware: 1, LostDevice: 1, Hacking: 1, PublishedByMistake: 1},
			Notified:   3, Late: 1, NotNotified: 3,
			// decided after 2, 10, 30, 4 and 100 hours: median 10, max 100
			Decided: 5, MedianHoursToDecision: 10, MaxHoursToDecision: 100,
		}},
		{"2025, with a breach found on New Year's Eve", 2025, Summary{
			Year: 2025, Total: 2,
			ByKind:     map[Kind]int{c: 1},
			ByIncident: map[IncidentType]int{Theft: 2},
			Notified:   1, NotNotified: 1,
			Decided: 1, MedianHoursToDecision: 1, MaxHoursToDecision: 1,
		}},
		{"an empty year", 2030, Summary{Year: 2030, ByKind: map[Kind]int{}, ByIncident: map[IncidentType]int{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := YearSummary(breaches, tc.year)
			if !maps.Equal(got.ByKind, tc.want.ByKind) || !maps.Equal(got.ByIncident, tc.want.ByIncident) {
				t.Errorf("ByKind = %v, ByIncident = %v; want %v, %v", got.ByKind, got.ByIncident, tc.want.ByKind, tc.want.ByIncident)
			}
			got.ByKind, got.ByIncident, tc.want.ByKind, tc.want.ByIncident = nil, nil, nil, nil
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("YearSummary = %+v\nwant          %+v", got, tc.want)
			}
		})
	}

	t.Run("median of an even count", func(t *testing.T) {
		s := YearSummary([]Breach{
			mk("DL-2027-001", Theft, nil, 3, -1), mk("DL-2027-002", Theft, nil, 9, -1),
			mk("DL-2027-003", Theft, nil, 1, -1), mk("DL-2027-004", Theft, nil, 5, -1),
		}, 2027)
		if s.MedianHoursToDecision != 4 || s.MaxHoursToDecision != 9 || s.Decided != 4 {
			t.Errorf("median %v, max %v, decided %d; want 4, 9, 4", s.MedianHoursToDecision, s.MaxHoursToDecision, s.Decided)
		}
	})
}

// Informed counts the breaches whose people were told on a recorded day;
// NotifiedInTime the notifications within the 72 hours.
func TestSummaryInformedAndInTime(t *testing.T) {
	aware := ams(t, "2026-05-04 09:00")
	told := aware.Add(48 * time.Hour)
	notified := func(after time.Duration) []Notification {
		return []Notification{{Kind: NotifyInitial, SubmittedAt: aware.Add(after)}}
	}
	breaches := []Breach{
		{Reference: "DL-2026-001", AwareAt: aware, Notifications: notified(20 * time.Hour), Informed: &Informing{At: &told}},
		{Reference: "DL-2026-002", AwareAt: aware, Notifications: notified(73 * time.Hour), Informed: &Informing{How: "per brief"}},
		{Reference: "DL-2026-003", AwareAt: aware},
	}
	s := YearSummary(breaches, 2026)
	if s.Informed != 1 || s.Notified != 2 || s.Late != 1 || s.NotifiedInTime() != 1 {
		t.Errorf("informed %d, notified %d, late %d, in time %d; want 1, 2, 1, 1", s.Informed, s.Notified, s.Late, s.NotifiedInTime())
	}
}

// A breach's day is the day of awareness in the practice's time zone, kept
// inside the year of its reference; without a reference, the year of
// awareness.
func TestBreachDay(t *testing.T) {
	amsterdam := mustAmsterdam(t)
	for _, tc := range []struct {
		name, ref, aware, want string
	}{
		{"an ordinary day", "DL-2026-004", "2026-05-04 09:00", "2026-05-04"},
		{"late evening stays that day", "DL-2026-005", "2026-05-04 23:30", "2026-05-04"},
		{"New Year's night under last year's reference", "DL-2025-014", "2026-01-01 00:30", "2025-12-31"},
		{"New Year's Eve under next year's reference", "DL-2027-001", "2026-12-31 23:30", "2027-01-01"},
		{"no reference", "", "2026-03-01 10:00", "2026-03-01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := (Breach{Reference: tc.ref, AwareAt: ams(t, tc.aware)}).Day(amsterdam).String(); got != tc.want {
				t.Errorf("Day = %s, want %s", got, tc.want)
			}
		})
	}
}
