// Package identity is the work around who may have an answer: checking the
// requester's identity proportionately, the proofs and consents that the
// representation of a minor needs (from the practice's rule table), asking
// the requester for more and receiving their answer and uploads, and
// destroying ID copies as soon as they have served. It builds on the case
// workflow (casework) and imports no web framework and no ORM.
package identity

import (
	"context"
	"io"
	"sync"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/clock"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/representation"
)

// Store is what this package reads directly; changes go through
// casework.Service.Apply so that they share its transaction, events and
// audit entries.
type Store interface {
	Settings(ctx context.Context) (practice.Settings, error)
	Requirements(ctx context.Context, caseID int64) ([]casework.RequirementStatus, error)
	InfoRequests(ctx context.Context, caseID int64) ([]casework.InfoRequest, error)
	Files(ctx context.Context, caseID int64) ([]casework.File, error)
	File(ctx context.Context, caseID int64, id string) (casework.File, error)
	FilesDue(ctx context.Context, now time.Time) ([]string, error)
	FilesRemoved(ctx context.Context, ids []string, at time.Time) error
	RecordCaseAccess(ctx context.Context, a casework.Actor, caseID int64, action audit.Action, at time.Time) error
}

// Files keeps uploads encrypted on disk.
type Files interface {
	Put(ctx context.Context, id string, src io.Reader, aad []byte) (int64, error)
	Open(ctx context.Context, id string, dst io.Writer, aad []byte) (int64, error)
	Delete(id string) error
}

// Cleaner checks an upload's type by its content, strips image metadata
// and enforces the size limit while streaming.
type Cleaner func(dst io.Writer, src io.Reader, limit int64) (kind string, n int64, err error)

// Service runs the identity and representation work.
type Service struct {
	cases   *casework.Service
	store   Store
	files   Files
	clean   Cleaner
	aad     func(fileID string) []byte
	message func(casework.Case, string) (mail.Message, error)
	clock   clock.Clock
	limit   int64
	table   parsedRules
}

// Config are the Service's collaborators.
type Config struct {
	Cases *casework.Service
	Store Store
	Files Files
	Clean Cleaner
	// AAD binds a file's ciphertext to its id.
	AAD func(fileID string) []byte
	// Message writes the e-mail that announces a message on the tracking
	// page (the question goes there, not into the e-mail).
	Message func(casework.Case, string) (mail.Message, error)
	Clock   clock.Clock
	// UploadLimit is the largest upload in bytes.
	UploadLimit int64
}

// DefaultUploadLimit is 10 MB.
const DefaultUploadLimit = 10 << 20

// New returns the Service. It is a casework.DecisionGate (CanDecide): the
// caller puts it among the case service's gates with UseGate.
func New(c Config) *Service {
	if c.UploadLimit <= 0 {
		c.UploadLimit = DefaultUploadLimit
	}
	s := &Service{cases: c.Cases, store: c.Store, files: c.Files, clean: c.Clean, aad: c.AAD, message: c.Message,
		clock: c.Clock, limit: c.UploadLimit}
	return s
}

// parsedRules keeps the representation table last parsed with the settings'
// text it came from, so that a request (every public submission, every case
// page) does not parse the practice's table, or the embedded Dutch one,
// again. The table is only read: representation.Needs hands out copies.
type parsedRules struct {
	mu    sync.Mutex
	src   string
	ok    bool
	table representation.Rules
}

// rules returns the practice's representation table.
func (p *parsedRules) rules(settings practice.Settings) (representation.Rules, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ok && p.src == settings.RepresentationRules {
		return p.table, nil
	}
	r := representation.DefaultNL()
	if settings.RepresentationRules != "" {
		var err error
		if r, err = representation.ParseRules([]byte(settings.RepresentationRules)); err != nil {
			return representation.Rules{}, apperr.Wrap(err, "error.internal")
		}
	}
	p.src, p.ok, p.table = settings.RepresentationRules, true, r
	return r, nil
}

// Need is one requirement of a case with what is on record for it.
type Need struct {
	representation.Requirement
	Status *casework.RequirementStatus
	Met    bool
	// Recordable: an officer records its state on the case page; the
	// requester's identity is recorded by the identity check, and what
	// representation.Needs reserves cannot be met at all.
	Recordable bool
}

// View is everything the case page shows about identity and representation.
type View struct {
	Band      representation.Band
	Age       int // at receipt; -1 when the birth date is not known
	Needs     []Need
	Missing   int // how many needs are not met
	Questions []casework.InfoRequest
	// LateQuestion reports that a question was sent more than
	// casework.UndueDelayDays after receipt: its pause may not be "without
	// undue delay" (EDPB 01/2022 §159).
	LateQuestion bool
	Files        []casework.File
	Methods      []representation.Method
}

// OpenQuestion returns the question still waiting for an answer, if any.
func (v View) OpenQuestion() *casework.InfoRequest {
	for i := range v.Questions {
		if v.Questions[i].Open() {
			return &v.Questions[i]
		}
	}
	return nil
}

