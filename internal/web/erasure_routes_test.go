package web_test

// erasureRouteAccess are the access decisions for the erasure items of a
// case and the confirmation of a promised destruction, added to routeAccess
// like caseAnswerRouteAccess. The probe case is an access case of branch
// utrecht: staff who may see it are told it is no erasure (409), another
// branch learns nothing (404).
var erasureRouteAccess = map[string]access{
	"PUT /api/v1/cases/:reference/erasure": {probe: "PUT /api/v1/cases/{ref}/erasure", body: `{"items":[]}`,
		anonymous: 401, staffOnly: true, owner: 409, officer: 409, otherBranch: 404},
	"POST /staff/cases/:ref/erasure": {probe: "POST /staff/cases/{ref}/erasure",
		body:      "erasure.items.0.activity=client-file&erasure.items.0.action=erased&erasure.items.0.erased_on=2026-11-20",
		anonymous: noCSRF, anonymousCSRF: noSess, owner: 409, officer: 409, otherBranch: 404},
	"POST /staff/cases/:ref/erasure/confirm": {probe: "POST /staff/cases/{ref}/erasure/confirm",
		body:      "destruction.activity=client-file&destruction.erased_on=2026-11-20",
		anonymous: noCSRF, anonymousCSRF: noSess, owner: 409, officer: 409, otherBranch: 404},
}

func init() {
	for route, a := range erasureRouteAccess {
		routeAccess[route] = a
	}
}
