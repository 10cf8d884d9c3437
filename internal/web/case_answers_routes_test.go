package web_test

// caseAnswerRouteAccess are the access decisions for the answers of a case
// (the activities that concern the person, the access statement), added to
// routeAccess so that TestEveryRouteHasAnAccessDecision and
// TestStaffPostsRefuseBadCSRF know them. The probe case is an access case
// of branch utrecht: staff who may see it act on it, another branch learns
// nothing. The probes choose no activities, since whether the matrix's
// register holds the template depends on the order of the probes.
var caseAnswerRouteAccess = map[string]access{
	"POST /staff/cases/:ref/activities": {probe: "POST /staff/cases/{ref}/activities", body: "",
		anonymous: noCSRF, anonymousCSRF: noSess, owner: 303, officer: 303, otherBranch: 404},
	"POST /staff/cases/:ref/access-statement": {probe: "POST /staff/cases/{ref}/access-statement",
		body:      "statement.text=Wij+verwerken+geen+gegevens.&statement.approve=yes",
		anonymous: noCSRF, anonymousCSRF: noSess, owner: 303, officer: 303, otherBranch: 404},
	"PUT /api/v1/cases/:reference/activities": {probe: "PUT /api/v1/cases/{ref}/activities", body: `{"activities":[]}`,
		anonymous: 401, staffOnly: true, owner: 200, officer: 200, otherBranch: 404},
	"GET /api/v1/cases/:reference/access-statement": {probe: "GET /api/v1/cases/{ref}/access-statement",
		anonymous: 401, staffOnly: true, owner: 200, officer: 200, otherBranch: 404},
}

func init() {
	for route, a := range caseAnswerRouteAccess {
		routeAccess[route] = a
	}
}
