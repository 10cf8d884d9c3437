package plaintext_test

import (
	"testing"

	"github.com/avgloket/avgloket/internal/plaintext"
)

func TestLineAndText(t *testing.T) {
	for _, tc := range []struct {
		name       string
		in         string
		line, text bool
	}{
		{"plain", "Praktijk De Linde", true, true},
		{"accents and dashes", "Zoë van ’t Hoff – Gent", true, true},
		{"empty", "", true, true},
		{"CR LF header", "Praktijk\r\nBcc: x@evil.example", false, true},
		{"LF", "Straat 1\n3511 AA Utrecht", false, true},
		{"CR", "a\rb", false, true},
		{"tab", "a\tb", false, true},
		{"NUL", "a\x00b", false, false},
		{"escape", "a\x1b[31mb", false, false},
		{"DEL", "a\x7fb", false, false},
		{"C1 next line", "a\u0085b", false, false},
		{"line separator", "a\u2028b", false, true},
		{"paragraph separator", "a\u2029b", false, true},
		{"invalid UTF-8", "a\xffb", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := plaintext.Line(tc.in); got != tc.line {
				t.Errorf("Line(%q) = %v, want %v", tc.in, got, tc.line)
			}
			if got := plaintext.Text(tc.in); got != tc.text {
				t.Errorf("Text(%q) = %v, want %v", tc.in, got, tc.text)
			}
		})
	}
}
