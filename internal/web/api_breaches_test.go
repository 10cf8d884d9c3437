package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/staff"
)

// breachAPIApp is the portal with an owner, an officer of utrecht and one
// of amsterdam, each with an API token.
type breachAPIApp struct {
	*breachApp
	owner, utrecht, amsterdam string
}

func newBreachAPIApp(tb testing.TB) *breachAPIApp {
	tb.Helper()
	a := &breachAPIApp{breachApp: newBreachApp(tb)}
	a.breachMember(tb, "u@delinde.example", "Uri Utrecht", staff.Officer, "utrecht")
	a.breachMember(tb, "a@delinde.example", "Ada Amsterdam", staff.Officer, "amsterdam")
	a.owner = a.breachToken(tb, "els@delinde.example")
	a.utrecht = a.breachToken(tb, "u@delinde.example")
	a.amsterdam = a.breachToken(tb, "a@delinde.example")
	return a
}

// laptopBody is a breach as an integration registers it, discovered on the
// Friday evening before summer time starts.
func laptopBody() object {
	return object{"title": "Laptop gestolen", "aware_at": "2026-03-27T18:00:00+01:00", "branch": "utrecht",
		"description": "Laptop met dossiers uit de auto gestolen.", "kinds": []string{"confidentiality"}, "incident_type": "theft",
		"people": object{"min": 40, "max": 60}}
}

func TestAPICreateBreach(t *testing.T) {
	a := newBreachAPIApp(t)
	res := a.api(t, http.MethodPost, "/api/v1/breaches", a.utrecht, laptopBody())
	if res.Status != http.StatusCreated {
		t.Fatalf("status %d, want 201\n%s", res.Status, res.Body)
	}
	got := res.object()
	// 72 clock hours: the night of 29 March is an hour shorter, so the
	// deadline is at 19:00 summer time.
	for k, want := range map[string]any{"reference": "DL-2026-001", "aware_at": "2026-03-27T18:00:00+01:00",
		"ap_deadline": "2026-03-30T19:00:00+02:00", "title": "Laptop gestolen", "branch": "utrecht", "decision_open": true,
		"severity": nil, "decision": nil} {
		if got[k] != want {
			t.Errorf("%s = %v, want %v", k, got[k], want)
		}
	}
	if p, ok := got["people"].(map[string]any); !ok || p["min"] != 40.0 || p["max"] != 60.0 {
		t.Errorf("people = %v", got["people"])
	}

	// The breach reads back the same.
	back := a.api(t, http.MethodGet, "/api/v1/breaches/DL-2026-001", a.owner, nil)
	if back.Status != http.StatusOK || !bytes.Equal(back.Body, res.Body) {
		t.Errorf("GET = %d\n%s\nwant the creation's answer\n%s", back.Status, back.Body, res.Body)
	}
}

