package casework

import (
	"slices"
	"strings"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/deadline"
)

// The grounds of AVG art. 18(1) on which processing is restricted.
const (
	// RestrictionAccuracy: the person contests the accuracy of the data,
	// for the time the practice needs to verify it (18(1)(a)).
	RestrictionAccuracy = "accuracy_contested"
	// RestrictionUnlawful: the processing is unlawful, but the person
	// opposes erasure and asks for restriction instead (18(1)(b)).
	RestrictionUnlawful = "unlawful"
	// RestrictionLegalClaims: the practice no longer needs the data, but
	// the person needs them for legal claims (18(1)(c)).
	RestrictionLegalClaims = "legal_claims"
	// RestrictionObjection: the person objected (art. 21(1)), pending the
	// verification whether the practice's grounds override theirs
	// (18(1)(d)).
	RestrictionObjection = "objection_pending"
)

// RestrictionRecordGrounds lists the grounds in the order of art. 18(1).
var RestrictionRecordGrounds = []string{RestrictionAccuracy, RestrictionUnlawful, RestrictionLegalClaims, RestrictionObjection}

// Events of a restriction: the officer recorded what is restricted
// (Data: ground, activities), and announced its lifting to the requester
// (AVG art. 18(3); Data: on, the day it is lifted; Text: the reason,
// which the requester reads).
const (
	EventRestriction        EventKind = "restriction"
	EventRestrictionLifting EventKind = "restriction_lifting"
)

// RestrictedActivity is a register activity whose processing is
// restricted. Name is the activity's name in the register when the
// restriction was recorded, as the decision letter names it; the caller
// fills it.
type RestrictedActivity struct {
	Key  string
	Name string
}

// RestrictionRecord is what a restriction case (AVG art. 18) restricts: the
// processing of which of the chosen activities, which data in words, on
// which ground, from when and until when — a day, or an event in words
// ("until the accuracy is verified"). Data, UntilEvent and LiftReason
// speak of the person and are sealed; the rest are keys, grounds and days.
type RestrictionRecord struct {
	Activities []RestrictedActivity
	Data       string
	Ground     string // one of RestrictionRecordGrounds
	From       string // YYYY-MM-DD
	// Until is the last day (YYYY-MM-DD) or UntilEvent the event the
	// restriction lasts until: exactly one of them is given.
	Until      string
	UntilEvent string
	// LiftOn is the day the restriction is lifted (YYYY-MM-DD) and
	// LiftReason why, once the lifting was announced to the requester
	// (AnnounceLifting); both empty before.
	LiftOn     string
	LiftReason string
}

// Keys returns the keys of the restricted activities.
func (r RestrictionRecord) Keys() []string { return keysOf(r.Activities) }

// Restricts reports whether the processing of activity key is restricted.
func (r RestrictionRecord) Restricts(key string) bool { return slices.Contains(r.Keys(), key) }

// Announced reports whether the lifting was announced to the requester.
func (r RestrictionRecord) Announced() bool { return r.LiftOn != "" }

// Lifted reports whether the restriction is lifted on today: its lifting
// was announced for today or a day before.
func (r RestrictionRecord) Lifted(today deadline.Date) bool {
	on, err := deadline.ParseDate(r.LiftOn)
	return err == nil && !today.Before(on)
}

// RestrictionRecorded reports whether the restriction case c has its
// restriction recorded for the activities chosen now: every restricted
// activity is still chosen (another choice asks for the record again).
func (c Case) RestrictionRecorded() bool {
	if c.Type != Restriction || c.Restriction == nil || len(c.Restriction.Activities) == 0 {
		return false
	}
	for _, k := range c.Restriction.Keys() {
		if !slices.Contains(c.Activities, k) {
			return false
		}
	}
	return true
}

// RestrictionInForce reports whether the restriction recorded on c holds
// on today: it began, it is not lifted, and the request was not refused or
// withdrawn.
func (c Case) RestrictionInForce(today deadline.Date) bool {
	if c.Restriction == nil || c.Outcome == Refused || c.Outcome == Withdrawn {
		return false
	}
	from, err := deadline.ParseDate(c.Restriction.From)
	return err == nil && !today.Before(from) && !c.Restriction.Lifted(today)
}

