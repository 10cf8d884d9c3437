package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/staff"
)

const statementURL = "https://www.praktijk-voorbeeld.nl/privacy"

// contactBlock returns the contact block at the foot of p, or nil.
func contactBlock(p *page) *htmlNode {
	for _, n := range p.find(func(n *htmlNode) bool { return n.Data == "section" && hasClass(n, "contact") }) {
		return n
	}
	return nil
}

// linksIn returns the targets of the links inside n.
func linksIn(n *htmlNode) []string {
	var out []string
	for d := range n.Descendants() {
		if d.Data == "a" {
			out = append(out, attr(d, "href"))
		}
	}
	return out
}

// Every public page, errors included, says how to reach the practice: its
// name, postal address, privacy address (a mail link) and the link to its
// privacy statement; texts that say "contact us" name the address.
func TestContactBlockOnPublicPages(t *testing.T) {
	a := newTestServer(t)
	a.setCountry(t, practice.Netherlands, func(s *practice.Settings) { s.PrivacyURL = statementURL })
	a.fileRequest(t, "Anna de Vries", "anna@example.nl", "")
	token := a.trackingToken(t, "anna@example.nl")
	b := a.browser(t)
	csrf, idem := b.formTokens("/verzoek/access")
	if p := b.post("/verzoek/access", validForm(csrf, idem)); p.Status != http.StatusSeeOther {
		t.Fatalf("POST: status %d", p.Status)
	}
	bad := validForm(csrf, "")
	bad.Set("requester.email", "x")
	pages := []struct {
		name   string
		do     func() *page
		status int
	}{
		{"start", func() *page { return b.get("/") }, 200},
		{"rights", func() *page { return b.get("/verzoek") }, 200},
		{"form", func() *page { return b.get("/verzoek/erasure") }, 200},
		{"form in English", func() *page { return b.get("/verzoek/erasure?lang=en") }, 200},
		{"form with problems", func() *page { return b.post("/verzoek/access?lang=nl", bad) }, 422},
		{"confirmation", func() *page { return b.get("/verzoek-ontvangen") }, 200},
		{"tracking", func() *page { return b.get("/volg/" + token) }, 200},
		{"unknown tracking link", func() *page { return b.get("/volg/" + strings.Repeat("q", 43)) }, 404},
		{"unknown right", func() *page { return b.get("/verzoek/nothing") }, 404},
		{"unknown page", func() *page { return b.get("/beheer") }, 404},
		{"csrf refusal", func() *page { return b.post("/verzoek/access", validForm("", idem)) }, 403},
		{"sign-in", func() *page { return b.get("/staff/signin") }, 200},
	}
	for _, tt := range pages {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.do()
			if p.Status != tt.status {
				t.Fatalf("status %d, want %d", p.Status, tt.status)
			}
			block := contactBlock(p)
			if block == nil {
				t.Fatalf("no contact block:\n%s", p.Body)
			}
			text := textContent(block)
			for _, want := range []string{"Praktijk Grensland", "Kerkstraat 1", "1000 Brussel", "privacy@grensland.example"} {
				if !strings.Contains(text, want) {
					t.Errorf("contact block lacks %q: %s", want, text)
				}
			}
			if hrefs := linksIn(block); !slices.Equal(hrefs, []string{"mailto:privacy@grensland.example", statementURL}) {
				t.Errorf("contact links %q", hrefs)
			}
		})
	}
	t.Run("contact us says how", func(t *testing.T) {
		b := a.browser(t)
		csrf, idem := b.formTokens("/verzoek/access")
		f := validForm(csrf, idem)
		f.Set("requester.email", "bert@example.nl")
		b.post("/verzoek/access", f)
		got := b.get("/verzoek-ontvangen").text()
		if want := a.nlWith("received.no_mail", "Via", "privacy@grensland.example"); !strings.Contains(got, want) {
			t.Errorf("confirmation lacks %q:\n%s", want, got)
		}
	})
}

