package casework

import (
	"fmt"
	"slices"
	"time"

	"github.com/avgloket/avgloket/internal/deadline"
)

// Case is a request being handled by the practice.
type Case struct {
	ID         int64
	Reference  string // AVG-YYYY-NNNN, sequential per year, never reused
	Type       RequestType
	Status     Status
	Outcome    Outcome // empty until completed
	Channel    Channel
	Branch     string // branch code; empty when the practice has no branches
	ReceivedAt time.Time
	ReceivedOn deadline.Date // the calendar day of receipt in the practice's time zone
	Deadlines  deadline.Deadlines
	Extended   bool
	PauseDays  int // days the deadline was suspended by questions to the requester, answered or withdrawn
	Language   Language
	Requester  Requester
	Subject    Subject
	Details    string
	Specifics  Specifics
	Identity   Identity
	Assignee   string // staff e-mail; empty when unassigned
	AssigneeID int64  // 0 when unassigned
	// PausedSince is the day a question was sent to the requester that the
	// case still waits on; zero when the clock runs (DOMAIN.md §8).
	PausedSince deadline.Date

	EmailConfirmedAt *time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time

	// ReceivedDateOnly: staff gave the day of receipt but not the time, so
	// ReceivedAt is the start of that day and only the day may be shown.
	ReceivedDateOnly bool
	// Activities are the keys of the register activities (AVG art. 30)
	// that concern the person, in the register's order (ChooseActivities);
	// filled when one case is read, not in lists.
	Activities []string
	// NoActivities: the officer recorded that none of the register's
	// activities concern the person (ChooseNoActivities), so the practice
	// processes no data about them; filled when one case is read.
	NoActivities bool
	// Erasure is what an erasure case did with each chosen activity
	// (SaveErasure), in the register's order; filled when one case is
	// read, empty until recorded.
	Erasure []ErasureItem
	// Rectification is what a rectification case corrected and kept
	// (SaveRectification), in the order recorded; filled when one case is
	// read, empty until recorded.
	Rectification []RectificationItem
	// Objection is the answer recorded on an objection case
	// (SaveObjection); filled when one case is read, nil until recorded.
	Objection *ObjectionRecord
	// Restriction is what a restriction case restricts (SaveRestriction);
	// nil until recorded, and in lists. Restricted says, in lists only,
	// that a restriction is in force on the day the list was read.
	Restriction *RestrictionRecord
	Restricted  bool
	// Portability is what a portability case recorded (SavePortability);
	// filled when one case is read.
	Portability PortabilityRecord
	// DestroyBy is the earliest day a destruction is promised for that is
	// not confirmed yet (ErasureItem.Pending); zero when none. Filled when
	// read, in lists too.
	DestroyBy deadline.Date
	// BranchName and AssigneeName are the branch's and the assigned staff
	// member's names, for people to read; filled when read.
	BranchName, AssigneeName string
}

// Identity is what is on record about the check of the requester's identity.
// It records the method, never the document (DOMAIN.md §3).
type Identity struct {
	Status     IdentityStatus
	Method     string
	VerifiedAt *time.Time
}

// Answered reports whether the case is decided (an outcome is set). A
// decided case is neither late nor due any more, even while it stays open
// for a destruction still to confirm.
func (c Case) Answered() bool { return c.Outcome != "" }

// Paused reports whether the deadline is suspended: a question to the
// requester is open and the practice pauses for questions.
func (c Case) Paused() bool { return !c.PausedSince.IsZero() }

// RunningDeadlines returns the deadlines as they stand on today: while the
// clock is paused, the days paused so far count too, so the dates are those
// that would hold if the answer came today.
func (c Case) RunningDeadlines(cal deadline.Calendar, today deadline.Date) deadline.Deadlines {
	if !c.Paused() {
		return c.Deadlines
	}
	return deadline.Compute(cal, c.ReceivedOn, c.PauseDays+deadline.PauseDays(c.PausedSince, today), c.Extended)
}

// ExtensionBlock returns the message ID of why the deadline of c cannot be
// extended on today, or "" when it can (AVG art. 12(3)): once only, never
// for a request that takes effect on receipt, and only while the first
// period runs — counting the days of a pause, so a paused case stays
// extensible as long as its first month, moved by the pause, has not ended.
func (c Case) ExtensionBlock(cal deadline.Calendar, today deadline.Date) string {
	switch {
	case c.Status == Completed:
		return "case.completed"
	case c.Answered():
		return "case.decided"
	case c.ImmediateEffect():
		return "case.extension_immediate"
	case c.Extended:
		return "case.already_extended"
	case today.After(c.RunningDeadlines(cal, today).ExtensionNoticeBy):
		return "case.extension_too_late"
	}
	return ""
}

