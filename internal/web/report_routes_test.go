package web_test

// reportRouteAccess are the access decisions for the accountability report
// (AVG art. 5(2)), added to routeAccess so that
// TestEveryRouteHasAnAccessDecision knows them: owners only; officers find
// no such page.
var reportRouteAccess = map[string]access{
	"GET /staff/report":            {probe: "GET /staff/report", anonymous: toSignIn, owner: 200, officer: 404, otherBranch: 404},
	"GET /staff/report/report.csv": {probe: "GET /staff/report/report.csv", anonymous: toSignIn, owner: 200, officer: 404, otherBranch: 404},
	"GET /staff/report/report.pdf": {probe: "GET /staff/report/report.pdf", anonymous: toSignIn, owner: 200, officer: 404, otherBranch: 404},
}

func init() {
	for route, a := range reportRouteAccess {
		routeAccess[route] = a
	}
}
