package casework_test

import (
	"errors"
	"maps"
	"testing"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
)

func restricted(keys ...string) []casework.RestrictedActivity {
	out := make([]casework.RestrictedActivity, len(keys))
	for i, k := range keys {
		out[i] = casework.RestrictedActivity{Key: k, Name: "Activiteit " + k}
	}
	return out
}

// restrictionCase is an open restriction case received on 20 November
// 2026 with two activities chosen.
func restrictionCase() casework.Case {
	return casework.Case{Type: casework.Restriction, Status: casework.InProgress, ReceivedOn: deadline.Date{Year: 2026, Month: 11, Day: 20},
		Activities: []string{"client-file", "invoicing"}}
}

func aRestriction() casework.RestrictionRecord {
	return casework.RestrictionRecord{Activities: restricted("client-file"), Data: "De diagnose in het verslag van maart",
		Ground: casework.RestrictionAccuracy, From: "2026-11-21", UntilEvent: "tot de juistheid is nagegaan"}
}

// A restriction names at least one chosen activity, the data in words, a
// ground of art. 18(1), a from day not before receipt, and an end: a day
// after the start or an event in words, not both.
func TestValidateRestriction(t *testing.T) {
	c := restrictionCase()
	edit := func(f func(r *casework.RestrictionRecord)) casework.RestrictionRecord {
		r := aRestriction()
		f(&r)
		return r
	}
	for _, tc := range []struct {
		name string
		c    casework.Case
		r    casework.RestrictionRecord
		want casework.Problems
	}{
		{"until an event", c, aRestriction(), casework.Problems{}},
		{"until a day", c, edit(func(r *casework.RestrictionRecord) { r.UntilEvent, r.Until = "", "2027-02-01" }), casework.Problems{}},
		{"both chosen activities", c, edit(func(r *casework.RestrictionRecord) { r.Activities = restricted("invoicing", "client-file") }), casework.Problems{}},
		{"no activities chosen on the case", casework.Case{Type: casework.Restriction, ReceivedOn: c.ReceivedOn}, aRestriction(),
			casework.Problems{"activities": "restriction.no_activities"}},
		{"no activity restricted", c, edit(func(r *casework.RestrictionRecord) { r.Activities = nil }),
			casework.Problems{"activities": "restriction.activities_required"}},
		{"an activity not chosen", c, edit(func(r *casework.RestrictionRecord) { r.Activities = restricted("client-file", "newsletter") }),
			casework.Problems{"activities": "restriction.activity_not_chosen"}},
		{"an activity twice", c, edit(func(r *casework.RestrictionRecord) { r.Activities = restricted("client-file", "client-file") }),
			casework.Problems{"activities": "restriction.activity_twice"}},
		{"no data in words", c, edit(func(r *casework.RestrictionRecord) { r.Data = "  " }), casework.Problems{"data": "field.required"}},
		{"no ground", c, edit(func(r *casework.RestrictionRecord) { r.Ground = "" }), casework.Problems{"ground": "field.choose"}},
		{"the requester's form word as ground", c, edit(func(r *casework.RestrictionRecord) { r.Ground = "accuracy" }), casework.Problems{"ground": "field.choose"}},
		{"no from day", c, edit(func(r *casework.RestrictionRecord) { r.From = "" }), casework.Problems{"from": "field.required"}},
		{"from a day that is no date", c, edit(func(r *casework.RestrictionRecord) { r.From = "2026-11-31" }), casework.Problems{"from": "field.date"}},
		{"from before the request came", c, edit(func(r *casework.RestrictionRecord) { r.From = "2026-11-19" }),
			casework.Problems{"from": "restriction.from_before_receipt"}},
		{"no end", c, edit(func(r *casework.RestrictionRecord) { r.UntilEvent = " " }), casework.Problems{"until": "restriction.until_required"}},
		{"a day and an event", c, edit(func(r *casework.RestrictionRecord) { r.Until = "2027-02-01" }), casework.Problems{"until_event": "restriction.until_one"}},
		{"until a day that is no date", c, edit(func(r *casework.RestrictionRecord) { r.UntilEvent, r.Until = "", "1 februari" }),
			casework.Problems{"until": "field.date"}},
		{"until the from day", c, edit(func(r *casework.RestrictionRecord) { r.UntilEvent, r.From, r.Until = "", "2026-12-10", "2026-12-10" }),
			casework.Problems{"until": "restriction.until_after"}},
		{"until a day already past", c, edit(func(r *casework.RestrictionRecord) { r.UntilEvent, r.Until = "", "2026-11-30" }),
			casework.Problems{"until": "restriction.until_after"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := casework.ValidateRestriction(tc.c, tc.r, decisionDay); !maps.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// SaveRestriction: only on an open restriction case whose lifting was not
// announced; the activities land in the register's order, trimmed, with an
// event in machine words.
func TestSaveRestriction(t *testing.T) {
	env := casework.Env{Today: decisionDay}
	announced := restrictionCase()
	r := aRestriction()
	r.LiftOn = "2027-01-10"
	announced.Restriction = &r
	for _, tc := range []struct {
		name string
		c    casework.Case
		code apperr.Code
	}{
		{"an erasure case", casework.Case{Type: casework.Erasure, Activities: []string{"client-file"}}, apperr.Conflict},
		{"a completed restriction", func() casework.Case { c := restrictionCase(); c.Status = casework.Completed; return c }(), apperr.Conflict},
		{"a restriction whose lifting was announced", announced, apperr.Conflict},
		{"a restriction of an activity not chosen", func() casework.Case { c := restrictionCase(); c.Activities = []string{"invoicing"}; return c }(), apperr.Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c
			_, err := casework.SaveRestriction(aRestriction())(&c, env)
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code != tc.code {
				t.Fatalf("got %v, want code %v", err, tc.code)
			}
		})
	}
	c := restrictionCase()
	in := aRestriction()
	in.Activities, in.Data = restricted("invoicing", "client-file"), "  De diagnose  "
	ch, err := casework.SaveRestriction(in)(&c, env)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Restriction == nil || ch.Restriction.Data != "De diagnose" || ch.Restriction.Activities[0].Key != "client-file" ||
		ch.Restriction.Activities[1].Name != "Activiteit invoicing" || c.Restriction != ch.Restriction {
		t.Fatalf("change holds %+v", ch.Restriction)
	}
	if len(ch.Events) != 1 || ch.Events[0].Kind != casework.EventRestriction ||
		ch.Events[0].Data["activities"] != "client-file,invoicing" || ch.Events[0].Data["ground"] != casework.RestrictionAccuracy {
		t.Errorf("events %+v", ch.Events)
	}
}

// Lifting (art. 18(3)): announced for a day after today with a reason, as
// a visible event the requester reads; once only; never on a refused
// restriction or one not recorded.
func TestAnnounceLifting(t *testing.T) {
	env := casework.Env{Today: decisionDay}
	recorded := func(edit func(c *casework.Case)) casework.Case {
		c := restrictionCase()
		r := aRestriction()
		c.Restriction = &r
		edit(&c)
		return c
	}
	for _, tc := range []struct {
		name, on, reason string
		c                casework.Case
		code             apperr.Code
		fields           casework.Problems
	}{
		{"another right", "2026-12-10", "Nagegaan.", casework.Case{Type: casework.Objection}, apperr.Conflict, nil},
		{"nothing restricted", "2026-12-10", "Nagegaan.", restrictionCase(), apperr.Conflict, nil},
		{"already announced", "2026-12-10", "Nagegaan.", recorded(func(c *casework.Case) { c.Restriction.LiftOn = "2026-12-05" }), apperr.Conflict, nil},
		{"a refused restriction", "2026-12-10", "Nagegaan.", recorded(func(c *casework.Case) { c.Status, c.Outcome = casework.Completed, casework.Refused }), apperr.Conflict, nil},
		{"lifted today", "2026-12-01", "Nagegaan.", recorded(func(*casework.Case) {}), apperr.Invalid, casework.Problems{"on": "restriction.lift_future"}},
		{"no day, no reason", "", " ", recorded(func(*casework.Case) {}), apperr.Invalid, casework.Problems{"on": "field.required", "reason": "field.required"}},
		{"a day that is no date", "10-12-2026", "Nagegaan.", recorded(func(*casework.Case) {}), apperr.Invalid, casework.Problems{"on": "field.date"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c
			_, err := casework.AnnounceLifting(tc.on, tc.reason)(&c, env)
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code != tc.code {
				t.Fatalf("got %v, want code %v", err, tc.code)
			}
			if tc.fields != nil && !maps.Equal(casework.Problems(ae.Fields), tc.fields) {
				t.Errorf("fields %v, want %v", ae.Fields, tc.fields)
			}
		})
	}
	// A granted restriction, decided: the lifting is announced after the case closed.
	c := recorded(func(c *casework.Case) { c.Status, c.Outcome = casework.Completed, casework.Granted })
	ch, err := casework.AnnounceLifting("2026-12-15", " De geboortedatum klopt. ")(&c, env)
	if err != nil {
		t.Fatal(err)
	}
	if c.Restriction.LiftOn != "2026-12-15" || c.Restriction.LiftReason != "De geboortedatum klopt." || ch.Restriction != c.Restriction {
		t.Errorf("restriction %+v", c.Restriction)
	}
	if len(ch.Events) != 1 || ch.Events[0].Kind != casework.EventRestrictionLifting || !ch.Events[0].Visible ||
		ch.Events[0].Data["on"] != "2026-12-15" || ch.Events[0].Text != "De geboortedatum klopt." {
		t.Errorf("events %+v", ch.Events)
	}
	for _, tc := range []struct {
		day  deadline.Date
		want bool
	}{
		{deadline.Date{Year: 2026, Month: 11, Day: 20}, false}, // before the from day
		{deadline.Date{Year: 2026, Month: 11, Day: 21}, true},
		{deadline.Date{Year: 2026, Month: 12, Day: 14}, true},
		{deadline.Date{Year: 2026, Month: 12, Day: 15}, false}, // lifted
	} {
		if got := c.RestrictionInForce(tc.day); got != tc.want {
			t.Errorf("in force on %s: %v, want %v", tc.day, got, tc.want)
		}
	}
}

// A restriction granted in whole or in part needs its record for the
// chosen activities: the letter says what is restricted and until when;
// with none of the activities concerning the person it needs none.
func TestDecisionRestrictionNeedsRecord(t *testing.T) {
	c := restrictionCase()
	c.Requester.Relation = casework.Self
	grant := casework.Decision{Outcome: casework.Granted, Reasons: "Wij beperken de verwerking."}
	if p := grant.Validate(c, decisionDay); p["outcome"] != "restriction.not_recorded" {
		t.Errorf("granted without a record: %v", p)
	}
	r := aRestriction()
	c.Restriction = &r
	if p := grant.Validate(c, decisionDay); len(p) != 0 {
		t.Errorf("granted with a record: %v", p)
	}
	c.Activities = []string{"invoicing"} // chosen anew: the record is out of date
	if p := grant.Validate(c, decisionDay); p["outcome"] != "restriction.not_recorded" {
		t.Errorf("granted with a record of activities no longer chosen: %v", p)
	}
	refuse := casework.Decision{Outcome: casework.Refused, Ground: casework.GroundNoRestriction, Reasons: "Geen van de gronden van artikel 18 lid 1 AVG is van toepassing."}
	if p := refuse.Validate(c, decisionDay); len(p) != 0 {
		t.Errorf("refused without a record: %v", p)
	}
	// No data processed: nothing to restrict, so a grant needs no record
	// (its letter says so).
	c.Activities, c.NoActivities, c.Restriction = []string{}, true, nil
	if p := grant.Validate(c, decisionDay); len(p) != 0 {
		t.Errorf("granted with none of the activities concerning the person: %v", p)
	}
}
