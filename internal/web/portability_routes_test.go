package web_test

import "strings"

// portabilityRouteAccess are the access decisions for the data portability
// of a case (AVG art. 20), added to routeAccess so that
// TestEveryRouteHasAnAccessDecision and TestStaffPostsRefuseBadCSRF know
// them. The probe case is an access case of branch utrecht: staff who may
// see it are told it is no portability case (409) before any body is read,
// another branch learns nothing (404). An export link that does not exist
// finds nothing; what a real one gives is TestPortabilityJourney's.
var portabilityRouteAccess = map[string]access{
	"POST /staff/cases/:ref/portability": {probe: "POST /staff/cases/{ref}/portability", body: "portability.data.x=naam%3A+Matrix",
		anonymous: noCSRF, anonymousCSRF: noSess, owner: 409, officer: 409, otherBranch: 404},
	"POST /staff/cases/:ref/portability/export": {probe: "POST /staff/cases/{ref}/portability/export",
		anonymous: noCSRF, anonymousCSRF: noSess, owner: 409, officer: 409, otherBranch: 404},
	"POST /staff/cases/:ref/portability/transfer": {probe: "POST /staff/cases/{ref}/portability/transfer",
		body:      "transfer.organisation=Praktijk+Matrix&transfer.email=info%40matrix.example",
		anonymous: noCSRF, anonymousCSRF: noSess, owner: 409, officer: 409, otherBranch: 404},
	"GET /overdracht/:token": {probe: "GET /overdracht/" + strings.Repeat("A", 43), anonymous: 404},
	"PUT /api/v1/cases/:reference/portability": {probe: "PUT /api/v1/cases/{ref}/portability", body: `{"items":[]}`,
		anonymous: 401, staffOnly: true, owner: 409, officer: 409, otherBranch: 404},
	"GET /api/v1/cases/:reference/portability.zip": {probe: "GET /api/v1/cases/{ref}/portability.zip",
		anonymous: 401, staffOnly: true, owner: 409, officer: 409, otherBranch: 404},
}

func init() {
	for route, a := range portabilityRouteAccess {
		routeAccess[route] = a
	}
}
