package web_test

import "strings"

// deliveryRouteAccess are the access decisions for answer documents and
// their delivery (SECURITY.md item 1), added to routeAccess so that
// TestEveryRouteHasAnAccessDecision and TestStaffPostsRefuseBadCSRF know
// them. The probe case has no documents: staff in scope find none to send
// (409) or to remove or download (404); another branch learns nothing. The
// upload reads the case before the body: a form that is not multipart is
// malformed in scope and not found out of it. The tracking routes with a
// wrong tracking token find nothing; what a requester gets with a real one
// is TestDeliveryJourney's.
var deliveryRouteAccess = map[string]access{
	"POST /staff/cases/:ref/documents": {probe: "POST /staff/cases/{ref}/documents", body: "file=x", anonymous: noCSRF, anonymousCSRF: noSess,
		owner: 400, officer: 400, otherBranch: 404},
	"POST /staff/cases/:ref/documents/:id/remove": {probe: "POST /staff/cases/{ref}/documents/0123456789abcdef0123456789abcdef/remove",
		anonymous: noCSRF, anonymousCSRF: noSess, owner: 404, officer: 404, otherBranch: 404},
	"POST /staff/cases/:ref/documents/send": {probe: "POST /staff/cases/{ref}/documents/send", anonymous: noCSRF, anonymousCSRF: noSess,
		owner: 409, officer: 409, otherBranch: 404},
	"GET /staff/cases/:ref/documents/:id": {probe: "GET /staff/cases/{ref}/documents/0123456789abcdef0123456789abcdef", anonymous: toSignIn,
		owner: 404, officer: 404, otherBranch: 404},
	"POST /volg/:token/code":         {probe: "POST /volg/" + strings.Repeat("A", 43) + "/code", anonymous: 403, anonymousCSRF: 404},
	"POST /volg/:token/code/check":   {probe: "POST /volg/" + strings.Repeat("A", 43) + "/code/check", body: "code=123456", anonymous: 403, anonymousCSRF: 404},
	"GET /volg/:token/documents/:id": {probe: "GET /volg/" + strings.Repeat("A", 43) + "/documents/0123456789abcdef0123456789abcdef", anonymous: 404},
}

func init() {
	for route, a := range deliveryRouteAccess {
		routeAccess[route] = a
	}
}
