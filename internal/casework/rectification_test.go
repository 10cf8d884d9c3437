package casework_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
)

func corrected(field, old, new string, systems ...string) casework.RectificationItem {
	return casework.RectificationItem{Field: field, Old: old, New: new, Systems: systems}
}

func keptAsIs(field, old, reason, statement string) casework.RectificationItem {
	return casework.RectificationItem{Field: field, Old: old, Kept: true, Reason: reason, Statement: statement}
}

// A corrected item names the new value and where it was corrected; a kept
// item the reason it stays; the problems are keyed by JSON path.
func TestValidateRectification(t *testing.T) {
	address := corrected("adres", "Kerkstraat 1, Utrecht", "Dorpsstraat 12, Utrecht", "cliëntdossier", "facturatie")
	diagnosis := keptAsIs("diagnose", "ADHD", "Een professioneel oordeel van de behandelaar, geen feit.", "")
	for _, tc := range []struct {
		name  string
		items []casework.RectificationItem
		want  casework.Problems
	}{
		{"none recorded", nil, casework.Problems{}},
		{"one corrected, one kept", []casework.RectificationItem{address, diagnosis}, casework.Problems{}},
		{"kept with the requester's statement", []casework.RectificationItem{
			keptAsIs("diagnose", "ADHD", "Professioneel oordeel.", "Ik ben het niet eens met deze diagnose.")}, casework.Problems{}},
		{"no field and no old value", []casework.RectificationItem{corrected(" ", "", "Dorpsstraat 12", "cliëntdossier")},
			casework.Problems{"items.0.field": "field.required", "items.0.old": "field.required"}},
		{"corrected without a new value or a system", []casework.RectificationItem{diagnosis, corrected("telefoonnummer", "06 1234 5678", " ")},
			casework.Problems{"items.1.new": "field.required", "items.1.systems": "rectification.systems_required"}},
		{"only blank systems", []casework.RectificationItem{corrected("adres", "Kerkstraat 1", "Dorpsstraat 12", " ", "")},
			casework.Problems{"items.0.systems": "rectification.systems_required"}},
		{"the new value is the old one", []casework.RectificationItem{corrected("adres", "Kerkstraat 1", " Kerkstraat 1 ", "cliëntdossier")},
			casework.Problems{"items.0.new": "rectification.same_value"}},
		{"corrected with a reason and a statement", []casework.RectificationItem{{Field: "adres", Old: "Kerkstraat 1", New: "Dorpsstraat 12",
			Systems: []string{"cliëntdossier"}, Reason: "klopt", Statement: "mijn verklaring"}},
			casework.Problems{"items.0.reason": "rectification.kept_only", "items.0.statement": "rectification.kept_only"}},
		{"kept without a reason", []casework.RectificationItem{keptAsIs("diagnose", "ADHD", " ", "")},
			casework.Problems{"items.0.reason": "field.required"}},
		{"kept with a new value and systems", []casework.RectificationItem{{Field: "diagnose", Old: "ADHD", New: "geen", Kept: true,
			Systems: []string{"cliëntdossier"}, Reason: "oordeel"}},
			casework.Problems{"items.0.new": "rectification.corrected_only", "items.0.systems": "rectification.corrected_only"}},
		{"an old value too long", []casework.RectificationItem{corrected("adres", strings.Repeat("a", casework.MaxShort+1), "b", "x")},
			casework.Problems{"items.0.old": "field.too_long"}},
		{"too many items", slices.Repeat([]casework.RectificationItem{address}, casework.MaxRectificationItems+1),
			casework.Problems{"items": "rectification.too_many"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := casework.ValidateRectification(tc.items); !maps.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// SaveRectification: only on an open rectification case; the items are
// stored trimmed, and the event counts them without their values.
func TestSaveRectification(t *testing.T) {
	env := casework.Env{Today: decisionDay}
	items := []casework.RectificationItem{corrected(" adres ", "Kerkstraat 1", " Dorpsstraat 12 ", " cliëntdossier ", " "),
		keptAsIs("diagnose", "ADHD", " Professioneel oordeel. ", " Ik ben het er niet mee eens. ")}
	for _, tc := range []struct {
		name  string
		c     casework.Case
		items []casework.RectificationItem
		code  apperr.Code
	}{
		{"an erasure case", casework.Case{Type: casework.Erasure, Status: casework.InProgress}, items, apperr.Conflict},
		{"a completed rectification", casework.Case{Type: casework.Rectification, Status: casework.Completed}, items, apperr.Conflict},
		{"an item without a reason", casework.Case{Type: casework.Rectification, Status: casework.InProgress},
			[]casework.RectificationItem{keptAsIs("diagnose", "ADHD", "", "")}, apperr.Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c
			if _, err := casework.SaveRectification(tc.items)(&c, env); !apperr.Is(err, tc.code) {
				t.Fatalf("got %v, want code %v", err, tc.code)
			}
		})
	}
	c := casework.Case{Type: casework.Rectification, Status: casework.InProgress}
	ch, err := casework.SaveRectification(items)(&c, env)
	if err != nil {
		t.Fatal(err)
	}
	want := []casework.RectificationItem{corrected("adres", "Kerkstraat 1", "Dorpsstraat 12", "cliëntdossier"),
		keptAsIs("diagnose", "ADHD", "Professioneel oordeel.", "Ik ben het er niet mee eens.")}
	if ch.Rectification == nil || !slices.EqualFunc(*ch.Rectification, want, sameItem) || !slices.EqualFunc(c.Rectification, want, sameItem) {
		t.Fatalf("change holds %+v, case %+v, want %+v", ch.Rectification, c.Rectification, want)
	}
	if len(ch.Events) != 1 || ch.Events[0].Kind != casework.EventRectification ||
		!maps.Equal(ch.Events[0].Data, map[string]string{"corrected": "1", "kept": "1"}) || ch.Events[0].Text != "" {
		t.Errorf("events %+v, want the counts only", ch.Events)
	}
}

func sameItem(a, b casework.RectificationItem) bool {
	return a.Field == b.Field && a.Old == b.Old && a.New == b.New && slices.Equal(a.Systems, b.Systems) &&
		a.Kept == b.Kept && a.Reason == b.Reason && a.Statement == b.Statement
}

// The case page adds one item at a time, its problems keyed by the item's
// own fields, and removes one by its place.
func TestAddAndRemoveRectification(t *testing.T) {
	env := casework.Env{Today: decisionDay}
	c := casework.Case{Type: casework.Rectification, Status: casework.InProgress,
		Rectification: []casework.RectificationItem{corrected("adres", "Kerkstraat 1", "Dorpsstraat 12", "cliëntdossier")}}
	_, err := casework.AddRectification(corrected("telefoonnummer", "06 1234 5678", ""))(&c, env)
	if !apperr.Is(err, apperr.Invalid) || !maps.Equal(apperr.As(err).Fields, map[string]string{"new": "field.required", "systems": "rectification.systems_required"}) {
		t.Fatalf("adding an item without a new value: %v", err)
	}
	if len(c.Rectification) != 1 {
		t.Fatalf("a refused item changed the case: %+v", c.Rectification)
	}
	diagnosis := keptAsIs("diagnose", "ADHD", "Professioneel oordeel.", "")
	ch, err := casework.AddRectification(diagnosis)(&c, env)
	if err != nil || ch.Rectification == nil || len(*ch.Rectification) != 2 || !sameItem((*ch.Rectification)[1], diagnosis) {
		t.Fatalf("AddRectification = %+v, %v", ch.Rectification, err)
	}
	if _, err := casework.RemoveRectification(2)(&c, env); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("removing item 2 of 2: %v, want not found", err)
	}
	ch, err = casework.RemoveRectification(0)(&c, env)
	if err != nil || len(*ch.Rectification) != 1 || !sameItem((*ch.Rectification)[0], diagnosis) {
		t.Fatalf("RemoveRectification(0) = %+v, %v", ch.Rectification, err)
	}
	other := casework.Case{Type: casework.Access, Status: casework.InProgress}
	if _, err := casework.RemoveRectification(0)(&other, env); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("removing on an access case: %v, want conflict", err)
	}
}

// A rectification that keeps an item is granted in part at most; one that
// keeps every item corrected nothing, and is not granted at all: a refusal
// because the data are correct is what fits.
func TestDecisionRectificationOutcomeFollowsItems(t *testing.T) {
	self := casework.Requester{Relation: casework.Self}
	address := corrected("adres", "Kerkstraat 1", "Dorpsstraat 12", "cliëntdossier")
	diagnosis := keptAsIs("diagnose", "ADHD", "Professioneel oordeel.", "")
	someKept := casework.Case{Type: casework.Rectification, Requester: self, Rectification: []casework.RectificationItem{address, diagnosis}}
	allKept := casework.Case{Type: casework.Rectification, Requester: self, Rectification: []casework.RectificationItem{diagnosis}}
	allCorrected := casework.Case{Type: casework.Rectification, Requester: self, Rectification: []casework.RectificationItem{address}}
	grant := casework.Decision{Outcome: casework.Granted, Reasons: "Wij hebben uw adres aangepast."}
	partly := refusalOn(casework.GroundDataCorrect)
	partly.Outcome = casework.PartiallyGranted
	for _, tc := range []struct {
		name string
		c    casework.Case
		d    casework.Decision
		want casework.Problems
	}{
		{"granted with a kept item", someKept, grant, casework.Problems{"outcome": "rectification.kept_not_granted"}},
		{"partially granted with a kept item", someKept, partly, casework.Problems{}},
		{"granted with every item kept", allKept, grant, casework.Problems{"outcome": "rectification.kept_not_granted"}},
		{"partially granted with every item kept", allKept, partly, casework.Problems{"outcome": "rectification.all_kept"}},
		{"refused with every item kept", allKept, refusalOn(casework.GroundDataCorrect), casework.Problems{}},
		{"granted with all corrected", allCorrected, grant, casework.Problems{}},
		{"granted, no items recorded", casework.Case{Type: casework.Rectification, Requester: self}, grant, casework.Problems{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.d.Validate(tc.c, decisionDay); !maps.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
