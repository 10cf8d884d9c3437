package casework

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/clock"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/practice"
)

// NewCase is what the store needs to write a new case besides the case
// itself: the hashes of the tracking token and of the idempotency key.
type NewCase struct {
	TrackingHash    string
	TrackingExpires time.Time
	Actor           Actor  // who files it, for the audit trail
	IdempotencyHash string // empty: no idempotency key was given
	RequestHash     string // hash of the submission, to spot a key reused for another request
}

// Store is the persistence the case service needs. The storage package
// implements it.
type Store interface {
	Settings(ctx context.Context) (practice.Settings, error)
	Branches(ctx context.Context) ([]practice.Branch, error)
	// CreateCase gives c the next reference of its year and stores it with
	// its tracking token (none when nc.TrackingHash is empty: a case by
	// post) and the mails compose returns, in one transaction. compose runs
	// inside the transaction, once the reference is known, so it must be
	// cheap: Submit's only puts the reference into mails written before.
	// If nc carries an idempotency key already used for the same request, it
	// stores nothing, fills c with the earlier case and returns replayed true;
	// for another request it returns a Conflict error.
	CreateCase(ctx context.Context, c *Case, nc NewCase, compose func(Case) ([]mail.Message, error)) (replayed bool, err error)
	// CaseByReference returns the case, or a NotFound error if it does not
	// exist or lies outside scope.
	CaseByReference(ctx context.Context, ref string, scope Scope) (Case, error)
	// ListCases returns the cases in scope that match q, by due date then
	// reference.
	ListCases(ctx context.Context, q Query, scope Scope) (Page, error)
	// CaseByTracking returns the case whose tracking token hashes to hash,
	// has not expired at now and was mailed to the case's current address,
	// or NotFound.
	CaseByTracking(ctx context.Context, hash string, now time.Time) (Case, error)
	// ConfirmEmail records that the requester followed the tracking link
	// that hashes to tokenHash. It checks the link again in its own
	// transaction: NotFound, and nothing confirmed, unless the link is live
	// and was mailed to the case's current address.
	ConfirmEmail(ctx context.Context, caseID int64, tokenHash string, at time.Time, address string) error
	// UpdateCase loads the case ref within scope inside a write
	// transaction, lets step change it, and stores the case with the
	// Change's events, tracking token and mails. An error from step rolls
	// everything back; NotFound if the case is outside scope.
	// Each event is also written to the audit trail as done by actor.
	// When step changes the requester's e-mail address, every tracking
	// link mailed before is revoked: a case keeps only the links of its
	// current address (the Change's new token is the first of the new one).
	UpdateCase(ctx context.Context, ref string, actor Actor, step func(c *Case) (Change, error)) (Case, error)
	// AccessStatement returns the access statement the officer saved for
	// the case (Text empty while the draft is unedited).
	AccessStatement(ctx context.Context, caseID int64) (Statement, error)
	// CaseEvents returns the case's timeline, oldest first; only what the
	// requester may see when visibleOnly.
	CaseEvents(ctx context.Context, caseID int64, visibleOnly bool) ([]Event, error)
	// CountCases returns the queue's filter sizes in scope; today is the
	// practice's current day and dueSoon the last day that counts as soon.
	CountCases(ctx context.Context, scope Scope, staffID int64, today, dueSoon deadline.Date) (Counts, error)
	// RecordCaseAccess writes to the audit trail that actor looked at (or
	// exported) the case.
	RecordCaseAccess(ctx context.Context, actor Actor, caseID int64, action audit.Action, at time.Time) error
	// RecordTracking writes that the requester opened the tracking page.
	RecordTracking(ctx context.Context, caseID int64, address string, at time.Time) error
	// AnonymiseClosedCases removes the personal data of completed cases
	// last changed before cutoff and returns how many it did.
	AnonymiseClosedCases(ctx context.Context, cutoff, now time.Time) (int, error)
	// Assignees returns the enabled staff members.
	Assignees(ctx context.Context) ([]Assignee, error)
}

