package auth_test

import (
	"github.com/avgloket/avgloket/internal/audit"

	"testing"
	"time"

	"github.com/alexedwards/argon2id"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/auth"
	"github.com/avgloket/avgloket/internal/staff"
)

func TestSignInPassword(t *testing.T) {
	e := newEnv(t, start)
	officer := e.addMember(t, "els@zorg.example", staff.Officer)
	disabled := e.addMember(t, "piet@zorg.example", staff.Officer)
	if err := e.store.DisableMember(t.Context(), disabled.ID, audit.Entry{At: start}); err != nil {
		t.Fatalf("DisableMember: %v", err)
	}
	e.invite(t, "oidc.only@zorg.example", staff.Officer)

	t.Run("right password", func(t *testing.T) {
		out, err := e.svc.SignInPassword(t.Context(), "els@zorg.example", password, address)
		if err != nil {
			t.Fatalf("SignInPassword: %v", err)
		}
		// Every account enrols a second factor (ASVS 5.0 6.3.3), officers too.
		if want := (auth.Outcome{StaffID: officer.ID, NeedsSecondFactor: true, EnrolSecondFactor: true}); out != want {
			t.Errorf("outcome %+v, want %+v", out, want)
		}
	})
	t.Run("address typed in capitals with spaces", func(t *testing.T) {
		out, err := e.svc.SignInPassword(t.Context(), "  Els@Zorg.EXAMPLE ", password, address)
		if err != nil || out.StaffID != officer.ID {
			t.Fatalf("SignInPassword = %+v, %v; want staff %d", out, err, officer.ID)
		}
	})

	// Every refusal must read the same, so the form tells nobody which
	// addresses have accounts.
	refusals := []struct {
		name, email, password string
	}{
		{"wrong password", "els@zorg.example", "niet-het-goede-wachtwoord"},
		{"unknown address", "nobody@zorg.example", password},
		{"not an address at all", "els", password},
		{"disabled account, right password", "piet@zorg.example", password},
		{"OIDC-only account (no password)", "oidc.only@zorg.example", ""},
		{"empty password", "els@zorg.example", ""},
	}
	var first string
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.SignInPassword(t.Context(), tt.email, tt.password, address)
			wantErr(t, err, apperr.Unauthorized, "signin.failed")
			if first == "" {
				first = err.Error()
			} else if err.Error() != first {
				t.Errorf("error %q differs from %q", err.Error(), first)
			}
		})
	}
}

func TestSignInLocksAccountAfterFiveFailures(t *testing.T) {
	e := newEnv(t, start)
	m := e.addMember(t, "els@zorg.example", staff.Officer)
	for i := range 5 {
		_, err := e.svc.SignInPassword(t.Context(), "els@zorg.example", "fout-wachtwoord-123", address)
		wantErr(t, err, apperr.Unauthorized, "signin.failed")
		if i == 2 {
			e.clock.Advance(time.Minute)
		}
	}
	t.Run("sixth attempt with the right password is locked", func(t *testing.T) {
		_, err := e.svc.SignInPassword(t.Context(), "els@zorg.example", password, address)
		wantErr(t, err, apperr.RateLimited, "signin.locked")
	})
	t.Run("another address does not help", func(t *testing.T) {
		_, err := e.svc.SignInPassword(t.Context(), "ELS@zorg.example", password, "198.51.100.9")
		wantErr(t, err, apperr.RateLimited, "signin.locked")
	})
	t.Run("another account is not locked", func(t *testing.T) {
		e.addMember(t, "jan@zorg.example", staff.Officer)
		if _, err := e.svc.SignInPassword(t.Context(), "jan@zorg.example", password, address); err != nil {
			t.Fatalf("SignInPassword: %v", err)
		}
	})
	t.Run("unlocked once the window has passed", func(t *testing.T) {
		e.clock.Advance(auth.DefaultLimits().Window)
		out, err := e.svc.SignInPassword(t.Context(), "els@zorg.example", password, address)
		if err != nil || out.StaffID != m.ID {
			t.Fatalf("SignInPassword = %+v, %v; want staff %d", out, err, m.ID)
		}
	})
	t.Run("success clears the count", func(t *testing.T) {
		for range 4 {
			_, err := e.svc.SignInPassword(t.Context(), "els@zorg.example", "fout-wachtwoord-123", address)
			wantErr(t, err, apperr.Unauthorized, "signin.failed")
		}
		if _, err := e.svc.SignInPassword(t.Context(), "els@zorg.example", password, address); err != nil {
			t.Fatalf("fifth attempt: %v", err)
		}
		for range 5 {
			_, err := e.svc.SignInPassword(t.Context(), "els@zorg.example", "fout-wachtwoord-123", address)
			wantErr(t, err, apperr.Unauthorized, "signin.failed")
		}
	})
}

