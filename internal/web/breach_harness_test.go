package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/avgloket/avgloket/internal/auth"
	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/staff"
)

// The breach register's tests run the portal as cmd/avgloket wires it, with
// sign-in (auth) and the breach service with its reminders, and sign staff
// in through the pages. The names here carry "breach" so that they stay
// apart from the staff workspace's own test helpers.

// breachPassword is the password of every staff account these tests make.
const breachPassword = "groene-giraf-danst-42"

// breachPasswordHash hashes breachPassword once: argon2id is slow on purpose.
var breachPasswordHash = sync.OnceValues(func() (string, error) { return auth.HashPassword(breachPassword) })

// breachApp is the portal with the breach service at hand.
type breachApp struct {
	*testApp
	breaches *breach.Service
	files    string // the folder of the encrypted uploads
}

// newBreachApp builds and serves the portal (newApp) for a practice
// "Jeugdpraktijk De Linde" with branches utrecht and amsterdam.
func newBreachApp(tb testing.TB) *breachApp {
	tb.Helper()
	app := newApp(tb, withBranches("amsterdam", "utrecht"))
	a := &breachApp{testApp: app, breaches: app.breaches, files: app.filesDir}
	a.start(tb)
	a.setUpPractice(tb)
	return a
}

// setUpPractice stores the practice's details through the first-run setup
// store call, as the setup page does.
func (a *breachApp) setUpPractice(tb testing.TB) {
	tb.Helper()
	p := practice.Defaults()
	p.Name, p.Address, p.KvK, p.PrivacyEmail = "Jeugdpraktijk De Linde", "Lindelaan 12, 3512 AB Utrecht", "12345678", "privacy@delinde.example"
	hash := a.addSetupToken(tb)
	hashOf := casework.HashToken(hash)
	pw, err := breachPasswordHash()
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := a.store.CompleteSetup(tb.Context(), hashOf, p, staff.NewMember{Email: "els@delinde.example", Name: "Els Eigenaar",
		Role: staff.Owner, PasswordHash: pw}, a.clock.Now()); err != nil {
		tb.Fatalf("CompleteSetup: %v", err)
	}
}

// breachMember adds a staff account that signs in with breachPassword.
func (a *breachApp) breachMember(tb testing.TB, email, name string, role staff.Role, branches ...string) staff.Member {
	tb.Helper()
	pw, err := breachPasswordHash()
	if err != nil {
		tb.Fatal(err)
	}
	m, err := a.store.AddMember(tb.Context(), staff.NewMember{Email: email, Name: name, Role: role, Branches: branches,
		PasswordHash: pw}, a.clock.Now())
	if err != nil {
		tb.Fatalf("AddMember(%s): %v", email, err)
	}
	return m
}

// breachToken gives the member with the e-mail address a new API token.
func (a *breachApp) breachToken(tb testing.TB, email string) string {
	tb.Helper()
	m, err := a.store.MemberByEmail(tb.Context(), email)
	if err != nil {
		tb.Fatalf("MemberByEmail: %v", err)
	}
	token, err := casework.NewToken()
	if err != nil {
		tb.Fatal(err)
	}
	if err := a.store.AddAPIToken(tb.Context(), m.ID, casework.HashToken(token), "test", a.clock.Now()); err != nil {
		tb.Fatalf("AddAPIToken: %v", err)
	}
	return token
}

// breachBrowser is a browser in which a staff member signed in.
type breachBrowser struct {
	*browser
	app    *breachApp
	member staff.Member
	token  string // the CSRF token, once read
}

