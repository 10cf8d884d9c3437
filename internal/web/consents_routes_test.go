package web_test

// consentRouteAccess are the access decisions for the consent registry and
// the case's identity check in the API (SECURITY.md item 1), added to
// routeAccess. {ref} is an access request: choosing consents on it is a
// conflict (409) for staff of its branch and not found for others. Whether
// the matrix's register holds an activity on consent depends on the order
// of the probes, so the posts of a consent leave the activity out: invalid
// for every member. What a real consent does is TestConsentPages' and
// TestConsentAPI's.
var consentRouteAccess = map[string]access{
	"GET /staff/consents":     {probe: "GET /staff/consents?q=matrix%40example.nl", anonymous: toSignIn, owner: 200, officer: 200, otherBranch: 200},
	"GET /staff/consents/new": {probe: "GET /staff/consents/new", anonymous: toSignIn, owner: 200, officer: 200, otherBranch: 200},
	"POST /staff/consents/new": {probe: "POST /staff/consents/new", anonymous: noCSRF, anonymousCSRF: noSess,
		body:  "subject.name=Matrix+Kind&subject.birth_date=2015-04-02&email=matrix%40example.nl&given_at=2026-01-10&given_by=self",
		owner: 422, officer: 422, otherBranch: 422},
	"POST /staff/cases/:ref/consents": {probe: "POST /staff/cases/{ref}/consents", body: "consents.ids=1",
		anonymous: noCSRF, anonymousCSRF: noSess, owner: 409, officer: 409, otherBranch: 404},

	"GET /api/v1/consents": {probe: "GET /api/v1/consents?email=matrix%40example.nl", anonymous: 401, staffOnly: true,
		owner: 200, officer: 200, otherBranch: 200},
	"POST /api/v1/consents": {probe: "POST /api/v1/consents", anonymous: 401, staffOnly: true, owner: 422, officer: 422, otherBranch: 422,
		body: `{"subject":{"name":"Matrix Kind","birth_date":"2015-04-02"},"email":"matrix@example.nl","given_at":"2026-01-10","given_by":"self"}`},
	"PUT /api/v1/cases/:reference/consents": {probe: "PUT /api/v1/cases/{ref}/consents", body: `{"consents":[]}`,
		anonymous: 401, staffOnly: true, owner: 409, officer: 409, otherBranch: 404},
	"POST /api/v1/cases/:reference/identity": {probe: "POST /api/v1/cases/{ref}/identity", body: `{"outcome":"verified","method":"email_on_file"}`,
		anonymous: 401, staffOnly: true, owner: 200, officer: 200, otherBranch: 404},
}

func init() {
	for route, a := range consentRouteAccess {
		routeAccess[route] = a
	}
}
