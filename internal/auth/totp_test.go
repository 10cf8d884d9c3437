package auth

import (
	"bytes"
	"image/png"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// codeAt returns secret's TOTP code for the step that t falls in.
func codeAt(tb testing.TB, secret string, t time.Time) string {
	tb.Helper()
	code, err := totp.GenerateCodeCustom(secret, t, totpOpts())
	if err != nil {
		tb.Fatalf("GenerateCodeCustom: %v", err)
	}
	return code
}

func TestNewTOTP(t *testing.T) {
	secret, raw, err := NewTOTP("avgloket Zorg BV", "anna@zorg.example")
	if err != nil {
		t.Fatalf("NewTOTP: %v", err)
	}
	if len(secret) != 32 { // 20 bytes in base32
		t.Errorf("secret %q: %d characters, want 32", secret, len(secret))
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("parse %q: %v", raw, err)
	}
	q := u.Query()
	if u.Scheme != "otpauth" || u.Host != "totp" || q.Get("secret") != secret ||
		q.Get("issuer") != "avgloket Zorg BV" || q.Get("digits") != "6" || q.Get("period") != "30" ||
		!strings.Contains(u.Path, "anna@zorg.example") {
		t.Errorf("URL %q does not describe the secret", raw)
	}
	other, _, err := NewTOTP("x", "y")
	if err != nil || other == secret {
		t.Errorf("second secret %q (err %v) equals the first", other, err)
	}
}

func TestCheckTOTP(t *testing.T) {
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	now := time.Date(2026, time.November, 25, 10, 0, 15, 0, time.UTC)
	step := TOTPStep(now)
	at := func(steps int64) time.Time { return now.Add(time.Duration(steps) * 30 * time.Second) }

	tests := []struct {
		name     string
		code     string
		lastStep int64
		wantStep int64
		wantOK   bool
	}{
		{"current step", codeAt(t, secret, now), 0, step, true},
		{"previous step (slow clock)", codeAt(t, secret, at(-1)), 0, step - 1, true},
		{"next step (fast clock)", codeAt(t, secret, at(+1)), 0, step + 1, true},
		{"two steps back", codeAt(t, secret, at(-2)), 0, 0, false},
		{"two steps ahead", codeAt(t, secret, at(+2)), 0, 0, false},
		{"replay of the step just used", codeAt(t, secret, now), step, 0, false},
		{"older step than the one used", codeAt(t, secret, at(-1)), step, 0, false},
		{"later step than the one used", codeAt(t, secret, at(+1)), step, step + 1, true},
		{"five digits", codeAt(t, secret, now)[:5], 0, 0, false},
		{"seven digits", codeAt(t, secret, now) + "0", 0, 0, false},
		{"letters", "12a456", 0, 0, false},
		{"spaces inside", codeAt(t, secret, now)[:3] + " " + codeAt(t, secret, now)[3:], 0, 0, false},
		{"empty", "", 0, 0, false},
		{"wrong code", wrongCode(codeAt(t, secret, now)), 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotStep, ok := CheckTOTP(secret, tt.code, now, tt.lastStep)
			if ok != tt.wantOK || gotStep != tt.wantStep {
				t.Errorf("CheckTOTP(%q, last %d) = %d, %v; want %d, %v", tt.code, tt.lastStep, gotStep, ok, tt.wantStep, tt.wantOK)
			}
		})
	}
}

// wrongCode returns a six-digit code that differs from code.
func wrongCode(code string) string {
	b := []byte(code)
	b[0] = '0' + (b[0]-'0'+1)%10
	return string(b)
}

// TOTPURL builds a Key Uri Format link an app reads back to the same
// secret, issuer, account and parameters; TOTPQR renders it as a PNG.
func TestTOTPURLAndQR(t *testing.T) {
	for _, tc := range []struct{ issuer, account string }{
		{"Praktijk De Linde", "els@praktijk.example"},
		{"avgloket", "a+b@praktijk.example"},
		{"Praktijk & Zn/Utrecht?", "jan@praktijk.example"},
		{"Praktijk: Utrecht", "jan@praktijk.example"},
	} {
		secret, _, err := NewTOTP(tc.issuer, tc.account)
		if err != nil {
			t.Fatal(err)
		}
		link := TOTPURL(tc.issuer, tc.account, secret)
		if !strings.HasPrefix(link, "otpauth://totp/") {
			t.Errorf("%q: link %q", tc.issuer, link)
		}
		key, err := otp.NewKeyFromURL(link)
		if err != nil {
			t.Fatalf("%q: %v", link, err)
		}
		if key.Type() != "totp" || key.Secret() != secret || key.Issuer() != tc.issuer || key.AccountName() != tc.account ||
			key.Period() != 30 || key.Digits() != otp.DigitsSix || key.Algorithm() != otp.AlgorithmSHA1 {
			t.Errorf("%q read back as type %s secret ok %v issuer %q account %q period %d digits %d algorithm %v", link,
				key.Type(), key.Secret() == secret, key.Issuer(), key.AccountName(), key.Period(), key.Digits(), key.Algorithm())
		}
		img, err := TOTPQR(link, 200)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(img))
		if err != nil || cfg.Width != 200 || cfg.Height != 200 {
			t.Errorf("%q: QR %dx%d (%v), want a 200x200 PNG", link, cfg.Width, cfg.Height, err)
		}
	}
}
