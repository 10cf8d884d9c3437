package web

import (
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/representation"
	"github.com/avgloket/avgloket/internal/rights"
)

// casePlan is the step rail of the case page: the steps of the case's
// right in order (package rights), with the day they work towards.
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
}

// planStep is one step of the rail as people read it.
type planStep struct {
	Label string
	State rights.State // a CSS class; the words are in StateText
	// StateText says where the step stands, with why when it is blocked.
	StateText string
	// Anchor is the section of the page where the current step is taken;
	// "" for the other steps.
	Anchor  string
	Current bool
}

// stepAnchors are the sections of the case page where each step is taken.
var stepAnchors = map[string]string{
	rights.StepIdentity: "#h-identity", rights.StepRepresentation: "#h-identity",
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

// casePlanOf builds the step rail of the case page p.
func casePlanOf(p casePage) *casePlan {
	k := p.Case
	r := &casePlan{Tr: p.Tr, Left: p.TimeLeft, Late: p.Late}
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
	for _, s := range rights.Plan(k, planFacts(p)) {
		l := planStep{Label: p.Tr.T("plan.step." + s.Key), State: s.State,
			StateText: p.Tr.T("plan.state." + string(s.State)), Current: s.State == rights.Current}
		if s.Reason != "" {
			l.StateText = p.Tr.T(s.Reason)
		}
		if l.Current {
			l.Anchor = stepAnchors[s.Key]
		}
		r.Steps = append(r.Steps, l)
	}
	return r
}