func TestSignInThrottlesAddress(t *testing.T) {
	e := newEnv(t, start)
	e.addMember(t, "els@zorg.example", staff.Officer)
	const attacker = "2001:db8:6:7::1"
	emails := []string{"a@zorg.example", "b@zorg.example", "c@zorg.example", "d@zorg.example", "e@zorg.example"}
	// Twenty failures spread over accounts (four each, below the account
	// limit) and over addresses in one IPv6 /64.
	for i := range 20 {
		from := attacker
		if i%2 == 1 {
			from = "2001:db8:6:7:ffff::" + string(rune('1'+i%9))
		}
		_, err := e.svc.SignInPassword(t.Context(), emails[i%len(emails)], "raden-maar-raak-1", from)
		wantErr(t, err, apperr.Unauthorized, "signin.failed")
	}
	t.Run("twenty-first from the network is throttled", func(t *testing.T) {
		_, err := e.svc.SignInPassword(t.Context(), "els@zorg.example", password, attacker)
		wantErr(t, err, apperr.RateLimited, "signin.throttled")
	})
	t.Run("other addresses are not", func(t *testing.T) {
		if _, err := e.svc.SignInPassword(t.Context(), "els@zorg.example", password, address); err != nil {
			t.Fatalf("SignInPassword: %v", err)
		}
	})
	t.Run("the network may try again after the window", func(t *testing.T) {
		e.clock.Advance(auth.DefaultLimits().Window)
		if _, err := e.svc.SignInPassword(t.Context(), "els@zorg.example", password, attacker); err != nil {
			t.Fatalf("SignInPassword: %v", err)
		}
	})
}

