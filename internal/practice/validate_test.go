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

// A one-line detail with a line break or another control character is
// refused: the practice's name goes into the header of every mail. The
// address and the retention texts are texts of several lines: they keep
// their line breaks and refuse other control characters.
func TestValidateRefusesControlCharacters(t *testing.T) {
	tests := []struct {
		name  string
		set   func(*Settings)
		field string
		want  string
	}{
		{"name with a header", func(s *Settings) { s.Name = "Praktijk\r\nBcc: x@evil.example" }, FieldName, "field.single_line"},
		{"name with an escape", func(s *Settings) { s.Name = "Praktijk\x1b[31m" }, FieldName, "field.single_line"},
		{"name with a line separator", func(s *Settings) { s.Name = "Praktijk\u2028Zuid" }, FieldName, "field.single_line"},
		{"KvK number on two lines", func(s *Settings) { s.KvK = "1234\n5678" }, FieldKvK, "field.single_line"},
		{"privacy address with a header", func(s *Settings) { s.PrivacyEmail = "privacy@praktijk.example\r\nBcc: x@evil.example" }, FieldPrivacyEmail, "field.single_line"},
		{"time zone on two lines", func(s *Settings) { s.TimeZone = "Europe/Amsterdam\nX" }, FieldTimeZone, "field.single_line"},
		{"address with a NUL", func(s *Settings) { s.Address = "Straat 1\x00\n3511 AA Utrecht" }, FieldAddress, "field.invalid"},
		{"retention text with a bell", func(s *Settings) { s.RecordsRetention = Texts{NL: "20 jaar\a", EN: "20 years"} }, FieldRecordsRetentionNL, "field.invalid"},
		{"address on two lines", func(s *Settings) { s.Address = "Straat 1\r\n3511 AA Utrecht" }, "", ""},
		{"retention texts on two lines", func(s *Settings) { s.RecordsRetention = Texts{NL: "Dossiers:\n20 jaar.", EN: "Files:\n20 years."} }, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Defaults()
			s.Name, s.Address, s.KvK, s.PrivacyEmail = "Praktijk", "Straat 1", "12345678", "privacy@praktijk.example"
			tt.set(&s)
			got := s.Validate()
			if tt.field == "" {
				if len(got) != 0 {
					t.Fatalf("Validate = %v, want no problem", got)
				}
				return
			}
			if len(got) != 1 || got[tt.field] != tt.want {
				t.Fatalf("Validate = %v, want only %s: %s", got, tt.field, tt.want)
			}
		})
	}
}

// The ID-copy and case-retention periods stay within their ranges, bounds
// included.
func TestValidateRanges(t *testing.T) {
	tests := []struct {
		name            string
		idCopy, caseRet int
		want            map[string]string
	}{
		{"defaults", DefaultIDCopyDays, DefaultCaseRetentionDays, map[string]string{}},
		{"lowest", 1, 30, map[string]string{}},
		{"highest", 90, 7300, map[string]string{}},
		{"no ID-copy days", 0, 730, map[string]string{FieldIDCopyDays: "settings.id_copy_days"}},
		{"ID copy over 90 days", 91, 730, map[string]string{FieldIDCopyDays: "settings.id_copy_days"}},
		{"cases kept under 30 days", 30, 29, map[string]string{FieldCaseRetentionDays: "settings.retention_days"}},
		{"cases kept over 20 years", 30, 7301, map[string]string{FieldCaseRetentionDays: "settings.retention_days"}},
		{"both wrong", -1, 0, map[string]string{FieldIDCopyDays: "settings.id_copy_days", FieldCaseRetentionDays: "settings.retention_days"}},
	}
	for _, tt := range []struct {
		days int
		ok   bool
	}{{0, false}, {MinDocumentDays, true}, {DefaultDocumentDays, true}, {MaxDocumentDays, true}, {366, false}} {
		s := Defaults()
		s.Name, s.Address, s.KvK, s.PrivacyEmail = "Praktijk", "Straat 1", "12345678", "privacy@praktijk.example"
		s.DocumentDays = tt.days
		if got := s.Validate()[FieldDocumentDays]; (got == "") != tt.ok {
			t.Errorf("document days %d: problem %q, want ok=%v", tt.days, got, tt.ok)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Defaults()
			s.Name, s.Address, s.KvK, s.PrivacyEmail = "Praktijk", "Straat 1", "12345678", "privacy@praktijk.example"
			s.IDCopyDays, s.CaseRetentionDays = tt.idCopy, tt.caseRet
			got := s.Validate()
			if len(got) != len(tt.want) {
				t.Fatalf("Validate() = %v, want %v", got, tt.want)
			}
			for f, id := range tt.want {
				if got[f] != id {
					t.Errorf("Validate()[%s] = %q, want %q", f, got[f], id)
				}
			}
		})
	}
}
