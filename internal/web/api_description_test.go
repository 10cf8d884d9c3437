package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"

	"github.com/avgloket/avgloket/internal/staff"
)

const descriptionPath = "/api/v1/openapi.json"

// description fetches the API's description as a visitor without a token
// would.
func (a *testApp) description(tb testing.TB) []byte {
	tb.Helper()
	res := a.api(tb, http.MethodGet, descriptionPath, "", nil)
	if res.Status != http.StatusOK {
		tb.Fatalf("GET %s: %d\n%s", descriptionPath, res.Status, res.Body)
	}
	return res.Body
}

// describedAPI is a validator of requests and answers built from the
// description the portal serves.
func describedAPI(tb testing.TB, doc []byte) validator.Validator {
	tb.Helper()
	d, err := libopenapi.NewDocument(doc)
	if err != nil {
		tb.Fatalf("the description does not parse: %v", err)
	}
	v, errs := validator.NewValidator(d, config.WithFormatAssertions())
	if len(errs) > 0 {
		tb.Fatalf("the description does not build: %v", errs)
	}
	return v
}

func describe(errs []*verrors.ValidationError) string {
	var sb strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&sb, "\n- %s: %s", e.Message, e.Reason)
		for _, f := range e.SchemaValidationErrors {
			fmt.Fprintf(&sb, "\n    %s %s: %s", f.FieldPath, f.KeywordLocation, f.Reason)
		}
	}
	return sb.String()
}

