package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/avgloket/avgloket/internal/staff"
)

// oidcSignIn signs in through the provider in b: the button on the sign-in
// page, the provider (which signs in the queued user at once) and back to
// the callback. It returns the start's answer and the callback's.
func (a *testApp) oidcSignIn(tb testing.TB, m *mockoidc.MockOIDC, b *browser) (start, callback *page) {
	tb.Helper()
	signin := b.get("/staff/signin")
	if signin.formTo("/staff/signin/oidc") == nil {
		tb.Fatal("the sign-in page has no button for the organisation's account")
	}
	start = b.fill(signin, "/staff/signin/oidc")
	provider := start.location()
	if !strings.HasPrefix(provider, m.AuthorizationEndpoint()+"?") {
		tb.Fatalf("sent to %s, want the provider's %s", provider, m.AuthorizationEndpoint())
	}
	back := b.getURL(provider)
	if back.Status != http.StatusFound {
		tb.Fatalf("provider: status %d\n%s", back.Status, back.Body)
	}
	u, err := url.Parse(back.Header.Get("Location"))
	if err != nil || u.Path != "/staff/oidc/callback" || u.Host != strings.TrimPrefix(a.ts.URL, "http://") {
		tb.Fatalf("provider sends back to %s, want our callback", back.Header.Get("Location"))
	}
	return start, b.getURL(u.String())
}

