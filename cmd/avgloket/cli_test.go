package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
)

type cliResult struct {
	stdout, stderr string
	err            error
}

// runCLI runs one command as main would, with only the settings in envs.
func runCLI(tb testing.TB, ctx context.Context, envs map[string]string, args ...string) cliResult {
	tb.Helper()
	var out, errOut bytes.Buffer
	err := run(ctx, args, &out, &errOut, mapEnv(withDatabase(tb, envs, args)))
	return cliResult{stdout: out.String(), stderr: errOut.String(), err: err}
}

// mustRun runs a command that must succeed and returns its standard output.
func mustRun(tb testing.TB, envs map[string]string, args ...string) string {
	tb.Helper()
	r := runCLI(tb, context.Background(), envs, args...)
	if r.err != nil {
		tb.Fatalf("avgloket %s: %v\nstderr:\n%s", strings.Join(args, " "), r.err, r.stderr)
	}
	return r.stdout
}

// mustFail runs a command that must fail with a one-line reason containing
// every text in want.
func mustFail(tb testing.TB, envs map[string]string, want []string, args ...string) error {
	tb.Helper()
	r := runCLI(tb, context.Background(), envs, args...)
	if r.err == nil {
		tb.Fatalf("avgloket %s succeeded (stdout %q), want an error", strings.Join(args, " "), r.stdout)
	}
	checkReason(tb, r.err, want)
	return r.err
}

func checkReason(tb testing.TB, err error, want []string) {
	tb.Helper()
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		tb.Errorf("error is not one line: %q", msg)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			tb.Errorf("error %q does not mention %q", msg, w)
		}
	}
}

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

var tokenPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

func TestCLIAdministration(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	envs := map[string]string{"AVGLOKET_DATA_DIR": data}
	ctx := context.Background()

	// migrate creates the data folder, the key file and the database.
	if out := mustRun(t, envs, "migrate"); !strings.Contains(out, "migrations applied") {
		t.Errorf("migrate printed %q", out)
	}
	if err := migrated(t, data); err != nil {
		t.Fatalf("migrate did not create the database: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(data, "keys.json")); err != nil {
		t.Fatalf("no key file in the data folder: %v", err)
	} else if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("key file mode = %v, want 0600", perm)
	}
	if fi, err := os.Stat(data); err != nil {
		t.Fatal(err)
	} else if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("data folder mode = %v, want no access for group or others", perm)
	}
	// A second migrate is a no-op that still succeeds.
	mustRun(t, envs, "migrate")

	// Branches: a code is used once.
	if out := mustRun(t, envs, "branch", "add", "--code", "utrecht", "--name", "Utrecht"); !strings.Contains(out, "utrecht") {
		t.Errorf("branch add printed %q", out)
	}
	mustFail(t, envs, []string{"branch add", "already"}, "branch", "add", "--code", "utrecht", "--name", "Utrecht")
	mustFail(t, envs, []string{"--code"}, "branch", "add", "--code", "Not A Code", "--name", "X")
	mustFail(t, envs, []string{"--name"}, "branch", "add", "--code", "amersfoort")

	// Users: an unknown branch or role is refused, and a refused account
	// leaves nothing behind (the address can be used afterwards).
	mustFail(t, envs, []string{"user add", "nowhere"},
		"user", "add", "--email", "officer@example.org", "--name", "Test Officer", "--role", "officer", "--branch", "nowhere")
	mustFail(t, envs, []string{"user add", "--role", "boss"},
		"user", "add", "--email", "officer@example.org", "--name", "Test Officer", "--role", "boss")
	mustFail(t, envs, []string{"--email"},
		"user", "add", "--email", "not-an-address", "--name", "Test Officer", "--role", "officer")
	out := mustRun(t, envs, "user", "add", "--email", "officer@example.org", "--name", "Test Officer", "--role", "officer", "--branch", "utrecht")
	if !strings.Contains(out, "officer@example.org") {
		t.Errorf("user add printed %q", out)
	}
	mustFail(t, envs, []string{"user add"},
		"user", "add", "--email", "officer@example.org", "--name", "Again", "--role", "officer")

	// Tokens: printed on the last line, and they authenticate until revoked.
	mustFail(t, envs, []string{"token add", "nobody@example.org"}, "token", "add", "--email", "nobody@example.org")
	out = mustRun(t, envs, "token", "add", "--email", "officer@example.org", "--label", "test")
	token := lastLine(out)
	if !tokenPattern.MatchString(token) {
		t.Fatalf("last line of token add = %q, want a 43-character base64url token; output:\n%s", token, out)
	}
	st := openData(t, data)
	m, err := st.MemberByAPIToken(ctx, casework.HashToken(token), time.Now())
	if err != nil {
		t.Fatalf("the new token does not authenticate: %v", err)
	}
	if m.Email != "officer@example.org" || string(m.Role) != "officer" || len(m.Branches) != 1 || m.Branches[0] != "utrecht" {
		t.Errorf("token belongs to %+v, want the officer of branch utrecht", m)
	}
	if out := mustRun(t, envs, "token", "revoke", "--token", token); !strings.Contains(out, "revoked") {
		t.Errorf("token revoke printed %q", out)
	}
	if _, err := st.MemberByAPIToken(ctx, casework.HashToken(token), time.Now()); !apperr.Is(err, apperr.Unauthorized) {
		t.Errorf("revoked token: MemberByAPIToken = %v, want Unauthorized", err)
	}
	mustFail(t, envs, []string{"token revoke"}, "token", "revoke", "--token", token) // already revoked
	mustFail(t, envs, []string{"token revoke"}, "token", "revoke", "--token", "nonsense")

	// --data wins over AVGLOKET_DATA_DIR.
	other := filepath.Join(t.TempDir(), "other")
	mustRun(t, envs, "migrate", "--data", other)
	if err := migrated(t, other); err != nil {
		t.Errorf("migrate --data did not use that folder: %v", err)
	}
	mustFail(t, envs, []string{"unexpected argument"}, "migrate", "extra")
	mustFail(t, envs, []string{"branch add"}, "branch", "add", "--bogus")
}

