package auth_test

import (
	"github.com/avgloket/avgloket/internal/audit"

	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"
	"github.com/oauth2-proxy/mockoidc"
	"golang.org/x/oauth2"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/auth"
	"github.com/avgloket/avgloket/internal/staff"
)

const redirectURL = "http://127.0.0.1:8080/auth/oidc/callback"

// runMockOIDC starts mockoidc's provider in-process; it stops when the test
// ends.
func runMockOIDC(tb testing.TB) *mockoidc.MockOIDC {
	tb.Helper()
	m, err := mockoidc.Run()
	if err != nil {
		tb.Fatalf("mockoidc.Run: %v", err)
	}
	tb.Cleanup(func() { _ = m.Shutdown() })
	return m
}

// newOIDCEnv is a sign-in service with a flow against mockoidc. mockoidc
// stamps its tokens with the real time, so the fake clock starts there.
func newOIDCEnv(tb testing.TB) (*env, *mockoidc.MockOIDC, *auth.OIDC) {
	tb.Helper()
	m := runMockOIDC(tb)
	e := newEnv(tb, time.Now())
	o, err := e.svc.NewOIDC(tb.Context(), auth.OIDCConfig{
		Issuer: m.Issuer(), ClientID: m.ClientID, ClientSecret: m.ClientSecret, RedirectURL: redirectURL,
	}, nil)
	if err != nil {
		tb.Fatalf("NewOIDC: %v", err)
	}
	return e, m, o
}

