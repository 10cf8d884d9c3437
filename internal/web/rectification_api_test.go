package web_test

import (
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/staff"
)

// A rectification through the API: the items are stored and read back with
// the case, their values sealed at rest and out of the audit trail; bad
// items come back as 422 on their JSON paths; another request type is a
// conflict; "granted" with a kept item and "partially granted" with every
// item kept are refused; once decided, the items are closed (409).
func TestAPIRectificationItems(t *testing.T) {
	a := newTestServer(t)
	owner := a.addToken(t, a.addMember(t, "eigenaar@praktijk.example", staff.Owner))
	must := func(res apiResponse, want int) apiResponse {
		t.Helper()
		if res.Status != want {
			t.Fatalf("%d, want %d: %s", res.Status, want, res.Body)
		}
		return res
	}
	ref := must(a.api(t, http.MethodPost, "/api/v1/cases", owner, with(newRequest("Rik Rechtzetter", "rik@example.nl"), "type", "rectification",
		"specifics", object{"wrong": "Mijn adres klopt niet.", "correct": "Dorpsstraat 12"}, "received_at", "2026-11-20", "channel", "email")),
		http.StatusCreated).object()["reference"].(string)
	access := must(a.api(t, http.MethodPost, "/api/v1/cases", owner, with(newRequest("Ada Inzage", "ada@example.nl"),
		"received_at", "2026-11-20", "channel", "email")), http.StatusCreated).object()["reference"].(string)

	const oldMarker, newMarker, reasonMarker, statementMarker = "Qzoudadres", "Qznieuwadres", "Qzredenmarker", "Qzverklaringmarker"
	corrected := object{"field": "adres", "old": "Kerkstraat 1 " + oldMarker, "new": "Dorpsstraat 12 " + newMarker,
		"systems": []string{"cliëntdossier", "facturatie"}}
	kept := object{"field": "diagnose", "old": "ADHD", "kept": true, "reason": "Een professioneel oordeel, geen feit. " + reasonMarker,
		"statement": "Ik herken mij hier niet in. " + statementMarker}
	put := func(ref string, items []object) apiResponse {
		return a.api(t, http.MethodPut, "/api/v1/cases/"+ref+"/rectification", owner, object{"items": items})
	}
	got := must(put(ref, []object{corrected, kept}), http.StatusOK).object()["rectification"].([]any)
	if len(got) != 2 {
		t.Fatalf("PUT answers rectification %v", got)
	}
	read := a.api(t, http.MethodGet, "/api/v1/cases/"+ref, owner, nil).object()["rectification"].([]any)
	first, second := read[0].(map[string]any), read[1].(map[string]any)
	if first["new"] != corrected["new"] || first["kept"] != false || len(first["systems"].([]any)) != 2 ||
		second["kept"] != true || second["reason"] != kept["reason"] || second["statement"] != kept["statement"] || second["new"] != nil {
		t.Errorf("GET the case: rectification %v", read)
	}
	if _, ok := a.api(t, http.MethodGet, "/api/v1/cases/"+access, owner, nil).object()["rectification"]; ok {
		t.Error("an access case answers with rectification items")
	}
	for _, m := range []string{oldMarker, newMarker, reasonMarker, statementMarker} {
		assertNotOnDisk(t, filepath.Dir(a.filesDir), m)
		if strings.Contains(a.logs.String(), m) {
			t.Errorf("the log holds %s", m)
		}
	}
	if details := a.auditedDetails(t, audit.CaseRectification); !slices.Equal(details, []string{"corrected=1 kept=1"}) {
		t.Errorf("audit details %v, want the counts", details)
	}

	for _, tc := range []struct {
		name  string
		items []object
		field string
	}{
		{"corrected without systems", []object{{"field": "adres", "old": "Kerkstraat 1", "new": "Dorpsstraat 12"}}, "items.0.systems"},
		{"corrected without a new value", []object{kept, {"field": "telefoon", "old": "06 1234 5678", "systems": []string{"dossier"}}}, "items.1.new"},
		{"kept without a reason", []object{{"field": "diagnose", "old": "ADHD", "kept": true}}, "items.0.reason"},
		{"kept with a new value", []object{{"field": "diagnose", "old": "ADHD", "kept": true, "reason": "oordeel", "new": "geen"}}, "items.0.new"},
		{"no field", []object{{"old": "ADHD", "kept": true, "reason": "oordeel"}}, "items.0.field"},
	} {
		res := put(ref, tc.items)
		if res.Status != http.StatusUnprocessableEntity || res.errorFields()[tc.field] == "" {
			t.Errorf("%s: %d %s, want 422 on %s", tc.name, res.Status, res.Body, tc.field)
		}
	}
	if res := a.api(t, http.MethodPut, "/api/v1/cases/"+ref+"/rectification", owner, object{}); res.Status != http.StatusUnprocessableEntity ||
		res.errorFields()["items"] == "" {
		t.Errorf("no items: %d %s", res.Status, res.Body)
	}
	if res := put(access, []object{corrected}); res.Status != http.StatusConflict || !strings.Contains(string(res.Body), a.en("rectification.not_rectification")) {
		t.Errorf("an access case: %d %s, want 409", res.Status, res.Body)
	}

	must(a.api(t, http.MethodPost, "/api/v1/cases/"+ref+"/identity", owner, object{"outcome": "verified", "method": "email_on_file"}), http.StatusOK)
	decide := func(d object) apiResponse {
		return a.api(t, http.MethodPost, "/api/v1/cases/"+ref+"/decision", owner, d)
	}
	partly := object{"outcome": "partially_granted", "ground": "data_correct", "detail": "judgement", "reasons": "Uw adres is aangepast."}
	if res := decide(object{"outcome": "granted", "reasons": "Aangepast."}); res.Status != http.StatusUnprocessableEntity || res.errorFields()["outcome"] == "" {
		t.Errorf("granted with a kept item: %d %s", res.Status, res.Body)
	}
	must(put(ref, []object{kept}), http.StatusOK)
	if res := decide(partly); res.Status != http.StatusUnprocessableEntity || res.errorFields()["outcome"] == "" {
		t.Errorf("partially granted with every item kept: %d %s", res.Status, res.Body)
	}
	must(put(ref, []object{corrected, kept}), http.StatusOK)
	must(decide(partly), http.StatusOK)
	if res := put(ref, []object{corrected}); res.Status != http.StatusConflict {
		t.Errorf("PUT rectification on a decided case: %d, want 409", res.Status)
	}
}
