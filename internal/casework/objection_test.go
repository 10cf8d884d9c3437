package casework_test

import (
	"errors"
	"maps"
	"testing"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
)

var (
	newsletter  = casework.ObjectedActivity{Key: "newsletter", Name: "Nieuwsbrief", DirectMarketing: true}
	waitingList = casework.ObjectedActivity{Key: "waiting-list", Name: "Wachtlijst", Objectable: true}
	clientFile  = casework.ObjectedActivity{Key: "client-file", Name: "Cliëntdossier"}
	receivedDay = deadline.Date{Year: 2027, Month: 2, Day: 3}
)

// objectionCase is an open objection case with the three activities
// chosen; marketing says whether the intake calls it direct marketing.
func objectionCase(marketing bool) casework.Case {
	dm := marketing
	return casework.Case{Type: casework.Objection, Status: casework.InProgress, Reference: "AVG-2027-0007", ReceivedOn: receivedDay,
		Requester: casework.Requester{Name: "Mirjam Verhoef", Email: " Mirjam@Example.org ", Relation: casework.Parent},
		Subject:   casework.Subject{Name: "Daan Verhoef"}, Specifics: casework.Specifics{DirectMarketing: &dm},
		Activities: []string{"client-file", "waiting-list", "newsletter"}}
}

func objection(outcome casework.ObjectionOutcome, requester, practice string, acts ...casework.ObjectedActivity) casework.ObjectionRecord {
	return casework.ObjectionRecord{Activities: acts, RequesterGrounds: requester, PracticeGrounds: practice, Outcome: outcome}
}