func TestCLIUnknownCommand(t *testing.T) {
	t.Parallel()
	envs := map[string]string{"AVGLOKET_DATA_DIR": filepath.Join(t.TempDir(), "data")}
	for _, args := range [][]string{nil, {}, {"frobnicate"}, {"branch"}, {"branch", "remove"}, {"token", "list"}} {
		r := runCLI(t, context.Background(), envs, args...)
		if r.err == nil {
			t.Errorf("avgloket %q: no error", args)
			continue
		}
		// The reason comes first, on its own line; the usage may follow.
		first, _, _ := strings.Cut(r.err.Error(), "\n")
		if len(args) == 0 {
			if !strings.Contains(first, "no command") {
				t.Errorf("avgloket with no command: first line %q", first)
			}
		} else if !strings.Contains(first, "unknown command") || !strings.Contains(first, args[0]) {
			t.Errorf("avgloket %q: first line %q", args, first)
		}
	}
	if _, err := os.Stat(envs["AVGLOKET_DATA_DIR"]); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an unknown command touched the data folder: %v", err)
	}
	if out := mustRun(t, envs, "help"); !strings.Contains(out, "usage: avgloket") {
		t.Errorf("help printed %q", out)
	}
}

func TestCLIBadSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		envs map[string]string
		args []string
		want []string
	}{
		{"rate limit not a number", map[string]string{"AVGLOKET_RATE_LIMIT": "lots"}, []string{"migrate"}, []string{"AVGLOKET_RATE_LIMIT", "lots"}},
		{"rate limit zero", map[string]string{"AVGLOKET_RATE_LIMIT": "0"}, []string{"migrate"}, []string{"AVGLOKET_RATE_LIMIT"}},
		{"rate limit too high", map[string]string{"AVGLOKET_RATE_LIMIT": "10001"}, []string{"branch", "add", "--code", "x", "--name", "X"}, []string{"AVGLOKET_RATE_LIMIT"}},
		{"SMTP port not a number", map[string]string{"AVGLOKET_SMTP_HOST": "127.0.0.1", "AVGLOKET_SMTP_FROM": "a@example.org", "AVGLOKET_SMTP_PORT": "smtp"}, []string{"migrate"}, []string{"AVGLOKET_SMTP_PORT", "smtp"}},
		{"SMTP port out of range", map[string]string{"AVGLOKET_SMTP_HOST": "127.0.0.1", "AVGLOKET_SMTP_FROM": "a@example.org", "AVGLOKET_SMTP_PORT": "70000"}, []string{"migrate"}, []string{"AVGLOKET_SMTP_PORT"}},
		{"SMTP host with a port", map[string]string{"AVGLOKET_SMTP_HOST": "mail.example.org:25", "AVGLOKET_SMTP_FROM": "a@example.org"}, []string{"migrate"}, []string{"SMTP"}},
		{"SMTP sender without a host", map[string]string{"AVGLOKET_SMTP_FROM": "a@example.org"}, []string{"migrate"}, []string{"AVGLOKET_SMTP_FROM", "AVGLOKET_SMTP_HOST"}},
		{"SMTP CA file missing", map[string]string{"AVGLOKET_SMTP_HOST": "127.0.0.1", "AVGLOKET_SMTP_FROM": "a@example.org", "AVGLOKET_SMTP_CA_FILE": "/nonexistent/ca.pem"}, []string{"migrate"}, []string{"AVGLOKET_SMTP_CA_FILE"}},
		{"trusted proxy not CIDR", map[string]string{"AVGLOKET_TRUSTED_PROXIES": "10.0.0.0/8, proxy.local"}, []string{"migrate"}, []string{"AVGLOKET_TRUSTED_PROXIES", "proxy.local"}},
		{"trusted proxy bad mask", map[string]string{"AVGLOKET_TRUSTED_PROXIES": "10.0.0.0/33"}, []string{"token", "add", "--email", "a@example.org"}, []string{"AVGLOKET_TRUSTED_PROXIES"}},
		{"base URL with a path slash", map[string]string{"AVGLOKET_BASE_URL": "https://avg.example.nl/"}, []string{"serve", "--addr", "127.0.0.1:0"}, []string{"AVGLOKET_BASE_URL"}},
		{"mail lease not a duration", map[string]string{"AVGLOKET_MAIL_LEASE": "soon"}, []string{"migrate"}, []string{"AVGLOKET_MAIL_LEASE", "soon"}},
		{"mail lease too short", map[string]string{"AVGLOKET_MAIL_LEASE": "10ms"}, []string{"migrate"}, []string{"AVGLOKET_MAIL_LEASE"}},
		{"rate limit on serve", map[string]string{"AVGLOKET_RATE_LIMIT": "-5"}, []string{"serve", "--addr", "127.0.0.1:0"}, []string{"AVGLOKET_RATE_LIMIT"}},
		{"addr without a port", nil, []string{"serve", "--addr", "localhost"}, []string{"AVGLOKET_ADDR", "localhost"}},
		{"addr from the environment", map[string]string{"AVGLOKET_ADDR": "just-a-host"}, []string{"serve"}, []string{"AVGLOKET_ADDR", "just-a-host"}},
		{"addr with a bad port", nil, []string{"serve", "--addr", "127.0.0.1:99999"}, []string{"127.0.0.1:99999"}},
		{"metrics addr without a port", map[string]string{"AVGLOKET_METRICS_ADDR": "localhost"}, []string{"serve"}, []string{"AVGLOKET_METRICS_ADDR", "localhost"}},
		{"metrics token too short", map[string]string{"AVGLOKET_METRICS_TOKEN": "geheim"}, []string{"serve"}, []string{"AVGLOKET_METRICS_TOKEN", "32"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := filepath.Join(t.TempDir(), "data")
			envs := map[string]string{"AVGLOKET_DATA_DIR": data}
			for k, v := range tt.envs {
				envs[k] = v
			}
			// Cancelled, so that serve stops at once should it wrongly start.
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			r := runCLI(t, ctx, envs, tt.args...)
			if r.err == nil {
				t.Fatalf("avgloket %s with %v: no error", strings.Join(tt.args, " "), tt.envs)
			}
			checkReason(t, r.err, tt.want)
			// A bad setting is found before anything is created.
			if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the data folder was created despite the bad setting (%v)", err)
			}
		})
	}
}