// needs computes the requirements of c that apply and what is on record for
// them. One that applies only while another is waived (a 16-year-old's
// consent brings in the parents' authority, BW 7:465(2)) is left out until
// that one is waived.
func (s *Service) needs(ctx context.Context, c casework.Case) (representation.Band, []Need, error) {
	settings, err := s.store.Settings(ctx)
	if err != nil {
		return representation.Band{}, nil, err
	}
	return s.needsUnder(ctx, c, settings)
}

// needsUnder is needs for a caller that has read the practice's settings.
func (s *Service) needsUnder(ctx context.Context, c casework.Case, settings practice.Settings) (representation.Band, []Need, error) {
	r, err := s.table.rules(settings)
	if err != nil {
		return representation.Band{}, nil, err
	}
	band, reqs := representation.Needs(r, representation.Facts{Type: c.Type, Relation: c.Requester.Relation,
		BirthDate: c.Subject.BirthDate, Received: c.ReceivedOn})
	recorded, err := s.store.Requirements(ctx, c.ID)
	if err != nil {
		return representation.Band{}, nil, err
	}
	statuses := make([]representation.Status, len(recorded))
	for i, st := range recorded {
		statuses[i] = representation.Status{Key: st.Key, Satisfied: st.Satisfied, Waived: st.Waived, Reason: st.Reason}
	}
	out := make([]Need, 0, len(reqs))
	for _, a := range representation.Assess(reqs, statuses) {
		if !a.Applies {
			continue
		}
		n := Need{Requirement: a.Requirement, Met: a.Met,
			Recordable: a.Key != representation.KeyRequesterIdentity && !representation.Reserved(a.Key)}
		for i := range recorded {
			if recorded[i].Key == a.Key {
				n.Status = &recorded[i]
			}
		}
		out = append(out, n)
	}
	return band, out, nil
}

// ParentMustAct reports whether case c is a child's own request that a
// parent with authority (or the guardian) must confirm before it can be
// granted (BW 7:465(1)), and whether the practice's table lets the
// counsellor waive that for a capable child (Belgium).
func (s *Service) ParentMustAct(ctx context.Context, c casework.Case) (must, waivable bool, err error) {
	if c.Requester.Relation != casework.Self {
		return false, false, nil
	}
	_, needs, err := s.needs(ctx, c)
	if err != nil {
		return false, false, err
	}
	for _, n := range needs {
		if n.Key == representation.KeyParentActs {
			return true, n.Waivable, nil
		}
	}
	return false, false, nil
}

// View returns the identity and representation state of case c, which the
// caller has already read (and audited) within the staff member's scope.
func (s *Service) View(ctx context.Context, c casework.Case) (View, error) {
	settings, err := s.store.Settings(ctx)
	if err != nil {
		return View{}, err
	}
	band, needs, err := s.needsUnder(ctx, c, settings)
	if err != nil {
		return View{}, err
	}
	v := View{Band: band, Age: -1, Needs: needs, Methods: representation.Methods()}
	if !c.Subject.BirthDate.IsZero() {
		v.Age = representation.AgeOn(c.Subject.BirthDate, c.ReceivedOn)
	}
	for _, n := range needs {
		if !n.Met {
			v.Missing++
		}
	}
	if v.Questions, err = s.store.InfoRequests(ctx, c.ID); err != nil {
		return View{}, err
	}
	for _, q := range v.Questions {
		if casework.QuestionLate(c.ReceivedOn, deadline.DateOf(q.AskedAt, settings.Location())) {
			v.LateQuestion = true
		}
	}
	if v.Files, err = s.store.Files(ctx, c.ID); err != nil {
		return View{}, err
	}
	return v, nil
}

// CanDecide implements casework.DecisionGate: a request is granted, in
// whole or in part, only when every requirement is met or waived with a
// written reason (DOMAIN.md §4). Refusals and withdrawals need no proofs.
func (s *Service) CanDecide(ctx context.Context, c casework.Case, d casework.Decision) error {
	if d.Outcome != casework.Granted && d.Outcome != casework.PartiallyGranted {
		return nil
	}
	_, needs, err := s.needs(ctx, c)
	if err != nil {
		return err
	}
	for _, n := range needs {
		if !n.Met {
			return apperr.New(apperr.Conflict, "identity.requirements_missing")
		}
	}
	return nil
}

// OpenQuestion returns the question case c is waiting on, for the tracking
// page; nil when there is none.
func (s *Service) OpenQuestion(ctx context.Context, c casework.Case) (*casework.InfoRequest, error) {
	return s.openQuestion(ctx, c.ID)
}

// openQuestion returns case caseID's question that waits for an answer, or
// nil.
func (s *Service) openQuestion(ctx context.Context, caseID int64) (*casework.InfoRequest, error) {
	qs, err := s.store.InfoRequests(ctx, caseID)
	if err != nil {
		return nil, err
	}
	for i := range qs {
		if qs[i].Open() {
			return &qs[i], nil
		}
	}
	return nil, nil
}
