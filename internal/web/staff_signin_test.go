package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/staff"
)

// problem returns the sign-in page's one message.
func problem(p *page) string {
	for _, n := range p.find(func(n *htmlNode) bool { return hasClass(n, "error-summary") }) {
		return textContent(n)
	}
	return ""
}

// setsSession reports whether the answer sets a session cookie.
func setsSession(p *page) bool {
	for _, c := range p.Cookies {
		if c.Name == sessionCookie && c.Value != "" && c.MaxAge >= 0 {
			return true
		}
	}
	return false
}

func TestSignInFailuresLookAlike(t *testing.T) {
	a := newTestServer(t)
	a.addMember(t, "els@praktijk.example", staff.Officer)
	b := a.browser(t)
	wrong, _ := passwordStep(b, "els@praktijk.example", "niet-het-wachtwoord-1")
	unknown, _ := passwordStep(b, "niemand@praktijk.example", "niet-het-wachtwoord-1")
	for name, p := range map[string]*page{"wrong password": wrong, "unknown e-mail": unknown} {
		if p.Status != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, p.Status)
		}
		if got := problem(p); got != a.nl("signin.failed") {
			t.Errorf("%s: says %q, want %q", name, got, a.nl("signin.failed"))
		}
		if setsSession(p) {
			t.Errorf("%s: a session cookie was set", name)
		}
	}
	// The pages differ only in the address typed, which the form keeps.
	if strings.ReplaceAll(wrong.Body, "els@praktijk.example", "X") != strings.ReplaceAll(unknown.Body, "niemand@praktijk.example", "X") {
		t.Errorf("the two failures give different pages:\n%s\n---\n%s", wrong.Body, unknown.Body)
	}
	if b.signedIn() {
		t.Error("signed in after two failures")
	}
	// Both are in the audit trail, without the address typed.
	entries := a.auditTrail(t)
	failed := 0
	for _, e := range entries {
		if e.Action == "sign_in_failed" {
			failed++
		}
		if strings.Contains(e.Detail+e.Object+e.Actor, "praktijk") {
			t.Errorf("audit entry holds the e-mail address: %+v", e)
		}
	}
	if failed != 2 {
		t.Errorf("%d failed sign-ins in the audit trail, want 2", failed)
	}
}

func TestSignInLocksAfterFiveFailures(t *testing.T) {
	a := newTestServer(t)
	a.addMember(t, "els@praktijk.example", staff.Officer)
	a.addMember(t, "jan@praktijk.example", staff.Officer)
	b := a.browser(t)
	for i := 1; i <= 5; i++ {
		if p, _ := passwordStep(b, "els@praktijk.example", "fout-wachtwoord-"+itoa(int64(i))); p.Status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: status %d, want 401", i, p.Status)
		}
	}
	p, _ := passwordStep(b, "els@praktijk.example", staffPassword)
	if p.Status != http.StatusTooManyRequests {
		t.Fatalf("6th attempt with the right password: status %d, want 429", p.Status)
	}
	if got := problem(p); got != a.nl("signin.locked") {
		t.Errorf("locked page says %q, want %q", got, a.nl("signin.locked"))
	}
	if setsSession(p) || b.signedIn() {
		t.Error("a locked account was signed in")
	}
	t.Run("another account from the same address is not locked", func(t *testing.T) {
		a.signIn(t, "jan@praktijk.example")
	})
	t.Run("after the window the right password works again", func(t *testing.T) {
		a.clock.Advance(16 * time.Minute)
		a.signIn(t, "els@praktijk.example")
	})
}

