// Package plaintext checks the characters of what people type before it is
// stored. A one-line value (a name, a number, an address, a time zone) may
// hold no control character at all: a line break in a name that goes into
// a mail header would add a header (Bcc:) to every mail that carries it. A
// text of several lines may hold line breaks and tabs, and no other
// control character.
package plaintext

import (
	"unicode"
	"unicode/utf8"
)

// Line reports whether s is valid UTF-8 without any control character
// (C0, DEL, C1) or Unicode line or paragraph separator.
func Line(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	return true
}

// Text reports whether s is valid UTF-8 whose only control characters are
// line feeds, carriage returns and tabs.
func Text(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return false
		}
	}
	return true
}