// ValidateRestriction returns the problems of r as the restriction of case
// c on today, keyed by JSON path: at least one activity, each chosen on c
// and named once; data in words; a ground of RestrictionRecordGrounds; a valid
// from day not before the request was received; and either an end day
// after the from day or an event in words, not both.
func ValidateRestriction(c Case, r RestrictionRecord, today deadline.Date) Problems {
	p := Problems{}
	switch {
	case len(c.Activities) == 0:
		p.add("activities", "restriction.no_activities")
	case len(r.Activities) == 0:
		p.add("activities", "restriction.activities_required")
	}
	seen := map[string]bool{}
	for _, a := range r.Activities {
		if msg := activityNamed(c, seen, a.Key, "restriction"); msg != "" {
			p.add("activities", msg)
		}
	}
	text(p, "data", strings.TrimSpace(r.Data), true, MaxShort)
	choice(p, "ground", r.Ground, RestrictionRecordGrounds, true)
	from, err := deadline.ParseDate(strings.TrimSpace(r.From))
	switch {
	case strings.TrimSpace(r.From) == "":
		p.add("from", "field.required")
	case err != nil:
		p.add("from", "field.date")
	case from.Before(c.ReceivedOn):
		p.add("from", "restriction.from_before_receipt")
	}
	until, event := strings.TrimSpace(r.Until), strings.TrimSpace(r.UntilEvent)
	switch {
	case until == "" && event == "":
		p.add("until", "restriction.until_required")
	case until != "" && event != "":
		p.add("until_event", "restriction.until_one")
	case until != "":
		end, err := deadline.ParseDate(until)
		switch {
		case err != nil:
			p.add("until", "field.date")
		case !end.After(today) || (p["from"] == "" && !end.After(from)):
			p.add("until", "restriction.until_after")
		}
	default:
		text(p, "until_event", event, true, MaxShort)
	}
	return p
}

// restrictionOpen is the message ID of why the restriction of c cannot be
// recorded or changed, or "".
func restrictionOpen(c Case) string {
	switch {
	case c.Type != Restriction:
		return "restriction.not_restriction"
	case c.Status == Completed:
		return "case.completed"
	case c.Restriction != nil && c.Restriction.Announced():
		return "restriction.lifting_announced"
	}
	return ""
}

// SaveRestriction is the step that records the restriction of a
// restriction case, replacing an earlier one (Change.Restriction), the
// activities in the register's order. It is Conflict for another request
// type ("restriction.not_restriction"), a completed case and a restriction
// whose lifting was announced, and Invalid with the problems of
// ValidateRestriction.
func SaveRestriction(r RestrictionRecord) func(c *Case, env Env) (Change, error) {
	return func(c *Case, env Env) (Change, error) {
		if why := restrictionOpen(*c); why != "" {
			return Change{}, apperr.New(apperr.Conflict, why)
		}
		if p := ValidateRestriction(*c, r, env.Today); len(p) > 0 {
			return Change{}, apperr.InvalidFields(p)
		}
		saved := RestrictionRecord{Data: strings.TrimSpace(r.Data), Ground: r.Ground, From: strings.TrimSpace(r.From),
			Until: strings.TrimSpace(r.Until), UntilEvent: strings.TrimSpace(r.UntilEvent), Activities: inRegisterOrder(c.Activities, r.Activities)}
		c.Restriction = &saved
		return Change{Restriction: &saved, Events: []Event{{Kind: EventRestriction,
			Data: map[string]string{"ground": saved.Ground, "activities": strings.Join(saved.Keys(), ",")}}}}, nil
	}
}

// AnnounceLifting is the step that announces to the requester that the
// restriction of case c is lifted on day on, for reason (AVG art. 18(3):
// the requester is told before the restriction is lifted). The day must
// come after today; the caller adds the mail or, for a case by post, the
// visible event is the letter to print. It works on a completed case too:
// a restriction usually outlives its case. It is Conflict for another
// request type, without a restriction, once announced, and when the
// restriction is not in force (a refused or withdrawn request, or lifted).
func AnnounceLifting(on, reason string) func(c *Case, env Env) (Change, error) {
	return func(c *Case, env Env) (Change, error) {
		switch {
		case c.Type != Restriction:
			return Change{}, apperr.New(apperr.Conflict, "restriction.not_restriction")
		case c.Restriction == nil:
			return Change{}, apperr.New(apperr.Conflict, "restriction.not_recorded")
		case c.Restriction.Announced():
			return Change{}, apperr.New(apperr.Conflict, "restriction.lifting_announced")
		case c.Outcome == Refused || c.Outcome == Withdrawn:
			return Change{}, apperr.New(apperr.Conflict, "restriction.not_in_force")
		}
		p := Problems{}
		on, reason = strings.TrimSpace(on), strings.TrimSpace(reason)
		day, err := deadline.ParseDate(on)
		switch {
		case on == "":
			p.add("on", "field.required")
		case err != nil:
			p.add("on", "field.date")
		case !day.After(env.Today):
			p.add("on", "restriction.lift_future")
		}
		text(p, "reason", reason, true, MaxText)
		if len(p) > 0 {
			return Change{}, apperr.InvalidFields(p)
		}
		lifted := *c.Restriction
		lifted.LiftOn, lifted.LiftReason = day.String(), reason
		c.Restriction = &lifted
		return Change{Restriction: &lifted, Events: []Event{{Kind: EventRestrictionLifting, Visible: true, Text: reason,
			Data: map[string]string{"on": lifted.LiftOn}}}}, nil
	}
}

// requestedGrounds maps the ground the requester chose on the form
// (RestrictionGrounds) to the ground of the record.
var requestedGrounds = map[string]string{"accuracy": RestrictionAccuracy, "unlawful": RestrictionUnlawful,
	"legal_claims": RestrictionLegalClaims, "objection": RestrictionObjection}

// RequestedRestriction is the ground of art. 18(1) the requester asked
// for on the form, as a ground of the record; "" when they named none.
func (s Specifics) RequestedRestriction() string { return requestedGrounds[s.RestrictionGround] }
