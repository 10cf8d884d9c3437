package web_test

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/staff"
)

// The due date of a request received at testNow, as the Dutch pages write it.
const dueNL = "maandag 28 december 2026"

// validForm is a complete access request for oneself, as a person fills it
// in at a practice that serves minors (so with their birth date); tests
// change what they need.
func validForm(csrf, idem string) url.Values {
	return url.Values{
		"_csrf":                {csrf},
		"_idem":                {idem},
		"requester.relation":   {"self"},
		"requester.birth_date": {"1988-04-12"},
		"requester.name":       {"Anna de Vries"},
		"requester.email":      {"anna@example.nl"},
		"requester.phone":      {"06 12345678"},
		"details":              {"Graag ook de verslagen van 2025."},
		"language":             {"nl"},
	}
}

func TestStartPagesListEveryRight(t *testing.T) {
	a := newTestServer(t)
	b := a.browser(t)
	for _, path := range []string{"/", "/verzoek"} {
		t.Run(path, func(t *testing.T) {
			p := b.get(path)
			if p.Status != http.StatusOK {
				t.Fatalf("status %d, want 200", p.Status)
			}
			links := p.links()
			text := p.text()
			for _, typ := range casework.RequestTypes {
				if !slices.Contains(links, "/verzoek/"+string(typ)) {
					t.Errorf("no link to /verzoek/%s", typ)
				}
				if title := a.nl("type." + string(typ) + ".title"); !strings.Contains(text, title) {
					t.Errorf("right %q not named on the page", title)
				}
			}
			if n := len(p.find(func(n *htmlNode) bool { return hasClass(n, "right") })); n != 7 {
				t.Errorf("%d rights listed, want 7", n)
			}
		})
	}
}

func TestRequestFormShowsFieldsForEachType(t *testing.T) {
	a := newTestServer(t, withBranches("amsterdam", "utrecht"))
	b := a.browser(t)
	common := []string{"_csrf", "_idem", "requester.relation", "requester.name", "requester.email",
		"requester.phone", "subject.name", "subject.birth_date", "branch", "details", "language"}
	tests := []struct {
		typ   casework.RequestType
		extra []string
	}{
		{casework.Access, nil},
		{casework.Rectification, []string{"specifics.wrong", "specifics.correct"}},
		{casework.Erasure, []string{"specifics.erasure_scope", "specifics.erasure_part"}},
		{casework.Restriction, []string{"specifics.restriction_data", "specifics.restriction_ground"}},
		{casework.Portability, []string{"specifics.format", "specifics.destination", "specifics.other_controller"}},
		{casework.Objection, []string{"specifics.processing", "specifics.direct_marketing", "specifics.grounds"}},
		{casework.ConsentWithdrawal, []string{"specifics.consents", "specifics.sharing_party", "specifics.other_consent"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.typ), func(t *testing.T) {
			p := b.get("/verzoek/" + string(tt.typ))
			if p.Status != http.StatusOK {
				t.Fatalf("status %d, want 200", p.Status)
			}
			forms := p.find(func(n *htmlNode) bool { return n.Data == "form" })
			if len(forms) != 1 || attr(forms[0], "action") != "/verzoek/"+string(tt.typ) || attr(forms[0], "method") != "post" {
				t.Fatalf("want one form posting to /verzoek/%s", tt.typ)
			}
			for _, f := range append(slices.Clone(common), tt.extra...) {
				if !p.hasField(f) {
					t.Errorf("no field %s", f)
				}
			}
			if p.fieldValue("_csrf") == "" || len(p.fieldValue("_idem")) < 40 {
				t.Errorf("hidden tokens missing: _csrf %q, _idem %q", p.fieldValue("_csrf"), p.fieldValue("_idem"))
			}
			if got := p.checked("requester.relation"); !slices.Equal(got, []string{"self"}) {
				t.Errorf("relation preselected %v, want [self]", got)
			}
			// Every field's label points at its input.
			for _, l := range p.find(func(n *htmlNode) bool { return n.Data == "label" && attr(n, "for") != "" }) {
				if p.byID(attr(l, "for")) == nil {
					t.Errorf("label for=%q has no input", attr(l, "for"))
				}
			}
		})
	}
	t.Run("unknown type", func(t *testing.T) {
		p := b.get("/verzoek/complaint")
		if p.Status != http.StatusNotFound {
			t.Errorf("status %d, want 404", p.Status)
		}
	})
}

