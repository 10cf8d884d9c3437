package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/staff"
)

// injected is a name that would add a header to every mail that carries it.
const injected = "Praktijk Test\r\nBcc: x@evil.example"

// A single-line value with a line break or another control character is
// refused at input with a message next to its field, and nothing is saved:
// the practice's name and details, the breach settings' people, and the
// name on an invitation. The address is a text of several lines and keeps
// its line breaks.
func TestSingleLineFieldsRefuseControlCharacters(t *testing.T) {
	a := newTestServer(t, withBranches("utrecht"))
	a.addMember(t, "owner@praktijk.example", staff.Owner)
	owner := a.signIn(t, "owner@praktijk.example")
	settings := func(kv ...string) []string {
		base := map[string]string{"practice.name": "Praktijk Test", "practice.address": "Straat 1\n3511 AA Utrecht",
			"practice.kvk": "12345678", "practice.privacy_email": "privacy@praktijk.example", "practice.time_zone": "Europe/Amsterdam",
			"practice.country": "NL", "practice.calendar": "NL", "practice.id_copy_days": "30", "practice.case_retention_days": "730",
			"practice.identity_pause": "on"}
		for i := 0; i+1 < len(kv); i += 2 {
			base[kv[i]] = kv[i+1]
		}
		var out []string
		for k, v := range base {
			out = append(out, k, v)
		}
		return out
	}

	for _, tc := range []struct{ field, value, msg string }{
		{"practice.name", injected, "field.single_line"},
		{"practice.name", "Praktijk\x1bTest", "field.single_line"},
		{"practice.kvk", "1234\n5678", "field.single_line"},
		{"practice.privacy_email", "privacy@praktijk.example\r\nBcc: x@evil.example", "field.single_line"},
		{"practice.time_zone", "Europe/Amsterdam\nX", "field.single_line"},
		{"practice.address", "Straat 1\x00\n3511 AA Utrecht", "field.invalid"},
	} {
		t.Run("settings "+tc.field, func(t *testing.T) {
			p := owner.submit("/staff/settings", settings(tc.field, tc.value)...)
			id := "f-" + dashed(tc.field) + "-error"
			if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.textOf(id), a.nl(tc.msg)) {
				t.Fatalf("status %d, %s %q; want 422 with %q", p.Status, id, p.textOf(id), a.nl(tc.msg))
			}
			if st, _ := a.store.Settings(t.Context()); st.Name == "Praktijk Test" || st.Configured && st.KvK == "12345678" {
				t.Fatalf("a refused form saved the settings: %+v", st)
			}
		})
	}
	t.Run("settings with a multi-line address are saved", func(t *testing.T) {
		if p := owner.submit("/staff/settings", settings()...); p.location() != "/staff/settings" {
			t.Fatalf("status %d", p.Status)
		}
		if st, _ := a.store.Settings(t.Context()); st.Address != "Straat 1\n3511 AA Utrecht" {
			t.Fatalf("address %q", st.Address)
		}
	})

	t.Run("breach settings", func(t *testing.T) {
		for _, field := range []string{"reporter.name", "reporter.job_title", "reporter.phone", "dpo.name", "contact.name", "sector"} {
			p := owner.submit("/staff/breaches/settings", "own_target_hours", "48", field, injected)
			id := "f-" + dashed(field) + "-error"
			if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.textOf(id), a.nl("field.single_line")) {
				t.Fatalf("%s: status %d, %s %q", field, p.Status, id, p.textOf(id))
			}
		}
		if st, _ := a.store.BreachSettings(t.Context()); st.OwnTargetHours == 48 {
			t.Fatalf("a refused form saved the breach settings: %+v", st)
		}
	})

	t.Run("invitation", func(t *testing.T) {
		p := owner.fill(owner.get("/staff/team"), "/staff/team/invite", "invite.email", "nieuw@praktijk.example",
			"invite.name", injected, "invite.role", "officer")
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.textOf("f-invite-name-error"), a.nl("field.single_line")) {
			t.Fatalf("status %d, message %q", p.Status, p.textOf("f-invite-name-error"))
		}
		if mails := a.mailsTo(t, "nieuw@praktijk.example"); len(mails) != 0 {
			t.Fatal("the refused invitation was mailed")
		}
		members, err := a.store.Members(t.Context())
		if err != nil || len(members) != 1 {
			t.Fatalf("members %v (err %v), want only the owner", members, err)
		}
	})
}

func dashed(field string) string { return strings.ReplaceAll(field, ".", "-") }
