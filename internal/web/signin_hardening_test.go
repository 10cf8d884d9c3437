package web_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/auth"
	"github.com/avgloket/avgloket/internal/staff"
)

// halfwayRoutes are the pages a session may use before its second factor.
var halfwayRoutes = map[string]bool{
	"GET /staff/signin/code": true, "POST /staff/signin/code": true, "POST /staff/signout": true,
	"GET /staff/account/totp": true, "POST /staff/account/totp": true, "POST /staff/account/totp/begin": true,
}

// ASVS 5.0 6.3.3: an officer without TOTP reaches no staff page or action
// before enrolling; every one sends them to the enrolment.
func TestOfficerEnrolsSecondFactorBeforeAnything(t *testing.T) {
	a := newTestServer(t, withBranches("utrecht"))
	a.addMember(t, "els@praktijk.example", staff.Officer, "utrecht")
	ref := a.fileRequest(t, "Zeger Geheim", "zeger@example.nl", "utrecht")
	b := a.browser(t)
	p, _ := passwordStep(b, "els@praktijk.example", staffPassword)
	if got := p.location(); got != "/staff/account/totp" {
		t.Fatalf("after the password an officer without TOTP goes to %s, want /staff/account/totp", got)
	}
	csrf := b.cookie(csrfCookie)
	probes := 0
	for _, route := range a.srv.Routes() {
		method, path, _ := strings.Cut(route, " ")
		if !strings.HasPrefix(path, "/staff") || halfwayRoutes[route] || (method != http.MethodGet && method != http.MethodPost) ||
			strings.HasPrefix(path, "/staff/signin") || strings.HasPrefix(path, "/staff/oidc") || strings.HasPrefix(path, "/staff/welcome") {
			continue
		}
		path = strings.NewReplacer(":ref", ref, ":id", "1", ":step", "facts", ":file", "x").Replace(path)
		var got *page
		if method == http.MethodGet {
			got = b.get(path)
		} else {
			got = b.post(path+"?_csrf="+csrf, withCSRF(t, "", csrf))
		}
		probes++
		if got.Status != http.StatusSeeOther || got.Header.Get("Location") != "/staff/account/totp" {
			t.Errorf("%s %s before enrolment: status %d to %q, want 303 to /staff/account/totp", method, path, got.Status, got.Header.Get("Location"))
		}
		if strings.Contains(got.Body, "Geheim") {
			t.Errorf("%s %s shows case data before the second factor", method, path)
		}
	}
	if probes < 40 {
		t.Fatalf("only %d staff routes probed", probes)
	}
	if n := a.eventCount(t, ref); n != 1 {
		t.Errorf("the case has %d events; the probes changed it", n)
	}
	// The enrolment page says it is required and leads in.
	if page := b.get("/staff/account/totp"); !strings.Contains(page.text(), a.nl("totp.must")) {
		t.Errorf("the enrolment page does not say it is required:\n%s", page.text())
	}
	sb := a.signInWith(t, a.browser(t), "els@praktijk.example")
	if !sb.signedIn() {
		t.Error("after enrolling and giving a code the officer is not in")
	}
}

// A password account signed in before every account had to enrol keeps
// its session, but reaches nothing before it enrols.
func TestSessionFromBeforeTheRuleEnrolsFirst(t *testing.T) {
	a := newTestServer(t)
	els := a.addMember(t, "els@praktijk.example", staff.Officer)
	raw, err := a.auth.StartSession(t.Context(), els.ID, true) // complete, without TOTP: as before the rule
	if err != nil {
		t.Fatal(err)
	}
	b := a.browser(t)
	b.setCookie(sessionCookie, raw)
	for _, path := range []string{"/staff/cases", "/staff/account", "/staff/breaches"} {
		if p := b.get(path); p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/staff/account/totp" {
			t.Errorf("GET %s: %d to %q, want 303 to /staff/account/totp", path, p.Status, p.Header.Get("Location"))
		}
	}
	sb := &staffBrowser{browser: b, app: a, member: els, csrf: b.cookie(csrfCookie)}
	if sb.csrf == "" {
		b.get("/staff/account/totp")
		sb.csrf = b.cookie(csrfCookie)
	}
	sb.enrolTOTP()
	if !b.signedIn() {
		t.Error("after enrolling, the session does not reach the queue")
	}
}