func TestSubmitRequestForm(t *testing.T) {
	a := newTestServer(t)
	b := a.browser(t)
	csrf, idem := b.formTokens("/verzoek/access")

	res := b.post("/verzoek/access", validForm(csrf, idem))
	if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/verzoek-ontvangen" {
		t.Fatalf("POST: status %d to %q, want 303 to /verzoek-ontvangen\n%s", res.Status, res.Header.Get("Location"), res.Body)
	}

	got := b.get("/verzoek-ontvangen")
	if got.Status != http.StatusOK {
		t.Fatalf("receipt page: status %d", got.Status)
	}
	text := got.text()
	for _, want := range []string{a.nl("received.heading"), "AVG-2026-0001", dueNL} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt page lacks %q:\n%s", want, text)
		}
	}

	cases := a.cases(t)
	if len(cases) != 1 {
		t.Fatalf("%d cases stored, want 1", len(cases))
	}
	k := cases[0]
	if k.Reference != "AVG-2026-0001" || k.Type != casework.Access || k.Channel != casework.Web ||
		k.Requester.Name != "Anna de Vries" || k.Requester.Email != "anna@example.nl" ||
		k.Subject.Name != "Anna de Vries" || k.Deadlines.Due.String() != "2026-12-28" ||
		k.Details != "Graag ook de verslagen van 2025." {
		t.Errorf("stored case %+v", k)
	}

	mails := a.outbox(t)
	if len(mails) != 1 {
		t.Fatalf("%d mails queued, want 1", len(mails))
	}
	m := mails[0].Message
	if m.To != "anna@example.nl" {
		t.Errorf("mail to %q, want the requester", m.To)
	}
	if !strings.Contains(m.Subject, "AVG-2026-0001") || !strings.Contains(m.Text, "AVG-2026-0001") || !strings.Contains(m.Text, dueNL) {
		t.Errorf("acknowledgement lacks reference or due date:\n%s\n%s", m.Subject, m.Text)
	}
	if link := trackingLink.FindStringSubmatch(m.Text); link == nil || link[1] != testBaseURL {
		t.Errorf("acknowledgement has no tracking link on %s:\n%s", testBaseURL, m.Text)
	}
	if strings.Contains(m.Text, "verslagen") {
		t.Errorf("acknowledgement carries the request's content (SECURITY.md item 13):\n%s", m.Text)
	}

	t.Run("receipt page without a receipt", func(t *testing.T) {
		p := a.browser(t).get("/verzoek-ontvangen")
		if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/verzoek" {
			t.Errorf("status %d to %q, want 303 to /verzoek", p.Status, p.Header.Get("Location"))
		}
	})
	t.Run("forged receipt", func(t *testing.T) {
		other := a.browser(t)
		u, _ := url.Parse(a.ts.URL + "/verzoek-ontvangen")
		other.client.Jar.SetCookies(u, []*http.Cookie{{Name: "avg_receipt", Value: "AVG-2026-0099|2026-12-28|forged", Path: "/verzoek-ontvangen"}})
		p := other.get("/verzoek-ontvangen")
		if p.Status != http.StatusSeeOther || strings.Contains(p.Body, "AVG-2026-0099") {
			t.Errorf("forged receipt: status %d, want 303 and no reference", p.Status)
		}
	})
}