// noRedirects is a browser that stops at the first redirect, as our test
// needs the provider's redirect back to avgloket, not to follow it.
var noRedirects = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// authorize sends the browser to authURL (the provider signs the queued
// user in at once) and returns the state and code from the redirect back.
func authorize(tb testing.TB, authURL string) (state, code string) {
	tb.Helper()
	resp, err := noRedirects.Get(authURL)
	if err != nil {
		tb.Fatalf("GET %s: %v", authURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		tb.Fatalf("authorize: status %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		tb.Fatalf("redirect: %v", err)
	}
	if !strings.HasPrefix(loc.String(), redirectURL+"?") {
		tb.Fatalf("redirect to %s, want %s", loc, redirectURL)
	}
	return loc.Query().Get("state"), loc.Query().Get("code")
}

// begin starts an attempt and fails the test on error.
func begin(tb testing.TB, o *auth.OIDC) (authURL, browser string) {
	tb.Helper()
	authURL, browser, err := o.Begin(tb.Context())
	if err != nil {
		tb.Fatalf("Begin: %v", err)
	}
	return authURL, browser
}

// wantOIDCFailed fails the test unless err is Finish's one refusal, and
// its logged cause (never shown to the user) mentions cause.
func wantOIDCFailed(tb testing.TB, err error, cause string) {
	tb.Helper()
	wantErr(tb, err, apperr.Unauthorized, "signin.oidc_failed")
	if !strings.Contains(err.Error(), cause) {
		tb.Errorf("refused for %q, want a cause with %q", err, cause)
	}
}

func TestOIDCHappyPathBindsInvitedAccount(t *testing.T) {
	e, m, o := newOIDCEnv(t)
	invited := e.invite(t, "sanne@zorg.example", staff.Officer)
	m.QueueUser(&mockoidc.MockUser{Subject: "sub-sanne", Email: "Sanne@Zorg.example", EmailVerified: true})

	authURL, browser := begin(t, o)
	state, code := authorize(t, authURL)
	id, err := o.Finish(t.Context(), state, code, browser)
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	if id.Issuer != m.Issuer() || id.Subject != "sub-sanne" || id.Email != "Sanne@Zorg.example" || !id.EmailVerified {
		t.Fatalf("identity %+v", id)
	}
	out, err := e.svc.SignInOIDC(t.Context(), id, address)
	if err != nil {
		t.Fatalf("SignInOIDC: %v", err)
	}
	// No setting names amr/acr values, so the provider's second factor is
	// not relied on: the member enrols TOTP here (ASVS 5.0 6.3.3).
	if want := (auth.Outcome{StaffID: invited.ID, NeedsSecondFactor: true, EnrolSecondFactor: true}); out != want {
		t.Fatalf("outcome %+v, want %+v", out, want)
	}
	if a := e.account(t, invited.ID); a.OIDCIssuer != m.Issuer() || a.OIDCSubject != "sub-sanne" {
		t.Fatalf("binding (%q, %q)", a.OIDCIssuer, a.OIDCSubject)
	}

	t.Run("the same state cannot be used twice", func(t *testing.T) {
		_, err := o.Finish(t.Context(), state, code, browser)
		wantOIDCFailed(t, err, "unknown or used state")
	})
	t.Run("later sign-ins match on subject, not e-mail", func(t *testing.T) {
		m.QueueUser(&mockoidc.MockUser{Subject: "sub-sanne", Email: "sanne.nieuw@zorg.example", EmailVerified: false})
		authURL, browser := begin(t, o)
		state, code := authorize(t, authURL)
		id, err := o.Finish(t.Context(), state, code, browser)
		if err != nil {
			t.Fatalf("Finish: %v", err)
		}
		out, err := e.svc.SignInOIDC(t.Context(), id, address)
		if err != nil || out.StaffID != invited.ID {
			t.Fatalf("SignInOIDC = %+v, %v; want staff %d", out, err, invited.ID)
		}
	})
	t.Run("another subject with the bound e-mail is refused", func(t *testing.T) {
		id := auth.Identity{Issuer: m.Issuer(), Subject: "someone-else", Email: "sanne@zorg.example", EmailVerified: true}
		_, err := e.svc.SignInOIDC(t.Context(), id, address)
		wantErr(t, err, apperr.Forbidden, "signin.oidc_not_invited")
	})
	t.Run("disabled member is refused", func(t *testing.T) {
		if err := e.store.DisableMember(t.Context(), invited.ID, audit.Entry{At: e.clock.Now()}); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.SignInOIDC(t.Context(), id, address)
		wantErr(t, err, apperr.Forbidden, "signin.disabled")
	})
}

func TestOIDCAuthorizeURLUsesPKCE(t *testing.T) {
	_, _, o := newOIDCEnv(t)
	a, _ := begin(t, o)
	b, _ := begin(t, o)
	ua, err := url.Parse(a)
	if err != nil {
		t.Fatal(err)
	}
	q := ua.Query()
	for _, p := range []string{"state", "nonce", "code_challenge"} {
		if len(q.Get(p)) < 22 {
			t.Errorf("%s = %q, want a random value of at least 128 bits", p, q.Get(p))
		}
	}
	if got := q.Get("code_challenge_method"); got != "S256" {
		t.Errorf("code_challenge_method = %q, want S256", got)
	}
	if got := q.Get("scope"); !strings.Contains(got, "openid") {
		t.Errorf("scope = %q, want openid", got)
	}
	ub, _ := url.Parse(b)
	for _, p := range []string{"state", "nonce", "code_challenge"} {
		if ub.Query().Get(p) == q.Get(p) {
			t.Errorf("%s repeated across attempts", p)
		}
	}
}

func TestOIDCRefusesForeignCallbacks(t *testing.T) {
	e, m, o := newOIDCEnv(t)
	e.invite(t, "sanne@zorg.example", staff.Officer)

	t.Run("other browser", func(t *testing.T) {
		m.QueueUser(&mockoidc.MockUser{Subject: "sub-sanne", Email: "sanne@zorg.example", EmailVerified: true})
		authURL, browser := begin(t, o)
		_, otherBrowser := begin(t, o)
		state, code := authorize(t, authURL)
		_, err := o.Finish(t.Context(), state, code, otherBrowser)
		wantOIDCFailed(t, err, "another browser")
		// The attempt is used up: the refusal is final.
		_, err = o.Finish(t.Context(), state, code, browser)
		wantOIDCFailed(t, err, "unknown or used state")
	})
	t.Run("unknown state", func(t *testing.T) {
		authURL, browser := begin(t, o)
		_, code := authorize(t, authURL)
		_, err := o.Finish(t.Context(), "an-unknown-state-value", code, browser)
		wantOIDCFailed(t, err, "unknown or used state")
	})
	t.Run("missing values", func(t *testing.T) {
		authURL, browser := begin(t, o)
		state, code := authorize(t, authURL)
		for _, args := range [][3]string{{"", code, browser}, {state, "", browser}, {state, code, ""}} {
			_, err := o.Finish(t.Context(), args[0], args[1], args[2])
			wantOIDCFailed(t, err, "missing")
		}
	})
	t.Run("expired attempt", func(t *testing.T) {
		authURL, browser := begin(t, o)
		state, code := authorize(t, authURL)
		e.clock.Advance(10 * time.Minute)
		_, err := o.Finish(t.Context(), state, code, browser)
		wantOIDCFailed(t, err, "expired")
	})
	t.Run("code from another attempt", func(t *testing.T) {
		urlA, browserA := begin(t, o)
		urlB, _ := begin(t, o)
		stateA, _ := authorize(t, urlA)
		_, codeB := authorize(t, urlB)
		// B's code was issued for B's PKCE challenge and nonce.
		_, err := o.Finish(t.Context(), stateA, codeB, browserA)
		wantOIDCFailed(t, err, "exchange")
	})
}

func TestSignInOIDCRefusesUninvited(t *testing.T) {
	e, m, o := newOIDCEnv(t)
	local := e.addMember(t, "els@zorg.example", staff.Owner)
	plain, err := e.store.AddMember(t.Context(), staff.NewMember{Email: "geen.uitnodiging@zorg.example", Name: "X", Role: staff.Officer}, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	unverified := e.invite(t, "onbevestigd@zorg.example", staff.Officer)

	tests := []struct {
		name  string
		user  *mockoidc.MockUser
		check int64  // member that must stay unbound
		want  string // the refusal: it says what to do where the provider vouched for an address we know
	}{
		{"unknown e-mail", &mockoidc.MockUser{Subject: "s1", Email: "vreemd@elders.example", EmailVerified: true}, 0, "signin.oidc_not_invited"},
		{"local account with a password is not taken over", &mockoidc.MockUser{Subject: "s2", Email: "els@zorg.example", EmailVerified: true}, local.ID, "signin.oidc_password_account"},
		{"account not created by invitation", &mockoidc.MockUser{Subject: "s3", Email: "geen.uitnodiging@zorg.example", EmailVerified: true}, plain.ID, "signin.oidc_not_invited_account"},
		{"e-mail not verified by the provider", &mockoidc.MockUser{Subject: "s4", Email: "onbevestigd@zorg.example", EmailVerified: false}, unverified.ID, "signin.oidc_not_invited"},
		{"no e-mail", &mockoidc.MockUser{Subject: "s5"}, 0, "signin.oidc_not_invited"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m.QueueUser(tt.user)
			authURL, browser := begin(t, o)
			state, code := authorize(t, authURL)
			id, err := o.Finish(t.Context(), state, code, browser)
			if err != nil {
				t.Fatalf("Finish: %v", err)
			}
			_, err = e.svc.SignInOIDC(t.Context(), id, address)
			wantErr(t, err, apperr.Forbidden, tt.want)
			if tt.check != 0 {
				if a := e.account(t, tt.check); a.OIDCSubject != "" {
					t.Errorf("member %d bound to %q", tt.check, a.OIDCSubject)
				}
			}
		})
	}
	t.Run("the local account still signs in with its password", func(t *testing.T) {
		if _, err := e.svc.SignInPassword(t.Context(), "els@zorg.example", password, address); err != nil {
			t.Fatalf("SignInPassword: %v", err)
		}
	})
}

func TestNewOIDCRefusesPlainHTTP(t *testing.T) {
	e := newEnv(t, start)
	tests := []struct {
		name string
		cfg  auth.OIDCConfig
		want string // what the error must say: the reason, not a failed discovery
	}{
		{"http issuer off loopback", auth.OIDCConfig{Issuer: "http://login.example.com", ClientID: "c", RedirectURL: "https://avg.example/cb"}, "issuer: \"http://login.example.com\": https required"},
		{"http redirect off loopback", auth.OIDCConfig{Issuer: "https://127.0.0.1:1", ClientID: "c", RedirectURL: "http://avg.example/cb"}, "redirect URL: \"http://avg.example/cb\": https required"},
		{"relative redirect", auth.OIDCConfig{Issuer: "https://127.0.0.1:1", ClientID: "c", RedirectURL: "/cb"}, "is not an absolute URL"},
		{"no client id", auth.OIDCConfig{Issuer: "https://127.0.0.1:1", RedirectURL: "https://avg.example/cb"}, "client id missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.NewOIDC(t.Context(), tt.cfg, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewOIDC = %v, want an error saying %q", err, tt.want)
			}
		})
	}
}

