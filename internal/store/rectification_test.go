package store

import (
	"slices"
	"testing"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/casework"
)

func sameRectification(a, b []casework.RectificationItem) bool {
	return slices.EqualFunc(a, b, func(x, y casework.RectificationItem) bool {
		return x.Field == y.Field && x.Old == y.Old && x.New == y.New && slices.Equal(x.Systems, y.Systems) &&
			x.Kept == y.Kept && x.Reason == y.Reason && x.Statement == y.Statement
	})
}

// TestCaseRectificationStored: the items come back with the case in the
// order recorded; their values are sealed at rest (markers in them are not
// in the database files); the audit entry counts them; the next save
// replaces them; the schema refuses a corrected item without systems;
// anonymising the case removes them.
func TestCaseRectificationStored(t *testing.T) {
	env := newTestStore(t)
	s := env.s
	ctx := t.Context()
	c := newCase(t, caseSpec{})
	c.Type = casework.Rectification
	c = mustCreate(t, s, c, ackMail)
	if c.Rectification == nil || len(c.Rectification) != 0 {
		t.Errorf("a new case holds rectification items %v", c.Rectification)
	}
	actor := casework.Actor{Scope: casework.Scope{All: true}}
	save := func(items []casework.RectificationItem) (casework.Case, error) {
		return s.UpdateCase(ctx, c.Reference, actor, func(k *casework.Case) (casework.Change, error) {
			return casework.Change{Rectification: &items, Events: []casework.Event{{At: k.CreatedAt, Kind: casework.EventRectification,
				Data: map[string]string{"corrected": "1", "kept": "1"}}}}, nil
		})
	}
	markers := []string{"Qzoldmarker", "Qznewmarker", "Qzreasonmarker", "Qzstatementmarker"}
	items := []casework.RectificationItem{
		{Field: "adres", Old: "Kerkstraat 1 " + markers[0], New: "Dorpsstraat 12 " + markers[1], Systems: []string{"cliëntdossier", "facturatie"}},
		{Field: "diagnose", Old: "ADHD", Kept: true, Reason: "Professioneel oordeel " + markers[2], Statement: "Ik ben het niet eens " + markers[3]},
	}
	got, err := save(items)
	if err != nil {
		t.Fatal(err)
	}
	if !sameRectification(got.Rectification, items) {
		t.Errorf("after the update %+v, want %+v", got.Rectification, items)
	}
	back, err := s.CaseByReference(ctx, c.Reference, casework.Scope{All: true})
	if err != nil || !sameRectification(back.Rectification, items) {
		t.Errorf("read back %+v %v", back.Rectification, err)
	}
	for name, data := range storedBytes(t, env) {
		for _, m := range markers {
			if containsFold(data, m) {
				t.Errorf("%s holds %s in clear", name, m)
			}
		}
	}
	entries, err := s.AuditEntries(ctx, audit.Case(c.ID), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(entries, func(e audit.Entry) bool {
		return e.Action == audit.CaseRectification && e.Detail == "corrected=1 kept=1"
	}) {
		t.Errorf("no audit entry counting the items: %+v", entries)
	}

	if got, err = save(items[1:]); err != nil || !sameRectification(got.Rectification, items[1:]) {
		t.Errorf("after a replacement %+v %v", got.Rectification, err)
	}
	if _, err := save([]casework.RectificationItem{{Field: "adres", Old: "Kerkstraat 1", New: "Dorpsstraat 12"}}); err == nil {
		t.Error("a corrected item without systems was stored")
	}
	if back, _ := s.CaseByReference(ctx, c.Reference, casework.Scope{All: true}); !sameRectification(back.Rectification, items[1:]) {
		t.Errorf("a refused save changed the items: %+v", back.Rectification)
	}

	at := c.CreatedAt
	if _, err := s.UpdateCase(ctx, c.Reference, actor, func(k *casework.Case) (casework.Change, error) {
		k.Status, k.Outcome = casework.Completed, casework.Refused
		return casework.Change{}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AnonymiseClosedCases(ctx, at.AddDate(2, 0, 0), at.AddDate(2, 0, 0)); err != nil {
		t.Fatal(err)
	}
	if back, err := s.CaseByReference(ctx, c.Reference, casework.Scope{All: true}); err != nil || len(back.Rectification) != 0 {
		t.Errorf("an anonymised case keeps its rectification items: %+v %v", back.Rectification, err)
	}
}
