package casework

import (
	"slices"
	"strconv"
	"strings"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/email"
)

// ObjectionOutcome is what became of the processing objected to (AVG art.
// 21).
type ObjectionOutcome string

// The outcomes of an objection: the processing stopped; it continues
// because the practice's compelling legitimate grounds outweigh the
// requester's (art. 21(1)); or the right does not apply, because the
// processing rests on neither a public task nor legitimate interests
// (art. 6(1)(e) or (f)).
const (
	ObjectionStopped       ObjectionOutcome = "stopped"
	ObjectionContinued     ObjectionOutcome = "continued"
	ObjectionNotApplicable ObjectionOutcome = "not_applicable"
)

// ObjectionOutcomes lists the outcomes in the order the UI offers them.
var ObjectionOutcomes = []string{string(ObjectionStopped), string(ObjectionContinued), string(ObjectionNotApplicable)}

// EventObjection: the officer recorded the objection. Data: activities
// (keys, comma-separated), outcome, and direct_marketing ("true" or
// "false"); never the grounds, which are about the person.
const EventObjection EventKind = "objection"

// ObjectedActivity is a register activity an objection is against, as the
// register described it when the objection was recorded; the caller fills
// Name, DirectMarketing and Objectable from the register.
type ObjectedActivity struct {
	Key  string
	Name string
	// DirectMarketing: the register marks the activity as direct marketing
	// (art. 21(2)), to which an objection is always honoured.
	DirectMarketing bool
	// Objectable: its legal basis is a public task or legitimate interests
	// (register.LegalBasis.Objectable), the bases art. 21(1) is about.
	Objectable bool
}

// ObjectionRecord is the answer to an objection case (AVG art. 21): the
// activities objected to and what became of them. An objection to direct
// marketing stops it from the day of receipt, without a balancing (art.
// 21(3)); any other objection is weighed: the requester's grounds, from
// their particular situation, against the practice's compelling legitimate
// grounds (art. 21(1)). The grounds are the officer's words about the
// person: sealed, and in the letter only once the requester is confirmed.
type ObjectionRecord struct {
	Activities       []ObjectedActivity
	RequesterGrounds string
	PracticeGrounds  string
	Outcome          ObjectionOutcome
	// DirectMarketing and From are set by SaveObjection: whether the case
	// is an objection to direct marketing, and then the day the stop takes
	// effect, the day of receipt (zero otherwise).
	DirectMarketing bool
	From            deadline.Date
}

// Keys are the keys of the activities objected to.
func (o ObjectionRecord) Keys() []string { return keysOf(o.Activities) }

// ValidateObjection returns the problems of o as the answer of the
// objection case c, keyed by field ("activities", "outcome",
// "requester_grounds", "practice_grounds"): at least one activity, each
// chosen on c and named once. An objection to direct marketing
// (Case.ImmediateEffect) is against direct-marketing activities and always
// stops them (an empty outcome says so too), with no balancing to record
// (art. 21(3)). Otherwise the
// outcome is one of ObjectionOutcomes: stopped or continued weigh the
// requester's grounds, and continuing needs the practice's compelling
// grounds and activities art. 21(1) applies to; "the right does not apply"
// only when it applies to none of them.
func ValidateObjection(c Case, o ObjectionRecord) Problems {
	p := Problems{}
	switch {
	case len(c.Activities) == 0:
		p.add("activities", "objection.no_activities")
	case len(o.Activities) == 0:
		p.add("activities", "objection.activities_required")
	}
	seen := map[string]bool{}
	for _, a := range o.Activities {
		switch msg := activityNamed(c, seen, a.Key, "objection"); {
		case msg != "":
			p.add("activities", msg)
		case c.ImmediateEffect() && !a.DirectMarketing:
			p.add("activities", "objection.not_marketing")
		}
	}
	requester, practice := strings.TrimSpace(o.RequesterGrounds), strings.TrimSpace(o.PracticeGrounds)
	text(p, "requester_grounds", requester, false, MaxText)
	text(p, "practice_grounds", practice, false, MaxText)
	if c.ImmediateEffect() {
		if o.Outcome != ObjectionStopped && o.Outcome != "" {
			p.add("outcome", "objection.marketing_stops")
		}
		if practice != "" {
			p.add("practice_grounds", "objection.marketing_no_balancing")
		}
		return p
	}
	choice(p, "outcome", string(o.Outcome), ObjectionOutcomes, true)
	objectable := slices.ContainsFunc(o.Activities, func(a ObjectedActivity) bool { return a.Objectable })
	switch o.Outcome {
	case ObjectionStopped:
		if requester == "" {
			p.add("requester_grounds", "objection.requester_grounds_required")
		}
	case ObjectionContinued:
		if requester == "" {
			p.add("requester_grounds", "objection.requester_grounds_required")
		}
		if practice == "" {
			p.add("practice_grounds", "objection.practice_grounds_required")
		}
		if slices.ContainsFunc(o.Activities, func(a ObjectedActivity) bool { return !a.Objectable }) {
			p.add("outcome", "objection.continued_not_objectable")
		}
	case ObjectionNotApplicable:
		if objectable {
			p.add("outcome", "objection.objectable")
		}
	}
	return p
}

