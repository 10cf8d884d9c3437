package auth

import (
	"bytes"
	"crypto/subtle"
	"fmt"
	"image/png"
	"net/url"
	"strconv"
	"strings"
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

// TOTPURL builds the otpauth://totp/ URL an authenticator app reads (Key
// Uri Format) from the secret, the issuer and the account name, with the
// parameters CheckTOTP uses. The label is "issuer:account", so a colon in
// the issuer is left out there (the issuer parameter keeps it).
func TOTPURL(issuer, account, secret string) string {
	q := url.Values{
		"secret": {secret}, "issuer": {issuer}, "algorithm": {"SHA1"},
		"digits": {"6"}, "period": {strconv.Itoa(totpPeriod)},
	}
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + strings.ReplaceAll(issuer, ":", "") + ":" + account, RawQuery: q.Encode()}
	return u.String()
}

// TOTPQR returns a size×size PNG QR code of the otpauth URL.
func TOTPQR(otpauthURL string, size int) ([]byte, error) {
	key, err := otp.NewKeyFromURL(otpauthURL)
	if err != nil {
		return nil, fmt.Errorf("totp qr: %w", err)
	}
	img, err := key.Image(size, size)
	if err != nil {
		return nil, fmt.Errorf("totp qr: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("totp qr: %w", err)
	}
	return buf.Bytes(), nil
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
