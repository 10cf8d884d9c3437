// Package rights knows the path each right takes from receipt to the
// letter: the ordered steps a request of each type needs, and which of them
// is done, which one is next, and why a later one cannot be done yet.
package rights

import (
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
)

// The steps a right can take, each named by its key.
const (
	StepIdentity       = "identity"       // the requester's identity is checked
	StepRepresentation = "representation" // a representative's authority is on record
	StepActivities     = "activities"     // the register activities that concern the person are chosen, or none is
	StepStatement      = "statement"      // access: the art. 15(1) statement is approved
	StepDocuments      = "documents"      // access: the uploaded copies are sent, after the statement
	StepConsents       = "consents"       // consent withdrawal: the consents withdrawn are chosen
	StepErasure        = "erasure"        // erasure: per chosen activity, erased or kept (and why, until when)
	StepRectification  = "rectification"  // rectification: per item, corrected (where) or kept (why)
	StepRestriction    = "restriction"    // restriction: what is restricted, on which ground, from and until when
	StepPortability    = "portability"    // portability: the export of the data the person provided is made
	StepObjection      = "objection"      // objection: the processing objected to, stopped or the balancing recorded
	StepDecision       = "decision"       // the outcome is decided
	StepLetter         = "letter"         // the decision letter is sent
	StepNotices        = "notices"        // art. 19: every recipient is told of the rectification, erasure or restriction
	StepDestruction    = "destruction"    // erasure: each destruction promised for a later day is confirmed
)

// ReasonPaused is the reason on the current step while a question to the
// requester is open (casework.Case.Paused).
const ReasonPaused = "plan.current.paused"

// State is where one step stands.
type State string

const (
	Done    State = "done"
	Current State = "current" // the one step to take next
	// Blocked: the step cannot be taken before another; Step.Reason says
	// which (a message ID).
	Blocked State = "blocked"
	Later   State = "later"
	// Skipped: the case was completed without this step (a refusal on
	// identity, a withdrawn request).
	Skipped State = "skipped"
)

// Step is one step of a case's plan.
type Step struct {
	Key   string
	State State
	// Reason is a message ID: why a Blocked step cannot be taken yet, or,
	// on the Current step of a paused case, that it waits for the
	// requester's answer; "" otherwise.
	Reason string
	// NoData: the step is Skipped because no data are processed (noData),
	// so it has nothing to act on.
	NoData bool
}

// Facts are what the plan needs that is not on the Case itself.
type Facts struct {
	// IdentityMissing: the requester's identity is not yet on record
	// (representation.KeyRequesterIdentity unmet).
	IdentityMissing bool
	// Representation is how many representation requirements apply to
	// the case; RepresentationMissing how many of them are not met.
	Representation, RepresentationMissing int
	// StatementApproved: the access statement is approved.
	StatementApproved bool
	// DocumentsUnsent is how many uploaded answer documents are not sent.
	DocumentsUnsent int
	// ConsentsChosen: the consents a withdrawal withdraws are chosen.
	ConsentsChosen bool
	// LetterSent: the decision letter went out.
	LetterSent bool
	// ErasureRecorded: an erasure case has an item (erased or kept) for
	// every chosen activity.
	ErasureRecorded bool
	// RectificationRecorded: a rectification case has its items recorded
	// (corrected, or kept with the reason).
	RectificationRecorded bool
	// RestrictionRecorded: a restriction case has what is restricted, the
	// ground and the period recorded.
	RestrictionRecorded bool
	// ExportReady: a portability case's export (ZIP with JSON, CSV and a
	// manifest) is made.
	ExportReady bool
	// ObjectionRecorded: an objection case has the processing objected to
	// and what follows (stopped, or the balancing) recorded.
	ObjectionRecorded bool
	// NoticesOpen is how many art. 19 notices still wait to be sent or
	// printed.
	NoticesOpen int
	// DestructionPending is how many erasure items promise a destruction
	// not yet confirmed.
	DestructionPending int
}

// step is one step of a right with when it is done and what must come
// before it (the reason named when it does not).
type step struct {
	key   string
	done  func(casework.Case, Facts) bool
	needs []string // keys of earlier steps that must be done first
	// followUp marks a step that comes after the decision and can still be
	// open once the case is completed (a notice to print); it is skipped
	// only when the outcome does not call for it (skip).
	followUp bool
	skip     func(casework.Case) bool
	// onData marks a step that has nothing to act on when no data are
	// processed (noData): it is then skipped.
	onData bool
}

