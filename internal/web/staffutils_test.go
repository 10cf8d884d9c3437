package web_test

import (
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oauth2-proxy/mockoidc"
	"github.com/pquerna/otp/totp"
	"golang.org/x/net/html"

	"github.com/avgloket/avgloket/internal/auth"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/staff"
)

// staffPassword is the password of every staff account the tests make.
const staffPassword = "paarse-olifant-zwemt-7"

// sessionCookie and csrfCookie are the session and CSRF cookies' names on
// plain HTTP (testBaseURL).
const (
	sessionCookie = "avg_session"
	csrfCookie    = "avg_csrf"
)

// staffPasswordHash hashes staffPassword once: argon2id is slow on purpose.
var staffPasswordHash = sync.OnceValues(func() (string, error) { return auth.HashPassword(staffPassword) })

// addMember creates a staff account that signs in with staffPassword.
func (a *testApp) addMember(tb testing.TB, email string, role staff.Role, branches ...string) staff.Member {
	tb.Helper()
	hash, err := staffPasswordHash()
	if err != nil {
		tb.Fatalf("HashPassword: %v", err)
	}
	m, err := a.store.AddMember(tb.Context(), staff.NewMember{Email: email, Name: nameOf(email), Role: role,
		Branches: branches, PasswordHash: hash}, a.clock.Now())
	if err != nil {
		tb.Fatalf("AddMember(%s): %v", email, err)
	}
	return m
}

// memberByEmail returns the member with the address.
func (a *testApp) memberByEmail(tb testing.TB, email string) staff.Member {
	tb.Helper()
	m, err := a.store.MemberByEmail(tb.Context(), email)
	if err != nil {
		tb.Fatalf("MemberByEmail(%s): %v", email, err)
	}
	return m
}

// nameOf makes a display name from an e-mail address: "els@x" → "Els".
func nameOf(email string) string {
	local, _, _ := strings.Cut(email, "@")
	return strings.ToUpper(local[:1]) + local[1:]
}

// addToken gives the member a new API token.
func (a *testApp) addToken(tb testing.TB, m staff.Member) string {
	tb.Helper()
	token, err := casework.NewToken()
	if err != nil {
		tb.Fatalf("NewToken: %v", err)
	}
	if err := a.store.AddAPIToken(tb.Context(), m.ID, casework.HashToken(token), "test", a.clock.Now()); err != nil {
		tb.Fatalf("AddAPIToken: %v", err)
	}
	return token
}

// staffBrowser is a browser in which a staff member signed in, with the
// CSRF token its forms carry.
type staffBrowser struct {
	*browser
	app    *testApp
	member staff.Member
	csrf   string
}

