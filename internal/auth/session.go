package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"
)

// idBytes is the size of session ids and the other random secrets handed
// to browsers: 128 bits (SECURITY.md item 5).
const idBytes = 16

// NewSessionID returns a new random session id: 128 bits, base64url
// without padding (22 characters), safe in a cookie.
func NewSessionID() (string, error) { return randomToken(idBytes) }

// randomToken returns n random bytes as base64url without padding.
func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// HashID returns the lowercase hex SHA-256 of a session id (or another
// high-entropy random value such as an OIDC state). Only this hash is
// stored, so a copy of the database does not give working cookies. A plain
// hash suffices because the inputs are random and 128 bits long.
func HashID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// SessionPolicy is how long a session lives: Idle after the last request,
// and Absolute after sign-in whatever the activity.
type SessionPolicy struct {
	Idle     time.Duration
	Absolute time.Duration
}

// DefaultSessionPolicy returns 30 minutes idle, 12 hours absolute: a
// working day, with a screen left alone locked after half an hour.
func DefaultSessionPolicy() SessionPolicy {
	return SessionPolicy{Idle: 30 * time.Minute, Absolute: 12 * time.Hour}
}

// Session is a signed-in browser as the server keeps it.
type Session struct {
	StaffID   int64
	CreatedAt time.Time // sign-in
	LastSeen  time.Time // last request
	ExpiresAt time.Time // absolute end, set at sign-in
	// SecondFactor is true once the sign-in is complete: the second factor
	// was given, or the account needs none. While false the session may be
	// used only for the second-factor and enrolment pages.
	SecondFactor bool
}

// touchEvery is how often a session's last request is written at most. A
// request less than touchEvery after the stored LastSeen writes nothing, so
// a staff member's page views are not each a durable write; the idle
// time-out counts from the last write, and so ends at most touchEvery
// before the idle time after the very last request — early, never late.
const touchEvery = time.Minute

// needsTouch reports whether a request at now must write the session's last
// request time: when the stored LastSeen is touchEvery or more before now.
func (s Session) needsTouch(now time.Time) bool { return now.Sub(s.LastSeen) >= touchEvery }

// Alive reports whether s may still be used at now: less than p.Idle since
// its last request, and before both its stored absolute end and p.Absolute
// after sign-in (so shortening the policy also ends older sessions). At
// exactly the limit the session is over.
func (p SessionPolicy) Alive(s Session, now time.Time) bool {
	return now.Before(s.LastSeen.Add(p.Idle)) &&
		now.Before(s.ExpiresAt) &&
		now.Before(s.CreatedAt.Add(p.Absolute))
}
