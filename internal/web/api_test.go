package web_test

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/staff"
)

// object is a JSON object literal in tests.
type object = map[string]any

// newRequest is a valid public request body (API.md) for oneself.
func newRequest(name, email string) object {
	return object{
		"type":      "access",
		"requester": object{"name": name, "email": email, "relation": "self"},
		"details":   "Alles uit het dossier.",
		"language":  "nl",
	}
}

func with(o object, kv ...any) object {
	out := maps.Clone(o)
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

func keys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

// rfc3339Offset is a timestamp with a numeric offset of Amsterdam time.
var rfc3339Offset = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00$`)

func TestAPISubmitRequest(t *testing.T) {
	a := newTestServer(t)
	res := a.api(t, http.MethodPost, "/api/v1/requests", "", newRequest("Anna de Vries", "anna@example.nl"))
	if res.Status != http.StatusCreated {
		t.Fatalf("status %d, want 201\n%s", res.Status, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	got := res.object()
	want := object{"reference": "AVG-2026-0001", "type": "access", "status": "received",
		"received_at": "2026-11-25T10:31:00+01:00", "due_date": "2026-12-28"}
	if !maps.Equal(got, want) {
		t.Errorf("answer %v\nwant exactly %v", got, want)
	}
	token := a.trackingToken(t, "anna@example.nl")
	if bytes.Contains(res.Body, []byte("/volg/")) || bytes.Contains(res.Body, []byte(token)) {
		t.Errorf("the tracking link is in the answer: %s", res.Body)
	}
	if cs := a.cases(t); len(cs) != 1 || cs[0].Requester.Email != "anna@example.nl" {
		t.Errorf("stored %+v", cs)
	}

	t.Run("charset in the content type", func(t *testing.T) {
		res := a.api(t, http.MethodPost, "/api/v1/requests", "", newRequest("Bram", "bram@example.nl"),
			"Content-Type", "application/json; charset=utf-8")
		if res.Status != http.StatusCreated {
			t.Errorf("status %d, want 201\n%s", res.Status, res.Body)
		}
	})
}

func TestAPISubmitRequestRejected(t *testing.T) {
	valid := newRequest("Anna de Vries", "anna@example.nl")
	tests := []struct {
		name        string
		contentType string
		body        any
		status      int
		fields      map[string]string // field → message ID, for 422
	}{
		{name: "malformed JSON", body: `{"type": "access", "requester": {`, status: 400},
		{name: "not an object", body: `["access"]`, status: 400},
		{name: "two objects", body: `{"type":"access"} {"type":"access"}`, status: 400},
		{name: "empty body", body: ``, status: 400},
		{name: "wrong type of value", body: `{"type": 15}`, status: 400},
		{name: "unknown field", body: with(valid, "priority", "high"), status: 400},
		{name: "unknown nested field", body: with(valid, "requester", object{"name": "A", "email": "a@example.nl", "relation": "self", "role": "owner"}), status: 400},
		{name: "status cannot be assigned", body: with(valid, "status", "completed"), status: 400},
		{name: "reference cannot be assigned", body: with(valid, "reference", "AVG-2026-0777"), status: 400},
		{name: "received_at is for staff", body: with(valid, "received_at", "2026-01-01"), status: 400},
		{name: "text content type", contentType: "text/plain", body: valid, status: 400},
		{name: "form content type", contentType: "application/x-www-form-urlencoded", body: valid, status: 400},
		{name: "no content type", contentType: "-", body: valid, status: 400},
		{name: "invalid fields", body: object{
			"type":      "deletion",
			"requester": object{"name": "", "email": "anna@", "phone": "nul-zes", "relation": "parent"},
			"subject":   object{"name": "", "birth_date": "2030-01-01"},
		}, status: 422, fields: map[string]string{
			"type": "field.choose", "requester.name": "field.required", "requester.email": "field.email",
			"requester.phone": "field.phone", "subject.name": "field.required", "subject.birth_date": "field.date_future",
		}},
		{name: "parent without subject", body: with(valid, "requester", object{"name": "Anna", "email": "anna@example.nl", "relation": "parent"}),
			status: 422, fields: map[string]string{"subject.name": "field.required", "subject.birth_date": "field.required"}},
		{name: "unknown relation", body: with(valid, "requester", object{"name": "Anna", "email": "anna@example.nl", "relation": "neighbour"}),
			status: 422, fields: map[string]string{"requester.relation": "field.choose"}},
		{name: "rectification without wishes", body: with(valid, "type", "rectification", "details", ""),
			status: 422, fields: map[string]string{"details": "field.required"}},
		{name: "unknown consent", body: with(valid, "type", "consent_withdrawal", "specifics", object{"consents": []string{"everything"}}),
			status: 422, fields: map[string]string{"specifics.consents": "field.choose"}},
		{name: "unknown branch", body: with(valid, "branch", "rotterdam"),
			status: 422, fields: map[string]string{"branch": "field.branch"}},
		{name: "details too long", body: with(valid, "details", strings.Repeat("a", 5001)),
			status: 422, fields: map[string]string{"details": "field.too_long"}},
		{name: "NUL in a name", body: with(valid, "requester", object{"name": "Anna\u0000", "email": "anna@example.nl", "relation": "self"}),
			status: 422, fields: map[string]string{"requester.name": "field.invalid"}},
	}
	a := newTestServer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hdr []string
			switch tt.contentType {
			case "":
			case "-":
				hdr = []string{"Content-Type", ""}
			default:
				hdr = []string{"Content-Type", tt.contentType}
			}
			res := a.api(t, http.MethodPost, "/api/v1/requests", "", tt.body, hdr...)
			if res.Status != tt.status {
				t.Fatalf("status %d, want %d\n%s", res.Status, tt.status, res.Body)
			}
			wantCode := map[int]string{400: "malformed", 422: "invalid"}[tt.status]
			if code := res.errorCode(); code != wantCode {
				t.Errorf("error.code %q, want %q\n%s", code, wantCode, res.Body)
			}
			if msg, _ := res.object()["error"].(object)["message"].(string); msg == "" || strings.HasPrefix(msg, "error.") {
				t.Errorf("error.message %q is not a human text", msg)
			}
			fields := res.errorFields()
			if tt.status != 422 {
				if _, has := res.object()["error"].(object)["fields"]; has {
					t.Errorf("fields on a %d answer: %s", tt.status, res.Body)
				}
			}
			for f, id := range tt.fields {
				if fields[f] != a.en(id) {
					t.Errorf("fields[%q] = %q, want %q", f, fields[f], a.en(id))
				}
			}
			if len(fields) != len(tt.fields) {
				t.Errorf("fields %v, want exactly %v", keys(toAny(fields)), keys(toAny(tt.fields)))
			}
			a.assertNothingStored(t)
		})
	}
}

func toAny(m map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func TestAPIBodyLimit(t *testing.T) {
	// sized returns a valid JSON request of exactly n bytes, its details far
	// too long.
	sized := func(n int) string {
		head := `{"type":"access","requester":{"name":"Anna","email":"anna@example.nl","relation":"self"},"details":"`
		return head + strings.Repeat("a", n-len(head)-2) + `"}`
	}
	const MiB = 1 << 20
	a := newTestServer(t)
	tests := []struct {
		name    string
		body    string
		chunked bool
		status  int
		code    string
	}{
		{"2 MiB with Content-Length", sized(2 * MiB), false, 413, "too_large"},
		{"2 MiB chunked", sized(2 * MiB), true, 413, "too_large"},
		{"1 MiB and a byte with Content-Length", sized(MiB + 1), false, 413, "too_large"},
		{"1 MiB and a byte chunked", sized(MiB + 1), true, 413, "too_large"},
		{"exactly 1 MiB", sized(MiB), false, 422, "invalid"},
		{"exactly 1 MiB chunked", sized(MiB), true, 422, "invalid"},
		{"1,000,001 bytes", sized(1_000_001), false, 422, "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader = strings.NewReader(tt.body)
			if tt.chunked {
				body = io.MultiReader(body) // hides the length: sent chunked
			}
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, a.ts.URL+"/api/v1/requests", body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.chunked {
				req.ContentLength = -1
			}
			req.Header.Set("Content-Type", "application/json")
			res := a.send(t, req)
			if res.Status != tt.status || res.errorCode() != tt.code {
				t.Fatalf("status %d code %q, want %d %q", res.Status, res.errorCode(), tt.status, tt.code)
			}
			a.assertNothingStored(t)
		})
	}
}

func TestAPIRateLimit(t *testing.T) {
	a := newTestServer(t, withRate(5))
	for i := range 5 {
		res := a.api(t, http.MethodPost, "/api/v1/requests", "", newRequest("Anna", fmt.Sprintf("anna%d@example.nl", i)))
		if res.Status != http.StatusCreated {
			t.Fatalf("call %d: status %d, want 201", i+1, res.Status)
		}
	}
	for _, tt := range []struct {
		name string
		hdr  []string
	}{
		{"sixth call", nil},
		{"forged X-Forwarded-For", []string{"X-Forwarded-For", "198.51.100.23"}},
		{"forged X-Real-IP", []string{"X-Real-IP", "198.51.100.24"}},
		{"forged Forwarded", []string{"Forwarded", "for=198.51.100.25"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := a.api(t, http.MethodPost, "/api/v1/requests", "", newRequest("Bram", "bram@example.nl"), tt.hdr...)
			if res.Status != http.StatusTooManyRequests || res.errorCode() != "rate_limited" {
				t.Fatalf("status %d code %q, want 429 rate_limited", res.Status, res.errorCode())
			}
			if res.Header.Get("Retry-After") == "" {
				t.Error("no Retry-After")
			}
		})
	}
	t.Run("the public form shares the budget", func(t *testing.T) {
		b := a.browser(t)
		csrf, idem := b.formTokens("/verzoek/access")
		p := b.post("/verzoek/access", validForm(csrf, idem))
		if p.Status != http.StatusTooManyRequests {
			t.Fatalf("status %d, want 429", p.Status)
		}
		if !strings.Contains(p.text(), a.nl("error.rate_limited")) {
			t.Errorf("page does not explain:\n%s", p.text())
		}
	})
	if n := len(a.cases(t)); n != 5 {
		t.Errorf("%d cases, want 5", n)
	}
}

func TestAPIRateLimitBehindTrustedProxy(t *testing.T) {
	a := newTestServer(t, withRate(2), withTrustedProxies("127.0.0.0/8"))
	call := func(client string) int {
		t.Helper()
		return a.api(t, http.MethodPost, "/api/v1/requests", "", object{}, "X-Forwarded-For", client).Status
	}
	for i := range 2 {
		if s := call("198.51.100.1"); s != http.StatusUnprocessableEntity {
			t.Fatalf("call %d: status %d, want 422", i+1, s)
		}
	}
	if s := call("198.51.100.1"); s != http.StatusTooManyRequests {
		t.Errorf("third call from one client: status %d, want 429", s)
	}
	if s := call("198.51.100.2"); s != http.StatusUnprocessableEntity {
		t.Errorf("another client behind the proxy: status %d, want 422", s)
	}
}

func TestAPIIdempotency(t *testing.T) {
	a := newTestServer(t)
	body := newRequest("Anna de Vries", "anna@example.nl")
	first := a.api(t, http.MethodPost, "/api/v1/requests", "", body, "Idempotency-Key", "order-4711")
	if first.Status != http.StatusCreated {
		t.Fatalf("first: status %d", first.Status)
	}
	tests := []struct {
		name   string
		key    string
		body   object
		status int
		ref    string
	}{
		{"replay", "order-4711", body, 200, "AVG-2026-0001"},
		{"replay again", "order-4711", body, 200, "AVG-2026-0001"},
		{"same key, other request", "order-4711", with(body, "type", "erasure"), 409, ""},
		{"same key, other requester", "order-4711", newRequest("Bram", "bram@example.nl"), 409, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := a.api(t, http.MethodPost, "/api/v1/requests", "", tt.body, "Idempotency-Key", tt.key)
			if res.Status != tt.status {
				t.Fatalf("status %d, want %d\n%s", res.Status, tt.status, res.Body)
			}
			if tt.status == 200 {
				if !bytes.Equal(res.Body, first.Body) {
					t.Errorf("replay answered\n%s\nfirst answer was\n%s", res.Body, first.Body)
				}
			} else if res.errorCode() != "conflict" {
				t.Errorf("code %q, want conflict", res.errorCode())
			}
		})
	}
	if n := len(a.cases(t)); n != 1 {
		t.Errorf("%d cases, want 1", n)
	}
	if n := len(a.outbox(t)); n != 1 {
		t.Errorf("%d mails, want 1", n)
	}
	if res := a.api(t, http.MethodPost, "/api/v1/requests", "", body, "Idempotency-Key", "order-4712"); res.Status != 201 || res.object()["reference"] != "AVG-2026-0002" {
		t.Errorf("a new key: status %d %s, want 201 AVG-2026-0002", res.Status, res.Body)
	}
}