// UndueDelayDays is how many days after receipt a question to the
// requester may be sent before the case is flagged: a pause counts only for
// a question asked "without undue delay" (EDPB 01/2022 §159; DOMAIN.md §8).
const UndueDelayDays = 10

// QuestionLate reports whether a question sent on asked, for a request
// received on received, came later than UndueDelayDays after receipt.
func QuestionLate(received, asked deadline.Date) bool {
	return deadline.DaysBetween(received, asked) > UndueDelayDays
}

// ImmediateEffect reports whether the request takes effect on receipt
// (DOMAIN.md §8): a withdrawal of consent (AVG art. 7(3)) and an objection
// to direct marketing (art. 21(3)) are recorded at once, with no month to
// answer and no extension.
func (c Case) ImmediateEffect() bool {
	dm := c.Specifics.DirectMarketing
	return c.Type == ConsentWithdrawal || (c.Type == Objection && dm != nil && *dm)
}

// EffectiveFrom is the day a request with immediate effect takes effect:
// the day of receipt (DOMAIN.md §8).
func (c Case) EffectiveFrom() deadline.Date { return c.ReceivedOn }

// ConfirmWithinDays is how long a requester has to confirm their e-mail
// address (by opening the tracking link) before the queue flags the case.
const ConfirmWithinDays = 14

// ConfirmationOverdue reports whether the requester has not confirmed
// their address within ConfirmWithinDays of receipt: the message may have
// gone to a wrong address. A case by post has no address to confirm.
func (c Case) ConfirmationOverdue(today deadline.Date) bool {
	return c.EmailConfirmedAt == nil && !c.ByPost() && c.Status != Completed && deadline.DaysBetween(c.ReceivedOn, today) > ConfirmWithinDays
}

// Due returns the deadline in force.
func (c Case) Due() deadline.Date { return c.Deadlines.Due }

// Overdue reports whether the case is still open and undecided after its
// due date. A paused case is never overdue: its due date moves by the days
// it waits.
func (c Case) Overdue(today deadline.Date) bool {
	return c.Status != Completed && !c.Answered() && !c.Paused() && today.After(c.Deadlines.Due)
}

// FormatReference returns the case reference for the seq-th case of year.
func FormatReference(year, seq int) string { return fmt.Sprintf("AVG-%04d-%04d", year, seq) }

// transitions is the case's state machine: received → awaiting_identity ⇄
// in_progress → completed. A case can also go straight from received to in
// progress (identity known) or to completed (e.g. withdrawn).
var transitions = map[Status][]Status{
	Received:         {AwaitingIdentity, InProgress, Completed},
	AwaitingIdentity: {InProgress, Completed},
	InProgress:       {AwaitingIdentity, Completed},
	Completed:        nil,
}

// CanMove reports whether a case may go from one status to another.
func CanMove(from, to Status) bool { return slices.Contains(transitions[from], to) }

// Scope is the part of the register a caller may see: all branches, or the
// named ones.
type Scope struct {
	All      bool
	Branches []string
}

// Allows reports whether a case of branch is inside the scope.
func (s Scope) Allows(branch string) bool { return s.All || slices.Contains(s.Branches, branch) }

// Query selects cases for a list. Zero values select everything.
type Query struct {
	Status Status
	Type   RequestType
	Branch string
	// Overdue and DueBefore select undecided cases only (Case.Answered).
	Overdue   bool
	DueBefore deadline.Date
	Text      string // a reference, or a requester's or subject's full name
	Assignee  int64  // staff id; 0 for anyone
	Open      bool   // only cases not completed
	Today     deadline.Date
	Limit     int
	Cursor    string
}

// Counts are the sizes of the queue's standard filters, for one scope.
type Counts struct {
	Open     int // not completed
	Mine     int // open and assigned to the asking staff member
	DueSoon  int // open and due within the coming week
	Overdue  int // open and past the due date
	Awaiting int // waiting for identity information
	// MineUrgent are the asking member's open cases that are overdue or due
	// soon: the badge in the navigation.
	MineUrgent int
}

// Page is one page of a case list; Next is empty on the last page.
type Page struct {
	Cases []Case
	Next  string
}
