package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/staff"
)

// state is what the staff's posts could change, written out so that two
// states compare as strings.
func (a *testApp) state(tb testing.TB, owner staff.Member) string {
	tb.Helper()
	ctx := tb.Context()
	var b strings.Builder
	for _, k := range a.cases(tb) {
		ev, err := a.store.CaseEvents(ctx, k.ID, false)
		if err != nil {
			tb.Fatal(err)
		}
		fmt.Fprintf(&b, "case %s %s %v %d %d\n", k.Reference, k.Status, k.Extended, k.AssigneeID, len(ev))
	}
	members, err := a.store.Members(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	for _, m := range members {
		fmt.Fprintf(&b, "member %d %s %v\n", m.ID, m.Email, m.Disabled)
	}
	branches, err := a.store.Branches(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	fmt.Fprintf(&b, "branches %d\n", len(branches))
	tokens, err := a.store.APITokens(ctx, owner.ID)
	if err != nil {
		tb.Fatal(err)
	}
	for _, t := range tokens {
		fmt.Fprintf(&b, "token %d %v\n", t.ID, t.RevokedAt != nil)
	}
	acc, err := a.store.AccountByID(ctx, owner.ID)
	if err != nil {
		tb.Fatal(err)
	}
	fmt.Fprintf(&b, "password %s totp %v\n", acc.PasswordHash, acc.TOTPEnabled)
	activities, err := a.store.Activities(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	for _, x := range activities {
		fmt.Fprintf(&b, "activity %s %q\n", x.Key, x.Purpose)
	}
	consents, err := a.store.ConsentsByEmail(ctx, "matrix@example.nl")
	if err != nil {
		tb.Fatal(err)
	}
	fmt.Fprintf(&b, "consents %d\n", len(consents))
	queued, sent, err := a.store.OutboxStats(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	fmt.Fprintf(&b, "mail %d %d\n", queued, sent)
	return b.String()
}

// TestStaffPostsRefuseBadCSRF posts to every state-changing route of the
// site (from echo's route table, so that new routes are covered) as a
// signed-in owner, with the token missing, wrong, another browser's, or
// with a good token from another site: each is refused with 403 and
// changes nothing (SECURITY.md item 6).
func TestStaffPostsRefuseBadCSRF(t *testing.T) {
	a := newTestServer(t, withBranches("amsterdam", "utrecht"))
	ownerMember := a.addMember(t, "eigenaar@praktijk.example", staff.Owner)
	a.addMember(t, "utr@praktijk.example", staff.Officer, "utrecht")
	victim := a.addMember(t, "derde@praktijk.example", staff.Officer, "utrecht")
	owner := a.signIn(t, "eigenaar@praktijk.example")
	ownToken := a.addToken(t, ownerMember)
	tokens, err := a.store.APITokens(t.Context(), ownerMember.ID)
	if err != nil || len(tokens) != 1 {
		t.Fatalf("APITokens: %v %v", tokens, err)
	}
	ref := a.fileRequest(t, "Zeger Geheim", "zeger@example.nl", "utrecht")
	other := a.browser(t)
	otherCSRF, _ := other.formTokens("/staff/signin")

	// What the owner would post; each would succeed with its token (the
	// last subtest shows it).
	valid := map[string]string{
		"POST /staff/signin":                    "email=eigenaar%40praktijk.example&password={pw}",
		"POST /staff/signin/code":               "code=123456",
		"POST /staff/account/tokens/:id/revoke": "",
	}
	replace := strings.NewReplacer("{ref}", ref, "{victim}", strconv.FormatInt(victim.ID, 10),
		"{token}", strconv.FormatInt(tokens[0].ID, 10), "{officer}", strconv.FormatInt(victim.ID, 10),
		"{pw}", url.QueryEscape(staffPassword), "{n}", "9")
	var posts []string
	for _, r := range a.srv.Routes() {
		if strings.HasPrefix(r, "POST ") && !strings.HasPrefix(r, "POST /api/") {
			posts = append(posts, r)
		}
	}
	slices.Sort(posts)
	if len(posts) < 20 {
		t.Fatalf("only %d form routes: %v", len(posts), posts)
	}
	before := a.state(t, ownerMember)
	for _, route := range posts {
		want, ok := routeAccess[route]
		if !ok {
			t.Errorf("%s is not in routeAccess", route)
			continue
		}
		body := want.body
		if v, ok := valid[route]; ok {
			body = v
		}
		_, path, _ := strings.Cut(replace.Replace(want.probe), " ")
		form := withCSRF(t, replace.Replace(body), "")
		for _, tt := range []struct {
			name  string
			csrf  string
			extra []string
		}{
			{"no token", "", nil},
			{"wrong token", strings.Repeat("x", len(owner.csrf)), nil},
			{"another browser's token", otherCSRF, nil},
			{"good token, cross-site", owner.csrf, []string{"Sec-Fetch-Site", "cross-site"}},
		} {
			t.Run(route+"/"+tt.name, func(t *testing.T) {
				f := url.Values{}
				for k, v := range form {
					f[k] = v
				}
				f.Del("_csrf")
				if tt.csrf != "" {
					f.Set("_csrf", tt.csrf)
				}
				p := owner.post(path, f, tt.extra...)
				if p.Status != http.StatusForbidden {
					t.Fatalf("POST %s: status %d, want 403", path, p.Status)
				}
				if !strings.Contains(p.text(), a.nl("error.csrf")) {
					t.Errorf("the page does not explain the refusal:\n%s", p.text())
				}
				if setsSession(p) {
					t.Error("a refused post set a session cookie")
				}
			})
		}
	}
	if after := a.state(t, ownerMember); after != before {
		t.Errorf("refused posts changed the state:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if !owner.signedIn() {
		t.Error("a refused sign-out or password change ended the owner's session")
	}
	if res := a.api(t, http.MethodGet, "/api/v1/cases", ownToken, nil); res.Status != http.StatusOK {
		t.Errorf("a refused post revoked the owner's token: status %d", res.Status)
	}
	t.Run("with the token the same posts go through", func(t *testing.T) {
		for _, route := range []string{"POST /staff/cases/:ref/note", "POST /staff/team/:id/disable", "POST /staff/account/tokens/:id/revoke"} {
			_, path, _ := strings.Cut(replace.Replace(routeAccess[route].probe), " ")
			body := routeAccess[route].body
			if v, ok := valid[route]; ok {
				body = v
			}
			if p := owner.post(path, withCSRF(t, replace.Replace(body), owner.csrf)); p.Status != http.StatusSeeOther {
				t.Errorf("%s: status %d, want 303", route, p.Status)
			}
		}
		if a.state(t, ownerMember) == before {
			t.Error("nothing changed")
		}
	})
}