func TestSubmitRequestFormTwiceGivesOneCase(t *testing.T) {
	a := newTestServer(t)
	b := a.browser(t)
	csrf, idem := b.formTokens("/verzoek/access")
	for i := range 2 {
		res := b.post("/verzoek/access", validForm(csrf, idem))
		if res.Status != http.StatusSeeOther {
			t.Fatalf("POST %d: status %d, want 303", i+1, res.Status)
		}
		text := b.get("/verzoek-ontvangen").text()
		if !strings.Contains(text, "AVG-2026-0001") {
			t.Errorf("POST %d: receipt page does not show AVG-2026-0001:\n%s", i+1, text)
		}
	}
	if n := len(a.cases(t)); n != 1 {
		t.Errorf("%d cases stored, want 1", n)
	}
	if n := len(a.outbox(t)); n != 1 {
		t.Errorf("%d mails queued, want 1", n)
	}

	// A new form (new _idem) with the same answers is a new request.
	csrf, idem2 := b.formTokens("/verzoek/access")
	if idem2 == idem {
		t.Fatal("a new form got the same _idem")
	}
	if res := b.post("/verzoek/access", validForm(csrf, idem2)); res.Status != http.StatusSeeOther {
		t.Fatalf("third POST: status %d", res.Status)
	}
	if !strings.Contains(b.get("/verzoek-ontvangen").text(), "AVG-2026-0002") {
		t.Error("a new form did not give a new case")
	}
}

func TestRequestFormValidation(t *testing.T) {
	tests := []struct {
		name   string
		typ    casework.RequestType
		change func(url.Values)
		want   map[string]string // field → message ID
	}{
		{"empty name", casework.Access,
			func(v url.Values) { v.Set("requester.name", "") },
			map[string]string{"requester.name": "field.required"}},
		{"bad e-mail", casework.Access,
			func(v url.Values) { v.Set("requester.email", "anna@voorbeeld") },
			map[string]string{"requester.email": "field.email"}},
		{"e-mail with a display name", casework.Access,
			func(v url.Values) { v.Set("requester.email", "Anna <anna@example.nl>") },
			map[string]string{"requester.email": "field.email"}},
		{"phone with letters", casework.Access,
			func(v url.Values) { v.Set("requester.phone", "zes-twaalf-34") },
			map[string]string{"requester.phone": "field.phone"}},
		{"parent without subject", casework.Access,
			func(v url.Values) { v.Set("requester.relation", "parent") },
			map[string]string{"subject.name": "field.required", "subject.birth_date": "field.required"}},
		{"birth date in the future", casework.Access,
			func(v url.Values) {
				v.Set("requester.relation", "parent")
				v.Set("subject.name", "Sem de Vries")
				v.Set("subject.birth_date", "2026-11-26")
			},
			map[string]string{"subject.birth_date": "field.date_future"}},
		{"birth date not a date", casework.Access,
			func(v url.Values) {
				v.Set("requester.relation", "guardian")
				v.Set("subject.name", "Sem de Vries")
				v.Set("subject.birth_date", "2014-02-30")
			},
			map[string]string{"subject.birth_date": "field.date"}},
		{"rectification without wrong and correct", casework.Rectification,
			func(v url.Values) {},
			map[string]string{"specifics.wrong": "field.required", "specifics.correct": "field.required"}},
		{"consent withdrawal with nothing ticked", casework.ConsentWithdrawal,
			func(v url.Values) {},
			map[string]string{"specifics.consents": "field.choose_one"}},
		{"sharing ticked without a party", casework.ConsentWithdrawal,
			func(v url.Values) { v["specifics.consents"] = []string{"newsletter", "sharing"} },
			map[string]string{"specifics.sharing_party": "field.required"}},
		{"unknown branch", casework.Access,
			func(v url.Values) { v.Set("branch", "rotterdam") },
			map[string]string{"branch": "field.branch"}},
		{"missing branch", casework.Access,
			func(v url.Values) { v.Del("branch") },
			map[string]string{"branch": "field.choose"}},
		{"several problems at once", casework.Erasure,
			func(v url.Values) {
				v.Set("requester.name", "")
				v.Set("requester.email", "")
				v.Set("specifics.erasure_scope", "part")
			},
			map[string]string{"requester.name": "field.required", "requester.email": "field.required",
				"specifics.erasure_part": "field.required"}},
	}
	a := newTestServer(t, withBranches("amsterdam", "utrecht"))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := a.browser(t)
			path := "/verzoek/" + string(tt.typ)
			csrf, idem := b.formTokens(path)
			form := validForm(csrf, idem)
			form.Set("branch", "utrecht")
			tt.change(form)

			p := b.post(path, form)
			if p.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%s", p.Status, p.Body)
			}
			assertFieldErrors(t, p, tt.want, a.nl)
			assertFormKeeps(t, p, form)
			a.assertNothingStored(t)
		})
	}
}

