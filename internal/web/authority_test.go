package web_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/staff"
)

// nlWith translates a message ID as the pages do, filled with pairs of
// name and value.
func (a *testApp) nlWith(id string, pairs ...string) string {
	a.msg(lang.NL, id) // stops on an unknown ID
	data := map[string]any{}
	for i := 0; i+1 < len(pairs); i += 2 {
		data[pairs[i]] = pairs[i+1]
	}
	return a.cat.T(lang.NL, id, data)
}

// setCountry stores a complete practice established in country.
func (a *testApp) setCountry(tb testing.TB, country practice.Country, mutate ...func(*practice.Settings)) practice.Settings {
	tb.Helper()
	s := practice.Defaults()
	s.Name, s.Address, s.PrivacyEmail, s.Country, s.Calendar = "Praktijk Grensland", "Kerkstraat 1\n1000 Brussel", "privacy@grensland.example", country, country
	s.KvK = "12345678"
	if country == practice.Belgium {
		s.KvK, s.TimeZone = "0123456789", "Europe/Brussels"
	}
	for _, m := range mutate {
		m(&s)
	}
	if p := s.Validate(); len(p) > 0 {
		tb.Fatalf("test settings invalid: %v", p)
	}
	if err := a.store.SaveSettings(tb.Context(), s, a.clock.Now()); err != nil {
		tb.Fatalf("SaveSettings: %v", err)
	}
	return s
}

// mailWithSubject returns the text of the queued e-mail to address whose
// subject is subject.
func (a *testApp) mailWithSubject(tb testing.TB, address, subject string) string {
	tb.Helper()
	for _, q := range a.outbox(tb) {
		if q.Message.To == address && q.Message.Subject == subject {
			return q.Message.Text
		}
	}
	tb.Fatalf("no e-mail to %s with subject %q", address, subject)
	return ""
}

// A Belgian practice's requesters are sent to the GBA, a Dutch practice's to
// the AP: on the tracking page of a refused request, in the extension and
// decision mails (with the court, AVG art. 12(4)), and in the hint the
// officer reads next to the ground (DOMAIN.md §9).
func TestComplaintRouteNamesThePracticesAuthority(t *testing.T) {
	tests := []struct {
		country       practice.Country
		language      lang.Code
		want, wantURL string
		never         []string
	}{
		{practice.Netherlands, lang.NL, "Autoriteit Persoonsgegevens", "https://www.autoriteitpersoonsgegevens.nl",
			[]string{"Gegevensbeschermingsautoriteit", "GBA"}},
		{practice.Netherlands, lang.EN, "Dutch Data Protection Authority", "https://www.autoriteitpersoonsgegevens.nl",
			[]string{"Gegevensbeschermingsautoriteit", "Belgian Data Protection"}},
		{practice.Belgium, lang.NL, "Gegevensbeschermingsautoriteit", "https://www.gegevensbeschermingsautoriteit.be",
			[]string{"Autoriteit Persoonsgegevens", "autoriteitpersoonsgegevens"}},
		{practice.Belgium, lang.EN, "Belgian Data Protection Authority", "https://www.gegevensbeschermingsautoriteit.be",
			[]string{"Autoriteit Persoonsgegevens", "autoriteitpersoonsgegevens", "Dutch Data Protection"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.country)+"/"+string(tt.language), func(t *testing.T) {
			t.Parallel()
			a := newTestServer(t)
			a.setCountry(t, tt.country)
			officer := a.addMember(t, "officer@grensland.example", staff.Officer)
			token := a.addToken(t, officer)
			const requester = "ouder@example.org"
			res := a.api(t, http.MethodPost, "/api/v1/requests", "", with(newRequest("Ria Ouder", requester), "language", string(tt.language)))
			if res.Status != http.StatusCreated {
				t.Fatalf("file request: %d %s", res.Status, res.Body)
			}
			ref := res.object()["reference"].(string)

			// The officer's hint next to the ground names the authority too.
			b := a.signIn(t, officer.Email)
			casePage := b.get("/staff/cases/" + ref)
			hint := casePage.textOf("f-decision-ground-hint")
			if !strings.Contains(hint, a.cat.T(lang.NL, "case.ground_hint", nil)[:20]) || !strings.Contains(hint, practice.AuthorityOf(tt.country).Name) {
				t.Errorf("ground hint %q does not name %s", hint, practice.AuthorityOf(tt.country).Name)
			}

			if res := a.api(t, http.MethodPost, "/api/v1/cases/"+ref+"/extension", token, object{"reason": "Omvangrijk dossier"}); res.Status != http.StatusOK {
				t.Fatalf("extension: %d %s", res.Status, res.Body)
			}
			if res := a.api(t, http.MethodPost, "/api/v1/cases/"+ref+"/decision", token,
				object{"outcome": "refused", "ground": "rights_of_others", "reasons": "Het dossier gaat ook over een ander."}); res.Status != http.StatusOK {
				t.Fatalf("decision: %d %s", res.Status, res.Body)
			}
			subject := func(id string) string { return a.cat.T(tt.language, id, map[string]any{"Reference": ref}) }
			texts := map[string]string{
				"extension mail": a.mailWithSubject(t, requester, subject("mail.extension.subject")),
				"decision mail":  a.mailWithSubject(t, requester, subject("mail.decision.subject")),
				"tracking page":  a.browser(t).get("/volg/" + a.latestTrackingToken(t, requester)).text(),
			}
			wantSite := strings.TrimPrefix(tt.wantURL, "https://")
			for what, text := range texts {
				if !strings.Contains(text, tt.want) || !strings.Contains(text, wantSite) {
					t.Errorf("%s does not name %s (%s):\n%s", what, tt.want, wantSite, text)
				}
				for _, never := range tt.never {
					// As a word: a random tracking token in a link may
					// hold the same letters.
					if regexp.MustCompile(`(^|[^A-Za-z0-9_-])` + regexp.QuoteMeta(never) + `($|[^A-Za-z0-9_-])`).MatchString(text) {
						t.Errorf("%s names %q:\n%s", what, never, text)
					}
				}
			}
			// The decision mail gives the whole route of art. 12(4): the
			// authority and the court, whatever the outcome (the mail does
			// not tell the outcome).
			court := map[lang.Code]string{lang.NL: "naar de rechter", lang.EN: "go to court"}[tt.language]
			if !strings.Contains(texts["decision mail"], court) || !strings.Contains(texts["decision mail"], tt.wantURL) {
				t.Errorf("decision mail lacks the court or the authority's address:\n%s", texts["decision mail"])
			}
			if !strings.Contains(texts["extension mail"], tt.wantURL) {
				t.Errorf("extension mail lacks the authority's address:\n%s", texts["extension mail"])
			}
		})
	}
}