func TestSignInRehashesWeakHash(t *testing.T) {
	e := newEnv(t, start)
	weak, err := argon2id.CreateHash(password, &argon2id.Params{Memory: 8 * 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
	if err != nil {
		t.Fatalf("CreateHash: %v", err)
	}
	m, err := e.store.AddMember(t.Context(), staff.NewMember{Email: "oud@zorg.example", Name: "Oud", Role: staff.Officer, PasswordHash: weak}, start)
	if err != nil {
		t.Fatalf("AddMember: %v", err)
	}
	if _, err := e.svc.SignInPassword(t.Context(), "oud@zorg.example", password, address); err != nil {
		t.Fatalf("SignInPassword: %v", err)
	}
	h := e.account(t, m.ID).PasswordHash
	if h == weak || auth.NeedsRehash(h) {
		t.Fatalf("hash after sign-in %q still weak", h)
	}
	if ok, err := auth.CheckPassword(password, h); err != nil || !ok {
		t.Fatalf("new hash does not match the password: %v, %v", ok, err)
	}
}

func TestSessions(t *testing.T) {
	e := newEnv(t, start)
	m := e.addMember(t, "els@zorg.example", staff.Officer)

	t.Run("every sign-in gets a new id", func(t *testing.T) {
		a := e.signInComplete(t, "els@zorg.example")
		b := e.signInComplete(t, "els@zorg.example")
		if a == b {
			t.Fatalf("two sign-ins got the same session id %q", a)
		}
		sess, member := e.session(t, a)
		if sess.StaffID != m.ID || member.ID != m.ID || !sess.SecondFactor {
			t.Errorf("session %+v, member %+v; want complete session of %d", sess, member, m.ID)
		}
	})
	t.Run("sign-out ends the session on the server", func(t *testing.T) {
		_, raw := e.signIn(t, "els@zorg.example")
		_, other := e.signIn(t, "els@zorg.example")
		if err := e.svc.EndSession(t.Context(), raw); err != nil {
			t.Fatalf("EndSession: %v", err)
		}
		_, _, err := e.svc.Session(t.Context(), raw)
		wantErr(t, err, apperr.Unauthorized, "session.invalid")
		e.session(t, other) // the other browser stays signed in
	})
	t.Run("unknown and empty ids", func(t *testing.T) {
		for _, raw := range []string{"", "bm90LWEtc2Vzc2lvbg", auth.HashID("x")} {
			_, _, err := e.svc.Session(t.Context(), raw)
			wantErr(t, err, apperr.Unauthorized, "session.invalid")
		}
	})
	t.Run("the store holds only the hash", func(t *testing.T) {
		_, raw := e.signIn(t, "els@zorg.example")
		if _, err := e.store.SessionByHash(t.Context(), raw); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("session found under its raw id: %v", err)
		}
		if _, err := e.store.SessionByHash(t.Context(), auth.HashID(raw)); err != nil {
			t.Errorf("session not found under its hash: %v", err)
		}
	})
	t.Run("end all sessions", func(t *testing.T) {
		_, a := e.signIn(t, "els@zorg.example")
		_, b := e.signIn(t, "els@zorg.example")
		if err := e.svc.EndAllSessions(t.Context(), m.ID); err != nil {
			t.Fatalf("EndAllSessions: %v", err)
		}
		for _, raw := range []string{a, b} {
			_, _, err := e.svc.Session(t.Context(), raw)
			wantErr(t, err, apperr.Unauthorized, "session.invalid")
		}
	})
}

func TestSessionTimeouts(t *testing.T) {
	e := newEnv(t, start)
	e.addMember(t, "els@zorg.example", staff.Officer)
	policy := auth.DefaultSessionPolicy()

	t.Run("idle", func(t *testing.T) {
		_, raw := e.signIn(t, "els@zorg.example")
		e.clock.Advance(policy.Idle - time.Second)
		e.session(t, raw) // a request: the idle time starts again
		e.clock.Advance(policy.Idle - time.Second)
		e.session(t, raw)
		e.clock.Advance(policy.Idle)
		_, _, err := e.svc.Session(t.Context(), raw)
		wantErr(t, err, apperr.Unauthorized, "session.invalid")
		if _, err := e.store.SessionByHash(t.Context(), auth.HashID(raw)); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("timed-out session still stored: %v", err)
		}
	})
	t.Run("absolute", func(t *testing.T) {
		signedIn := e.clock.Now()
		_, raw := e.signIn(t, "els@zorg.example")
		for e.clock.Now().Before(signedIn.Add(policy.Absolute - 20*time.Minute)) {
			e.clock.Advance(20 * time.Minute)
			e.session(t, raw) // busy all day
		}
		e.clock.Set(signedIn.Add(policy.Absolute))
		_, _, err := e.svc.Session(t.Context(), raw)
		wantErr(t, err, apperr.Unauthorized, "session.invalid")
	})
}

func TestDisableMemberEndsSessions(t *testing.T) {
	e := newEnv(t, start)
	m := e.addMember(t, "els@zorg.example", staff.Officer)
	other := e.addMember(t, "jan@zorg.example", staff.Officer)
	_, a := e.signIn(t, "els@zorg.example")
	_, b := e.signIn(t, "els@zorg.example")
	_, c := e.signIn(t, "jan@zorg.example")

	if err := e.store.DisableMember(t.Context(), m.ID, audit.Entry{At: e.clock.Now()}); err != nil {
		t.Fatalf("DisableMember: %v", err)
	}
	for _, raw := range []string{a, b} {
		if _, err := e.store.SessionByHash(t.Context(), auth.HashID(raw)); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("session of the disabled member still stored: %v", err)
		}
		_, _, err := e.svc.Session(t.Context(), raw)
		wantErr(t, err, apperr.Unauthorized, "session.invalid")
	}
	if _, member := e.session(t, c); member.ID != other.ID {
		t.Errorf("other member's session belongs to %d", member.ID)
	}
	if _, err := e.svc.StartSession(t.Context(), m.ID, true); !apperr.Is(err, apperr.Unauthorized) {
		t.Errorf("StartSession for a disabled member: %v, want Unauthorized", err)
	}
	_, err := e.svc.SignInPassword(t.Context(), "els@zorg.example", password, address)
	wantErr(t, err, apperr.Unauthorized, "signin.failed")
}

