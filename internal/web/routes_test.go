package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/staff"
)

// access is the decision made for one route: what a signed-out visitor
// gets and, for the staff workspace and the staff API, what each role gets.
// Every route of the server must have one (SECURITY.md item 1): a new route
// without a decision fails TestEveryRouteHasAnAccessDecision.
type access struct {
	// probe is a concrete request for the route: "METHOD /path".
	probe string
	// body is sent with the probe (JSON for /api/, a form otherwise; a
	// browser adds its CSRF token to the form).
	body string
	// anonymous is the status a signed-out visitor without cookies gets
	// (posts to pages then carry no CSRF token).
	anonymous int
	// anonymousCSRF is the status a signed-out visitor gets who has a good
	// CSRF token (from the sign-in page); 0 when not probed.
	anonymousCSRF int
	// staffOnly routes answer 401 to a visitor without an API token.
	staffOnly bool
	// owner, officer and otherBranch are what an owner, an officer of
	// branch utrecht and an officer of branch amsterdam get; {ref} is
	// always a utrecht case. Pages are probed signed in (with the CSRF
	// token), the API with the role's token. 0: not probed.
	owner, officer, otherBranch int
	// fresh: the probe ends the session, so each role signs in anew for it.
	fresh bool
	// newTokens: the probe revokes the role's API tokens, so each gets a
	// new one after it.
	newTokens bool
}

// Shorthands for the staff workspace's answers to signed-out visitors:
// pages send them to the sign-in page, posts without a CSRF token are
// refused (403) before the session is looked at, posts with one get 401.
const (
	toSignIn = http.StatusSeeOther
	noCSRF   = http.StatusForbidden
	noSess   = http.StatusUnauthorized
)

// caseForm is a form for a utrecht case as staff register or correct it.
const caseForm = "type=access&channel=post&received_at=2026-11-20&requester.relation=self&branch=utrecht&language=nl" +
	"&requester.name=Nieuw+Verzoek&requester.email=nieuw%40example.nl"