// assertFieldErrors checks that each field's message stands next to it (the
// <p id="f-…-error"> the input points to) and in the summary, which lists
// exactly these fields.
func assertFieldErrors(t *testing.T, p *page, want map[string]string, tr func(string) string) {
	t.Helper()
	summary := p.summary()
	for field, id := range want {
		msg := tr(id)
		inputID := "f-" + strings.ReplaceAll(field, ".", "-")
		if got := p.textOf(inputID + "-error"); !strings.Contains(got, msg) {
			t.Errorf("%s: message next to the field is %q, want %q", field, got, msg)
		}
		if input := p.byID(inputID); input == nil {
			t.Errorf("%s: no element with id %s", field, inputID)
		} else if !strings.Contains(attr(input, "aria-describedby"), inputID+"-error") {
			t.Errorf("%s: aria-describedby %q does not point to the message", field, attr(input, "aria-describedby"))
		}
		if summary["#"+inputID] != msg {
			t.Errorf("%s: summary says %q, want %q", field, summary["#"+inputID], msg)
		}
	}
	if len(summary) != len(want) {
		t.Errorf("summary lists %v, want exactly the fields %v", slices.Sorted(maps.Keys(summary)), slices.Sorted(maps.Keys(want)))
	}
}

// assertFormKeeps checks that every value typed is in the form again.
func assertFormKeeps(t *testing.T, p *page, sent url.Values) {
	t.Helper()
	for name, values := range sent {
		switch name {
		case "requester.relation", "language", "specifics.consents", "specifics.erasure_scope",
			"specifics.format", "specifics.destination":
			if got := p.checked(name); !slices.Equal(got, values) {
				t.Errorf("%s: ticked %v, typed %v", name, got, values)
			}
		case "branch":
			want := values[0]
			if want != "amsterdam" && want != "utrecht" {
				want = "" // an unknown branch cannot be chosen in the list
			}
			if got := p.fieldValue(name); got != want {
				t.Errorf("branch: chosen %q, want %q", got, want)
			}
		default:
			if got := p.fieldValue(name); got != values[0] {
				t.Errorf("%s: form shows %q, typed %q", name, got, values[0])
			}
		}
	}
}

func TestRequestFormInEnglish(t *testing.T) {
	a := newTestServer(t)
	b := a.browser(t)
	p := b.get("/verzoek?lang=en")
	if p.Status != http.StatusOK {
		t.Fatalf("status %d", p.Status)
	}
	htmlTag := p.find(func(n *htmlNode) bool { return n.Data == "html" })
	if len(htmlTag) != 1 || attr(htmlTag[0], "lang") != "en" {
		t.Errorf("<html lang> is not en")
	}
	if text := p.text(); !strings.Contains(text, a.en("start.heading")) || strings.Contains(text, a.nl("start.heading")) {
		t.Errorf("start page not in English:\n%s", text)
	}

	// The choice is remembered: the form and its errors are in English too.
	csrf, idem := b.formTokens("/verzoek/access")
	form := validForm(csrf, idem)
	form.Set("requester.name", "")
	res := b.post("/verzoek/access", form)
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.Status)
	}
	assertFieldErrors(t, res, map[string]string{"requester.name": "field.required"}, a.en)
	if text := res.text(); !strings.Contains(text, a.en("form.submit")) || strings.Contains(text, a.nl("form.submit")) {
		t.Errorf("form not in English:\n%s", text)
	}

	form.Set("requester.name", "Anna de Vries")
	if res := b.post("/verzoek/access", form); res.Status != http.StatusSeeOther {
		t.Fatalf("status %d, want 303", res.Status)
	}
	if text := b.get("/verzoek-ontvangen").text(); !strings.Contains(text, "Monday 28 December 2026") {
		t.Errorf("receipt page lacks the English due date:\n%s", text)
	}
}