// SaveObjection is the step that records the objection of an objection
// case, replacing an earlier record (Change.Objection). An objection to
// direct marketing stops it from the day of receipt, at once: the store
// marks each activity for this person (MarketingStops) in the same
// transaction, before any decision. It is Conflict for another request
// type ("objection.not_objection") and for a completed case, and Invalid
// with the problems of ValidateObjection.
func SaveObjection(o ObjectionRecord) func(c *Case, env Env) (Change, error) {
	return func(c *Case, _ Env) (Change, error) {
		switch {
		case c.Type != Objection:
			return Change{}, apperr.New(apperr.Conflict, "objection.not_objection")
		case c.Status == Completed:
			return Change{}, apperr.New(apperr.Conflict, "case.completed")
		}
		if p := ValidateObjection(*c, o); len(p) > 0 {
			return Change{}, apperr.InvalidFields(p)
		}
		saved := ObjectionRecord{RequesterGrounds: strings.TrimSpace(o.RequesterGrounds), PracticeGrounds: strings.TrimSpace(o.PracticeGrounds),
			Outcome: o.Outcome, DirectMarketing: c.ImmediateEffect()}
		if saved.DirectMarketing {
			saved.Outcome, saved.From = ObjectionStopped, c.EffectiveFrom()
		}
		saved.Activities = inRegisterOrder(c.Activities, o.Activities)
		c.Objection = &saved
		return Change{Objection: &saved, Events: []Event{{Kind: EventObjection, Data: map[string]string{
			"activities": strings.Join(saved.Keys(), ","), "outcome": string(saved.Outcome),
			"direct_marketing": strconv.FormatBool(saved.DirectMarketing)}}}}, nil
	}
}

// MarketingStop marks a direct-marketing activity for one person: from
// From on, they must not be approached (AVG art. 21(3)). Name and Email
// are personal data, sealed where stored.
type MarketingStop struct {
	Activity string
	Name     string
	Email    string
	From     deadline.Date
	// Case is the reference of the objection that asked for the stop.
	Case string
}

// MarketingStops are the stops the objection o of case c marks: one per
// activity objected to, for a stopped objection to direct marketing, from
// o.From; none otherwise. The person is the data subject, reached at the
// requester's e-mail address (a parent's, for a child).
func MarketingStops(c Case, o ObjectionRecord) []MarketingStop {
	if !o.DirectMarketing || o.Outcome != ObjectionStopped {
		return nil
	}
	name := c.Subject.Name
	if c.Requester.Relation == Self || name == "" {
		name = c.Requester.Name
	}
	out := make([]MarketingStop, 0, len(o.Activities))
	for _, a := range o.Activities {
		out = append(out, MarketingStop{Activity: a.Key, Name: name, Email: email.Normalize(c.Requester.Email), From: o.From, Case: c.Reference})
	}
	return out
}

// validateObjectionDecision adds the problems of deciding the objection
// case c with d that contradict its recorded objection: granting what the
// balancing continues or finds the right not to apply to; refusing a
// stopped objection (for direct marketing, the stop took effect on
// receipt); naming compelling grounds or "the right does not apply" other
// than as recorded.
func validateObjectionDecision(p Problems, c Case, d Decision) {
	o := c.Objection
	if c.Type != Objection || o == nil {
		return
	}
	switch {
	case d.Outcome == Granted && o.Outcome != ObjectionStopped:
		p.add("outcome", "objection.decision_contradicts")
	case d.Outcome == Refused && o.Outcome == ObjectionStopped:
		p.add("outcome", "objection.decision_contradicts")
	}
	switch {
	case d.Ground == GroundCompelling && o.Outcome != ObjectionContinued:
		p.add("ground", "objection.ground_contradicts")
	case d.Ground == GroundNotApplicable && o.Outcome != ObjectionNotApplicable:
		p.add("ground", "objection.ground_contradicts")
	}
}