// Direct marketing always stops, with no balancing (art. 21(3)); any other
// objection is weighed (art. 21(1)), and "the right does not apply" only
// to activities on another basis than 6(1)(e)/(f).
func TestValidateObjection(t *testing.T) {
	dm, other := objectionCase(true), objectionCase(false)
	const mine, ours = "Ik wil niet dat de wachtlijst mijn gegevens deelt.", "De wachtlijst is nodig om zorg te plannen."
	for _, tc := range []struct {
		name string
		c    casework.Case
		o    casework.ObjectionRecord
		want casework.Problems
	}{
		{"direct marketing stopped", dm, objection(casework.ObjectionStopped, "", "", newsletter), casework.Problems{}},
		{"direct marketing, the outcome left implied", dm, objection("", "", "", newsletter), casework.Problems{}},
		{"direct marketing continued", dm, objection(casework.ObjectionContinued, mine, ours, newsletter),
			casework.Problems{"outcome": "objection.marketing_stops", "practice_grounds": "objection.marketing_no_balancing"}},
		{"direct marketing, the right does not apply", dm, objection(casework.ObjectionNotApplicable, "", "", newsletter),
			casework.Problems{"outcome": "objection.marketing_stops"}},
		{"direct marketing against an activity that is none", dm, objection(casework.ObjectionStopped, "", "", newsletter, waitingList),
			casework.Problems{"activities": "objection.not_marketing"}},
		{"no activity", other, objection(casework.ObjectionStopped, mine, ""), casework.Problems{"activities": "objection.activities_required"}},
		{"no activities chosen on the case", casework.Case{Type: casework.Objection}, objection(casework.ObjectionStopped, mine, "", waitingList),
			casework.Problems{"activities": "objection.no_activities"}},
		{"an activity not chosen", other, objection(casework.ObjectionStopped, mine, "", casework.ObjectedActivity{Key: "invoicing", Objectable: true}),
			casework.Problems{"activities": "objection.activity_not_chosen"}},
		{"an activity twice", other, objection(casework.ObjectionStopped, mine, "", waitingList, waitingList),
			casework.Problems{"activities": "objection.activity_twice"}},
		{"stopped after the balancing", other, objection(casework.ObjectionStopped, mine, "", waitingList), casework.Problems{}},
		{"stopped without the requester's grounds", other, objection(casework.ObjectionStopped, " ", "", waitingList),
			casework.Problems{"requester_grounds": "objection.requester_grounds_required"}},
		{"continued on compelling grounds", other, objection(casework.ObjectionContinued, mine, ours, waitingList), casework.Problems{}},
		{"continued without compelling grounds", other, objection(casework.ObjectionContinued, mine, "", waitingList),
			casework.Problems{"practice_grounds": "objection.practice_grounds_required"}},
		{"continued where the right does not apply", other, objection(casework.ObjectionContinued, mine, ours, clientFile),
			casework.Problems{"outcome": "objection.continued_not_objectable"}},
		{"the right does not apply to a contract", other, objection(casework.ObjectionNotApplicable, "", "", clientFile), casework.Problems{}},
		{"the right does not apply, on legitimate interests", other, objection(casework.ObjectionNotApplicable, mine, "", waitingList),
			casework.Problems{"outcome": "objection.objectable"}},
		{"no outcome", other, objection("", mine, "", waitingList), casework.Problems{"outcome": "field.choose"}},
		{"an unknown outcome", other, objection("paused", mine, "", waitingList), casework.Problems{"outcome": "field.choose"}},
		{"grounds too long", other, objection(casework.ObjectionContinued, mine, string(make([]rune, casework.MaxText+1)), waitingList),
			casework.Problems{"practice_grounds": "field.too_long"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := casework.ValidateObjection(tc.c, tc.o); !maps.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// SaveObjection: only on an open objection case; the activities land in
// the register's order, an objection to direct marketing takes effect from
// the day of receipt, and the event names no grounds.
func TestSaveObjection(t *testing.T) {
	env := casework.Env{Today: decisionDay}
	stop := objection("", " Geen reclame meer. ", "", newsletter)
	for _, tc := range []struct {
		name string
		c    casework.Case
		o    casework.ObjectionRecord
		code apperr.Code
	}{
		{"an erasure case", casework.Case{Type: casework.Erasure, Activities: []string{"newsletter"}}, stop, apperr.Conflict},
		{"a completed objection", func() casework.Case { c := objectionCase(true); c.Status = casework.Completed; return c }(), stop, apperr.Conflict},
		{"direct marketing continued", objectionCase(true), objection(casework.ObjectionContinued, "", "", newsletter), apperr.Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c
			_, err := casework.SaveObjection(tc.o)(&c, env)
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code != tc.code {
				t.Fatalf("got %v, want code %v", err, tc.code)
			}
		})
	}

	c := objectionCase(true)
	ch, err := casework.SaveObjection(stop)(&c, env)
	if err != nil {
		t.Fatal(err)
	}
	o := ch.Objection
	if o == nil || !o.DirectMarketing || o.Outcome != casework.ObjectionStopped || o.From != receivedDay || o.RequesterGrounds != "Geen reclame meer." || c.Objection != o {
		t.Fatalf("change holds %+v, want a stop from %v", o, receivedDay)
	}
	if len(ch.Events) != 1 || ch.Events[0].Kind != casework.EventObjection || ch.Events[0].Data["activities"] != "newsletter" ||
		ch.Events[0].Data["direct_marketing"] != "true" || ch.Events[0].Text != "" {
		t.Errorf("events %+v", ch.Events)
	}
	stops := casework.MarketingStops(c, *o)
	want := casework.MarketingStop{Activity: "newsletter", Name: "Daan Verhoef", Email: "mirjam@example.org", From: receivedDay, Case: "AVG-2027-0007"}
	if len(stops) != 1 || stops[0] != want {
		t.Errorf("stops %+v, want %+v", stops, want)
	}

	c = objectionCase(false)
	ch, err = casework.SaveObjection(objection(casework.ObjectionStopped, "Mijn situatie.", "", newsletter, waitingList, clientFile))(&c, env)
	if err != nil {
		t.Fatal(err)
	}
	if keys := ch.Objection.Keys(); len(keys) != 3 || keys[0] != "client-file" || keys[2] != "newsletter" || !ch.Objection.From.IsZero() {
		t.Errorf("saved %+v, want the case's order and no date of effect", ch.Objection)
	}
	if stops := casework.MarketingStops(c, *ch.Objection); len(stops) != 0 {
		t.Errorf("an objection on other grounds marks stops %+v", stops)
	}
}

// A decision that contradicts the recorded objection is refused: granting
// what the balancing continues, refusing a stopped objection (direct
// marketing above all), a ground other than the one recorded.
func TestDecisionObjectionFollowsRecord(t *testing.T) {
	withRecord := func(marketing bool, o casework.ObjectionOutcome) casework.Case {
		c := objectionCase(marketing)
		c.Requester.Relation = casework.Self
		c.Objection = &casework.ObjectionRecord{Outcome: o, DirectMarketing: marketing}
		return c
	}
	grant := casework.Decision{Outcome: casework.Granted, Reasons: "Wij zijn gestopt."}
	for _, tc := range []struct {
		name string
		c    casework.Case
		d    casework.Decision
		want casework.Problems
	}{
		{"direct marketing stopped, granted", withRecord(true, casework.ObjectionStopped), grant, casework.Problems{}},
		{"direct marketing stopped, refused", withRecord(true, casework.ObjectionStopped), refusalOn(casework.GroundUnfounded),
			casework.Problems{"outcome": "objection.decision_contradicts"}},
		{"stopped after the balancing, granted", withRecord(false, casework.ObjectionStopped), grant, casework.Problems{}},
		{"continued, granted", withRecord(false, casework.ObjectionContinued), grant, casework.Problems{"outcome": "objection.decision_contradicts"}},
		{"continued, refused on compelling grounds", withRecord(false, casework.ObjectionContinued), refusalOn(casework.GroundCompelling), casework.Problems{}},
		{"stopped, refused on compelling grounds", withRecord(false, casework.ObjectionStopped), refusalOn(casework.GroundCompelling),
			casework.Problems{"outcome": "objection.decision_contradicts", "ground": "objection.ground_contradicts"}},
		{"continued, refused as the right does not apply", withRecord(false, casework.ObjectionContinued), refusalOn(casework.GroundNotApplicable),
			casework.Problems{"ground": "objection.ground_contradicts"}},
		{"not applicable, refused so", withRecord(false, casework.ObjectionNotApplicable), refusalOn(casework.GroundNotApplicable), casework.Problems{}},
		{"not applicable, granted", withRecord(false, casework.ObjectionNotApplicable), grant, casework.Problems{"outcome": "objection.decision_contradicts"}},
		{"nothing recorded yet", func() casework.Case { c := withRecord(false, ""); c.Objection = nil; return c }(), refusalOn(casework.GroundCompelling),
			casework.Problems{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.d.Validate(tc.c, decisionDay); !maps.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
