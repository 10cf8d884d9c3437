package casework

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/practice"
)

// Correction is staff's fix of data typed wrong: the whole request as it
// should have been, with its receipt. Unchanged fields stay as they are.
type Correction struct {
	Submission Submission
	ReceivedAt time.Time
	DateOnly   bool // ReceivedAt is a day whose time was not given
	Channel    Channel
}

// Correct replaces what was typed wrong and records which fields changed
// (names only). A new receipt date recomputes the deadlines; a new e-mail
// address must be confirmed again, so the requester gets a fresh link there,
// and every link sent to the old address stops working (Store.UpdateCase).
func (s *Service) Correct(ctx context.Context, a Actor, ref string, fix Correction) (Case, error) {
	settings, err := s.store.Settings(ctx)
	if err != nil {
		return Case{}, err
	}
	branches, err := s.store.Branches(ctx)
	if err != nil {
		return Case{}, err
	}
	codes := make([]string, len(branches))
	for i, b := range branches {
		codes[i] = b.Code
	}
	now := s.clock.Now()
	sub := fix.Submission
	sub.EmailOptional = fix.Channel.EmailOptional()
	birth, problems := sub.Validate(codes, deadline.DateOf(now, settings.Location()))
	for f, m := range ValidateReceipt(fix.ReceivedAt, now, fix.Channel) {
		problems.add(f, m)
	}
	if sub.Branch != "" && !a.Scope.Allows(sub.Branch) {
		problems.add(FieldBranch, "field.branch_scope")
	}
	if len(problems) > 0 {
		return Case{}, apperr.InvalidFields(problems)
	}
	return s.update(ctx, a, ref, func(c *Case, _ deadline.Date, cal deadline.Calendar, settings practice.Settings) (Change, error) {
		if c.Status == Completed {
			return Change{}, apperr.New(apperr.Conflict, "case.completed")
		}
		var changed []string
		set := func(field string, differs bool) {
			if differs {
				changed = append(changed, field)
			}
		}
		receivedOn := deadline.DateOf(fix.ReceivedAt, settings.Location())
		set(FieldType, c.Type != sub.Type)
		set(FieldName, c.Requester.Name != sub.Requester.Name)
		set(FieldEmail, c.Requester.Email != sub.Requester.Email)
		set(FieldPhone, c.Requester.Phone != sub.Requester.Phone)
		set(FieldRelation, c.Requester.Relation != sub.Requester.Relation)
		set(FieldSubjectName, c.Subject.Name != sub.Subject.Name && !(sub.Requester.Relation == Self && sub.Subject.Name == ""))
		set(FieldBirthDate, c.Subject.BirthDate != birth)
		set(FieldBranch, c.Branch != sub.Branch && sub.Branch != "")
		set(FieldDetails, c.Details != sub.Details)
		set(FieldAddress, c.Requester.Address != sub.Requester.Address)
		set(FieldReceivedAt, !c.ReceivedAt.Equal(fix.ReceivedAt) || c.ReceivedDateOnly != fix.DateOnly)
		set(FieldChannel, c.Channel != fix.Channel)
		marketing := sub.Type == Objection && !sameAnswer(c.Specifics.DirectMarketing, sub.Specifics.DirectMarketing)
		set(FieldDirectMarketing, marketing)
		if len(changed) == 0 {
			return Change{}, apperr.New(apperr.Conflict, "case.nothing_changed")
		}
		emailChanged := slices.Contains(changed, FieldEmail)
		c.Type, c.Requester, c.Details, c.Channel = sub.Type, sub.Requester, sub.Details, fix.Channel
		c.Subject = Subject{Name: sub.Subject.Name, BirthDate: birth}
		if c.Requester.Relation == Self && c.Subject.Name == "" {
			c.Subject.Name = c.Requester.Name
		}
		if sub.Branch != "" {
			c.Branch = sub.Branch
		}
		if marketing {
			c.Specifics.DirectMarketing = sub.Specifics.DirectMarketing
		}
		c.ReceivedAt, c.ReceivedOn, c.ReceivedDateOnly = fix.ReceivedAt.In(settings.Location()), receivedOn, fix.DateOnly
		c.Deadlines = deadline.Compute(cal, c.ReceivedOn, c.PauseDays, c.Extended)
		ch := Change{Events: []Event{{Kind: EventCorrected, Data: map[string]string{"fields": strings.Join(changed, " ")}}}}
		if emailChanged {
			c.EmailConfirmedAt = nil
			return s.withMail(ch, *c, s.letters.Acknowledgement)
		}
		return ch, nil
	})
}

// sameAnswer reports whether two optional yes/no answers are the same.
func sameAnswer(a, b *bool) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}
