package casework

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/practice"
)

// Actor is who acts on a case, with what they may see, for the audit trail
// too. The zero ID is an anonymous visitor (a requester on the web form).
type Actor struct {
	ID      int64
	Scope   Scope
	Address string // the client's address as the server saw it
	API     bool   // acting with an API token rather than a signed-in session
	// Requester marks the requester acting through their tracking link.
	Requester bool
}

// Change is what a step of the workflow adds besides the case's new state.
// The store writes the case, the events, the tracking token and the mails
// in one transaction.
type Change struct {
	Events []Event
	Mails  []mail.Message
	// TrackingHash, when set, is a new tracking token for the case: every
	// e-mail that links to the tracking page carries a fresh link, since the
	// store keeps only hashes of the old ones.
	TrackingHash    string
	TrackingExpires time.Time

	// Records besides the case row, written in the same transaction.
	Requirement  *RequirementStatus // upserted by key
	AskInfo      *InfoRequest       // a new question to the requester
	AnswerInfo   *InfoRequest       // the answer to question AnswerInfo.ID
	WithdrawInfo *InfoRequest       // question WithdrawInfo.ID is withdrawn unanswered
	AddFile      *File              // a file already stored encrypted on disk
	DestroyFiles []string           // files whose content and key are destroyed now
	// ChooseConsents, when set, replaces the consents a consent withdrawal
	// withdraws (ids of the registry); the store refuses ids that are not
	// the person's (Invalid, field "consents").
	ChooseConsents *[]int64
	// WithdrawConsents withdraws the chosen consents as of the case's
	// receipt (a consent withdrawal decided granted or partially granted).
	WithdrawConsents bool
	Letter           *Letter // the decision letter as sent

	// Activities, when set, replaces the register activities that concern
	// the person (ChooseActivities); ResetStatement drops the edited access
	// statement, which is then drafted anew; Statement stores the officer's
	// access statement (SaveStatement).
	Activities     *[]string
	ResetStatement bool
	Statement      *Statement
	// Erasure, when set, replaces the erasure items of an erasure case
	// (SaveErasure).
	Erasure *[]ErasureItem
	// Rectification, when set, replaces the items of a rectification case
	// (SaveRectification).
	Rectification *[]RectificationItem
	// Objection, when set, replaces the objection record of an objection
	// case and the marketing stops it marks (SaveObjection).
	Objection *ObjectionRecord
	// Restriction, when set, replaces the restriction of a restriction
	// case (SaveRestriction, AnnounceLifting).
	Restriction *RestrictionRecord
	// Portability, when set, replaces the record of a portability case.
	Portability *PortabilityChange
	// SendDocuments marks the case's answer documents that were not sent
	// yet as sent (package delivery); none such is a conflict.
	SendDocuments *DocumentsSent
	// Notices are new art. 19 notices, each mail queued with its notice;
	// NoticePosted marks one to post as printed and posted (notices.go).
	Notices      []Notice
	NoticePosted *int64
}

// DocumentsSent is when answer documents were sent to the requester and
// when they are to be destroyed.
type DocumentsSent struct{ At, DestroyAfter time.Time }

// Env is what a workflow step knows besides the case: the current day in
// the practice's time zone, its holiday calendar and its settings.
type Env struct {
	Today    deadline.Date
	Calendar deadline.Calendar
	Settings practice.Settings
}

// Apply runs a workflow step defined outside this package (identity checks,
// requirements) on the case ref, in one transaction with its records,
// events, audit entries and mails.
func (s *Service) Apply(ctx context.Context, a Actor, ref string, fn func(c *Case, env Env) (Change, error)) (Case, error) {
	return s.update(ctx, a, ref, func(c *Case, today deadline.Date, cal deadline.Calendar, settings practice.Settings) (Change, error) {
		return fn(c, Env{Today: today, Calendar: cal, Settings: settings})
	})
}

// WithMail adds to ch a mail written by write with a fresh tracking link;
// to a case by post (Case.ByPost), nothing.
func (s *Service) WithMail(ch Change, c Case, write func(Case, string) (mail.Message, error)) (Change, error) {
	return s.withMail(ch, c, write)
}

// Resume ends a pause on c, adding the days waited: when the requester
// answers the open question, or staff withdraw it.
func Resume(c *Case, env Env) { resume(c, env.Today, env.Calendar) }

// Pause stops the clock of c from today, when a question is sent to the
// requester and the practice pauses for questions (DOMAIN.md §2 and §8). An
// already paused case keeps the day its pause began.
func Pause(c *Case, env Env) {
	if env.Settings.IdentityPause && !c.Paused() {
		c.PausedSince = env.Today
	}
}

