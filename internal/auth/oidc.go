package auth

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/staff"
)

// oidcAttemptTTL is how long a person has at the provider between Begin
// and Finish.
const oidcAttemptTTL = 10 * time.Minute

// OIDCConfig is the practice's OpenID Connect provider and avgloket's
// registration there.
type OIDCConfig struct {
	Issuer       string // e.g. https://login.microsoftonline.com/{tenant}/v2.0
	ClientID     string
	ClientSecret string
	RedirectURL  string // avgloket's callback, registered at the provider
	// RoleClaim names an ID token claim holding the member's role (a string
	// or a list of strings); "" to ignore roles from the provider.
	RoleClaim string
	// RequireAMR and RequireACR are the amr values (RFC 8176, e.g. "mfa",
	// "otp", "hwk") and acr values that prove the provider asked for a
	// second factor. A token with one of them signs in without TOTP here;
	// any other token, and every token when both are empty, makes the
	// member enrol TOTP at the portal (ASVS 5.0 6.3.3).
	RequireAMR []string
	RequireACR []string
}

// Identity is a person as the provider vouched for them in a verified ID
// token.
type Identity struct {
	Issuer        string
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	Role          string // from RoleClaim: "owner", "officer" or ""
	// MFA: the token carries an amr or acr value that OIDCConfig names as
	// proof of a second factor at the provider.
	MFA bool
}

// OIDC runs the authorization code flow with PKCE against one provider
// (SECURITY.md item 4). It is safe for concurrent use.
type OIDC struct {
	svc    *Service
	cfg    OIDCConfig
	client *http.Client

	mu       sync.RWMutex
	ready    bool // discovery succeeded; oauth and verifier are set
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
}

// ErrProviderUnavailable wraps the cause when the provider's discovery
// document could not be read yet: the organisation sign-in waits, local
// sign-in is unaffected.
var ErrProviderUnavailable = errors.New("oidc: provider unavailable")

// NewOIDC checks the configuration and returns the flow, storing its
// attempts through the service's store. It does not contact the provider:
// Discover (or KeepDiscovering, or the first Begin) reads its
// /.well-known/openid-configuration, so a provider that is down at start
// does not stop the portal. httpClient makes every call to the provider
// (discovery, keys, token exchange); nil gives a client with a 10-second
// time-out. The issuer and the redirect URL must be https, except on a
// loopback host for development and tests; the error then says "https
// required".
func (s *Service) NewOIDC(ctx context.Context, cfg OIDCConfig, httpClient *http.Client) (*OIDC, error) {
	if cfg.ClientID == "" {
		return nil, errors.New("oidc: client id missing")
	}
	for _, u := range []struct{ name, value string }{{"issuer", cfg.Issuer}, {"redirect URL", cfg.RedirectURL}} {
		if err := checkURL(u.value); err != nil {
			return nil, fmt.Errorf("oidc: %s: %w", u.name, err)
		}
	}
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 10 * time.Second}
	}
	return &OIDC{svc: s, cfg: cfg, client: httpClient}, nil
}

// Ready reports whether the provider was discovered, so that the
// organisation sign-in can be offered.
func (o *OIDC) Ready() bool {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.ready
}

