package auth

import (
	"strings"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
)

// params are the argon2id parameters for new hashes: above the OWASP floor
// of m=19 MiB, t=2, p=1 (SECURITY.md item 7).
var params = argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// Password length limits.
const (
	MinPassword = 12
	MaxPassword = 128
)

// HashPassword returns the argon2id PHC string of password.
func HashPassword(password string) (string, error) {
	return argon2id.CreateHash(password, &params)
}

// CheckPassword reports whether password matches the PHC string hash.
func CheckPassword(password, hash string) (bool, error) {
	return argon2id.ComparePasswordAndHash(password, hash)
}

// NeedsRehash reports whether hash was made with weaker parameters than
// new hashes get (less memory, fewer passes, less parallelism or a shorter
// key), or cannot be read; the caller then rehashes the password it has
// just verified. The OWASP floor and the current parameters are in params.
func NeedsRehash(hash string) bool {
	p, _, _, err := argon2id.DecodeHash(hash)
	if err != nil {
		return true
	}
	return p.Memory < params.Memory || p.Iterations < params.Iterations ||
		p.Parallelism < params.Parallelism || p.KeyLength < params.KeyLength
}

// PasswordProblem returns the message ID of what is wrong with password for
// an account with the given e-mail address at the practice with the given
// name ("" before it has one), or "" when it is acceptable: 12 to 128
// characters (password.too_short, password.too_long); not on the list of
// common passwords, also not as a listed word with digits or symbols after
// it (password.common); not one character or a short unit repeated, nor
// fewer than five different characters (password.repetitive); not a run
// along the number row, the alphabet or the keyboard (password.sequence);
// not holding the address's local part or a piece of it of four characters
// or more (password.contains_email); not built on the practice's name
// (password.contains_practice).
func (p *Policy) PasswordProblem(password, email, practiceName string) string {
	n := utf8.RuneCountInString(password)
	lower := strings.ToLower(password)
	switch {
	case n < MinPassword:
		return "password.too_short"
	case n > MaxPassword:
		return "password.too_long"
	case p.isCommon(lower), p.isCommon(commonStem(lower)):
		return "password.common"
	case repetitive(lower):
		return "password.repetitive"
	case sequence(lower):
		return "password.sequence"
	}
	for _, w := range emailWords(email) {
		if strings.Contains(lower, w) {
			return "password.contains_email"
		}
	}
	if derivedFromName(lower, practiceName) {
		return "password.contains_practice"
	}
	return ""
}
