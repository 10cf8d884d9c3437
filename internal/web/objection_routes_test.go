package web_test

// objectionRouteAccess are the access decisions for the objection of a
// case and the register of marketing stops, added to routeAccess like
// erasureRouteAccess. The probe case is an access case of branch utrecht:
// staff who may see it are told it is no objection (409), another branch
// learns nothing (404). Every staff member reads the stops of an activity,
// as they read the register; the probe names an activity that never
// exists. What a real objection does is TestObjection*'s.
var objectionRouteAccess = map[string]access{
	"POST /staff/cases/:ref/objection": {probe: "POST /staff/cases/{ref}/objection", body: "objection.activities=newsletter",
		anonymous: noCSRF, anonymousCSRF: noSess, owner: 409, officer: 409, otherBranch: 404},
	"PUT /api/v1/cases/:reference/objection": {probe: "PUT /api/v1/cases/{ref}/objection", body: `{"activities":[]}`,
		anonymous: 401, staffOnly: true, owner: 409, officer: 409, otherBranch: 404},
	"GET /api/v1/activities/:key/stops": {probe: "GET /api/v1/activities/bestaat-niet/stops", anonymous: 401, staffOnly: true,
		owner: 404, officer: 404, otherBranch: 404},
}

func init() {
	for route, a := range objectionRouteAccess {
		routeAccess[route] = a
	}
}
