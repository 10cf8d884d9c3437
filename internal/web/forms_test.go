package web

import (
	"net/url"
	"slices"
	"testing"
)

func TestFormValues(t *testing.T) {
	f := formValues{Values: url.Values{"title": {"Laptop kwijt", "tweede"}, "kinds": {"loss", "theft"}, "empty": {}}}
	for _, tc := range []struct {
		name string
		v    string
		all  []string
	}{
		{"title", "Laptop kwijt", []string{"Laptop kwijt", "tweede"}},
		{"kinds", "loss", []string{"loss", "theft"}},
		{"empty", "", []string{}},
		{"missing", "", nil},
	} {
		if got := f.V(tc.name); got != tc.v {
			t.Errorf("V(%q) = %q, want %q", tc.name, got, tc.v)
		}
		if got := f.All(tc.name); !slices.Equal(got, tc.all) {
			t.Errorf("All(%q) = %q, want %q", tc.name, got, tc.all)
		}
	}
	if (formValues{}).V("title") != "" || (formValues{}).All("kinds") != nil {
		t.Error("a page without values must read every field as empty")
	}
}
