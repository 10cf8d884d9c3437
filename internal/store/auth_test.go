package store

import (
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/store/dbtest"

	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/auth"
	"github.com/avgloket/avgloket/internal/staff"
)

var authNow = time.Date(2026, time.November, 25, 9, 0, 0, 0, time.UTC)

// addStaff creates a member; hash "" makes an OIDC-only account, invited
// makes it by invitation.
func addStaff(tb testing.TB, s *Store, email, hash string, invited bool) staff.Member {
	tb.Helper()
	nm := staff.NewMember{Email: email, Name: "Test", Role: staff.Officer, PasswordHash: hash}
	add := s.AddMember
	if invited {
		add = s.InviteMember
	}
	m, err := add(tb.Context(), nm, authNow)
	if err != nil {
		tb.Fatalf("add %s: %v", email, err)
	}
	return m
}

func TestInviteMember(t *testing.T) {
	env := newTestStore(t)
	invited := addStaff(t, env.s, "uitgenodigd@zorg.example", "", true)
	plain := addStaff(t, env.s, "gewoon@zorg.example", "$argon2id$x", false)
	for _, tt := range []struct {
		name string
		id   int64
		want bool
	}{{"invited", invited.ID, true}, {"added", plain.ID, false}} {
		t.Run(tt.name, func(t *testing.T) {
			a, err := env.s.AccountByID(t.Context(), tt.id)
			if err != nil {
				t.Fatal(err)
			}
			if a.Invited != tt.want {
				t.Errorf("Invited = %v, want %v", a.Invited, tt.want)
			}
		})
	}
	if _, err := env.s.InviteMember(t.Context(), staff.NewMember{Email: "gewoon@zorg.example", Role: staff.Officer}, authNow); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("inviting a taken address: %v, want Conflict", err)
	}
}

func TestTOTPSecretIsSealedAndBoundToItsRow(t *testing.T) {
	env := newTestStore(t)
	a := addStaff(t, env.s, "a@zorg.example", "h", false)
	b := addStaff(t, env.s, "b@zorg.example", "h", false)
	const marker = "MARKERTOTPSECRETMARKERTOTPSECRET"
	if err := env.s.SetPendingTOTP(t.Context(), a.ID, marker); err != nil {
		t.Fatalf("SetPendingTOTP: %v", err)
	}
	var blob []byte
	if err := env.s.db.WithContext(t.Context()).Raw("SELECT totp_secret FROM staff WHERE id = ?", a.ID).Row().Scan(&blob); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(blob, []byte(marker)) {
		t.Fatal("TOTP secret stored in clear")
	}
	got, err := env.s.AccountByID(t.Context(), a.ID)
	if err != nil || got.TOTPSecret != marker || got.TOTPEnabled {
		t.Fatalf("AccountByID = %+v, %v; want pending secret", got, err)
	}
	// The same blob in another row does not open.
	if err := rawWrite(env.s).Exec("UPDATE staff SET totp_secret = ? WHERE id = ?", blob, b.ID).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := env.s.AccountByID(t.Context(), b.ID); !apperr.Is(err, apperr.Internal) {
		t.Errorf("secret copied to another row opened: %v", err)
	}
}

func TestEnableTOTPAndSteps(t *testing.T) {
	env := newTestStore(t)
	m := addStaff(t, env.s, "a@zorg.example", "h", false)
	ctx := t.Context()
	if err := env.s.EnableTOTP(ctx, m.ID, "S", 10, authNow, nil); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("EnableTOTP without a pending secret: %v, want Conflict", err)
	}
	if err := env.s.SetPendingTOTP(ctx, m.ID, "SECRET1"); err != nil {
		t.Fatal(err)
	}
	if err := env.s.EnableTOTP(ctx, m.ID, "SECRET0", 10, authNow, nil); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("EnableTOTP of a replaced secret: %v, want Conflict", err)
	}
	if ok, err := env.s.AdvanceTOTPStep(ctx, m.ID, 5); err != nil || ok {
		t.Errorf("AdvanceTOTPStep before enabling = %v, %v; want false", ok, err)
	}
	if err := env.s.EnableTOTP(ctx, m.ID, "SECRET1", 10, authNow, []string{"h1", "h2"}); err != nil {
		t.Fatalf("EnableTOTP: %v", err)
	}
	if err := env.s.SetPendingTOTP(ctx, m.ID, "SECRET2"); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("SetPendingTOTP while enabled: %v, want Conflict", err)
	}
	steps := []struct {
		name string
		step int64
		want bool
	}{
		{"the enrolment step again", 10, false},
		{"an older step", 9, false},
		{"the next step", 11, true},
		{"the same again", 11, false},
		{"a later step", 13, true},
	}
	for _, tt := range steps {
		t.Run(tt.name, func(t *testing.T) {
			if ok, err := env.s.AdvanceTOTPStep(ctx, m.ID, tt.step); err != nil || ok != tt.want {
				t.Errorf("AdvanceTOTPStep(%d) = %v, %v; want %v", tt.step, ok, err, tt.want)
			}
		})
	}
	t.Run("recovery codes once each", func(t *testing.T) {
		for _, tt := range []struct {
			hash string
			want bool
		}{{"h1", true}, {"h1", false}, {"h3", false}, {"h2", true}} {
			if ok, err := env.s.UseRecoveryCode(ctx, m.ID, tt.hash, authNow); err != nil || ok != tt.want {
				t.Errorf("UseRecoveryCode(%s) = %v, %v; want %v", tt.hash, ok, err, tt.want)
			}
		}
	})
}