// breachSignIn signs the member in through the pages in a new browser:
// password, then for an owner the enrolment of the second factor and the
// code. It fails the test unless the browser ends up at the queue.
func (a *breachApp) breachSignIn(tb testing.TB, email string) *breachBrowser {
	tb.Helper()
	m, err := a.store.MemberByEmail(tb.Context(), email)
	if err != nil {
		tb.Fatalf("MemberByEmail(%s): %v", email, err)
	}
	b := &breachBrowser{browser: a.browser(tb), app: a, member: m}
	csrf, _ := b.formTokens("/staff/signin")
	b.token = csrf
	p := b.post("/staff/signin", url.Values{"_csrf": {csrf}, "email": {email}, "password": {breachPassword}})
	switch to := breachRedirect(tb, p); to {
	case "/staff/cases":
		return b
	case "/staff/account/totp":
		b.token = b.get("/staff/account/totp").fieldValue("_csrf")
		enrol := b.postForm("/staff/account/totp/begin")
		var secret string
		for _, n := range enrol.find(func(n *htmlNode) bool { return n.Data == "code" && hasClass(n, "secret") }) {
			secret = strings.ReplaceAll(textContent(n), " ", "")
		}
		if secret == "" {
			tb.Fatalf("no TOTP secret on the enrolment page:\n%s", enrol.text())
		}
		if got := b.postForm("/staff/account/totp", "code", b.code(tb, secret)); got.Status != http.StatusOK {
			tb.Fatalf("enrolment: status %d\n%s", got.Status, got.text())
		}
		if to := breachRedirect(tb, b.postForm("/staff/signin/code", "code", b.code(tb, secret))); to != "/staff/cases" {
			tb.Fatalf("after the code: to %s", to)
		}
		return b
	case "/staff/signin/code":
		acc, err := a.store.AccountByID(tb.Context(), m.ID)
		if err != nil || acc.TOTPSecret == "" {
			tb.Fatalf("AccountByID: %v (secret set: %v)", err, acc.TOTPSecret != "")
		}
		if to := breachRedirect(tb, b.postForm("/staff/signin/code", "code", b.code(tb, acc.TOTPSecret))); to != "/staff/cases" {
			tb.Fatalf("after the code: to %s", to)
		}
		return b
	default:
		tb.Fatalf("after the password: to %s", to)
	}
	return nil
}

// code moves the clock to the next 30-second step (a code is good once)
// and returns the code for secret.
func (b *breachBrowser) code(tb testing.TB, secret string) string {
	tb.Helper()
	b.app.clock.Advance(30 * time.Second)
	c, err := totp.GenerateCode(secret, b.app.clock.Now())
	if err != nil {
		tb.Fatalf("GenerateCode: %v", err)
	}
	return c
}

// csrf returns the browser's CSRF token, read off the register page's
// sign-out form.
func (b *breachBrowser) csrf() string {
	b.tb.Helper()
	if b.token == "" {
		if b.token = b.get("/staff/breaches").fieldValue("_csrf"); b.token == "" {
			b.tb.Fatal("no CSRF token on the register page")
		}
	}
	return b.token
}

// postForm posts kv (pairs of name and value, names may repeat) with the
// CSRF token to path.
func (b *breachBrowser) postForm(path string, kv ...string) *page {
	b.tb.Helper()
	v := url.Values{"_csrf": {b.csrf()}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return b.post(path, v)
}

// upload posts a file as the multipart field name to path, with the CSRF
// token in the query as the page's form does.
func (b *breachBrowser) upload(path, field, filename string, content []byte) *page {
	b.tb.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, err := w.CreateFormFile(field, filename)
	if err != nil {
		b.tb.Fatal(err)
	}
	if _, err := fw.Write(content); err != nil {
		b.tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		b.tb.Fatal(err)
	}
	req, err := http.NewRequestWithContext(b.tb.Context(), http.MethodPost, b.base+path+"?_csrf="+url.QueryEscape(b.csrf()), &body)
	if err != nil {
		b.tb.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(req)
}

// breachRedirect returns where a 303 points, failing the test otherwise.
func breachRedirect(tb testing.TB, p *page) string {
	tb.Helper()
	if p.Status != http.StatusSeeOther {
		tb.Fatalf("status %d, want 303\n%s", p.Status, p.text())
	}
	return p.Header.Get("Location")
}