func TestAPIStaffAuthentication(t *testing.T) {
	a := newTestServer(t)
	if res := a.api(t, http.MethodPost, "/api/v1/requests", "", newRequest("Anna de Vries", "anna@example.nl")); res.Status != 201 {
		t.Fatalf("seed case: %d", res.Status)
	}
	_, revoked := a.addStaff(t, "oud@praktijk.example", staff.Owner)
	if err := a.store.RevokeAPIToken(t.Context(), casework.HashToken(revoked), a.clock.Now()); err != nil {
		t.Fatal(err)
	}
	_, live := a.addStaff(t, "eigenaar@praktijk.example", staff.Owner)
	routes := []struct{ method, path string }{
		{http.MethodGet, "/api/v1/cases"},
		{http.MethodGet, "/api/v1/cases/AVG-2026-0001"},
		{http.MethodPost, "/api/v1/cases"},
	}
	creds := []struct{ name, header string }{
		{"no token", ""},
		{"empty bearer", "Bearer "},
		{"bad token", "Bearer " + strings.Repeat("x", 43)},
		{"revoked token", "Bearer " + revoked},
		{"token without Bearer", live},
		{"basic auth", "Basic ZWlnZW5hYXI6d2FjaHR3b29yZA=="},
	}
	for _, r := range routes {
		for _, c := range creds {
			t.Run(r.method+" "+r.path+"/"+c.name, func(t *testing.T) {
				var body any
				if r.method == http.MethodPost {
					body = with(newRequest("Bram", "bram@example.nl"), "received_at", "2026-11-20", "channel", "post")
				}
				var hdr []string
				if c.header != "" {
					hdr = []string{"Authorization", c.header}
				}
				res := a.api(t, r.method, r.path, "", body, hdr...)
				if res.Status != http.StatusUnauthorized || res.errorCode() != "unauthorized" {
					t.Fatalf("status %d code %q, want 401 unauthorized", res.Status, res.errorCode())
				}
				if bytes.Contains(res.Body, []byte("Anna")) || bytes.Contains(res.Body, []byte("AVG-2026")) {
					t.Errorf("401 answer holds case data: %s", res.Body)
				}
			})
		}
	}
	if n := len(a.cases(t)); n != 1 {
		t.Errorf("%d cases, want 1", n)
	}
	if res := a.api(t, http.MethodGet, "/api/v1/cases/AVG-2026-0001", live, nil); res.Status != http.StatusOK {
		t.Errorf("live token: status %d, want 200", res.Status)
	}
}