// A staff page has no contact block: staff know the practice.
func TestNoContactBlockOnStaffPages(t *testing.T) {
	a := newTestServer(t)
	a.setCountry(t, practice.Netherlands)
	a.addMember(t, "eigenaar@grensland.example", staff.Owner)
	owner := a.signIn(t, "eigenaar@grensland.example")
	if p := owner.get("/staff/settings"); p.Status != http.StatusOK || contactBlock(p) != nil {
		t.Fatalf("staff settings: status %d, contact block %v", p.Status, contactBlock(p) != nil)
	}
}

// A field the practice has not filled in is left out, label and all: without
// a privacy statement no link, before setup no block at all.
func TestContactBlockLeavesOutEmptyFields(t *testing.T) {
	a := newTestServer(t)
	b := a.browser(t)
	if block := contactBlock(b.get("/verzoek/access")); block != nil {
		t.Errorf("before setup, a contact block: %s", textContent(block))
	}
	a.setCountry(t, practice.Netherlands)
	p := b.get("/verzoek/access")
	block := contactBlock(p)
	if block == nil {
		t.Fatal("no contact block")
	}
	text := textContent(block)
	if hrefs := linksIn(block); strings.Contains(text, a.nl("contact.statement")) || !slices.Equal(hrefs, []string{"mailto:privacy@grensland.example"}) {
		t.Errorf("a statement link without a statement: %s %q", text, hrefs)
	}
	if !strings.Contains(text, a.nl("contact.email")+" privacy@grensland.example") {
		t.Errorf("the privacy address lacks its label: %s", text)
	}
}

// framing sets the origins that may frame the request form.
func framing(origins ...string) func(*practice.Settings) {
	return func(s *practice.Settings) { s.FrameOrigins = origins }
}

const strictCSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// The request form's pages may be framed by the origins of the setting, and
// only they; X-Frame-Options, which cannot name them, goes. The rest of the
// policy is unchanged, and every other page keeps frame-ancestors 'none'
// and DENY, with or without the setting.
func TestFrameAncestors(t *testing.T) {
	a := newTestServer(t)
	a.addMember(t, "eigenaar@grensland.example", staff.Owner)
	owner := a.signIn(t, "eigenaar@grensland.example")
	apiToken := a.addToken(t, a.memberByEmail(t, "eigenaar@grensland.example"))
	a.fileRequest(t, "Anna de Vries", "anna@example.nl", "")
	token := a.trackingToken(t, "anna@example.nl")
	framedCSP := strings.Replace(strictCSP, "'none'; base-uri", "https://www.praktijk-voorbeeld.nl https://praktijk.example:8443; base-uri", 1)

	type check struct {
		name   string
		do     func(b *browser) *page
		status int
		public bool // one of the request form's pages
	}
	checks := []check{
		{"start", func(b *browser) *page { return b.get("/") }, 200, true},
		{"rights", func(b *browser) *page { return b.get("/verzoek") }, 200, true},
		{"form", func(b *browser) *page { return b.get("/verzoek/access?lang=en") }, 200, true},
		{"form with problems", func(b *browser) *page {
			csrf, idem := b.formTokens("/verzoek/access")
			f := validForm(csrf, idem)
			f.Set("requester.email", "x")
			return b.post("/verzoek/access", f)
		}, 422, true},
		{"unknown right", func(b *browser) *page { return b.get("/verzoek/nothing") }, 404, true},
		{"confirmation without one", func(b *browser) *page { return b.get("/verzoek-ontvangen") }, 303, true},
		{"tracking", func(b *browser) *page { return b.get("/volg/" + token) }, 200, false},
		{"sign-in", func(b *browser) *page { return b.get("/staff/signin") }, 200, false},
		{"unknown page", func(b *browser) *page { return b.get("/beheer") }, 404, false},
		{"staff settings", func(*browser) *page { return owner.get("/staff/settings") }, 200, false},
		{"staff queue", func(*browser) *page { return owner.get("/staff/cases") }, 200, false},
		{"API", func(b *browser) *page { return b.get("/api/v1/practice", "Authorization", "Bearer "+apiToken) }, 200, false},
		{"API without token", func(b *browser) *page { return b.get("/api/v1/cases") }, 401, false},
		{"health", func(b *browser) *page { return b.get("/healthz") }, 200, false},
		{"readiness", func(b *browser) *page { return b.get("/readyz") }, 200, false},
	}
	run := func(t *testing.T, allowed bool) {
		for _, tt := range checks {
			t.Run(tt.name, func(t *testing.T) {
				p := tt.do(a.browser(t))
				if p.Status != tt.status {
					t.Fatalf("status %d, want %d", p.Status, tt.status)
				}
				csp, xfo := p.Header.Get("Content-Security-Policy"), p.Header.Values("X-Frame-Options")
				if allowed && tt.public {
					if csp != framedCSP || len(xfo) != 0 {
						t.Errorf("CSP %q, X-Frame-Options %q; want %q and none", csp, xfo, framedCSP)
					}
					return
				}
				if csp != strictCSP || len(xfo) != 1 || xfo[0] != "DENY" {
					t.Errorf("CSP %q, X-Frame-Options %q; want %q and DENY", csp, xfo, strictCSP)
				}
			})
		}
	}
	a.setCountry(t, practice.Netherlands)
	t.Run("without origins", func(t *testing.T) { run(t, false) })
	a.setCountry(t, practice.Netherlands, framing("https://www.praktijk-voorbeeld.nl", "https://praktijk.example:8443"))
	t.Run("with origins", func(t *testing.T) { run(t, true) })
}

