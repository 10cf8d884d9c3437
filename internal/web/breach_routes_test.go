package web_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/staff"
)

// breachRouteAccess are the access decisions for the breach register's
// routes (SECURITY.md item 1), added to routeAccess so that
// TestEveryRouteHasAnAccessDecision knows them. What each role (and API
// token) gets from a real breach of its own and of another branch is
// TestBreachRoutesOnRealBreaches's.
var breachRouteAccess = map[string]access{
	"GET /staff/breaches":                    {probe: "GET /staff/breaches", anonymous: 303},
	"GET /staff/breaches/export.csv":         {probe: "GET /staff/breaches/export.csv", anonymous: 303},
	"GET /staff/breaches/summary":            {probe: "GET /staff/breaches/summary", anonymous: 303},
	"GET /staff/breaches/new":                {probe: "GET /staff/breaches/new", anonymous: 303},
	"POST /staff/breaches/new":               {probe: "POST /staff/breaches/new", body: "title=x", anonymous: 403},
	"GET /staff/breaches/settings":           {probe: "GET /staff/breaches/settings", anonymous: 303},
	"POST /staff/breaches/settings":          {probe: "POST /staff/breaches/settings", body: "sector=x", anonymous: 403},
	"GET /staff/breaches/:ref":               {probe: "GET /staff/breaches/DL-2026-001", anonymous: 303},
	"GET /staff/breaches/:ref/edit/:step":    {probe: "GET /staff/breaches/DL-2026-001/edit/facts", anonymous: 303},
	"POST /staff/breaches/:ref/edit/:step":   {probe: "POST /staff/breaches/DL-2026-001/edit/facts", body: "title=x", anonymous: 403},
	"GET /staff/breaches/:ref/assessment":    {probe: "GET /staff/breaches/DL-2026-001/assessment", anonymous: 303},
	"POST /staff/breaches/:ref/assessment":   {probe: "POST /staff/breaches/DL-2026-001/assessment", body: "ei=1", anonymous: 403},
	"GET /staff/breaches/:ref/decision":      {probe: "GET /staff/breaches/DL-2026-001/decision", anonymous: 303},
	"POST /staff/breaches/:ref/decision":     {probe: "POST /staff/breaches/DL-2026-001/decision", body: "notify_ap=no", anonymous: 403},
	"GET /staff/breaches/:ref/ap-draft":      {probe: "GET /staff/breaches/DL-2026-001/ap-draft", anonymous: 303},
	"POST /staff/breaches/:ref/ap-draft":     {probe: "POST /staff/breaches/DL-2026-001/ap-draft", body: "kind=initial", anonymous: 403},
	"GET /staff/breaches/:ref/ap-draft.txt":  {probe: "GET /staff/breaches/DL-2026-001/ap-draft.txt", anonymous: 303},
	"GET /staff/breaches/:ref/ap-draft.pdf":  {probe: "GET /staff/breaches/DL-2026-001/ap-draft.pdf", anonymous: 303},
	"GET /staff/breaches/:ref/followup":      {probe: "GET /staff/breaches/DL-2026-001/followup", anonymous: 303},
	"POST /staff/breaches/:ref/followup":     {probe: "POST /staff/breaches/DL-2026-001/followup", body: "kind=change", anonymous: 403},
	"GET /staff/breaches/:ref/letter":        {probe: "GET /staff/breaches/DL-2026-001/letter", anonymous: 303},
	"POST /staff/breaches/:ref/letter":       {probe: "POST /staff/breaches/DL-2026-001/letter", body: "letter_nl=x", anonymous: 403},
	"GET /staff/breaches/:ref/letter.pdf":    {probe: "GET /staff/breaches/DL-2026-001/letter.pdf", anonymous: 303},
	"POST /staff/breaches/:ref/recipients":   {probe: "POST /staff/breaches/DL-2026-001/recipients", body: "csv=x", anonymous: 403},
	"POST /staff/breaches/:ref/send":         {probe: "POST /staff/breaches/DL-2026-001/send", anonymous: 403},
	"POST /staff/breaches/:ref/files":        {probe: "POST /staff/breaches/DL-2026-001/files", body: "file=x", anonymous: 403},
	"GET /staff/breaches/:ref/files/:id":     {probe: "GET /staff/breaches/DL-2026-001/files/0123456789abcdef0123456789abcdef", anonymous: 303},
	"POST /staff/breaches/:ref/informed":     {probe: "POST /staff/breaches/DL-2026-001/informed", body: "how=x", anonymous: 403},
	"echo_route_not_found /staff/breaches":   {probe: "DELETE /staff/breaches", anonymous: 403},
	"echo_route_not_found /staff/breaches/*": {probe: "GET /staff/breaches/DL-2026-001/nothing/here", anonymous: 303},

	"POST /api/v1/breaches": {probe: "POST /api/v1/breaches", anonymous: 401, staffOnly: true, otherBranch: 422,
		body: `{"title":"Zeger Geheim kwijt","aware_at":"2026-11-20T10:00:00+01:00","description":"x","branch":"utrecht"}`},
	"GET /api/v1/breaches/:reference":          {probe: "GET /api/v1/breaches/DL-2026-001", anonymous: 401, staffOnly: true, otherBranch: 404},
	"GET /api/v1/breaches/:reference/ap-draft": {probe: "GET /api/v1/breaches/DL-2026-001/ap-draft", anonymous: 401, staffOnly: true, otherBranch: 404},
	"PUT /api/v1/breaches/:reference/assessment": {probe: "PUT /api/v1/breaches/DL-2026-001/assessment", anonymous: 401, staffOnly: true,
		otherBranch: 404, body: `{"dpc":4,"ei":1,"confidentiality":"none","integrity":"none","availability":"none","malicious":false}`},
}