func TestAPIGetCase(t *testing.T) {
	a := newTestServer(t, withBranches("utrecht"))
	_, owner := a.addStaff(t, "eigenaar@praktijk.example", staff.Owner)
	body := object{
		"type":      "access",
		"requester": object{"name": "Anna de Vries", "email": "anna@example.nl", "relation": "parent"},
		"subject":   object{"name": "Sem de Vries", "birth_date": "2014-03-09"},
	}
	if res := a.api(t, http.MethodPost, "/api/v1/requests", "", body); res.Status != 201 {
		t.Fatalf("submit: %d %s", res.Status, res.Body)
	}
	res := a.api(t, http.MethodGet, "/api/v1/cases/AVG-2026-0001", owner, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("status %d", res.Status)
	}
	got := res.object()
	want := object{
		"reference": "AVG-2026-0001", "type": "access", "status": "received", "outcome": nil,
		"branch": "utrecht", "channel": "web", "received_at": "2026-11-25T10:31:00+01:00",
		"due_date": "2026-12-28", "extended": false, "original_due_date": "2026-12-28", "assignee": nil,
	}
	for k, v := range want {
		if gv, ok := got[k]; !ok || gv != v {
			t.Errorf("%s = %#v (present %v), want %#v", k, gv, ok, v)
		}
	}
	requester, _ := got["requester"].(object)
	if requester["name"] != "Anna de Vries" || requester["email"] != "anna@example.nl" || requester["relation"] != "parent" {
		t.Errorf("requester %v", requester)
	}
	subject, _ := got["subject"].(object)
	if subject["name"] != "Sem de Vries" || subject["birth_date"] != "2014-03-09" {
		t.Errorf("subject %v", subject)
	}
	identity, _ := got["identity"].(object)
	if !maps.Equal(identity, object{"status": "unverified", "method": nil, "verified_at": nil}) {
		t.Errorf("identity %v", identity)
	}
	t.Run("unknown reference", func(t *testing.T) {
		res := a.api(t, http.MethodGet, "/api/v1/cases/AVG-2026-0002", owner, nil)
		if res.Status != http.StatusNotFound || res.errorCode() != "not_found" {
			t.Errorf("status %d code %q, want 404 not_found", res.Status, res.errorCode())
		}
	})
}

