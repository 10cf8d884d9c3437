package casework

import (
	"context"
	"strings"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/deadline"
)

// MaxLetter is the longest decision letter an officer may send, in
// characters: long enough for an access letter with its statement.
const MaxLetter = 40000

// Letter is a decision letter as the requester receives it: on the
// tracking page, and on paper for a case by post. It is stored with the
// case as it was sent, so what the practice wrote stays what it wrote when
// its settings or the case change later.
type Letter struct {
	Subject string
	// Letterhead is the practice's name, address, KvK/KBO number and
	// contacts, one per line.
	Letterhead string
	// Recipient is the requester's name and, for a case by post, their
	// postal address: the address block for a window envelope.
	Recipient string
	Date      string // the day of sending, written out in the letter's language
	Reference string
	Body      string // from the salutation to the signature
	SentAt    time.Time
}

// DraftLetter returns the decision letter that deciding case ref with d
// would send today, for the officer to read and edit before sending: the
// same problems as Decide (422 per field) when d is not a valid decision.
func (s *Service) DraftLetter(ctx context.Context, a Actor, ref string, d Decision) (Letter, error) {
	c, err := s.Case(ctx, a, ref)
	if err != nil {
		return Letter{}, err
	}
	settings, err := s.store.Settings(ctx)
	if err != nil {
		return Letter{}, err
	}
	if !CanMove(c.Status, Completed) {
		return Letter{}, apperr.New(apperr.Conflict, "case.completed")
	}
	today := deadline.DateOf(s.clock.Now(), settings.Location())
	if p := d.Validate(c, today); len(p) > 0 {
		return Letter{}, apperr.InvalidFields(p)
	}
	d.Letter = ""
	if d.Statement, err = s.approvedStatement(ctx, c, d); err != nil {
		return Letter{}, err
	}
	if d.Notified, err = s.noticeCount(ctx, c, d.Outcome); err != nil {
		return Letter{}, err
	}
	return s.letters.DecisionLetter(c, d, today)
}

// validateLetter checks the officer's own text of the letter, when given.
func (d Decision) validateLetter(p Problems) {
	text(p, "letter", strings.TrimSpace(d.Letter), false, MaxLetter)
}
