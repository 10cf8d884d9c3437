package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/ui"
)

// pages holds one template set per page: the layout, the partials and the
// page itself. A page is parsed the first time it is shown, so the portal
// starts listening without parsing three dozen pages it may not show for a
// while (and holds only the ones in use); TestEveryPageParses parses each.
type pages struct {
	sets map[string]func() (*template.Template, error)
}

// pageNames lists every page; a missing file stops the start.
var pageNames = []string{"request_start", "request_form", "request_received", "track", "setup", "setup_done", "error",
	"staff_queue", "staff_case", "staff_case_form", "signin", "signin_code", "staff_account", "staff_totp",
	"staff_team", "staff_welcome", "staff_audit", "staff_settings", "staff_report",
	"staff_breaches", "staff_breach", "staff_breach_form", "staff_breach_assessment", "staff_breach_decision",
	"staff_breach_draft", "staff_breach_followup", "staff_breach_letter", "staff_breach_summary", "staff_breach_settings",
	"staff_outbox", "staff_register", "staff_activity", "staff_activity_form", "staff_register_print",
	"staff_consents", "staff_consent_form"}

func loadPages(static *staticFiles) (*pages, error) {
	funcs := template.FuncMap{
		"static": static.url,
		"deref":  func(t *time.Time) time.Time { return *t },
		"list":   func(xs ...string) []string { return xs },
	}
	partials, err := fs.Glob(ui.FS, "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{sets: map[string]func() (*template.Template, error){}}
	for _, name := range pageNames {
		files := append([]string{"templates/layout.html"}, partials...)
		files = append(files, "templates/pages/"+name+".html")
		for _, f := range files {
			if _, err := fs.Stat(ui.FS, f); err != nil {
				return nil, fmt.Errorf("page %s: %w", name, err)
			}
		}
		p.sets[name] = sync.OnceValues(func() (*template.Template, error) {
			t, err := template.New("layout.html").Funcs(funcs).ParseFS(ui.FS, files...)
			if err != nil {
				return nil, fmt.Errorf("page %s: %w", name, err)
			}
			return t.Option("missingkey=error"), nil
		})
	}
	return p, nil
}

// render executes page name into a buffer first, so a template error gives a
// clean 500 rather than half a page with a 200 status.
func (s *Server) render(c echo.Context, status int, name string, data any) error {
	parsed, ok := s.pages.sets[name]
	if !ok {
		return fmt.Errorf("no page %q", name)
	}
	t, err := parsed()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// tr translates for one page.
type tr struct {
	s    *Server
	Lang lang.Code
	// Authority is the practice's supervisory authority, which messages
	// name as {{.Authority}} (its code, AP or GBA), {{.AuthorityName}} (its
	// name in the page's language) and {{.AuthoritySite}} (its web address
	// without the scheme, as a sentence writes it).
	Authority practice.Authority
	authority map[string]any // authorityData of Authority, made once per page
}

// T returns the message id, filled with pairs of name and value and the
// practice's authority.
func (t tr) T(id string, pairs ...any) string {
	if len(pairs) == 0 && t.authority != nil {
		return t.s.Catalog.T(t.Lang, id, t.authority) // read only: shared by every call of the page
	}
	data := authorityData(t.Authority, t.Lang)
	for i := 0; i+1 < len(pairs); i += 2 {
		data[fmt.Sprint(pairs[i])] = pairs[i+1]
	}
	return t.s.Catalog.T(t.Lang, id, data)
}

// authorityData is what every message may name of the authority.
func authorityData(a practice.Authority, l lang.Code) map[string]any {
	return map[string]any{"Authority": a.Code, "AuthorityName": a.NameIn(string(l)),
		"AuthoritySite": strings.TrimPrefix(strings.TrimPrefix(a.URL, "https://"), "http://")}
}

// Date writes a date in full in the page's language.
func (t tr) Date(d deadline.Date) string { return lang.Date(t.Lang, d) }

// DateTime writes a moment in full in the page's language and the given
// time zone.
func (t tr) DateTime(at time.Time, loc *time.Location) string { return lang.DateTime(t.Lang, at, loc) }

// base is what every page's data starts from.
type base struct {
	Tr         tr
	Lang       lang.Code
	Title      string
	CSRF       string
	Practice   string
	SwitchLang lang.Code
	SwitchURL  string
	Staff      *staffNav // nil on public pages
	Flash      string    // a one-time message after a redirect
	Contact    contact   // how to reach the practice, at the foot of public pages
}

func (s *Server) base(c echo.Context, titleID string) base {
	l := langOf(c)
	b := base{Tr: tr{s: s, Lang: l, Authority: practice.AP}, Lang: l}
	b.CSRF, _ = c.Get(keyCSRF).(string)
	b.Flash = s.popFlash(c)
	settings, err := s.Store.Settings(c.Request().Context())
	if err != nil {
		settings = practice.Defaults()
	}
	b.Practice, b.Tr.Authority = settings.Name, settings.Authority()
	b.Contact = contactOf(settings, s.Catalog.T(l, "contact.via_unnamed", nil))
	b.Tr.authority = authorityData(b.Tr.Authority, l)
	b.Title = b.Tr.T(titleID)
	b.SwitchLang = lang.EN
	if l == lang.EN {
		b.SwitchLang = lang.NL
	}
	u := *c.Request().URL
	q := u.Query()
	q.Set("lang", string(b.SwitchLang))
	b.SwitchURL = (&url.URL{Path: localPath(u.Path), RawQuery: q.Encode()}).String()
	return b
}

// localPath returns p as a path on this site: one leading slash, never two
// and never a slash with a backslash, which a browser reads as a link to
// another host ("//evil.example/", "/\evil.example/", or "/%2F%2Fevil.example/"
// once decoded).
func localPath(p string) string {
	return "/" + strings.TrimLeft(p, `/\`)
}

// errorPage is the data of the error page.
type errorPage struct {
	base
	Message string
	Status  int
}

// clean keeps a form value to a sane size before it is echoed back into a
// page.
func clean(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 10000 {
		s = s[:10000]
	}
	return s
}