func init() {
	for route, a := range breachRouteAccess {
		routeAccess[route] = a
	}
}

// Each role gets what it may of a utrecht breach, through the pages and the
// API: owners everything, the utrecht officer the register's work but not
// the owners' steps, an amsterdam officer nothing (404, no data), a
// signed-out visitor the sign-in page (SECURITY.md item 1). Refused calls
// change nothing.
func TestBreachRoutesByRole(t *testing.T) {
	a := newBreachApp(t)
	a.breachMember(t, "u@delinde.example", "Uri Utrecht", staff.Officer, "utrecht")
	a.breachMember(t, "a@delinde.example", "Ada Amsterdam", staff.Officer, "amsterdam")
	b := stolenLaptop(t, a)
	b.Title = "Laptop van Zeger Geheim"
	r := a.registered(t, b, breach.InformYes)
	ref := r.Reference
	owner := a.breachSignIn(t, "els@delinde.example")
	officer := a.breachSignIn(t, "u@delinde.example")
	other := a.breachSignIn(t, "a@delinde.example")
	anon := a.browser(t)

	type probe struct {
		method, path string
		form         []string
		owner        int
		officer      int
		other        int
		anonymous    int
	}
	p := "/staff/breaches/" + ref
	probes := []probe{
		{"GET", "/staff/breaches", nil, 200, 200, 200, 303},
		{"GET", "/staff/breaches/summary", nil, 200, 200, 200, 303},
		{"GET", "/staff/breaches/settings", nil, 200, 404, 404, 303},
		{"GET", p, nil, 200, 200, 404, 303},
		{"GET", p + "/edit/data", nil, 200, 200, 404, 303},
		{"GET", p + "/edit/nonsense", nil, 404, 404, 404, 303},
		{"GET", p + "/assessment", nil, 200, 200, 404, 303},
		{"GET", p + "/decision", nil, 200, 404, 404, 303},
		{"GET", p + "/ap-draft", nil, 200, 200, 404, 303},
		{"GET", p + "/ap-draft.txt", nil, 200, 200, 404, 303},
		{"GET", p + "/ap-draft.pdf", nil, 200, 200, 404, 303},
		{"GET", p + "/followup", nil, 303, 303, 404, 303},
		{"GET", p + "/letter", nil, 200, 200, 404, 303},
		{"GET", p + "/letter.pdf?what=notice&language=en", nil, 200, 200, 404, 303},
		{"POST", p + "/edit/measures", []string{"consequences", "Gevolgen"}, 303, 303, 404, 403},
		{"POST", p + "/assessment", []string{"base", "sensitive", "ei", "1", "confidentiality", "unknown_recipients",
			"integrity", "none", "availability", "none"}, 303, 303, 404, 403},
		{"POST", p + "/decision", []string{"notify_ap", "yes", "inform_people", "yes"}, 303, 404, 404, 403},
		{"POST", p + "/letter", []string{"letter_nl", "Beste lezer"}, 303, 404, 404, 403},
		{"POST", p + "/informed", []string{"informed_at", "2026-11-25", "how", "per brief", "count.exact", "3"}, 303, 404, 404, 403},
		{"POST", p + "/send", nil, 409, 404, 404, 403},
		{"POST", p + "/ap-draft", []string{"kind", "initial", "submitted_at", "2026-11-25", "submitted_at_time", "10:00",
			"ap_reference", "M-1"}, 303, 404, 404, 403},
		{"POST", p + "/followup", []string{"kind", "change", "submitted_at", "2026-11-25", "submitted_at_time", "10:05"}, 303, 404, 404, 403},
		{"POST", "/staff/breaches/settings", []string{"own_target_hours", "48"}, 303, 404, 404, 403},
	}
	before := len(breachAudit(t, a))
	for _, pr := range probes {
		t.Run(pr.method+" "+strings.TrimPrefix(pr.path, p), func(t *testing.T) {
			for _, who := range []struct {
				name   string
				b      *breachBrowser
				status int
			}{{"owner", owner, pr.owner}, {"officer of utrecht", officer, pr.officer}, {"officer of amsterdam", other, pr.other}} {
				var res *page
				if pr.method == "GET" {
					res = who.b.get(pr.path)
				} else {
					res = who.b.postForm(pr.path, pr.form...)
				}
				if res.Status != who.status {
					t.Errorf("%s: %s %s = %d, want %d\n%s", who.name, pr.method, pr.path, res.Status, who.status, res.text())
				}
				if who.status == 404 && strings.Contains(res.Body, "Zeger") {
					t.Errorf("%s: refusal shows the breach", who.name)
				}
			}
			var res *page
			if pr.method == "GET" {
				res = anon.get(pr.path)
			} else {
				v := url.Values{}
				for i := 0; i+1 < len(pr.form); i += 2 {
					v.Add(pr.form[i], pr.form[i+1])
				}
				res = anon.post(pr.path, v)
			}
			if res.Status != pr.anonymous || strings.Contains(res.Body, "Zeger") {
				t.Errorf("signed out: %s %s = %d, want %d", pr.method, pr.path, res.Status, pr.anonymous)
			}
		})
	}
	// The other branch's officer changed nothing: every change above is
	// the owner's or the utrecht officer's.
	for _, e := range breachAudit(t, a)[before:] {
		if e.Action == "breach_update" && e.Actor != "staff:"+strconv.FormatInt(owner.member.ID, 10) && e.Actor != "staff:"+strconv.FormatInt(officer.member.ID, 10) {
			t.Errorf("change by %s: %+v", e.Actor, e)
		}
	}
	// The banner shows only breaches in the member's scope.
	c := a.registered(t, breach.Breach{Title: "Map kwijt", Branch: "utrecht", AwareAt: a.clock.Now(), Description: "Map."}, "")
	if got := other.get("/staff/cases"); strings.Contains(got.text(), c.Reference) {
		t.Error("the amsterdam officer sees a utrecht breach in the banner")
	}
	if got := officer.get("/staff/cases"); !strings.Contains(got.text(), "Datalek "+c.Reference+":") {
		t.Errorf("the utrecht officer does not see the banner:\n%s", got.text())
	}
	if res := other.get("/staff/breaches"); strings.Contains(res.Body, ref) || strings.Contains(res.Body, c.Reference) {
		t.Error("the register list shows another branch's breaches")
	}
	if res := other.get("/staff/breaches/export.csv"); strings.Contains(res.Body, ref) {
		t.Error("the export holds another branch's breaches")
	}
}

// breachAudit returns the whole audit trail, oldest first.
func breachAudit(tb testing.TB, a *breachApp) []audit.Entry {
	tb.Helper()
	es, err := a.store.AuditEntries(tb.Context(), "", 0, 500)
	if err != nil {
		tb.Fatal(err)
	}
	return es
}
