package rights

import (
	"slices"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
)

// line writes a plan as "key:state" words, a blocked step with its reason.
func line(p []Step) string {
	var w []string
	for _, s := range p {
		x := s.Key + ":" + string(s.State)
		if s.Reason != "" {
			x += "(" + s.Reason + ")"
		}
		w = append(w, x)
	}
	return strings.Join(w, " ")
}

func TestPlan(t *testing.T) {
	verified := casework.Identity{Status: casework.IdentityVerified}
	acts := []string{"treatment"}
	completed := func(c casework.Case, o casework.Outcome) casework.Case {
		c.Status, c.Outcome = casework.Completed, o
		return c
	}
	// decided: the outcome is decided and the letter out, but the case
	// stays open for what follows (notices, a destruction to confirm).
	decided := func(c casework.Case, o casework.Outcome) casework.Case {
		c.Outcome = o
		return c
	}
	open := func(typ casework.RequestType, id casework.Identity, activities []string) casework.Case {
		return casework.Case{Type: typ, Status: casework.InProgress, Identity: id, Activities: activities}
	}
	paused := open(casework.Access, casework.Identity{}, nil)
	paused.PausedSince = deadline.Date{Year: 2026, Month: 2, Day: 9}
	parent := open(casework.Access, casework.Identity{}, nil)
	parent.Requester.Relation = casework.ParentWithoutAuthority
	// none: the officer recorded that none of the register's activities
	// concern the person.
	none := func(typ casework.RequestType) casework.Case {
		c := open(typ, verified, []string{})
		c.NoActivities = true
		return c
	}
	for _, tc := range []struct {
		name string
		c    casework.Case
		f    Facts
		want string
	}{
		{"access received: identity first, the statement needs the activities, the decision the identity",
			open(casework.Access, casework.Identity{}, nil), Facts{IdentityMissing: true},
			"identity:current activities:later statement:blocked(plan.blocked.activities) documents:blocked(plan.blocked.statement) decision:blocked(plan.blocked.identity) letter:blocked(plan.blocked.decision)"},
		{"access with identity on record: the activities",
			open(casework.Access, verified, nil), Facts{},
			"identity:done activities:current statement:blocked(plan.blocked.activities) documents:blocked(plan.blocked.statement) decision:blocked(plan.blocked.activities) letter:blocked(plan.blocked.decision)"},
		{"access with activities: the statement",
			open(casework.Access, verified, acts), Facts{},
			"identity:done activities:done statement:current documents:blocked(plan.blocked.statement) decision:blocked(plan.blocked.statement) letter:blocked(plan.blocked.decision)"},
		{"access with approved statement and an unsent document: the documents",
			open(casework.Access, verified, acts), Facts{StatementApproved: true, DocumentsUnsent: 1},
			"identity:done activities:done statement:done documents:current decision:blocked(plan.blocked.documents) letter:blocked(plan.blocked.decision)"},
		{"access ready: the decision",
			open(casework.Access, verified, acts), Facts{StatementApproved: true},
			"identity:done activities:done statement:done documents:done decision:current letter:blocked(plan.blocked.decision)"},
		{"access granted, letter sent: all done",
			completed(open(casework.Access, verified, acts), casework.Granted), Facts{StatementApproved: true, LetterSent: true},
			"identity:done activities:done statement:done documents:done decision:done letter:done"},
		{"a question to the requester is open: the current step waits for the answer",
			paused, Facts{IdentityMissing: true},
			"identity:current(plan.current.paused) activities:later statement:blocked(plan.blocked.activities) documents:blocked(plan.blocked.statement) decision:blocked(plan.blocked.identity) letter:blocked(plan.blocked.decision)"},
		{"identity verified but the status not yet recorded as met",
			open(casework.Rectification, verified, nil), Facts{IdentityMissing: true},
			"identity:current activities:later rectification:blocked(plan.blocked.activities) decision:blocked(plan.blocked.identity) letter:blocked(plan.blocked.decision) notices:blocked(plan.blocked.decision)"},
		{"rectification with a representative whose authority is missing",
			open(casework.Rectification, verified, acts), Facts{Representation: 2, RepresentationMissing: 1},
			"identity:done representation:current activities:done rectification:later decision:blocked(plan.blocked.representation) letter:blocked(plan.blocked.decision) notices:blocked(plan.blocked.decision)"},
		{"erasure with activities: the items",
			open(casework.Erasure, verified, acts), Facts{},
			"identity:done activities:done erasure:current decision:blocked(plan.blocked.erasure) letter:blocked(plan.blocked.decision) notices:blocked(plan.blocked.decision) destruction:blocked(plan.blocked.decision)"},
		{"erasure items recorded: the decision",
			open(casework.Erasure, verified, acts), Facts{ErasureRecorded: true, DestructionPending: 1},
			"identity:done activities:done erasure:done decision:current letter:blocked(plan.blocked.decision) notices:blocked(plan.blocked.decision) destruction:blocked(plan.blocked.decision)"},
		{"erasure decided, a notice to print and a destruction to confirm: the notices",
			decided(open(casework.Erasure, verified, acts), casework.PartiallyGranted), Facts{ErasureRecorded: true, LetterSent: true, NoticesOpen: 1, DestructionPending: 1},
			"identity:done activities:done erasure:done decision:done letter:done notices:current destruction:later"},
		{"erasure decided, notices out: the destruction to confirm",
			decided(open(casework.Erasure, verified, acts), casework.Granted), Facts{ErasureRecorded: true, LetterSent: true, DestructionPending: 1},
			"identity:done activities:done erasure:done decision:done letter:done notices:done destruction:current"},
		{"erasure completed",
			completed(open(casework.Erasure, verified, acts), casework.Granted), Facts{ErasureRecorded: true, LetterSent: true},
			"identity:done activities:done erasure:done decision:done letter:done notices:done destruction:done"},
		{"erasure refused: no notices, nothing to destroy",
			completed(open(casework.Erasure, verified, acts), casework.Refused), Facts{ErasureRecorded: true, LetterSent: true},
			"identity:done activities:done erasure:done decision:done letter:done notices:skipped destruction:skipped"},
		{"restriction completed with a notice still to print: the notices stay open",
			completed(open(casework.Restriction, verified, acts), casework.Granted), Facts{RestrictionRecorded: true, LetterSent: true, NoticesOpen: 2},
			"identity:done activities:done restriction:done decision:done letter:done notices:current"},
		{"rectification items recorded: the decision",
			open(casework.Rectification, verified, acts), Facts{RectificationRecorded: true},
			"identity:done activities:done rectification:done decision:current letter:blocked(plan.blocked.decision) notices:blocked(plan.blocked.decision)"},
		{"restriction with activities: what is restricted",
			open(casework.Restriction, verified, acts), Facts{},
			"identity:done activities:done restriction:current decision:blocked(plan.blocked.restriction) letter:blocked(plan.blocked.decision) notices:blocked(plan.blocked.decision)"},
		{"portability export made: the decision",
			open(casework.Portability, verified, acts), Facts{ExportReady: true},
			"identity:done activities:done portability:done decision:current letter:blocked(plan.blocked.decision)"},
		{"objection recorded: the decision",
			open(casework.Objection, verified, acts), Facts{ObjectionRecorded: true},
			"identity:done activities:done objection:done decision:current letter:blocked(plan.blocked.decision)"},
		{"restriction without activities",
			open(casework.Restriction, verified, nil), Facts{},
			"identity:done activities:current restriction:blocked(plan.blocked.activities) decision:blocked(plan.blocked.activities) letter:blocked(plan.blocked.decision) notices:blocked(plan.blocked.decision)"},
		{"portability decided, letter not yet out",
			completed(open(casework.Portability, verified, acts), casework.Granted), Facts{},
			"identity:done activities:done portability:skipped decision:done letter:skipped"},
		{"objection received",
			open(casework.Objection, casework.Identity{}, nil), Facts{IdentityMissing: true},
			"identity:current activities:later objection:blocked(plan.blocked.activities) decision:blocked(plan.blocked.identity) letter:blocked(plan.blocked.decision)"},
		{"consent withdrawal: the consents after the activities",
			open(casework.ConsentWithdrawal, verified, acts), Facts{},
			"identity:done activities:done consents:current decision:blocked(plan.blocked.consents) letter:blocked(plan.blocked.decision)"},
		{"consent withdrawal granted",
			completed(open(casework.ConsentWithdrawal, verified, acts), casework.Granted), Facts{ConsentsChosen: true, LetterSent: true},
			"identity:done activities:done consents:done decision:done letter:done"},
		{"failed identity: straight to the refusal",
			open(casework.Erasure, casework.Identity{Status: casework.IdentityFailed}, nil), Facts{IdentityMissing: true},
			"identity:skipped activities:skipped erasure:skipped decision:current letter:blocked(plan.blocked.decision) notices:skipped destruction:skipped"},
		{"parent without authority: straight to the refusal",
			parent, Facts{IdentityMissing: true, Representation: 1, RepresentationMissing: 1},
			"identity:skipped representation:skipped activities:skipped statement:skipped documents:skipped decision:current letter:blocked(plan.blocked.decision)"},
		{"withdrawn access: the steps not taken are skipped",
			completed(open(casework.Access, casework.Identity{}, nil), casework.Withdrawn), Facts{IdentityMissing: true},
			"identity:skipped activities:skipped statement:skipped documents:skipped decision:done letter:skipped"},
		{"access, none concern the person: the statement that no data are processed, no documents",
			none(casework.Access), Facts{},
			"identity:done activities:done statement:current documents:skipped decision:blocked(plan.blocked.statement) letter:blocked(plan.blocked.decision)"},
		{"access, none concern the person, statement approved: the decision",
			none(casework.Access), Facts{StatementApproved: true},
			"identity:done activities:done statement:done documents:skipped decision:current letter:blocked(plan.blocked.decision)"},
		{"erasure, none concern the person: nothing to erase, no notices, nothing to destroy",
			none(casework.Erasure), Facts{},
			"identity:done activities:done erasure:skipped decision:current letter:blocked(plan.blocked.decision) notices:skipped destruction:skipped"},
		{"erasure, none concern the person, granted and sent: nothing follows",
			completed(none(casework.Erasure), casework.Granted), Facts{LetterSent: true},
			"identity:done activities:done erasure:skipped decision:done letter:done notices:skipped destruction:skipped"},
		{"rectification, none concern the person: nothing to correct, no notices",
			none(casework.Rectification), Facts{},
			"identity:done activities:done rectification:skipped decision:current letter:blocked(plan.blocked.decision) notices:skipped"},
		{"restriction, none concern the person: nothing to restrict, no notices",
			none(casework.Restriction), Facts{},
			"identity:done activities:done restriction:skipped decision:current letter:blocked(plan.blocked.decision) notices:skipped"},
		{"portability, none concern the person: nothing to export",
			none(casework.Portability), Facts{},
			"identity:done activities:done portability:skipped decision:current letter:blocked(plan.blocked.decision)"},
		{"objection, none concern the person: nothing to stop",
			none(casework.Objection), Facts{},
			"identity:done activities:done objection:skipped decision:current letter:blocked(plan.blocked.decision)"},
		{"consent withdrawal, none concern the person: the consents still to choose",
			none(casework.ConsentWithdrawal), Facts{},
			"identity:done activities:done consents:current decision:blocked(plan.blocked.consents) letter:blocked(plan.blocked.decision)"},
		{"erasure with no choice made: the activities, not none",
			open(casework.Erasure, verified, []string{}), Facts{},
			"identity:done activities:current erasure:blocked(plan.blocked.activities) decision:blocked(plan.blocked.activities) letter:blocked(plan.blocked.decision) notices:blocked(plan.blocked.decision) destruction:blocked(plan.blocked.decision)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Plan(tc.c, tc.f)
			if got := line(p); got != tc.want {
				t.Fatalf("plan\n got %s\nwant %s", got, tc.want)
			}
			n := 0
			for _, s := range p {
				if s.State == Current {
					n++
				}
			}
			if want := map[bool]int{true: 0, false: 1}[tc.c.Status == casework.Completed && tc.f.NoticesOpen == 0]; n != want {
				t.Fatalf("%d current steps, want %d", n, want)
			}
		})
	}
}

