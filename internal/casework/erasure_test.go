package casework_test

import (
	"errors"
	"maps"
	"testing"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
)

func erased(activity string) casework.ErasureItem {
	return casework.ErasureItem{Activity: activity, Action: casework.ErasureErased, System: "cliëntdossier"}
}

func kept(activity, ground, until string) casework.ErasureItem {
	return casework.ErasureItem{Activity: activity, Action: casework.ErasureKept, Ground: ground, Until: until}
}

// One item per chosen activity; a kept item names a statute that forbids
// destruction (never the dossier term alone, DOMAIN.md §5) and a later end
// date; the problems are keyed by JSON path.
func TestValidateErasure(t *testing.T) {
	c := casework.Case{Type: casework.Erasure, Activities: []string{"client-file", "invoicing"}}
	for _, tc := range []struct {
		name  string
		c     casework.Case
		items []casework.ErasureItem
		want  casework.Problems
	}{
		{"all erased", c, []casework.ErasureItem{erased("client-file"), erased("invoicing")}, casework.Problems{}},
		{"invoices kept by the tax law", c, []casework.ErasureItem{erased("client-file"), kept("invoicing", "AWR art. 52", "2033-12-31")},
			casework.Problems{}},
		{"a chosen activity without an item", c, []casework.ErasureItem{erased("client-file")},
			casework.Problems{"items": "erasure.activity_missing"}},
		{"an activity not chosen", c, []casework.ErasureItem{erased("client-file"), erased("invoicing"), erased("newsletter")},
			casework.Problems{"items.2.activity": "erasure.activity_not_chosen"}},
		{"an activity twice", c, []casework.ErasureItem{erased("client-file"), erased("invoicing"), kept("invoicing", "AWR art. 52", "2033-12-31")},
			casework.Problems{"items.2.activity": "erasure.activity_twice"}},
		{"no activities chosen", casework.Case{Type: casework.Erasure}, nil, casework.Problems{"items": "erasure.no_activities"}},
		{"an unknown action", c, []casework.ErasureItem{erased("client-file"), {Activity: "invoicing", Action: "archived"}},
			casework.Problems{"items.1.action": "field.choose"}},
		{"kept without ground or date", c, []casework.ErasureItem{erased("client-file"), kept("invoicing", " ", "")},
			casework.Problems{"items.1.ground": "case.statute_required", "items.1.until": "case.until_required"}},
		{"kept until a day that is no date", c, []casework.ErasureItem{erased("client-file"), kept("invoicing", "AWR art. 52", "2033-02-30")},
			casework.Problems{"items.1.until": "field.date"}},
		{"kept until a past day", c, []casework.ErasureItem{erased("client-file"), kept("invoicing", "AWR art. 52", "2025-01-01")},
			casework.Problems{"items.1.until": "case.until_future"}},
		{"erased with a ground and a date", c, []casework.ErasureItem{erased("client-file"),
			{Activity: "invoicing", Action: casework.ErasureErased, Ground: "AWR art. 52", Until: "2033-12-31"}},
			casework.Problems{"items.1.ground": "erasure.kept_only", "items.1.until": "erasure.kept_only"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := casework.ValidateErasure(tc.c, tc.items, decisionDay); !maps.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// The 20-year dossier term (Jeugdwet 7.3.8, BW 7:454(3)) is no ground to
// keep a dossier whose destruction was asked (BW 7:455, Jeugdwet 7.3.9);
// a law that forbids destruction, like the tax law for invoices, is.
func TestErasureDossierTermIsNoGround(t *testing.T) {
	c := casework.Case{Type: casework.Erasure, Activities: []string{"client-file"}}
	for _, tc := range []struct {
		ground string
		want   string
	}{
		{"Jeugdwet art. 7.3.8", "case.statute_dossier_term"},
		{"artikel 7.3.8 Jeugdwet (20 jaar)", "case.statute_dossier_term"},
		{"art. 7:454 lid 3 BW", "case.statute_dossier_term"},
		{"BW 7 : 454", "case.statute_dossier_term"},
		{"AWR art. 52", ""},
		{"art. 7:455 lid 2 BW, belang van een ander", ""},
	} {
		t.Run(tc.ground, func(t *testing.T) {
			got := casework.ValidateErasure(c, []casework.ErasureItem{kept("client-file", tc.ground, "2040-01-01")}, decisionDay)
			if got["items.0.ground"] != tc.want {
				t.Errorf("ground %q: got %v, want %q", tc.ground, got, tc.want)
			}
		})
	}
}

// SaveErasure: only on an open erasure case; the items land in the
// register's order, trimmed, with an event naming what was erased and kept.
func TestSaveErasure(t *testing.T) {
	env := casework.Env{Today: decisionDay}
	items := []casework.ErasureItem{kept("invoicing", " AWR art. 52 ", "2033-12-31"), erased("client-file")}
	for _, tc := range []struct {
		name string
		c    casework.Case
		code apperr.Code
	}{
		{"an access case", casework.Case{Type: casework.Access, Activities: []string{"client-file", "invoicing"}}, apperr.Conflict},
		{"a completed erasure", casework.Case{Type: casework.Erasure, Status: casework.Completed, Activities: []string{"client-file", "invoicing"}}, apperr.Conflict},
		{"an erasure missing an item", casework.Case{Type: casework.Erasure, Activities: []string{"client-file", "invoicing", "newsletter"}}, apperr.Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c
			_, err := casework.SaveErasure(items)(&c, env)
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code != tc.code {
				t.Fatalf("got %v, want code %v", err, tc.code)
			}
		})
	}
	c := casework.Case{Type: casework.Erasure, Status: casework.InProgress, Activities: []string{"client-file", "invoicing"}}
	ch, err := casework.SaveErasure(items)(&c, env)
	if err != nil {
		t.Fatal(err)
	}
	want := []casework.ErasureItem{erased("client-file"), kept("invoicing", "AWR art. 52", "2033-12-31")}
	if ch.Erasure == nil || len(*ch.Erasure) != 2 || (*ch.Erasure)[0] != want[0] || (*ch.Erasure)[1] != want[1] {
		t.Fatalf("change holds %+v, want %+v", ch.Erasure, want)
	}
	if len(ch.Events) != 1 || ch.Events[0].Kind != casework.EventErasure ||
		ch.Events[0].Data["erased"] != "client-file" || ch.Events[0].Data["kept"] != "invoicing" {
		t.Errorf("events %+v", ch.Events)
	}
}

// An erasure that keeps data is granted in part at most (API.md: 422 on
// outcome); with everything erased it may be granted.
func TestDecisionErasureOutcomeFollowsItems(t *testing.T) {
	someKept := casework.Case{Type: casework.Erasure, Requester: casework.Requester{Relation: casework.Self},
		Activities: []string{"client-file", "invoicing"},
		Erasure:    []casework.ErasureItem{erased("client-file"), kept("invoicing", "AWR art. 52", "2033-12-31")}}
	allErased := someKept
	allErased.Erasure = []casework.ErasureItem{erased("client-file"), erased("invoicing")}
	grant := casework.Decision{Outcome: casework.Granted, Reasons: "Wij hebben uw gegevens gewist."}
	partly := casework.Decision{Outcome: casework.PartiallyGranted, Ground: casework.GroundRetention, Statute: "AWR art. 52",
		Until: "2033-12-31", Reasons: "De facturen bewaren wij."}
	for _, tc := range []struct {
		name string
		c    casework.Case
		d    casework.Decision
		want casework.Problems
	}{
		{"granted with a kept item", someKept, grant, casework.Problems{"outcome": "erasure.kept_not_granted"}},
		{"partially granted with a kept item", someKept, partly, casework.Problems{}},
		{"refused with a kept item", someKept, refusalOn(casework.GroundRetention), casework.Problems{}},
		{"granted with all erased", allErased, grant, casework.Problems{}},
		{"granted, no items recorded", casework.Case{Type: casework.Erasure, Requester: casework.Requester{Relation: casework.Self}}, grant, casework.Problems{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.d.Validate(tc.c, decisionDay); !maps.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
