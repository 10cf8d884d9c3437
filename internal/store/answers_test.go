package store

import (
	"slices"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/staff"
)

// TestCaseAnswersStored: the chosen activities come back with the case in
// the register's order; the access statement is sealed at rest (a marker in
// it is not in the database files) and reads back with who approved it; a
// new choice with ResetStatement drops it; anonymising the case removes it.
func TestCaseAnswersStored(t *testing.T) {
	env := newTestStore(t)
	s := env.s
	ctx := t.Context()
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	if _, err := s.SeedRegister(ctx, at); err != nil {
		t.Fatal(err)
	}
	m, err := s.AddMember(ctx, staff.NewMember{Email: "olga@praktijk.example", Name: "Olga Officier", Role: staff.Officer}, at)
	if err != nil {
		t.Fatal(err)
	}
	c := mustCreate(t, s, newCase(t, caseSpec{}), ackMail)
	actor := casework.Actor{ID: m.ID, Scope: casework.Scope{All: true}}
	const marker = "Qzstatementmarker"

	chosen := []string{"newsletter", "client-file"} // stored as given; read in the register's order
	got, err := s.UpdateCase(ctx, c.Reference, actor, func(k *casework.Case) (casework.Change, error) {
		return casework.Change{Activities: &chosen}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Activities, []string{"client-file", "newsletter"}) {
		t.Errorf("activities after the update %v", got.Activities)
	}
	if back, _ := s.CaseByReference(ctx, c.Reference, casework.Scope{All: true}); !slices.Equal(back.Activities, got.Activities) {
		t.Errorf("activities read back %v", back.Activities)
	}

	approved := at.Add(time.Hour)
	_, err = s.UpdateCase(ctx, c.Reference, actor, func(k *casework.Case) (casework.Change, error) {
		return casework.Change{Statement: &casework.Statement{Text: "Voor " + marker, EditedAt: approved, EditedByID: m.ID,
			ApprovedAt: &approved, ApprovedByID: m.ID}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.AccessStatement(ctx, c.ID)
	if err != nil || st.Text != "Voor "+marker || !st.Approved() || st.ApprovedBy != "Olga Officier" || !st.ApprovedAt.Equal(approved) {
		t.Fatalf("statement %+v %v", st, err)
	}
	for name, data := range storedBytes(t, env) {
		if containsFold(data, marker) {
			t.Errorf("%s holds the statement in clear", name)
		}
	}

	_, err = s.UpdateCase(ctx, c.Reference, actor, func(k *casework.Case) (casework.Change, error) {
		return casework.Change{Activities: &[]string{"invoicing"}, ResetStatement: true}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := s.AccessStatement(ctx, c.ID); err != nil || st.Text != "" || st.Approved() {
		t.Errorf("after a reset: %+v %v", st, err)
	}

	_, err = s.UpdateCase(ctx, c.Reference, actor, func(k *casework.Case) (casework.Change, error) {
		k.Status, k.Outcome = casework.Completed, casework.Granted
		return casework.Change{Statement: &casework.Statement{Text: "Voor " + marker, EditedAt: approved, EditedByID: m.ID}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AnonymiseClosedCases(ctx, at.AddDate(1, 0, 0), at.AddDate(1, 0, 0)); err != nil {
		t.Fatal(err)
	}
	if st, err := s.AccessStatement(ctx, c.ID); err != nil || st.Text != "" {
		t.Errorf("an anonymised case keeps its statement: %+v %v", st, err)
	}
}