func TestOwnerMustEnrolSecondFactor(t *testing.T) {
	e := newEnv(t, start)
	owner := e.addMember(t, "eigenaar@zorg.example", staff.Owner)

	out, raw := e.signIn(t, "eigenaar@zorg.example")
	if want := (auth.Outcome{StaffID: owner.ID, NeedsSecondFactor: true, EnrolSecondFactor: true}); out != want {
		t.Fatalf("outcome %+v, want %+v", out, want)
	}
	if sess, _ := e.session(t, raw); sess.SecondFactor {
		t.Fatal("session complete before the second factor")
	}
	_, err := e.svc.CompleteSecondFactor(t.Context(), raw, "123456")
	wantErr(t, err, apperr.Unauthorized, "signin.second_factor_failed")

	secret, url, err := e.svc.BeginTOTPEnrolment(t.Context(), owner.ID, "avgloket Zorg")
	if err != nil {
		t.Fatalf("BeginTOTPEnrolment: %v", err)
	}
	if secret == "" || url == "" {
		t.Fatalf("secret %q, url %q", secret, url)
	}
	if a := e.account(t, owner.ID); a.TOTPEnabled || a.TOTPSecret != secret {
		t.Fatalf("after Begin: enabled %v, secret stored %v", a.TOTPEnabled, a.TOTPSecret == secret)
	}
	t.Run("wrong code does not enable", func(t *testing.T) {
		_, err := e.svc.ConfirmTOTPEnrolment(t.Context(), owner.ID, "000000")
		if !apperr.Is(err, apperr.Invalid) || apperr.As(err).Fields["code"] == "" {
			t.Fatalf("ConfirmTOTPEnrolment(wrong) = %v, want Invalid on code", err)
		}
	})
	code := totpCode(t, secret, e.clock.Now())
	recovery, err := e.svc.ConfirmTOTPEnrolment(t.Context(), owner.ID, code)
	if err != nil {
		t.Fatalf("ConfirmTOTPEnrolment: %v", err)
	}
	if len(recovery) != 10 {
		t.Errorf("%d recovery codes, want 10", len(recovery))
	}
	t.Run("enrolling again is refused", func(t *testing.T) {
		_, _, err := e.svc.BeginTOTPEnrolment(t.Context(), owner.ID, "avgloket Zorg")
		wantErr(t, err, apperr.Conflict, "totp.already_enabled")
	})
	t.Run("the confirmation code cannot be used again", func(t *testing.T) {
		_, err := e.svc.CompleteSecondFactor(t.Context(), raw, code)
		wantErr(t, err, apperr.Unauthorized, "signin.second_factor_failed")
	})

	e.clock.Advance(30 * time.Second)
	next, err := e.svc.CompleteSecondFactor(t.Context(), raw, totpCode(t, secret, e.clock.Now()))
	if err != nil {
		t.Fatalf("CompleteSecondFactor: %v", err)
	}
	if next == raw {
		t.Fatal("session id not rotated after the second factor")
	}
	_, _, err = e.svc.Session(t.Context(), raw)
	wantErr(t, err, apperr.Unauthorized, "session.invalid")
	if sess, _ := e.session(t, next); !sess.SecondFactor {
		t.Error("session not complete after the second factor")
	}

	t.Run("next sign-in asks for a code, not enrolment", func(t *testing.T) {
		out, _ := e.signIn(t, "eigenaar@zorg.example")
		if want := (auth.Outcome{StaffID: owner.ID, NeedsSecondFactor: true}); out != want {
			t.Errorf("outcome %+v, want %+v", out, want)
		}
	})
}