// amrUser is a mockoidc user whose ID token carries an amr claim.
type amrUser struct {
	*mockoidc.MockUser
	amr []string
}

func (u amrUser) Claims(scope []string, c *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	base, err := u.MockUser.Claims(scope, c)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(base)
	if err != nil {
		return nil, err
	}
	m := jwt.MapClaims{}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	if u.amr != nil {
		m["amr"] = u.amr
	}
	return m, nil
}

// An OIDC account goes straight in when the provider's token proves a
// second factor as AVGLOKET_OIDC_REQUIRE_AMR asks; without it, it enrols.
func TestOIDCSecondFactorFromProvider(t *testing.T) {
	m := runMockOIDC(t)
	a := newTestServer(t, withOIDC(m), withOIDCConfig(func(c *auth.OIDCConfig) { c.RequireAMR = []string{"mfa", "otp", "hwk"} }))
	for _, email := range []string{"met.mfa@praktijk.example", "zonder.mfa@praktijk.example"} {
		if _, err := a.store.InviteMember(t.Context(), staff.NewMember{Email: email, Name: "Test", Role: staff.Officer}, a.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("amr with mfa goes straight in", func(t *testing.T) {
		m.QueueUser(amrUser{&mockoidc.MockUser{Subject: "sub-mfa", Email: "met.mfa@praktijk.example", EmailVerified: true}, []string{"pwd", "mfa"}})
		b := a.browser(t)
		_, callback := a.oidcSignIn(t, m, b)
		if got := callback.location(); got != "/staff/cases" {
			t.Fatalf("callback: to %s, want /staff/cases", got)
		}
		if !b.signedIn() {
			t.Error("not signed in")
		}
	})
	t.Run("amr without a second factor enrols", func(t *testing.T) {
		m.QueueUser(amrUser{&mockoidc.MockUser{Subject: "sub-pwd", Email: "zonder.mfa@praktijk.example", EmailVerified: true}, []string{"pwd"}})
		b := a.browser(t)
		_, callback := a.oidcSignIn(t, m, b)
		if got := callback.location(); got != "/staff/account/totp" {
			t.Fatalf("callback: to %s, want /staff/account/totp", got)
		}
		if got := b.get("/staff/cases"); got.Status != http.StatusSeeOther || got.Header.Get("Location") != "/staff/account/totp" {
			t.Errorf("the queue before enrolment: %d to %q", got.Status, got.Header.Get("Location"))
		}
	})
}

// The CSRF token a browser had before signing in stops working at sign-in,
// and the one it had before the second factor stops working after it.
func TestCSRFTokenRotatesAtSignIn(t *testing.T) {
	a := newTestServer(t)
	a.addMember(t, "els@praktijk.example", staff.Officer)
	b := a.browser(t)
	p, before := passwordStep(b, "els@praktijk.example", staffPassword)
	if got := p.location(); got != "/staff/account/totp" {
		t.Fatalf("to %s", got)
	}
	halfway := b.cookie(csrfCookie)
	if halfway == "" || halfway == before {
		t.Fatalf("CSRF token after the password %q, before %q: want a new one", halfway, before)
	}
	if got := b.post("/staff/account/totp/begin", withCSRF(t, "", before)); got.Status != http.StatusForbidden {
		t.Errorf("the token from before signing in: status %d, want 403", got.Status)
	}
	sb := &staffBrowser{browser: b, app: a, member: a.memberByEmail(t, "els@praktijk.example"), csrf: halfway}
	sb.enrolTOTP()
	if got := sb.submit("/staff/signin/code", "code", sb.nextCode()).location(); got != "/staff/cases" {
		t.Fatalf("after the code: to %s", got)
	}
	after := b.cookie(csrfCookie)
	if after == "" || after == halfway {
		t.Fatalf("CSRF token after the second factor %q, before it %q: want a new one", after, halfway)
	}
	if got := b.post("/staff/account/tokens", withCSRF(t, "label=oud", halfway)); got.Status != http.StatusForbidden {
		t.Errorf("the token from before the second factor: status %d, want 403", got.Status)
	}
	if got := b.post("/staff/account/tokens", withCSRF(t, "label=nieuw", after)); got.Status != http.StatusOK {
		t.Errorf("the new token: status %d, want 200", got.Status)
	}
}

// API tokens outlive a password change; the account page says so and
// revokes them all at once, audited, leaving other members' tokens alone.
func TestRevokeAllAPITokens(t *testing.T) {
	a := newTestServer(t)
	els := a.addMember(t, "els@praktijk.example", staff.Officer)
	other := a.addMember(t, "piet@praktijk.example", staff.Officer)
	mine := []string{a.addToken(t, els), a.addToken(t, els)}
	theirs := a.addToken(t, other)
	for _, tok := range append(mine, theirs) {
		if res := a.api(t, http.MethodGet, "/api/v1/cases", tok, nil); res.Status != http.StatusOK {
			t.Fatalf("token before: %d", res.Status)
		}
	}
	b := a.signIn(t, "els@praktijk.example")
	page := b.get("/staff/account")
	if got := page.textOf("tokens-outlive"); got != a.nl("account.tokens_outlive") {
		t.Errorf("the account page says %q about tokens and passwords, want %q", got, a.nl("account.tokens_outlive"))
	}
	if got := b.get("/staff/account/tokens/revoke-all"); got.Status == http.StatusSeeOther || got.Status == http.StatusOK {
		t.Errorf("GET revoke-all answered %d: a GET must change nothing", got.Status)
	}
	if got := b.post("/staff/account/tokens/revoke-all", withCSRF(t, "", "")); got.Status != http.StatusForbidden {
		t.Errorf("revoke-all without the CSRF token: %d, want 403", got.Status)
	}
	if got := b.fill(page, "/staff/account/tokens/revoke-all").location(); got != "/staff/account" {
		t.Fatalf("revoke-all: to %s", got)
	}
	for i, tok := range mine {
		if res := a.api(t, http.MethodGet, "/api/v1/cases", tok, nil); res.Status != http.StatusUnauthorized {
			t.Errorf("Els's token %d after revoke-all: %d, want 401", i, res.Status)
		}
	}
	if res := a.api(t, http.MethodGet, "/api/v1/cases", theirs, nil); res.Status != http.StatusOK {
		t.Errorf("another member's token after Els's revoke-all: %d, want 200", res.Status)
	}
	revoked := 0
	for _, e := range a.auditTrail(t) {
		if e.Action == audit.TokenRevoke && e.Actor == audit.Staff(els.ID) {
			revoked++
		}
	}
	if revoked != 2 {
		t.Errorf("%d token_revoke entries by Els, want 2", revoked)
	}
	if b.get("/staff/account").formTo("/staff/account/tokens/revoke-all") != nil {
		t.Error("the revoke-all button is still offered without live tokens")
	}
}

// The page asked for before signing in opens after it: for a password with
// the second factor and for OIDC; never another site.
func TestSignInOpensThePageAskedFor(t *testing.T) {
	m := runMockOIDC(t)
	a := newTestServer(t, withBranches("utrecht"), withOIDC(m))
	a.addMember(t, "els@praktijk.example", staff.Officer, "utrecht")
	if _, err := a.store.InviteMember(t.Context(), staff.NewMember{Email: "sanne@praktijk.example", Name: "Sanne", Role: staff.Officer}, a.clock.Now()); err != nil {
		t.Fatal(err)
	}

	t.Run("password and second factor", func(t *testing.T) {
		b := a.browser(t)
		if got := b.get("/staff/cases?mine=1").location(); got != "/staff/signin" {
			t.Fatalf("signed out: to %s", got)
		}
		sb := &staffBrowser{browser: b, app: a, member: a.memberByEmail(t, "els@praktijk.example")}
		p, _ := passwordStep(b, "els@praktijk.example", staffPassword)
		if got := p.location(); got != "/staff/account/totp" {
			t.Fatalf("after the password: to %s", got)
		}
		sb.csrf = b.cookie(csrfCookie)
		sb.enrolTOTP()
		if got := sb.submit("/staff/signin/code", "code", sb.nextCode()).location(); got != "/staff/cases?mine=1" {
			t.Errorf("after the code: to %s, want /staff/cases?mine=1", got)
		}
		// Used once: the next sign-in goes to the queue (signInWith fails
		// the test otherwise).
		a.signInWith(t, b, "els@praktijk.example")
	})
	t.Run("OIDC", func(t *testing.T) {
		b := a.browser(t)
		b.get("/staff/account")
		m.QueueUser(&mockoidc.MockUser{Subject: "sub-sanne", Email: "sanne@praktijk.example", EmailVerified: true})
		_, callback := a.oidcSignIn(t, m, b)
		if got := callback.location(); got != "/staff/account/totp" {
			t.Fatalf("callback: to %s, want the enrolment", got)
		}
		sb := &staffBrowser{browser: b, app: a, member: a.memberByEmail(t, "sanne@praktijk.example"), csrf: b.cookie(csrfCookie)}
		sb.enrolTOTP()
		if got := sb.submit("/staff/signin/code", "code", sb.nextCode()).location(); got != "/staff/account" {
			t.Errorf("after the code: to %s, want /staff/account", got)
		}
	})
	for _, evil := range []string{"//evil.example", "https://evil.example", "/\\evil.example", "/staff/../\\evil.example",
		"/staff\\evil.example", "//evil.example/staff/cases", "/staff/signin", "javascript:alert(1)"} {
		t.Run("not to "+evil, func(t *testing.T) {
			b := a.browser(t)
			b.setCookie("avg_next", evil)
			sb := &staffBrowser{browser: b, app: a, member: a.memberByEmail(t, "els@praktijk.example")}
			p, _ := passwordStep(b, "els@praktijk.example", staffPassword)
			if got := p.location(); got != "/staff/signin/code" {
				t.Fatalf("after the password: to %s", got)
			}
			sb.csrf = b.cookie(csrfCookie)
			if got := sb.submit("/staff/signin/code", "code", sb.nextCode()).location(); got != "/staff/cases" {
				t.Errorf("with %q asked for: to %s, want /staff/cases", evil, got)
			}
		})
	}
}

// flakyTransport fails every call while down, as a provider that does not
// answer.
type flakyTransport struct{ down *atomic.Bool }

func (f flakyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if f.down.Load() {
		return nil, errors.New("connection refused")
	}
	return http.DefaultTransport.RoundTrip(r)
}

// A provider that is down at start stops nothing: the public form and
// password sign-in work, the sign-in page says the organisation sign-in is
// temporarily unavailable, and once the provider answers it works.
func TestOIDCProviderDownAtStart(t *testing.T) {
	m := runMockOIDC(t)
	var down atomic.Bool
	down.Store(true)
	a := newTestServer(t, withOIDC(m), withOIDCClient(&http.Client{Transport: flakyTransport{&down}}))
	a.addMember(t, "els@praktijk.example", staff.Officer)
	if _, err := a.store.InviteMember(t.Context(), staff.NewMember{Email: "sanne@praktijk.example", Name: "Sanne", Role: staff.Officer}, a.clock.Now()); err != nil {
		t.Fatal(err)
	}
	b := a.browser(t)
	if p := b.get("/"); p.Status != http.StatusOK {
		t.Errorf("the public form: %d", p.Status)
	}
	signin := b.get("/staff/signin")
	if got := signin.textOf("oidc-unavailable"); got != a.nl("signin.oidc_unavailable") {
		t.Errorf("the sign-in page says %q, want %q", got, a.nl("signin.oidc_unavailable"))
	}
	if signin.formTo("/staff/signin/oidc") != nil {
		t.Error("the organisation sign-in is offered while the provider is down")
	}
	csrf := b.cookie(csrfCookie)
	if p := b.post("/staff/signin/oidc", withCSRF(t, "", csrf)); p.Status != http.StatusServiceUnavailable || p.textOf("oidc-unavailable") == "" {
		t.Errorf("starting the organisation sign-in while down: %d", p.Status)
	}
	if !a.signIn(t, "els@praktijk.example").signedIn() {
		t.Error("password sign-in does not work while the provider is down")
	}

	down.Store(false)
	if err := a.oidc.Discover(t.Context()); err != nil { // what the background retry does
		t.Fatalf("Discover: %v", err)
	}
	if b.get("/staff/signin").textOf("oidc-unavailable") != "" {
		t.Error("still unavailable after the provider came up")
	}
	m.QueueUser(&mockoidc.MockUser{Subject: "sub-sanne", Email: "sanne@praktijk.example", EmailVerified: true})
	if _, callback := a.oidcSignIn(t, m, a.browser(t)); callback.location() != "/staff/account/totp" {
		t.Errorf("OIDC sign-in after the provider came up: to %s", callback.Header.Get("Location"))
	}
}

// A failed callback says nothing but "try again" on the page; its cause is
// in the log.
func TestOIDCCallbackFailureLogsCause(t *testing.T) {
	m := runMockOIDC(t)
	a := newTestServer(t, withOIDC(m), withOIDCConfig(func(c *auth.OIDCConfig) { c.ClientSecret = "not-the-secret" }))
	if _, err := a.store.InviteMember(t.Context(), staff.NewMember{Email: "sanne@praktijk.example", Name: "Sanne", Role: staff.Officer}, a.clock.Now()); err != nil {
		t.Fatal(err)
	}
	m.QueueUser(&mockoidc.MockUser{Subject: "sub-sanne", Email: "sanne@praktijk.example", EmailVerified: true})
	_, callback := a.oidcSignIn(t, m, a.browser(t))
	if callback.Status != http.StatusUnauthorized || problem(callback) != a.nl("signin.oidc_failed") {
		t.Fatalf("callback with a wrong client secret: %d, says %q", callback.Status, problem(callback))
	}
	if strings.Contains(callback.Body, "exchange") || strings.Contains(callback.Body, "secret") {
		t.Error("the page shows the cause")
	}
	logs := a.logs.String()
	if !strings.Contains(logs, "signin.oidc_failed") || !strings.Contains(logs, "exchange") {
		t.Errorf("the log does not hold the cause of the failed callback:\n%s", logs)
	}
}

// Accounts that cannot use the organisation sign-in are told what to do.
func TestOIDCRefusalsSayWhatToDo(t *testing.T) {
	m := runMockOIDC(t)
	a := newTestServer(t, withOIDC(m))
	a.addMember(t, "lokaal@praktijk.example", staff.Officer)
	if _, err := a.store.AddMember(t.Context(), staff.NewMember{Email: "cli@praktijk.example", Name: "Cli", Role: staff.Officer}, a.clock.Now()); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, email, sub, want string
	}{
		{"an address with a password account", "lokaal@praktijk.example", "sub-lokaal", "signin.oidc_password_account"},
		{"an account made on the command line", "cli@praktijk.example", "sub-cli", "signin.oidc_not_invited_account"},
		{"an address nobody invited", "vreemd@praktijk.example", "sub-vreemd", "signin.oidc_not_invited"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m.QueueUser(&mockoidc.MockUser{Subject: tt.sub, Email: tt.email, EmailVerified: true})
			b := a.browser(t)
			_, callback := a.oidcSignIn(t, m, b)
			if callback.Status != http.StatusForbidden || problem(callback) != a.nl(tt.want) {
				t.Errorf("callback: %d, says %q; want 403 %q", callback.Status, problem(callback), a.nl(tt.want))
			}
			if setsSession(callback) || b.signedIn() {
				t.Error("a refused identity got a session")
			}
		})
	}
}