func TestSessionIDChangesAtSignIn(t *testing.T) {
	a := newTestServer(t)
	a.addMember(t, "els@praktijk.example", staff.Officer)
	a.addMember(t, "eigenaar@praktijk.example", staff.Owner)

	t.Run("a planted id is not taken over", func(t *testing.T) {
		b := a.browser(t)
		b.setCookie(sessionCookie, "door-een-aanvaller-gezet")
		sb := a.signInWith(t, b, "els@praktijk.example")
		if got := sb.session(); got == "door-een-aanvaller-gezet" || got == "" {
			t.Fatalf("session cookie %q after sign-in", got)
		}
	})
	t.Run("signing in again gives a new id and ends the old one", func(t *testing.T) {
		sb := a.signIn(t, "els@praktijk.example")
		first := sb.session()
		a.signInWith(t, sb.browser, "els@praktijk.example")
		if second := sb.session(); second == first {
			t.Fatal("same session id after a second sign-in")
		}
		old := a.browser(t)
		old.setCookie(sessionCookie, first)
		if old.signedIn() {
			t.Error("the id from before the second sign-in still works")
		}
		if !sb.signedIn() {
			t.Error("the new session does not work")
		}
	})
	t.Run("the second factor gives a new id", func(t *testing.T) {
		b := a.browser(t)
		owner := a.signInWith(t, b, "eigenaar@praktijk.example") // enrols
		p, _ := passwordStep(b, "eigenaar@praktijk.example", staffPassword)
		if got := p.location(); got != "/staff/signin/code" {
			t.Fatalf("after the password: to %s, want /staff/signin/code", got)
		}
		halfway := owner.session()
		owner.csrf = b.cookie(csrfCookie) // new at sign-in
		owner.submit("/staff/signin/code", "code", owner.nextCode()).location()
		if owner.session() == halfway {
			t.Fatal("same session id before and after the second factor")
		}
		old := a.browser(t)
		old.setCookie(sessionCookie, halfway)
		if p := old.get("/staff/signin/code"); p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/staff/signin" {
			t.Errorf("the halfway id still works: %d to %s", p.Status, p.Header.Get("Location"))
		}
	})
}

func TestSignOutEndsTheSession(t *testing.T) {
	a := newTestServer(t)
	a.addMember(t, "els@praktijk.example", staff.Officer)
	sb := a.signIn(t, "els@praktijk.example")
	id := sb.session()
	p := sb.submit("/staff/signout")
	if got := p.location(); got != "/staff/signin" {
		t.Fatalf("sign-out: to %s, want /staff/signin", got)
	}
	if !strings.Contains(sb.get("/staff/signin").text(), a.nl("flash.signed_out")) {
		t.Error("the sign-in page does not say the member signed out")
	}
	if sb.signedIn() {
		t.Error("the browser is still signed in")
	}
	// A copy of the cookie is worth nothing now.
	replay := a.browser(t)
	replay.setCookie(sessionCookie, id)
	p = replay.get("/staff/cases")
	if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/staff/signin" {
		t.Errorf("replayed cookie: %d to %q, want 303 to /staff/signin", p.Status, p.Header.Get("Location"))
	}
	csrf, _ := replay.formTokens("/staff/signin")
	if p := replay.post("/staff/cases/new", url.Values{"_csrf": {csrf}}); p.Status != http.StatusUnauthorized {
		t.Errorf("form post with the replayed cookie: status %d, want 401", p.Status)
	}
}

func TestSessionTimeouts(t *testing.T) {
	a := newTestServer(t)
	a.addMember(t, "els@praktijk.example", staff.Officer)

	t.Run("idle", func(t *testing.T) {
		sb := a.signIn(t, "els@praktijk.example")
		for _, step := range []struct {
			wait  time.Duration
			alive bool
		}{{29 * time.Minute, true}, {29 * time.Minute, true}, {31 * time.Minute, false}} {
			a.clock.Advance(step.wait)
			if got := sb.signedIn(); got != step.alive {
				t.Fatalf("after %v idle: signed in %v, want %v", step.wait, got, step.alive)
			}
		}
		// The dead session's cookie is cleared.
		if sb.session() != "" {
			t.Error("the session cookie of a timed-out session is still set")
		}
	})
	t.Run("absolute", func(t *testing.T) {
		sb := a.signIn(t, "els@praktijk.example")
		// Busy all day, a request every 20 minutes: the session ends
		// 12 hours after the sign-in all the same.
		for i := 1; i <= 36; i++ {
			a.clock.Advance(20 * time.Minute)
			want := time.Duration(i)*20*time.Minute < 12*time.Hour
			if got := sb.signedIn(); got != want {
				t.Fatalf("%v after sign-in: signed in %v, want %v", time.Duration(i)*20*time.Minute, got, want)
			}
		}
	})
}

