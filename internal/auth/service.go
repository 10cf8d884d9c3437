package auth

import (
	"context"
	"crypto/subtle"
	"fmt"
	"strings"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/clock"
	"github.com/avgloket/avgloket/internal/email"
	"github.com/avgloket/avgloket/internal/staff"
)

// Account is a staff member with what signing in needs to know about them.
type Account struct {
	Member       staff.Member
	PasswordHash string // argon2id PHC string; "" for OIDC-only accounts
	TOTPSecret   string // base32 secret, pending or enabled; "" when none
	TOTPEnabled  bool   // the secret was confirmed with a code
	TOTPLastStep int64  // last TOTP step accepted (replay protection)
	OIDCIssuer   string // "" when not bound to an OIDC identity
	OIDCSubject  string
	Invited      bool // created by invitation (invited_at set)
}

// OIDCAttempt is an OIDC sign-in under way, as stored between Begin and
// Finish. Only hashes of the state, the nonce and the browser's secret are
// kept; the PKCE verifier is needed in clear for the exchange, so the store
// seals it.
type OIDCAttempt struct {
	StateHash   string
	BrowserHash string
	NonceHash   string
	Verifier    string
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// Store is the storage the sign-in service needs; internal/store implements
// it. Methods that look something up return an apperr NotFound error when
// there is no such thing; conditional updates report whether they applied.
type Store interface {
	// AccountByEmail returns the account with the normalised address.
	AccountByEmail(ctx context.Context, email string) (Account, error)
	// AccountByID returns the account with the staff id.
	AccountByID(ctx context.Context, staffID int64) (Account, error)
	// AccountByOIDC returns the account bound to (issuer, subject).
	AccountByOIDC(ctx context.Context, issuer, subject string) (Account, error)
	// RehashPassword replaces the password hash oldHash with newHash; it
	// does nothing if the hash has changed in between.
	RehashPassword(ctx context.Context, staffID int64, oldHash, newHash string) error
	// SetPassword stores a new password hash, notes the time of the change
	// and ends all the member's sessions, in one transaction.
	SetPassword(ctx context.Context, staffID int64, hash string, at time.Time) error

	// AddLoginFailure records an attempt at at and returns, in the same
	// transaction, the number of attempts recorded after since for the
	// account key and for the address, this one included.
	AddLoginFailure(ctx context.Context, accountKey, address string, at, since time.Time) (account, addr int, err error)
	// ClearLoginFailures forgets the recorded attempts for the account key.
	ClearLoginFailures(ctx context.Context, accountKey string) error

	// CreateSession stores a session under the hash of its id.
	CreateSession(ctx context.Context, idHash string, s Session) error
	// SessionByHash returns the session stored under idHash.
	SessionByHash(ctx context.Context, idHash string) (Session, error)
	// TouchSession sets the session's last request time.
	TouchSession(ctx context.Context, idHash string, at time.Time) error
	// ReplaceSession deletes the session stored under oldHash and stores s
	// under newHash, in one transaction; NotFound if oldHash is gone.
	ReplaceSession(ctx context.Context, oldHash, newHash string, s Session) error
	// DeleteSession deletes the session stored under idHash, if any.
	DeleteSession(ctx context.Context, idHash string) error
	// DeleteSessions deletes all the sessions of the member.
	DeleteSessions(ctx context.Context, staffID int64) error

	// SetPendingTOTP stores a new, not yet confirmed TOTP secret (sealed);
	// Conflict if TOTP is already enabled.
	SetPendingTOTP(ctx context.Context, staffID int64, secret string) error
	// EnableTOTP enables the pending secret, which must still be secret,
	// with step as the last step used, and replaces the recovery codes with
	// recoveryHashes, in one transaction; Conflict if the pending secret has
	// changed or TOTP is already enabled.
	EnableTOTP(ctx context.Context, staffID int64, secret string, step int64, at time.Time, recoveryHashes []string) error
	// AdvanceTOTPStep sets the last step used to step if it is below it,
	// and reports whether it was.
	AdvanceTOTPStep(ctx context.Context, staffID int64, step int64) (bool, error)
	// UseRecoveryCode marks the member's unused recovery code with the hash
	// as used, and reports whether there was one.
	UseRecoveryCode(ctx context.Context, staffID int64, hash string, at time.Time) (bool, error)
	// ReplaceRecoveryCodes deletes the member's recovery codes, used or
	// not, and stores recoveryHashes instead, in one transaction; Conflict
	// if TOTP is not enabled.
	ReplaceRecoveryCodes(ctx context.Context, staffID int64, recoveryHashes []string) error

	// AddOIDCAttempt stores an OIDC sign-in under way.
	AddOIDCAttempt(ctx context.Context, a OIDCAttempt) error
	// TakeOIDCAttempt marks the unused attempt with the state hash as used
	// and returns it; NotFound if unknown or used before.
	TakeOIDCAttempt(ctx context.Context, stateHash string, at time.Time) (OIDCAttempt, error)
	// BindOIDC binds (issuer, subject) to an invited, enabled account that
	// has no password and no binding yet; Conflict otherwise.
	BindOIDC(ctx context.Context, staffID int64, issuer, subject string) error

	// PruneAuth deletes sessions past their absolute end or idle since
	// idleBefore, OIDC attempts past their end, and recorded attempts at or
	// before failuresBefore.
	PruneAuth(ctx context.Context, now, idleBefore, failuresBefore time.Time) error
}

// Outcome is the result of a successful first step of signing in.
type Outcome struct {
	StaffID int64
	// NeedsSecondFactor: start the session with secondFactorDone false and
	// ask for a TOTP or recovery code (CompleteSecondFactor).
	NeedsSecondFactor bool
	// EnrolSecondFactor: an account without TOTP (and, for OIDC, without
	// a second factor proved by the provider); the session may be used
	// only to enrol (BeginTOTPEnrolment, ConfirmTOTPEnrolment) and then to
	// give a code. Implies NeedsSecondFactor.
	EnrolSecondFactor bool
}

// dummyHash is verified instead of a real hash when the account is unknown
// or has no password, so that such attempts take as long as a wrong
// password. Its parameters must be the current ones (a test checks).
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$+iB6KXcChSpjLuIDVKswYg$nnV7E2ReNms1fsgiJyZ9XJumK037KbyaHUDQvd4OsA4"

// Service signs staff in: passwords with throttling, TOTP, recovery codes,
// OIDC, and server-side sessions. It is safe for concurrent use.
type Service struct {
	store    Store
	clock    clock.Clock
	policy   *Policy
	limits   Limits
	sessions SessionPolicy
	mac      func(purpose, value string) string
}

// NewService returns the sign-in service. mac gives blind indexes (the
// vault's Index): failed sign-ins are recorded under mac("account", e-mail)
// and mac("address", client address), never the values themselves.
func NewService(store Store, clock clock.Clock, policy *Policy, limits Limits, sessions SessionPolicy, mac func(purpose, value string) string) *Service {
	return &Service{store: store, clock: clock, policy: policy, limits: limits, sessions: sessions, mac: mac}
}

// The errors sign-in gives. They say no more than needed: an unknown
// address, a disabled account and a wrong password all look alike.
func signinFailed() error    { return apperr.New(apperr.Unauthorized, "signin.failed") }
func signinLocked() error    { return apperr.New(apperr.RateLimited, "signin.locked") }
func signinThrottled() error { return apperr.New(apperr.RateLimited, "signin.throttled") }
func sessionInvalid() error  { return apperr.New(apperr.Unauthorized, "session.invalid") }
func secondFactorFailed() error {
	return apperr.New(apperr.Unauthorized, "signin.second_factor_failed")
}

// secondFactorAddress is the address under which second-factor attempts
// are recorded. It is no blind index (those are hex), so it never meets a
// real address, and the address limit is not applied to it.
const secondFactorAddress = "-second-factor-"

func (s *Service) accountKey(address string) string {
	return s.mac("account", email.Normalize(address))
}

func (s *Service) addressKey(address string) string { return s.mac("address", AddressKey(address)) }

// SignInPassword checks an e-mail address and password typed at the
// sign-in form, from the client address. Every attempt is first recorded
// as a failure and checked against the Limits, before the password is
// looked at: too many for the account gives RateLimited "signin.locked",
// too many from the address RateLimited "signin.throttled", even when the
// password is right. An unknown address, a disabled or OIDC-only account
// and a wrong password all give Unauthorized "signin.failed" after the
// same argon2id work. On success the account's recorded failures are
// cleared, a hash with outdated parameters is replaced, and the Outcome
// says whether a second factor must follow.
func (s *Service) SignInPassword(ctx context.Context, email, password, address string) (Outcome, error) {
	now := s.clock.Now()
	key := s.accountKey(email)
	nAccount, nAddress, err := s.store.AddLoginFailure(ctx, key, s.addressKey(address), now, now.Add(-s.limits.Window))
	if err != nil {
		return Outcome{}, err
	}
	switch s.limits.Decide(nAccount, nAddress) {
	case AccountLocked:
		return Outcome{}, signinLocked()
	case AddressLimited:
		return Outcome{}, signinThrottled()
	}

	var acc Account
	found := false
	if norm, ok := staff.NormalizeEmail(email); ok {
		acc, err = s.store.AccountByEmail(ctx, norm)
		switch {
		case err == nil:
			found = acc.PasswordHash != ""
		case !apperr.Is(err, apperr.NotFound):
			return Outcome{}, err
		}
	}
	hash := dummyHash
	if found {
		hash = acc.PasswordHash
	}
	match, err := CheckPassword(password, hash)
	if err != nil {
		return Outcome{}, apperr.Wrap(fmt.Errorf("check password of staff %d: %w", acc.Member.ID, err), "error.internal")
	}
	if !match || !found || acc.Member.Disabled {
		return Outcome{}, signinFailed()
	}

	if err := s.store.ClearLoginFailures(ctx, key); err != nil {
		return Outcome{}, err
	}
	if NeedsRehash(acc.PasswordHash) {
		newHash, err := HashPassword(password)
		if err != nil {
			return Outcome{}, apperr.Wrap(fmt.Errorf("rehash password: %w", err), "error.internal")
		}
		if err := s.store.RehashPassword(ctx, acc.Member.ID, acc.PasswordHash, newHash); err != nil {
			return Outcome{}, err
		}
	}
	return secondFactorFor(acc, false), nil
}

// secondFactorFor is the Outcome for an account whose first step
// succeeded: a code when TOTP is enabled; else nothing more when the OIDC
// provider proved a second factor (providerMFA); else enrolment, whatever
// the role (ASVS 5.0 6.3.3).
func secondFactorFor(acc Account, providerMFA bool) Outcome {
	out := Outcome{StaffID: acc.Member.ID}
	switch {
	case acc.TOTPEnabled:
		out.NeedsSecondFactor = true
	case !providerMFA:
		out.NeedsSecondFactor, out.EnrolSecondFactor = true, true
	}
	return out
}

// StartSession creates a new session for the member and returns its id,
// for the session cookie. Every sign-in gets a new id, whatever the browser
// had before (the caller should EndSession the old cookie's session, if
// any). secondFactorDone must be !Outcome.NeedsSecondFactor. A disabled or
// unknown member gives Unauthorized.
func (s *Service) StartSession(ctx context.Context, staffID int64, secondFactorDone bool) (rawID string, err error) {
	acc, err := s.store.AccountByID(ctx, staffID)
	if apperr.Is(err, apperr.NotFound) || (err == nil && acc.Member.Disabled) {
		return "", signinFailed()
	}
	if err != nil {
		return "", err
	}
	return s.newSession(ctx, staffID, secondFactorDone)
}

func (s *Service) newSession(ctx context.Context, staffID int64, secondFactorDone bool) (string, error) {
	raw, err := NewSessionID()
	if err != nil {
		return "", apperr.Wrap(err, "error.internal")
	}
	now := s.clock.Now()
	sess := Session{StaffID: staffID, CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(s.sessions.Absolute), SecondFactor: secondFactorDone}
	if err := s.store.CreateSession(ctx, HashID(raw), sess); err != nil {
		return "", err
	}
	return raw, nil
}

// Session returns the live session with the id from the cookie and its
// member, and notes the request (which restarts the idle time-out) when
// the stored last request is a minute or more old (needsTouch: a page view
// is rarely a durable write, and the idle time-out may end up to a minute
// early). An unknown id, a session past its idle or absolute time-out and
// a session of a disabled member give Unauthorized "session.invalid"; the
// dead session (for a disabled member: all their sessions) is deleted. The
// caller must still check Session.SecondFactor: while it is false the
// session only gives access to the second-factor and enrolment pages.
func (s *Service) Session(ctx context.Context, rawID string) (Session, staff.Member, error) {
	if rawID == "" {
		return Session{}, staff.Member{}, sessionInvalid()
	}
	h := HashID(rawID)
	sess, err := s.store.SessionByHash(ctx, h)
	if apperr.Is(err, apperr.NotFound) {
		return Session{}, staff.Member{}, sessionInvalid()
	}
	if err != nil {
		return Session{}, staff.Member{}, err
	}
	now := s.clock.Now()
	if !s.sessions.Alive(sess, now) {
		if err := s.store.DeleteSession(ctx, h); err != nil {
			return Session{}, staff.Member{}, err
		}
		return Session{}, staff.Member{}, sessionInvalid()
	}
	acc, err := s.store.AccountByID(ctx, sess.StaffID)
	if apperr.Is(err, apperr.NotFound) {
		return Session{}, staff.Member{}, sessionInvalid()
	}
	if err != nil {
		return Session{}, staff.Member{}, err
	}
	if acc.Member.Disabled {
		if err := s.store.DeleteSessions(ctx, sess.StaffID); err != nil {
			return Session{}, staff.Member{}, err
		}
		return Session{}, staff.Member{}, sessionInvalid()
	}
	if sess.needsTouch(now) {
		if err := s.store.TouchSession(ctx, h, now); err != nil {
			return Session{}, staff.Member{}, err
		}
		sess.LastSeen = now
	}
	return sess, acc.Member, nil
}

// CompleteSecondFactor checks a TOTP code (six digits; spaces are ignored)
// or a recovery code for the session awaiting its second factor, and on
// success replaces the session by a new one (new id, same sign-in time and
// absolute end) that is complete; the caller sets the new id in the cookie.
// A TOTP code is accepted once; a recovery code once. Attempts count
// against the account's sign-in limit: too many give RateLimited
// "signin.locked"; a wrong code gives Unauthorized
// "signin.second_factor_failed"; a dead session Unauthorized
// "session.invalid"; a session that is complete already Conflict.
func (s *Service) CompleteSecondFactor(ctx context.Context, rawID, code string) (newRawID string, err error) {
	sess, _, err := s.Session(ctx, rawID)
	if err != nil {
		return "", err
	}
	if sess.SecondFactor {
		return "", apperr.New(apperr.Conflict, "signin.second_factor_done")
	}
	acc, err := s.store.AccountByID(ctx, sess.StaffID)
	if err != nil {
		return "", err
	}
	now := s.clock.Now()
	key := s.accountKey(acc.Member.Email)
	nAccount, _, err := s.store.AddLoginFailure(ctx, key, secondFactorAddress, now, now.Add(-s.limits.Window))
	if err != nil {
		return "", err
	}
	if s.limits.Decide(nAccount, 0) != Allow {
		return "", signinLocked()
	}

	ok := false
	if digits := strings.Join(strings.Fields(code), ""); acc.TOTPEnabled && sixDigits(digits) {
		if step, match := CheckTOTP(acc.TOTPSecret, digits, now, acc.TOTPLastStep); match {
			// The store's compare-and-set makes two requests with the same
			// code race safely: only one advances the step.
			if ok, err = s.store.AdvanceTOTPStep(ctx, acc.Member.ID, step); err != nil {
				return "", err
			}
		}
	} else if acc.TOTPEnabled && NormalizeRecoveryCode(code) != "" {
		if ok, err = s.store.UseRecoveryCode(ctx, acc.Member.ID, HashRecoveryCode(code), now); err != nil {
			return "", err
		}
	}
	if !ok {
		return "", secondFactorFailed()
	}
	if err := s.store.ClearLoginFailures(ctx, key); err != nil {
		return "", err
	}
	return s.rotate(ctx, rawID, sess, true)
}

// rotate replaces the session rawID by a new id with the same sign-in time
// and absolute end.
func (s *Service) rotate(ctx context.Context, rawID string, sess Session, secondFactor bool) (string, error) {
	raw, err := NewSessionID()
	if err != nil {
		return "", apperr.Wrap(err, "error.internal")
	}
	sess.LastSeen = s.clock.Now()
	sess.SecondFactor = secondFactor
	if err := s.store.ReplaceSession(ctx, HashID(rawID), HashID(raw), sess); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return "", sessionInvalid()
		}
		return "", err
	}
	return raw, nil
}

