package web

import (
	"slices"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/representation"
	"github.com/avgloket/avgloket/internal/rights"
)

// casePlan is the guided path of the case page: the steps of the case's
// right in order (package rights), with the day they work towards. The page
// draws a step rail from it, then one section per step holding that step's
// forms; the template asks the plan what to show and never reads the case's
// status.
type casePlan struct {
	Tr    tr
	Steps []planStep
	// Due is the deadline in words, or the day a request with immediate
	// effect took effect; "" once the case is completed.
	Due string
	// Left is the time left in words (the page's), Late whether the
	// deadline has passed.
	Left string
	Late bool
	// Next is the label of the step to take next; "" when none is.
	Next string
	// Closed: the case is completed, so no step offers its forms.
	Closed bool
	// Outcomes are the outcomes the decision form offers: every one when
	// the decision is the step to take; while it waits for earlier steps
	// only an early end, a refusal or a withdrawn request, which need none
	// of them (the identity gate and the access statement stand before a
	// grant only).
	Outcomes []string
	// EarlyOpen: the early end of a blocked decision comes back with
	// problems, so it is drawn open.
	EarlyOpen bool
	// action is the form that came back with problems ("" when none did).
	action string
}

// planStep is one step of the path as people read it.
type planStep struct {
	Key   string
	N     int // its number on the path, from 1
	Label string
	State rights.State // a CSS class; the words are in StateText
	// StateText says where the step stands, with why when it is blocked.
	StateText string
	// Anchor is the section of the page where the current step is taken;
	// "" for the other steps.
	Anchor  string
	Current bool
	// Show: the step's section holds its record and forms. A blocked step
	// shows only what it waits for, and so does one skipped on a completed
	// case. On an open case that can only be refused the steps before the
	// decision are skipped but stay at hand: a verified identity lets the
	// refusal letter name its ground (casework.Case.RequesterConfirmed).
	Show bool
	// Blocked: the step waits for an earlier one (StateText says which).
	Blocked bool
	// Own: one of the steps a right has for itself between the activities
	// and the decision, whose partial shows only on a case of that right.
	Own bool
}

// Is reports whether the step is one of keys (rights.Step*).
func (s planStep) Is(keys ...string) bool { return slices.Contains(keys, s.Key) }

// Has reports whether the path has the step key.
func (p *casePlan) Has(key string) bool {
	return slices.ContainsFunc(p.Steps, func(s planStep) bool { return s.Key == key })
}

// Folded reports whether the forms of step key are folded away: the step
// is done, so they serve only to change it, and none of them (actions)
// came back with problems.
func (p *casePlan) Folded(key string, actions ...string) bool {
	i := slices.IndexFunc(p.Steps, func(s planStep) bool { return s.Key == key })
	return i >= 0 && p.Steps[i].State == rights.Done && !slices.Contains(actions, p.action)
}

// stepAnchors are the sections of the case page where each step is taken.
var stepAnchors = map[string]string{
	rights.StepIdentity: "#h-identity", rights.StepRepresentation: "#h-needs",
	rights.StepActivities: "#h-activities", rights.StepStatement: "#h-statement",
	rights.StepDocuments: "#h-documents", rights.StepConsents: "#h-consents",
	rights.StepDecision: "#h-decision", rights.StepLetter: "#h-letter",
	rights.StepNotices:       "#h-notices",
	rights.StepRectification: "#h-rectification",
	rights.StepObjection:     "#h-objection",
	rights.StepRestriction:   "#h-restriction",
	rights.StepPortability:   "#h-portability",
	rights.StepErasure:       "#h-erasure", rights.StepDestruction: "#h-erasure",
}

// ownSteps are the steps of a right's own, drawn in one slot of the page.
var ownSteps = []string{rights.StepConsents, rights.StepErasure, rights.StepRectification,
	rights.StepRestriction, rights.StepPortability, rights.StepObjection}

// earlyOutcomes end a request before its steps are done.
var earlyOutcomes = []string{string(casework.Refused), string(casework.Withdrawn)}

