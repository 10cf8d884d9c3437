package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/representation"
	"github.com/avgloket/avgloket/internal/staff"
)

func TestSettingsRuleTable(t *testing.T) {
	a := newTestServer(t, withBranches("utrecht"))
	a.addMember(t, "owner@praktijk.example", staff.Owner)
	owner := a.signIn(t, "owner@praktijk.example")
	base := []string{"practice.name", "Praktijk Test", "practice.address", "Straat 1", "practice.kvk", "0123456789",
		"practice.privacy_email", "privacy@praktijk.example", "practice.time_zone", "Europe/Brussels",
		"practice.country", "BE", "practice.calendar", "BE", "practice.id_copy_days", "14", "practice.case_retention_days", "365", "practice.identity_pause", "on"}

	t.Run("a table with a gap is refused and nothing changes", func(t *testing.T) {
		bad := strings.Replace(string(representation.ExampleBE().JSON()), `"min_age": 12`, `"min_age": 13`, 1)
		p := owner.submit("/staff/settings", append(base, "practice.rules", bad)...)
		if p.Status != http.StatusUnprocessableEntity || p.textOf("f-practice-rules-error") == "" {
			t.Fatalf("status %d, want 422 with a message next to the table", p.Status)
		}
		if st, _ := a.store.Settings(t.Context()); st.RepresentationRules != "" || st.Calendar == "BE" {
			t.Fatalf("a refused form changed the settings: %+v", st)
		}
	})
	t.Run("the Belgian example is taken", func(t *testing.T) {
		p := owner.submit("/staff/settings", append(base, "practice.rules", string(representation.ExampleBE().JSON()))...)
		if p.location() != "/staff/settings" {
			t.Fatal("no redirect")
		}
		st, err := a.store.Settings(t.Context())
		if err != nil || st.Calendar != "BE" || st.Country != "BE" || st.IDCopyDays != 14 || st.TimeZone != "Europe/Brussels" {
			t.Fatalf("settings %+v %v", st, err)
		}
		r, err := representation.ParseRules([]byte(st.RepresentationRules))
		if err != nil {
			t.Fatal(err)
		}
		if band, ok := r.BandFor(13); !ok || band.Key != "12-17" {
			t.Fatalf("a 13-year-old falls in %q", band.Key)
		}
	})
}