// GET /api/v1/practice tells any staff token the practice's profile, with
// the authority that follows from its country (API.md, "The practice").
func TestAPIPractice(t *testing.T) {
	a := newTestServer(t, withBranches("utrecht", "gent"))
	officer := a.addMember(t, "officer@grensland.example", staff.Officer, "gent")
	token := a.addToken(t, officer)

	if res := a.api(t, http.MethodGet, "/api/v1/practice", "", nil); res.Status != http.StatusUnauthorized || res.errorCode() != "unauthorized" {
		t.Errorf("without a token: %d %s, want 401 unauthorized", res.Status, res.Body)
	}
	if res := a.api(t, http.MethodGet, "/api/v1/practice", "not-a-token", nil); res.Status != http.StatusUnauthorized {
		t.Errorf("with a wrong token: %d, want 401", res.Status)
	}

	tests := []struct {
		country practice.Country
		want    string
	}{
		{practice.Netherlands, `{"name":"Praktijk Grensland","country":"NL","time_zone":"Europe/Amsterdam","calendar":"NL",` +
			`"authority":{"code":"AP","name":"Autoriteit Persoonsgegevens","url":"https://www.autoriteitpersoonsgegevens.nl"}}`},
		{practice.Belgium, `{"name":"Praktijk Grensland","country":"BE","time_zone":"Europe/Brussels","calendar":"BE",` +
			`"authority":{"code":"GBA","name":"Gegevensbeschermingsautoriteit","url":"https://www.gegevensbeschermingsautoriteit.be"}}`},
	}
	for _, tt := range tests {
		a.setCountry(t, tt.country)
		res := a.api(t, http.MethodGet, "/api/v1/practice", token, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("%s: status %d %s", tt.country, res.Status, res.Body)
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s: Content-Type %q", tt.country, ct)
		}
		var got, want any
		if err := json.Unmarshal(res.Body, &got); err != nil {
			t.Fatal(err)
		}
		_ = json.Unmarshal([]byte(tt.want), &want)
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(want)
		if string(gb) != string(wb) {
			t.Errorf("%s: GET /api/v1/practice\n got %s\nwant %s", tt.country, gb, wb)
		}
	}
}