func TestAPICreateCase(t *testing.T) {
	a := newTestServer(t, withBranches("amsterdam", "utrecht"))
	_, owner := a.addStaff(t, "eigenaar@praktijk.example", staff.Owner)
	_, officer := a.addStaff(t, "ams@praktijk.example", staff.Officer, "amsterdam")
	letter := with(newRequest("Cor Bakker", "cor@example.nl"), "branch", "utrecht", "received_at", "2026-10-20", "channel", "post")

	res := a.api(t, http.MethodPost, "/api/v1/cases", owner, letter)
	if res.Status != http.StatusCreated {
		t.Fatalf("status %d, want 201\n%s", res.Status, res.Body)
	}
	got := res.object()
	want := object{"reference": "AVG-2026-0001", "channel": "post", "branch": "utrecht",
		"received_at": "2026-10-20T00:00:00+02:00", "due_date": "2026-11-20", "status": "received"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %#v, want %#v", k, got[k], v)
		}
	}
	if again := a.api(t, http.MethodGet, "/api/v1/cases/AVG-2026-0001", owner, nil); !bytes.Equal(again.Body, res.Body) {
		t.Errorf("201 answer differs from GET:\n%s\n%s", res.Body, again.Body)
	}

	ok := []struct {
		name        string
		token       string
		body        object
		received    string
		due, branch string
	}{
		{"timestamp in winter time", owner, with(letter, "received_at", "2026-11-24T16:05:00Z", "channel", "email"),
			"2026-11-24T17:05:00+01:00", "2026-12-24", "utrecht"},
		{"today", owner, with(letter, "received_at", "2026-11-25", "channel", "in_person"),
			"2026-11-25T00:00:00+01:00", "2026-12-28", "utrecht"},
		{"officer's own branch by default", officer, with(letter, "branch", "", "channel", "phone"),
			"2026-10-20T00:00:00+02:00", "2026-11-20", "amsterdam"},
	}
	for _, tt := range ok {
		t.Run(tt.name, func(t *testing.T) {
			res := a.api(t, http.MethodPost, "/api/v1/cases", tt.token, tt.body)
			if res.Status != http.StatusCreated {
				t.Fatalf("status %d\n%s", res.Status, res.Body)
			}
			got := res.object()
			if got["received_at"] != tt.received || got["due_date"] != tt.due || got["branch"] != tt.branch {
				t.Errorf("received_at %v due %v branch %v, want %s %s %s", got["received_at"], got["due_date"], got["branch"], tt.received, tt.due, tt.branch)
			}
			if s, _ := got["received_at"].(string); !rfc3339Offset.MatchString(s) {
				t.Errorf("received_at %q is not RFC 3339 with the Amsterdam offset", s)
			}
		})
	}

	stored := len(a.cases(t))
	bad := []struct {
		name   string
		token  string
		body   object
		fields map[string]string
	}{
		{"received tomorrow", owner, with(letter, "received_at", "2026-11-26"), map[string]string{"received_at": "field.date_future"}},
		{"received a minute from now", owner, with(letter, "received_at", "2026-11-25T09:32:00Z"), map[string]string{"received_at": "field.date_future"}},
		{"received_at missing", owner, with(letter, "received_at", ""), map[string]string{"received_at": "field.required"}},
		{"received_at not a date", owner, with(letter, "received_at", "20-10-2026"), map[string]string{"received_at": "field.datetime"}},
		{"unknown channel", owner, with(letter, "channel", "fax"), map[string]string{"channel": "field.choose"}},
		{"branch outside the officer's", officer, letter, map[string]string{"branch": "field.branch_scope"}},
		{"no branch with two", owner, with(letter, "branch", ""), map[string]string{"branch": "field.choose"}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			res := a.api(t, http.MethodPost, "/api/v1/cases", tt.token, tt.body)
			if res.Status != http.StatusUnprocessableEntity || res.errorCode() != "invalid" {
				t.Fatalf("status %d code %q, want 422 invalid\n%s", res.Status, res.errorCode(), res.Body)
			}
			fields := res.errorFields()
			for f, id := range tt.fields {
				if fields[f] != a.en(id) {
					t.Errorf("fields[%q] = %q, want %q (all: %v)", f, fields[f], a.en(id), fields)
				}
			}
		})
	}
	if n := len(a.cases(t)); n != stored {
		t.Errorf("%d cases after rejected calls, want %d", n, stored)
	}
}

