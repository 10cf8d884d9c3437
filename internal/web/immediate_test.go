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

// A phone objection to the newsletter, registered by staff: the form asks
// whether it is about direct marketing, so it too takes effect at once; a
// correction of that answer gives the case its month again.
func TestStaffRegisterObjectionToDirectMarketing(t *testing.T) {
	a := newTestServer(t)
	a.addMember(t, "officer@praktijk.example", staff.Officer)
	officer := a.signIn(t, "officer@praktijk.example")
	fields := []string{"type", "objection", "channel", "phone", "received_at", "2026-11-25",
		"requester.relation", "self", "requester.name", "Test Beller", "requester.email", "beller@example.nl",
		"details", "Wil de nieuwsbrief niet meer.", "language", "nl"}

	form := officer.get("/staff/cases/new")
	missing := officer.fill(form, "/staff/cases/new", fields...)
	if missing.Status != http.StatusUnprocessableEntity || missing.textOf("f-specifics-direct_marketing-error") == "" {
		t.Fatalf("objection without the direct-marketing answer: status %d", missing.Status)
	}
	if len(a.cases(t)) != 0 {
		t.Fatal("a refused form stored a case")
	}
	casePath := officer.fill(form, "/staff/cases/new", append(fields, "specifics.direct_marketing", "yes")...).location()
	page := officer.get(casePath)
	assertShows(t, page, a.nl("case.extension_immediate"), a.nl("direct_marketing.yes"))

	edit := officer.get(casePath + "/edit")
	if got := edit.checked("specifics.direct_marketing"); len(got) != 1 || got[0] != "yes" {
		t.Fatalf("the correction form shows the answer %v, want [yes]", got)
	}
	officer.fill(edit, casePath+"/edit", append(fields, "specifics.direct_marketing", "no")...).location()
	page = officer.get(casePath)
	if strings.Contains(page.text(), a.nl("case.extension_immediate")) || !page.hasField("extension.reason") {
		t.Fatal("after the correction the objection still counts as one to direct marketing")
	}
}