// The request form's privacy note is the portal's own art. 13 information:
// the controller with address and privacy address, the legal basis, the
// retention as the practice set it, and the complaint route to the
// practice's authority.
func TestRequestFormPrivacyNote(t *testing.T) {
	tests := []struct {
		country       practice.Country
		retentionDays int
		idCopyDays    int
		wantKeeping   map[lang.Code]string
		authority     map[lang.Code]string
		never         string
	}{
		{practice.Netherlands, 1095, 14, map[lang.Code]string{lang.NL: "tot 3 jaar na de afhandeling", lang.EN: "for up to 3 years after"},
			map[lang.Code]string{lang.NL: "Autoriteit Persoonsgegevens (www.autoriteitpersoonsgegevens.nl)",
				lang.EN: "Dutch Data Protection Authority (Autoriteit Persoonsgegevens) through www.autoriteitpersoonsgegevens.nl"},
			"Gegevensbeschermingsautoriteit"},
		{practice.Belgium, 400, 7, map[lang.Code]string{lang.NL: "tot 400 dagen na de afhandeling", lang.EN: "for up to 400 days after"},
			map[lang.Code]string{lang.NL: "Gegevensbeschermingsautoriteit (www.gegevensbeschermingsautoriteit.be)",
				lang.EN: "Belgian Data Protection Authority (Gegevensbeschermingsautoriteit) through www.gegevensbeschermingsautoriteit.be"},
			"Autoriteit Persoonsgegevens"},
	}
	for _, tt := range tests {
		t.Run(string(tt.country), func(t *testing.T) {
			t.Parallel()
			a := newTestServer(t)
			a.setCountry(t, tt.country, func(s *practice.Settings) { s.CaseRetentionDays, s.IDCopyDays = tt.retentionDays, tt.idCopyDays })
			for _, l := range lang.Codes {
				p := a.browser(t).get("/verzoek/erasure?lang=" + string(l))
				if p.Status != http.StatusOK {
					t.Fatalf("form: status %d", p.Status)
				}
				note := p.textOf("privacy")
				for _, want := range []string{"Praktijk Grensland", "Kerkstraat 1", "1000 Brussel", "privacy@grensland.example",
					tt.wantKeeping[l], tt.authority[l], map[lang.Code]string{lang.NL: "artikel 6 lid 1 onder c AVG", lang.EN: "article 6(1)(c) GDPR"}[l],
					a.cat.T(l, "retention.id_copy", map[string]any{"Days": tt.idCopyDays}),
					a.cat.T(l, "privacy.recipients_text", nil), a.cat.T(l, "privacy.rights_text", nil)} {
					if !strings.Contains(note, want) {
						t.Errorf("%s: privacy note lacks %q:\n%s", l, want, note)
					}
				}
				if strings.Contains(p.text(), tt.never) {
					t.Errorf("%s: the form names %q", l, tt.never)
				}
				// No fixed Dutch retention periods on the form any more.
				for _, fixed := range []string{"20 jaar", "7 jaar", "20 years", "7 years"} {
					if strings.Contains(p.text(), fixed) {
						t.Errorf("%s: the form states a fixed retention %q", l, fixed)
					}
				}
			}
		})
	}
}

// The tracking page and the confirmation page state the retention the
// practice set.
func TestPublicPagesStateTheRetentionSetting(t *testing.T) {
	a := newTestServer(t)
	a.setCountry(t, practice.Belgium, func(s *practice.Settings) { s.CaseRetentionDays = 1825 })
	const requester = "zelf@example.org"
	b := a.browser(t)
	sent := validForm(b.formTokens("/verzoek/access"))
	sent.Set("requester.email", requester)
	if res := b.post("/verzoek/access", sent); res.Status != http.StatusSeeOther {
		t.Fatalf("POST: status %d", res.Status)
	}
	received := b.get("/verzoek-ontvangen")
	want := a.nlWith("retention.case", "Period", "5 jaar")
	if !strings.Contains(received.text(), want) {
		t.Errorf("confirmation page lacks %q:\n%s", want, received.text())
	}
	track := a.browser(t).get("/volg/" + a.latestTrackingToken(t, requester))
	if !strings.Contains(track.text(), want) {
		t.Errorf("tracking page lacks %q:\n%s", want, track.text())
	}
}