func TestAPIDescriptionIsServedAsOpenAPI31(t *testing.T) {
	a := newTestServer(t)
	res := a.api(t, http.MethodGet, descriptionPath, "", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("without a token: %d, want 200\n%s", res.Status, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "public") || !strings.Contains(cc, "max-age=") || strings.Contains(cc, "no-store") {
		t.Errorf("Cache-Control %q, want public with a max-age", cc)
	}
	etag := res.Header.Get("ETag")
	if !regexp.MustCompile(`^"[0-9a-f]{32}"$`).MatchString(etag) {
		t.Fatalf("ETag %q", etag)
	}
	again := a.api(t, http.MethodGet, descriptionPath, "", nil, "If-None-Match", etag)
	if again.Status != http.StatusNotModified || len(again.Body) != 0 {
		t.Errorf("with If-None-Match: %d and %d bytes, want 304 and none", again.Status, len(again.Body))
	}
	if other := a.api(t, http.MethodGet, descriptionPath, "", nil, "If-None-Match", `"0"`); other.Status != http.StatusOK {
		t.Errorf("with another ETag: %d, want 200", other.Status)
	}

	d, err := libopenapi.NewDocument(res.Body)
	if err != nil {
		t.Fatalf("does not parse: %v", err)
	}
	if v := d.GetVersion(); !strings.HasPrefix(v, "3.1.") {
		t.Errorf("OpenAPI %q, want 3.1", v)
	}
	v := describedAPI(t, res.Body)
	if ok, errs := v.ValidateDocument(); !ok {
		t.Errorf("not a valid OpenAPI 3.1 document:%s", describe(errs))
	}
	var doc struct {
		Components struct {
			SecuritySchemes map[string]struct{ Type, Scheme string } `json:"securitySchemes"`
		} `json:"components"`
		Security []map[string][]string `json:"security"`
	}
	if err := json.Unmarshal(res.Body, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Security) != 1 {
		t.Fatalf("security %v, want the bearer token for every operation that does not waive it", doc.Security)
	}
	for name := range doc.Security[0] {
		if s := doc.Components.SecuritySchemes[name]; s.Type != "http" || s.Scheme != "bearer" {
			t.Errorf("security scheme %s = %+v, want http bearer", name, s)
		}
	}
}

// operationsOf reads "METHOD /path" for every operation of the description,
// with echo's :name for {name}, and checks that every {name} of a path is a
// declared path parameter.
func operationsOf(t *testing.T, doc []byte) []string {
	t.Helper()
	type param struct {
		Ref  string `json:"$ref"`
		Name string `json:"name"`
		In   string `json:"in"`
	}
	var d struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Parameters map[string]param `json:"parameters"`
		} `json:"components"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	pathParams := func(raw json.RawMessage) []string {
		var holder struct {
			Parameters []param `json:"parameters"`
		}
		if err := json.Unmarshal(raw, &holder); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range holder.Parameters {
			if name, ok := strings.CutPrefix(p.Ref, "#/components/parameters/"); ok {
				p = d.Components.Parameters[name]
			}
			if p.In == "path" {
				names = append(names, p.Name)
			}
		}
		return names
	}
	placeholder := regexp.MustCompile(`\{([^}]+)\}`)
	var ops []string
	for path, item := range d.Paths {
		raw, _ := json.Marshal(item)
		shared := pathParams(raw)
		for method, op := range item {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options", "trace":
			default:
				continue
			}
			declared := append(slices.Clone(shared), pathParams(op)...)
			for _, m := range placeholder.FindAllStringSubmatch(path, -1) {
				if !slices.Contains(declared, m[1]) {
					t.Errorf("%s %s: {%s} is not a declared path parameter", strings.ToUpper(method), path, m[1])
				}
			}
			ops = append(ops, strings.ToUpper(method)+" "+placeholder.ReplaceAllString(path, ":$1"))
		}
	}
	slices.Sort(ops)
	return ops
}

// TestAPIDescriptionMatchesRoutes holds the description and the route table
// together: every route under /api/v1 is described with its method and
// path, and every described operation is a route. A new API route fails
// here until the description has it.
func TestAPIDescriptionMatchesRoutes(t *testing.T) {
	a := newTestServer(t)
	described := operationsOf(t, a.description(t))
	var routed []string
	for _, r := range a.srv.Routes() {
		if method, path, _ := strings.Cut(r, " "); strings.HasPrefix(path, "/api/v1/") && method != "echo_route_not_found" {
			routed = append(routed, r)
		}
	}
	slices.Sort(routed)
	if len(routed) < 12 {
		t.Fatalf("only %d API routes: %v", len(routed), routed)
	}
	for _, r := range routed {
		if !slices.Contains(described, r) {
			t.Errorf("route %s is not in %s: describe it (path, parameters, bodies, answers)", r, descriptionPath)
		}
	}
	for _, op := range described {
		if !slices.Contains(routed, op) {
			t.Errorf("%s describes %s, which is no route", descriptionPath, op)
		}
	}
}

// TestAPIDescriptionDescribesAnswers sends real calls to the real handlers
// and checks each request and each answer against the description: status,
// content type and body schema (required fields, types, enums, formats).
func TestAPIDescriptionDescribesAnswers(t *testing.T) {
	a := newTestServer(t, withBranches("utrecht"))
	v := describedAPI(t, a.description(t))
	owner := a.addToken(t, a.addMember(t, "eigenaar@praktijk.example", staff.Owner))

	// call sends the request, checks request and answer against the
	// description (the answer only when the request is meant to break it)
	// and returns the answer.
	call := func(method, path, token string, body any, want int, requestDescribed bool, hdr ...string) apiResponse {
		t.Helper()
		res := a.api(t, method, path, token, body, hdr...)
		if res.Status != want {
			t.Fatalf("%s %s: %d, want %d\n%s", method, path, res.Status, want, res.Body)
		}
		var js []byte
		switch b := body.(type) {
		case nil:
		case string:
			js = []byte(b)
		default:
			var err error
			if js, err = json.Marshal(b); err != nil {
				t.Fatal(err)
			}
		}
		req, err := http.NewRequestWithContext(t.Context(), method, a.ts.URL+path, bytes.NewReader(js))
		if err != nil {
			t.Fatal(err)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		answer := &http.Response{StatusCode: res.Status, Header: res.Header, Body: io.NopCloser(bytes.NewReader(res.Body)), Request: req}
		check := v.ValidateHttpResponse
		if requestDescribed {
			check = v.ValidateHttpRequestResponse
		}
		if ok, errs := check(req, answer); !ok {
			t.Errorf("%s %s (%d) does not match the description:%s\n%s", method, path, res.Status, describe(errs), res.Body)
		}
		return res
	}

	// The public form's API: filed, replayed, refused.
	req := with(newRequest("Noor Verzonnen", "noor@example.nl"), "branch", "utrecht")
	ref := call(http.MethodPost, "/api/v1/requests", "", req, http.StatusCreated, true, "Idempotency-Key", "k-1").object()["reference"].(string)
	call(http.MethodPost, "/api/v1/requests", "", req, http.StatusOK, true, "Idempotency-Key", "k-1")
	invalid := call(http.MethodPost, "/api/v1/requests", "", with(newRequest("Noor Verzonnen", "geen adres"), "branch", "utrecht"),
		http.StatusUnprocessableEntity, false)
	if f := invalid.errorFields(); f["requester.email"] == "" {
		t.Errorf("422 names no requester.email: %v", f)
	}
	call(http.MethodPost, "/api/v1/requests", "", `{"type":`, http.StatusBadRequest, false)

	// Cases.
	call(http.MethodGet, "/api/v1/practice", owner, nil, http.StatusOK, true)
	call(http.MethodGet, "/api/v1/cases/"+ref, "", nil, http.StatusUnauthorized, false)
	got := call(http.MethodGet, "/api/v1/cases/"+ref, owner, nil, http.StatusOK, true).object()
	if got["reference"] != ref || got["requester"].(map[string]any)["email"] != "noor@example.nl" {
		t.Errorf("GET the case: %v", got)
	}
	call(http.MethodGet, "/api/v1/cases/AVG-2026-9999", owner, nil, http.StatusNotFound, true)
	posted := call(http.MethodPost, "/api/v1/cases", owner, with(newRequest("Bas Bedacht", "bas@example.nl"), "branch", "utrecht",
		"type", "portability", "specifics", object{"format": "csv", "destination": "self"},
		"received_at", "2026-11-20", "channel", "post"), http.StatusCreated, true).object()
	call(http.MethodGet, "/api/v1/cases?status=received&limit=1", owner, nil, http.StatusOK, true)
	call(http.MethodGet, "/api/v1/cases?limit=500", owner, nil, http.StatusUnprocessableEntity, false)
	call(http.MethodPost, "/api/v1/cases/"+ref+"/extension", owner, object{"reason": "Omvangrijk dossier"}, http.StatusOK, true)
	call(http.MethodPost, "/api/v1/cases/"+ref+"/extension", owner, object{"reason": "Nogmaals"}, http.StatusConflict, true)
	call(http.MethodPost, "/api/v1/cases/"+posted["reference"].(string)+"/decision", owner,
		object{"outcome": "withdrawn", "withdrawn_how": "letter", "reasons": "Ingetrokken per brief."}, http.StatusOK, true)
	// A request by post without e-mail: registered with its address.
	postal := with(newRequest("Pim Papier", ""), "branch", "utrecht", "received_at", "2026-11-21", "channel", "post")
	postal["requester"].(map[string]any)["address"] = "Kerkstraat 1\n1234 AB Ergens"
	delete(postal["requester"].(map[string]any), "email")
	pref := call(http.MethodPost, "/api/v1/cases", owner, postal, http.StatusCreated, true).object()["reference"].(string)
	if got := call(http.MethodGet, "/api/v1/cases/"+pref, owner, nil, http.StatusOK, true).object(); got["requester"].(map[string]any)["address"] == nil {
		t.Errorf("GET the postal case has no requester.address: %v", got)
	}

	// The register of processing activities.
	officer := a.addToken(t, a.addMember(t, "medewerker@praktijk.example", staff.Officer))
	activity := object{"key": "wachtlijst", "name": "Wachtlijst", "purpose": "Aanmeldingen bijhouden tot de eerste afspraak.",
		"legal_basis": "contract", "special_categories": false, "direct_marketing": false, "automated_decisions": false,
		"data_subjects": []string{"Aangemelde cliënten"}, "data_categories": []string{"Naam", "Telefoonnummer"},
		"recipients": []object{{"name": "Planningsdienst", "kind": "processor", "country": "NL", "email": "", "agreement": true}},
		"retention":  object{"months": 12, "from": "de eerste afspraak", "ground": "Noodzaak"}, "source": "De cliënt", "security": "Toegang per rol."}
	call(http.MethodPost, "/api/v1/activities", officer, activity, http.StatusForbidden, true)
	call(http.MethodPost, "/api/v1/activities", owner, activity, http.StatusCreated, true)
	if acts := call(http.MethodGet, "/api/v1/activities", officer, nil, http.StatusOK, true).object()["activities"].([]any); len(acts) != 1 {
		t.Errorf("the register holds %d activities, want the one added", len(acts))
	}
	call(http.MethodPost, "/api/v1/activities", owner, activity, http.StatusConflict, true)
	activity["purpose"] = "Aanmeldingen bijhouden."
	call(http.MethodPut, "/api/v1/activities/wachtlijst", owner, activity, http.StatusOK, true)
	call(http.MethodPut, "/api/v1/activities/bestaat-niet", owner, with(activity, "key", "bestaat-niet"), http.StatusNotFound, true)
	call(http.MethodPost, "/api/v1/activities", owner, with(activity, "key", "Geen Sleutel"), http.StatusUnprocessableEntity, false)

	// Answering: the activities that concern the person, the access
	// statement, the identity check, consents, the decision letter.
	call(http.MethodPut, "/api/v1/cases/"+ref+"/activities", owner, object{"activities": []string{"wachtlijst"}}, http.StatusOK, true)
	call(http.MethodPut, "/api/v1/cases/"+ref+"/activities", owner, object{"activities": []string{"onbekend"}}, http.StatusUnprocessableEntity, false)
	call(http.MethodGet, "/api/v1/cases/"+ref+"/access-statement", owner, nil, http.StatusOK, true)
	call(http.MethodPost, "/api/v1/cases/"+ref+"/identity", owner, object{"outcome": "verified", "method": "email_on_file"}, http.StatusOK, true)
	call(http.MethodPost, "/api/v1/cases/"+ref+"/identity", owner, object{"outcome": "verified", "method": "email_on_file"}, http.StatusConflict, true)
	call(http.MethodPut, "/api/v1/cases/"+ref+"/consents", owner, object{"consents": []int{}}, http.StatusConflict, true)
	call(http.MethodPost, "/api/v1/activities", owner, with(activity, "key", "nieuwsbrief", "legal_basis", "consent", "direct_marketing", true), http.StatusCreated, true)
	consent := object{"activity": "nieuwsbrief", "subject": object{"name": "Noor Verzonnen", "birth_date": "1990-04-01"},
		"email": "noor@example.nl", "given_at": "2026-01-10", "given_by": "self"}
	call(http.MethodPost, "/api/v1/consents", officer, consent, http.StatusCreated, true)
	call(http.MethodPost, "/api/v1/consents", officer, with(consent, "activity", "wachtlijst"), http.StatusUnprocessableEntity, false)
	if got := call(http.MethodGet, "/api/v1/consents?email=noor%40example.nl", officer, nil, http.StatusOK, true).object()["consents"].([]any); len(got) != 1 {
		t.Errorf("GET consents: %v, want the one recorded", got)
	}
	call(http.MethodGet, "/api/v1/cases/"+ref+"/letter.pdf", owner, nil, http.StatusConflict, true)
	// Erasure: what was erased and what is kept; a kept item bars "granted".
	call(http.MethodPut, "/api/v1/cases/"+ref+"/erasure", owner, object{"items": []object{}}, http.StatusConflict, true)
	eref := call(http.MethodPost, "/api/v1/cases", owner, with(newRequest("Eva Erdacht", "eva@example.nl"), "branch", "utrecht",
		"type", "erasure", "specifics", object{"erasure_scope": "all"}, "received_at", "2026-11-20", "channel", "email"),
		http.StatusCreated, true).object()["reference"].(string)
	call(http.MethodPut, "/api/v1/cases/"+eref+"/activities", owner, object{"activities": []string{"wachtlijst", "nieuwsbrief"}}, http.StatusOK, true)
	saved := call(http.MethodPut, "/api/v1/cases/"+eref+"/erasure", owner, object{"items": []object{
		{"activity": "wachtlijst", "action": "erased", "system": "Wachtlijst"},
		{"activity": "nieuwsbrief", "action": "kept", "ground": "AWR art. 52", "until": "2033-12-31"}}}, http.StatusOK, true).object()
	if items, _ := saved["erasure"].([]any); len(items) != 2 || items[1].(map[string]any)["until"] != "2033-12-31" {
		t.Errorf("the case holds erasure items %v", saved["erasure"])
	}
	bad := call(http.MethodPut, "/api/v1/cases/"+eref+"/erasure", owner, object{"items": []object{
		{"activity": "wachtlijst", "action": "erased"},
		{"activity": "nieuwsbrief", "action": "kept", "ground": "Jeugdwet art. 7.3.8", "until": "2040-01-01"}}},
		http.StatusUnprocessableEntity, false).errorFields()
	if bad["items.1.ground"] == "" {
		t.Errorf("the dossier term as ground: fields %v", bad)
	}
	granted := call(http.MethodPost, "/api/v1/cases/"+eref+"/decision", owner,
		object{"outcome": "granted", "reasons": "Alles gewist."}, http.StatusUnprocessableEntity, false).errorFields()
	if granted["outcome"] == "" {
		t.Errorf("granted with a kept item: fields %v", granted)
	}
	// Objection: to direct marketing it stops at once, listed for a mailing tool.
	oref := call(http.MethodPost, "/api/v1/cases", owner, with(newRequest("Olga Ontvanger", "olga@example.nl"), "branch", "utrecht",
		"type", "objection", "specifics", object{"processing": "De nieuwsbrief", "direct_marketing": true}, "received_at", "2026-11-20",
		"channel", "email"), http.StatusCreated, true).object()["reference"].(string)
	call(http.MethodPut, "/api/v1/cases/"+oref+"/activities", owner, object{"activities": []string{"nieuwsbrief"}}, http.StatusOK, true)
	call(http.MethodPut, "/api/v1/cases/"+oref+"/objection", owner, object{"activities": []string{"nieuwsbrief"}, "outcome": "continued"},
		http.StatusUnprocessableEntity, false)
	call(http.MethodPut, "/api/v1/cases/"+oref+"/objection", owner, object{"activities": []string{"nieuwsbrief"}}, http.StatusOK, true)
	call(http.MethodPut, "/api/v1/cases/"+ref+"/objection", owner, object{"activities": []string{}}, http.StatusConflict, true)
	call(http.MethodGet, "/api/v1/activities/nieuwsbrief/stops", officer, nil, http.StatusOK, true)
	call(http.MethodGet, "/api/v1/activities/bestaat-niet/stops", officer, nil, http.StatusNotFound, true)
	// Restriction: what is restricted, on which ground, until when.
	rref := call(http.MethodPost, "/api/v1/cases", owner, with(newRequest("Rik Beperkt", "rik@example.nl"), "branch", "utrecht",
		"type", "restriction", "received_at", "2026-11-20", "channel", "email"), http.StatusCreated, true).object()["reference"].(string)
	call(http.MethodPut, "/api/v1/cases/"+rref+"/activities", owner, object{"activities": []string{"wachtlijst"}}, http.StatusOK, true)
	restriction := object{"activities": []string{"wachtlijst"}, "data": "De aanmelddatum", "ground": "accuracy_contested",
		"from": "2026-11-20", "until_event": "tot de juistheid is nagegaan"}
	if got := call(http.MethodPut, "/api/v1/cases/"+rref+"/restriction", owner, restriction, http.StatusOK, true).object(); got["restriction"] == nil {
		t.Errorf("the case holds no restriction: %v", got)
	}
	call(http.MethodPut, "/api/v1/cases/"+rref+"/restriction", owner, with(restriction, "until", "2027-01-31"), http.StatusUnprocessableEntity, true)
	call(http.MethodGet, "/api/v1/cases/"+eref+"/notices", owner, nil, http.StatusOK, true)
	call(http.MethodPost, "/api/v1/cases/"+eref+"/identity", owner, object{"outcome": "verified", "method": "email_on_file"}, http.StatusOK, true)
	call(http.MethodPost, "/api/v1/cases/"+eref+"/decision", owner, object{"outcome": "partially_granted", "ground": "legal_retention",
		"statute": "AWR art. 52", "until": "2033-12-31", "reasons": "De wachtlijst is gewist."}, http.StatusOK, true)
	// Art. 19: the erased activity's recipient is told, the kept one's not.
	told := call(http.MethodGet, "/api/v1/cases/"+eref+"/notices", owner, nil, http.StatusOK, true).object()["notices"].([]any)
	if len(told) != 1 || told[0].(map[string]any)["recipient"] != "Planningsdienst" || told[0].(map[string]any)["activity"] != "wachtlijst" {
		t.Errorf("GET notices: %v, want the one recipient of the erased activity", told)
	}
	call(http.MethodGet, "/api/v1/cases/"+posted["reference"].(string)+"/letter.pdf", owner, nil, http.StatusOK, true)

	// Breaches.
	breach := call(http.MethodPost, "/api/v1/breaches", owner, object{"title": "USB-stick kwijt",
		"aware_at": "2026-11-24T16:00:00+01:00", "description": "Een USB-stick met een verzonnen overzicht is zoek.",
		"branch": "utrecht", "kinds": []string{"confidentiality"}, "people": object{"exact": 12},
		"measures_before": object{"encrypted": false}}, http.StatusCreated, true).object()
	bref := breach["reference"].(string)
	call(http.MethodGet, "/api/v1/breaches/"+bref, owner, nil, http.StatusOK, true)
	assessed := call(http.MethodPut, "/api/v1/breaches/"+bref+"/assessment", owner, object{"dpc": 3, "ei": 0.75,
		"confidentiality": "unknown_recipients", "integrity": "none", "availability": "none", "malicious": false},
		http.StatusOK, true).object()
	if assessed["severity"] == nil {
		t.Errorf("the assessed breach has no severity: %v", assessed)
	}
	call(http.MethodPut, "/api/v1/breaches/"+bref+"/assessment", owner, object{"dpc": 9, "ei": 0.75,
		"confidentiality": "none", "integrity": "none", "availability": "none"}, http.StatusUnprocessableEntity, false)
	call(http.MethodGet, "/api/v1/breaches/"+bref+"/ap-draft", owner, nil, http.StatusOK, true)
	call(http.MethodGet, "/api/v1/breaches/DL-2026-999", owner, nil, http.StatusNotFound, true)
}