// frame is a visitor in a frame on the practice's website: the browser
// keeps no SameSite cookie of the portal there, so this one keeps none.
func frame(a *testApp, t *testing.T) *browser {
	b := a.browser(t)
	b.client.Jar = nil
	return b
}

// In a frame the request form works without cookies: the form's own token
// and the confirmation in the address. What keeps other sites out is the
// browser's Sec-Fetch-Site and Origin, and the token's signature and age.
func TestFramedRequestFormWithoutCookies(t *testing.T) {
	a := newTestServer(t)
	a.setCountry(t, practice.Netherlands, framing("https://www.praktijk-voorbeeld.nl"))
	inFrame := []string{"Sec-Fetch-Site", "same-origin", "Sec-Fetch-Dest", "iframe", "Origin", a.ts.URL}

	t.Run("a request is filed and confirmed in English", func(t *testing.T) {
		b := frame(a, t)
		form := b.get("/verzoek/access?lang=en")
		if action := attr(form.formTo("/verzoek/access?lang=en"), "action"); action != "/verzoek/access?lang=en" {
			t.Fatalf("form posts to %q", action)
		}
		f := validForm(form.fieldValue("_csrf"), form.fieldValue("_idem"))
		res := b.post("/verzoek/access?lang=en", f, inFrame...)
		if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.location(), "/verzoek-ontvangen?") {
			t.Fatalf("POST: status %d to %q\n%s", res.Status, res.location(), res.Body)
		}
		if len(res.Cookies) != 0 && slices.ContainsFunc(res.Cookies, func(c *http.Cookie) bool { return c.Name == "avg_receipt" }) {
			t.Errorf("the confirmation went in a cookie too")
		}
		ref := a.cases(t)[0].Reference
		got := b.get(res.location())
		if got.Status != http.StatusOK || !strings.Contains(got.text(), ref) || !strings.Contains(got.text(), a.en("received.title")) {
			t.Fatalf("confirmation: status %d, want the reference %s in English:\n%s", got.Status, ref, got.text())
		}
		if got.Header.Get("X-Frame-Options") != "" {
			t.Errorf("the confirmation may not be framed")
		}
		u, _ := url.Parse(res.location())
		forged := u.Query()
		forged.Set("bevestiging", strings.Replace(forged.Get("bevestiging"), ref, "AVG-2026-9999", 1))
		if p := b.get("/verzoek-ontvangen?" + forged.Encode()); p.Status != http.StatusSeeOther || strings.Contains(p.Body, "AVG-2026-9999") {
			t.Errorf("a changed confirmation: status %d", p.Status)
		}
		a.clock.Advance(11 * time.Minute)
		if p := b.get(res.location()); p.Status != http.StatusSeeOther {
			t.Errorf("a confirmation after 11 minutes: status %d, want 303 to the form", p.Status)
		}
	})

	refused := []struct {
		name  string
		token func(good string) string
		hdr   []string
		later time.Duration
	}{
		{"from another site", func(g string) string { return g }, []string{"Sec-Fetch-Site", "cross-site"}, 0},
		{"from a sibling site", func(g string) string { return g }, []string{"Sec-Fetch-Site", "same-site"}, 0},
		{"from another origin (a browser without Sec-Fetch-Site)", func(g string) string { return g }, []string{"Origin", "https://www.praktijk-voorbeeld.nl"}, 0},
		{"without a token", func(string) string { return "" }, inFrame, 0},
		// The last character changed: to "0", or to "1" when it was "0"
		// (replacing a "0" by "0" changed nothing, and the case then
		// passed as a valid token now and then).
		{"with a changed token", func(g string) string {
			return g[:len(g)-1] + map[bool]string{true: "1", false: "0"}[strings.HasSuffix(g, "0")]
		}, inFrame, 0},
		{"with a token of another time", func(g string) string {
			at, mac, _ := strings.Cut(strings.TrimPrefix(g, "f"), ".")
			n, _ := strconv.ParseInt(at, 10, 64)
			return "f" + strconv.FormatInt(n+60, 10) + "." + mac
		}, inFrame, 0},
		{"with a token over two hours old", func(g string) string { return g }, inFrame, 2*time.Hour + time.Minute},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			b := frame(a, t)
			before := len(a.cases(t))
			csrf, idem := b.formTokens("/verzoek/access")
			a.clock.Advance(tt.later)
			f := validForm(tt.token(csrf), idem)
			f.Set("requester.email", "carla@example.nl")
			if p := b.post("/verzoek/access", f, tt.hdr...); p.Status != http.StatusForbidden {
				t.Fatalf("status %d, want 403", p.Status)
			}
			if len(a.cases(t)) != before {
				t.Error("a refused post filed a request")
			}
		})
	}

	t.Run("without origins, the form's token needs the cookie", func(t *testing.T) {
		b := frame(a, t)
		csrf, idem := b.formTokens("/verzoek/access")
		a.setCountry(t, practice.Netherlands)
		if p := b.post("/verzoek/access", validForm(csrf, idem), inFrame...); p.Status != http.StatusForbidden {
			t.Fatalf("status %d, want 403", p.Status)
		}
	})
}

