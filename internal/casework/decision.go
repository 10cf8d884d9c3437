package casework

import (
	"context"
	"slices"
	"strings"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/practice"
)

// Ground is the legal ground for refusing a request in whole or in part.
// The UI explains each with the article it rests on.
type Ground string

// The grounds a practice can name.
const (
	GroundUnfounded        Ground = "manifestly_unfounded"       // AVG art. 12(5)
	GroundIdentity         Ground = "identity_not_established"   // AVG art. 12(2) and 12(6)
	GroundOthers           Ground = "rights_of_others"           // AVG art. 15(4); BW 7:457
	GroundRetention        Ground = "legal_retention"            // AVG art. 17(3)(b); Jeugdwet 7.3.8, BW 7:454, AWR art. 52
	GroundOtherInterest    Ground = "substantial_interest_other" // BW 7:455(2); Jeugdwet 7.3.9
	GroundChildInterest    Ground = "not_in_childs_interest"     // BW 7:465(4)
	GroundCompelling       Ground = "compelling_grounds"         // AVG art. 21(1)
	GroundNoRepresentation Ground = "no_authority"               // the representative's authority was not shown (EDPB 01/2022 §80–81)
	GroundOther            Ground = "other"                      // explained in the reasons
)

// Grounds lists every ground in the order the UI shows them.
var Grounds = []Ground{GroundUnfounded, GroundIdentity, GroundNoRepresentation, GroundOthers, GroundRetention,
	GroundOtherInterest, GroundChildInterest, GroundCompelling, GroundOther}

// Outcomes lists every outcome in the order the UI shows them.
var Outcomes = []Outcome{Granted, PartiallyGranted, Refused, Withdrawn}

// Decision is how a case ends.
type Decision struct {
	Outcome Outcome
	// Ground is required when the request is refused in whole or in part.
	Ground Ground
	// Reasons are the explanation the requester reads. Every decision has
	// them: what was done, or why not.
	Reasons string
}

// Validate returns the problems of d per field (outcome, ground, reasons).
func (d Decision) Validate() Problems {
	p := Problems{}
	if !slices.Contains(Outcomes, d.Outcome) {
		p.add("outcome", "field.choose")
	}
	refused := d.Outcome == Refused || d.Outcome == PartiallyGranted
	switch {
	case refused && d.Ground == "":
		p.add("ground", "case.ground_required")
	case d.Ground != "" && !slices.Contains(Grounds, d.Ground):
		p.add("ground", "field.choose")
	case !refused && d.Ground != "":
		p.add("ground", "case.ground_only_refusal")
	}
	text(p, "reasons", strings.TrimSpace(d.Reasons), true, MaxText)
	return p
}

// DecisionGate can stop a decision: granting a request about a child, for
// instance, waits until the proofs and consents are on record.
type DecisionGate interface {
	// CanDecide returns a Conflict error saying what is missing, or nil.
	CanDecide(ctx context.Context, c Case, d Decision) error
}

// UseGate makes every decision pass g first.
func (s *Service) UseGate(g DecisionGate) { s.gate = g }

// Decide completes the case with an outcome and reasons, and tells the
// requester (a refusal names its ground and the right to complain to the
// Autoriteit Persoonsgegevens and to go to court, AVG art. 12(4)).
func (s *Service) Decide(ctx context.Context, a Actor, ref string, d Decision) (Case, error) {
	if p := d.Validate(); len(p) > 0 {
		return Case{}, apperr.InvalidFields(p)
	}
	return s.update(ctx, a, ref, func(c *Case, today deadline.Date, cal deadline.Calendar, _ practice.Settings) (Change, error) {
		if !CanMove(c.Status, Completed) {
			return Change{}, apperr.New(apperr.Conflict, "case.completed")
		}
		if s.gate != nil {
			if err := s.gate.CanDecide(ctx, *c, d); err != nil {
				return Change{}, err
			}
		}
		from := c.Status
		resume(c, today, cal)
		c.Status, c.Outcome = Completed, d.Outcome
		ch := Change{Events: []Event{
			{Kind: EventStatus, Data: map[string]string{"from": string(from), "to": string(Completed)}},
			{Kind: EventDecided, Visible: true, Text: strings.TrimSpace(d.Reasons),
				Data: map[string]string{"outcome": string(d.Outcome), "ground": string(d.Ground)}},
		}}
		return s.withMail(ch, *c, s.letters.Decision)
	})
}