// Letters writes the e-mails a case sends, in the requester's language.
type Letters interface {
	Acknowledgement(c Case, trackingURL string) (mail.Message, error)
	// Message announces a new message on the tracking page.
	Message(c Case, trackingURL string) (mail.Message, error)
	// Extension tells the requester the deadline was extended.
	Extension(c Case, trackingURL string) (mail.Message, error)
	// Decision tells the requester the case is decided and that the
	// decision letter is on the tracking page.
	Decision(c Case, trackingURL string) (mail.Message, error)
	// DecisionLetter writes the letter that deciding c with d sends on day
	// on: d.Letter as its body when the officer wrote one, otherwise the
	// body drafted from the decision.
	DecisionLetter(c Case, d Decision, on deadline.Date) (Letter, error)
	// Destroyed tells the requester that the destruction promised in the
	// decision was carried out (ConfirmDestruction).
	Destroyed(c Case, trackingURL string) (mail.Message, error)
}

// TrackingLinkValidity is how long a requester's tracking link works: long
// enough for an extended case (three months plus pauses) and for reading the
// answer well after it.
const TrackingLinkValidity = 365 * 24 * time.Hour

// Service files and reads cases.
type Service struct {
	store   Store
	letters Letters
	clock   clock.Clock
	baseURL string // public address of the portal, for links in e-mails
	gates   []DecisionGate
	// notifier drafts the art. 19 notices of a decision; nil: none.
	notifier Notifier
}

// NewService returns a Service. baseURL is the portal's public address
// without a trailing slash.
func NewService(s Store, l Letters, c clock.Clock, baseURL string) *Service {
	return &Service{store: s, letters: l, clock: c, baseURL: baseURL}
}

// Intake says how a submission reached the practice.
type Intake struct {
	Channel Channel
	// ReceivedAt is when a letter, e-mail or call reached the practice, as
	// entered by staff; zero means now (web requests).
	ReceivedAt     time.Time
	IdempotencyKey string
	// Actor is the staff member registering the request; zero for the web
	// form, with only the visitor's Address.
	Actor Actor
	// DateOnly says ReceivedAt is a day whose time was not given.
	DateOnly bool
}

// Submit validates sub, makes it a case with its legal due date, and queues
// the acknowledgement with the tracking link to the requester, all in one
// transaction. It returns an Invalid error with field problems, or a
// Conflict error when an idempotency key is reused for another request.
// replayed is true when the key was used before for the same request; the
// earlier case is returned then. A case without an e-mail address
// (Case.ByPost) gets neither a tracking link nor a mail: its letters are
// printed from the case page.
func (s *Service) Submit(ctx context.Context, sub Submission, in Intake) (c Case, replayed bool, err error) {
	settings, err := s.store.Settings(ctx)
	if err != nil {
		return Case{}, false, err
	}
	branches, err := s.store.Branches(ctx)
	if err != nil {
		return Case{}, false, err
	}
	codes := make([]string, len(branches))
	for i, b := range branches {
		codes[i] = b.Code
	}
	now := s.clock.Now()
	loc := settings.Location()
	sub.EmailOptional = in.Channel.EmailOptional()
	birth, problems := sub.Validate(codes, deadline.DateOf(now, loc))
	received := now
	if !in.ReceivedAt.IsZero() {
		received = in.ReceivedAt
	}
	for f, m := range ValidateReceipt(received, now, in.Channel) {
		problems.add(f, m)
	}
	if len(problems) > 0 {
		return Case{}, false, apperr.InvalidFields(problems)
	}
	cal, err := settings.HolidayCalendar()
	if err != nil {
		return Case{}, false, apperr.Wrap(err, "error.internal")
	}
	branch := sub.Branch
	if branch == "" && len(codes) == 1 {
		branch = codes[0]
	}
	receivedOn := deadline.DateOf(received, loc)
	c = Case{
		Type:       sub.Type,
		Status:     Received,
		Channel:    in.Channel,
		Branch:     branch,
		ReceivedAt: received.In(loc),
		ReceivedOn: receivedOn,
		Deadlines:  deadline.Compute(cal, receivedOn, 0, false),
		Language:   sub.Language,
		Requester:  sub.Requester,
		Subject:    Subject{Name: sub.Subject.Name, BirthDate: birth},
		Details:    sub.Details,
		Specifics:  sub.Specifics.keepRelevant(sub.Type),
		Identity:   Identity{Status: IdentityUnverified},
		CreatedAt:  now,
		UpdatedAt:  now,
	}
	if c.Requester.Relation == Self && c.Subject.Name == "" {
		c.Subject.Name = c.Requester.Name
	}
	// A web request is received now, to the second.
	c.ReceivedDateOnly = in.DateOnly && !in.ReceivedAt.IsZero()
	token, err := NewToken()
	if err != nil {
		return Case{}, false, apperr.Wrap(err, "error.internal")
	}
	nc := NewCase{Actor: in.Actor}
	if !c.ByPost() {
		nc.TrackingHash, nc.TrackingExpires = HashToken(token), now.Add(TrackingLinkValidity)
	}
	if in.IdempotencyKey != "" {
		nc.IdempotencyHash = HashToken("idempotency:" + in.IdempotencyKey)
		nc.RequestHash = requestHash(sub, in)
	}
	// The acknowledgement is written before the write transaction, with a
	// stand-in for the reference it hands out; inside, only the reference
	// is put in. A case by post gets none: it is printed from the case page.
	var ack []mail.Message
	if !c.ByPost() {
		draft := c
		draft.Reference = ReferenceSlot
		m, err := s.letters.Acknowledgement(draft, s.TrackingURL(token))
		if err != nil {
			return Case{}, false, apperr.Wrap(err, "error.internal")
		}
		ack = []mail.Message{m}
	}
	replayed, err = s.store.CreateCase(ctx, &c, nc, func(c Case) ([]mail.Message, error) {
		return BindReference(ack, c.Reference), nil
	})
	if err != nil {
		return Case{}, false, err
	}
	return c, replayed, nil
}

