package auth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"

	"github.com/avgloket/avgloket/internal/auth"
)

// A provider that is down at start does not stop anything: NewOIDC
// succeeds without it, Begin says it is unavailable, and KeepDiscovering
// retries with a growing back-off until it answers.
func TestOIDCDiscoveryRetriesUntilProviderIsUp(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	discovery := &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: key.Public(), KeyID: "k", Algorithm: oidc.RS256}}}
	var up atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !up.Load() {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		discovery.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	discovery.SetIssuer(srv.URL)

	e := newEnv(t, start)
	o, err := e.svc.NewOIDC(t.Context(), auth.OIDCConfig{Issuer: srv.URL, ClientID: "c", ClientSecret: "s", RedirectURL: redirectURL}, nil)
	if err != nil {
		t.Fatalf("NewOIDC with the provider down: %v", err)
	}
	if o.Ready() {
		t.Fatal("ready before any discovery")
	}
	if _, _, err := o.Begin(t.Context()); !errors.Is(err, auth.ErrProviderUnavailable) {
		t.Fatalf("Begin with the provider down = %v, want ErrProviderUnavailable", err)
	}

	var waits []time.Duration
	var failures []error
	wait := func(ctx context.Context, d time.Duration) bool {
		waits = append(waits, d)
		if len(waits) == 4 {
			up.Store(true) // the provider comes back during the fourth wait
		}
		return true
	}
	o.KeepDiscovering(t.Context(), auth.Backoff{First: time.Second, Max: 5 * time.Second}, wait, func(err error) { failures = append(failures, err) })

	if !o.Ready() {
		t.Fatal("not ready after the provider came up")
	}
	if want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second}; !slices.Equal(waits, want) {
		t.Errorf("waited %v, want %v", waits, want)
	}
	if len(failures) != 4 || !errors.Is(failures[0], auth.ErrProviderUnavailable) {
		t.Errorf("failures reported: %v", failures)
	}
	if _, _, err := o.Begin(t.Context()); err != nil {
		t.Errorf("Begin once the provider is up: %v", err)
	}

	t.Run("an ended context stops the retries", func(t *testing.T) {
		up.Store(false)
		o2, err := e.svc.NewOIDC(t.Context(), auth.OIDCConfig{Issuer: srv.URL, ClientID: "c", ClientSecret: "s", RedirectURL: redirectURL}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		n := 0
		o2.KeepDiscovering(ctx, auth.DefaultBackoff(), func(context.Context, time.Duration) bool {
			n++
			cancel()
			return false
		}, func(error) {})
		if n != 1 || o2.Ready() {
			t.Errorf("%d waits, ready %v; want one wait and not ready", n, o2.Ready())
		}
	})
}