// planFacts gathers what the plan needs from what the case page already
// read: the identity view, the access statement, the answer documents, the
// consents chosen and the letter sent.
func planFacts(p casePage) rights.Facts {
	f := rights.Facts{StatementApproved: p.Answers.Approved, LetterSent: p.SentLetter != nil,
		ErasureRecorded:       len(p.Case.Erasure) > 0 && len(p.Case.Erasure) == len(p.Case.Activities),
		RectificationRecorded: len(p.Case.Rectification) > 0,
		ObjectionRecorded:     p.Case.Objection != nil,
		RestrictionRecorded:   p.Case.RestrictionRecorded(),
		ExportReady:           p.Portability.exportReady(p.Case),
		DestructionPending:    casework.PendingDestructions(p.Case.Erasure)}
	if p.ID != nil {
		for _, n := range p.ID.Needs {
			switch {
			case n.Key == representation.KeyRequesterIdentity:
				f.IdentityMissing = !n.Met
			case n.Met:
				f.Representation++
			default:
				f.Representation++
				f.RepresentationMissing++
			}
		}
	}
	if p.Documents != nil {
		f.DocumentsUnsent = p.Documents.Unsent
	}
	if p.Notices != nil {
		f.NoticesOpen = p.Notices.Open
	}
	if p.Consents != nil {
		for _, l := range p.Consents.Lines {
			f.ConsentsChosen = f.ConsentsChosen || l.Chosen
		}
	}
	return f
}

// casePlanOf builds the guided path of the case page p.
func casePlanOf(p casePage) *casePlan {
	k := p.Case
	r := &casePlan{Tr: p.Tr, Left: p.TimeLeft, Late: p.Late, Closed: k.Status == casework.Completed, action: p.Action}
	switch due := rights.Due(k); {
	case k.Answered() && !k.DestroyBy.IsZero() && k.Status != casework.Completed:
		// Decided, and open for a destruction promised: that day counts now.
		r.Due, r.Left = p.Tr.T("plan.destroy_by", "Date", p.Tr.Date(k.DestroyBy)), ""
	case k.Answered():
		r.Left = ""
	case due.IsZero():
	case k.ImmediateEffect():
		r.Due, r.Left = p.Tr.T("plan.effective", "Date", p.Tr.Date(due)), ""
	case k.Paused():
		r.Due = p.Tr.T("plan.due_paused", "Date", p.Tr.Date(p.RunningDue))
	default:
		r.Due = p.Tr.T("plan.due", "Date", p.Tr.Date(due))
	}
	for i, s := range rights.Plan(k, planFacts(p)) {
		l := planStep{Key: s.Key, N: i + 1, Label: p.Tr.T("plan.step." + s.Key), State: s.State,
			StateText: p.Tr.T("plan.state." + string(s.State)), Current: s.State == rights.Current,
			Show:    s.State != rights.Blocked && (s.State != rights.Skipped || !r.Closed),
			Blocked: s.State == rights.Blocked, Own: slices.Contains(ownSteps, s.Key)}
		if s.Reason != "" {
			l.StateText = p.Tr.T(s.Reason)
		}
		if s.NoData {
			// Nothing to act on: the step says why, and offers no forms.
			l.StateText, l.Show = p.Tr.T("plan.skipped_no_data"), false
		}
		if l.Current {
			l.Anchor, r.Next = stepAnchors[s.Key], l.Label
		}
		if s.Key == rights.StepDecision {
			r.EarlyOpen = l.Blocked && p.Action == "decision"
			r.Outcomes = outcomesAt(l.Blocked)
		}
		r.Steps = append(r.Steps, l)
	}
	return r
}

// outcomesAt returns the outcomes the decision form offers: only the early
// ones while the decision is blocked.
func outcomesAt(blocked bool) []string {
	if blocked {
		return earlyOutcomes
	}
	var out []string
	for _, o := range casework.Outcomes {
		out = append(out, string(o))
	}
	return out
}