// SECURITY.md item 4: no verification shortcut may be switched on.
func TestOIDCSetsNoSkipOrInsecureOption(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"SkipClientIDCheck", "SkipExpiryCheck", "SkipIssuerCheck", "InsecureSkipSignatureCheck", "InsecureIssuerURLContext", "InsecureSkipVerify"} {
			if strings.Contains(string(b), bad) {
				t.Errorf("%s uses %s", f, bad)
			}
		}
	}
}

// fakeIdP is a provider whose token endpoint hands out whatever ID token
// the test signed, so that Finish's verification can be fed bad tokens.
// Discovery and keys come from go-oidc's oidctest.
type fakeIdP struct {
	url string
	key *rsa.PrivateKey

	mu        sync.Mutex
	challenge string // the PKCE challenge of the last authorize URL
	idToken   string
}

const (
	fakeClientID = "avgloket-client"
	fakeKeyID    = "key-1"
	fakeCode     = "the-code"
)

func newFakeIdP(tb testing.TB) *fakeIdP {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	f := &fakeIdP{key: key}
	discovery := &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: key.Public(), KeyID: fakeKeyID, Algorithm: oidc.RS256}}}
	mux := http.NewServeMux()
	mux.Handle("/", discovery)
	mux.HandleFunc("POST /token", f.token)
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	discovery.SetIssuer(srv.URL)
	f.url = srv.URL
	return f
}

