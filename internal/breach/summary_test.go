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