func TestAPIBreachRefusals(t *testing.T) {
	a := newBreachAPIApp(t)
	if res := a.api(t, http.MethodPost, "/api/v1/breaches", a.utrecht, laptopBody()); res.Status != http.StatusCreated {
		t.Fatalf("seed: %d %s", res.Status, res.Body)
	}
	with := func(kv ...any) object {
		b := laptopBody()
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(b, kv[i].(string))
				continue
			}
			b[kv[i].(string)] = kv[i+1]
		}
		return b
	}
	assessment := object{"dpc": 4, "ei": 0.75, "confidentiality": "unknown_recipients", "integrity": "none", "availability": "none", "malicious": true}
	tests := []struct {
		name   string
		method string
		path   string
		token  string
		body   any
		status int
		code   string
		fields []string
	}{
		{"no token", http.MethodGet, "/api/v1/breaches/DL-2026-001", "", nil, 401, "unauthorized", nil},
		{"wrong token", http.MethodGet, "/api/v1/breaches/DL-2026-001", "nope", nil, 401, "unauthorized", nil},
		{"another branch reads", http.MethodGet, "/api/v1/breaches/DL-2026-001", a.amsterdam, nil, 404, "not_found", nil},
		{"another branch's draft", http.MethodGet, "/api/v1/breaches/DL-2026-001/ap-draft", a.amsterdam, nil, 404, "not_found", nil},
		{"another branch assesses", http.MethodPut, "/api/v1/breaches/DL-2026-001/assessment", a.amsterdam, assessment, 404, "not_found", nil},
		{"another branch assesses badly", http.MethodPut, "/api/v1/breaches/DL-2026-001/assessment", a.amsterdam, object{"dpc": 9}, 404, "not_found", nil},
		{"no such breach", http.MethodGet, "/api/v1/breaches/DL-2026-999", a.owner, nil, 404, "not_found", nil},
		{"registers for another branch", http.MethodPost, "/api/v1/breaches", a.utrecht, with("branch", "amsterdam"), 422, "invalid", []string{"branch"}},
		{"unknown branch", http.MethodPost, "/api/v1/breaches", a.owner, with("branch", "rotterdam"), 422, "invalid", []string{"branch"}},
		{"missing title and description", http.MethodPost, "/api/v1/breaches", a.owner, with("title", nil, "description", nil), 422, "invalid", []string{"description", "title"}},
		{"awareness in the future", http.MethodPost, "/api/v1/breaches", a.owner, with("aware_at", "2027-01-01T10:00:00+01:00"), 422, "invalid", []string{"aware_at"}},
		{"awareness not RFC 3339", http.MethodPost, "/api/v1/breaches", a.owner, with("aware_at", "27-03-2026"), 422, "invalid", []string{"aware_at"}},
		{"range and exact count", http.MethodPost, "/api/v1/breaches", a.owner, with("people", object{"exact": 5, "min": 1}), 422, "invalid", []string{"people.exact"}},
		{"unknown kind", http.MethodPost, "/api/v1/breaches", a.owner, with("kinds", []string{"privacy"}), 422, "invalid", []string{"kinds"}},
		{"unknown field", http.MethodPost, "/api/v1/breaches", a.owner, with("decision", object{"notify_ap": false}), 400, "malformed", nil},
		{"malformed JSON", http.MethodPost, "/api/v1/breaches", a.owner, `{"title": `, 400, "malformed", nil},
		{"bad assessment", http.MethodPut, "/api/v1/breaches/DL-2026-001/assessment", a.owner,
			object{"dpc": 5, "ei": 0.3, "confidentiality": "some", "integrity": "none", "availability": "none"}, 422, "invalid",
			[]string{"confidentiality", "dpc", "ei"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := a.api(t, tc.method, tc.path, tc.token, tc.body)
			if res.Status != tc.status {
				t.Fatalf("status %d, want %d\n%s", res.Status, tc.status, res.Body)
			}
			if got := res.errorCode(); got != tc.code {
				t.Errorf("code %q, want %q", got, tc.code)
			}
			var fields []string
			for f, msg := range res.errorFields() {
				fields = append(fields, f)
				if msg == "" || strings.HasPrefix(msg, "field.") || strings.HasPrefix(msg, "breach.") {
					t.Errorf("field %s has message %q, want English text", f, msg)
				}
			}
			if strings.Join(sorted(fields), ",") != strings.Join(tc.fields, ",") {
				t.Errorf("fields %v, want %v", sorted(fields), tc.fields)
			}
			if bytes.Contains(res.Body, []byte("Laptop")) {
				t.Errorf("a refusal shows the breach: %s", res.Body)
			}
		})
	}
	// A failed call changes nothing.
	if r := mustRecord(t, a.breachApp, "DL-2026-001"); r.Assessment != nil {
		t.Errorf("the refused assessments changed the breach: %+v", r.Assessment)
	}
	if _, err := a.store.BreachByReference(t.Context(), "DL-2026-002", breach.Scope{All: true}); err == nil {
		t.Error("a refused creation stored a breach")
	}
}