func TestPlanCoversEveryRight(t *testing.T) {
	for _, typ := range casework.RequestTypes {
		p := Plan(casework.Case{Type: typ}, Facts{IdentityMissing: true})
		i := slices.IndexFunc(p, func(s Step) bool { return s.Key == StepDecision })
		if p[0].Key != StepIdentity || i < 0 || i+1 >= len(p) || p[i+1].Key != StepLetter {
			t.Fatalf("%s: %s", typ, line(p))
		}
	}
}

func TestDue(t *testing.T) {
	due := deadline.Date{Year: 2026, Month: 3, Day: 2}
	on := deadline.Date{Year: 2026, Month: 2, Day: 2}
	yes := true
	dm := casework.Case{Type: casework.Objection, ReceivedOn: on, Deadlines: deadline.Deadlines{Due: due}}
	dm.Specifics.DirectMarketing = &yes
	for _, tc := range []struct {
		c    casework.Case
		want deadline.Date
	}{
		{casework.Case{Type: casework.Access, ReceivedOn: on, Deadlines: deadline.Deadlines{Due: due}}, due},
		{dm, on},
		{casework.Case{Type: casework.ConsentWithdrawal, ReceivedOn: on, Deadlines: deadline.Deadlines{Due: due}}, on},
		{casework.Case{Type: casework.Access, Status: casework.Completed, Deadlines: deadline.Deadlines{Due: due}}, deadline.Date{}},
	} {
		if got := Due(tc.c); got != tc.want {
			t.Fatalf("%s: due %v, want %v", tc.c.Type, got, tc.want)
		}
	}
}

// A step skipped because no data are processed says so (Step.NoData); one
// skipped for another reason (a refusal) does not.
func TestPlanNoData(t *testing.T) {
	verified := casework.Identity{Status: casework.IdentityVerified}
	nothing := casework.Case{Type: casework.Erasure, Status: casework.InProgress, Identity: verified, Activities: []string{}, NoActivities: true}
	var got []string
	for _, s := range Plan(nothing, Facts{}) {
		if s.NoData {
			if s.State != Skipped {
				t.Errorf("%s: NoData but %s", s.Key, s.State)
			}
			got = append(got, s.Key)
		}
	}
	if want := []string{StepErasure, StepNotices, StepDestruction}; !slices.Equal(got, want) {
		t.Errorf("NoData steps %v, want %v", got, want)
	}
	refused := casework.Case{Type: casework.Erasure, Status: casework.Completed, Identity: verified, Activities: []string{"treatment"}, Outcome: casework.Refused}
	for _, s := range Plan(refused, Facts{LetterSent: true}) {
		if s.NoData {
			t.Errorf("refused with data: %s marked NoData (%s)", s.Key, line(Plan(refused, Facts{LetterSent: true})))
		}
	}
}