// EndSession deletes the session with the id (sign-out). The id no longer
// works anywhere, even if a copy of the cookie survives. Ending an unknown
// session is not an error.
func (s *Service) EndSession(ctx context.Context, rawID string) error {
	if rawID == "" {
		return nil
	}
	return s.store.DeleteSession(ctx, HashID(rawID))
}

// EndAllSessions deletes every session of the member, e.g. when their
// access changes. (Disabling a member through the store's DisableMember
// does this in the same transaction.)
func (s *Service) EndAllSessions(ctx context.Context, staffID int64) error {
	return s.store.DeleteSessions(ctx, staffID)
}

// BeginTOTPEnrolment creates a new TOTP secret for the member and stores it
// (sealed) as pending, replacing an earlier pending one. It returns the
// secret (to show for typing in) and the otpauth:// URL (for a QR code).
// A member who has TOTP enabled already gets Conflict "totp.already_enabled";
// a disabled one Forbidden.
func (s *Service) BeginTOTPEnrolment(ctx context.Context, staffID int64, issuer string) (secret, url string, err error) {
	acc, err := s.store.AccountByID(ctx, staffID)
	if err != nil {
		return "", "", err
	}
	if acc.Member.Disabled {
		return "", "", apperr.New(apperr.Forbidden, "error.forbidden")
	}
	if acc.TOTPEnabled {
		return "", "", apperr.New(apperr.Conflict, "totp.already_enabled")
	}
	secret, url, err = NewTOTP(issuer, acc.Member.Email)
	if err != nil {
		return "", "", apperr.Wrap(err, "error.internal")
	}
	if err := s.store.SetPendingTOTP(ctx, staffID, secret); err != nil {
		return "", "", err
	}
	return secret, url, nil
}