func TestOwnerMustEnrolSecondFactor(t *testing.T) {
	a := newTestServer(t)
	a.addMember(t, "eigenaar@praktijk.example", staff.Owner)
	b := a.browser(t)
	p, _ := passwordStep(b, "eigenaar@praktijk.example", staffPassword)
	if got := p.location(); got != "/staff/account/totp" {
		t.Fatalf("owner without TOTP sent to %s, want /staff/account/totp", got)
	}
	csrf := b.cookie(csrfCookie) // new at sign-in
	member, err := a.store.MemberByEmail(t.Context(), "eigenaar@praktijk.example")
	if err != nil {
		t.Fatal(err)
	}
	owner := &staffBrowser{browser: b, app: a, member: member, csrf: csrf}

	// Halfway, every page sends the owner to the next step: the enrolment
	// while there is no TOTP, then the code.
	blocked := func(t *testing.T, next string) {
		t.Helper()
		for _, path := range []string{"/staff/cases", "/staff/team", "/staff/account", "/staff/audit", "/staff/cases/new"} {
			if p := b.get(path); p.Status != http.StatusSeeOther || p.Header.Get("Location") != next {
				t.Errorf("GET %s: %d to %q, want 303 to %s", path, p.Status, p.Header.Get("Location"), next)
			}
		}
		if p := owner.submit("/staff/cases/new", "requester.name", "x"); p.Status != http.StatusSeeOther {
			t.Errorf("POST /staff/cases/new halfway: status %d, want 303", p.Status)
		}
		if n := len(a.cases(t)); n != 0 {
			t.Errorf("%d cases registered by a halfway session", n)
		}
	}
	blocked(t, "/staff/account/totp")
	// The code page sends the owner back to enrolment while there is
	// nothing to give a code for.
	if got := b.get("/staff/signin/code").location(); got != "/staff/account/totp" {
		t.Errorf("code page sends the owner to %s, want /staff/account/totp", got)
	}
	if !strings.Contains(b.get("/staff/account/totp").text(), a.nl("totp.must")) {
		t.Error("the enrolment page does not say the owner must enrol")
	}
	codes := owner.enrolTOTP()
	if len(codes) != 10 {
		t.Errorf("%d recovery codes, want 10", len(codes))
	}
	blocked(t, "/staff/signin/code") // still halfway: the enrolment does not finish the sign-in

	// The code that confirmed the enrolment cannot be used again.
	enrolCode := a.totpCode(t, member.ID)
	p = owner.submit("/staff/signin/code", "code", enrolCode)
	if p.Status != http.StatusUnauthorized || problem(p) != a.nl("signin.second_factor_failed") {
		t.Errorf("replayed code: status %d, says %q", p.Status, problem(p))
	}
	if got := owner.submit("/staff/signin/code", "code", owner.nextCode()).location(); got != "/staff/cases" {
		t.Fatalf("after the next code: to %s", got)
	}
	if !b.signedIn() {
		t.Fatal("not signed in after the code")
	}

	t.Run("a recovery code works once", func(t *testing.T) {
		for i, want := range []string{"/staff/cases", ""} {
			b := a.browser(t)
			p, _ := passwordStep(b, "eigenaar@praktijk.example", staffPassword)
			p.location()
			p = b.post("/staff/signin/code", url.Values{"_csrf": {b.cookie(csrfCookie)}, "code": {codes[0]}})
			if want == "" {
				if p.Status != http.StatusUnauthorized {
					t.Errorf("recovery code used twice: status %d, want 401", p.Status)
				}
				continue
			}
			if got := p.location(); got != want {
				t.Errorf("use %d of a recovery code: to %s", i+1, got)
			}
		}
	})
}

func TestHalfwaySessionReachesOnlyTheSecondFactor(t *testing.T) {
	a := newTestServer(t, withBranches("amsterdam", "utrecht"))
	a.addMember(t, "eigenaar@praktijk.example", staff.Owner)
	a.signIn(t, "eigenaar@praktijk.example") // enrols TOTP
	ref := a.fileRequest(t, "Zeger Geheim", "zeger@example.nl", "utrecht")
	b := a.browser(t)
	p, _ := passwordStep(b, "eigenaar@praktijk.example", staffPassword)
	if got := p.location(); got != "/staff/signin/code" {
		t.Fatalf("owner with TOTP sent to %s, want /staff/signin/code", got)
	}
	csrf := b.cookie(csrfCookie) // new at sign-in
	secondFactor := map[string]bool{"/staff/signin/code": true, "/staff/account/totp": true, "/staff/account/totp/begin": true, "/staff/signout": true}
	for route, want := range routeAccess {
		method, path, _ := strings.Cut(want.probe, " ")
		// The workspace's routes: those that send a signed-out visitor to
		// sign in. Signing in itself and the invitation link are open.
		open := path == "/staff/signin" || strings.HasPrefix(path, "/staff/signin/oidc") ||
			strings.HasPrefix(path, "/staff/welcome/") || strings.HasPrefix(path, "/staff/oidc/")
		protected := (method == http.MethodGet && want.anonymous == toSignIn) || want.anonymousCSRF == noSess
		if !strings.HasPrefix(path, "/staff") || open || !protected || secondFactor[path] {
			continue
		}
		t.Run(route, func(t *testing.T) {
			path := strings.NewReplacer("{ref}", ref, "{victim}", "1", "{token}", "1").Replace(path)
			body := strings.NewReplacer("{officer}", "1", "{pw}", staffPassword, "{n}", "1").Replace(want.body)
			var p *page
			if method == http.MethodGet {
				p = b.get(path)
			} else {
				p = b.send(method, path, withCSRF(t, body, csrf))
			}
			if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/staff/signin/code" {
				t.Errorf("%s %s: %d to %q, want 303 to /staff/signin/code", method, path, p.Status, p.Header.Get("Location"))
			}
			if strings.Contains(p.Body, "Geheim") {
				t.Errorf("%s %s shows case data", method, path)
			}
		})
	}
	if got := a.caseOf(t, ref); got.Status != "received" || got.Extended {
		t.Errorf("case changed by a halfway session: %+v", got)
	}
}

