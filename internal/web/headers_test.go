package web_test

import (
	"errors"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/web"
	"github.com/avgloket/avgloket/ui"
)

// assertSecurityHeaders checks the headers every answer carries
// (SECURITY.md item 8). Pages must not be cached.
func assertSecurityHeaders(t *testing.T, h http.Header, page bool) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	switch {
	case csp == "":
		t.Error("no Content-Security-Policy")
	case strings.Contains(csp, "'unsafe-inline'") || strings.Contains(csp, "'unsafe-eval'"):
		t.Errorf("CSP allows inline code: %s", csp)
	case !strings.Contains(csp, "frame-ancestors 'none'"):
		t.Errorf("CSP lets other sites frame the page: %s", csp)
	case !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src"):
		t.Errorf("CSP allows scripts: %s", csp)
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options %q", got)
	}
	if got := h.Get("Referrer-Policy"); got != "no-referrer" && got != "same-origin" && got != "strict-origin" {
		t.Errorf("Referrer-Policy %q", got)
	}
	if got := h.Get("Cache-Control"); page && !strings.Contains(got, "no-store") {
		t.Errorf("Cache-Control %q, want no-store", got)
	}
	if got := h.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("HSTS %q over plain HTTP", got)
	}
}

// assertNoInlineCode fails for inline script, style or event handlers: the
// CSP forbids them, so the pages must not need them.
func assertNoInlineCode(t *testing.T, p *page) {
	t.Helper()
	for _, n := range p.find(func(n *htmlNode) bool { return n.Data == "script" || n.Data == "style" || hasAttr(n, "style") }) {
		t.Errorf("inline <%s> or style attribute in the page", n.Data)
	}
	for _, n := range p.find(func(n *htmlNode) bool { return true }) {
		for _, at := range n.Attr {
			if strings.HasPrefix(at.Key, "on") {
				t.Errorf("inline event handler %s on <%s>", at.Key, n.Data)
			}
		}
	}
}

func TestSecurityHeadersOnEveryPage(t *testing.T) {
	a := newTestServer(t)
	token := a.addSetupToken(t)
	b := a.browser(t)
	csrf, idem := b.formTokens("/verzoek/access")
	tests := []struct {
		name   string
		do     func() *page
		status int
	}{
		{"start", func() *page { return b.get("/") }, 200},
		{"rights", func() *page { return b.get("/verzoek") }, 200},
		{"form", func() *page { return b.get("/verzoek/access") }, 200},
		{"form in English", func() *page { return b.get("/verzoek/erasure?lang=en") }, 200},
		{"form submitted", func() *page { return b.post("/verzoek/access", validForm(csrf, "")) }, 303},
		{"form with problems", func() *page {
			f := validForm(csrf, idem)
			f.Set("requester.email", "x")
			return b.post("/verzoek/access", f)
		}, 422},
		{"receipt", func() *page { return b.get("/verzoek-ontvangen") }, 200},
		{"tracking", func() *page { return b.get("/volg/" + a.trackingToken(t, "anna@example.nl")) }, 200},
		{"unknown tracking link", func() *page { return b.get("/volg/" + strings.Repeat("q", 43)) }, 404},
		{"setup", func() *page { return b.get("/setup/" + token) }, 200},
		{"unknown page", func() *page { return b.get("/beheer") }, 404},
		{"csrf refusal", func() *page { return b.post("/verzoek/access", validForm("", idem)) }, 403},
		{"health", func() *page { return b.get("/healthz") }, 200},
		{"readiness", func() *page { return b.get("/readyz") }, 200},
		{"API without token", func() *page { return b.get("/api/v1/cases") }, 401},
		{"API unknown route", func() *page { return b.get("/api/v1/nothing") }, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.do()
			if tt.status != 0 && p.Status != tt.status {
				t.Fatalf("status %d, want %d", p.Status, tt.status)
			}
			assertSecurityHeaders(t, p.Header, true)
			if strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
				assertNoInlineCode(t, p)
			}
		})
	}
}

var hashedCSS = regexp.MustCompile(`^/static/app\.[0-9a-f]{12}\.css$`)

func TestStaticFiles(t *testing.T) {
	a := newTestServer(t)
	b := a.browser(t)
	var href string
	for _, l := range b.get("/").find(func(n *htmlNode) bool { return n.Data == "link" && attr(n, "rel") == "stylesheet" }) {
		href = attr(l, "href")
	}
	if !hashedCSS.MatchString(href) {
		t.Fatalf("stylesheet at %q, want a content-hashed URL", href)
	}
	css := b.get(href)
	if css.Status != http.StatusOK {
		t.Fatalf("GET %s: status %d", href, css.Status)
	}
	if ct := css.Header.Get("Content-Type"); ct != "text/css; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := css.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") || !strings.Contains(cc, "max-age=31536000") {
		t.Errorf("Cache-Control %q, want a year and immutable", cc)
	}
	assertSecurityHeaders(t, css.Header, false)
	want, err := fs.ReadFile(ui.FS, "static/app.css")
	if err != nil {
		t.Fatal(err)
	}
	if css.Body != string(want) {
		t.Error("served stylesheet differs from ui/static/app.css")
	}
	for _, path := range []string{
		"/static/app.css",
		"/static/app.000000000000.css",
		"/static/",
		"/static/..%2flocales%2fnl.json",
		"/static/%2e%2e%2fembed.go",
		"/static/embed.go",
	} {
		t.Run(path, func(t *testing.T) {
			p := b.get(path)
			if p.Status != http.StatusNotFound {
				t.Errorf("status %d, want 404", p.Status)
			}
			if strings.Contains(p.Body, "package ui") || strings.Contains(p.Body, `"start.heading"`) {
				t.Error("a file outside ui/static was served")
			}
		})
	}
}

func TestFailuresGivePlainErrorPages(t *testing.T) {
	a := newApp(t)
	const secret = "connection string password=hunter2"
	web.AddRouteForTest(a.srv, http.MethodGet, "/test/boom", func(echo.Context) error { panic(secret) })
	web.AddRouteForTest(a.srv, http.MethodGet, "/test/error", func(echo.Context) error { return errors.New(secret) })
	web.AddRouteForTest(a.srv, http.MethodGet, "/api/v1/test/boom", func(echo.Context) error { panic(secret) })
	a.start(t)
	b := a.browser(t)
	for _, tt := range []struct {
		path string
		api  bool
	}{
		{"/test/boom", false},
		{"/test/error", false},
		{"/api/v1/test/boom", true},
	} {
		t.Run(tt.path, func(t *testing.T) {
			p := b.get(tt.path)
			if p.Status != http.StatusInternalServerError {
				t.Fatalf("status %d, want 500", p.Status)
			}
			for _, leak := range []string{"hunter2", "goroutine", ".go:", "panic("} {
				if strings.Contains(p.Body, leak) {
					t.Errorf("answer shows %q:\n%s", leak, p.Body)
				}
			}
			assertSecurityHeaders(t, p.Header, true)
			if tt.api {
				res := apiResponse{tb: t, Status: p.Status, Body: []byte(p.Body)}
				if res.errorCode() != "internal" {
					t.Errorf("error.code %q, want internal", res.errorCode())
				}
				return
			}
			if !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") || !strings.Contains(p.text(), a.nl("error.internal")) {
				t.Errorf("not the plain error page:\n%s", p.text())
			}
		})
	}
	// The details go to the log, for the operator.
	if logs := a.logs.String(); !strings.Contains(logs, "hunter2") || !strings.Contains(logs, "goroutine") {
		t.Errorf("the log lacks the panic and its stack:\n%s", logs)
	}
}
