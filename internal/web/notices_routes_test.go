package web_test

import "strings"

// noticeRouteAccess are the access decisions for the art. 19 notices of a
// case (SECURITY.md item 1), added to routeAccess. {ref} is an undecided
// access request without notices: staff of its branch find no letter to
// print (404) and no notice to mark posted (409), and read an empty list;
// another branch learns nothing (404). A notice link that does not exist
// finds nothing. What real notices do is TestNoticesJourney's.
var noticeRouteAccess = map[string]access{
	"GET /staff/cases/:ref/notices/:id/letter.pdf": {probe: "GET /staff/cases/{ref}/notices/1/letter.pdf", anonymous: toSignIn,
		owner: 404, officer: 404, otherBranch: 404},
	"POST /staff/cases/:ref/notices/:id/posted": {probe: "POST /staff/cases/{ref}/notices/1/posted",
		anonymous: noCSRF, anonymousCSRF: noSess, owner: 409, officer: 409, otherBranch: 404},
	"GET /mededeling/:token": {probe: "GET /mededeling/" + strings.Repeat("A", 43), anonymous: 404},
	"GET /api/v1/cases/:reference/notices": {probe: "GET /api/v1/cases/{ref}/notices", anonymous: 401, staffOnly: true,
		owner: 200, officer: 200, otherBranch: 404},
}

func init() {
	for route, a := range noticeRouteAccess {
		routeAccess[route] = a
	}
}