// Two requests with the same TOTP code at once: only one may pass.
func TestAdvanceTOTPStepIsCompareAndSet(t *testing.T) {
	env := newTestStore(t)
	m := addStaff(t, env.s, "a@zorg.example", "h", false)
	if err := env.s.SetPendingTOTP(t.Context(), m.ID, "S"); err != nil {
		t.Fatal(err)
	}
	if err := env.s.EnableTOTP(t.Context(), m.ID, "S", 1, authNow, nil); err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	results := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { results[i], errs[i] = env.s.AdvanceTOTPStep(t.Context(), m.ID, 2) })
	}
	wg.Wait()
	passed := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("AdvanceTOTPStep: %v", errs[i])
		}
		if results[i] {
			passed++
		}
	}
	if passed != 1 {
		t.Errorf("%d of %d concurrent uses of one step passed, want 1", passed, n)
	}
}

func TestLoginFailuresWindow(t *testing.T) {
	env := newTestStore(t)
	ctx := t.Context()
	window := 15 * time.Minute
	add := func(tb testing.TB, account, address string, at time.Time) (int, int) {
		tb.Helper()
		a, b, err := env.s.AddLoginFailure(ctx, account, address, at, at.Add(-window))
		if err != nil {
			tb.Fatalf("AddLoginFailure: %v", err)
		}
		return a, b
	}
	tests := []struct {
		name              string
		account, address  string
		at                time.Time
		wantAcc, wantAddr int
	}{
		{"first", "acc1", "addr1", authNow, 1, 1},
		{"same account, other address", "acc1", "addr2", authNow.Add(time.Minute), 2, 1},
		{"other account, same address", "acc2", "addr1", authNow.Add(2 * time.Minute), 1, 2},
		{"just inside the window of the first", "acc1", "addr1", authNow.Add(window - time.Second), 3, 3},
		{"the first falls out of the window", "acc1", "addr1", authNow.Add(window), 3, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if a, b := add(t, tt.account, tt.address, tt.at); a != tt.wantAcc || b != tt.wantAddr {
				t.Errorf("counts %d, %d; want %d, %d", a, b, tt.wantAcc, tt.wantAddr)
			}
		})
	}
	t.Run("clear forgets the account only", func(t *testing.T) {
		if err := env.s.ClearLoginFailures(ctx, "acc1"); err != nil {
			t.Fatal(err)
		}
		if a, b := add(t, "acc1", "addr3", authNow.Add(window+time.Minute)); a != 1 || b != 1 {
			t.Errorf("after clear: %d, %d; want 1, 1", a, b)
		}
		if a, b := add(t, "acc2", "addr1", authNow.Add(window+time.Minute)); a != 2 || b != 2 {
			t.Errorf("other account after clear: %d, %d; want 2, 2", a, b)
		}
	})
}

func TestSessionStore(t *testing.T) {
	env := newTestStore(t)
	ctx := t.Context()
	m := addStaff(t, env.s, "a@zorg.example", "h", false)
	sess := auth.Session{StaffID: m.ID, CreatedAt: authNow, LastSeen: authNow, ExpiresAt: authNow.Add(12 * time.Hour)}
	if err := env.s.CreateSession(ctx, "hash-1", sess); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	if err := env.s.CreateSession(ctx, "hash-1", sess); err == nil {
		t.Error("two sessions under one hash")
	}
	got, err := env.s.SessionByHash(ctx, "hash-1")
	if err != nil || got.StaffID != m.ID || !got.CreatedAt.Equal(authNow) || !got.ExpiresAt.Equal(sess.ExpiresAt) || got.SecondFactor {
		t.Fatalf("SessionByHash = %+v, %v", got, err)
	}
	if err := env.s.TouchSession(ctx, "hash-1", authNow.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _ := env.s.SessionByHash(ctx, "hash-1"); !got.LastSeen.Equal(authNow.Add(time.Minute)) {
		t.Errorf("LastSeen = %v after touch", got.LastSeen)
	}
	sess.SecondFactor = true
	if err := env.s.ReplaceSession(ctx, "hash-1", "hash-2", sess); err != nil {
		t.Fatalf("ReplaceSession: %v", err)
	}
	if _, err := env.s.SessionByHash(ctx, "hash-1"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("old session after replace: %v", err)
	}
	if got, err := env.s.SessionByHash(ctx, "hash-2"); err != nil || !got.SecondFactor {
		t.Errorf("new session = %+v, %v", got, err)
	}
	if err := env.s.ReplaceSession(ctx, "hash-1", "hash-3", sess); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("replacing a gone session: %v, want NotFound", err)
	}
	if _, err := env.s.SessionByHash(ctx, "hash-3"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("failed replace left a session: %v", err)
	}
}