// Assignee is a staff member a case can be given to.
type Assignee struct {
	ID    int64
	Name  string
	Email string
	Scope Scope
}

// MaxText is the longest note, message or reason.
const MaxText = 10000

// step runs a change on the case ref inside one transaction. today is the
// current day in the practice's time zone.
type step func(c *Case, today deadline.Date, cal deadline.Calendar, settings practice.Settings) (Change, error)

func (s *Service) update(ctx context.Context, a Actor, ref string, fn step) (Case, error) {
	settings, err := s.store.Settings(ctx)
	if err != nil {
		return Case{}, err
	}
	cal, err := settings.HolidayCalendar()
	if err != nil {
		return Case{}, apperr.Wrap(err, "error.internal")
	}
	today := deadline.DateOf(s.clock.Now(), settings.Location())
	return s.store.UpdateCase(ctx, ref, a, func(c *Case) (Change, error) {
		ch, err := fn(c, today, cal, settings)
		if err != nil {
			return Change{}, err
		}
		now := s.clock.Now()
		c.UpdatedAt = now
		for i := range ch.Events {
			ch.Events[i].At = now
			if ch.Events[i].ActorID == 0 {
				ch.Events[i].ActorID = a.ID
			}
		}
		stampErasure(ch, a.ID)
		return ch, nil
	})
}

// Move takes the case to another status along the state machine. A case is
// completed only through Decide; a decided case no longer moves. A status never stops the clock: only a
// question actually sent to the requester does (DOMAIN.md §8), so moving
// leaves the deadline as it is.
func (s *Service) Move(ctx context.Context, a Actor, ref string, to Status) (Case, error) {
	return s.update(ctx, a, ref, func(c *Case, _ deadline.Date, _ deadline.Calendar, _ practice.Settings) (Change, error) {
		switch {
		case to == Completed:
			return Change{}, apperr.New(apperr.Conflict, "case.complete_by_decision")
		case c.Answered():
			// Decided, open only for a destruction still to confirm.
			return Change{}, apperr.New(apperr.Conflict, "case.decided")
		}
		if !CanMove(c.Status, to) {
			return Change{}, apperr.New(apperr.Conflict, "case.transition")
		}
		from := c.Status
		c.Status = to
		return Change{Events: []Event{{Kind: EventStatus, Data: map[string]string{"from": string(from), "to": string(to)}}}}, nil
	})
}

// resume ends a pause: the calendar days waited are added to the deadline
// (DOMAIN.md §2, identity pause).
func resume(c *Case, today deadline.Date, cal deadline.Calendar) {
	if !c.Paused() {
		return
	}
	c.PauseDays += deadline.PauseDays(c.PausedSince, today)
	c.PausedSince = deadline.Date{}
	c.Deadlines = deadline.Compute(cal, c.ReceivedOn, c.PauseDays, c.Extended)
}

// Assign gives the case to a staff member who may see its branch, or to
// nobody when assigneeID is 0.
func (s *Service) Assign(ctx context.Context, a Actor, ref string, assigneeID int64) (Case, error) {
	var who *Assignee
	if assigneeID != 0 {
		all, err := s.store.Assignees(ctx)
		if err != nil {
			return Case{}, err
		}
		for i := range all {
			if all[i].ID == assigneeID {
				who = &all[i]
			}
		}
		if who == nil {
			return Case{}, apperr.InvalidFields(map[string]string{"assignee": "field.choose"})
		}
	}
	return s.update(ctx, a, ref, func(c *Case, _ deadline.Date, _ deadline.Calendar, _ practice.Settings) (Change, error) {
		if c.Status == Completed {
			return Change{}, apperr.New(apperr.Conflict, "case.completed")
		}
		if who != nil && !who.Scope.Allows(c.Branch) {
			return Change{}, apperr.InvalidFields(map[string]string{"assignee": "case.assignee_scope"})
		}
		c.AssigneeID, c.Assignee = 0, ""
		to := ""
		if who != nil {
			c.AssigneeID, c.Assignee = who.ID, who.Email
			to = strconv.FormatInt(who.ID, 10)
		}
		return Change{Events: []Event{{Kind: EventAssigned, Data: map[string]string{"to": to}}}}, nil
	})
}

func checkText(field, text string) error {
	switch {
	case strings.TrimSpace(text) == "":
		return apperr.InvalidFields(map[string]string{field: "field.required"})
	case utf8.RuneCountInString(text) > MaxText:
		return apperr.InvalidFields(map[string]string{field: "field.too_long"})
	case !utf8.ValidString(text) || strings.ContainsRune(text, 0):
		return apperr.InvalidFields(map[string]string{field: "field.invalid"})
	}
	return nil
}