func TestSignInWithTOTP(t *testing.T) {
	e := newEnv(t, start)
	m := e.addMember(t, "els@zorg.example", staff.Officer)

	out, raw := e.signIn(t, "els@zorg.example")
	if !out.EnrolSecondFactor {
		t.Fatalf("officer without TOTP not sent to enrol: %+v", out)
	}
	if err := e.svc.EndSession(t.Context(), raw); err != nil {
		t.Fatal(err)
	}
	secret, _ := e.enrol(t, m.ID)

	out, raw = e.signIn(t, "els@zorg.example")
	if want := (auth.Outcome{StaffID: m.ID, NeedsSecondFactor: true}); out != want {
		t.Fatalf("outcome %+v, want %+v", out, want)
	}
	signedIn, _ := e.session(t, raw)
	code := totpCode(t, secret, e.clock.Now())
	e.clock.Advance(10 * time.Second)
	spaced := code[:3] + " " + code[3:] // as authenticator apps show it
	next, err := e.svc.CompleteSecondFactor(t.Context(), raw, spaced)
	if err != nil {
		t.Fatalf("CompleteSecondFactor: %v", err)
	}
	sess, _ := e.session(t, next)
	if !sess.SecondFactor || !sess.CreatedAt.Equal(signedIn.CreatedAt) || !sess.ExpiresAt.Equal(signedIn.ExpiresAt) {
		t.Errorf("rotated session %+v; want complete, with the sign-in's times %+v", sess, signedIn)
	}
	t.Run("complete session cannot complete again", func(t *testing.T) {
		_, err := e.svc.CompleteSecondFactor(t.Context(), next, code)
		wantErr(t, err, apperr.Conflict, "signin.second_factor_done")
	})
	t.Run("the same code in another sign-in is a replay", func(t *testing.T) {
		_, other := e.signIn(t, "els@zorg.example")
		_, err := e.svc.CompleteSecondFactor(t.Context(), other, code)
		wantErr(t, err, apperr.Unauthorized, "signin.second_factor_failed")
	})
}

func TestSecondFactorIsThrottled(t *testing.T) {
	e := newEnv(t, start)
	m := e.addMember(t, "els@zorg.example", staff.Officer)
	secret, _ := e.enrol(t, m.ID)
	_, raw := e.signIn(t, "els@zorg.example")
	good := totpCode(t, secret, e.clock.Now())
	bad := "000000"
	if bad == good {
		bad = "111111"
	}
	for range 5 {
		_, err := e.svc.CompleteSecondFactor(t.Context(), raw, bad)
		wantErr(t, err, apperr.Unauthorized, "signin.second_factor_failed")
	}
	_, err := e.svc.CompleteSecondFactor(t.Context(), raw, good)
	wantErr(t, err, apperr.RateLimited, "signin.locked")
	_, err = e.svc.SignInPassword(t.Context(), "els@zorg.example", password, address)
	wantErr(t, err, apperr.RateLimited, "signin.locked")
}

func TestRecoveryCodeWorksOnce(t *testing.T) {
	e := newEnv(t, start)
	m := e.addMember(t, "els@zorg.example", staff.Officer)
	_, codes := e.enrol(t, m.ID)

	_, raw := e.signIn(t, "els@zorg.example")
	typed := "  " + codes[3][:9] + " " + codes[3][10:] // sloppily typed
	next, err := e.svc.CompleteSecondFactor(t.Context(), raw, typed)
	if err != nil {
		t.Fatalf("CompleteSecondFactor(recovery code): %v", err)
	}
	if sess, _ := e.session(t, next); !sess.SecondFactor {
		t.Error("session not complete after a recovery code")
	}
	left, err := e.store.RecoveryCodesLeft(t.Context(), m.ID)
	if err != nil || left != 9 {
		t.Errorf("RecoveryCodesLeft = %d, %v; want 9", left, err)
	}

	_, again := e.signIn(t, "els@zorg.example")
	_, err = e.svc.CompleteSecondFactor(t.Context(), again, codes[3])
	wantErr(t, err, apperr.Unauthorized, "signin.second_factor_failed")
	if _, err := e.svc.CompleteSecondFactor(t.Context(), again, codes[4]); err != nil {
		t.Fatalf("another recovery code: %v", err)
	}
}