// token checks the code and the PKCE verifier like a real provider, then
// answers with the prepared ID token.
func (f *fakeIdP) token(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != fakeClientID || secret != "s3cret" || r.PostForm.Get("code") != fakeCode ||
		oauth2.S256ChallengeFromVerifier(r.PostForm.Get("code_verifier")) != f.challenge {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": f.idToken,
	})
}

func (f *fakeIdP) prepare(challenge, idToken string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.challenge, f.idToken = challenge, idToken
}

func TestOIDCRefusesBadIDTokens(t *testing.T) {
	f := newFakeIdP(t)
	now := time.Date(2026, time.November, 25, 10, 0, 0, 0, time.UTC)
	e := newEnv(t, now)
	o, err := e.svc.NewOIDC(t.Context(), auth.OIDCConfig{
		Issuer: f.url, ClientID: fakeClientID, ClientSecret: "s3cret", RedirectURL: redirectURL,
	}, nil)
	if err != nil {
		t.Fatalf("NewOIDC: %v", err)
	}
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}

	type claims map[string]any
	good := func(nonce string) claims {
		return claims{
			"iss": f.url, "aud": fakeClientID, "sub": "sub-1", "nonce": nonce,
			"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
			"email": "sanne@zorg.example", "email_verified": true, "name": "Sanne",
		}
	}
	tests := []struct {
		name   string
		claims func(nonce string) claims
		key    *rsa.PrivateKey
		kid    string
		ok     bool
		cause  string // of the refusal
	}{
		{"valid token", good, f.key, fakeKeyID, true, ""},
		{"wrong nonce", func(n string) claims { c := good(n); c["nonce"] = "another-attempts-nonce"; return c }, f.key, fakeKeyID, false, "nonce mismatch"},
		{"no nonce", func(n string) claims { c := good(n); delete(c, "nonce"); return c }, f.key, fakeKeyID, false, "nonce mismatch"},
		{"wrong audience", func(n string) claims { c := good(n); c["aud"] = "another-client"; return c }, f.key, fakeKeyID, false, "audience"},
		{"several audiences, azp not us", func(n string) claims {
			c := good(n)
			c["aud"] = []string{fakeClientID, "another-client"}
			c["azp"] = "another-client"
			return c
		}, f.key, fakeKeyID, false, "azp"},
		{"wrong issuer", func(n string) claims { c := good(n); c["iss"] = "https://evil.example"; return c }, f.key, fakeKeyID, false, "different provider"},
		{"expired", func(n string) claims {
			c := good(n)
			c["iat"], c["exp"] = now.Add(-time.Hour).Unix(), now.Add(-time.Minute).Unix()
			return c
		}, f.key, fakeKeyID, false, "expired"},
		{"signed by an unknown key under a known key id", good, otherKey, fakeKeyID, false, "signature"},
		{"signed by an unknown key and key id", good, otherKey, "key-2", false, "signature"},
		{"no subject", func(n string) claims { c := good(n); delete(c, "sub"); return c }, f.key, fakeKeyID, false, "no subject"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			authURL, browser := begin(t, o)
			u, err := url.Parse(authURL)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			payload, err := json.Marshal(tt.claims(q.Get("nonce")))
			if err != nil {
				t.Fatal(err)
			}
			f.prepare(q.Get("code_challenge"), oidctest.SignIDToken(tt.key, tt.kid, oidc.RS256, string(payload)))
			id, err := o.Finish(t.Context(), q.Get("state"), fakeCode, browser)
			if !tt.ok {
				wantOIDCFailed(t, err, tt.cause)
				return
			}
			if err != nil {
				t.Fatalf("Finish: %v", err)
			}
			if id.Issuer != f.url || id.Subject != "sub-1" || id.Email != "sanne@zorg.example" || !id.EmailVerified || id.Name != "Sanne" {
				t.Errorf("identity %+v", id)
			}
		})
	}
	t.Run("wrong PKCE verifier is refused by the provider", func(t *testing.T) {
		authURL, browser := begin(t, o)
		u, _ := url.Parse(authURL)
		q := u.Query()
		payload, _ := json.Marshal(good(q.Get("nonce")))
		// The provider expects another attempt's challenge.
		f.prepare(oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier()), oidctest.SignIDToken(f.key, fakeKeyID, oidc.RS256, string(payload)))
		_, err := o.Finish(t.Context(), q.Get("state"), fakeCode, browser)
		wantOIDCFailed(t, err, "exchange")
	})
}