func sorted(xs []string) []string { return slices.Sorted(slices.Values(xs)) }

// PUT assessment answers the breach with its severity exactly as API.md
// shows it; the draft is Dutch plain text with all ten chapters.
func TestAPIAssessmentAndDraft(t *testing.T) {
	a := newBreachAPIApp(t)
	if res := a.api(t, http.MethodPost, "/api/v1/breaches", a.utrecht, laptopBody()); res.Status != http.StatusCreated {
		t.Fatalf("seed: %d %s", res.Status, res.Body)
	}
	tests := []struct {
		name       string
		assessment object
		severity   string
	}{
		{"very high at exactly 4", object{"dpc": 4, "ei": 1, "confidentiality": "none", "integrity": "none", "availability": "none", "malicious": false},
			`{"score":4.0,"band":"very_high","advice":{"notify_ap":true,"inform_people":true}}`},
		{"high just below 4", object{"dpc": 3, "ei": 1, "confidentiality": "unknown_recipients", "integrity": "recoverable", "availability": "none", "malicious": false},
			`{"score":3.75,"band":"high","advice":{"notify_ap":true,"inform_people":true}}`},
		{"medium at exactly 2", object{"dpc": 2, "ei": 0.75, "confidentiality": "known_recipients", "integrity": "none", "availability": "temporary", "malicious": false},
			`{"score":2.0,"band":"medium","advice":{"notify_ap":true,"inform_people":false}}`},
		{"low just below 2", object{"dpc": 1, "ei": 0.25, "confidentiality": "unknown_recipients", "integrity": "unrecoverable", "availability": "temporary", "malicious": false},
			`{"score":1.5,"band":"low","advice":{"notify_ap":false,"inform_people":false}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := a.api(t, http.MethodPut, "/api/v1/breaches/DL-2026-001/assessment", a.utrecht, tc.assessment)
			if res.Status != http.StatusOK {
				t.Fatalf("status %d\n%s", res.Status, res.Body)
			}
			var got struct {
				Severity   json.RawMessage `json:"severity"`
				Assessment map[string]any  `json:"assessment"`
			}
			if err := json.Unmarshal(res.Body, &got); err != nil {
				t.Fatal(err)
			}
			if string(got.Severity) != tc.severity {
				t.Errorf("severity %s\nwant     %s", got.Severity, tc.severity)
			}
			if got.Assessment["dpc"] != float64(tc.assessment["dpc"].(int)) {
				t.Errorf("assessment %v", got.Assessment)
			}
		})
	}

	res := a.api(t, http.MethodGet, "/api/v1/breaches/DL-2026-001/ap-draft", a.utrecht, nil)
	if res.Status != http.StatusOK || res.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("draft: %d %q", res.Status, res.Header.Get("Content-Type"))
	}
	text := string(res.Body)
	for _, want := range []string{"1. Inleiding", "2. Internationaal", "3. Verwerkingsverantwoordelijke", "4. Tijdlijn",
		"5. Het datalek", "6. Persoonsgegevens", "7. Betrokkenen", "8. Maatregelen vooraf", "9. Gevolgen", "10. Vervolgacties",
		"Laptop gestolen", "minimaal 40 en maximaal 60", "Jeugdpraktijk De Linde", "nog niet bekend",
		// Eight months after the Friday, a notification now is late: the
		// form asks why, and the register has no answer yet.
		"4.6 Waarom meldt u het datalek later dan 72 uur na de ontdekking?\n    nog niet bekend"} {
		if !strings.Contains(text, want) {
			t.Errorf("draft lacks %q", want)
		}
	}
	// Through the API the reporter is not the token's owner by default:
	// the settings name them, or the question stays open.
	if !strings.Contains(text, "Naam van de melder\n    nog niet bekend") {
		t.Errorf("draft names a reporter for an API call:\n%s", text)
	}
}
