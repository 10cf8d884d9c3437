package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/avgloket/avgloket/internal/auth"
	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/staff"
)

// The breach register's tests run the portal as cmd/avgloket wires it, with
// sign-in (auth) and the breach service with its reminders, and sign staff
// in through the pages. The names here carry "breach" so that they stay
// apart from the staff workspace's own test helpers.

// breachPasswordHash hashes staffPassword, the password signIn types, once:
// argon2id is slow on purpose.
var breachPasswordHash = sync.OnceValues(func() (string, error) { return auth.HashPassword(staffPassword) })

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
	if _, err := a.store.CompleteSetup(tb.Context(), hashOf, p, mail.Settings{}, staff.NewMember{Email: "els@delinde.example", Name: "Els Eigenaar",
		Role: staff.Owner, PasswordHash: pw}, a.clock.Now()); err != nil {
		tb.Fatalf("CompleteSetup: %v", err)
	}
}

// nlFor is message id in Dutch as the pages of a practice under authority
// au fill it in ({{.Authority}}, {{.AuthorityName}}).
func (a *breachApp) nlFor(au practice.Authority, id string) string {
	return a.cat.T(lang.NL, id, map[string]any{"Authority": au.Code, "AuthorityName": au.Name})
}

// breachMember adds a staff account that signs in with staffPassword.
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

// breachSignIn signs the member in through the pages in a new browser, as
// signIn does (password, for an owner the second factor), and keeps the
// CSRF token it read.
func (a *breachApp) breachSignIn(tb testing.TB, email string) *breachBrowser {
	tb.Helper()
	sb := a.signIn(tb, email)
	return &breachBrowser{browser: sb.browser, app: a, member: sb.member, token: sb.csrf}
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
