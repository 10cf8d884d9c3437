package practice

import (
	"slices"
	"strings"
	"testing"
)

// An origin allowed to frame the public pages goes into the
// Content-Security-Policy header as it is: only https://host[:port] passes,
// in its normal form; a path, a wildcard, a login or another scheme fails.
func TestOrigin(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"https://www.praktijk-voorbeeld.nl", "https://www.praktijk-voorbeeld.nl", true},
		{"HTTPS://WWW.Praktijk-Voorbeeld.NL", "https://www.praktijk-voorbeeld.nl", true},
		{"https://www.praktijk-voorbeeld.nl/", "https://www.praktijk-voorbeeld.nl", true},
		{"https://praktijk.example:8443", "https://praktijk.example:8443", true},
		{"https://praktijk.example:443", "https://praktijk.example", true},
		{"https://xn--prktijk-bxa.example", "https://xn--prktijk-bxa.example", true},
		{"https://192.0.2.10", "https://192.0.2.10", true},
		{"http://www.praktijk-voorbeeld.nl", "", false},
		{"www.praktijk-voorbeeld.nl", "", false},
		{"https://", "", false},
		{"https://www.praktijk-voorbeeld.nl/contact", "", false},
		{"https://www.praktijk-voorbeeld.nl//", "", false},
		{"https://www.praktijk-voorbeeld.nl?x=1", "", false},
		{"https://www.praktijk-voorbeeld.nl#top", "", false},
		{"https://*.praktijk-voorbeeld.nl", "", false},
		{"*", "", false},
		{"'self'", "", false},
		{"'none'", "", false},
		{"https://user@www.praktijk-voorbeeld.nl", "", false},
		{"https://www.praktijk-voorbeeld.nl:0", "", false},
		{"https://www.praktijk-voorbeeld.nl:65536", "", false},
		{"https://www.praktijk-voorbeeld.nl:08443", "", false},
		{"https://www.praktijk-voorbeeld.nl:", "", false},
		{"https://www.praktijk-voorbeeld.nl:abc", "", false},
		{"https://[2001:db8::1]:443", "", false},
		{"https://www.praktijk-voorbeeld.nl;script-src", "", false},
		{"https://www.praktijk-voorbeeld.nl'", "", false},
		{"https://praktijk_voorbeeld.nl", "", false},
		{"https://-praktijk.nl", "", false},
		{"https://praktijk..nl", "", false},
		{"https://prāktijk.nl", "", false},
		{"https://" + strings.Repeat("a", 64) + ".nl", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := Origin(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Origin(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// The list of origins is normalised (blank lines dropped, duplicates
// folded) and refused whole for one bad origin or more than ten; the
// privacy statement's address is optional and https only.
func TestValidateContact(t *testing.T) {
	many := make([]string, MaxFrameOrigins+1)
	for i := range many {
		many[i] = "https://site" + strings.Repeat("a", i) + ".example"
	}
	tests := []struct {
		name        string
		privacyURL  string
		origins     string
		wantProblem map[string]string
		wantOrigins []string
		wantURL     string
	}{
		{"nothing set", "", "", map[string]string{}, []string{}, ""},
		{"statement and two origins", " https://www.praktijk-voorbeeld.nl/privacy ",
			"https://www.praktijk-voorbeeld.nl\n\n  https://praktijk-voorbeeld.nl/  \r\nHTTPS://WWW.PRAKTIJK-VOORBEELD.NL",
			map[string]string{}, []string{"https://www.praktijk-voorbeeld.nl", "https://praktijk-voorbeeld.nl"},
			"https://www.praktijk-voorbeeld.nl/privacy"},
		{"statement with a query", "https://praktijk.example/privacy?lang=nl#bewaren", "", map[string]string{}, []string{},
			"https://praktijk.example/privacy?lang=nl#bewaren"},
		{"statement over http", "http://praktijk.example/privacy", "", map[string]string{FieldPrivacyURL: "field.https_url"}, nil, ""},
		{"statement without scheme", "www.praktijk.example/privacy", "", map[string]string{FieldPrivacyURL: "field.https_url"}, nil, ""},
		{"statement with a login", "https://a:b@praktijk.example/", "", map[string]string{FieldPrivacyURL: "field.https_url"}, nil, ""},
		{"statement as a script", "javascript:alert(1)", "", map[string]string{FieldPrivacyURL: "field.https_url"}, nil, ""},
		{"statement on two lines", "https://praktijk.example/\nprivacy", "", map[string]string{FieldPrivacyURL: "field.single_line"}, nil, ""},
		{"statement too long", "https://praktijk.example/" + strings.Repeat("p", 500), "", map[string]string{FieldPrivacyURL: "field.too_long"}, nil, ""},
		{"one origin with a path", "", "https://www.praktijk-voorbeeld.nl\nhttps://praktijk.example/form",
			map[string]string{FieldFrameOrigins: "settings.frame_origin"}, nil, ""},
		{"a wildcard", "", "*", map[string]string{FieldFrameOrigins: "settings.frame_origin"}, nil, ""},
		{"too many", "", strings.Join(many, "\n"), map[string]string{FieldFrameOrigins: "settings.frame_origins_many"}, nil, ""},
		{"ten", "", strings.Join(many[:MaxFrameOrigins], "\n"), map[string]string{}, many[:MaxFrameOrigins], ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Defaults()
			s.Name, s.Address, s.KvK, s.PrivacyEmail = "Praktijk", "Straat 1", "12345678", "privacy@praktijk.example"
			s.PrivacyURL, s.FrameOrigins = tt.privacyURL, ParseFrameOrigins(tt.origins)
			got := s.Validate()
			if len(got) != len(tt.wantProblem) {
				t.Fatalf("Validate = %v, want %v", got, tt.wantProblem)
			}
			for f, id := range tt.wantProblem {
				if got[f] != id {
					t.Errorf("Validate[%s] = %q, want %q", f, got[f], id)
				}
			}
			if len(got) == 0 {
				if !slices.Equal(s.FrameOrigins, tt.wantOrigins) {
					t.Errorf("origins %q, want %q", s.FrameOrigins, tt.wantOrigins)
				}
				if s.PrivacyURL != tt.wantURL {
					t.Errorf("privacy URL %q, want %q", s.PrivacyURL, tt.wantURL)
				}
			}
		})
	}
}

func TestFrameAncestors(t *testing.T) {
	s := Defaults()
	if got := s.FrameAncestors(); got != "'none'" {
		t.Errorf("no origins: %q, want 'none'", got)
	}
	s.FrameOrigins = []string{"https://www.praktijk-voorbeeld.nl", "https://praktijk.example:8443"}
	if got := s.FrameAncestors(); got != "https://www.praktijk-voorbeeld.nl https://praktijk.example:8443" {
		t.Errorf("two origins: %q", got)
	}
}
