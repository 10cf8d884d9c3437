package web_test

import (
	"net/http"
	"testing"

	"github.com/avgloket/avgloket/internal/staff"
)

// An access letter carries the officer's approved statement of art. 15(1),
// and only an approved one: a draft nobody approved is never sent.
func TestAccessLetterCarriesTheApprovedStatement(t *testing.T) {
	a := newBreachApp(t)
	a.breachMember(t, "u@delinde.example", "Uri Utrecht", staff.Officer, "utrecht")
	token := a.breachToken(t, "u@delinde.example")
	officer := a.breachSignIn(t, "u@delinde.example")
	file := func(name, address string) string {
		t.Helper()
		res := a.api(t, http.MethodPost, "/api/v1/requests", "", with(newRequest(name, address), "branch", "utrecht"))
		if res.Status != http.StatusCreated {
			t.Fatalf("file: %d %s", res.Status, res.Body)
		}
		ref := res.object()["reference"].(string)
		if res := a.api(t, http.MethodPut, "/api/v1/cases/"+ref+"/activities", token, object{"activities": []string{"client-file"}}); res.Status != http.StatusOK {
			t.Fatalf("PUT activities: %d %s", res.Status, res.Body)
		}
		return ref
	}
	grant := func(ref string) string {
		t.Helper()
		if res := a.api(t, http.MethodPost, "/api/v1/cases/"+ref+"/identity", token,
			object{"outcome": "verified", "method": "email_on_file"}); res.Status != http.StatusOK {
			t.Fatalf("identity: %d %s", res.Status, res.Body)
		}
		if res := a.api(t, http.MethodPost, "/api/v1/cases/"+ref+"/decision", token,
			object{"outcome": "granted", "reasons": "Hierbij uw gegevens."}); res.Status != http.StatusOK {
			t.Fatalf("decision: %d %s", res.Status, res.Body)
		}
		text, ok := pdfOf(t, a.api(t, http.MethodGet, "/api/v1/cases/"+ref+"/letter.pdf", token, nil))
		if !ok {
			t.Skip("pdftotext is not installed")
		}
		return text
	}
	const heading, approved = "Welke gegevens wij van u verwerken", "Goedgekeurde verklaring voor Tom Test"

	withStatement := file("Tom Test", "tom@example.nl")
	wantStatus(t, officer.postForm("/staff/cases/"+withStatement+"/access-statement", "statement.text", approved,
		"statement.approve", "yes"), http.StatusSeeOther)
	assertHolds(t, "the letter with an approved statement", grant(withStatement), []string{heading, approved}, nil)

	// Drafted and edited, but not approved: the letter has no statement.
	draftOnly := file("Tineke Test", "tineke@example.nl")
	wantStatus(t, officer.postForm("/staff/cases/"+draftOnly+"/access-statement", "statement.text", "Nog niet goedgekeurd"),
		http.StatusSeeOther)
	assertHolds(t, "the letter without an approved statement", grant(draftOnly), nil, []string{heading, "Nog niet goedgekeurd"})
}
