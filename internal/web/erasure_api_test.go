package web_test

import (
	"net/http"
	"testing"

	"github.com/avgloket/avgloket/internal/staff"
)

// An erasure through the API: the items are stored and read back with the
// case; another choice of activities drops them; a kept item bars "granted" until it is erased; with everything
// erased the case is granted, and then the items are closed (409).
func TestAPIErasureItems(t *testing.T) {
	a := newTestServer(t)
	owner := a.addToken(t, a.addMember(t, "eigenaar@praktijk.example", staff.Owner))
	activity := object{"key": "dossier", "name": "Cliëntdossier", "purpose": "Hulp bieden en vastleggen wat er gebeurt.",
		"legal_basis": "legal_obligation", "special_categories": false, "direct_marketing": false, "automated_decisions": false,
		"data_subjects": []string{"Cliënten"}, "data_categories": []string{"Naam"}, "recipients": []object{},
		"retention": object{"months": 240, "from": "de laatste wijziging", "ground": "Jeugdwet art. 7.3.8"}, "source": "De cliënt", "security": "Toegang per rol."}
	must := func(res apiResponse, want int) apiResponse {
		t.Helper()
		if res.Status != want {
			t.Fatalf("%d, want %d: %s", res.Status, want, res.Body)
		}
		return res
	}
	must(a.api(t, http.MethodPost, "/api/v1/activities", owner, activity), http.StatusCreated)
	must(a.api(t, http.MethodPost, "/api/v1/activities", owner, with(activity, "key", "facturen", "name", "Facturatie")), http.StatusCreated)
	ref := must(a.api(t, http.MethodPost, "/api/v1/cases", owner, with(newRequest("Eva Erdacht", "eva@example.nl"), "type", "erasure",
		"specifics", object{"erasure_scope": "all"}, "received_at", "2026-11-20", "channel", "email")), http.StatusCreated).object()["reference"].(string)
	must(a.api(t, http.MethodPut, "/api/v1/cases/"+ref+"/activities", owner, object{"activities": []string{"dossier", "facturen"}}), http.StatusOK)

	put := func(items []object) apiResponse {
		return a.api(t, http.MethodPut, "/api/v1/cases/"+ref+"/erasure", owner, object{"items": items})
	}
	keep := []object{{"activity": "dossier", "action": "erased", "system": "Dossiersysteem"},
		{"activity": "facturen", "action": "kept", "ground": "AWR art. 52", "until": "2033-12-31"}}
	if res := put(keep); res.Status != http.StatusOK {
		t.Fatalf("PUT erasure: %d %s", res.Status, res.Body)
	}
	got := a.api(t, http.MethodGet, "/api/v1/cases/"+ref, owner, nil).object()["erasure"].([]any)
	if len(got) != 2 || got[0].(map[string]any)["system"] != "Dossiersysteem" || got[1].(map[string]any)["ground"] != "AWR art. 52" {
		t.Errorf("GET the case: erasure %v", got)
	}
	for _, tc := range []struct {
		name  string
		items []object
		field string
	}{
		{"a chosen activity left out", keep[:1], "items"},
		{"kept without an end date", []object{keep[0], {"activity": "facturen", "action": "kept", "ground": "AWR art. 52"}}, "items.1.until"},
		{"kept on the dossier term", []object{keep[0], {"activity": "facturen", "action": "kept", "ground": "art. 7:454 lid 3 BW", "until": "2040-01-01"}}, "items.1.ground"},
	} {
		res := put(tc.items)
		if res.Status != http.StatusUnprocessableEntity || res.errorFields()[tc.field] == "" {
			t.Errorf("%s: %d %s, want 422 on %s", tc.name, res.Status, res.Body, tc.field)
		}
	}
	// Another choice of activities drops the items recorded for the old one.
	again := must(a.api(t, http.MethodPut, "/api/v1/cases/"+ref+"/activities", owner, object{"activities": []string{"dossier"}}), http.StatusOK)
	if items, ok := again.object()["erasure"].([]any); !ok || len(items) != 0 {
		t.Errorf("after another choice of activities: erasure %v", again.object()["erasure"])
	}
	must(a.api(t, http.MethodPut, "/api/v1/cases/"+ref+"/activities", owner, object{"activities": []string{"dossier", "facturen"}}), http.StatusOK)
	must(put(keep), http.StatusOK)
	decide := func(outcome string) apiResponse {
		return a.api(t, http.MethodPost, "/api/v1/cases/"+ref+"/decision", owner, object{"outcome": outcome, "reasons": "Gewist."})
	}
	if res := decide("granted"); res.Status != http.StatusUnprocessableEntity || res.errorFields()["outcome"] == "" {
		t.Errorf("granted with a kept item: %d %s", res.Status, res.Body)
	}
	if res := put([]object{keep[0], {"activity": "facturen", "action": "erased"}}); res.Status != http.StatusOK {
		t.Fatalf("all erased: %d %s", res.Status, res.Body)
	}
	must(a.api(t, http.MethodPost, "/api/v1/cases/"+ref+"/identity", owner, object{"outcome": "verified", "method": "email_on_file"}), http.StatusOK)
	if res := decide("granted"); res.Status != http.StatusOK {
		t.Errorf("granted with all erased: %d %s", res.Status, res.Body)
	}
	if res := put(keep); res.Status != http.StatusConflict {
		t.Errorf("PUT erasure on a decided case: %d, want 409", res.Status)
	}
}
