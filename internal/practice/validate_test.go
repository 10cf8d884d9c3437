package practice

import (
	"strings"
	"testing"
)

// The client-file retention text is given in both languages or in neither,
// so a reader of either language learns the same.
func TestValidateRecordsRetention(t *testing.T) {
	valid := func() Settings {
		s := Defaults()
		s.Name, s.Address, s.KvK, s.PrivacyEmail = "Praktijk", "Straat 1", "12345678", "privacy@praktijk.example"
		return s
	}
	long := strings.Repeat("é", 1001)
	tests := []struct {
		name   string
		nl, en string
		want   map[string]string
	}{
		{"neither", "", "", map[string]string{}},
		{"both", "Dossiers: 20 jaar.", "Files: 20 years.", map[string]string{}},
		{"only blanks count as empty", "  ", "\n", map[string]string{}},
		{"Dutch only", "Dossiers: 20 jaar.", "", map[string]string{FieldRecordsRetentionEN: "settings.both_languages"}},
		{"English only", "", "Files: 20 years.", map[string]string{FieldRecordsRetentionNL: "settings.both_languages"}},
		{"too long", long, "Files.", map[string]string{FieldRecordsRetentionNL: "field.too_long"}},
		{"exactly 1000 characters", strings.Repeat("é", 1000), "Files.", map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := valid()
			s.RecordsRetention = Texts{NL: tt.nl, EN: tt.en}
			got := s.Validate()
			if len(got) != len(tt.want) {
				t.Fatalf("Validate = %v, want %v", got, tt.want)
			}
			for f, id := range tt.want {
				if got[f] != id {
					t.Errorf("Validate[%s] = %q, want %q", f, got[f], id)
				}
			}
			if tt.nl == "  " && (s.RecordsRetention.NL != "" || s.RecordsRetention.EN != "") {
				t.Errorf("blanks kept: %+v", s.RecordsRetention)
			}
		})
	}
	if got := (Texts{NL: "nl", EN: "en"}); got.In("en") != "en" || got.In("nl") != "nl" || got.In("fr") != "nl" {
		t.Errorf("Texts.In picks the wrong language")
	}
}