// ConfirmTOTPEnrolment enables the pending TOTP secret when code is a
// current code for it, and returns ten new recovery codes to show once
// (earlier ones stop working). The code's step counts as used: signing in
// afterwards takes the next code. A wrong code gives Invalid with field
// "code"; no pending secret, or TOTP enabled already, Conflict.
func (s *Service) ConfirmTOTPEnrolment(ctx context.Context, staffID int64, code string) (recoveryCodes []string, err error) {
	acc, err := s.store.AccountByID(ctx, staffID)
	if err != nil {
		return nil, err
	}
	switch {
	case acc.Member.Disabled:
		return nil, apperr.New(apperr.Forbidden, "error.forbidden")
	case acc.TOTPEnabled:
		return nil, apperr.New(apperr.Conflict, "totp.already_enabled")
	case acc.TOTPSecret == "":
		return nil, apperr.New(apperr.Conflict, "totp.not_started")
	}
	step, ok := CheckTOTP(acc.TOTPSecret, strings.Join(strings.Fields(code), ""), s.clock.Now(), 0)
	if !ok {
		return nil, apperr.InvalidFields(map[string]string{"code": "totp.code_wrong"})
	}
	codes, hashes, err := NewRecoveryCodes(DefaultRecoveryCodes)
	if err != nil {
		return nil, apperr.Wrap(err, "error.internal")
	}
	if err := s.store.EnableTOTP(ctx, staffID, acc.TOTPSecret, step, s.clock.Now(), hashes); err != nil {
		return nil, err
	}
	return codes, nil
}

