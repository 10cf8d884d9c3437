package register

import (
	"slices"
	"testing"
)

// TestCountryList: KnownCountry searches the list by halves, so it must be
// sorted; ISO 3166-1 assigns 249 codes, and every EEA country is one.
func TestCountryList(t *testing.T) {
	if !slices.IsSorted(countries) {
		t.Error("the country list is not sorted")
	}
	if len(countries) != 249 || len(slices.Compact(slices.Clone(countries))) != 249 {
		t.Errorf("%d codes, want 249 distinct", len(countries))
	}
	for _, c := range eea {
		if !KnownCountry(c) {
			t.Errorf("EEA country %s is not in the list", c)
		}
	}
}
