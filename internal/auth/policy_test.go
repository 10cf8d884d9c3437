package auth

import (
	"slices"
	"strings"
	"testing"
)

// The embedded list is a real breach list, not a token one: at least
// 100,000 entries, sorted for the binary search, none shorter than eight.
func TestCommonPasswordListIsLarge(t *testing.T) {
	common := NewPolicy().common()
	if n := len(common); n < 100_000 {
		t.Fatalf("%d common passwords, want at least 100,000", n)
	}
	if !slices.IsSorted(common) {
		t.Error("the list is not sorted: the binary search would miss entries")
	}
	for _, w := range common {
		if len([]rune(w)) < 8 || w != strings.ToLower(w) {
			t.Fatalf("entry %q: want lower case and at least 8 characters", w)
		}
	}
}

func TestPasswordProblem(t *testing.T) {
	p := NewPolicy()
	tests := []struct {
		name, password, email, practice, want string
	}{
		{"a good passphrase", "paarse-olifant-zwemt-7", "els@zorg.example", "Praktijk Zuid", ""},
		{"random characters", "k7#Qm2vL9x!p", "els@zorg.example", "Praktijk Zuid", ""},
		{"too short", "kort-7#Qm2v", "els@zorg.example", "", "password.too_short"},
		{"too long", strings.Repeat("ab3$", 33), "els@zorg.example", "", "password.too_long"},

		// Common: from the breach list (entries of 12+ characters, and of 8
		// to 11 followed by digits or symbols), in any case.
		{"on the list, 12 characters", "qwertyuiop12", "els@zorg.example", "", "password.common"},
		{"on the list, capitals", "Password1234", "els@zorg.example", "", "password.common"},
		{"on the list, 16 characters", "1qaz2wsx3edc4rfv", "els@zorg.example", "", "password.common"},
		{"an 8-letter entry with a year", "sunshine2024", "els@zorg.example", "", "password.common"},
		{"an 8-letter entry with digits and a mark", "football123!", "els@zorg.example", "", "password.common"},
		{"a Dutch favourite", "welkom123456", "els@zorg.example", "", "password.common"},

		// Repetitive: one character, or a short unit, over and over.
		{"on the list: one character", "aaaaaaaaaaaa", "els@zorg.example", "", "password.common"},
		{"on the list: a pattern repeated", "abcabcabcabc", "els@zorg.example", "", "password.common"},
		{"on the list: a sequence", "123456789012", "els@zorg.example", "", "password.common"},
		{"on the list: the keyboard", "qwertyuiopasdfgh", "els@zorg.example", "", "password.common"},

		// The rules below catch what the list misses.
		{"one character", "ppppppppppppp", "els@zorg.example", "", "password.repetitive"},
		{"one digit", "777777777777777", "els@zorg.example", "", "password.repetitive"},
		{"a unit of three", "xyzxyzxyzxyz", "els@zorg.example", "", "password.repetitive"},
		{"a unit of two", "x9x9x9x9x9x9", "els@zorg.example", "", "password.repetitive"},
		{"a word twice", "bloemkoolbloemkool", "els@zorg.example", "", "password.repetitive"},
		{"few different characters", "ab12ab21ba12ba", "els@zorg.example", "", "password.repetitive"},

		// Sequences on the number row, the alphabet or the keyboard.
		{"digits running on", "345678901234", "els@zorg.example", "", "password.sequence"},
		{"digits running down", "098765432109", "els@zorg.example", "", "password.sequence"},
		{"the alphabet", "abcdefghijklm", "els@zorg.example", "", "password.sequence"},
		{"the alphabet backwards", "ZYXWVUTSRQPO", "els@zorg.example", "", "password.sequence"},
		{"the keyboard's letter rows", "tyuiopasdfghjk", "els@zorg.example", "", "password.sequence"},

		// Derived from the address or the practice's name.
		{"the whole local part", "els.jansen-2024!", "els.jansen@zorg.example", "", "password.contains_email"},
		{"a part of the local part", "jansen#Lente2024", "els.jansen@zorg.example", "", "password.contains_email"},
		{"the local part in capitals", "MARIEKE-heeft-dienst", "marieke@zorg.example", "", "password.contains_email"},
		{"a short local part is not a word", "els-fietst-naar-huis", "e.l@zorg.example", "", ""},
		{"the practice's name squeezed", "praktijkzuid!24", "els@zorg.example", "Praktijk Zuid", "password.contains_practice"},
		{"the practice's name with spaces", "De Linde Zorg 2024", "els@zorg.example", "De Linde Zorg", "password.contains_practice"},
		{"a word of the name plus a little", "Kindertherapie1!", "els@zorg.example", "Kindertherapie Noord", "password.contains_practice"},
		{"a word of the name inside a long phrase", "kindertherapie-is-mooi-werk-9", "els@zorg.example", "Kindertherapie Noord", ""},
		{"no practice name yet", "paarse-olifant-zwemt-7", "els@zorg.example", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.PasswordProblem(tt.password, tt.email, tt.practice); got != tt.want {
				t.Errorf("PasswordProblem(%q, %q, %q) = %q, want %q", tt.password, tt.email, tt.practice, got, tt.want)
			}
		})
	}
}
