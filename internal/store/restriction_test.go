package store

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
)

// TestCaseRestrictionStored: the restriction comes back with the case, its
// words sealed in the database, replaced as a whole by the next save (the
// lifting too); the queue marks the case while the restriction is in force
// on the day it lists, and not before it began, once lifted, or when the
// request was refused.
func TestCaseRestrictionStored(t *testing.T) {
	env := newTestStore(t)
	s := env.s
	ctx := t.Context()
	c := newCase(t, caseSpec{})
	c.Type = casework.Restriction
	c = mustCreate(t, s, c, ackMail)
	other := mustCreate(t, s, newCase(t, caseSpec{name: "Ida Anders"}), ackMail)
	if c.Restriction != nil {
		t.Errorf("a new case holds a restriction %+v", c.Restriction)
	}
	actor := casework.Actor{Scope: casework.Scope{All: true}}
	save := func(ch casework.Change) casework.Case {
		t.Helper()
		got, err := s.UpdateCase(ctx, c.Reference, actor, func(k *casework.Case) (casework.Change, error) { return ch, nil })
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	const marker = "MARKER-RESTRICTION de diagnose van maart"
	r := casework.RestrictionRecord{Activities: []casework.RestrictedActivity{{Key: "client-file", Name: "Cliëntdossier"}, {Key: "invoicing", Name: "Facturatie"}},
		Data: marker, Ground: casework.RestrictionAccuracy, From: "2026-11-26", UntilEvent: "tot de juistheid is nagegaan"}
	got := save(casework.Change{Restriction: &r})
	if got.Restriction == nil || !slices.Equal(got.Restriction.Activities, r.Activities) || got.Restriction.Data != marker ||
		got.Restriction.UntilEvent != r.UntilEvent || got.Restriction.Ground != r.Ground || got.Restriction.From != r.From {
		t.Fatalf("after the update %+v, want %+v", got.Restriction, r)
	}
	var body []byte
	if err := s.db.WithContext(ctx).Raw("SELECT body FROM case_restrictions WHERE case_id = ?", c.ID).Row().Scan(&body); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(body, []byte("MARKER")) {
		t.Error("the restriction's words are in clear in the database")
	}

	listed := func(on deadline.Date) map[string]bool {
		out := map[string]bool{}
		for _, k := range allCases(t, s, casework.Query{Today: on}, casework.Scope{All: true}) {
			out[k.Reference] = k.Restricted
		}
		return out
	}
	day := func(d int) deadline.Date { return deadline.Date{Year: 2026, Month: time.December, Day: d} }
	if m := listed(deadline.Date{Year: 2026, Month: time.November, Day: 25}); m[c.Reference] {
		t.Error("marked before the restriction began")
	}
	if m := listed(day(1)); !m[c.Reference] || m[other.Reference] {
		t.Errorf("on 1 December the queue marks %v; want only %s", m, c.Reference)
	}

	r.Until, r.UntilEvent, r.LiftOn, r.LiftReason = "2027-03-01", "", "2026-12-10", "MARKER-REASON nagegaan"
	back := save(casework.Change{Restriction: &r})
	if back.Restriction.LiftOn != "2026-12-10" || back.Restriction.LiftReason != r.LiftReason || back.Restriction.UntilEvent != "" || back.Restriction.Until != "2027-03-01" {
		t.Errorf("after the lifting %+v", back.Restriction)
	}
	if m := listed(day(9)); !m[c.Reference] {
		t.Error("not marked the day before it is lifted")
	}
	if m := listed(day(10)); m[c.Reference] {
		t.Error("still marked on the day it is lifted")
	}
	r.LiftOn = ""
	if _, err := s.UpdateCase(ctx, c.Reference, actor, func(k *casework.Case) (casework.Change, error) {
		k.Status, k.Outcome = casework.Completed, casework.Refused
		return casework.Change{Restriction: &r}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if m := listed(day(9)); m[c.Reference] {
		t.Error("a refused restriction is marked")
	}
	bad := r
	bad.Ground = "because"
	if _, err := s.UpdateCase(ctx, c.Reference, actor, func(*casework.Case) (casework.Change, error) {
		return casework.Change{Restriction: &bad}, nil
	}); err == nil {
		t.Error("a restriction on a ground outside art. 18(1) was stored")
	}
}
