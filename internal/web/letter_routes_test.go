package web_test

import "strings"

// letterRouteAccess are the access decisions for the decision letters
// (SECURITY.md item 1), added to routeAccess so that
// TestEveryRouteHasAnAccessDecision and TestStaffPostsRefuseBadCSRF know
// them. The matrix's {ref} is a new, undecided case: its letter is not sent
// yet (409) for the staff who may see it, and nothing (404) for the others.
var letterRouteAccess = map[string]access{
	"POST /staff/cases/:ref/decision/letter": {probe: "POST /staff/cases/{ref}/decision/letter",
		body:      "decision.outcome=withdrawn&decision.withdrawn_how=email&decision.reasons=Ingetrokken+door+de+verzoeker",
		anonymous: noCSRF, anonymousCSRF: noSess, owner: 200, officer: 200, otherBranch: 404},
	"GET /staff/cases/:ref/letter.pdf": {probe: "GET /staff/cases/{ref}/letter.pdf", anonymous: toSignIn,
		owner: 409, officer: 409, otherBranch: 404},
	"GET /api/v1/cases/:reference/letter.pdf": {probe: "GET /api/v1/cases/{ref}/letter.pdf", anonymous: 401, staffOnly: true,
		owner: 409, officer: 409, otherBranch: 404},
	// A wrong tracking link finds nothing.
	"GET /volg/:token/letter.pdf": {probe: "GET /volg/" + strings.Repeat("A", 43) + "/letter.pdf", anonymous: 404},
}

func init() {
	for route, a := range letterRouteAccess {
		routeAccess[route] = a
	}
}
