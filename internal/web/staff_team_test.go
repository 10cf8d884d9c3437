package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/staff"
)

func TestTeamInvitation(t *testing.T) {
	a := newTestServer(t, withBranches("amsterdam", "utrecht"))
	a.addMember(t, "eigenaar@praktijk.example", staff.Owner)
	owner := a.signIn(t, "eigenaar@praktijk.example")
	utrecht := a.fileRequest(t, "Uta Trecht", "uta@example.nl", "utrecht")
	amsterdam := a.fileRequest(t, "Adam Elders", "adam@example.nl", "amsterdam")
	const email = "nieuw@praktijk.example"

	team := owner.get("/staff/team")
	if team.Status != http.StatusOK {
		t.Fatalf("team page: status %d", team.Status)
	}
	p := owner.fill(team, "/staff/team/invite", "invite.email", email, "invite.name", "Noor Nieuw",
		"invite.role", "officer", "invite.branches", "utrecht")
	if got := p.location(); got != "/staff/team" {
		t.Fatalf("invite: to %s", got)
	}
	team = owner.get("/staff/team")
	assertShows(t, team, a.nl("flash.invited"), "Noor Nieuw", email)

	mails := a.mailsTo(t, email)
	if len(mails) != 1 {
		t.Fatalf("%d mails to %s, want the invitation", len(mails), email)
	}
	link := welcomeLink.FindStringSubmatch(mails[0])
	if link == nil || !strings.HasPrefix(link[0], testBaseURL+"/staff/welcome/") {
		t.Fatalf("invitation without a welcome link:\n%s", mails[0])
	}
	welcome := link[1]

	t.Run("invitation problems", func(t *testing.T) {
		for _, tt := range []struct {
			name   string
			kv     []string
			status int
			field  string
			msg    string
		}{
			{"address taken", []string{"invite.email", email, "invite.name", "Nog Eens"}, http.StatusConflict, "f-invite-email", "team.email_taken"},
			{"no address", []string{"invite.email", "geen-adres", "invite.name", "X"}, http.StatusUnprocessableEntity, "f-invite-email", "field.email"},
			{"no name", []string{"invite.email", "ander@praktijk.example", "invite.name", " "}, http.StatusUnprocessableEntity, "f-invite-name", "field.required"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				p := owner.fill(owner.get("/staff/team"), "/staff/team/invite", tt.kv...)
				if p.Status != tt.status {
					t.Fatalf("status %d, want %d", p.Status, tt.status)
				}
				if got := p.textOf(tt.field + "-error"); !strings.Contains(got, a.nl(tt.msg)) {
					t.Errorf("%s error %q, want %q", tt.field, got, a.nl(tt.msg))
				}
			})
		}
	})

	// The new officer chooses a password through the link.
	b := a.browser(t)
	form := b.get(welcome)
	if form.Status != http.StatusOK || !strings.Contains(form.text(), "Noor Nieuw") {
		t.Fatalf("welcome page: status %d\n%s", form.Status, form.text())
	}
	for _, tt := range []struct{ name, password, repeat, field, msg string }{
		{"too short", "kort-7", "kort-7", "f-password-error", "password.too_short"},
		{"common", "123456789012", "123456789012", "f-password-error", "password.common"},
		{"not repeated", staffPassword, staffPassword + "!", "f-password_repeat-error", "password.mismatch"},
	} {
		t.Run("password "+tt.name, func(t *testing.T) {
			p := b.fill(form, welcome, "password", tt.password, "password_repeat", tt.repeat)
			if p.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", p.Status)
			}
			if got := p.textOf(tt.field); !strings.Contains(got, a.nl(tt.msg)) {
				t.Errorf("error %q, want %q", got, a.nl(tt.msg))
			}
		})
	}
	if got := b.fill(form, welcome, "password", staffPassword, "password_repeat", staffPassword).location(); got != "/staff/signin" {
		t.Fatalf("welcome: to %s, want /staff/signin", got)
	}
	if p := a.browser(t).get(welcome); p.Status != http.StatusNotFound {
		t.Errorf("used link: status %d, want 404", p.Status)
	}

	// Signed in, the officer sees only utrecht's cases, and no team page.
	officer := a.signInWith(t, b, email)
	q := officer.get("/staff/cases")
	if text := q.text(); !strings.Contains(text, utrecht) || strings.Contains(text, amsterdam) {
		t.Errorf("officer's queue should hold %s and not %s:\n%s", utrecht, amsterdam, text)
	}
	if p := officer.get("/staff/cases/" + amsterdam); p.Status != http.StatusNotFound || strings.Contains(p.Body, "Adam") {
		t.Errorf("amsterdam case: status %d", p.Status)
	}
	if p := officer.get("/staff/team"); p.Status != http.StatusNotFound {
		t.Errorf("team page for an officer: status %d, want 404", p.Status)
	}
	if strings.Contains(q.Body, `href="/staff/team"`) {
		t.Error("an officer's navigation links to the team page")
	}
	second := a.signIn(t, email) // a second browser of the same officer

	// The owner disables the officer: every session of theirs ends at once.
	team = owner.get("/staff/team")
	p = owner.fill(team, "/staff/team/"+itoa(officer.member.ID)+"/disable")
	if got := p.location(); got != "/staff/team" {
		t.Fatalf("disable: to %s", got)
	}
	assertShows(t, owner.get("/staff/team"), a.nl("flash.disabled"), a.nl("team.disabled"))
	for name, sb := range map[string]*staffBrowser{"first": officer, "second": second} {
		if p := sb.get("/staff/cases"); p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/staff/signin" {
			t.Errorf("%s browser after disabling: %d to %q, want 303 to /staff/signin", name, p.Status, p.Header.Get("Location"))
		}
	}
	if p, _ := passwordStep(a.browser(t), email, staffPassword); p.Status != http.StatusUnauthorized || problem(p) != a.nl("signin.failed") {
		t.Errorf("disabled officer signing in: status %d, says %q", p.Status, problem(p))
	}

	t.Run("an owner cannot disable themselves", func(t *testing.T) {
		if team.formTo("/staff/team/"+itoa(owner.member.ID)+"/disable") != nil {
			t.Error("the team page offers to disable the owner's own account")
		}
		p := owner.submit("/staff/team/" + itoa(owner.member.ID) + "/disable")
		if p.Status != http.StatusConflict || !strings.Contains(p.text(), a.nl("team.not_yourself")) {
			t.Errorf("status %d:\n%s", p.Status, p.text())
		}
		if !owner.signedIn() {
			t.Error("the owner was signed out")
		}
	})
	t.Run("branches", func(t *testing.T) {
		p := owner.fill(owner.get("/staff/team"), "/staff/branches", "branch.name", "Zeist", "branch.code", "zeist")
		if got := p.location(); got != "/staff/team" {
			t.Fatalf("add branch: to %s", got)
		}
		assertShows(t, owner.get("/staff/team"), a.nl("flash.branch_added"), "Zeist")
		p = owner.fill(owner.get("/staff/team"), "/staff/branches", "branch.name", "Zeist", "branch.code", "zeist")
		if p.Status != http.StatusConflict {
			t.Errorf("same code again: status %d, want 409", p.Status)
		}
		p = owner.fill(owner.get("/staff/team"), "/staff/branches", "branch.name", "Baarn", "branch.code", "Baarn centrum!")
		if p.Status != http.StatusUnprocessableEntity || p.textOf("f-branch-code-error") == "" {
			t.Errorf("bad code: status %d, error %q", p.Status, p.textOf("f-branch-code-error"))
		}
	})
}