// AddNote adds an internal note, never shown to the requester.
func (s *Service) AddNote(ctx context.Context, a Actor, ref, text string) (Case, error) {
	if err := checkText("text", text); err != nil {
		return Case{}, err
	}
	return s.update(ctx, a, ref, func(c *Case, _ deadline.Date, _ deadline.Calendar, _ practice.Settings) (Change, error) {
		return Change{Events: []Event{{Kind: EventNote, Text: strings.TrimSpace(text)}}}, nil
	})
}

// SendMessage shows text to the requester on the tracking page and tells
// them by e-mail that there is a message (the e-mail holds a fresh link,
// not the text).
func (s *Service) SendMessage(ctx context.Context, a Actor, ref, text string) (Case, error) {
	if err := checkText("text", text); err != nil {
		return Case{}, err
	}
	return s.update(ctx, a, ref, func(c *Case, _ deadline.Date, _ deadline.Calendar, _ practice.Settings) (Change, error) {
		ch := Change{Events: []Event{{Kind: EventMessage, Visible: true, Text: strings.TrimSpace(text)}}}
		return s.withMail(ch, *c, s.letters.Message)
	})
}

// withMail adds a mail written by write with a fresh tracking link. A case
// without an e-mail address gets neither: the event that ch records is the
// letter staff print from the case page (Case.ByPost).
func (s *Service) withMail(ch Change, c Case, write func(Case, string) (mail.Message, error)) (Change, error) {
	if c.ByPost() {
		return ch, nil
	}
	token, err := NewToken()
	if err != nil {
		return Change{}, apperr.Wrap(err, "error.internal")
	}
	m, err := write(c, s.TrackingURL(token))
	if err != nil {
		return Change{}, apperr.Wrap(err, "error.internal")
	}
	ch.TrackingHash, ch.TrackingExpires = HashToken(token), s.clock.Now().Add(TrackingLinkValidity)
	ch.Mails = append(ch.Mails, m)
	return ch, nil
}

// Extend extends the deadline by two further months (AVG art. 12(3)). It is
// allowed once, with a reason, only within the first month (moved by any
// pause) and never for a request with immediate effect; see
// Case.ExtensionBlock. The requester is told at once.
func (s *Service) Extend(ctx context.Context, a Actor, ref, reason string) (Case, error) {
	if err := checkText("reason", reason); err != nil {
		return Case{}, err
	}
	return s.update(ctx, a, ref, func(c *Case, today deadline.Date, cal deadline.Calendar, _ practice.Settings) (Change, error) {
		if why := c.ExtensionBlock(cal, today); why != "" {
			return Change{}, apperr.New(apperr.Conflict, why)
		}
		c.Extended = true
		c.Deadlines = deadline.Compute(cal, c.ReceivedOn, c.PauseDays, true)
		ch := Change{Events: []Event{{Kind: EventExtended, Visible: true, Text: strings.TrimSpace(reason),
			Data: map[string]string{"due": c.Deadlines.Due.String()}}}}
		return s.withMail(ch, *c, s.letters.Extension)
	})
}

// ResendConfirmation sends the requester a fresh tracking link, for an
// address that was not confirmed.
func (s *Service) ResendConfirmation(ctx context.Context, a Actor, ref string) (Case, error) {
	return s.update(ctx, a, ref, func(c *Case, _ deadline.Date, _ deadline.Calendar, _ practice.Settings) (Change, error) {
		return s.withMail(Change{Events: []Event{{Kind: EventEmailResent}}}, *c, s.letters.Acknowledgement)
	})
}

// Timeline returns the case and its events, oldest first, and records the
// view in the audit trail.
func (s *Service) Timeline(ctx context.Context, a Actor, ref string) (Case, []Event, error) {
	c, err := s.Case(ctx, a, ref)
	if err != nil {
		return Case{}, nil, err
	}
	ev, err := s.store.CaseEvents(ctx, c.ID, false)
	return c, ev, err
}

// Assignees returns the staff a case of branch can be given to.
func (s *Service) Assignees(ctx context.Context, branch string) ([]Assignee, error) {
	all, err := s.store.Assignees(ctx)
	if err != nil {
		return nil, err
	}
	var out []Assignee
	for _, x := range all {
		if x.Scope.Allows(branch) {
			out = append(out, x)
		}
	}
	return out, nil
}
