package web_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"github.com/avgloket/avgloket/internal/delivery"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oauth2-proxy/mockoidc"
	"golang.org/x/net/html"

	"github.com/avgloket/avgloket/internal/auth"
	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/clock"
	"github.com/avgloket/avgloket/internal/filestore"
	"github.com/avgloket/avgloket/internal/identity"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/letters"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/metrics"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/staff"
	"github.com/avgloket/avgloket/internal/store"
	"github.com/avgloket/avgloket/internal/store/dbtest"
	"github.com/avgloket/avgloket/internal/upload"
	"github.com/avgloket/avgloket/internal/vault"
	"github.com/avgloket/avgloket/internal/web"
	"github.com/avgloket/avgloket/ui"
)

// testBaseURL is the portal's public address in tests. Links in e-mails
// carry it; requests go to the httptest server, whatever its address.
const testBaseURL = "http://avgloket.test"

// testNow is when every test starts: a Wednesday morning in November,
// 10:31 in Amsterdam. A request received then is due on Monday
// 28 December 2026 (25 December is Christmas, then a weekend).
var testNow = time.Date(2026, time.November, 25, 9, 31, 0, 0, time.UTC)

// testApp is the real portal: web.Server over a real SQLite store in a
// temporary folder, the real case service and letters, and a fake clock.
type testApp struct {
	srv   *web.Server
	ts    *httptest.Server // nil until start
	store *store.Store
	svc   *casework.Service
	auth  *auth.Service
	oidc  *auth.OIDC // nil without withOIDC
	clock *clock.Fake
	cat   *lang.Catalog
	logs  *syncBuffer
	// unstarted is the server made before web.New when the callback URL
	// must be known in advance (OIDC); start serves on it.
	unstarted *httptest.Server
	files     *filestore.Store
	filesDir  string
	breaches  *breach.Service
	delivery  *delivery.Service
	// mail is the SMTP server as cmd/avgloket resolves it: the
	// environment's (withEnvSMTP) or the settings page's.
	mail *mail.Servers
	// dbTarget is what the store opened: the SQLite file, or a PostgreSQL
	// URL (dbtest.Target).
	dbTarget string
}