func TestFormCSRF(t *testing.T) {
	a := newTestServer(t)
	setupToken := a.addSetupToken(t)
	tests := []struct {
		name string
		post func(t *testing.T, b *browser, csrf, idem string) *page
	}{
		{"no token", func(t *testing.T, b *browser, csrf, idem string) *page {
			f := validForm(csrf, idem)
			f.Del("_csrf")
			return b.post("/verzoek/access", f)
		}},
		{"wrong token", func(t *testing.T, b *browser, csrf, idem string) *page {
			return b.post("/verzoek/access", validForm(strings.Repeat("x", len(csrf)), idem))
		}},
		{"token of another visitor", func(t *testing.T, b *browser, csrf, idem string) *page {
			return a.browser(t).post("/verzoek/access", validForm(csrf, idem))
		}},
		{"cross-site post with a good token", func(t *testing.T, b *browser, csrf, idem string) *page {
			return b.post("/verzoek/access", validForm(csrf, idem), "Sec-Fetch-Site", "cross-site")
		}},
		{"same-origin header without a token", func(t *testing.T, b *browser, csrf, idem string) *page {
			f := validForm(csrf, idem)
			f.Del("_csrf")
			return b.post("/verzoek/access", f, "Sec-Fetch-Site", "same-origin")
		}},
		{"setup without a token", func(t *testing.T, b *browser, csrf, idem string) *page {
			b.formTokens("/setup/" + setupToken)
			return b.post("/setup/"+setupToken, validSetup(""))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := a.browser(t)
			csrf, idem := b.formTokens("/verzoek/access")
			p := tt.post(t, b, csrf, idem)
			if p.Status != http.StatusForbidden {
				t.Fatalf("status %d, want 403", p.Status)
			}
			if !strings.Contains(p.text(), a.nl("error.csrf")) {
				t.Errorf("page does not explain the expired form:\n%s", p.text())
			}
			a.assertNothingStored(t)
			if s, err := a.store.Settings(t.Context()); err != nil || s.Configured {
				t.Errorf("settings configured %v (err %v), want not", s.Configured, err)
			}
		})
	}
	t.Run("the same post with its token goes through", func(t *testing.T) {
		b := a.browser(t)
		csrf, idem := b.formTokens("/verzoek/access")
		if p := b.post("/verzoek/access", validForm(csrf, idem)); p.Status != http.StatusSeeOther {
			t.Fatalf("status %d, want 303", p.Status)
		}
	})
}

func TestCSRFCookieFlags(t *testing.T) {
	for _, tt := range []struct {
		name, base, cookie string
		secure             bool
	}{
		{"plain http", "http://localhost:8080", "avg_csrf", false},
		{"https", "https://avg.example.nl", "__Host-csrf", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := newTestServer(t, withBaseURL(tt.base))
			p := a.browser(t).get("/verzoek/access")
			var ck *http.Cookie
			for _, c := range p.Cookies {
				if c.Name == tt.cookie {
					ck = c
				}
			}
			if ck == nil {
				t.Fatalf("no %s cookie set; got %v", tt.cookie, p.Cookies)
			}
			if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" || ck.Domain != "" || ck.Secure != tt.secure {
				t.Errorf("cookie %s: HttpOnly %v SameSite %v Path %q Domain %q Secure %v", ck.Name, ck.HttpOnly, ck.SameSite, ck.Path, ck.Domain, ck.Secure)
			}
			hsts := p.Header.Get("Strict-Transport-Security")
			if (hsts != "") != tt.secure {
				t.Errorf("Strict-Transport-Security %q with base %s", hsts, tt.base)
			}
		})
	}
}