// The extra days are days equated to public holidays by decree (art. 3(3)
// Algemene termijnenwet), not the practice's closing days: the setup and
// settings pages say so, in both languages.
func TestExtraDaysHintSaysDecree(t *testing.T) {
	a := newTestServer(t)
	for _, l := range lang.Codes {
		label, hint := a.cat.T(l, "setup.extra_days", nil), a.cat.T(l, "setup.extra_days_hint", nil)
		word := map[lang.Code]string{lang.NL: "besluit", lang.EN: "decree"}[l]
		if !strings.Contains(label, word) || !strings.Contains(hint, word) {
			t.Errorf("%s: label %q / hint %q do not say %q", l, label, hint, word)
		}
		closing := map[lang.Code]string{lang.NL: "sluitingsdagen", lang.EN: "closing days"}[l]
		if !strings.Contains(hint, closing) {
			t.Errorf("%s: hint %q does not rule out the practice's closing days", l, hint)
		}
	}
	// The setup page, while no account exists yet.
	setup := a.browser(t).get("/setup/" + a.addSetupToken(t))
	if !strings.Contains(setup.text(), a.nl("setup.extra_days_hint")) {
		t.Errorf("setup page lacks the extra days hint")
	}
	owner := a.addMember(t, "eigenaar@grensland.example", staff.Owner)
	b := a.signIn(t, owner.Email)
	for _, l := range lang.Codes {
		p := b.get("/staff/settings?lang=" + string(l))
		for _, want := range []string{a.cat.T(l, "setup.extra_days", nil), a.cat.T(l, "setup.extra_days_hint", nil)} {
			if !strings.Contains(p.text(), want) {
				t.Errorf("settings page (%s) lacks %q", l, want)
			}
		}
	}
}

// The erasure form states how long the practice keeps its client files in
// the practice's own words, in the reader's language, set on the settings
// page in both languages or neither; without it, no periods at all.
func TestRecordsRetentionOnTheErasureForm(t *testing.T) {
	a := newTestServer(t)
	a.setCountry(t, practice.Belgium)
	visitor := a.browser(t)
	p := visitor.get("/verzoek/erasure")
	if !strings.Contains(p.text(), a.nl("form.erasure_keep")+" "+a.nl("form.erasure_destroy")) {
		t.Errorf("without a text of the practice, the form lacks the general sentence:\n%s", p.text())
	}

	owner := a.addMember(t, "eigenaar@grensland.example", staff.Owner)
	b := a.signIn(t, owner.Email)
	const nlText = "Een patiëntendossier bewaren wij 30 jaar na het laatste contact."
	const enText = "We keep a patient file for 30 years after the last contact."
	base := []string{"practice.name", "Praktijk Grensland", "practice.address", "Kerkstraat 1", "practice.kvk", "0123456789",
		"practice.privacy_email", "privacy@grensland.example", "practice.time_zone", "Europe/Brussels",
		"practice.country", "BE", "practice.calendar", "BE", "practice.id_copy_days", "30", "practice.case_retention_days", "730"}
	res := b.submit("/staff/settings", append(base, "practice.records_retention_nl", nlText)...)
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("Dutch text only: status %d, want 422", res.Status)
	}
	if got, want := res.textOf("f-practice-records_retention_en-error"), a.nl("settings.both_languages"); !strings.Contains(got, want) {
		t.Errorf("error next to the English text: %q, want %q", got, want)
	}
	if got := res.fieldValue("practice.records_retention_nl"); got != nlText {
		t.Errorf("the Dutch text is shown again as %q", got)
	}
	if res := b.submit("/staff/settings", append(base, "practice.records_retention_nl", nlText, "practice.records_retention_en", enText)...); res.location() != "/staff/settings" {
		t.Fatalf("both texts: status %d, no redirect", res.Status)
	}
	if got := b.get("/staff/settings").fieldValue("practice.records_retention_en"); got != enText {
		t.Errorf("settings page shows the English text as %q", got)
	}
	for l, want := range map[string]string{"nl": nlText + " " + a.nl("form.erasure_destroy"), "en": enText + " " + a.en("form.erasure_destroy")} {
		p := visitor.get("/verzoek/erasure?lang=" + l)
		if !strings.Contains(p.text(), want) {
			t.Errorf("%s form lacks %q", l, want)
		}
		if strings.Contains(p.text(), a.msg(lang.Code(l), "form.erasure_keep")) {
			t.Errorf("%s form still has the general sentence", l)
		}
	}
}