// The privacy statement's address and the origins are set on the settings
// page; a wrong one is refused next to its field and nothing is stored.
func TestSettingsContactAndFraming(t *testing.T) {
	a := newTestServer(t)
	a.addMember(t, "eigenaar@grensland.example", staff.Owner)
	owner := a.signIn(t, "eigenaar@grensland.example")
	base := []string{"practice.name", "Praktijk Grensland", "practice.address", "Kerkstraat 1", "practice.kvk", "12345678",
		"practice.privacy_email", "privacy@grensland.example", "practice.time_zone", "Europe/Amsterdam",
		"practice.country", "NL", "practice.calendar", "NL", "practice.id_copy_days", "30", "practice.case_retention_days", "730"}

	p := owner.submit("/staff/settings", append(base, "practice.privacy_url", "http://www.praktijk-voorbeeld.nl/privacy",
		"practice.frame_origins", "https://www.praktijk-voorbeeld.nl\nhttps://*.praktijk-voorbeeld.nl")...)
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", p.Status)
	}
	if got, want := p.textOf("f-practice-privacy_url-error"), a.nl("field.https_url"); !strings.Contains(got, want) {
		t.Errorf("next to the statement's address: %q, want %q", got, want)
	}
	if got, want := p.textOf("f-practice-frame_origins-error"), a.nl("settings.frame_origin"); !strings.Contains(got, want) {
		t.Errorf("next to the origins: %q, want %q", got, want)
	}
	if st, _ := a.store.Settings(t.Context()); st.Configured {
		t.Fatalf("a refused form stored settings: %+v", st)
	}

	p = owner.submit("/staff/settings", append(base, "practice.privacy_url", statementURL,
		"practice.frame_origins", "HTTPS://WWW.Praktijk-Voorbeeld.nl/\r\n\r\nhttps://praktijk.example:8443")...)
	if p.location() != "/staff/settings" {
		t.Fatalf("status %d, no redirect:\n%s", p.Status, p.summary())
	}
	st, err := a.store.Settings(t.Context())
	want := []string{"https://www.praktijk-voorbeeld.nl", "https://praktijk.example:8443"}
	if err != nil || st.PrivacyURL != statementURL || !slices.Equal(st.FrameOrigins, want) {
		t.Fatalf("stored %q %q (%v), want %q %q", st.PrivacyURL, st.FrameOrigins, err, statementURL, want)
	}
	form := owner.get("/staff/settings")
	if got := form.fieldValue("practice.privacy_url"); got != statementURL {
		t.Errorf("the page shows the statement %q", got)
	}
	if got := form.fieldValue("practice.frame_origins"); got != strings.Join(want, "\n") {
		t.Errorf("the page shows the origins %q", got)
	}
	if got := a.browser(t).get("/").Header.Get("Content-Security-Policy"); !strings.Contains(got, "frame-ancestors "+strings.Join(want, " ")+";") {
		t.Errorf("the start page's policy %q", got)
	}
}