func TestDisableMemberIsOneTransaction(t *testing.T) {
	env := newTestStore(t)
	ctx := t.Context()
	m := addStaff(t, env.s, "a@zorg.example", "h", false)
	for _, h := range []string{"s1", "s2"} {
		if err := env.s.CreateSession(ctx, h, auth.Session{StaffID: m.ID, CreatedAt: authNow, LastSeen: authNow, ExpiresAt: authNow.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := env.s.DisableMember(ctx, m.ID, audit.Entry{At: authNow}); err != nil {
		t.Fatalf("DisableMember: %v", err)
	}
	var n int
	if err := env.s.db.WithContext(ctx).Raw("SELECT count(*) FROM sessions WHERE staff_id = ?", m.ID).Row().Scan(&n); err != nil || n != 0 {
		t.Errorf("%d sessions left (err %v), want 0", n, err)
	}
	if a, _ := env.s.AccountByID(ctx, m.ID); !a.Member.Disabled {
		t.Error("member not disabled")
	}
	if err := env.s.DisableMember(ctx, m.ID, audit.Entry{At: authNow}); err != nil {
		t.Errorf("disabling again: %v", err)
	}
	if err := env.s.DisableMember(ctx, 9999, audit.Entry{At: authNow}); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("disabling an unknown member: %v, want NotFound", err)
	}
}

func TestOIDCAttemptsAreSealedAndSingleUse(t *testing.T) {
	env := newTestStore(t)
	ctx := t.Context()
	const verifier = "MARKER-PKCE-VERIFIER-MARKER-PKCE-VERIFIER-1234"
	a := auth.OIDCAttempt{StateHash: "state-h", BrowserHash: "browser-h", NonceHash: "nonce-h", Verifier: verifier,
		CreatedAt: authNow, ExpiresAt: authNow.Add(10 * time.Minute)}
	if err := env.s.AddOIDCAttempt(ctx, a); err != nil {
		t.Fatalf("AddOIDCAttempt: %v", err)
	}
	var blob []byte
	if err := env.s.db.WithContext(ctx).Raw("SELECT verifier FROM oidc_attempts").Row().Scan(&blob); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(blob, []byte(verifier)) {
		t.Fatal("PKCE verifier stored in clear")
	}
	const n = 6
	var wg sync.WaitGroup
	got := make([]auth.OIDCAttempt, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { got[i], errs[i] = env.s.TakeOIDCAttempt(ctx, "state-h", authNow) })
	}
	wg.Wait()
	taken := 0
	for i := range n {
		switch {
		case errs[i] == nil:
			taken++
			if got[i].Verifier != verifier || got[i].BrowserHash != "browser-h" || got[i].NonceHash != "nonce-h" || !got[i].ExpiresAt.Equal(a.ExpiresAt) {
				t.Errorf("attempt %+v", got[i])
			}
		case !apperr.Is(errs[i], apperr.NotFound):
			t.Errorf("TakeOIDCAttempt: %v", errs[i])
		}
	}
	if taken != 1 {
		t.Errorf("attempt taken %d times, want once", taken)
	}
	if _, err := env.s.TakeOIDCAttempt(ctx, "unknown", authNow); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unknown state: %v, want NotFound", err)
	}
}