// ReferenceSlot stands for a case's reference in a mail written before the
// reference is handed out; BindReference puts the reference in its place.
// It holds control characters, which nothing else in a mail can hold: the
// practice's name, like every field that reaches a mail, is a single line
// without them (practice.Settings.Validate), and links and dates are made
// by the portal.
const ReferenceSlot = "\x1aREFERENCE\x1a"

// BindReference returns copies of msgs with ref wherever ReferenceSlot
// stands in the subject, the text and Ref.
func BindReference(msgs []mail.Message, ref string) []mail.Message {
	out := make([]mail.Message, len(msgs))
	for i, m := range msgs {
		m.Subject = strings.ReplaceAll(m.Subject, ReferenceSlot, ref)
		m.Text = strings.ReplaceAll(m.Text, ReferenceSlot, ref)
		m.Ref = strings.ReplaceAll(m.Ref, ReferenceSlot, ref)
		out[i] = m
	}
	return out
}

// TrackingURL returns the requester's private link for token.
func (s *Service) TrackingURL(token string) string { return s.baseURL + "/volg/" + token }

// Case returns the case with reference ref if the actor's scope allows it,
// and records the view in the audit trail first: if that fails, nothing is
// returned.
func (s *Service) Case(ctx context.Context, a Actor, ref string) (Case, error) {
	c, err := s.store.CaseByReference(ctx, ref, a.Scope)
	if err != nil {
		return Case{}, err
	}
	if err := s.store.RecordCaseAccess(ctx, a, c.ID, audit.CaseView, s.clock.Now()); err != nil {
		return Case{}, err
	}
	return c, nil
}

// List returns a page of cases in scope. The limit defaults to 50 and is
// capped at 200.
func (s *Service) List(ctx context.Context, q Query, scope Scope) (Page, error) {
	settings, err := s.store.Settings(ctx)
	if err != nil {
		return Page{}, err
	}
	switch {
	case q.Limit <= 0:
		q.Limit = 50
	case q.Limit > 200:
		q.Limit = 200
	}
	q.Today = deadline.DateOf(s.clock.Now(), settings.Location())
	return s.store.ListCases(ctx, q, scope)
}