// routeAccess is the matrix. In probes and bodies, {css} is the hashed
// stylesheet URL, {ref} the reference of a new utrecht case of Zeger
// Geheim, {n} a number new for each request, {victim} the id of a new staff
// member, {mail} the outbox id of a new request's unsent acknowledgement,
// {token} the id of another member's API token, {officer} the id of
// the utrecht officer and {pw} the staff password.
var routeAccess = map[string]access{
	"GET /healthz":       {probe: "GET /healthz", anonymous: 200},
	"GET /readyz":        {probe: "GET /readyz", anonymous: 200},
	"GET /static/:file":  {probe: "GET {css}", anonymous: 200},
	"GET /":              {probe: "GET /", anonymous: 200},
	"GET /verzoek":       {probe: "GET /verzoek", anonymous: 200},
	"GET /verzoek/:type": {probe: "GET /verzoek/access", anonymous: 200},
	// State-changing forms: refused without a CSRF token.
	"POST /verzoek/:type":    {probe: "POST /verzoek/access", body: "requester.name=x", anonymous: 403},
	"GET /verzoek-ontvangen": {probe: "GET /verzoek-ontvangen", anonymous: 303},
	"GET /volg/:token":       {probe: "GET /volg/" + strings.Repeat("A", 43), anonymous: 404},
	// The answer form is multipart; a plain form with a good token is
	// malformed, and a wrong tracking token finds nothing.
	"POST /volg/:token/answer": {probe: "POST /volg/" + strings.Repeat("A", 43) + "/answer", body: "answer=x", anonymous: 403, anonymousCSRF: 400},
	"GET /setup/:token":        {probe: "GET /setup/" + strings.Repeat("A", 43), anonymous: 404},
	"POST /setup/:token":       {probe: "POST /setup/" + strings.Repeat("A", 43), body: "owner.name=x", anonymous: 403},

	// Signing in and the invitation link: open to all, the same for staff.
	"GET /staff/signin": {probe: "GET /staff/signin", anonymous: 200, owner: 200, officer: 200, otherBranch: 200},
	"POST /staff/signin": {probe: "POST /staff/signin", body: "email=&password=", anonymous: noCSRF, anonymousCSRF: 401,
		owner: 401, officer: 401, otherBranch: 401},
	"POST /staff/signin/oidc": {probe: "POST /staff/signin/oidc", anonymous: noCSRF, anonymousCSRF: 303,
		owner: 303, officer: 303, otherBranch: 303},
	"GET /staff/oidc/callback": {probe: "GET /staff/oidc/callback", anonymous: 401, owner: 401, officer: 401, otherBranch: 401},
	"GET /staff/welcome/:token": {probe: "GET /staff/welcome/" + strings.Repeat("A", 43), anonymous: 404,
		owner: 404, officer: 404, otherBranch: 404},
	"POST /staff/welcome/:token": {probe: "POST /staff/welcome/" + strings.Repeat("A", 43), body: "password={pw}&password_repeat={pw}",
		anonymous: noCSRF, anonymousCSRF: 404, owner: 404, officer: 404, otherBranch: 404},

	// The second factor and signing out. Every role has TOTP (ASVS 5.0
	// 6.3.3); a complete session cannot give a code again (409).
	"GET /staff/signin/code": {probe: "GET /staff/signin/code", anonymous: toSignIn, owner: 200, officer: 200, otherBranch: 200},
	"POST /staff/signin/code": {probe: "POST /staff/signin/code", body: "code=000000", anonymous: noCSRF, anonymousCSRF: noSess,
		owner: 409, officer: 409, otherBranch: 409},
	"POST /staff/signout": {probe: "POST /staff/signout", anonymous: noCSRF, anonymousCSRF: noSess,
		owner: 303, officer: 303, otherBranch: 303, fresh: true},

	// The member's own account.
	"GET /staff/account/totp": {probe: "GET /staff/account/totp", anonymous: toSignIn, owner: 200, officer: 200, otherBranch: 200},
	"POST /staff/account/totp/begin": {probe: "POST /staff/account/totp/begin", anonymous: noCSRF, anonymousCSRF: noSess,
		owner: 409, officer: 409, otherBranch: 409},
	"POST /staff/account/totp": {probe: "POST /staff/account/totp", body: "code=abcdef", anonymous: noCSRF, anonymousCSRF: noSess,
		owner: 422, officer: 422, otherBranch: 422},
	// New recovery codes need the password and a current code; "abcdef"
	// is never one.
	"POST /staff/account/recovery": {probe: "POST /staff/account/recovery", body: "recovery_password={pw}&recovery_code=abcdef",
		anonymous: noCSRF, anonymousCSRF: noSess, owner: 422, officer: 422, otherBranch: 422},
	"GET /staff/account": {probe: "GET /staff/account", anonymous: toSignIn, owner: 200, officer: 200, otherBranch: 200},
	"POST /staff/account/password": {probe: "POST /staff/account/password", body: "current={pw}&password={pw}&password_repeat={pw}",
		anonymous: noCSRF, anonymousCSRF: noSess, owner: 303, officer: 303, otherBranch: 303},
	"POST /staff/account/tokens": {probe: "POST /staff/account/tokens", body: "label=matrix", anonymous: noCSRF, anonymousCSRF: noSess,
		owner: 200, officer: 200, otherBranch: 200},
	// Someone else's token: nobody can revoke it, not even an owner.
	"POST /staff/account/tokens/:id/revoke": {probe: "POST /staff/account/tokens/{token}/revoke", anonymous: noCSRF, anonymousCSRF: noSess,
		owner: 404, officer: 404, otherBranch: 404},
	// All of one's own tokens (the bystander's stay: checked below).
	"POST /staff/account/tokens/revoke-all": {probe: "POST /staff/account/tokens/revoke-all", anonymous: noCSRF, anonymousCSRF: noSess,
		owner: 303, officer: 303, otherBranch: 303, newTokens: true},

	// Cases: an officer of another branch finds nothing there.
	"GET /staff":           {probe: "GET /staff", anonymous: toSignIn, owner: 303, officer: 303, otherBranch: 303},
	"GET /staff/cases":     {probe: "GET /staff/cases", anonymous: toSignIn, owner: 200, officer: 200, otherBranch: 200},
	"GET /staff/cases/new": {probe: "GET /staff/cases/new", anonymous: toSignIn, owner: 200, officer: 200, otherBranch: 200},
	"POST /staff/cases/new": {probe: "POST /staff/cases/new", body: caseForm, anonymous: noCSRF, anonymousCSRF: noSess,
		owner: 303, officer: 303, otherBranch: 422},
	"GET /staff/cases/:ref":      {probe: "GET /staff/cases/{ref}", anonymous: toSignIn, owner: 200, officer: 200, otherBranch: 404},
	"GET /staff/cases/:ref/edit": {probe: "GET /staff/cases/{ref}/edit", anonymous: toSignIn, owner: 200, officer: 200, otherBranch: 404},
	"POST /staff/cases/:ref/edit": {probe: "POST /staff/cases/{ref}/edit", anonymous: noCSRF, anonymousCSRF: noSess,
		body:  "type=access&channel=web&received_at=2026-11-25&received_time=10:31&requester.relation=self&branch=utrecht&language=nl" + "&requester.name=Zeger+Geheim&requester.email=zeger%40example.nl&requester.phone=0612345678&details=Alles",
		owner: 303, officer: 303, otherBranch: 404},
	"POST /staff/cases/:ref/status": {probe: "POST /staff/cases/{ref}/status", body: "status.to=in_progress", anonymous: noCSRF, anonymousCSRF: noSess,
		owner: 303, officer: 303, otherBranch: 404},
	"POST /staff/cases/:ref/assign": {probe: "POST /staff/cases/{ref}/assign", body: "assign.assignee={officer}", anonymous: noCSRF, anonymousCSRF: noSess,
		owner: 303, officer: 303, otherBranch: 404},
	"POST /staff/cases/:ref/note": {probe: "POST /staff/cases/{ref}/note", body: "note.text=Notitie", anonymous: noCSRF, anonymousCSRF: noSess,
		owner: 303, officer: 303, otherBranch: 404},
	"POST /staff/cases/:ref/message": {probe: "POST /staff/cases/{ref}/message", body: "message.text=Bericht", anonymous: noCSRF, anonymousCSRF: noSess,
		owner: 303, officer: 303, otherBranch: 404},
	"POST /staff/cases/:ref/extension": {probe: "POST /staff/cases/{ref}/extension", body: "extension.reason=Omvangrijk", anonymous: noCSRF, anonymousCSRF: noSess,
		owner: 303, officer: 303, otherBranch: 404},
	"POST /staff/cases/:ref/decision": {probe: "POST /staff/cases/{ref}/decision", body: "decision.outcome=withdrawn&decision.withdrawn_how=email&decision.reasons=Ingetrokken+door+de+verzoeker",
		anonymous: noCSRF, anonymousCSRF: noSess, owner: 303, officer: 303, otherBranch: 404},
	"POST /staff/cases/:ref/resend": {probe: "POST /staff/cases/{ref}/resend", anonymous: noCSRF, anonymousCSRF: noSess,
		owner: 303, officer: 303, otherBranch: 404},
	"POST /staff/cases/:ref/requirement": {probe: "POST /staff/cases/{ref}/requirement", body: "requirement.key=requester_identity&requirement.state=satisfied",
		anonymous: noCSRF, anonymousCSRF: noSess, owner: 303, officer: 303, otherBranch: 404},
	"POST /staff/cases/:ref/identity": {probe: "POST /staff/cases/{ref}/identity", body: "identity.method=email_on_file&identity.outcome=verified",
		anonymous: noCSRF, anonymousCSRF: noSess, owner: 303, officer: 303, otherBranch: 404},
	"POST /staff/cases/:ref/ask": {probe: "POST /staff/cases/{ref}/ask", body: "ask.method=email_on_file&ask.text=Klopt+uw+adres%3F",
		anonymous: noCSRF, anonymousCSRF: noSess, owner: 303, officer: 303, otherBranch: 404},
	// The probe case has no open question: the route answers 409 to staff
	// in scope, and another branch learns nothing.
	"POST /staff/cases/:ref/question/withdraw": {probe: "POST /staff/cases/{ref}/question/withdraw", body: "withdraw.reason=Niet+meer+nodig",
		anonymous: noCSRF, anonymousCSRF: noSess, owner: 409, officer: 409, otherBranch: 404},
	// No such file; another branch cannot even learn that.
	"GET /staff/cases/:ref/files/:id": {probe: "GET /staff/cases/{ref}/files/0123456789abcdef0123456789abcdef", anonymous: toSignIn,
		owner: 404, officer: 404, otherBranch: 404},
	// The probe's case has an e-mail address: nothing to print.
	"GET /staff/cases/:ref/letters/:letter": {probe: "GET /staff/cases/{ref}/letters/acknowledgement", anonymous: toSignIn,
		owner: 404, officer: 404, otherBranch: 404},

	// Owners only: officers find nothing there.
	"GET /staff/settings": {probe: "GET /staff/settings", anonymous: toSignIn, owner: 200, officer: 404, otherBranch: 404},
	"POST /staff/settings": {probe: "POST /staff/settings", anonymous: noCSRF, anonymousCSRF: noSess,
		body:  "practice.name=Praktijk+Test&practice.address=Straat+1&practice.kvk=12345678&practice.privacy_email=privacy%40praktijk.example&practice.time_zone=Europe%2FAmsterdam&practice.country=NL&practice.calendar=NL&practice.id_copy_days=30&practice.case_retention_days=730&practice.identity_pause=on",
		owner: 303, officer: 404, otherBranch: 404},
	// The mail server, the test mail (no server here: the page says so) and
	// the outbox with its "retry now" ({mail} is a new request's unsent
	// acknowledgement).
	"POST /staff/settings/mail": {probe: "POST /staff/settings/mail", anonymous: noCSRF, anonymousCSRF: noSess,
		body: "smtp.host=&smtp.security=starttls", owner: 303, officer: 404, otherBranch: 404},
	"POST /staff/settings/mail/test": {probe: "POST /staff/settings/mail/test", anonymous: noCSRF, anonymousCSRF: noSess,
		body: "smtp.test_to=test%40praktijk.example", owner: 200, officer: 404, otherBranch: 404},
	"GET /staff/outbox": {probe: "GET /staff/outbox", anonymous: toSignIn, owner: 200, officer: 404, otherBranch: 404},
	"POST /staff/outbox/:id/retry": {probe: "POST /staff/outbox/{mail}/retry", anonymous: noCSRF, anonymousCSRF: noSess,
		owner: 303, officer: 404, otherBranch: 404},
	"GET /staff/team": {probe: "GET /staff/team", anonymous: toSignIn, owner: 200, officer: 404, otherBranch: 404},
	"POST /staff/team/invite": {probe: "POST /staff/team/invite", anonymous: noCSRF, anonymousCSRF: noSess,
		body:  "invite.email=uitgenodigd{n}%40praktijk.example&invite.name=Uitgenodigd&invite.role=officer&invite.branches=utrecht",
		owner: 303, officer: 404, otherBranch: 404},
	"POST /staff/team/:id/disable": {probe: "POST /staff/team/{victim}/disable", anonymous: noCSRF, anonymousCSRF: noSess,
		owner: 303, officer: 404, otherBranch: 404},
	// A lost device: owners reset another member's second factor.
	"POST /staff/team/:id/reset-totp": {probe: "POST /staff/team/{victim}/reset-totp", anonymous: noCSRF, anonymousCSRF: noSess,
		owner: 303, officer: 404, otherBranch: 404},
	"POST /staff/branches": {probe: "POST /staff/branches", body: "branch.code=vestiging-{n}&branch.name=Vestiging", anonymous: noCSRF, anonymousCSRF: noSess,
		owner: 303, officer: 404, otherBranch: 404},
	"GET /staff/audit": {probe: "GET /staff/audit", anonymous: toSignIn, owner: 200, officer: 404, otherBranch: 404},
	"POST /staff/audit/verify": {probe: "POST /staff/audit/verify", anonymous: noCSRF, anonymousCSRF: noSess,
		owner: 200, officer: 404, otherBranch: 404},

	// The public API: anyone may file a request, and read its description.
	"POST /api/v1/requests":    {probe: "POST /api/v1/requests", body: `{}`, anonymous: 422},
	"GET /api/v1/openapi.json": {probe: "GET /api/v1/openapi.json", anonymous: 200},
	// The staff API.
	"GET /api/v1/practice": {probe: "GET /api/v1/practice", anonymous: 401, staffOnly: true, owner: 200, officer: 200, otherBranch: 200},
	"POST /api/v1/cases": {probe: "POST /api/v1/cases", anonymous: 401, staffOnly: true, owner: 201, officer: 201, otherBranch: 422,
		body: `{"type":"access","branch":"utrecht","received_at":"2026-11-20","channel":"post",` +
			`"requester":{"name":"Zeger Geheim","email":"zeger@example.nl","relation":"self"}}`},
	"GET /api/v1/cases": {probe: "GET /api/v1/cases?branch=utrecht", anonymous: 401, staffOnly: true,
		owner: 200, officer: 200, otherBranch: 200},
	"GET /api/v1/cases/:reference": {probe: "GET /api/v1/cases/{ref}", anonymous: 401, staffOnly: true,
		owner: 200, officer: 200, otherBranch: 404},
	"POST /api/v1/cases/:reference/extension": {probe: "POST /api/v1/cases/{ref}/extension", body: `{"reason":"Omvangrijk"}`,
		anonymous: 401, staffOnly: true, owner: 200, officer: 200, otherBranch: 404},
	"POST /api/v1/cases/:reference/decision": {probe: "POST /api/v1/cases/{ref}/decision", body: `{"outcome":"withdrawn","withdrawn_how":"email","reasons":"Ingetrokken"}`,
		anonymous: 401, staffOnly: true, owner: 200, officer: 200, otherBranch: 404},

	// echo's fallbacks for unknown paths: nothing there.
	// Other methods on the site's paths meet the CSRF check first.
	"echo_route_not_found /":  {probe: "DELETE /", anonymous: 403},
	"echo_route_not_found /*": {probe: "GET /beheer/zaken", anonymous: 404},
	// Other methods on /staff itself fall to the site's fallback (echo's
	// router prefers it to the workspace's), which checks CSRF but has no
	// session to check: 404 for all.
	"echo_route_not_found /staff": {probe: "PUT /staff", anonymous: noCSRF, anonymousCSRF: 404, owner: 404, officer: 404, otherBranch: 404},
	"echo_route_not_found /staff/*": {probe: "GET /staff/beheer", anonymous: toSignIn,
		owner: 404, officer: 404, otherBranch: 404},
	"echo_route_not_found /api/v1": {probe: "GET /api/v1", anonymous: 401, staffOnly: true,
		owner: 404, officer: 404, otherBranch: 404},
	"echo_route_not_found /api/v1/*": {probe: "GET /api/v1/breaches", anonymous: 401, staffOnly: true,
		owner: 404, officer: 404, otherBranch: 404},
}