func TestReenrolmentReplacesRecoveryCodes(t *testing.T) {
	e := newEnv(t, start)
	m := e.addMember(t, "els@zorg.example", staff.Officer)
	secret1, _, err := e.svc.BeginTOTPEnrolment(t.Context(), m.ID, "avgloket")
	if err != nil {
		t.Fatal(err)
	}
	secret2, _, err := e.svc.BeginTOTPEnrolment(t.Context(), m.ID, "avgloket")
	if err != nil {
		t.Fatal(err)
	}
	if secret1 == secret2 {
		t.Fatal("a second enrolment reused the secret")
	}
	// The first secret was replaced: its code no longer confirms.
	_, err = e.svc.ConfirmTOTPEnrolment(t.Context(), m.ID, totpCode(t, secret1, e.clock.Now()))
	if !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("confirm with the replaced secret: %v, want Invalid", err)
	}
	if _, err := e.svc.ConfirmTOTPEnrolment(t.Context(), m.ID, totpCode(t, secret2, e.clock.Now())); err != nil {
		t.Fatalf("confirm: %v", err)
	}
}

// Renewing recovery codes takes the password and a current code, each
// checked; the old codes stop working at once, and a member without TOTP
// has none to renew.
func TestRenewRecoveryCodes(t *testing.T) {
	e := newEnv(t, start)
	m := e.addMember(t, "els@zorg.example", staff.Officer)
	without := e.addMember(t, "piet@zorg.example", staff.Officer)
	secret, old := e.enrol(t, m.ID)
	e.clock.Advance(30 * time.Second) // the enrolment's code was used

	_, err := e.svc.RenewRecoveryCodes(t.Context(), without.ID, password, "123456")
	wantErr(t, err, apperr.Conflict, "totp.not_enabled")
	_, err = e.svc.RenewRecoveryCodes(t.Context(), m.ID, "niet-het-wachtwoord", totpCode(t, secret, e.clock.Now()))
	if f := apperr.As(err).Fields; !apperr.Is(err, apperr.Invalid) || f["recovery_password"] != "password.wrong" {
		t.Errorf("wrong password: fields %v", f)
	}
	_, err = e.svc.RenewRecoveryCodes(t.Context(), m.ID, password, "000000x")
	if f := apperr.As(err).Fields; !apperr.Is(err, apperr.Invalid) || f["recovery_code"] != "totp.code_wrong" {
		t.Errorf("wrong code: %v, fields %v", err, f)
	}

	code := totpCode(t, secret, e.clock.Now())
	fresh, err := e.svc.RenewRecoveryCodes(t.Context(), m.ID, password, code)
	if err != nil {
		t.Fatalf("RenewRecoveryCodes: %v", err)
	}
	if len(fresh) != auth.DefaultRecoveryCodes {
		t.Errorf("%d new codes, want %d", len(fresh), auth.DefaultRecoveryCodes)
	}
	// The code counts as used: the same one cannot renew again.
	if _, err = e.svc.RenewRecoveryCodes(t.Context(), m.ID, password, code); apperr.As(err).Fields["recovery_code"] != "totp.code_wrong" {
		t.Errorf("the same code again: %v", err)
	}

	_, raw := e.signIn(t, "els@zorg.example")
	_, err = e.svc.CompleteSecondFactor(t.Context(), raw, old[0])
	wantErr(t, err, apperr.Unauthorized, "signin.second_factor_failed")
	if _, err := e.svc.CompleteSecondFactor(t.Context(), raw, fresh[0]); err != nil {
		t.Fatalf("a new recovery code: %v", err)
	}
}

