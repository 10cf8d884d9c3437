// Package email holds the one rule for the e-mail addresses avgloket
// stores and sends to: a requester's, a breach recipient's, a staff
// member's, the practice's privacy address and every mail's To and
// Reply-To. Every caller normalises what was typed with Normalize and then
// checks it with Valid, so that an address stored once always matches the
// same address typed again.
package email

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/avgloket/avgloket/internal/plaintext"
)

// MaxLen is the longest address accepted, in bytes: RFC 5321's path limit
// of 256 less the angle brackets.
const MaxLen = 254

// Valid reports whether s is exactly one bare address: at most MaxLen
// bytes of valid UTF-8 without control characters or white space; one "@"
// with a non-empty local part before it and a domain with a dot inside it
// (not at either end) after it; nothing net/mail would have to strip or
// unquote, so no display name, angle brackets, comments, quoting or list.
// Valid does not normalise: callers pass Normalize's result.
func Valid(s string) bool {
	if s == "" || len(s) > MaxLen || !plaintext.Line(s) ||
		strings.ContainsFunc(s, unicode.IsSpace) || strings.ContainsAny(s, "<>,;\"()") {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || strings.Contains(domain, "@") {
		return false
	}
	dot := strings.IndexByte(domain, '.')
	if dot <= 0 || strings.HasSuffix(domain, ".") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s
}

// Normalize returns s as it is stored and compared: without surrounding
// white space and lower-cased as a whole, local part included. RFC 5321
// lets a server tell "Jan@" from "jan@", but no mail server a practice
// meets does, and avgloket has always stored addresses lower-cased, so
// an address typed with different capitals still finds its account, case
// or recipient. Invalid UTF-8 is only trimmed, not lower-cased (which
// would turn the bad bytes into U+FFFD), so that Valid still refuses it.
func Normalize(s string) string {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return s
	}
	return strings.ToLower(s)
}