// matrixRole is a staff member the matrix probes with: a signed-in browser
// and an API token.
type matrixRole struct {
	name    string
	email   string
	token   string
	browser *staffBrowser
	want    func(access) int
}

// answer is what a probe got, whoever sent it.
type answer struct {
	status   int
	location string
	body     string
	header   http.Header
}

func TestEveryRouteHasAnAccessDecision(t *testing.T) {
	a := newTestServer(t, withBranches("amsterdam", "utrecht"), withOIDC(runMockOIDC(t)))
	roles := []*matrixRole{
		{name: "owner", email: "eigenaar@praktijk.example", want: func(x access) int { return x.owner }},
		{name: "officer of this branch", email: "utr@praktijk.example", want: func(x access) int { return x.officer }},
		{name: "officer of another branch", email: "ams@praktijk.example", want: func(x access) int { return x.otherBranch }},
	}
	a.addMember(t, roles[0].email, staff.Owner)
	utrecht := a.addMember(t, roles[1].email, staff.Officer, "utrecht")
	a.addMember(t, roles[2].email, staff.Officer, "amsterdam")
	for _, r := range roles {
		r.browser = a.signIn(t, r.email)
		r.token = a.addToken(t, r.browser.member)
	}
	// A bystander's token, which nobody else may revoke.
	bystander := a.addMember(t, "derde@praktijk.example", staff.Officer, "utrecht")
	bystanderToken := a.addToken(t, bystander)
	tokens, err := a.store.APITokens(t.Context(), bystander.ID)
	if err != nil || len(tokens) != 1 {
		t.Fatalf("APITokens: %v %v", tokens, err)
	}
	var css string
	for _, l := range a.browser(t).get("/").find(func(n *htmlNode) bool { return attr(n, "rel") == "stylesheet" }) {
		css = attr(l, "href")
	}

	routes := a.srv.Routes()
	for _, r := range routes {
		if _, ok := routeAccess[r]; !ok {
			t.Errorf("route %q has no access decision: add it to routeAccess with what a signed-out visitor and each role get", r)
		}
	}
	for r := range routeAccess {
		if !slices.Contains(routes, r) {
			t.Errorf("routeAccess names %q, which the server no longer has", r)
		}
	}

	n := 0
	for route, want := range routeAccess {
		t.Run(route, func(t *testing.T) {
			if want.staffOnly && want.anonymous != http.StatusUnauthorized {
				t.Fatalf("matrix: staff-only route must answer 401 to visitors")
			}
			// expand fills in the placeholders, with a new case, number
			// and member for every request.
			expand := func(s string) (out, ref string, victim int64) {
				n++
				if strings.Contains(s, "{ref}") {
					ref = a.fileRequest(t, "Zeger Geheim", "zeger@example.nl", "utrecht")
				}
				mail := ""
				if strings.Contains(s, "{mail}") {
					// A new request's acknowledgement: unsent, whatever
					// the probes before did to other mails.
					a.fileRequest(t, "Zeger Geheim", "zeger@example.nl", "utrecht")
					es, _, err := a.store.OutboxEntries(t.Context(), 0, 1)
					if err != nil || len(es) != 1 {
						t.Fatalf("newest mail: %v, %v", es, err)
					}
					mail = strconv.FormatInt(es[0].ID, 10)
				}
				if strings.Contains(s, "{victim}") {
					m, err := a.store.AddMember(t.Context(), staff.NewMember{Email: "slachtoffer" + strconv.Itoa(n) + "@praktijk.example",
						Name: "Slachtoffer", Role: staff.Officer}, a.clock.Now())
					if err != nil {
						t.Fatal(err)
					}
					victim = m.ID
				}
				out = strings.NewReplacer("{css}", css, "{ref}", ref, "{n}", strconv.Itoa(n), "{pw}", url.QueryEscape(staffPassword),
					"{victim}", strconv.FormatInt(victim, 10), "{token}", strconv.FormatInt(tokens[0].ID, 10),
					"{officer}", strconv.FormatInt(utrecht.ID, 10), "{mail}", mail).Replace(s)
				return out, ref, victim
			}
			// check sends the probe with send and compares the status. A
			// refused caller must see no case data and change nothing.
			check := func(who string, status int, send func(method, path, body string) answer) {
				t.Helper()
				probe, ref, victim := expand(want.probe + "\n" + want.body)
				req, body, _ := strings.Cut(probe, "\n")
				method, path, _ := strings.Cut(req, " ")
				var events int
				if ref != "" {
					events = a.eventCount(t, ref)
				}
				got := send(method, path, body)
				if got.status != status {
					t.Errorf("%s: %s %s gave %d, want %d\n%.2000s", who, method, path, got.status, status, got.body)
				}
				// Every answer carries the security headers; pages are
				// never cached and need no inline code (SECURITY.md item 8).
				// The static files and the API's description hold no
				// data and may be cached.
				assertSecurityHeaders(t, got.header, !strings.HasPrefix(path, "/static/") && path != "/api/v1/openapi.json")
				if strings.HasPrefix(got.header.Get("Content-Type"), "text/html") {
					assertNoInlineCode(t, &page{tb: t, Body: got.body})
				}
				if got.status == http.StatusSeeOther && status == toSignIn && strings.HasPrefix(path, "/staff") && who == "signed-out visitor" &&
					got.location != "/staff/signin" {
					t.Errorf("%s: %s %s sent to %q, want /staff/signin", who, method, path, got.location)
				}
				if refused := status == 401 || status == 403 || status == 404; !refused && who != "officer of another branch" {
					return
				}
				for _, leak := range []string{"Geheim", "zeger@", "zeger%40"} {
					if strings.Contains(got.body, leak) {
						t.Errorf("%s: %s %s shows %q", who, method, path, leak)
					}
				}
				if ref != "" {
					// Pages name their own address in the language switch;
					// what counts is what they show.
					shown := got.body
					if !strings.HasPrefix(path, "/api/") && got.body != "" {
						shown = (&page{tb: t, Body: got.body}).text()
					}
					if strings.Contains(shown, ref) {
						t.Errorf("%s: %s %s shows the reference %s", who, method, path, ref)
					}
					if after := a.eventCount(t, ref); after != events {
						t.Errorf("%s: %s %s changed the case: %d events, was %d", who, method, path, after, events)
					}
				}
				if victim != 0 {
					if acc, err := a.store.AccountByID(t.Context(), victim); err != nil || acc.Member.Disabled {
						t.Errorf("%s: %s %s disabled the member (err %v)", who, method, path, err)
					}
				}
			}

			// A visitor without cookies, token or session.
			check("signed-out visitor", want.anonymous, func(method, path, body string) answer {
				var b any
				var hdr []string
				if body != "" {
					b = body
					if !strings.HasPrefix(path, "/api/") {
						hdr = append(hdr, "Content-Type", "application/x-www-form-urlencoded")
					}
				}
				res := a.api(t, method, path, "", b, hdr...)
				if res.Status == http.StatusUnauthorized && strings.HasPrefix(path, "/api/") && res.errorCode() != "unauthorized" {
					t.Errorf("401 with code %q", res.errorCode())
				}
				return answer{res.Status, res.Header.Get("Location"), string(res.Body), res.Header}
			})
			// A visitor who got a CSRF token from the sign-in page.
			if want.anonymousCSRF != 0 {
				check("signed-out visitor with a CSRF token", want.anonymousCSRF, func(method, path, body string) answer {
					b := a.browser(t)
					csrf, _ := b.formTokens("/staff/signin")
					return pageAnswer(b.send(method, path, withCSRF(t, body, csrf)))
				})
			}
			// Each role, in the order that changes the least first.
			for _, r := range []*matrixRole{roles[2], roles[1], roles[0]} {
				status := r.want(want)
				if status == 0 {
					continue
				}
				check(r.name, status, func(method, path, body string) answer {
					if strings.HasPrefix(path, "/api/") {
						var b any
						if body != "" {
							b = body
						}
						res := a.api(t, method, path, r.token, b)
						return answer{res.Status, res.Header.Get("Location"), string(res.Body), res.Header}
					}
					sb := r.browser
					if want.fresh {
						sb = a.signIn(t, r.email)
					}
					if method == http.MethodGet {
						return pageAnswer(sb.get(path))
					}
					return pageAnswer(sb.send(method, path, withCSRF(t, body, sb.csrf)))
				})
				if want.newTokens {
					r.token = a.addToken(t, r.browser.member)
				}
			}
		})
	}

	// The matrix's signed-in browsers are still signed in: no probe
	// but sign-out ended a session it should not have.
	for _, r := range roles {
		if !r.browser.signedIn() {
			t.Errorf("%s was signed out by the probes", r.name)
		}
	}
	if res := a.api(t, http.MethodGet, "/api/v1/cases", bystanderToken, nil); res.Status != http.StatusOK {
		t.Errorf("the bystander's token was revoked by someone else: status %d", res.Status)
	}

	// Every refusal of a signed-in member is in the audit trail, naming
	// the route's pattern (SECURITY.md item 11).
	denied := map[string]bool{}
	for _, e := range a.auditTrail(t) {
		if e.Action == audit.AccessDenied {
			denied[e.Actor+" "+e.Detail] = true
		}
	}
	for route, want := range routeAccess {
		_, pattern, _ := strings.Cut(route, " ")
		if strings.HasPrefix(pattern, "/staff/welcome/") || route == "echo_route_not_found /staff" {
			continue // open to all, or the site's fallback: no member is known there
		}
		for _, r := range roles {
			if r.want(want) != http.StatusNotFound {
				continue
			}
			actor := audit.Staff(r.browser.member.ID)
			if strings.HasPrefix(pattern, "/api/") {
				actor = audit.API(r.browser.member.ID)
			}
			if !denied[actor+" route="+pattern] {
				t.Errorf("%s refused %s: no access_denied entry by %s for route=%s", r.name, route, actor, pattern)
			}
		}
	}
}

// auditTrail returns the whole audit trail, newest first.
func (a *testApp) auditTrail(tb testing.TB) []audit.Entry {
	tb.Helper()
	var all []audit.Entry
	for before := int64(0); ; {
		page, err := a.store.AuditSearch(tb.Context(), audit.Filter{Before: before, Limit: 100})
		if err != nil {
			tb.Fatalf("AuditSearch: %v", err)
		}
		all = append(all, page.Entries...)
		if !page.Older {
			return all
		}
		before = page.Entries[len(page.Entries)-1].ID
	}
}

func pageAnswer(p *page) answer { return answer{p.Status, p.Header.Get("Location"), p.Body, p.Header} }

// withCSRF parses a probe's form body and adds the CSRF token.
func withCSRF(tb testing.TB, body, csrf string) url.Values {
	tb.Helper()
	v, err := url.ParseQuery(body)
	if err != nil {
		tb.Fatalf("matrix body %q: %v", body, err)
	}
	v.Set("_csrf", csrf)
	return v
}
