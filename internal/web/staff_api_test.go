package web_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/staff"
)

func TestAPIExtendCase(t *testing.T) {
	a := newTestServer(t, withBranches("amsterdam", "utrecht"))
	ownerMember, _ := a.addStaff(t, "eigenaar@praktijk.example", staff.Owner)
	_, officer := a.addStaff(t, "utr@praktijk.example", staff.Officer, "utrecht")
	_, stranger := a.addStaff(t, "ams@praktijk.example", staff.Officer, "amsterdam")
	extend := func(t *testing.T, token, ref string, body any) apiResponse {
		t.Helper()
		return a.api(t, http.MethodPost, "/api/v1/cases/"+ref+"/extension", token, body)
	}
	reason := object{"reason": "Het dossier is omvangrijk."}

	// Received today, Wednesday 25 November 2026: due 28 December, or
	// 25 February 2027 when extended.
	ref := a.fileRequest(t, "Anna de Vries", "anna@example.nl", "utrecht")
	t.Run("another branch finds no such case", func(t *testing.T) {
		res := extend(t, stranger, ref, reason)
		if res.Status != http.StatusNotFound || res.errorCode() != "not_found" {
			t.Fatalf("status %d code %q, want 404 not_found", res.Status, res.errorCode())
		}
		if a.caseOf(t, ref).Extended {
			t.Error("the case was extended")
		}
	})
	t.Run("without a reason", func(t *testing.T) {
		for _, body := range []any{object{}, object{"reason": "  "}} {
			res := extend(t, officer, ref, body)
			if res.Status != http.StatusUnprocessableEntity || res.errorCode() != "invalid" || res.errorFields()["reason"] == "" {
				t.Errorf("body %v: status %d code %q fields %v, want 422 with a reason problem", body, res.Status, res.errorCode(), res.errorFields())
			}
		}
	})
	t.Run("extended", func(t *testing.T) {
		mails := len(a.mailsTo(t, "anna@example.nl"))
		res := extend(t, officer, ref, reason)
		if res.Status != http.StatusOK {
			t.Fatalf("status %d %s", res.Status, res.Body)
		}
		got := res.object()
		if got["extended"] != true || got["due_date"] != "2027-02-25" || got["original_due_date"] != "2026-12-28" || got["reference"] != ref {
			t.Errorf("answer %v, want extended to 2027-02-25 from 2026-12-28", got)
		}
		if n := len(a.mailsTo(t, "anna@example.nl")); n != mails+1 {
			t.Errorf("%d new mails to the requester, want the extension notice", n-mails)
		}
	})
	t.Run("again", func(t *testing.T) {
		res := extend(t, officer, ref, reason)
		if res.Status != http.StatusConflict || res.errorCode() != "conflict" {
			t.Errorf("status %d code %q, want 409 conflict", res.Status, res.errorCode())
		}
	})
	t.Run("a completed case", func(t *testing.T) {
		done := a.fileRequest(t, "Dirk Klaar", "dirk@example.nl", "utrecht")
		boss := casework.Actor{ID: ownerMember.ID, Scope: casework.Scope{All: true}}
		if _, err := a.svc.Decide(t.Context(), boss, done, casework.Decision{Outcome: casework.Withdrawn, WithdrawnHow: "phone", Reasons: "Ingetrokken."}); err != nil {
			t.Fatal(err)
		}
		if res := extend(t, officer, done, reason); res.Status != http.StatusConflict {
			t.Errorf("status %d, want 409", res.Status)
		}
	})
	t.Run("unknown case", func(t *testing.T) {
		if res := extend(t, officer, "AVG-2026-9999", reason); res.Status != http.StatusNotFound {
			t.Errorf("status %d, want 404", res.Status)
		}
	})
	t.Run("only within the first period", func(t *testing.T) {
		lastDay := a.fileRequest(t, "Lea Laatst", "lea@example.nl", "utrecht")
		tooLate := a.fileRequest(t, "Tom Telaat", "tom@example.nl", "utrecht")
		// 28 December, the last day of the first month, in Amsterdam.
		a.clock.Set(time.Date(2026, time.December, 28, 22, 30, 0, 0, time.UTC))
		if res := extend(t, officer, lastDay, reason); res.Status != http.StatusOK {
			t.Errorf("on the last day: status %d %s, want 200", res.Status, res.Body)
		}
		// Half past midnight on 29 December in Amsterdam: too late.
		a.clock.Set(time.Date(2026, time.December, 28, 23, 30, 0, 0, time.UTC))
		res := extend(t, officer, tooLate, reason)
		if res.Status != http.StatusConflict || res.errorCode() != "conflict" {
			t.Errorf("after the first period: status %d code %q, want 409 conflict", res.Status, res.errorCode())
		}
		if a.caseOf(t, tooLate).Extended {
			t.Error("the case was extended after its first period")
		}
	})
}

// A decision through the API obeys the same rules as on the case page:
// granting a parent's request waits for the proofs (409), a decision needs
// reasons (422), a completed case takes no second one (409).
func TestAPIDecideCase(t *testing.T) {
	a := newTestServer(t, withBranches("amsterdam", "utrecht"))
	_, officer := a.addStaff(t, "utr@praktijk.example", staff.Officer, "utrecht")
	_, stranger := a.addStaff(t, "ams@praktijk.example", staff.Officer, "amsterdam")
	res := a.api(t, http.MethodPost, "/api/v1/requests", "", object{"type": "access",
		"requester": object{"name": "Test Ouder", "email": "ouder@example.org", "relation": "parent"},
		"subject":   object{"name": "Test Kind", "birth_date": "2013-05-01"}, "branch": "utrecht"})
	if res.Status != http.StatusCreated {
		t.Fatalf("file: %d %s", res.Status, res.Body)
	}
	ref := res.object()["reference"].(string)
	decide := func(token string, body any) apiResponse {
		return a.api(t, http.MethodPost, "/api/v1/cases/"+ref+"/decision", token, body)
	}
	for _, tc := range []struct {
		name   string
		token  string
		body   object
		status int
		code   string
	}{
		{"another branch", stranger, object{"outcome": "withdrawn", "withdrawn_how": "email", "reasons": "x"}, 404, "not_found"},
		{"no reasons", officer, object{"outcome": "refused", "ground": "other"}, 422, "invalid"},
		{"granted before the proofs", officer, object{"outcome": "granted", "reasons": "Kopie verstuurd."}, 409, "conflict"},
		{"refused with a ground", officer, object{"outcome": "refused", "ground": "identity_not_established", "reasons": "Niet vastgesteld."}, 200, ""},
		{"a second decision", officer, object{"outcome": "withdrawn", "withdrawn_how": "email", "reasons": "x"}, 409, "conflict"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := decide(tc.token, tc.body)
			if res.Status != tc.status || (tc.code != "" && res.errorCode() != tc.code) {
				t.Fatalf("status %d code %q, want %d %q\n%s", res.Status, res.errorCode(), tc.status, tc.code, res.Body)
			}
		})
	}
	if got := a.caseOf(t, ref); got.Status != "completed" || got.Outcome != "refused" {
		t.Fatalf("case %s %s", got.Status, got.Outcome)
	}
}
