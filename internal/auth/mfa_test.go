package auth_test

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"

	"github.com/avgloket/avgloket/internal/auth"
	"github.com/avgloket/avgloket/internal/staff"
)

// ASVS 5.0 6.3.3: every local account enrols a second factor before it
// reaches anything, officers as well as owners.
func TestEveryLocalAccountMustEnrolSecondFactor(t *testing.T) {
	e := newEnv(t, start)
	for _, role := range []staff.Role{staff.Officer, staff.Owner} {
		t.Run(string(role), func(t *testing.T) {
			m := e.addMember(t, string(role)+"@zorg.example", role)
			out, raw := e.signIn(t, string(role)+"@zorg.example")
			if want := (auth.Outcome{StaffID: m.ID, NeedsSecondFactor: true, EnrolSecondFactor: true}); out != want {
				t.Fatalf("outcome %+v, want %+v", out, want)
			}
			if sess, _ := e.session(t, raw); sess.SecondFactor {
				t.Fatal("session complete without a second factor")
			}
		})
	}
}

// An OIDC account relies on the provider's second factor only when a
// setting names the amr or acr values that prove it, and the token carries
// one; otherwise it enrols TOTP here like a local account.
func TestOIDCProviderMFA(t *testing.T) {
	f := newFakeIdP(t)
	now := time.Date(2026, time.November, 25, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		amr, acr  []string // what the setting requires
		tokenAMR  any
		tokenACR  string
		wantMFA   bool
		wantEnrol bool
	}{
		{"amr required and given", []string{"mfa", "otp", "hwk"}, nil, []string{"pwd", "mfa"}, "", true, false},
		{"amr required, another method given", []string{"mfa", "otp", "hwk"}, nil, []string{"hwk"}, "", true, false},
		{"amr required, password only", []string{"mfa", "otp", "hwk"}, nil, []string{"pwd"}, "", false, true},
		{"amr required, none in the token", []string{"mfa"}, nil, nil, "", false, true},
		{"amr as one string is no list", []string{"mfa"}, nil, "mfa", "", false, true},
		{"acr required and given", nil, []string{"http://schemas.openid.net/pape/policies/2007/06/multi-factor"}, nil, "http://schemas.openid.net/pape/policies/2007/06/multi-factor", true, false},
		{"acr required, another level", nil, []string{"urn:mace:incommon:iap:silver"}, nil, "urn:mace:incommon:iap:bronze", false, true},
		{"no setting: the provider's mfa is not relied on", nil, nil, []string{"mfa"}, "", false, true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, now)
			invited := e.invite(t, "sanne@zorg.example", staff.Officer)
			o, err := e.svc.NewOIDC(t.Context(), auth.OIDCConfig{
				Issuer: f.url, ClientID: fakeClientID, ClientSecret: "s3cret", RedirectURL: redirectURL,
				RequireAMR: tt.amr, RequireACR: tt.acr,
			}, nil)
			if err != nil {
				t.Fatalf("NewOIDC: %v", err)
			}
			authURL, browser := begin(t, o)
			u, _ := url.Parse(authURL)
			q := u.Query()
			c := map[string]any{
				"iss": f.url, "aud": fakeClientID, "sub": "sub-" + string(rune('a'+i)), "nonce": q.Get("nonce"),
				"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
				"email": "sanne@zorg.example", "email_verified": true,
			}
			if tt.tokenAMR != nil {
				c["amr"] = tt.tokenAMR
			}
			if tt.tokenACR != "" {
				c["acr"] = tt.tokenACR
			}
			payload, _ := json.Marshal(c)
			f.prepare(q.Get("code_challenge"), oidctest.SignIDToken(f.key, fakeKeyID, oidc.RS256, string(payload)))
			id, err := o.Finish(t.Context(), q.Get("state"), fakeCode, browser)
			if err != nil {
				t.Fatalf("Finish: %v", err)
			}
			if id.MFA != tt.wantMFA {
				t.Errorf("identity MFA %v, want %v", id.MFA, tt.wantMFA)
			}
			out, err := e.svc.SignInOIDC(t.Context(), id, address)
			if err != nil {
				t.Fatalf("SignInOIDC: %v", err)
			}
			want := auth.Outcome{StaffID: invited.ID, NeedsSecondFactor: tt.wantEnrol, EnrolSecondFactor: tt.wantEnrol}
			if out != want {
				t.Errorf("outcome %+v, want %+v", out, want)
			}
		})
	}
}
