package auth

import (
	"regexp"
	"testing"
)

func TestNewRecoveryCodes(t *testing.T) {
	codes, hashes, err := NewRecoveryCodes(DefaultRecoveryCodes)
	if err != nil {
		t.Fatalf("NewRecoveryCodes: %v", err)
	}
	if len(codes) != 10 || len(hashes) != 10 {
		t.Fatalf("got %d codes, %d hashes; want 10 each", len(codes), len(hashes))
	}
	shape := regexp.MustCompile(`^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$`)
	seen := map[string]bool{}
	for i, c := range codes {
		if !shape.MatchString(c) {
			t.Errorf("code %q does not look like xxxx-xxxx-xxxx-xxxx in Crockford base32", c)
		}
		if seen[c] {
			t.Errorf("code %q twice", c)
		}
		seen[c] = true
		if hashes[i] != HashRecoveryCode(c) {
			t.Errorf("hash %d does not belong to code %q", i, c)
		}
		if hashes[i] == c || len(hashes[i]) != 64 {
			t.Errorf("hash %q is not a SHA-256 hex digest", hashes[i])
		}
	}
}

func TestHashRecoveryCode(t *testing.T) {
	const code = "k7f3-9q2m-x8p4-w6n5"
	tests := []struct {
		name  string
		typed string
		same  bool
	}{
		{"as shown", "k7f3-9q2m-x8p4-w6n5", true},
		{"upper case", "K7F3-9Q2M-X8P4-W6N5", true},
		{"without dashes", "k7f39q2mx8p4w6n5", true},
		{"with spaces", " k7f3 9q2m x8p4 w6n5 ", true},
		{"mixed", "K7F3 9q2m-X8P4w6n5", true},
		{"one character wrong", "k7f3-9q2m-x8p4-w6n6", false},
		{"one character missing", "k7f3-9q2m-x8p4-w6n", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HashRecoveryCode(tt.typed) == HashRecoveryCode(code); got != tt.same {
				t.Errorf("HashRecoveryCode(%q) matches %q: %v, want %v", tt.typed, code, got, tt.same)
			}
		})
	}
	t.Run("letters read as digits", func(t *testing.T) {
		if HashRecoveryCode("0011-aaaa") != HashRecoveryCode("OoIl-AAAA") {
			t.Error("o, i and l are not read as 0, 1 and 1")
		}
	})
}