func TestSessionCookieFlags(t *testing.T) {
	for _, tt := range []struct {
		name, base, cookie, csrfCookie string
		secure                         bool
	}{
		{"plain http", testBaseURL, "avg_session", "avg_csrf", false},
		{"https", "https://avg.example.nl", "__Host-session", "__Host-csrf", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := newTestServer(t, withBaseURL(tt.base))
			a.addMember(t, "els@praktijk.example", staff.Officer)
			b := a.browser(t)
			csrf, _ := b.formTokens("/staff/signin")
			// The test server speaks plain HTTP, where a browser keeps no
			// Secure cookie: send the CSRF cookie by hand.
			p := b.post("/staff/signin", url.Values{"_csrf": {csrf}, "email": {"els@praktijk.example"}, "password": {staffPassword}},
				"Cookie", tt.csrfCookie+"="+csrf)
			// Every account enrols a second factor first (ASVS 5.0 6.3.3).
			if got := p.location(); got != "/staff/account/totp" {
				t.Fatalf("sign-in: to %s", got)
			}
			var ck *http.Cookie
			for _, c := range p.Cookies {
				if c.Name == tt.cookie {
					ck = c
				}
			}
			if ck == nil {
				t.Fatalf("no %s cookie; got %v", tt.cookie, p.Cookies)
			}
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Domain != "" || ck.Secure != tt.secure {
				t.Errorf("cookie %s: HttpOnly %v SameSite %v Path %q Domain %q Secure %v", ck.Name, ck.HttpOnly, ck.SameSite, ck.Path, ck.Domain, ck.Secure)
			}
			if ck.MaxAge > 0 || !ck.Expires.IsZero() {
				t.Errorf("session cookie persists on disk: MaxAge %d Expires %v", ck.MaxAge, ck.Expires)
			}
			if n := len(ck.Value); n < 22 {
				t.Errorf("session id of %d characters, want at least 128 bits", n)
			}
		})
	}
}

// TestSignInThrottledPerAddress tries many accounts from one address, each
// time with another forged X-Forwarded-For: with no trusted proxy the
// address is the connection's, so the per-address limit holds.
func TestSignInThrottledPerAddress(t *testing.T) {
	a := newTestServer(t)
	a.addMember(t, "els@praktijk.example", staff.Officer)
	b := a.browser(t)
	csrf, _ := b.formTokens("/staff/signin")
	try := func(i int, email, password string) *page {
		return b.post("/staff/signin", url.Values{"_csrf": {csrf}, "email": {email}, "password": {password}},
			"X-Forwarded-For", "198.51.100."+itoa(int64(i)))
	}
	for i := 1; i <= 20; i++ {
		if p := try(i, "gast"+itoa(int64(i))+"@praktijk.example", "geraden-wachtwoord"); p.Status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: status %d, want 401", i, p.Status)
		}
	}
	p := try(21, "els@praktijk.example", staffPassword)
	if p.Status != http.StatusTooManyRequests || problem(p) != a.nl("signin.throttled") {
		t.Fatalf("21st attempt from the address: status %d, says %q; want 429 %q", p.Status, problem(p), a.nl("signin.throttled"))
	}
	if setsSession(p) {
		t.Error("a throttled sign-in set a session")
	}
}
