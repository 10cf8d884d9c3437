package auth_test

import (
	"errors"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/auth"
	"github.com/avgloket/avgloket/internal/clock"
	"github.com/avgloket/avgloket/internal/staff"
	"github.com/avgloket/avgloket/internal/store"
	"github.com/avgloket/avgloket/internal/store/dbtest"
	"github.com/avgloket/avgloket/internal/vault"
)

// password is every test member's password.
const password = "paarse-olifant-zwemt-7"

// address is the client address of the tests' sign-ins.
const address = "203.0.113.7"

// env is a sign-in service on a real store in a temporary folder, with a
// fake clock.
type env struct {
	svc   *auth.Service
	store *store.Store
	clock *clock.Fake
}

// newEnv opens a store on a new database file and builds the service with
// the default limits and session policy. The clock stands at start.
func newEnv(tb testing.TB, start time.Time) *env {
	tb.Helper()
	dir := tb.TempDir()
	keys, err := vault.LoadOrCreate(filepath.Join(dir, "keys.json"))
	if err != nil {
		tb.Fatalf("LoadOrCreate: %v", err)
	}
	s, err := store.Open(tb.Context(), dbtest.Target(tb, filepath.Join(dir, "avgloket.db")), keys, slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatalf("store.Open: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	clk := clock.NewFake(start)
	svc := auth.NewService(s, clk, auth.NewPolicy(), auth.DefaultLimits(), auth.DefaultSessionPolicy(), keys.Index)
	return &env{svc: svc, store: s, clock: clk}
}

// start is where the fake clock stands in the service tests.
var start = time.Date(2026, time.November, 25, 9, 0, 0, 0, time.UTC)

// hashOnce hashes the test password once: argon2id is slow on purpose.
var hashOnce = sync.OnceValues(func() (string, error) { return auth.HashPassword(password) })

func passwordHash(tb testing.TB) string {
	tb.Helper()
	h, err := hashOnce()
	if err != nil {
		tb.Fatalf("HashPassword: %v", err)
	}
	return h
}

// addMember creates a member with the test password.
func (e *env) addMember(tb testing.TB, email string, role staff.Role) staff.Member {
	tb.Helper()
	m, err := e.store.AddMember(tb.Context(), staff.NewMember{Email: email, Name: "Test " + email, Role: role, PasswordHash: passwordHash(tb)}, e.clock.Now())
	if err != nil {
		tb.Fatalf("AddMember(%s): %v", email, err)
	}
	return m
}

// invite creates an invited member without a password (for OIDC).
func (e *env) invite(tb testing.TB, email string, role staff.Role) staff.Member {
	tb.Helper()
	m, err := e.store.InviteMember(tb.Context(), staff.NewMember{Email: email, Name: "Invited " + email, Role: role}, e.clock.Now())
	if err != nil {
		tb.Fatalf("InviteMember(%s): %v", email, err)
	}
	return m
}

// account reads the member's sign-in details from the store.
func (e *env) account(tb testing.TB, id int64) auth.Account {
	tb.Helper()
	a, err := e.store.AccountByID(tb.Context(), id)
	if err != nil {
		tb.Fatalf("AccountByID(%d): %v", id, err)
	}
	return a
}

// signIn signs in with the password and starts a session as the web layer
// would, failing the test on any error.
func (e *env) signIn(tb testing.TB, email string) (auth.Outcome, string) {
	tb.Helper()
	out, err := e.svc.SignInPassword(tb.Context(), email, password, address)
	if err != nil {
		tb.Fatalf("SignInPassword(%s): %v", email, err)
	}
	raw, err := e.svc.StartSession(tb.Context(), out.StaffID, !out.NeedsSecondFactor)
	if err != nil {
		tb.Fatalf("StartSession: %v", err)
	}
	return out, raw
}

// signInComplete signs in with the password and then the second factor,
// enrolling TOTP first when the account has none (every account must), and
// returns the complete session's id.
func (e *env) signInComplete(tb testing.TB, email string) string {
	tb.Helper()
	out, raw := e.signIn(tb, email)
	if out.EnrolSecondFactor {
		e.enrol(tb, out.StaffID)
	}
	e.clock.Advance(30 * time.Second)
	next, err := e.svc.CompleteSecondFactor(tb.Context(), raw, totpCode(tb, e.account(tb, out.StaffID).TOTPSecret, e.clock.Now()))
	if err != nil {
		tb.Fatalf("CompleteSecondFactor: %v", err)
	}
	return next
}

// enrol enrols the member in TOTP and returns the secret and the recovery
// codes. The clock moves on one step, so the enrolment code is not the
// current one any more.
func (e *env) enrol(tb testing.TB, id int64) (string, []string) {
	tb.Helper()
	secret, _, err := e.svc.BeginTOTPEnrolment(tb.Context(), id, "avgloket test")
	if err != nil {
		tb.Fatalf("BeginTOTPEnrolment: %v", err)
	}
	codes, err := e.svc.ConfirmTOTPEnrolment(tb.Context(), id, totpCode(tb, secret, e.clock.Now()))
	if err != nil {
		tb.Fatalf("ConfirmTOTPEnrolment: %v", err)
	}
	e.clock.Advance(30 * time.Second)
	return secret, codes
}

// totpCode returns the secret's code at t.
func totpCode(tb testing.TB, secret string, t time.Time) string {
	tb.Helper()
	code, err := totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		tb.Fatalf("GenerateCodeCustom: %v", err)
	}
	return code
}

// session returns the live session with the id, failing the test if there
// is none.
func (e *env) session(tb testing.TB, raw string) (auth.Session, staff.Member) {
	tb.Helper()
	s, m, err := e.svc.Session(tb.Context(), raw)
	if err != nil {
		tb.Fatalf("Session: %v", err)
	}
	return s, m
}

// wantErr fails the test unless err is an *apperr.Error with the code and
// message.
func wantErr(tb testing.TB, err error, code apperr.Code, message string) {
	tb.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code != code || e.Message != message {
		tb.Fatalf("error = %v, want %s %q", err, code, message)
	}
}