// RenewRecoveryCodes replaces the recovery codes of the member, who has
// TOTP enabled, by ten new ones to show once; the old ones stop working at
// once. It asks for the password (when the account has one; an OIDC-only
// account has none) and a current TOTP code, which counts as used. A wrong
// password gives Invalid with field "recovery_password", a wrong code
// Invalid with field "recovery_code"; attempts count against the account's
// sign-in limit. Without TOTP, Conflict "totp.not_enabled".
func (s *Service) RenewRecoveryCodes(ctx context.Context, staffID int64, password, code string) (recoveryCodes []string, err error) {
	acc, err := s.store.AccountByID(ctx, staffID)
	if err != nil {
		return nil, err
	}
	switch {
	case acc.Member.Disabled:
		return nil, apperr.New(apperr.Forbidden, "error.forbidden")
	case !acc.TOTPEnabled:
		return nil, apperr.New(apperr.Conflict, "totp.not_enabled")
	}
	now := s.clock.Now()
	key := s.accountKey(acc.Member.Email)
	nAccount, _, err := s.store.AddLoginFailure(ctx, key, secondFactorAddress, now, now.Add(-s.limits.Window))
	if err != nil {
		return nil, err
	}
	if s.limits.Decide(nAccount, 0) != Allow {
		return nil, signinLocked()
	}
	if acc.PasswordHash != "" {
		match, err := CheckPassword(password, acc.PasswordHash)
		if err != nil {
			return nil, apperr.Wrap(fmt.Errorf("check password of staff %d: %w", acc.Member.ID, err), "error.internal")
		}
		if !match {
			return nil, apperr.InvalidFields(map[string]string{"recovery_password": "password.wrong"})
		}
	}
	step, ok := CheckTOTP(acc.TOTPSecret, strings.Join(strings.Fields(code), ""), now, acc.TOTPLastStep)
	if ok {
		if ok, err = s.store.AdvanceTOTPStep(ctx, acc.Member.ID, step); err != nil {
			return nil, err
		}
	}
	if !ok {
		return nil, apperr.InvalidFields(map[string]string{"recovery_code": "totp.code_wrong"})
	}
	if err := s.store.ClearLoginFailures(ctx, key); err != nil {
		return nil, err
	}
	codes, hashes, err := NewRecoveryCodes(DefaultRecoveryCodes)
	if err != nil {
		return nil, apperr.Wrap(err, "error.internal")
	}
	if err := s.store.ReplaceRecoveryCodes(ctx, acc.Member.ID, hashes); err != nil {
		return nil, err
	}
	return codes, nil
}

