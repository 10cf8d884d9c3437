package web_test

// registerRouteAccess are the access decisions for the register of
// processing activities (SECURITY.md item 1), added to routeAccess so that
// TestEveryRouteHasAnAccessDecision and TestStaffPostsRefuseBadCSRF know
// them. Whether the matrix's register holds the template depends on the
// order of the probes (saving the settings seeds it), so the probes of an
// activity name one that never exists: not found for anyone. What each
// role gets of a real activity is TestRegisterPagesByRole's.
var registerRouteAccess = map[string]access{
	// Every staff member reads the register and downloads it.
	"GET /staff/register":              {probe: "GET /staff/register", anonymous: toSignIn, owner: 200, officer: 200, otherBranch: 200},
	"GET /staff/register/print":        {probe: "GET /staff/register/print", anonymous: toSignIn, owner: 200, officer: 200, otherBranch: 200},
	"GET /staff/register/register.pdf": {probe: "GET /staff/register/register.pdf", anonymous: toSignIn, owner: 200, officer: 200, otherBranch: 200},
	"GET /staff/register/register.csv": {probe: "GET /staff/register/register.csv", anonymous: toSignIn, owner: 200, officer: 200, otherBranch: 200},
	"GET /staff/register/activities/:key": {probe: "GET /staff/register/activities/bestaat-niet", anonymous: toSignIn,
		owner: 404, officer: 404, otherBranch: 404},
	// Owners keep it; officers find no form.
	"GET /staff/register/new": {probe: "GET /staff/register/new", anonymous: toSignIn, owner: 200, officer: 404, otherBranch: 404},
	"POST /staff/register/new": {probe: "POST /staff/register/new", anonymous: noCSRF, anonymousCSRF: noSess,
		body: "key=matrix-{n}&name=Matrix&purpose=Testen&legal_basis=consent&data_subjects=Testers&data_categories=Naam" +
			"&retention.months=12&retention.from=nu&retention.ground=Toestemming",
		owner: 303, officer: 404, otherBranch: 404},
	"GET /staff/register/activities/:key/edit": {probe: "GET /staff/register/activities/bestaat-niet/edit", anonymous: toSignIn,
		owner: 404, officer: 404, otherBranch: 404},
	"POST /staff/register/activities/:key/edit": {probe: "POST /staff/register/activities/bestaat-niet/edit", body: "name=x",
		anonymous: noCSRF, anonymousCSRF: noSess, owner: 404, officer: 404, otherBranch: 404},
	"echo_route_not_found /staff/register":   {probe: "DELETE /staff/register", anonymous: noCSRF},
	"echo_route_not_found /staff/register/*": {probe: "GET /staff/register/nothing/here", anonymous: toSignIn, owner: 404, officer: 404, otherBranch: 404},

	// The API: any staff token reads, owners' tokens write (403 for
	// officers).
	"GET /api/v1/activities": {probe: "GET /api/v1/activities", anonymous: 401, staffOnly: true, owner: 200, officer: 200, otherBranch: 200},
	"POST /api/v1/activities": {probe: "POST /api/v1/activities", anonymous: 401, staffOnly: true, owner: 201, officer: 403, otherBranch: 403,
		body: `{"key":"api-{n}","name":"Matrix","purpose":"Testen","legal_basis":"consent","data_subjects":["Testers"],` +
			`"data_categories":["Naam"],"recipients":[],"retention":{"months":12,"from":"nu","ground":"Toestemming"},"source":"","security":""}`},
	"PUT /api/v1/activities/:key": {probe: "PUT /api/v1/activities/bestaat-niet", anonymous: 401, staffOnly: true, owner: 404, officer: 403, otherBranch: 403,
		body: `{"name":"Matrix","purpose":"Testen","legal_basis":"consent","data_subjects":["Testers"],` +
			`"data_categories":["Naam"],"recipients":[],"retention":{"months":12,"from":"nu","ground":"Toestemming"},"source":"","security":""}`},
}

func init() {
	for route, a := range registerRouteAccess {
		routeAccess[route] = a
	}
}