// The SMTP settings name the relay's private CA (AVGLOKET_SMTP_CA_FILE) and
// greet it with the base URL's host.
func TestSMTPSettings(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "De Linde CA"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig("", t.TempDir(), "", mapEnv(map[string]string{
		"AVGLOKET_BASE_URL": "https://avg.delinde.example:8443", "AVGLOKET_SMTP_HOST": "smtp.delinde.example",
		"AVGLOKET_SMTP_FROM": "noreply@delinde.example", "AVGLOKET_SMTP_CA_FILE": ca,
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.SMTP == nil || c.SMTP.CAFile != ca || c.SMTP.HeloName != "avg.delinde.example" {
		t.Errorf("SMTP settings = %+v, want CA file %s and EHLO avg.delinde.example", c.SMTP, ca)
	}
}

// An account made by `user add` has no password and no invitation, so it
// signs in nowhere until `user invite` (or --invite at once) lets it use the
// organisation's account.
func TestUserInvite(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	envs := map[string]string{"AVGLOKET_DATA_DIR": data}
	mustRun(t, envs, "user", "add", "--email", "cli@example.org", "--name", "Test Cli", "--role", "officer")
	mustRun(t, envs, "user", "add", "--email", "direct@example.org", "--name", "Test Direct", "--role", "officer", "--invite")
	invited := func(email string) bool {
		t.Helper()
		st := openData(t, data)
		m, err := st.MemberByEmail(t.Context(), email)
		if err != nil {
			t.Fatal(err)
		}
		acc, err := st.AccountByID(t.Context(), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		return acc.Invited
	}
	if invited("cli@example.org") {
		t.Error("user add without --invite made an invited account")
	}
	if !invited("direct@example.org") {
		t.Error("user add --invite did not invite")
	}
	if out := mustRun(t, envs, "user", "invite", "--email", "cli@example.org"); !strings.Contains(out, "cli@example.org") {
		t.Errorf("user invite printed %q", out)
	}
	if !invited("cli@example.org") {
		t.Error("user invite did not invite")
	}
	mustFail(t, envs, []string{"user invite", "nobody@example.org"}, "user", "invite", "--email", "nobody@example.org")
}
