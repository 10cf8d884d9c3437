package web_test

// rectificationRouteAccess are the access decisions for the items of a
// rectification case, added to routeAccess like erasureRouteAccess. The
// probe case is an access case of branch utrecht: staff who may see it are
// told it is no rectification (409), another branch learns nothing (404).
var rectificationRouteAccess = map[string]access{
	"PUT /api/v1/cases/:reference/rectification": {probe: "PUT /api/v1/cases/{ref}/rectification", body: `{"items":[]}`,
		anonymous: 401, staffOnly: true, owner: 409, officer: 409, otherBranch: 404},
	"POST /staff/cases/:ref/rectification": {probe: "POST /staff/cases/{ref}/rectification",
		body:      "rectification.field=adres&rectification.old=Kerkstraat+1&rectification.action=corrected&rectification.new=Dorpsstraat+12&rectification.systems=dossier",
		anonymous: noCSRF, anonymousCSRF: noSess, owner: 409, officer: 409, otherBranch: 404},
	"POST /staff/cases/:ref/rectification/remove": {probe: "POST /staff/cases/{ref}/rectification/remove", body: "rectification.item=0",
		anonymous: noCSRF, anonymousCSRF: noSess, owner: 409, officer: 409, otherBranch: 404},
}

func init() {
	for route, a := range rectificationRouteAccess {
		routeAccess[route] = a
	}
}
