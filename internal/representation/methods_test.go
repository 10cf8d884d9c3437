package representation_test

import (
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/representation"
)

func TestMethods(t *testing.T) {
	var got []string
	for _, m := range representation.Methods() {
		got = append(got, m.Key)
		t.Run(m.Key, func(t *testing.T) {
			for _, lang := range []string{"nl", "en"} {
				if m.Label[lang] == "" || m.Explain[lang] == "" {
					t.Errorf("no %s label or explanation", lang)
				}
			}
			if m.RequiresUpload != (m.Key == representation.MethodIDCopy) {
				t.Errorf("RequiresUpload = %v", m.RequiresUpload)
			}
			if (len(m.Checks) > 0) != (m.Key == representation.MethodIDShown) {
				t.Errorf("Checks = %v", m.Checks)
			}
			for _, c := range m.Checks {
				if l := representation.CheckLabel(c); l["nl"] == "" || l["en"] == "" {
					t.Errorf("check %s has no labels", c)
				}
			}
			if back, ok := representation.MethodByKey(m.Key); !ok || back.Key != m.Key {
				t.Errorf("MethodByKey(%s) = %v, %v", m.Key, back.Key, ok)
			}
		})
	}
	if strings.Join(got, " ") != "email_on_file counsellor_confirmed in_person id_shown id_copy" {
		t.Fatalf("methods %v, want the lightest first", got)
	}
	t.Run("id_copy says to mask and destroy", func(t *testing.T) {
		m, _ := representation.MethodByKey(representation.MethodIDCopy)
		for _, word := range []string{"BSN", "vernietig"} {
			if !strings.Contains(m.Explain["nl"], word) {
				t.Errorf("nl explanation lacks %q", word)
			}
		}
	})
	if _, ok := representation.MethodByKey("passport_scan"); ok {
		t.Fatal("unknown method found")
	}
	if representation.CheckLabel("fingerprint") != nil {
		t.Fatal("unknown check has labels")
	}
}

func TestVerificationValidate(t *testing.T) {
	at := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	valid := func() representation.Verification {
		return representation.Verification{Method: representation.MethodEmailOnFile, Outcome: representation.Verified, By: "officer@praktijk.nl", At: at}
	}
	for _, tc := range []struct {
		name   string
		change func(v *representation.Verification)
		want   map[string]string
	}{
		{"e-mail on file, verified", func(v *representation.Verification) {}, nil},
		{"id shown with one check", func(v *representation.Verification) {
			v.Method, v.Checks = representation.MethodIDShown, []string{representation.CheckPhoto}
		}, nil},
		{"id shown with every check", func(v *representation.Verification) {
			v.Method, v.Checks = representation.MethodIDShown, []string{"name", "photo", "validity"}
		}, nil},
		{"id shown, nothing ticked", func(v *representation.Verification) { v.Method = representation.MethodIDShown },
			map[string]string{"checks": "field.choose_one"}},
		{"id shown, unknown check", func(v *representation.Verification) {
			v.Method, v.Checks = representation.MethodIDShown, []string{"name", "bsn"}
		}, map[string]string{"checks": "field.choose"}},
		{"checks on a method without checks", func(v *representation.Verification) { v.Checks = []string{"name"} },
			map[string]string{"checks": "field.choose"}},
		{"masked copy", func(v *representation.Verification) { v.Method = representation.MethodIDCopy }, nil},
		{"unknown method", func(v *representation.Verification) { v.Method = "passport_scan" }, map[string]string{"method": "field.choose"}},
		{"no method", func(v *representation.Verification) { v.Method = "" }, map[string]string{"method": "field.choose"}},
		{"unknown outcome", func(v *representation.Verification) { v.Outcome = "maybe" }, map[string]string{"outcome": "field.choose"}},
		{"failed with reason", func(v *representation.Verification) {
			v.Outcome, v.Reason = representation.Failed, "the address on file differs"
		}, nil},
		{"failed without reason", func(v *representation.Verification) { v.Outcome = representation.Failed },
			map[string]string{"reason": "field.required"}},
		{"failed with a blank reason", func(v *representation.Verification) { v.Outcome, v.Reason = representation.Failed, "  " },
			map[string]string{"reason": "field.required"}},
		{"note of 500 characters", func(v *representation.Verification) { v.Note = strings.Repeat("é", 500) }, nil},
		{"note of 501 characters", func(v *representation.Verification) { v.Note = strings.Repeat("é", 501) },
			map[string]string{"note": "field.too_long"}},
		{"reason too long", func(v *representation.Verification) {
			v.Outcome, v.Reason = representation.Failed, strings.Repeat("x", 501)
		}, map[string]string{"reason": "field.too_long"}},
		{"note with a NUL", func(v *representation.Verification) { v.Note = "a\x00b" }, map[string]string{"note": "field.invalid"}},
		{"by whom and when missing", func(v *representation.Verification) { v.By, v.At = "", time.Time{} },
			map[string]string{"by": "field.required", "at": "field.required"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := valid()
			tc.change(&v)
			got := v.Validate()
			if !maps.Equal(got, tc.want) {
				t.Fatalf("Validate() = %v, want %v", got, tc.want)
			}
		})
	}
}