func TestOIDCSignIn(t *testing.T) {
	m := runMockOIDC(t)
	a := newTestServer(t, withBranches("amsterdam", "utrecht"), withOIDC(m))
	a.addMember(t, "eigenaar@praktijk.example", staff.Owner)
	owner := a.signIn(t, "eigenaar@praktijk.example")
	utrecht := a.fileRequest(t, "Uta Trecht", "uta@example.nl", "utrecht")
	amsterdam := a.fileRequest(t, "Adam Elders", "adam@example.nl", "amsterdam")

	// The owner invites Sanne, who will use her organisation's account.
	p := owner.fill(owner.get("/staff/team"), "/staff/team/invite", "invite.email", "sanne@praktijk.example",
		"invite.name", "Sanne de Wit", "invite.role", "officer", "invite.branches", "utrecht")
	if got := p.location(); got != "/staff/team" {
		t.Fatalf("invite: to %s", got)
	}
	if mails := a.mailsTo(t, "sanne@praktijk.example"); len(mails) != 1 || !strings.Contains(mails[0], testBaseURL+"/staff/signin") {
		t.Errorf("invitation %q should point to the sign-in page for the organisation's account", mails)
	}
	sanne, err := a.store.MemberByEmail(t.Context(), "sanne@praktijk.example")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("an invited member signs in", func(t *testing.T) {
		m.QueueUser(&mockoidc.MockUser{Subject: "sub-sanne", Email: "Sanne@Praktijk.example", EmailVerified: true})
		b := a.browser(t)
		start, callback := a.oidcSignIn(t, m, b)
		var state *http.Cookie
		for _, c := range start.Cookies {
			if c.Name == "avg_oidc" {
				state = c
			}
		}
		switch {
		case state == nil:
			t.Fatalf("no state cookie; cookies %v", start.Cookies)
		case state.SameSite != http.SameSiteLaxMode:
			t.Errorf("state cookie SameSite %v, want Lax (Strict is not sent back from the provider)", state.SameSite)
		case !state.HttpOnly || state.Path != "/" || state.MaxAge <= 0 || state.MaxAge > 900:
			t.Errorf("state cookie HttpOnly %v Path %q MaxAge %d", state.HttpOnly, state.Path, state.MaxAge)
		}
		// No setting relies on the provider's second factor: Sanne enrols
		// TOTP here first (ASVS 5.0 6.3.3).
		if got := callback.location(); got != "/staff/account/totp" {
			t.Fatalf("callback: to %s, want /staff/account/totp", got)
		}
		if b.cookie("avg_oidc") != "" {
			t.Error("the state cookie outlives the callback")
		}
		sb := &staffBrowser{browser: b, app: a, member: sanne, csrf: b.cookie(csrfCookie)}
		sb.enrolTOTP()
		if got := sb.submit("/staff/signin/code", "code", sb.nextCode()).location(); got != "/staff/cases" {
			t.Fatalf("after the code: to %s, want /staff/cases", got)
		}
		q := b.get("/staff/cases")
		if q.Status != http.StatusOK {
			t.Fatalf("queue: status %d", q.Status)
		}
		if text := q.text(); !strings.Contains(text, utrecht) || strings.Contains(text, amsterdam) || !strings.Contains(text, "Sanne de Wit") {
			t.Errorf("Sanne's queue should hold %s and not %s:\n%s", utrecht, amsterdam, text)
		}
		if acc, err := a.store.AccountByID(t.Context(), sanne.ID); err != nil || acc.OIDCSubject != "sub-sanne" || acc.OIDCIssuer != m.Issuer() {
			t.Errorf("account bound to (%q, %q), err %v", acc.OIDCIssuer, acc.OIDCSubject, err)
		}
	})

	refused := func(t *testing.T, user *mockoidc.MockUser, why string) {
		t.Helper()
		m.QueueUser(user)
		b := a.browser(t)
		_, callback := a.oidcSignIn(t, m, b)
		if callback.Status != http.StatusForbidden {
			t.Fatalf("callback: status %d, want 403", callback.Status)
		}
		if got := problem(callback); got != a.nl(why) {
			t.Errorf("refusal says %q, want %q", got, a.nl(why))
		}
		if setsSession(callback) || b.signedIn() {
			t.Error("a refused identity got a session")
		}
	}
	t.Run("an e-mail address nobody invited is refused", func(t *testing.T) {
		refused(t, &mockoidc.MockUser{Subject: "sub-onbekend", Email: "onbekend@praktijk.example", EmailVerified: true}, "signin.oidc_not_invited")
	})
	t.Run("a local account is not taken over by its e-mail address", func(t *testing.T) {
		local := a.addMember(t, "lokaal@praktijk.example", staff.Officer, "utrecht")
		// Refused, and told to use the password (the provider vouched for
		// the address, so saying so reveals nothing new).
		refused(t, &mockoidc.MockUser{Subject: "sub-lokaal", Email: "lokaal@praktijk.example", EmailVerified: true}, "signin.oidc_password_account")
		if acc, err := a.store.AccountByID(t.Context(), local.ID); err != nil || acc.OIDCSubject != "" {
			t.Errorf("local account bound to %q (err %v)", acc.OIDCSubject, err)
		}
		a.signIn(t, "lokaal@praktijk.example") // the password still works
	})
	t.Run("the owner's account is not taken over either", func(t *testing.T) {
		refused(t, &mockoidc.MockUser{Subject: "sub-eigenaar", Email: "eigenaar@praktijk.example", EmailVerified: true}, "signin.oidc_password_account")
	})
	t.Run("a callback without the browser's state cookie fails", func(t *testing.T) {
		m.QueueUser(&mockoidc.MockUser{Subject: "sub-sanne", Email: "sanne@praktijk.example", EmailVerified: true})
		b := a.browser(t)
		start := b.fill(b.get("/staff/signin"), "/staff/signin/oidc")
		back := b.getURL(start.location())
		// Another browser follows the link back, without the cookie.
		p := a.browser(t).getURL(back.Header.Get("Location"))
		if p.Status != http.StatusUnauthorized || problem(p) != a.nl("signin.oidc_failed") || setsSession(p) {
			t.Errorf("callback in another browser: status %d, says %q", p.Status, problem(p))
		}
		// The attempt is bound to the browser that started it, which can
		// still finish it, once.
		secret := b.cookie("avg_oidc")
		if got := b.getURL(back.Header.Get("Location")).location(); got != "/staff/signin/code" {
			t.Errorf("the right browser's callback: to %s, want the code (Sanne enrolled above)", got)
		}
		// Even with its cookie put back, the callback works only once.
		b.setCookie("avg_oidc", secret)
		session := b.cookie(sessionCookie)
		if p := b.getURL(back.Header.Get("Location")); p.Status != http.StatusUnauthorized || setsSession(p) {
			t.Errorf("callback used twice: status %d", p.Status)
		}
		if b.cookie(sessionCookie) != session {
			t.Error("the replayed callback changed the session")
		}
	})
}
