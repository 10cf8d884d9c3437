package casework_test

import (
	"slices"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/staff"
)

// TestChooseActivities: the choice is kept in the register's order without
// repeats; a key the register lacks is Invalid on "activities" and changes
// nothing; only a different choice resets the access statement.
func TestChooseActivities(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	e := newEnv(t, now)
	m, err := e.store.AddMember(t.Context(), staff.NewMember{Email: "olga@praktijk.example", Name: "Olga Officier", Role: staff.Officer}, now)
	if err != nil {
		t.Fatal(err)
	}
	a := casework.Actor{ID: m.ID, Scope: casework.Scope{All: true}}
	c := e.submit(t, webForm("Jan de Vries", "jan@example.nl", ""), web)
	known := []string{"client-file", "invoicing", "newsletter"}

	for _, tt := range []struct {
		name string
		keys []string
		want []string
		code apperr.Code
	}{
		{"register order, no repeats", []string{"newsletter", "client-file", "newsletter"}, []string{"client-file", "newsletter"}, ""},
		{"an unknown key", []string{"client-file", "gekaapt"}, []string{"client-file", "newsletter"}, apperr.Invalid},
		{"none", nil, []string{}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.svc.ChooseActivities(t.Context(), a, c.Reference, tt.keys, known)
			if tt.code != "" {
				if ae := wantCode(t, err, tt.code); ae.Fields["activities"] != "case.activity_unknown" {
					t.Errorf("fields %v", ae.Fields)
				}
				got, _ = e.store.CaseByReference(t.Context(), c.Reference, a.Scope)
			} else if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Activities, tt.want) {
				t.Errorf("activities %v, want %v", got.Activities, tt.want)
			}
		})
	}

	if _, err := e.svc.ChooseActivities(t.Context(), a, c.Reference, []string{"invoicing"}, known); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SaveStatement(t.Context(), a, c.Reference, "Tekst\r\nregel twee", true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ChooseActivities(t.Context(), a, c.Reference, []string{"invoicing"}, known); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.store.AccessStatement(t.Context(), c.ID); st.Text != "Tekst\nregel twee" || !st.Approved() || st.ApprovedByID != m.ID {
		t.Errorf("the same choice changed the statement: %+v", st)
	}
	if _, err := e.svc.ChooseActivities(t.Context(), a, c.Reference, []string{"client-file"}, known); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.store.AccessStatement(t.Context(), c.ID); st.Text != "" || st.Approved() {
		t.Errorf("another choice kept the statement: %+v", st)
	}
}

// TestChooseNoActivities: recording that none of the activities concern
// the person is read back with the case, apart from an empty choice; it
// drops an approved statement written for activities chosen before; a
// later choice of activities clears it; a decided case keeps it.
func TestChooseNoActivities(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	e := newEnv(t, now)
	m, err := e.store.AddMember(t.Context(), staff.NewMember{Email: "olga@praktijk.example", Name: "Olga Officier", Role: staff.Officer}, now)
	if err != nil {
		t.Fatal(err)
	}
	a := casework.Actor{ID: m.ID, Scope: casework.Scope{All: true}}
	c := e.submit(t, webForm("Jan de Vries", "jan@example.nl", ""), web)
	known := []string{"client-file", "invoicing"}
	read := func() casework.Case {
		t.Helper()
		k, err := e.store.CaseByReference(t.Context(), c.Reference, a.Scope)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	if _, err := e.svc.ChooseActivities(t.Context(), a, c.Reference, nil, known); err != nil {
		t.Fatal(err)
	}
	if read().NoActivities {
		t.Error("an empty choice reads as none concern")
	}
	if _, err := e.svc.ChooseActivities(t.Context(), a, c.Reference, []string{"invoicing"}, known); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SaveStatement(t.Context(), a, c.Reference, "Tekst", true); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.ChooseNoActivities(t.Context(), a, c.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if k := read(); !got.NoActivities || !k.NoActivities || len(k.Activities) != 0 {
		t.Errorf("none recorded: returned %v, read %v, activities %v", got.NoActivities, k.NoActivities, k.Activities)
	}
	if st, _ := e.store.AccessStatement(t.Context(), c.ID); st.Text != "" {
		t.Errorf("the statement for the activities before stays: %+v", st)
	}
	if _, err := e.svc.SaveStatement(t.Context(), a, c.Reference, "Wij verwerken geen gegevens.", true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ChooseNoActivities(t.Context(), a, c.Reference); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.store.AccessStatement(t.Context(), c.ID); !st.Approved() {
		t.Error("recording none again dropped the approved statement")
	}
	if _, err := e.svc.ChooseActivities(t.Context(), a, c.Reference, []string{"client-file"}, known); err != nil {
		t.Fatal(err)
	}
	if k := read(); k.NoActivities || !slices.Equal(k.Activities, []string{"client-file"}) {
		t.Errorf("after a choice: none %v, activities %v", k.NoActivities, k.Activities)
	}
	if _, err := e.svc.ChooseNoActivities(t.Context(), a, c.Reference); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Decide(t.Context(), a, c.Reference, casework.Decision{Outcome: casework.Refused, Ground: casework.GroundIdentity, Reasons: "Niet vastgesteld."}); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.ChooseActivities(t.Context(), a, c.Reference, []string{"client-file"}, known)
	wantCode(t, err, apperr.Conflict)
	if !read().NoActivities {
		t.Error("a decided case lost its record that none concern")
	}
}

// TestSaveStatement: an access case only; an empty text is Invalid; saving
// without approving leaves it unapproved, approving records who; only
// staff approve.
func TestSaveStatement(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	e := newEnv(t, now)
	m, err := e.store.AddMember(t.Context(), staff.NewMember{Email: "olga@praktijk.example", Name: "Olga Officier", Role: staff.Officer}, now)
	if err != nil {
		t.Fatal(err)
	}
	a := casework.Actor{ID: m.ID, Scope: casework.Scope{All: true}}
	access := e.submit(t, webForm("Jan de Vries", "jan@example.nl", ""), web)
	sub := webForm("Els Wissen", "els@example.nl", "")
	sub.Type, sub.SpecificsRequired = casework.Erasure, false
	erasure := e.submit(t, sub, web)

	if ae := wantCode(t, func() error {
		_, err := e.svc.SaveStatement(t.Context(), a, access.Reference, " \n ", true)
		return err
	}(),
		apperr.Invalid); ae.Fields["text"] != "field.required" {
		t.Errorf("fields %v", ae.Fields)
	}
	_, err = e.svc.SaveStatement(t.Context(), a, erasure.Reference, "Tekst", true)
	wantCode(t, err, apperr.Conflict)
	_, err = e.svc.SaveStatement(t.Context(), casework.Actor{Scope: casework.Scope{All: true}}, access.Reference, "Tekst", true)
	wantCode(t, err, apperr.Forbidden)

	if _, err := e.svc.SaveStatement(t.Context(), a, access.Reference, "Concept", false); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.store.AccessStatement(t.Context(), access.ID); st.Text != "Concept" || st.Approved() || st.EditedByID != m.ID {
		t.Errorf("saved: %+v", st)
	}
	e.clock.Advance(time.Hour)
	if _, err := e.svc.SaveStatement(t.Context(), a, access.Reference, "Definitief", true); err != nil {
		t.Fatal(err)
	}
	st, _ := e.store.AccessStatement(t.Context(), access.ID)
	if st.Text != "Definitief" || !st.Approved() || st.ApprovedBy != "Olga Officier" || !st.ApprovedAt.Equal(now.Add(time.Hour)) {
		t.Errorf("approved: %+v", st)
	}
}