// rawDB opens the app's database for raw SQL, read-only on SQLite; onPG
// says it is PostgreSQL, whose SQL differs here and there.
func (a *testApp) rawDB(tb testing.TB) (db *sql.DB, onPG bool) {
	tb.Helper()
	driver, dsn := "sqlite3", "file:"+a.dbTarget+"?mode=ro" // mattn/go-sqlite3, registered by internal/store
	if store.IsPostgresURL(a.dbTarget) {
		driver, dsn, onPG = "pgx", a.dbTarget, true
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db, onPG
}

type appConfig struct {
	web        web.Config
	branches   []string
	oidc       *mockoidc.MockOIDC
	oidcTweak  func(*auth.OIDCConfig)
	oidcClient *http.Client
	envSMTP    *mail.SMTPConfig
}

type appOption func(*appConfig)

// withBranches gives the practice branches with these codes (named after
// the code, capitalised).
func withBranches(codes ...string) appOption {
	return func(c *appConfig) { c.branches = codes }
}

// withRate sets the per-address limit on new requests a minute.
func withRate(perMinute int) appOption {
	return func(c *appConfig) { c.web.RequestsPerMinute = perMinute }
}

// withTrustedProxies believes X-Forwarded-For from these networks.
func withTrustedProxies(prefixes ...string) appOption {
	return func(c *appConfig) {
		for _, p := range prefixes {
			c.web.TrustedProxies = append(c.web.TrustedProxies, netip.MustParsePrefix(p))
		}
	}
}

// withBaseURL sets the portal's public address (https makes cookies Secure).
func withBaseURL(u string) appOption {
	return func(c *appConfig) { c.web.BaseURL = u }
}

// withOIDC signs staff in through the mockoidc provider m too. The portal
// then listens before it is built (the provider needs the callback URL), and
// m's clock is set to the fake clock's, since it stamps its tokens with its
// own time and go-oidc checks them against ours.
func withOIDC(m *mockoidc.MockOIDC) appOption {
	return func(c *appConfig) { c.oidc = m }
}

// withOIDCConfig changes the OIDC settings withOIDC makes.
func withOIDCConfig(tweak func(*auth.OIDCConfig)) appOption {
	return func(c *appConfig) { c.oidcTweak = tweak }
}

// withOIDCClient makes the calls to the provider through client.
func withOIDCClient(client *http.Client) appOption {
	return func(c *appConfig) { c.oidcClient = client }
}

// withEnvSMTP makes the SMTP server one the environment sets, which wins
// over the settings page's.
func withEnvSMTP(c mail.SMTPConfig) appOption {
	return func(cfg *appConfig) { cfg.envSMTP = &c }
}

// newApp builds the portal as cmd/avgloket wires it, without a network
// listener. Rate limits are high unless a test sets one, so that tests which
// file many requests are not throttled.
func newApp(tb testing.TB, opts ...appOption) *testApp {
	tb.Helper()
	cfg := appConfig{web: web.Config{BaseURL: testBaseURL, RequestsPerMinute: 10000}}
	for _, o := range opts {
		o(&cfg)
	}
	dir := tb.TempDir()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	keys, err := vault.LoadOrCreate(filepath.Join(dir, "keys.json"))
	if err != nil {
		tb.Fatalf("key ring: %v", err)
	}
	target := dbtest.Target(tb, filepath.Join(dir, "avgloket.db"))
	st, err := store.Open(tb.Context(), target, keys, log)
	if err != nil {
		tb.Fatalf("store.Open: %v", err)
	}
	tb.Cleanup(func() { _ = st.Close() })
	clk := clock.NewFake(testNow)
	for _, code := range cfg.branches {
		if _, err := st.AddBranch(tb.Context(), practice.Branch{Code: code, Name: strings.ToUpper(code[:1]) + code[1:]}, clk.Now()); err != nil {
			tb.Fatalf("AddBranch(%s): %v", code, err)
		}
	}
	cat, err := lang.Load(ui.FS)
	if err != nil {
		tb.Fatalf("lang.Load: %v", err)
	}
	// Called inside handlers, after a fuzz target's setup: not tb.Context.
	settings := func() (practice.Settings, error) { return st.Settings(context.Background()) }
	practiceName := func() string {
		s, err := settings()
		if err != nil {
			return ""
		}
		return s.Name
	}
	writer, err := letters.New(ui.FS, cat, settings)
	if err != nil {
		tb.Fatalf("letters.New: %v", err)
	}
	cases := casework.NewService(st, writer, clk, cfg.web.BaseURL)
	cases.UseNotifier(letters.NewNotices(writer, st.Activities, cfg.web.BaseURL, clk))
	signIn := auth.NewService(st, clk, auth.NewPolicy(), auth.DefaultLimits(), auth.DefaultSessionPolicy(), keys.Index)
	var (
		oidc      *auth.OIDC
		unstarted *httptest.Server
	)
	if m := cfg.oidc; m != nil {
		unstarted = httptest.NewUnstartedServer(http.NotFoundHandler())
		tb.Cleanup(unstarted.Close)
		m.FastForward(clk.Now().Sub(m.Now()))
		oc := auth.OIDCConfig{
			Issuer: m.Issuer(), ClientID: m.ClientID, ClientSecret: m.ClientSecret,
			RedirectURL: "http://" + unstarted.Listener.Addr().String() + "/staff/oidc/callback",
		}
		if cfg.oidcTweak != nil {
			cfg.oidcTweak(&oc)
		}
		oidc, err = signIn.NewOIDC(tb.Context(), oc, cfg.oidcClient)
		if err != nil {
			tb.Fatalf("NewOIDC: %v", err)
		}
		// As the background retry does at start; a test that makes the
		// provider unreachable (withOIDCClient) expects this to fail.
		if err := oidc.Discover(tb.Context()); err != nil && cfg.oidcClient == nil {
			tb.Fatalf("Discover: %v", err)
		}
	}
	// Wired as cmd/avgloket/app.go wires them: uploads of cases and breach
	// attachments share one encrypted file store.
	filesDir := filepath.Join(dir, "files")
	files, err := filestore.New(filesDir, keys)
	if err != nil {
		tb.Fatalf("filestore.New: %v", err)
	}
	fileAAD := func(id string) []byte { return vault.AAD("case_files", "content", id) }
	clean := func(dst io.Writer, src io.Reader, limit int64) (string, int64, error) {
		k, n, err := upload.Clean(dst, src, limit)
		return string(k), n, err
	}
	ident := identity.New(identity.Config{Cases: cases, Store: st, Files: files, Message: writer.Message, Clock: clk,
		AAD: fileAAD, Clean: clean})
	cases.UseGate(ident)
	breachMails, err := letters.NewBreachReminders(ui.FS, cat, practiceName)
	if err != nil {
		tb.Fatalf("letters.NewBreachReminders: %v", err)
	}
	breaches := breach.NewService(st, clk, breachMails, cfg.web.BaseURL)
	breaches.UseFiles(files, clean, fileAAD, 0)
	deliver := delivery.New(delivery.Config{Cases: cases, Store: st.Deliveries, Files: files, AAD: fileAAD, Mails: writer,
		Hash: keys.Index, Clock: clk, Check: func(dst io.Writer, src io.Reader, limit int64) (string, int64, error) {
			k, n, err := upload.Document(dst, src, limit)
			return string(k), n, err
		}})
	servers := mail.NewServers(cfg.envSMTP, st.MailSettings, "")
	srv, err := web.New(cfg.web, web.Deps{
		Store: st, Cases: cases, Catalog: cat, Clock: clk, Log: log, Signer: keys,
		Passwords: auth.NewPolicy(), Auth: signIn, OIDC: oidc, Letters: writer, Identity: ident, Breaches: breaches,
		Mail: servers, Staff: staff.NewService(st, writer, clk, cfg.web.BaseURL, oidc != nil), Delivery: deliver,
		Metrics: metrics.New(st, clk, log),
	})
	if err != nil {
		tb.Fatalf("web.New: %v", err)
	}
	return &testApp{srv: srv, store: st, svc: cases, auth: signIn, oidc: oidc, clock: clk, cat: cat, logs: logs, unstarted: unstarted,
		files: files, filesDir: filesDir, breaches: breaches, mail: servers, delivery: deliver, dbTarget: target}
}

// newTestServer builds the portal and serves it on a local address.
func newTestServer(tb testing.TB, opts ...appOption) *testApp {
	tb.Helper()
	a := newApp(tb, opts...)
	a.start(tb)
	return a
}

// start serves the portal on a local address until the test ends.
func (a *testApp) start(tb testing.TB) {
	tb.Helper()
	if a.unstarted != nil {
		a.ts = a.unstarted
		a.ts.Config.Handler = a.srv
		a.ts.Start()
		return
	}
	a.ts = httptest.NewServer(a.srv)
	tb.Cleanup(a.ts.Close)
}

// nl and en translate a message ID as the pages do, so tests follow the
// catalogue's wording instead of copying it. An ID the catalogue lacks is a
// bug (the page would show the bare ID), so it stops the test.
func (a *testApp) nl(id string) string { return a.msg(lang.NL, id) }
func (a *testApp) en(id string) string { return a.msg(lang.EN, id) }

func (a *testApp) msg(l lang.Code, id string) string {
	if !a.cat.Has(id) {
		panic("message ID " + id + " is not in the catalogue")
	}
	return a.cat.T(l, id, nil)
}

// cases returns every stored case, by due date and reference.
func (a *testApp) cases(tb testing.TB) []casework.Case {
	tb.Helper()
	page, err := a.store.ListCases(tb.Context(), casework.Query{Limit: 1000}, casework.Scope{All: true})
	if err != nil {
		tb.Fatalf("ListCases: %v", err)
	}
	return page.Cases
}

// outbox returns the queued e-mails, oldest first.
func (a *testApp) outbox(tb testing.TB) []mail.Queued {
	tb.Helper()
	due, err := a.store.Due(tb.Context(), a.clock.Now().Add(24*time.Hour), 1000)
	if err != nil {
		tb.Fatalf("outbox: %v", err)
	}
	return due
}

// assertNothingStored fails unless there is no case and no e-mail.
func (a *testApp) assertNothingStored(tb testing.TB) {
	tb.Helper()
	if cs := a.cases(tb); len(cs) != 0 {
		tb.Errorf("%d case(s) stored, want none (first: %s)", len(cs), cs[0].Reference)
	}
	queued, sent, err := a.store.OutboxStats(tb.Context())
	if err != nil {
		tb.Fatalf("OutboxStats: %v", err)
	}
	if queued+sent != 0 {
		tb.Errorf("outbox holds %d mail(s), want none", queued+sent)
	}
}

var trackingLink = regexp.MustCompile(`(https?://[^\s/]+)/volg/([A-Za-z0-9_-]+)`)

// trackingToken returns the token of the tracking link in the only queued
// mail to address.
func (a *testApp) trackingToken(tb testing.TB, address string) string {
	tb.Helper()
	var found []string
	for _, q := range a.outbox(tb) {
		if q.Message.To == address {
			if m := trackingLink.FindStringSubmatch(q.Message.Text); m != nil {
				found = append(found, m[2])
			}
		}
	}
	if len(found) != 1 {
		tb.Fatalf("want one tracking link mailed to %s, found %d", address, len(found))
	}
	return found[0]
}

// addStaff creates a staff account and returns a new API token for it.
func (a *testApp) addStaff(tb testing.TB, email string, role staff.Role, branches ...string) (staff.Member, string) {
	tb.Helper()
	m, err := a.store.AddMember(tb.Context(), staff.NewMember{Email: email, Name: email, Role: role, Branches: branches}, a.clock.Now())
	if err != nil {
		tb.Fatalf("AddMember(%s): %v", email, err)
	}
	token, err := casework.NewToken()
	if err != nil {
		tb.Fatalf("NewToken: %v", err)
	}
	if err := a.store.AddAPIToken(tb.Context(), m.ID, casework.HashToken(token), "test", a.clock.Now()); err != nil {
		tb.Fatalf("AddAPIToken: %v", err)
	}
	return m, token
}

// addSetupToken stores a one-time setup link valid for an hour and returns
// its token.
func (a *testApp) addSetupToken(tb testing.TB) string {
	tb.Helper()
	token, err := casework.NewToken()
	if err != nil {
		tb.Fatalf("NewToken: %v", err)
	}
	if err := a.store.AddSetupToken(tb.Context(), casework.HashToken(token), a.clock.Now().Add(time.Hour)); err != nil {
		tb.Fatalf("AddSetupToken: %v", err)
	}
	return token
}

// ---- A browser: cookie jar, no redirects followed. ----

type browser struct {
	tb     testing.TB
	base   string
	client *http.Client
	jar    *cookiejar.Jar
}

// browser returns a new visitor with an empty cookie jar. Redirects are not
// followed, so tests see the 303 and its Location.
func (a *testApp) browser(tb testing.TB) *browser {
	tb.Helper()
	if a.ts == nil {
		tb.Fatal("browser: server not started")
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatalf("cookiejar: %v", err)
	}
	return &browser{tb: tb, base: a.ts.URL, jar: jar, client: &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// get fetches path; hdr are pairs of header name and value.
func (b *browser) get(path string, hdr ...string) *page {
	b.tb.Helper()
	req, err := http.NewRequestWithContext(b.tb.Context(), http.MethodGet, b.base+path, nil)
	if err != nil {
		b.tb.Fatalf("GET %s: %v", path, err)
	}
	return b.do(req, hdr...)
}

// post submits form to path as a browser does.
func (b *browser) post(path string, form url.Values, hdr ...string) *page {
	b.tb.Helper()
	req, err := http.NewRequestWithContext(b.tb.Context(), http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.tb.Fatalf("POST %s: %v", path, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req, hdr...)
}

// send makes a request with any method; form, when not nil, is the body.
func (b *browser) send(method, path string, form url.Values, hdr ...string) *page {
	b.tb.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(b.tb.Context(), method, b.base+path, body)
	if err != nil {
		b.tb.Fatalf("%s %s: %v", method, path, err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return b.do(req, hdr...)
}

// getURL fetches an absolute URL (another site, such as the OIDC
// provider), with the same cookie jar.
func (b *browser) getURL(u string) *page {
	b.tb.Helper()
	req, err := http.NewRequestWithContext(b.tb.Context(), http.MethodGet, u, nil)
	if err != nil {
		b.tb.Fatalf("GET %s: %v", u, err)
	}
	return b.do(req)
}

// cookie returns the value of the cookie the browser holds for the portal,
// or "".
func (b *browser) cookie(name string) string {
	b.tb.Helper()
	u, err := url.Parse(b.base)
	if err != nil {
		b.tb.Fatal(err)
	}
	for _, c := range b.jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// setCookie puts a cookie for the portal in the browser, as a copied or
// planted cookie would be.
func (b *browser) setCookie(name, value string) {
	b.tb.Helper()
	u, err := url.Parse(b.base)
	if err != nil {
		b.tb.Fatal(err)
	}
	b.jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

func (b *browser) do(req *http.Request, hdr ...string) *page {
	b.tb.Helper()
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.tb.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.tb.Fatalf("%s %s: read body: %v", req.Method, req.URL.Path, err)
	}
	return &page{tb: b.tb, Status: res.StatusCode, Header: res.Header, Body: string(body), Cookies: res.Cookies()}
}

// formTokens GETs the form page at path and returns its hidden _csrf and
// _idem values (_idem is empty on forms without one).
func (b *browser) formTokens(path string) (csrf, idem string) {
	b.tb.Helper()
	p := b.get(path)
	if p.Status != http.StatusOK {
		b.tb.Fatalf("GET %s: status %d, want 200", path, p.Status)
	}
	csrf = p.fieldValue("_csrf")
	if csrf == "" {
		b.tb.Fatalf("GET %s: no _csrf value in the form", path)
	}
	return csrf, p.fieldValue("_idem")
}

// page is an answer as a browser got it, with helpers to read its HTML.
type page struct {
	tb      testing.TB
	Status  int
	Header  http.Header
	Body    string
	Cookies []*http.Cookie
	doc     *html.Node
}

func (p *page) root() *html.Node {
	p.tb.Helper()
	if p.doc == nil {
		doc, err := html.Parse(strings.NewReader(p.Body))
		if err != nil {
			p.tb.Fatalf("parse HTML: %v", err)
		}
		p.doc = doc
	}
	return p.doc
}

// find returns the elements for which match is true, in document order.
func (p *page) find(match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for n := range p.root().Descendants() {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
	}
	return out
}

// byID returns the element with the id, or nil.
func (p *page) byID(id string) *html.Node {
	if ns := p.find(func(n *html.Node) bool { return attr(n, "id") == id }); len(ns) > 0 {
		return ns[0]
	}
	return nil
}

// textOf returns the text of the element with the id, spaces collapsed, or
// "" if there is none.
func (p *page) textOf(id string) string {
	if n := p.byID(id); n != nil {
		return textContent(n)
	}
	return ""
}

// text is the whole page's text as a reader sees it, spaces collapsed.
func (p *page) text() string { return textContent(p.root()) }

// fieldValue returns what the form shows in the field called name: an
// input's value, a textarea's text or a select's chosen option.
func (p *page) fieldValue(name string) string {
	for _, n := range p.find(func(n *html.Node) bool { return attr(n, "name") == name }) {
		switch n.Data {
		case "input":
			if t := attr(n, "type"); t != "radio" && t != "checkbox" {
				return attr(n, "value")
			}
		case "textarea":
			var sb strings.Builder
			for c := range n.ChildNodes() {
				if c.Type == html.TextNode {
					sb.WriteString(c.Data)
				}
			}
			return sb.String()
		case "select":
			for o := range n.Descendants() {
				if o.Type == html.ElementNode && o.Data == "option" && hasAttr(o, "selected") {
					return attr(o, "value")
				}
			}
			return ""
		}
	}
	return ""
}

// checked returns the values of the ticked radio buttons or check boxes
// called name.
func (p *page) checked(name string) []string {
	var out []string
	for _, n := range p.find(func(n *html.Node) bool {
		return n.Data == "input" && attr(n, "name") == name && hasAttr(n, "checked")
	}) {
		out = append(out, attr(n, "value"))
	}
	return out
}

// hasField reports whether the page has a form control called name.
func (p *page) hasField(name string) bool {
	return len(p.find(func(n *html.Node) bool { return attr(n, "name") == name })) > 0
}

// summary returns the error summary's entries as link target → text.
func (p *page) summary() map[string]string {
	out := map[string]string{}
	for _, box := range p.find(func(n *html.Node) bool { return hasClass(n, "error-summary") }) {
		for a := range box.Descendants() {
			if a.Type == html.ElementNode && a.Data == "a" {
				out[attr(a, "href")] = textContent(a)
			}
		}
	}
	return out
}

// links returns the href of every link on the page.
func (p *page) links() []string {
	var out []string
	for _, a := range p.find(func(n *html.Node) bool { return n.Data == "a" }) {
		out = append(out, attr(a, "href"))
	}
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	return slices.ContainsFunc(n.Attr, func(a html.Attribute) bool { return a.Key == key })
}

func hasClass(n *html.Node, class string) bool {
	return slices.Contains(strings.Fields(attr(n, "class")), class)
}

func textContent(n *html.Node) string {
	var sb strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			sb.WriteString(c.Data)
			sb.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(sb.String()), " ")
}

// ---- The JSON API. ----

// apiResponse is an API answer.
type apiResponse struct {
	tb     testing.TB
	Status int
	Header http.Header
	Body   []byte
}

// object decodes the body as a JSON object.
func (r apiResponse) object() map[string]any {
	r.tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		r.tb.Fatalf("answer is not a JSON object: %v\n%s", err, r.Body)
	}
	return m
}

// errorCode returns error.code of an error body.
func (r apiResponse) errorCode() string {
	r.tb.Helper()
	e, _ := r.object()["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

// errorFields returns error.fields of an error body.
func (r apiResponse) errorFields() map[string]string {
	r.tb.Helper()
	e, _ := r.object()["error"].(map[string]any)
	out := map[string]string{}
	if f, ok := e["fields"].(map[string]any); ok {
		for k, v := range f {
			out[k], _ = v.(string)
		}
	}
	return out
}

// api calls the JSON API. body is sent as it is when it is a string or
// []byte, otherwise as JSON; hdr are pairs of header name and value and may
// override Content-Type. token, when not empty, goes in a Bearer header.
func (a *testApp) api(tb testing.TB, method, path, token string, body any, hdr ...string) apiResponse {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		js, err := json.Marshal(b)
		if err != nil {
			tb.Fatalf("marshal body: %v", err)
		}
		rd = bytes.NewReader(js)
	}
	req, err := http.NewRequestWithContext(tb.Context(), method, a.ts.URL+path, rd)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return a.send(tb, req)
}

func (a *testApp) send(tb testing.TB, req *http.Request) apiResponse {
	tb.Helper()
	client := a.ts.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatalf("%s %s: read body: %v", req.Method, req.URL.Path, err)
	}
	return apiResponse{tb: tb, Status: res.StatusCode, Header: res.Header, Body: b}
}

// syncBuffer collects log output from concurrent handlers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// htmlNode is an element or text of a parsed page.
type htmlNode = html.Node
