package delivery

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"math/big"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
)

// The rules of the one-time code that opens the documents on the tracking
// page.
const (
	// CodeValidity is how long a code may be entered after it was sent.
	CodeValidity = 10 * time.Minute
	// MaxTries is how many wrong codes in a row lock the codes of a case.
	MaxTries = 5
	// Lockout is how long they stay locked; then a new code works again.
	Lockout = 15 * time.Minute
	// GrantValidity is how long a right code lets the requester's browser
	// download the documents.
	GrantValidity = 30 * time.Minute
	// CodeDigits is the length of a code.
	CodeDigits = 6
)

// Codes is where a case stands with its one-time codes: the hash of the
// code last sent and its expiry (zero: none open), the wrong tries in a row
// and the lock they caused, and the download grant a right code opened (the
// hash of the browser's secret and its expiry).
type Codes struct {
	Hash         string
	Expires      time.Time
	Failures     int
	LockedUntil  time.Time
	GrantHash    string
	GrantExpires time.Time
}

// Locked reports whether codes are locked at now.
func (c Codes) Locked(now time.Time) bool { return now.Before(c.LockedUntil) }

// Pending reports whether a code was sent that may still be entered.
func (c Codes) Pending(now time.Time) bool { return c.Hash != "" && now.Before(c.Expires) }

// Granted reports whether grantHash is the hash of a grant valid at now.
func (c Codes) Granted(grantHash string, now time.Time) bool {
	return c.GrantHash != "" && grantHash != "" && now.Before(c.GrantExpires) &&
		subtle.ConstantTimeCompare([]byte(c.GrantHash), []byte(grantHash)) == 1
}

// Message IDs of the code's refusals.
const (
	MsgLocked    = "delivery.code_locked"   // RateLimited: too many wrong codes
	MsgExpired   = "delivery.code_expired"  // Invalid on "code": no code open, or it expired or was used
	MsgWrongCode = "delivery.code_wrong"    // Invalid on "code"
	MsgCodeForm  = "delivery.code_format"   // Invalid on "code": not six digits
	MsgNoGrant   = "delivery.code_required" // Forbidden: a download without a valid grant
)

// Issue returns the state after a new code with hash was sent at now: it
// replaces any open one and keeps the count of wrong tries. While locked it
// refuses (RateLimited, MsgLocked); a lock that has passed is lifted.
func (c Codes) Issue(hash string, now time.Time) (Codes, error) {
	if c.Locked(now) {
		return c, lockedErr(c.LockedUntil)
	}
	c = c.unlockIfPassed(now)
	c.Hash, c.Expires = hash, now.Add(CodeValidity)
	return c, nil
}

// Try returns the state after the requester entered a code whose hash is
// hash at now, and whether it was right. A right code is used up (single
// use), clears the wrong tries and opens a grant with grantHash. A wrong
// one counts; the MaxTries-th in a row locks the codes for Lockout and
// voids the open code. While locked every try is refused without being
// looked at; a code that expired or was used is refused without counting.
// The returned state must be saved also when the error is not nil.
func (c Codes) Try(hash, grantHash string, now time.Time) (Codes, error) {
	if c.Locked(now) {
		return c, lockedErr(c.LockedUntil)
	}
	c = c.unlockIfPassed(now)
	if !c.Pending(now) {
		return c, apperr.InvalidFields(map[string]string{"code": MsgExpired})
	}
	if subtle.ConstantTimeCompare([]byte(c.Hash), []byte(hash)) != 1 {
		c.Failures++
		if c.Failures >= MaxTries {
			c.LockedUntil, c.Hash, c.Expires = now.Add(Lockout), "", time.Time{}
			return c, lockedErr(c.LockedUntil)
		}
		return c, apperr.InvalidFields(map[string]string{"code": MsgWrongCode})
	}
	c.Hash, c.Expires, c.Failures = "", time.Time{}, 0
	c.GrantHash, c.GrantExpires = grantHash, now.Add(GrantValidity)
	return c, nil
}

func (c Codes) unlockIfPassed(now time.Time) Codes {
	if !c.LockedUntil.IsZero() && !now.Before(c.LockedUntil) {
		c.LockedUntil, c.Failures = time.Time{}, 0
	}
	return c
}

// LockedError is the refusal while codes are locked; Until says till when.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string {
	return "delivery: codes locked until " + e.Until.UTC().Format(time.RFC3339)
}

func lockedErr(until time.Time) error {
	return &apperr.Error{Code: apperr.RateLimited, Message: MsgLocked, Err: &LockedError{Until: until}}
}

// ValidCode reports whether s has the form of a code: CodeDigits digits.
func ValidCode(s string) bool {
	if len(s) != CodeDigits {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// newCode returns a random code of CodeDigits digits.
func newCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// newSecret returns a random 256-bit value, URL-safe.
func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
