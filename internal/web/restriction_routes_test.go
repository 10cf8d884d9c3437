package web_test

// restrictionRouteAccess are the access decisions for the restriction of
// processing (AVG art. 18), added to routeAccess like erasureRouteAccess.
// The probe case is an access case of branch utrecht: staff who may see it
// are told it is no restriction (409), another branch learns nothing
// (404). What a real restriction does is TestRestrictionPath's and
// TestAPIRestriction's.
var restrictionRouteAccess = map[string]access{
	"PUT /api/v1/cases/:reference/restriction": {probe: "PUT /api/v1/cases/{ref}/restriction",
		body:      `{"activities":[],"data":"","ground":"accuracy_contested","from":"2026-11-25","until_event":"tot de juistheid is nagegaan"}`,
		anonymous: 401, staffOnly: true, owner: 409, officer: 409, otherBranch: 404},
	"POST /staff/cases/:ref/restriction": {probe: "POST /staff/cases/{ref}/restriction",
		body:      "restriction.activities=client-file&restriction.data=Het+verslag&restriction.ground=accuracy_contested&restriction.from=2026-11-25&restriction.until_event=tot+nagegaan",
		anonymous: noCSRF, anonymousCSRF: noSess, owner: 409, officer: 409, otherBranch: 404},
	"POST /staff/cases/:ref/restriction/lifting": {probe: "POST /staff/cases/{ref}/restriction/lifting",
		body:      "lifting.on=2027-01-10&lifting.reason=Nagegaan",
		anonymous: noCSRF, anonymousCSRF: noSess, owner: 409, officer: 409, otherBranch: 404},
}

func init() {
	for route, a := range restrictionRouteAccess {
		routeAccess[route] = a
	}
}