// listFixture files four cases, listed by due date as
// AVG-2026-0003 (due 2026-11-20, overdue), AVG-2026-0004 (2026-12-02),
// AVG-2026-0001 and AVG-2026-0002 (both 2026-12-28).
func listFixture(t *testing.T) (a *testApp, owner, officer string) {
	t.Helper()
	a = newTestServer(t, withBranches("amsterdam", "utrecht"))
	_, owner = a.addStaff(t, "eigenaar@praktijk.example", staff.Owner)
	_, officer = a.addStaff(t, "ams@praktijk.example", staff.Officer, "amsterdam")
	calls := []struct {
		path string
		body object
	}{
		{"/api/v1/requests", with(newRequest("Anna Jansen", "anna@example.nl"), "branch", "utrecht")},
		{"/api/v1/requests", with(newRequest("Bram de Boer", "bram@example.nl"), "type", "erasure", "branch", "amsterdam")},
		{"/api/v1/cases", with(newRequest("Cor Bakker", "cor@example.nl"), "type", "rectification", "branch", "utrecht",
			"received_at", "2026-10-20", "channel", "post")},
		{"/api/v1/cases", with(newRequest("Dina Smit", "dina@example.nl"), "type", "objection", "branch", "amsterdam",
			"received_at", "2026-11-02", "channel", "phone")},
	}
	for i, c := range calls {
		if res := a.api(t, http.MethodPost, c.path, owner, c.body); res.Status != http.StatusCreated {
			t.Fatalf("case %d: status %d %s", i+1, res.Status, res.Body)
		}
	}
	return a, owner, officer
}

