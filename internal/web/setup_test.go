package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/staff"
)

const goodPassword = "Lindeboom vangt zeven wolken"

// validSetup is a complete first-run form.
func validSetup(csrf string) url.Values {
	return url.Values{
		"_csrf":                  {csrf},
		"practice.name":          {"Praktijk De Linde"},
		"practice.address":       {"Lindelaan 1\n3512 AB Utrecht"},
		"practice.country":       {"NL"},
		"practice.calendar":      {"NL"},
		"practice.kvk":           {"1234 5678"},
		"practice.privacy_email": {"privacy@delinde.example"},
		"practice.time_zone":     {"Europe/Amsterdam"},
		"practice.extra_days":    {""},
		"owner.name":             {"Els Linde"},
		"owner.email":            {"els@delinde.example"},
		"owner.password":         {goodPassword},
		"owner.password_repeat":  {goodPassword},
	}
}

func TestSetupRejectsBadValues(t *testing.T) {
	a := newTestServer(t)
	token := a.addSetupToken(t)
	path := "/setup/" + token
	tests := []struct {
		name   string
		change func(url.Values)
		want   map[string]string
	}{
		{"short password", func(v url.Values) { v.Set("owner.password", "kort"); v.Set("owner.password_repeat", "kort") },
			map[string]string{"owner.password": "password.too_short"}},
		{"common password", func(v url.Values) {
			v.Set("owner.password", "123456789012")
			v.Set("owner.password_repeat", "123456789012")
		}, map[string]string{"owner.password": "password.common"}},
		{"password with the e-mail address", func(v url.Values) {
			v.Set("owner.email", "elslinde@delinde.example")
			v.Set("owner.password", "Elslinde-wachtwoord-9")
			v.Set("owner.password_repeat", "Elslinde-wachtwoord-9")
		}, map[string]string{"owner.password": "password.contains_email"}},
		{"passwords differ", func(v url.Values) { v.Set("owner.password_repeat", goodPassword+"!") },
			map[string]string{"owner.password_repeat": "password.mismatch"}},
		{"bad KvK number", func(v url.Values) { v.Set("practice.kvk", "1234") },
			map[string]string{"practice.kvk": "field.kvk"}},
		{"unknown time zone", func(v url.Values) { v.Set("practice.time_zone", "Europe/Utrecht") },
			map[string]string{"practice.time_zone": "field.time_zone"}},
		{"bad extra days", func(v url.Values) { v.Set("practice.extra_days", "2026-05-05 5 mei") },
			map[string]string{"practice.extra_days": "field.dates"}},
		{"privacy statement over http", func(v url.Values) { v.Set("practice.privacy_url", "http://www.delinde.example/privacy") },
			map[string]string{"practice.privacy_url": "field.https_url"}},
		{"empty names and bad e-mail", func(v url.Values) {
			v.Set("practice.name", "")
			v.Set("owner.name", " ")
			v.Set("owner.email", "els")
		}, map[string]string{"practice.name": "field.required", "owner.name": "field.required", "owner.email": "field.email"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := a.browser(t)
			csrf, _ := b.formTokens(path)
			form := validSetup(csrf)
			tt.change(form)
			p := b.post(path, form)
			if p.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%s", p.Status, p.text())
			}
			assertFieldErrors(t, p, tt.want, a.nl)
			for _, f := range []string{"practice.name", "practice.kvk", "practice.privacy_email", "practice.time_zone", "owner.email"} {
				if got := p.fieldValue(f); got != strings.TrimSpace(form.Get(f)) {
					t.Errorf("%s: form shows %q, typed %q", f, got, form.Get(f))
				}
			}
			if got := p.fieldValue("practice.address"); got != form.Get("practice.address") {
				t.Errorf("address: form shows %q", got)
			}
			if p.fieldValue("owner.password") != "" || p.fieldValue("owner.password_repeat") != "" ||
				strings.Contains(p.Body, form.Get("owner.password")) {
				t.Error("the password is echoed back into the page")
			}
			if s, err := a.store.Settings(t.Context()); err != nil || s.Configured {
				t.Errorf("settings stored after a rejected form (configured %v, err %v)", s.Configured, err)
			}
			if n, err := a.store.CountMembers(t.Context()); err != nil || n != 0 {
				t.Errorf("%d staff accounts (err %v), want 0", n, err)
			}
		})
	}
}

func TestSetupCompletes(t *testing.T) {
	a := newTestServer(t)
	token := a.addSetupToken(t)
	path := "/setup/" + token
	b := a.browser(t)
	csrf, _ := b.formTokens(path)
	p := b.post(path, validSetup(csrf))
	if p.Status != http.StatusOK {
		t.Fatalf("status %d, want 200\n%s", p.Status, p.text())
	}
	if !strings.Contains(p.text(), a.nl("setup.done_heading")) {
		t.Errorf("no confirmation:\n%s", p.text())
	}
	s, err := a.store.Settings(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !s.Configured || s.Name != "Praktijk De Linde" || s.KvK != "12345678" || s.PrivacyEmail != "privacy@delinde.example" || s.TimeZone != "Europe/Amsterdam" {
		t.Errorf("settings %+v", s)
	}
	m, err := a.store.MemberByEmail(t.Context(), "els@delinde.example")
	if err != nil || m.Role != staff.Owner || m.Name != "Els Linde" {
		t.Errorf("owner %+v, err %v", m, err)
	}
	// The practice's name is on every page now.
	if !strings.Contains(b.get("/").text(), "Praktijk De Linde") {
		t.Error("start page does not name the practice")
	}
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		t.Run("link used up: "+method, func(t *testing.T) {
			var p *page
			if method == http.MethodGet {
				p = b.get(path)
			} else {
				p = b.post(path, validSetup(csrf))
			}
			if p.Status != http.StatusNotFound {
				t.Fatalf("status %d, want 404", p.Status)
			}
			if !strings.Contains(p.text(), a.nl("error.setup_link")) {
				t.Errorf("page does not say the link is used:\n%s", p.text())
			}
		})
	}
	if n, _ := a.store.CountMembers(t.Context()); n != 1 {
		t.Errorf("%d staff accounts, want 1", n)
	}
}

func TestSetupLinkExpires(t *testing.T) {
	a := newTestServer(t)
	token := a.addSetupToken(t)
	b := a.browser(t)
	csrf, _ := b.formTokens("/setup/" + token)
	a.clock.Advance(61 * time.Minute)
	for _, tt := range []struct {
		name string
		get  func() *page
	}{
		{"GET", func() *page { return b.get("/setup/" + token) }},
		{"POST", func() *page { return b.post("/setup/"+token, validSetup(csrf)) }},
		{"unknown token", func() *page { return b.get("/setup/" + strings.Repeat("A", 43)) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if p := tt.get(); p.Status != http.StatusNotFound {
				t.Errorf("status %d, want 404", p.Status)
			}
		})
	}
	if s, _ := a.store.Settings(t.Context()); s.Configured {
		t.Error("an expired link configured the practice")
	}
}
