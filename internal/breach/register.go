package breach

import (
	"slices"
	"time"

	"github.com/avgloket/avgloket/internal/email"
)

// Scope is which breaches a staff member may see: all of them, or those of
// the branches named. A breach without a branch belongs to the practice as a
// whole and is seen only with All.
type Scope struct {
	All      bool
	Branches []string
}

// Allows reports whether a breach of branch is inside the scope.
func (s Scope) Allows(branch string) bool {
	return s.All || (branch != "" && slices.Contains(s.Branches, branch))
}

// Actor is who works on the register: for the scope, the audit trail, and
// the names a decision and a draft carry.
type Actor struct {
	ID      int64
	Name    string
	Email   string
	Owner   bool // owners decide, record submissions and inform the people
	Scope   Scope
	Address string // the client's address as the server saw it
	API     bool   // acting with an API token rather than a signed-in session
}

// Guidance is how the guided questions reached an assessment's DPC: the base
// context and the adjustments. An assessment made through the API has none.
type Guidance struct {
	Base   string         `json:"base"`
	Adjust DPCAdjustments `json:"adjust"`
}

// DPC returns the data processing context the guidance leads to (0 for an
// unknown base).
func (g Guidance) DPC() int {
	base := BaseDPC(g.Base)
	if base == 0 {
		return 0
	}
	return AdjustDPC(base, g.Adjust)
}

// Texts are the officer's own wording of the letter to the people affected
// and of the public notice, in Dutch and English. An empty text means the
// draft (Letter, PublicNotice) made from the register as it is now.
type Texts struct {
	LetterNL, LetterEN string
	NoticeNL, NoticeEN string
}

// Letter returns the letter in lang: the officer's wording, or the draft.
func (t Texts) Letter(b Breach, ctl Controller, lang string) string {
	if s := pick(letterLang(lang), t.LetterNL, t.LetterEN); s != "" {
		return s
	}
	return Letter(b, ctl, lang)
}

// Notice returns the public notice in lang: the officer's wording, or the
// draft.
func (t Texts) Notice(b Breach, ctl Controller, lang string) string {
	if s := pick(letterLang(lang), t.NoticeNL, t.NoticeEN); s != "" {
		return s
	}
	return PublicNotice(b, ctl, lang)
}

// Record is an entry of the register as it is stored: the Breach and what
// the register keeps around it.
type Record struct {
	ID int64
	Breach
	Guidance   *Guidance
	Texts      Texts
	Recipients int // people on the list to inform
	Queued     int // of whom have had the letter queued for sending, sent or not
	Told       int // of whom the mail server accepted the letter
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Submission is a submission to the AP as recorded, with the draft as it
// stood when it was submitted: the base of the next follow-up's diff.
type Submission struct {
	Notification
	Draft      Draft
	RecordedAt time.Time
}

// Person is someone on the list of people to inform (art. 34). A person is
// told when the mail server accepted their letter (SentAt), not when it was
// queued: a queued letter may still bounce.
type Person struct {
	ID int64
	Recipient
	QueuedAt *time.Time // when the letter was queued for them; nil while not yet
	SentAt   *time.Time // when the mail server accepted it; nil while not yet
	Attempts int        // failed attempts to send it so far
}

// Delivery is where a person's letter stands.
type Delivery string

// The states of a letter, in order.
const (
	NotQueued Delivery = "not_queued" // not sent yet: the owner has still to send
	Queued    Delivery = "queued"     // waiting for its first attempt
	Sent      Delivery = "sent"       // accepted by the mail server: the person is told
	Failed    Delivery = "failed"     // refused or unreachable so far; retried later
)

// Delivery returns where p's letter stands.
func (p Person) Delivery() Delivery {
	switch {
	case p.QueuedAt == nil:
		return NotQueued
	case p.SentAt != nil:
		return Sent
	case p.Attempts > 0:
		return Failed
	}
	return Queued
}

// Settings are the register's own settings: the practice's stricter target
// and what the AP form asks about the controller beyond the practice's name,
// address and KvK number (which the practice's settings hold).
type Settings struct {
	// OwnTargetHours is the practice's own target for notifying the AP,
	// e.g. 48; 0 for none (see OwnTarget).
	OwnTargetHours int
	Sector         string
	DPO            Contact
	// Reporter is who fills in the AP form; when its name is empty, the
	// owner making the draft is.
	Reporter      Contact
	ContactPerson Contact
}

// MaxOwnTargetHours is the loosest own target: the law's 72 hours.
const MaxOwnTargetHours = 72

// Validate returns the problems of s, keyed by form field.
func (s Settings) Validate() map[string]string {
	p := problems{}
	if s.OwnTargetHours < 0 || s.OwnTargetHours > MaxOwnTargetHours {
		p.add("own_target_hours", "breach.own_target_range")
	}
	p.line("sector", s.Sector, false, MaxTitle)
	for prefix, c := range map[string]Contact{"dpo.": s.DPO, "reporter.": s.Reporter, "contact.": s.ContactPerson} {
		p.line(prefix+"name", c.Name, false, MaxTitle)
		p.line(prefix+"job_title", c.JobTitle, false, MaxTitle)
		p.line(prefix+"phone", c.Phone, false, MaxTitle)
		p.line(prefix+"email", c.Email, false, email.MaxLen)
		if c.Email != "" && !email.Valid(c.Email) {
			p.add(prefix+"email", "field.email")
		}
	}
	return p
}

// Filter selects breaches for the register's list. Zero values select
// everything.
type Filter struct {
	State  string // "", StateOpen, StateDecided, StateNotified or StateNotNotified
	Year   int    // the year of the reference
	Kind   Kind
	Band   string
	Branch string
	Text   string // a reference
}

// The states a Filter may select.
const (
	StateOpen        = "open"         // the AP decision is open (DecisionOpen)
	StateDecided     = "decided"      // the decision is taken and nothing is left to submit
	StateNotified    = "notified"     // the AP was notified
	StateNotNotified = "not_notified" // the AP was not (or not yet) notified
)

// States lists the states in the order the filter shows them.
var States = []string{StateOpen, StateDecided, StateNotified, StateNotNotified}

// OpenDecisions is what the banner on every staff page shows: how many
// breaches in scope wait for the decision on notifying the authority
// (nothing decided or submitted yet), and the one whose deadline comes
// first.
type OpenDecisions struct {
	Count     int
	Reference string    // of the breach whose deadline comes first
	AwareAt   time.Time // of that breach
}

// Deadline returns the AP deadline of the most urgent open breach.
func (o OpenDecisions) Deadline() time.Time { return APDeadline(o.AwareAt) }

// Waiting is an open breach as the reminders see it: no content, only what
// a reminder needs.
type Waiting struct {
	ID        int64
	Reference string
	AwareAt   time.Time
	Marks     []string // reminders already sent (Reminder24h, …, ReminderTarget2h)
}
