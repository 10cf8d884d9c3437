package breach

import (
	"maps"
	"strings"
	"testing"
	"time"
)

func TestReference(t *testing.T) {
	for _, tc := range []struct {
		year, seq int
		want      string
	}{{2026, 1, "DL-2026-001"}, {2026, 42, "DL-2026-042"}, {2027, 999, "DL-2027-999"}, {2027, 1000, "DL-2027-1000"}} {
		t.Run(tc.want, func(t *testing.T) {
			if got := FormatReference(tc.year, tc.seq); got != tc.want {
				t.Fatalf("FormatReference = %q, want %q", got, tc.want)
			}
			if y, s, ok := ParseReference(tc.want); !ok || y != tc.year || s != tc.seq {
				t.Errorf("ParseReference = %d, %d, %v", y, s, ok)
			}
		})
	}
	for _, bad := range []string{"", "DL-2026-1", "DL-2026-0001", "AVG-2026-0001", "DL-2026-000", "DL-26-001", "DL-2026-001x", "dl-2026-001", "DL-2026--01"} {
		t.Run("bad "+bad, func(t *testing.T) {
			if _, _, ok := ParseReference(bad); ok {
				t.Errorf("ParseReference(%q) accepted", bad)
			}
		})
	}
}

func TestCountValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Count
		want map[string]string
	}{
		{"unknown", Count{}, map[string]string{}},
		{"exact", Exactly(12), map[string]string{}},
		{"exact zero", Exactly(0), map[string]string{}},
		{"range", Between(10, 20), map[string]string{}},
		{"range of one", Between(5, 5), map[string]string{}},
		{"negative", Exactly(-1), map[string]string{"records.exact": "breach.count_negative"}},
		{"negative minimum", Between(-3, 2), map[string]string{"records.min": "breach.count_negative"}},
		{"upside down", Between(20, 10), map[string]string{"records.max": "breach.count_range"}},
		{"both", Count{Exact: ptr(3), Min: ptr(1), Max: ptr(5)}, map[string]string{"records.exact": "breach.count_exact_or_range"}},
		{"only a minimum", Count{Min: ptr(1)}, map[string]string{"records.max": "field.required"}},
		{"only a maximum", Count{Max: ptr(9)}, map[string]string{"records.min": "field.required"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.c.Validate("records"); !maps.Equal(got, tc.want) {
				t.Errorf("Validate = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestBreachValidate(t *testing.T) {
	now := ams(t, "2026-04-02 10:00")
	for _, tc := range []struct {
		name string
		edit func(b *Breach)
		want map[string]string
	}{
		{"complete", func(*Breach) {}, map[string]string{}},
		{"the API's minimum", func(b *Breach) { *b = Breach{Title: "t", AwareAt: b.AwareAt, Description: "d"} }, map[string]string{}},
		{"nothing", func(b *Breach) { *b = Breach{} }, map[string]string{
			"title": "field.required", "description": "field.required", "aware_at": "field.required"}},
		{"title too long", func(b *Breach) { b.Title = strings.Repeat("x", MaxTitle+1) }, map[string]string{"title": "field.too_long"}},
		{"aware in the future", func(b *Breach) { b.AwareAt = now.Add(time.Minute) }, map[string]string{"aware_at": "field.date_future"}},
		{"started after awareness", func(b *Breach) { b.StartedAt, b.EndedAt = ptr(b.AwareAt.Add(time.Hour)), nil }, map[string]string{"started_at": "breach.started_after_aware"}},
		{"ended before it started", func(b *Breach) { b.EndedAt = ptr(b.StartedAt.Add(-time.Hour)) }, map[string]string{"ended_at": "breach.ended_before_start"}},
		{"ended yet ongoing", func(b *Breach) { b.Ongoing = Yes }, map[string]string{"ended_at": "breach.ended_but_ongoing"}},
		{"ended, ongoing unknown", func(b *Breach) { b.Ongoing = Unanswered }, map[string]string{}},
		{"made-up answers", func(b *Breach) {
			b.MeasuresBefore.Encrypted, b.PeopleInOtherCountries = "maybe", "true"
		}, map[string]string{"measures_before.encrypted": "field.choose", "people_in_other_countries": "field.choose"}},
		{"unknown choices", func(b *Breach) {
			b.Kinds = []Kind{"secrecy"}
			b.Incident = "flood"
			b.DataCategories = []string{"shoe_size"}
			b.SpecialCategories = []string{"bsn"}
			b.AffectedGroups = []string{"pets"}
		}, map[string]string{"kinds": "field.choose", "incident_type": "field.choose", "data_categories": "field.choose",
			"special_categories": "field.choose", "affected_groups": "field.choose"}},
		{"other without saying what", func(b *Breach) { b.Incident, b.IncidentOther, b.DataOther = OtherIncident, "", " " },
			map[string]string{"incident_other": "field.required", "data_other": "field.required"}},
		{"bad counts", func(b *Breach) { b.Records, b.People = Between(5, 1), Exactly(-2) },
			map[string]string{"records.max": "breach.count_range", "people.exact": "breach.count_negative"}},
		{"bad assessment", func(b *Breach) { b.Assessment.EI = 0.6 }, map[string]string{"assessment.ei": "field.choose"}},
		{"late without a reason", func(b *Breach) { b.Notifications[0].SubmittedAt = b.AwareAt.Add(80 * time.Hour) },
			map[string]string{"late_reason": "breach.late_reason_required"}},
		{"late with a reason", func(b *Breach) {
			b.Notifications[0].SubmittedAt = b.AwareAt.Add(80 * time.Hour)
			b.LateReason = "Pas na onderzoek duidelijk."
		}, map[string]string{}},
		{"unknown notification kind", func(b *Breach) { b.Notifications = append(b.Notifications, Notification{Kind: "resend"}) },
			map[string]string{"notifications": "field.choose"}},
		{"NUL in a text", func(b *Breach) { b.Consequences = "a\x00b" }, map[string]string{"consequences": "field.invalid"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := fullBreach(t)
			tc.edit(&b)
			if got := b.Validate(now); !maps.Equal(got, tc.want) {
				t.Errorf("Validate = %v, want %v", got, tc.want)
			}
		})
	}
}