// The first-run setup takes the privacy statement's address too.
func TestSetupTakesThePrivacyStatement(t *testing.T) {
	a := newTestServer(t)
	path := "/setup/" + a.addSetupToken(t)
	b := a.browser(t)
	csrf, _ := b.formTokens(path)
	form := validSetup(csrf)
	form.Set("practice.privacy_url", " https://www.delinde.example/privacy ")
	if p := b.post(path, form); p.Status != http.StatusSeeOther && p.Status != http.StatusOK {
		t.Fatalf("status %d:\n%s", p.Status, p.text())
	}
	st, err := a.store.Settings(t.Context())
	if err != nil || !st.Configured || st.PrivacyURL != "https://www.delinde.example/privacy" {
		t.Fatalf("stored %+v (%v)", st, err)
	}
	if got := linksIn(contactBlock(a.browser(t).get("/"))); !slices.Contains(got, "https://www.delinde.example/privacy") {
		t.Errorf("the start page links %q", got)
	}
}

// The refusal drafted for a parent without authority says how to ask for
// what such a parent may have: at the privacy address.
func TestRefusalDraftSaysHowToReachThePractice(t *testing.T) {
	a := newTestServer(t)
	a.setCountry(t, practice.Netherlands)
	a.addMember(t, "eigenaar@grensland.example", staff.Owner)
	officer := a.signIn(t, "eigenaar@grensland.example")
	requester := a.browser(t)
	csrf, idem := requester.formTokens("/verzoek/access")
	f := url.Values{"_csrf": {csrf}, "_idem": {idem}, "requester.relation": {"parent_without_authority"},
		"requester.name": {"Test Ouder"}, "requester.email": {"ouder@example.org"}, "subject.name": {"Test Kind"},
		"subject.birth_date": {"2012-01-15"}, "language": {"nl"}}
	if p := requester.post("/verzoek/access", f); p.Status != http.StatusSeeOther {
		t.Fatalf("POST: status %d\n%s", p.Status, p.summary())
	}
	draft := officer.get("/staff/cases/" + a.cases(t)[0].Reference).fieldValue("decision.reasons")
	if want := a.nlWith("identity.refusal_without_authority.NL", "Via", "privacy@grensland.example"); draft != want || !strings.Contains(draft, "privacy@grensland.example") {
		t.Errorf("draft %q, want %q", draft, want)
	}
}