// ChangePassword changes the password of the member signed in with the
// // complete session rawID, after checking the current password and the
// policy. All the member's sessions end, and a new complete session is
// returned for this browser. A wrong current password gives Invalid with
// field "current"; a password the policy refuses (for the member's address
// and the practice's name) Invalid with field "password"; attempts count
// against the account's sign-in limit.
func (s *Service) ChangePassword(ctx context.Context, rawID, current, next, practiceName string) (newRawID string, err error) {
	sess, member, err := s.Session(ctx, rawID)
	if err != nil {
		return "", err
	}
	if !sess.SecondFactor {
		return "", apperr.New(apperr.Forbidden, "error.forbidden")
	}
	acc, err := s.store.AccountByID(ctx, member.ID)
	if err != nil {
		return "", err
	}
	if acc.PasswordHash == "" {
		return "", apperr.New(apperr.Conflict, "password.oidc_only")
	}
	if msg := s.policy.PasswordProblem(next, acc.Member.Email, practiceName); msg != "" {
		return "", apperr.InvalidFields(map[string]string{"password": msg})
	}
	now := s.clock.Now()
	key := s.accountKey(acc.Member.Email)
	nAccount, _, err := s.store.AddLoginFailure(ctx, key, secondFactorAddress, now, now.Add(-s.limits.Window))
	if err != nil {
		return "", err
	}
	if s.limits.Decide(nAccount, 0) != Allow {
		return "", signinLocked()
	}
	match, err := CheckPassword(current, acc.PasswordHash)
	if err != nil {
		return "", apperr.Wrap(fmt.Errorf("check password of staff %d: %w", acc.Member.ID, err), "error.internal")
	}
	if !match {
		return "", apperr.InvalidFields(map[string]string{"current": "password.wrong"})
	}
	if err := s.store.ClearLoginFailures(ctx, key); err != nil {
		return "", err
	}
	hash, err := HashPassword(next)
	if err != nil {
		return "", apperr.Wrap(err, "error.internal")
	}
	if err := s.store.SetPassword(ctx, acc.Member.ID, hash, now); err != nil {
		return "", err
	}
	return s.newSession(ctx, acc.Member.ID, true)
}