// listRefs GETs /api/v1/cases?query and returns the references and the
// next cursor.
func listRefs(t *testing.T, a *testApp, token, query string) ([]string, *string) {
	t.Helper()
	res := a.api(t, http.MethodGet, "/api/v1/cases?"+query, token, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("GET /api/v1/cases?%s: status %d\n%s", query, res.Status, res.Body)
	}
	got := res.object()
	if !slices.Equal(keys(got), []string{"cases", "next_cursor"}) {
		t.Errorf("list keys %v", keys(got))
	}
	refs := []string{}
	list, _ := got["cases"].([]any)
	for _, c := range list {
		refs = append(refs, c.(object)["reference"].(string))
	}
	var next *string
	if s, ok := got["next_cursor"].(string); ok {
		next = &s
	} else if got["next_cursor"] != nil {
		t.Errorf("next_cursor %#v", got["next_cursor"])
	}
	return refs, next
}

func TestAPIListCases(t *testing.T) {
	a, owner, officer := listFixture(t)
	all := []string{"AVG-2026-0003", "AVG-2026-0004", "AVG-2026-0001", "AVG-2026-0002"}
	tests := []struct {
		name, token, query string
		want               []string
	}{
		{"all", owner, "", all},
		{"status received", owner, "status=received", all},
		{"status completed", owner, "status=completed", nil},
		{"type", owner, "type=erasure", []string{"AVG-2026-0002"}},
		{"branch", owner, "branch=amsterdam", []string{"AVG-2026-0004", "AVG-2026-0002"}},
		{"overdue", owner, "overdue=true", []string{"AVG-2026-0003"}},
		{"overdue false", owner, "overdue=false", all},
		{"due before", owner, "due_before=2026-12-28", []string{"AVG-2026-0003", "AVG-2026-0004"}},
		{"reference", owner, "q=AVG-2026-0002", []string{"AVG-2026-0002"}},
		{"reference in lower case", owner, "q=avg-2026-0004", []string{"AVG-2026-0004"}},
		{"requester's name", owner, "q=" + url.QueryEscape("anna  JANSEN"), []string{"AVG-2026-0001"}},
		{"part of a name finds nothing", owner, "q=Anna", nil},
		{"combined", owner, "branch=utrecht&due_before=2026-12-01", []string{"AVG-2026-0003"}},
		{"officer sees own branch", officer, "", []string{"AVG-2026-0004", "AVG-2026-0002"}},
		{"officer filtering another branch", officer, "branch=utrecht", nil},
		{"officer searching another branch's case", officer, "q=AVG-2026-0001", nil},
		{"officer searching another branch's name", officer, "q=" + url.QueryEscape("Cor Bakker"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, next := listRefs(t, a, tt.token, tt.query)
			if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if next != nil {
				t.Errorf("next_cursor %q on the only page", *next)
			}
		})
	}

	for _, limit := range []int{1, 3, 4} {
		t.Run(fmt.Sprintf("paging by %d", limit), func(t *testing.T) {
			var got []string
			query := fmt.Sprintf("limit=%d", limit)
			for pages := 0; ; pages++ {
				if pages > 5 {
					t.Fatal("paging does not end")
				}
				refs, next := listRefs(t, a, owner, query)
				if len(refs) > limit {
					t.Fatalf("page of %d, limit %d", len(refs), limit)
				}
				got = append(got, refs...)
				if next == nil {
					break
				}
				query = fmt.Sprintf("limit=%d&cursor=%s", limit, url.QueryEscape(*next))
			}
			if !slices.Equal(got, all) {
				t.Errorf("pages gave %v, want %v", got, all)
			}
		})
	}
	t.Run("officer pages only own branch", func(t *testing.T) {
		refs, next := listRefs(t, a, officer, "limit=1")
		if !slices.Equal(refs, []string{"AVG-2026-0004"}) || next == nil {
			t.Fatalf("first page %v next %v", refs, next)
		}
		refs, next = listRefs(t, a, officer, "limit=1&cursor="+url.QueryEscape(*next))
		if !slices.Equal(refs, []string{"AVG-2026-0002"}) {
			t.Errorf("second page %v", refs)
		}
		if next != nil {
			refs, _ = listRefs(t, a, officer, "limit=1&cursor="+url.QueryEscape(*next))
			if len(refs) != 0 {
				t.Errorf("third page %v, want none", refs)
			}
		}
	})

	invalid := []struct{ query, field string }{
		{"limit=0", "limit"},
		{"limit=201", "limit"},
		{"limit=-1", "limit"},
		{"limit=ten", "limit"},
		{"status=open", "status"},
		{"type=complaint", "type"},
		{"overdue=yes", "overdue"},
		{"due_before=2026-13-01", "due_before"},
		{"cursor=" + url.QueryEscape("not a cursor!"), "cursor"},
	}
	for _, tt := range invalid {
		t.Run("invalid "+tt.query, func(t *testing.T) {
			res := a.api(t, http.MethodGet, "/api/v1/cases?"+tt.query, owner, nil)
			if res.Status != http.StatusUnprocessableEntity || res.errorCode() != "invalid" {
				t.Fatalf("status %d code %q, want 422 invalid\n%s", res.Status, res.errorCode(), res.Body)
			}
			if _, ok := res.errorFields()[tt.field]; !ok {
				t.Errorf("fields %v lack %s", res.errorFields(), tt.field)
			}
		})
	}
	t.Run("limit 200 is allowed", func(t *testing.T) {
		if got, _ := listRefs(t, a, owner, "limit=200"); !slices.Equal(got, all) {
			t.Errorf("got %v", got)
		}
	})
}

