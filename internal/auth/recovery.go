package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// recoveryAlphabet is Crockford's base32 in lower case: no i, l, o or u, so
// a code written on paper reads back unambiguously.
const recoveryAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// Recovery code shape: four groups of four characters, 80 bits in all.
const (
	recoveryGroups    = 4
	recoveryGroupSize = 4
)

// DefaultRecoveryCodes is how many recovery codes an enrolment hands out.
const DefaultRecoveryCodes = 10

// NewRecoveryCodes returns n new one-time recovery codes such as
// "k7f3-9q2m-x8p4-w6n5" (80 random bits each) and their hashes
// (HashRecoveryCode), in the same order. Show the codes once; store only the
// hashes.
func NewRecoveryCodes(n int) (codes []string, hashes []string, err error) {
	codes = make([]string, 0, n)
	hashes = make([]string, 0, n)
	buf := make([]byte, recoveryGroups*recoveryGroupSize)
	for range n {
		if _, err := rand.Read(buf); err != nil {
			return nil, nil, fmt.Errorf("random: %w", err)
		}
		var b strings.Builder
		for i, c := range buf {
			if i > 0 && i%recoveryGroupSize == 0 {
				b.WriteByte('-')
			}
			// 256 is a multiple of 32, so the modulo is unbiased.
			b.WriteByte(recoveryAlphabet[int(c)%len(recoveryAlphabet)])
		}
		code := b.String()
		codes = append(codes, code)
		hashes = append(hashes, HashRecoveryCode(code))
	}
	return codes, hashes, nil
}

// NormalizeRecoveryCode returns code as it is hashed: lower case, without
// dashes or white space, with the letters people confuse with digits
// (o, i, l) read as the digits (0, 1, 1).
func NormalizeRecoveryCode(code string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(code) {
		switch r {
		case '-', ' ', '\t', '\n', '\r', '\u00a0':
			continue
		case 'o':
			r = '0'
		case 'i', 'l':
			r = '1'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// HashRecoveryCode returns the lowercase hex SHA-256 of the normalised code.
func HashRecoveryCode(code string) string {
	sum := sha256.Sum256([]byte(NormalizeRecoveryCode(code)))
	return hex.EncodeToString(sum[:])
}