// SignInOIDC signs in the person an OIDC provider vouched for (from
// OIDC.Finish), from the client address. Staff are found by (issuer,
// subject) only. An identity seen for the first time is accepted only for
// an account that was invited (InviteMember), has no password, is not
// bound yet and is enabled, and only when the provider says it verified the
// e-mail address; it is then bound to that account for good. A local
// account with a password is never taken over by e-mail address. Refusals
// give Forbidden "signin.oidc_not_invited" (unknown identity),
// "signin.oidc_password_account" (the verified address has a password
// account: sign in with the password), "signin.oidc_not_invited_account"
// (an account made on the command line without password or invitation) or
// "signin.disabled", and count against the address's limit (RateLimited
// "signin.throttled" when over). The provider is trusted for the second
// factor only when its token proved one (Identity.MFA); otherwise the
// member enrols TOTP here, and one who has gives a code.
func (s *Service) SignInOIDC(ctx context.Context, id Identity, address string) (Outcome, error) {
	now := s.clock.Now()
	key := s.mac("oidc", id.Issuer+"\x00"+id.Subject)
	_, nAddress, err := s.store.AddLoginFailure(ctx, key, s.addressKey(address), now, now.Add(-s.limits.Window))
	if err != nil {
		return Outcome{}, err
	}
	if s.limits.Decide(0, nAddress) != Allow {
		return Outcome{}, signinThrottled()
	}
	notInvited := apperr.New(apperr.Forbidden, "signin.oidc_not_invited")
	if id.Issuer == "" || id.Subject == "" {
		return Outcome{}, notInvited
	}

	acc, err := s.store.AccountByOIDC(ctx, id.Issuer, id.Subject)
	switch {
	case apperr.Is(err, apperr.NotFound):
		email, ok := staff.NormalizeEmail(id.Email)
		if !ok || !id.EmailVerified {
			return Outcome{}, notInvited
		}
		acc, err = s.store.AccountByEmail(ctx, email)
		if apperr.Is(err, apperr.NotFound) {
			return Outcome{}, notInvited
		}
		if err != nil {
			return Outcome{}, err
		}
		// The provider vouched for this address, so the refusal may say
		// what to do instead.
		switch {
		case acc.Member.Disabled || acc.OIDCSubject != "":
			return Outcome{}, notInvited
		case acc.PasswordHash != "":
			return Outcome{}, apperr.New(apperr.Forbidden, "signin.oidc_password_account")
		case !acc.Invited:
			return Outcome{}, apperr.New(apperr.Forbidden, "signin.oidc_not_invited_account")
		}
		if err := s.store.BindOIDC(ctx, acc.Member.ID, id.Issuer, id.Subject); err != nil {
			if apperr.Is(err, apperr.Conflict) {
				return Outcome{}, notInvited
			}
			return Outcome{}, err
		}
	case err != nil:
		return Outcome{}, err
	}
	if acc.Member.Disabled {
		return Outcome{}, apperr.New(apperr.Forbidden, "signin.disabled")
	}
	if err := s.store.ClearLoginFailures(ctx, key); err != nil {
		return Outcome{}, err
	}
	return secondFactorFor(acc, id.MFA), nil
}

// Prune deletes what sign-in no longer needs: dead sessions, finished or
// expired OIDC attempts and recorded attempts older than the window. Run
// it now and then (e.g. hourly); nothing depends on it for safety.
func (s *Service) Prune(ctx context.Context) error {
	now := s.clock.Now()
	return s.store.PruneAuth(ctx, now, now.Add(-s.sessions.Idle), now.Add(-s.limits.Window))
}

// constantTimeEqual compares two hashes without leaking where they differ.
func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
