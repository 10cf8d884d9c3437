package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/staff"
)

// A withdrawal of consent and an objection to direct marketing take effect
// on receipt (DOMAIN.md §8): the confirmation, the acknowledgement and the
// tracking page say "with effect from <receipt date>" and name no reply
// date a month away; the extension is refused on the page and in the API.
func TestImmediateEffectRights(t *testing.T) {
	a := newTestServer(t)
	a.addMember(t, "officer@praktijk.example", staff.Officer)
	officer := a.signIn(t, "officer@praktijk.example")
	_, token := a.addStaff(t, "api@praktijk.example", staff.Officer)
	const effective = "woensdag 25 november 2026"

	file := func(t *testing.T, typ, address string, extra ...string) string {
		t.Helper()
		b := a.browser(t)
		csrf, idem := b.formTokens("/verzoek/" + typ)
		form := validForm(csrf, idem)
		form.Set("requester.email", address)
		for i := 0; i+1 < len(extra); i += 2 {
			form.Add(extra[i], extra[i+1])
		}
		if res := b.post("/verzoek/"+typ, form); res.Status != http.StatusSeeOther {
			t.Fatalf("POST: status %d\n%s", res.Status, res.text())
		}
		got := b.get("/verzoek-ontvangen")
		ref := ""
		for _, k := range a.cases(t) {
			if k.Requester.Email == address {
				ref = k.Reference
			}
		}
		if strings.Contains(typ, "consent") || strings.Contains(strings.Join(extra, " "), "direct_marketing yes") {
			assertShows(t, got, a.nl("received.effective"), effective, a.nl("received.step_effective"))
			if strings.Contains(got.text(), dueNL) {
				t.Errorf("the confirmation names a reply date a month away:\n%s", got.text())
			}
		}
		return ref
	}

	for _, tc := range []struct {
		name, typ string
		extra     []string
	}{
		{"consent withdrawal", "consent_withdrawal", []string{"specifics.consents", "newsletter"}},
		{"objection to direct marketing", "objection", []string{"specifics.processing", "De nieuwsbrief", "specifics.direct_marketing", "yes"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			address := strings.ReplaceAll(tc.typ, "_", "") + "@example.nl"
			ref := file(t, tc.typ, address, tc.extra...)
			mails := a.mailsTo(t, address)
			if len(mails) != 1 || !strings.Contains(mails[0], "Met ingang van: "+effective) || strings.Contains(mails[0], "Uiterste antwoorddatum") {
				t.Fatalf("acknowledgement:\n%v", mails)
			}
			track := a.browser(t).get("/volg/" + a.latestTrackingToken(t, address))
			assertShows(t, track, a.nl("track.effective"), effective)
			if strings.Contains(track.text(), dueNL) {
				t.Error("the tracking page names a reply date a month away")
			}

			page := officer.get("/staff/cases/" + ref)
			assertShows(t, page, a.nl("case.extension_immediate"))
			if page.hasField("extension.reason") {
				t.Error("the case page offers an extension")
			}
			if p := officer.submit("/staff/cases/"+ref+"/extension", "extension.reason", "Veel werk"); p.Status != http.StatusConflict {
				t.Fatalf("extension through the page: status %d, want 409", p.Status)
			}
			res := a.api(t, http.MethodPost, "/api/v1/cases/"+ref+"/extension", token, map[string]any{"reason": "Veel werk"})
			if res.Status != http.StatusConflict || !strings.Contains(string(res.Body), `"conflict"`) {
				t.Fatalf("extension through the API: %d %s", res.Status, res.Body)
			}
			for _, k := range a.cases(t) {
				if k.Reference == ref && k.Extended {
					t.Fatal("the refused extension changed the case")
				}
			}
		})
	}

	t.Run("an objection to other processing keeps its month and can be extended", func(t *testing.T) {
		ref := file(t, "objection", "bezwaar@example.nl", "specifics.processing", "Gebruik voor onderzoek", "specifics.direct_marketing", "no")
		if mails := a.mailsTo(t, "bezwaar@example.nl"); len(mails) != 1 || !strings.Contains(mails[0], "Uiterste antwoorddatum: "+dueNL) {
			t.Fatalf("acknowledgement:\n%v", mails)
		}
		res := a.api(t, http.MethodPost, "/api/v1/cases/"+ref+"/extension", token, map[string]any{"reason": "Afweging kost tijd"})
		if res.Status != http.StatusOK {
			t.Fatalf("extension: %d %s", res.Status, res.Body)
		}
	})

	t.Run("the form asks whether an objection is about direct marketing", func(t *testing.T) {
		b := a.browser(t)
		csrf, idem := b.formTokens("/verzoek/objection")
		form := validForm(csrf, idem)
		form.Set("specifics.processing", "De nieuwsbrief")
		p := b.post("/verzoek/objection", form)
		if p.Status != http.StatusUnprocessableEntity || p.textOf("f-specifics-direct_marketing-error") == "" {
			t.Fatalf("status %d, message %q", p.Status, p.textOf("f-specifics-direct_marketing-error"))
		}
	})
}