// ByToken returns the case behind a live tracking token, for the
// requester's own actions on the tracking page; NotFound otherwise.
func (s *Service) ByToken(ctx context.Context, token string) (Case, error) {
	if len(token) < 40 || len(token) > 64 {
		return Case{}, apperr.New(apperr.NotFound, "error.not_found")
	}
	return s.store.CaseByTracking(ctx, HashToken(token), s.clock.Now())
}

// Track returns the case behind a tracking token with the events the
// requester may see, and records that the requester's e-mail address is
// confirmed: only its owner can have followed the link; neither under
// audit.Unseen. Unknown and expired tokens give NotFound alike.
//
// While the requester is not confirmed (Case.RequesterConfirmed), a
// refusal's event carries only its outcome and "withheld": "true", without
// the ground, its statute or the reasons: the tracking page then shows a
// neutral text.
func (s *Service) Track(ctx context.Context, token, address string) (Case, []Event, error) {
	c, err := s.ByToken(ctx, token)
	if err != nil {
		return Case{}, nil, err
	}
	now := s.clock.Now()
	// A look that shows nothing (audit.Unseen: a mail scanner's HEAD)
	// neither confirms the address nor is recorded.
	if c.EmailConfirmedAt == nil && !audit.IsUnseen(ctx) {
		if err := s.store.ConfirmEmail(ctx, c.ID, HashToken(token), now, address); err != nil {
			return Case{}, nil, err
		}
		c.EmailConfirmedAt = &now
	}
	if !audit.IsUnseen(ctx) {
		if err := s.store.RecordTracking(ctx, c.ID, address, now); err != nil {
			return Case{}, nil, err
		}
	}
	events, err := s.store.CaseEvents(ctx, c.ID, true)
	if err != nil {
		return Case{}, nil, err
	}
	if !c.RequesterConfirmed() {
		for i, e := range events {
			if outcome := Outcome(e.Data["outcome"]); e.Kind == EventDecided && outcome.Refuses() {
				events[i].Text, events[i].Data = "", map[string]string{"outcome": string(outcome), "withheld": "true"}
			}
		}
	}
	return c, events, nil
}

// Retire anonymises the completed cases whose retention period (a practice
// setting, two years by default) has passed (SECURITY.md item 12).
func (s *Service) Retire(ctx context.Context) (int, error) {
	settings, err := s.store.Settings(ctx)
	if err != nil {
		return 0, err
	}
	now := s.clock.Now()
	return s.store.AnonymiseClosedCases(ctx, now.AddDate(0, 0, -settings.CaseRetentionDays), now)
}

// DueSoonDays is how far ahead "due soon" looks, in calendar days.
const DueSoonDays = 7

// Counts returns the sizes of the queue's standard filters for a staff
// member.
func (s *Service) Counts(ctx context.Context, a Actor) (Counts, error) {
	settings, err := s.store.Settings(ctx)
	if err != nil {
		return Counts{}, err
	}
	today := deadline.DateOf(s.clock.Now(), settings.Location())
	return s.store.CountCases(ctx, a.Scope, a.ID, today, today.AddDays(DueSoonDays))
}

// Today returns the current day in the practice's time zone and its
// holiday calendar, for showing how much time is left.
func (s *Service) Today(ctx context.Context) (deadline.Date, deadline.Calendar, error) {
	settings, err := s.store.Settings(ctx)
	if err != nil {
		return deadline.Date{}, deadline.Calendar{}, err
	}
	cal, err := settings.HolidayCalendar()
	if err != nil {
		return deadline.Date{}, deadline.Calendar{}, apperr.Wrap(err, "error.internal")
	}
	return deadline.DateOf(s.clock.Now(), settings.Location()), cal, nil
}

// NewToken returns a fresh random token of 256 bits, URL-safe.
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// HashToken returns the hex SHA-256 of a token. Tokens are long and random,
// so a plain hash is enough to make a stolen table useless.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func requestHash(sub Submission, in Intake) string {
	b, _ := json.Marshal(struct {
		S Submission
		C Channel
		R time.Time
	}{sub, in.Channel, in.ReceivedAt})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