// form is values plus the browser's CSRF token; kv are pairs of name and
// value.
func (b *staffBrowser) form(kv ...string) url.Values {
	v := url.Values{"_csrf": {b.csrf}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// submit posts kv with the CSRF token to path.
func (b *staffBrowser) submit(path string, kv ...string) *page {
	b.tb.Helper()
	return b.post(path, b.form(kv...))
}

// session returns the id in the browser's session cookie.
func (b *staffBrowser) session() string { return b.cookie(sessionCookie) }

// location returns where a redirect points, failing unless p is a 303.
func (p *page) location() string {
	p.tb.Helper()
	if p.Status != http.StatusSeeOther {
		p.tb.Fatalf("status %d, want 303\n%s", p.Status, p.Body)
	}
	return p.Header.Get("Location")
}

// passwordStep opens the sign-in page in b and posts email and password. It
// returns the answer and the CSRF token of the page.
func passwordStep(b *browser, email, password string) (*page, string) {
	b.tb.Helper()
	csrf, _ := b.formTokens("/staff/signin")
	return b.post("/staff/signin", url.Values{"_csrf": {csrf}, "email": {email}, "password": {password}}), csrf
}

// signIn signs the member with the e-mail address in through the pages, in
// a new browser: password, then for a member without a second factor the
// enrolment (every role must have one), then the code. It fails the test unless the browser ends up at
// the queue.
func (a *testApp) signIn(tb testing.TB, email string) *staffBrowser {
	tb.Helper()
	return a.signInWith(tb, a.browser(tb), email)
}

// signInWith signs in as signIn does, in the browser b.
func (a *testApp) signInWith(tb testing.TB, b *browser, email string) *staffBrowser {
	tb.Helper()
	m, err := a.store.MemberByEmail(tb.Context(), email)
	if err != nil {
		tb.Fatalf("MemberByEmail(%s): %v", email, err)
	}
	p, _ := passwordStep(b, email, staffPassword)
	// The CSRF token is new after the password (and again after the code).
	sb := &staffBrowser{browser: b, app: a, member: m, csrf: b.cookie(csrfCookie)}
	switch loc := p.location(); loc {
	case "/staff/account/totp":
		sb.enrolTOTP()
		fallthrough
	case "/staff/signin/code":
		if got := sb.submit("/staff/signin/code", "code", sb.nextCode()).location(); got != "/staff/cases" {
			tb.Fatalf("after the code: to %s, want /staff/cases", got)
		}
		sb.csrf = b.cookie(csrfCookie)
	default:
		// Every account gives a second factor: none goes straight in.
		tb.Fatalf("after the password: to %s, want the second factor", loc)
	}
	return sb
}

var secretGroups = regexp.MustCompile(`^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$`)

// enrolTOTP enrols the second factor through the enrolment page, reading
// the secret as a person types it over, and returns the recovery codes.
func (b *staffBrowser) enrolTOTP() []string {
	b.tb.Helper()
	p := b.get("/staff/account/totp")
	if p.Status != http.StatusOK {
		b.tb.Fatalf("GET /staff/account/totp: status %d", p.Status)
	}
	if strings.Contains(p.Body, `class="secret"`) {
		b.tb.Fatal("the enrolment page made a secret on GET")
	}
	// POST-redirect-GET: the secret is made on the POST and shown by the
	// GET it redirects to.
	if got := b.submit("/staff/account/totp/begin").location(); got != "/staff/account/totp" {
		b.tb.Fatalf("POST /staff/account/totp/begin: to %s, want /staff/account/totp", got)
	}
	if p = b.get("/staff/account/totp"); p.Status != http.StatusOK {
		b.tb.Fatalf("GET /staff/account/totp after begin: status %d", p.Status)
	}
	var shown string
	for _, n := range p.find(func(n *htmlNode) bool { return n.Data == "code" && hasClass(n, "secret") }) {
		shown = textContent(n)
	}
	if !secretGroups.MatchString(shown) {
		b.tb.Fatalf("secret shown as %q, want base32 in groups of four", shown)
	}
	code, err := totp.GenerateCode(strings.ReplaceAll(shown, " ", ""), b.app.clock.Now())
	if err != nil {
		b.tb.Fatalf("GenerateCode: %v", err)
	}
	p = b.submit("/staff/account/totp", "code", code)
	if p.Status != http.StatusOK {
		b.tb.Fatalf("POST /staff/account/totp: status %d\n%s", p.Status, p.text())
	}
	var codes []string
	for _, n := range p.find(func(n *htmlNode) bool { return n.Data == "ul" && hasClass(n, "codes") }) {
		for c := range n.Descendants() {
			if c.Type == html.ElementNode && c.Data == "code" {
				codes = append(codes, textContent(c))
			}
		}
	}
	if len(codes) == 0 {
		b.tb.Fatalf("no recovery codes shown after enrolment:\n%s", p.text())
	}
	return codes
}

// nextCode moves the clock to the next TOTP step (a code is accepted once
// only) and returns the member's code for it.
func (b *staffBrowser) nextCode() string {
	b.tb.Helper()
	b.app.clock.Advance(30 * time.Second)
	return b.app.totpCode(b.tb, b.member.ID)
}

// totpCode returns the member's current TOTP code.
func (a *testApp) totpCode(tb testing.TB, staffID int64) string {
	tb.Helper()
	acc, err := a.store.AccountByID(tb.Context(), staffID)
	if err != nil {
		tb.Fatalf("AccountByID: %v", err)
	}
	if acc.TOTPSecret == "" {
		tb.Fatal("member has no TOTP secret")
	}
	code, err := totp.GenerateCode(acc.TOTPSecret, a.clock.Now())
	if err != nil {
		tb.Fatalf("GenerateCode: %v", err)
	}
	return code
}

// signedIn reports whether the browser's session reaches the queue.
func (b *browser) signedIn() bool {
	b.tb.Helper()
	p := b.get("/staff/cases")
	switch p.Status {
	case http.StatusOK:
		return true
	case http.StatusSeeOther:
		return false
	}
	b.tb.Fatalf("GET /staff/cases: status %d", p.Status)
	return false
}

var welcomeLink = regexp.MustCompile(`https?://[^\s/]+(/staff/welcome/[A-Za-z0-9_-]+)`)

// mailsTo returns the texts of the queued e-mails to address, oldest first.
func (a *testApp) mailsTo(tb testing.TB, address string) []string {
	tb.Helper()
	var out []string
	for _, q := range a.outbox(tb) {
		if q.Message.To == address {
			out = append(out, q.Message.Text)
		}
	}
	return out
}

// latestTrackingToken returns the token of the tracking link in the newest
// e-mail to address that has one.
func (a *testApp) latestTrackingToken(tb testing.TB, address string) string {
	tb.Helper()
	token := ""
	for _, text := range a.mailsTo(tb, address) {
		if m := trackingLink.FindStringSubmatch(text); m != nil {
			token = m[2]
		}
	}
	if token == "" {
		tb.Fatalf("no tracking link mailed to %s", address)
	}
	return token
}

// fileRequest files a request through the public API and returns its
// reference. branch may be empty when the practice has at most one.
func (a *testApp) fileRequest(tb testing.TB, name, email, branch string) string {
	tb.Helper()
	body := newRequest(name, email)
	if branch != "" {
		body = with(body, "branch", branch)
	}
	res := a.api(tb, http.MethodPost, "/api/v1/requests", "", body)
	if res.Status != http.StatusCreated {
		tb.Fatalf("file request: %d %s", res.Status, res.Body)
	}
	return res.object()["reference"].(string)
}

// caseOf returns the stored case with the reference.
func (a *testApp) caseOf(tb testing.TB, ref string) casework.Case {
	tb.Helper()
	k, err := a.store.CaseByReference(tb.Context(), ref, casework.Scope{All: true})
	if err != nil {
		tb.Fatalf("case %s: %v", ref, err)
	}
	return k
}

// eventCount returns how many events the case's timeline has.
func (a *testApp) eventCount(tb testing.TB, ref string) int {
	tb.Helper()
	ev, err := a.store.CaseEvents(tb.Context(), a.caseOf(tb, ref).ID, false)
	if err != nil {
		tb.Fatalf("CaseEvents: %v", err)
	}
	return len(ev)
}

// runMockOIDC starts mockoidc's provider in-process until the test ends.
func runMockOIDC(tb testing.TB) *mockoidc.MockOIDC {
	tb.Helper()
	m, err := mockoidc.Run()
	if err != nil {
		tb.Fatalf("mockoidc.Run: %v", err)
	}
	tb.Cleanup(func() { _ = m.Shutdown() })
	return m
}

// formTo returns the form on the page that posts to action, or nil.
func (p *page) formTo(action string) *html.Node {
	for _, f := range p.find(func(n *html.Node) bool { return n.Data == "form" && attr(n, "action") == action }) {
		return f
	}
	return nil
}

// fill fills in the form on p that posts to action and submits it, as a
// browser does: every field goes with what the page put in it, changed as kv
// says. kv are pairs of field name and value; each name must be a field of
// that form and a choice one the form offers, so a test cannot send what
// the page does not ask for. Naming a check box group replaces what was
// ticked.
func (b *browser) fill(p *page, action string, kv ...string) *page {
	b.tb.Helper()
	form := p.formTo(action)
	if form == nil {
		b.tb.Fatalf("no form posting to %s on the page:\n%s", action, p.text())
	}
	return b.fillForm(form, action, kv...)
}

// fillForm submits form, which posts to action, as fill does.
func (b *browser) fillForm(form *html.Node, action string, kv ...string) *page {
	b.tb.Helper()
	fields := map[string]bool{}
	choices := map[string][]string{}
	v := url.Values{}
	for n := range form.Descendants() {
		name := attr(n, "name")
		if n.Type != html.ElementNode || name == "" {
			continue
		}
		switch typ := attr(n, "type"); {
		case n.Data == "button":
			continue
		case n.Data == "input" && (typ == "radio" || typ == "checkbox"):
			choices[name] = append(choices[name], attr(n, "value"))
			if hasAttr(n, "checked") {
				v.Add(name, attr(n, "value"))
			}
		case n.Data == "select":
			chosen := ""
			for o := range n.Descendants() {
				if o.Type == html.ElementNode && o.Data == "option" {
					if len(choices[name]) == 0 || hasAttr(o, "selected") {
						chosen = attr(o, "value")
					}
					choices[name] = append(choices[name], attr(o, "value"))
				}
			}
			v.Set(name, chosen)
		case n.Data == "textarea":
			v.Set(name, textContent(n))
		default:
			v.Set(name, attr(n, "value"))
		}
		if attr(n, "type") != "hidden" {
			fields[name] = true
		}
	}
	changed := map[string]bool{}
	for i := 0; i+1 < len(kv); i += 2 {
		name, value := kv[i], kv[i+1]
		if !fields[name] {
			b.tb.Fatalf("the form posting to %s has no field %q; it has %v", action, name, slices.Sorted(maps.Keys(fields)))
		}
		if opts, ok := choices[name]; ok && !slices.Contains(opts, value) {
			b.tb.Fatalf("the form posting to %s offers %q for %s, not %q", action, opts, name, value)
		}
		if !changed[name] {
			v.Del(name)
			changed[name] = true
		}
		v.Add(name, value)
	}
	return b.post(action, v)
}