func TestOIDCRoleClaim(t *testing.T) {
	f := newFakeIdP(t)
	now := time.Date(2026, time.November, 25, 10, 0, 0, 0, time.UTC)
	e := newEnv(t, now)
	o, err := e.svc.NewOIDC(t.Context(), auth.OIDCConfig{
		Issuer: f.url, ClientID: fakeClientID, ClientSecret: "s3cret", RedirectURL: redirectURL, RoleClaim: "roles",
	}, nil)
	if err != nil {
		t.Fatalf("NewOIDC: %v", err)
	}
	tests := []struct {
		name  string
		roles any
		want  string
	}{
		{"string", "officer", "officer"},
		{"list with owner", []string{"readers", "officer", "owner"}, "owner"},
		{"unknown roles", []string{"admin"}, ""},
		{"absent", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			authURL, browser := begin(t, o)
			u, _ := url.Parse(authURL)
			q := u.Query()
			c := map[string]any{
				"iss": f.url, "aud": fakeClientID, "sub": "sub-1", "nonce": q.Get("nonce"),
				"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
			}
			if tt.roles != nil {
				c["roles"] = tt.roles
			}
			payload, _ := json.Marshal(c)
			f.prepare(q.Get("code_challenge"), oidctest.SignIDToken(f.key, fakeKeyID, oidc.RS256, string(payload)))
			id, err := o.Finish(t.Context(), q.Get("state"), fakeCode, browser)
			if err != nil {
				t.Fatalf("Finish: %v", err)
			}
			if id.Role != tt.want {
				t.Errorf("role %q, want %q", id.Role, tt.want)
			}
		})
	}
}
