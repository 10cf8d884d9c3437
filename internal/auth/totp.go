package auth

import (
	"crypto/subtle"
	"fmt"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// totpPeriod is the length of one TOTP step; with six digits and SHA-1 it
// is what every authenticator app understands (RFC 6238 defaults).
const totpPeriod = 30

func totpOpts() totp.ValidateOpts {
	return totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
}

// NewTOTP returns a new random TOTP secret (160 bits, base32) for account
// at issuer, and the otpauth:// URL an authenticator app reads from a QR
// code.
func NewTOTP(issuer, account string) (secret, otpauthURL string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: issuer, AccountName: account,
		Period: totpPeriod, SecretSize: 20, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return "", "", fmt.Errorf("new totp: %w", err)
	}
	return key.Secret(), key.URL(), nil
}

// TOTPStep returns the TOTP step (30-second period since the Unix epoch)
// that t falls in.
func TOTPStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// CheckTOTP reports whether code is the code of secret for the step of now
// or the step before or after (clock drift), and returns the matching step.
// A step at or below lastStep is refused, so a code that was accepted once
// (or an older one) cannot be used again; callers store the returned step
// as the new lastStep. code must be exactly six ASCII digits.
func CheckTOTP(secret, code string, now time.Time, lastStep int64) (step int64, ok bool) {
	if !sixDigits(code) {
		return 0, false
	}
	cur := TOTPStep(now)
	for _, s := range [...]int64{cur - 1, cur, cur + 1} {
		if s <= lastStep {
			continue
		}
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*totpPeriod, 0), totpOpts())
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

func sixDigits(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
