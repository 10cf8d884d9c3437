package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/staff"
)

func TestAccountAPITokens(t *testing.T) {
	a := newTestServer(t)
	a.addMember(t, "els@praktijk.example", staff.Officer)
	sb := a.signIn(t, "els@praktijk.example")
	a.fileRequest(t, "Anna de Vries", "anna@example.nl", "")

	p := sb.fill(sb.get("/staff/account"), "/staff/account/tokens", "label", "koppeling dossier")
	if p.Status != http.StatusOK {
		t.Fatalf("create token: status %d", p.Status)
	}
	var token string
	for _, n := range p.find(func(n *htmlNode) bool { return n.Data == "code" && hasClass(n, "secret") }) {
		token = textContent(n)
	}
	if len(token) < 40 {
		t.Fatalf("new token shown as %q", token)
	}
	if !strings.Contains(p.Header.Get("Cache-Control"), "no-store") {
		t.Errorf("the page with the new token may be cached: %q", p.Header.Get("Cache-Control"))
	}
	if res := a.api(t, http.MethodGet, "/api/v1/cases", token, nil); res.Status != http.StatusOK {
		t.Fatalf("new token on the API: status %d %s", res.Status, res.Body)
	}
	account := sb.get("/staff/account")
	if strings.Contains(account.Body, token) {
		t.Error("the token is shown again")
	}
	if !strings.Contains(account.text(), "koppeling dossier") {
		t.Error("the token's label is not listed")
	}

	var revoke string
	for _, f := range account.find(func(n *htmlNode) bool { return n.Data == "form" }) {
		if action := attr(f, "action"); strings.HasPrefix(action, "/staff/account/tokens/") && strings.HasSuffix(action, "/revoke") {
			revoke = action
		}
	}
	if revoke == "" {
		t.Fatal("no button to revoke the token")
	}
	if got := sb.fill(account, revoke).location(); got != "/staff/account" {
		t.Fatalf("revoke: to %s", got)
	}
	assertShows(t, sb.get("/staff/account"), a.nl("flash.token_revoked"), a.nl("account.token_revoked"))
	if res := a.api(t, http.MethodGet, "/api/v1/cases", token, nil); res.Status != http.StatusUnauthorized {
		t.Errorf("revoked token on the API: status %d, want 401", res.Status)
	}
}

func TestAccountPasswordChange(t *testing.T) {
	a := newTestServer(t)
	a.addMember(t, "els@praktijk.example", staff.Officer)
	sb := a.signIn(t, "els@praktijk.example")
	elsewhere := a.signIn(t, "els@praktijk.example")
	const next = "Lindeboom vangt zeven wolken"

	for _, tt := range []struct {
		name                    string
		current, password, repe string
		field, msg              string
	}{
		{"wrong current password", "niet-mijn-wachtwoord", next, next, "f-current-error", "password.wrong"},
		{"not repeated", staffPassword, next, next + "!", "f-password_repeat-error", "password.mismatch"},
		{"too short", staffPassword, "kort-1", "kort-1", "f-password-error", "password.too_short"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := sb.fill(sb.get("/staff/account"), "/staff/account/password", "current", tt.current, "password", tt.password,
				"password_repeat", tt.repe)
			if p.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", p.Status)
			}
			if got := p.textOf(tt.field); !strings.Contains(got, a.nl(tt.msg)) {
				t.Errorf("error %q, want %q", got, a.nl(tt.msg))
			}
		})
	}
	before := sb.session()
	p := sb.fill(sb.get("/staff/account"), "/staff/account/password", "current", staffPassword, "password", next,
		"password_repeat", next)
	if got := p.location(); got != "/staff/account" {
		t.Fatalf("change: to %s", got)
	}
	assertShows(t, sb.get("/staff/account"), a.nl("flash.password"))
	if sb.session() == before {
		t.Error("same session id after the password change")
	}
	if elsewhere.signedIn() {
		t.Error("a session in another browser survived the password change")
	}
	if p, _ := passwordStep(a.browser(t), "els@praktijk.example", staffPassword); p.Status != http.StatusUnauthorized {
		t.Errorf("old password: status %d, want 401", p.Status)
	}
	if p, _ := passwordStep(a.browser(t), "els@praktijk.example", next); p.Status != http.StatusSeeOther {
		t.Errorf("new password: status %d, want 303", p.Status)
	}
}
