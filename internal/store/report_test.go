package store

import (
	"slices"
	"testing"

	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/register"
)

// ConsentWithdrawals returns the days of the withdrawals inside the period,
// its first and last day included, and nothing of consents that hold.
func TestConsentWithdrawals(t *testing.T) {
	s := consentStore(t)
	ctx := t.Context()
	for _, w := range []struct{ name, on string }{
		{"Test Een", "2025-12-31"}, {"Test Twee", "2026-01-01"}, {"Test Drie", "2026-06-15"}, {"Test Vier", "2026-12-31"}, {"Test Vijf", ""},
	} {
		c := addConsent(t, s, register.KeyNewsletter, w.name, "ouder@example.org")
		if w.on == "" {
			continue
		}
		if err := rawWrite(s).Model(&consentRow{}).Where("id = ?", c.ID).Update("withdrawn_on", w.on).Error; err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.ConsentWithdrawals(ctx, mustDate(t, "2026-01-01"), mustDate(t, "2026-12-31"))
	if err != nil {
		t.Fatal(err)
	}
	want := []deadline.Date{mustDate(t, "2026-01-01"), mustDate(t, "2026-06-15"), mustDate(t, "2026-12-31")}
	if !slices.Equal(got, want) {
		t.Errorf("ConsentWithdrawals = %v, want %v", got, want)
	}
}