// Discover reads the provider's discovery document (whose issuer must equal
// the configured one) once; after a success it does nothing. A failure
// wraps ErrProviderUnavailable.
func (o *OIDC) Discover(ctx context.Context) error {
	if o.Ready() {
		return nil
	}
	provider, err := oidc.NewProvider(oidc.ClientContext(ctx, o.client), o.cfg.Issuer)
	if err != nil {
		return fmt.Errorf("%w: discovery: %w", ErrProviderUnavailable, err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.oauth = oauth2.Config{
		ClientID:     o.cfg.ClientID,
		ClientSecret: o.cfg.ClientSecret,
		RedirectURL:  o.cfg.RedirectURL,
		Endpoint:     provider.Endpoint(),
		Scopes:       []string{oidc.ScopeOpenID, "email", "profile"},
	}
	// Checks the signature against the provider's keys, the signing
	// algorithm against those it announces, iss, aud (our client id) and
	// exp, by our clock. Not the nonce: Finish does that.
	o.verifier = provider.Verifier(&oidc.Config{ClientID: o.cfg.ClientID, Now: o.svc.clock.Now})
	o.ready = true
	return nil
}

// Backoff is how long KeepDiscovering waits after a failed discovery:
// First, doubling up to Max.
type Backoff struct {
	First, Max time.Duration
}

// DefaultBackoff retries after 5 seconds, then 10, 20 … up to every
// minute: the sign-in page offers the organisation sign-in again at most a
// minute after the provider is back.
func DefaultBackoff() Backoff { return Backoff{First: 5 * time.Second, Max: time.Minute} }

// KeepDiscovering runs Discover until it succeeds or ctx ends, reporting
// each failure to failed and waiting as b says between attempts. wait
// waits d or until ctx ends, and reports whether the time passed (a real
// timer in production, an instant one in tests). Run it in a goroutine at
// start.
func (o *OIDC) KeepDiscovering(ctx context.Context, b Backoff, wait func(ctx context.Context, d time.Duration) bool, failed func(error)) {
	d := b.First
	for {
		err := o.Discover(ctx)
		if err == nil || ctx.Err() != nil {
			return
		}
		failed(err)
		if !wait(ctx, d) {
			return
		}
		d = min(2*d, b.Max)
	}
}

// flow returns the OAuth configuration and the verifier, discovering the
// provider first if that has not happened yet.
func (o *OIDC) flow(ctx context.Context) (oauth2.Config, *oidc.IDTokenVerifier, error) {
	if err := o.Discover(ctx); err != nil {
		return oauth2.Config{}, nil, err
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.oauth, o.verifier, nil
}

// checkURL accepts an absolute https URL, or http on a loopback host.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	switch {
	case u.Host == "":
		return fmt.Errorf("%q is not an absolute URL", raw)
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return nil
	}
	return fmt.Errorf("%q: https required", raw)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Begin starts a sign-in: it makes a random state, nonce and PKCE verifier
// and a random browserSecret, stores the attempt (hashes, the verifier
// sealed, ten minutes to live) and returns the provider URL to redirect the
// browser to. The caller must put browserSecret in a cookie that is
// HttpOnly, Secure and SameSite=Lax (Strict is not sent on the way back
// from the provider), and pass it to Finish. A provider not discovered yet
// is tried once more; if it still fails, the error wraps
// ErrProviderUnavailable.
func (o *OIDC) Begin(ctx context.Context) (authURL string, browserSecret string, err error) {
	cfg, _, err := o.flow(ctx)
	if err != nil {
		return "", "", err
	}
	var state, nonce string
	for _, p := range []*string{&state, &nonce, &browserSecret} {
		if *p, err = randomToken(idBytes); err != nil {
			return "", "", apperr.Wrap(err, "error.internal")
		}
	}
	verifier := oauth2.GenerateVerifier()
	now := o.svc.clock.Now()
	a := OIDCAttempt{
		StateHash: HashID(state), BrowserHash: HashID(browserSecret), NonceHash: HashID(nonce),
		Verifier: verifier, CreatedAt: now, ExpiresAt: now.Add(oidcAttemptTTL),
	}
	if err := o.svc.store.AddOIDCAttempt(ctx, a); err != nil {
		return "", "", err
	}
	authURL = cfg.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	return authURL, browserSecret, nil
}

// oidcFailed is the one answer to every failed callback; the cause goes to
// the log only.
func oidcFailed(cause error) error {
	return &apperr.Error{Code: apperr.Unauthorized, Message: "signin.oidc_failed", Err: cause}
}

// Finish completes a sign-in from the provider's callback (its state and
// code query parameters) and the browserSecret from Begin's cookie. The
// attempt must be known, unused, unexpired and started by this browser; it
// is used up before the code is exchanged, so a callback cannot be replayed. The
// ID token must be signed by the provider's key, issued by the configured
// issuer for our client id, unexpired, and carry the attempt's nonce. Any
// failure gives Unauthorized "signin.oidc_failed". Pass the Identity to
// Service.SignInOIDC.
func (o *OIDC) Finish(ctx context.Context, state, code, browserSecret string) (Identity, error) {
	if state == "" || code == "" || browserSecret == "" {
		return Identity{}, oidcFailed(errors.New("state, code or browser secret missing"))
	}
	now := o.svc.clock.Now()
	a, err := o.svc.store.TakeOIDCAttempt(ctx, HashID(state), now)
	if apperr.Is(err, apperr.NotFound) {
		return Identity{}, oidcFailed(errors.New("unknown or used state"))
	}
	if err != nil {
		return Identity{}, err
	}
	if !now.Before(a.ExpiresAt) {
		return Identity{}, oidcFailed(errors.New("attempt expired"))
	}
	if !constantTimeEqual(HashID(browserSecret), a.BrowserHash) {
		return Identity{}, oidcFailed(errors.New("attempt started in another browser"))
	}

	cfg, verifier, err := o.flow(ctx)
	if err != nil {
		return Identity{}, oidcFailed(err)
	}
	ctx = oidc.ClientContext(ctx, o.client)
	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(a.Verifier))
	if err != nil {
		return Identity{}, oidcFailed(fmt.Errorf("exchange: %w", err))
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return Identity{}, oidcFailed(errors.New("no id_token in token response"))
	}
	idt, err := verifier.Verify(ctx, raw)
	if err != nil {
		return Identity{}, oidcFailed(fmt.Errorf("verify id token: %w", err))
	}
	// go-oidc does not check the nonce; without this a token issued for
	// another attempt could be replayed into this one.
	if idt.Nonce == "" || !constantTimeEqual(HashID(idt.Nonce), a.NonceHash) {
		return Identity{}, oidcFailed(errors.New("nonce mismatch"))
	}
	var claims struct {
		Email         string `json:"email"`
		EmailVerified any    `json:"email_verified"`
		Name          string `json:"name"`
		AuthorizedBy  string `json:"azp"`
		AMR           any    `json:"amr"`
		ACR           string `json:"acr"`
	}
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, oidcFailed(fmt.Errorf("claims: %w", err))
	}
	// OIDC Core 3.1.3.7: with several audiences, azp must be us.
	if len(idt.Audience) > 1 && claims.AuthorizedBy != o.cfg.ClientID {
		return Identity{}, oidcFailed(errors.New("azp is not our client id"))
	}
	if idt.Subject == "" {
		return Identity{}, oidcFailed(errors.New("no subject"))
	}
	id := Identity{
		Issuer: idt.Issuer, Subject: idt.Subject,
		Email: claims.Email, EmailVerified: truthy(claims.EmailVerified), Name: claims.Name,
		MFA: provesMFA(claims.AMR, claims.ACR, o.cfg.RequireAMR, o.cfg.RequireACR),
	}
	if o.cfg.RoleClaim != "" {
		var all map[string]any
		if err := idt.Claims(&all); err != nil {
			return Identity{}, oidcFailed(fmt.Errorf("claims: %w", err))
		}
		id.Role = roleFrom(all[o.cfg.RoleClaim])
	}
	return id, nil
}

// provesMFA reports whether the token's amr (a list of strings, RFC 8176)
// holds one of the values wanted, or its acr is one of those wanted.
func provesMFA(amr any, acr string, wantAMR, wantACR []string) bool {
	if acr != "" && slices.Contains(wantACR, acr) {
		return true
	}
	list, _ := amr.([]any)
	for _, v := range list {
		if s, ok := v.(string); ok && s != "" && slices.Contains(wantAMR, s) {
			return true
		}
	}
	return false
}

// truthy reads email_verified, which some providers send as a string.
func truthy(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return v == "true"
	}
	return false
}

// roleFrom returns the highest avgloket role named by a role claim: a
// string or a list of strings.
func roleFrom(v any) string {
	var names []string
	switch v := v.(type) {
	case string:
		names = []string{v}
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok {
				names = append(names, s)
			}
		}
	}
	best := ""
	for _, n := range names {
		switch r, _ := staff.ParseRole(n); r {
		case staff.Owner:
			return string(staff.Owner)
		case staff.Officer:
			best = string(staff.Officer)
		}
	}
	return best
}