func TestAPIBranchScope(t *testing.T) {
	a, owner, officer := listFixture(t)
	_, headOffice := a.addStaff(t, "hoofd@praktijk.example", staff.Officer)
	_, utrecht := a.addStaff(t, "utr@praktijk.example", staff.Officer, "utrecht")
	missing := a.api(t, http.MethodGet, "/api/v1/cases/AVG-2026-0099", owner, nil)
	tests := []struct {
		name, token, ref string
		visible          bool
	}{
		{"owner, utrecht case", owner, "AVG-2026-0001", true},
		{"owner, amsterdam case", owner, "AVG-2026-0002", true},
		{"head office, utrecht case", headOffice, "AVG-2026-0001", true},
		{"amsterdam officer, amsterdam case", officer, "AVG-2026-0002", true},
		{"amsterdam officer, utrecht case", officer, "AVG-2026-0001", false},
		{"amsterdam officer, utrecht letter", officer, "AVG-2026-0003", false},
		{"utrecht officer, amsterdam case", utrecht, "AVG-2026-0004", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := a.api(t, http.MethodGet, "/api/v1/cases/"+tt.ref, tt.token, nil)
			if tt.visible {
				if res.Status != http.StatusOK || res.object()["reference"] != tt.ref {
					t.Errorf("status %d %s, want 200", res.Status, res.Body)
				}
				return
			}
			if res.Status != http.StatusNotFound || res.errorCode() != "not_found" {
				t.Fatalf("status %d code %q, want 404 not_found", res.Status, res.errorCode())
			}
			if !bytes.Equal(res.Body, missing.Body) {
				t.Errorf("answer differs from an unknown reference's:\n%s\n%s", res.Body, missing.Body)
			}
			for _, leak := range []string{"Anna", "Bram", "Cor", "Dina", "@example.nl", "utrecht", "amsterdam"} {
				if bytes.Contains(res.Body, []byte(leak)) {
					t.Errorf("404 answer holds %q", leak)
				}
			}
		})
	}
	t.Run("lists", func(t *testing.T) {
		for _, tt := range []struct {
			name, token string
			want        []string
		}{
			{"owner", owner, []string{"AVG-2026-0003", "AVG-2026-0004", "AVG-2026-0001", "AVG-2026-0002"}},
			{"head office", headOffice, []string{"AVG-2026-0003", "AVG-2026-0004", "AVG-2026-0001", "AVG-2026-0002"}},
			{"amsterdam", officer, []string{"AVG-2026-0004", "AVG-2026-0002"}},
			{"utrecht", utrecht, []string{"AVG-2026-0003", "AVG-2026-0001"}},
		} {
			if got, _ := listRefs(t, a, tt.token, ""); !slices.Equal(got, tt.want) {
				t.Errorf("%s sees %v, want %v", tt.name, got, tt.want)
			}
		}
	})
}