// stepsOf returns the steps a request of type t takes, in order; with
// representation when the case needs a representative's authority on
// record.
func stepsOf(t casework.RequestType, representation bool) []step {
	idDone := func(c casework.Case, f Facts) bool {
		return !f.IdentityMissing && c.Identity.Status == casework.IdentityVerified
	}
	steps := []step{{key: StepIdentity, done: idDone}}
	gate := []string{StepIdentity}
	if representation {
		steps = append(steps, step{key: StepRepresentation, done: func(_ casework.Case, f Facts) bool { return f.RepresentationMissing == 0 }})
		gate = append(gate, StepRepresentation)
	}
	steps = append(steps, step{key: StepActivities, done: func(c casework.Case, _ Facts) bool { return len(c.Activities) > 0 || c.NoActivities }})
	gate = append(gate, StepActivities)
	switch t {
	case casework.Access:
		steps = append(steps,
			step{key: StepStatement, done: func(_ casework.Case, f Facts) bool { return f.StatementApproved }, needs: []string{StepActivities}},
			step{key: StepDocuments, done: func(_ casework.Case, f Facts) bool { return f.StatementApproved && f.DocumentsUnsent == 0 },
				needs: []string{StepStatement}, onData: true})
		gate = append(gate, StepStatement, StepDocuments)
	case casework.ConsentWithdrawal:
		steps = append(steps, step{key: StepConsents, done: func(_ casework.Case, f Facts) bool { return f.ConsentsChosen }})
		gate = append(gate, StepConsents)
	default:
		if own, ok := ownStep[t]; ok {
			steps = append(steps, step{key: own.key, done: own.done, needs: []string{StepActivities}, onData: true})
			gate = append(gate, own.key)
		}
	}
	steps = append(steps,
		step{key: StepDecision, done: func(c casework.Case, _ Facts) bool { return c.Outcome != "" }, needs: gate},
		step{key: StepLetter, done: func(_ casework.Case, f Facts) bool { return f.LetterSent }, needs: []string{StepDecision}})
	if t == casework.Rectification || t == casework.Erasure || t == casework.Restriction {
		steps = append(steps, step{key: StepNotices, needs: []string{StepDecision}, followUp: true,
			done:   func(c casework.Case, f Facts) bool { return notifies(c.Outcome) && f.NoticesOpen == 0 },
			onData: true, skip: notCalledFor})
	}
	if t == casework.Erasure {
		steps = append(steps, step{key: StepDestruction, needs: []string{StepDecision}, followUp: true,
			done:   func(c casework.Case, f Facts) bool { return notifies(c.Outcome) && f.DestructionPending == 0 },
			onData: true, skip: notCalledFor})
	}
	return steps
}

// ownStep is the step of its own that a right takes between choosing the
// activities and the decision (access and consent withdrawal take more
// than one, see stepsOf).
var ownStep = map[casework.RequestType]struct {
	key  string
	done func(casework.Case, Facts) bool
}{
	casework.Erasure:       {StepErasure, func(_ casework.Case, f Facts) bool { return f.ErasureRecorded }},
	casework.Rectification: {StepRectification, func(_ casework.Case, f Facts) bool { return f.RectificationRecorded }},
	casework.Restriction:   {StepRestriction, func(_ casework.Case, f Facts) bool { return f.RestrictionRecorded }},
	casework.Portability:   {StepPortability, func(_ casework.Case, f Facts) bool { return f.ExportReady }},
	casework.Objection:     {StepObjection, func(_ casework.Case, f Facts) bool { return f.ObjectionRecorded }},
}

// noData reports whether the officer recorded that none of the register's
// activities concern the person (casework.Case.NoActivities): there is
// nothing to erase, correct, restrict, export, stop, send or tell
// recipients of, so those steps are skipped; an access request is still
// answered with the statement that no data are processed (AVG art. 15(1)).
func noData(c casework.Case) bool { return c.NoActivities }

// notifies reports whether a decision with outcome o calls for art. 19
// notices: the request granted in whole or in part.
func notifies(o casework.Outcome) bool {
	return o == casework.Granted || o == casework.PartiallyGranted
}

// notCalledFor reports whether the follow-ups of a grant (art. 19
// notices, destructions to confirm) are not called for on c: it is
// decided with an outcome other than a grant in whole or in part.
func notCalledFor(c casework.Case) bool { return c.Outcome != "" && !notifies(c.Outcome) }

// refusing reports whether case c can only be refused, so the steps
// before the decision no longer apply: the identity check failed, or a
// parent without parental authority asked (DOMAIN.md §4).
func refusing(c casework.Case) bool {
	return c.Identity.Status == casework.IdentityFailed || c.Requester.Relation == casework.ParentWithoutAuthority
}

// Plan returns the steps of case c in order, each with its state: the
// first step not done is Current; a later step that needs one not yet
// done is Blocked with the reason "plan.blocked.<that step>"; other later
// steps are Later. While the case is paused, the current step waits for
// the requester (ReasonPaused). A case that can only be refused goes straight to the
// decision. On a completed case, a step not done was Skipped, except a
// follow-up the outcome calls for (an art. 19 notice still to print),
// which stays open; one the outcome does not call for is Skipped, and so
// is a step with nothing to act on because no data are processed (noData,
// Step.NoData).
func Plan(c casework.Case, f Facts) []Step {
	steps := stepsOf(c.Type, f.Representation > 0)
	out := make([]Step, len(steps))
	done := map[string]bool{}
	for i, s := range steps {
		d := s.done(c, f)
		nothing := s.onData && noData(c)
		if nothing || (s.skip != nil && s.skip(c)) || (!d && refusing(c) && s.key != StepDecision && s.key != StepLetter) {
			d, out[i].State, out[i].NoData = true, Skipped, nothing
		}
		done[s.key] = d
	}
	current := false
	for i, s := range steps {
		out[i].Key = s.key
		switch {
		case out[i].State == Skipped:
		case done[s.key]:
			out[i].State = Done
		case c.Status == casework.Completed && !s.followUp:
			out[i].State = Skipped
		case !current:
			out[i].State, current = Current, true
			if c.Paused() {
				out[i].Reason = ReasonPaused
			}
		default:
			out[i].State = Later
			for _, n := range s.needs {
				if !done[n] {
					out[i].State, out[i].Reason = Blocked, "plan.blocked."+n
					break
				}
			}
		}
	}
	return out
}

// Due is the day the plan works towards: the deadline in force, or the
// day a request with immediate effect took effect; zero once completed.
func Due(c casework.Case) deadline.Date {
	switch {
	case c.Status == casework.Completed:
		return deadline.Date{}
	case c.ImmediateEffect():
		return c.EffectiveFrom()
	}
	return c.Deadlines.Due
}
