package web_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/staff"
)

// access is the decision made for one route: what a signed-out visitor
// gets, and, for routes that reach cases, what a staff member of another
// branch gets. Every route of the server must have one (SECURITY.md item 1):
// a new route without a decision fails TestEveryRouteHasAnAccessDecision.
type access struct {
	// probe is a concrete request for the route: "METHOD /path".
	probe string
	// body is sent with the probe (JSON for /api/, a form otherwise).
	body string
	// anonymous is the status a signed-out visitor gets.
	anonymous int
	// staffOnly routes answer 401 to a visitor without an API token.
	staffOnly bool
	// otherBranch is the status an officer of branch amsterdam gets when
	// the probe concerns a utrecht case; 0 when the route takes no case.
	otherBranch int
}

// routeAccess is the matrix. {css} is replaced by the hashed stylesheet
// URL, {ref} by the reference of a utrecht case.
var routeAccess = map[string]access{
	"GET /healthz":       {probe: "GET /healthz", anonymous: 200},
	"GET /static/:file":  {probe: "GET {css}", anonymous: 200},
	"GET /":              {probe: "GET /", anonymous: 200},
	"GET /verzoek":       {probe: "GET /verzoek", anonymous: 200},
	"GET /verzoek/:type": {probe: "GET /verzoek/access", anonymous: 200},
	// State-changing forms: refused without a CSRF token.
	"POST /verzoek/:type":    {probe: "POST /verzoek/access", body: "requester.name=x", anonymous: 403},
	"GET /verzoek-ontvangen": {probe: "GET /verzoek-ontvangen", anonymous: 303},
	"GET /volg/:token":       {probe: "GET /volg/" + strings.Repeat("A", 43), anonymous: 404},
	"GET /setup/:token":      {probe: "GET /setup/" + strings.Repeat("A", 43), anonymous: 404},
	"POST /setup/:token":     {probe: "POST /setup/" + strings.Repeat("A", 43), body: "owner.name=x", anonymous: 403},
	// The public API: anyone may file a request.
	"POST /api/v1/requests": {probe: "POST /api/v1/requests", body: `{}`, anonymous: 422},
	// The staff API.
	"POST /api/v1/cases": {probe: "POST /api/v1/cases", anonymous: 401, staffOnly: true, otherBranch: 422,
		body: `{"type":"access","branch":"utrecht","received_at":"2026-11-20","channel":"post",` +
			`"requester":{"name":"Zeger Geheim","email":"zeger@example.nl","relation":"self"}}`},
	"GET /api/v1/cases":            {probe: "GET /api/v1/cases?branch=utrecht", anonymous: 401, staffOnly: true, otherBranch: 200},
	"GET /api/v1/cases/:reference": {probe: "GET /api/v1/cases/{ref}", anonymous: 401, staffOnly: true, otherBranch: 404},
	// echo's fallbacks for unknown paths: nothing there.
	// Other methods on the site's paths meet the CSRF check first.
	"echo_route_not_found /":         {probe: "DELETE /", anonymous: 403},
	"echo_route_not_found /*":        {probe: "GET /beheer/zaken", anonymous: 404},
	"echo_route_not_found /api/v1":   {probe: "GET /api/v1", anonymous: 401, staffOnly: true},
	"echo_route_not_found /api/v1/*": {probe: "GET /api/v1/breaches", anonymous: 401, staffOnly: true},
}

func TestEveryRouteHasAnAccessDecision(t *testing.T) {
	a := newTestServer(t, withBranches("amsterdam", "utrecht"))
	_, officer := a.addStaff(t, "ams@praktijk.example", staff.Officer, "amsterdam")
	res := a.api(t, http.MethodPost, "/api/v1/requests", "", object{
		"type": "access", "branch": "utrecht",
		"requester": object{"name": "Zeger Geheim", "email": "zeger@example.nl", "relation": "self"},
	})
	if res.Status != http.StatusCreated {
		t.Fatalf("seed case: %d %s", res.Status, res.Body)
	}
	ref := res.object()["reference"].(string)
	var css string
	for _, l := range a.browser(t).get("/").find(func(n *htmlNode) bool { return attr(n, "rel") == "stylesheet" }) {
		css = attr(l, "href")
	}

	routes := a.srv.Routes()
	for _, r := range routes {
		if _, ok := routeAccess[r]; !ok {
			t.Errorf("route %q has no access decision: add it to routeAccess with what a signed-out visitor and another branch get", r)
		}
	}
	for r := range routeAccess {
		if !slices.Contains(routes, r) {
			t.Errorf("routeAccess names %q, which the server no longer has", r)
		}
	}

	for route, want := range routeAccess {
		method, path, _ := strings.Cut(strings.NewReplacer("{css}", css, "{ref}", ref).Replace(want.probe), " ")
		t.Run(route, func(t *testing.T) {
			if want.staffOnly && want.anonymous != http.StatusUnauthorized {
				t.Fatalf("matrix: staff-only route must answer 401 to visitors")
			}
			check := func(who, token string, status int) {
				t.Helper()
				var body any
				hdr := []string{}
				if want.body != "" {
					body = want.body
					if !strings.HasPrefix(path, "/api/") {
						hdr = append(hdr, "Content-Type", "application/x-www-form-urlencoded")
					}
				}
				res := a.api(t, method, path, token, body, hdr...)
				if res.Status != status {
					t.Errorf("%s: %s %s gave %d, want %d\n%s", who, method, path, res.Status, status, res.Body)
				}
				if res.Status == http.StatusUnauthorized && strings.HasPrefix(path, "/api/") && res.errorCode() != "unauthorized" {
					t.Errorf("%s: 401 with code %q", who, res.errorCode())
				}
				for _, leak := range []string{ref, "Geheim", "zeger@"} {
					if strings.Contains(string(res.Body), leak) && status != http.StatusCreated {
						t.Errorf("%s: %s %s shows %q", who, method, path, leak)
					}
				}
			}
			check("signed-out visitor", "", want.anonymous)
			if want.otherBranch != 0 {
				check("officer of another branch", officer, want.otherBranch)
			}
		})
	}
	if n := len(a.cases(t)); n != 1 {
		t.Errorf("%d cases after the probes, want 1", n)
	}
}