func TestBindOIDC(t *testing.T) {
	env := newTestStore(t)
	ctx := t.Context()
	invited := addStaff(t, env.s, "inv@zorg.example", "", true)
	invited2 := addStaff(t, env.s, "inv2@zorg.example", "", true)
	local := addStaff(t, env.s, "local@zorg.example", "$argon2id$x", true)
	plain := addStaff(t, env.s, "plain@zorg.example", "", false)
	disabled := addStaff(t, env.s, "dis@zorg.example", "", true)
	if err := env.s.DisableMember(ctx, disabled.ID, audit.Entry{At: authNow}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name            string
		id              int64
		issuer, subject string
		wantErr         bool
	}{
		{"invited without password", invited.ID, "https://idp", "sub-1", false},
		{"bound already", invited.ID, "https://idp", "sub-9", true},
		{"identity bound to another account", invited2.ID, "https://idp", "sub-1", true},
		{"same subject at another issuer", invited2.ID, "https://other-idp", "sub-1", false},
		{"account with a password", local.ID, "https://idp", "sub-2", true},
		{"not invited", plain.ID, "https://idp", "sub-3", true},
		{"disabled", disabled.ID, "https://idp", "sub-4", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := env.s.BindOIDC(ctx, tt.id, tt.issuer, tt.subject)
			if tt.wantErr != (err != nil) || (err != nil && !apperr.Is(err, apperr.Conflict)) {
				t.Fatalf("BindOIDC = %v, want error %v (Conflict)", err, tt.wantErr)
			}
		})
	}
	a, err := env.s.AccountByOIDC(ctx, "https://idp", "sub-1")
	if err != nil || a.Member.ID != invited.ID {
		t.Errorf("AccountByOIDC = %+v, %v; want member %d", a.Member, err, invited.ID)
	}
	if _, err := env.s.AccountByOIDC(ctx, "https://idp", "sub-2"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unbound identity: %v, want NotFound", err)
	}
}

func TestPruneAuth(t *testing.T) {
	env := newTestStore(t)
	ctx := t.Context()
	m := addStaff(t, env.s, "a@zorg.example", "h", false)
	mk := func(h string, lastSeen, expires time.Time) {
		t.Helper()
		if err := env.s.CreateSession(ctx, h, auth.Session{StaffID: m.ID, CreatedAt: authNow, LastSeen: lastSeen, ExpiresAt: expires}); err != nil {
			t.Fatal(err)
		}
	}
	now := authNow.Add(13 * time.Hour)
	mk("live", now.Add(-time.Minute), authNow.Add(24*time.Hour))
	mk("idle", now.Add(-time.Hour), authNow.Add(24*time.Hour))
	mk("ended", now.Add(-time.Minute), authNow.Add(12*time.Hour))
	if err := env.s.AddOIDCAttempt(ctx, auth.OIDCAttempt{StateHash: "old", BrowserHash: "b", NonceHash: "n", Verifier: "v", CreatedAt: authNow, ExpiresAt: authNow.Add(10 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.s.AddLoginFailure(ctx, "acc", "addr", authNow, authNow.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := env.s.PruneAuth(ctx, now, now.Add(-30*time.Minute), now.Add(-15*time.Minute)); err != nil {
		t.Fatalf("PruneAuth: %v", err)
	}
	for _, tt := range []struct {
		query string
		want  int
	}{
		{"SELECT count(*) FROM sessions", 1},
		{"SELECT count(*) FROM sessions WHERE id_hash = 'live'", 1},
		{"SELECT count(*) FROM oidc_attempts", 0},
		{"SELECT count(*) FROM login_failures", 0},
	} {
		var n int
		if err := env.s.db.WithContext(ctx).Raw(tt.query).Row().Scan(&n); err != nil || n != tt.want {
			t.Errorf("%s = %d (err %v), want %d", tt.query, n, err, tt.want)
		}
	}
}

// The auth migration's Down section undoes it, and Up applies again.
func TestAuthMigrationDownAndUp(t *testing.T) {
	dbtest.SQLiteOnly(t, "SQLite's migration history; PostgreSQL starts from the 0036 baseline")
	env := newTestStore(t)
	ctx := t.Context()
	addStaff(t, env.s, "a@zorg.example", "h", false)
	p, err := goose.NewProvider(goose.DialectSQLite3, env.s.w.sql, migrationFiles(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 2); err != nil {
		t.Fatalf("down: %v", err)
	}
	var cols string
	if err := env.s.db.WithContext(ctx).Raw("SELECT group_concat(name) FROM pragma_table_info('staff')").Row().Scan(&cols); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(cols, "totp") || strings.Contains(cols, "oidc") {
		t.Errorf("staff columns after down: %s", cols)
	}
	var n int
	if err := env.s.db.WithContext(ctx).Raw("SELECT count(*) FROM sqlite_master WHERE name IN ('sessions','recovery_codes','login_failures','oidc_attempts')").Row().Scan(&n); err != nil || n != 0 {
		t.Errorf("%d auth tables after down (err %v)", n, err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if _, err := env.s.AccountByEmail(ctx, "a@zorg.example"); err != nil {
		t.Errorf("member after down and up: %v", err)
	}
}
