package email_test

import (
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/email"
)

func TestValidAndNormalize(t *testing.T) {
	for _, tc := range []struct {
		name, in, norm string
		valid          bool
	}{
		{"plain", "jan@example.nl", "jan@example.nl", true},
		{"plus and dots", "jan.de.vries+avg@mail.example.nl", "jan.de.vries+avg@mail.example.nl", true},
		{"capitals lower-cased, local part too", "  Jan.De.Vries@Example.NL\t", "jan.de.vries@example.nl", true},
		{"non-ASCII local part", "zoë@example.be", "zoë@example.be", true},
		{"longest", strings.Repeat("a", 249) + "@b.nl", strings.Repeat("a", 249) + "@b.nl", true},
		{"one byte too long", strings.Repeat("a", 250) + "@b.nl", strings.Repeat("a", 250) + "@b.nl", false},
		{"empty", "  ", "", false},
		{"no @", "jan.example.nl", "jan.example.nl", false},
		{"two @", "jan@piet@example.nl", "jan@piet@example.nl", false},
		{"quoted @ in local part", `"jan@piet"@example.nl`, `"jan@piet"@example.nl`, false},
		{"empty local part", "@example.nl", "@example.nl", false},
		{"domain without dot", "jan@localhost", "jan@localhost", false},
		{"domain ending in dot", "jan@example.nl.", "jan@example.nl.", false},
		{"domain starting with dot", "jan@.example.nl", "jan@.example.nl", false},
		{"empty domain", "jan@", "jan@", false},
		{"space inside", "jan @example.nl", "jan @example.nl", false},
		{"no-break space inside", "jan\u00a0@example.nl", "jan\u00a0@example.nl", false},
		{"header injection", "a@b.nl\r\nBcc: x@y.nl", "a@b.nl\r\nbcc: x@y.nl", false},
		{"tab inside", "jan\t@example.nl", "jan\t@example.nl", false},
		{"line separator", "jan\u2028@example.nl", "jan\u2028@example.nl", false},
		{"display name", "Jan <jan@example.nl>", "jan <jan@example.nl>", false},
		{"angle brackets", "<jan@example.nl>", "<jan@example.nl>", false},
		{"comment", "jan@example.nl(Jan)", "jan@example.nl(jan)", false},
		{"list", "jan@example.nl,piet@example.nl", "jan@example.nl,piet@example.nl", false},
		{"semicolon list", "jan@example.nl;piet@example.nl", "jan@example.nl;piet@example.nl", false},
		{"invalid UTF-8", "jan\xff@example.nl", "jan\xff@example.nl", false},
		{"double dot in local part", "jan..piet@example.nl", "jan..piet@example.nl", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			norm := email.Normalize(tc.in)
			if norm != tc.norm {
				t.Errorf("Normalize(%q) = %q, want %q", tc.in, norm, tc.norm)
			}
			if got := email.Valid(norm); got != tc.valid {
				t.Errorf("Valid(%q) = %v, want %v", norm, got, tc.valid)
			}
		})
	}
}

func TestValidDoesNotTrim(t *testing.T) {
	if email.Valid(" jan@example.nl") || email.Valid("jan@example.nl ") {
		t.Error("Valid accepts an address with surrounding space; callers must Normalize first")
	}
}