func TestTrackingPage(t *testing.T) {
	a := newTestServer(t)
	_, owner := a.addStaff(t, "eigenaar@praktijk.example", staff.Owner)
	b := a.browser(t)
	csrf, idem := b.formTokens("/verzoek/access")
	if p := b.post("/verzoek/access", validForm(csrf, idem)); p.Status != http.StatusSeeOther {
		t.Fatalf("POST: status %d", p.Status)
	}
	token := a.trackingToken(t, "anna@example.nl")

	confirmed := func() bool {
		t.Helper()
		res := a.api(t, http.MethodGet, "/api/v1/cases/AVG-2026-0001", owner, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("GET case: status %d", res.Status)
		}
		return res.object()["email_confirmed"] == true
	}
	if confirmed() {
		t.Fatal("e-mail confirmed before the link was followed")
	}

	// The requester opens the link from the e-mail, in another browser.
	p := a.browser(t).get("/volg/" + token)
	if p.Status != http.StatusOK {
		t.Fatalf("status %d, want 200", p.Status)
	}
	text := p.text()
	for _, want := range []string{"AVG-2026-0001", a.nl("type.access.title"), a.nl("status.received"), dueNL} {
		if !strings.Contains(text, want) {
			t.Errorf("tracking page lacks %q:\n%s", want, text)
		}
	}
	if !confirmed() {
		t.Error("following the link did not confirm the e-mail address")
	}
	if strings.Contains(a.logs.String(), token) {
		t.Error("the tracking token was written to the log")
	}

	wrong := []byte(token)
	wrong[len(wrong)/2] ^= 1
	random, _ := casework.NewToken()
	for _, tt := range []struct{ name, token string }{
		{"wrong token", string(wrong)},
		{"short token", token[:12]},
		{"random token", random},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := a.browser(t).get("/volg/" + tt.token)
			if p.Status != http.StatusNotFound {
				t.Fatalf("status %d, want 404", p.Status)
			}
			for _, leak := range []string{"AVG-2026", "Anna", "anna@example.nl", a.nl("track.status")} {
				if strings.Contains(p.Body, leak) {
					t.Errorf("404 page shows %q", leak)
				}
			}
			if !strings.Contains(p.text(), a.nl("error.not_found")) {
				t.Errorf("404 page does not say the link is unknown:\n%s", p.text())
			}
		})
	}
}

// The acknowledgement asks the requester to reply with questions, so a
// reply goes to the practice's privacy address, not to the relay's no-reply
// sender.
func TestAcknowledgementRepliesToPrivacyAddress(t *testing.T) {
	a := newBreachApp(t) // a practice with its privacy address set up
	b := a.browser(t)
	csrf, idem := b.formTokens("/verzoek/access")
	form := validForm(csrf, idem)
	form.Set("branch", "utrecht") // the practice has two
	if res := b.post("/verzoek/access", form); res.Status != http.StatusSeeOther {
		t.Fatalf("POST: status %d\n%s", res.Status, res.Body)
	}
	mails := a.outbox(t)
	if len(mails) != 1 {
		t.Fatalf("%d mails queued, want 1", len(mails))
	}
	if m := mails[0].Message; m.To != "anna@example.nl" || m.ReplyTo != "privacy@delinde.example" {
		t.Errorf("acknowledgement to %q with Reply-To %q, want Reply-To privacy@delinde.example", m.To, m.ReplyTo)
	}
}