func TestChangePassword(t *testing.T) {
	e := newEnv(t, start)
	m := e.addMember(t, "els@zorg.example", staff.Officer)
	raw := e.signInComplete(t, "els@zorg.example")
	other := e.signInComplete(t, "els@zorg.example")

	t.Run("wrong current password", func(t *testing.T) {
		_, err := e.svc.ChangePassword(t.Context(), raw, "niet-het-goede", "een-nieuw-lang-wachtwoord", "Zorg")
		if !apperr.Is(err, apperr.Invalid) || apperr.As(err).Fields["current"] == "" {
			t.Fatalf("ChangePassword = %v, want Invalid on current", err)
		}
	})
	t.Run("refused by the policy", func(t *testing.T) {
		_, err := e.svc.ChangePassword(t.Context(), raw, password, "kort", "Zorg")
		if !apperr.Is(err, apperr.Invalid) || apperr.As(err).Fields["password"] != "password.too_short" {
			t.Fatalf("ChangePassword = %v, want Invalid password.too_short", err)
		}
	})
	const fresh = "een-nieuw-lang-wachtwoord"
	next, err := e.svc.ChangePassword(t.Context(), raw, password, fresh, "Zorg")
	if err != nil {
		t.Fatalf("ChangePassword: %v", err)
	}
	for _, old := range []string{raw, other} {
		_, _, err := e.svc.Session(t.Context(), old)
		wantErr(t, err, apperr.Unauthorized, "session.invalid")
	}
	if _, member := e.session(t, next); member.ID != m.ID {
		t.Errorf("new session belongs to %d", member.ID)
	}
	if _, err := e.svc.SignInPassword(t.Context(), "els@zorg.example", fresh, address); err != nil {
		t.Errorf("sign-in with the new password: %v", err)
	}
	_, err = e.svc.SignInPassword(t.Context(), "els@zorg.example", password, address)
	wantErr(t, err, apperr.Unauthorized, "signin.failed")
}

func TestPrune(t *testing.T) {
	e := newEnv(t, start)
	e.addMember(t, "els@zorg.example", staff.Officer)
	_, old := e.signIn(t, "els@zorg.example")
	e.clock.Advance(auth.DefaultSessionPolicy().Idle + time.Minute)
	_, live := e.signIn(t, "els@zorg.example")
	if err := e.svc.Prune(t.Context()); err != nil {
		t.Fatalf("Prune: %v", err)
	}
	if _, err := e.store.SessionByHash(t.Context(), auth.HashID(old)); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("idle session survived Prune: %v", err)
	}
	if _, err := e.store.SessionByHash(t.Context(), auth.HashID(live)); err != nil {
		t.Errorf("live session pruned: %v", err)
	}
}

// A request writes the session's last request time only when the stored
// one is a minute or more old, so page views are rarely durable writes; the
// idle time-out then counts from the last write.
func TestSessionLastSeenWrittenAtMostOnceAMinute(t *testing.T) {
	e := newEnv(t, start)
	e.addMember(t, "els@zorg.example", staff.Officer)
	tests := []struct {
		after time.Duration
		write bool
	}{
		{0, false},
		{auth.TouchEvery - time.Second, false},
		{auth.TouchEvery, true},
		{auth.TouchEvery + time.Second, true},
	}
	for _, tt := range tests {
		t.Run(tt.after.String(), func(t *testing.T) {
			_, raw := e.signIn(t, "els@zorg.example")
			signedIn := e.clock.Now()
			e.clock.Advance(tt.after)
			got, _ := e.session(t, raw)
			stored, err := e.store.SessionByHash(t.Context(), auth.HashID(raw))
			if err != nil {
				t.Fatal(err)
			}
			want := signedIn
			if tt.write {
				want = e.clock.Now()
			}
			if !stored.LastSeen.Equal(want) || !got.LastSeen.Equal(want) {
				t.Errorf("last seen stored %s, returned %s; want %s", stored.LastSeen, got.LastSeen, want)
			}
		})
	}
	t.Run("idle time-out counts from the last write", func(t *testing.T) {
		_, raw := e.signIn(t, "els@zorg.example")
		e.clock.Advance(auth.TouchEvery - time.Second)
		e.session(t, raw) // not written
		e.clock.Advance(auth.DefaultSessionPolicy().Idle - (auth.TouchEvery - time.Second))
		_, _, err := e.svc.Session(t.Context(), raw)
		wantErr(t, err, apperr.Unauthorized, "session.invalid")
	})
}
