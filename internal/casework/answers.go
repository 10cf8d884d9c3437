package casework

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/avgloket/avgloket/internal/apperr"
)

// The events of answering a case.
const (
	// EventActivities: the officer chose the register activities that
	// concern the person. Data: activities (keys, comma-separated), and
	// none ("yes") when the officer recorded that none of them does
	// (ChooseNoActivities).
	EventActivities EventKind = "activities"
	// EventStatement: the access statement was edited or approved. Data:
	// approved ("yes" or "no"); the text is in the statement, not here.
	EventStatement EventKind = "access_statement"
)

// Statement is the access statement of art. 15(1)(a)–(h) of an access case
// as the officer edited and approved it. The zero Statement (empty Text) is
// the drafted text standing unedited.
type Statement struct {
	Text string
	// ApprovedAt is when the officer approved Text; nil while it is not
	// (or no longer) approved. ApprovedByID and ApprovedBy (a name, filled
	// when read) say who.
	ApprovedAt   *time.Time
	ApprovedByID int64
	ApprovedBy   string
	EditedAt     time.Time
	EditedByID   int64
}

// Approved reports whether the officer approved the statement.
func (s Statement) Approved() bool { return s.ApprovedAt != nil }

// MaxStatement is the longest access statement: one part per activity of
// the register, so longer than a note.
const MaxStatement = 50000

// ChooseActivities records which activities of the register concern the
// person of case ref: keys, each one of known (the register's keys, in its
// order), stored in the register's order without repeats. A key not in
// known is Invalid on the field "activities". A completed case keeps its
// choice (Conflict).
//
// A different choice drafts the access statement anew: an edited text,
// approved or not, was written for the activities chosen before, so it is
// dropped (Change.ResetStatement) and the officer approves the new draft.
// The erasure items, recorded per activity chosen before, go too: the
// officer records them again for the new choice.
func (s *Service) ChooseActivities(ctx context.Context, a Actor, ref string, keys, known []string) (Case, error) {
	chosen := make([]string, 0, len(keys))
	for _, k := range known {
		if slices.Contains(keys, k) {
			chosen = append(chosen, k)
		}
	}
	for _, k := range keys {
		if !slices.Contains(known, k) {
			return Case{}, apperr.InvalidFields(map[string]string{"activities": "case.activity_unknown"})
		}
	}
	return s.choose(ctx, a, ref, chosen, false)
}

// ChooseNoActivities records that none of the register's activities
// concern the person of case ref: the practice processes no data about
// them (Case.NoActivities), so an access request is answered with that
// confirmation (AVG art. 15(1)) and the other rights find nothing to act
// on. It drops what the activities chosen before carried, as
// ChooseActivities does.
func (s *Service) ChooseNoActivities(ctx context.Context, a Actor, ref string) (Case, error) {
	return s.choose(ctx, a, ref, []string{}, true)
}

// choose records chosen (none: recorded as concerning none of the
// register's activities) as the activities of case ref.
func (s *Service) choose(ctx context.Context, a Actor, ref string, chosen []string, none bool) (Case, error) {
	return s.Apply(ctx, a, ref, func(c *Case, _ Env) (Change, error) {
		switch {
		case c.Status == Completed:
			return Change{}, apperr.New(apperr.Conflict, "case.completed")
		case c.Answered(): // the letter named what the activities hold
			return Change{}, apperr.New(apperr.Conflict, "case.decided")
		}
		data := map[string]string{"activities": strings.Join(chosen, ",")}
		if none {
			data["none"] = "yes"
		}
		ch := Change{Activities: &chosen, Events: []Event{{Kind: EventActivities, Data: data}}}
		ch.ResetStatement = !slices.Equal(c.Activities, chosen) || c.NoActivities != none
		if ch.ResetStatement && len(c.Erasure) > 0 {
			empty := []ErasureItem{}
			ch.Erasure, c.Erasure = &empty, empty
		}
		if ch.ResetStatement && c.Portability.Recorded() {
			c.Portability = PortabilityRecord{Transfers: c.Portability.Transfers}
			ch.Portability = &PortabilityChange{Record: c.Portability}
		}
		c.Activities, c.NoActivities = chosen, none
		return ch, nil
	})
}

// SaveStatement stores the officer's text of the access statement of the
// access case ref (Conflict for another right or a completed case), and
// approves it when approve is set. Saving without approving withdraws an
// earlier approval: an approved text edited afterwards must be approved
// again before it goes out. Only a staff member approves (Forbidden
// otherwise); the text is Invalid on the field "text" when empty or longer
// than MaxStatement.
func (s *Service) SaveStatement(ctx context.Context, a Actor, ref, text string, approve bool) (Case, error) {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	switch {
	case approve && (a.ID == 0 || a.Requester):
		// An approval names the staff member who gave it.
		return Case{}, apperr.New(apperr.Forbidden, "error.forbidden")
	case text == "":
		return Case{}, apperr.InvalidFields(map[string]string{"text": "field.required"})
	case utf8.RuneCountInString(text) > MaxStatement:
		return Case{}, apperr.InvalidFields(map[string]string{"text": "field.too_long"})
	case !utf8.ValidString(text) || strings.ContainsRune(text, 0):
		return Case{}, apperr.InvalidFields(map[string]string{"text": "field.invalid"})
	}
	return s.Apply(ctx, a, ref, func(c *Case, _ Env) (Change, error) {
		switch {
		case c.Type != Access:
			return Change{}, apperr.New(apperr.Conflict, "case.not_access")
		case c.Status == Completed:
			return Change{}, apperr.New(apperr.Conflict, "case.completed")
		}
		now := s.clock.Now()
		st := Statement{Text: text, EditedAt: now, EditedByID: a.ID}
		approved := "no"
		if approve {
			st.ApprovedAt, st.ApprovedByID, approved = &now, a.ID, "yes"
		}
		return Change{Statement: &st, Events: []Event{{Kind: EventStatement, Data: map[string]string{"approved": approved}}}}, nil
	})
}
