package store

import (
	"context"
	"errors"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/consent"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/email"
	"github.com/avgloket/avgloket/internal/register"
)

// Consents is the consent registry (AVG art. 7): who consented to which
// activity of the register, and the consents a consent-withdrawal case
// withdraws.
type Consents struct{ *DB }

// consentRow is one consent; who it concerns is sealed in Person, bound to
// the row id.
type consentRow struct {
	ID            int64 `gorm:"primaryKey"`
	ActivityKey   string
	Person        []byte
	EmailIndex    string
	SubjectIndex  string
	GivenOn       string
	GivenBy       string
	WithdrawnOn   string
	WithdrawnCase string
	CreatedAt     time.Time
}

func (consentRow) TableName() string { return "consents" }

type caseConsentRow struct {
	CaseID    int64 `gorm:"primaryKey"`
	ConsentID int64 `gorm:"primaryKey"`
}

func (caseConsentRow) TableName() string { return "case_consents" }

// sealedPerson is the personal data of a consent.
type sealedPerson struct {
	Name           string `json:"name"`
	BirthDate      string `json:"birth_date"`
	Email          string `json:"email"`
	Representative string `json:"representative,omitempty"`
}

// emailKey returns the blind index of a normalised e-mail address, or ""
// for none.
func (s *DB) emailKey(address string) string {
	if address == "" {
		return ""
	}
	return s.vault.Index("email", address)
}

// AddConsent records c (normalised first) as who (At, Actor, Address), in
// one transaction with its audit entry. It returns the consent as stored;
// Invalid with the fields of consent.Validate, checked against the
// activity as it is in the register (its legal basis must be consent) and
// the practice's country on the day of who.At.
func (s *Consents) AddConsent(ctx context.Context, c consent.Consent, who audit.Entry) (consent.Consent, error) {
	settings, err := s.Settings(ctx)
	if err != nil {
		return consent.Consent{}, err
	}
	today := deadline.DateOf(who.At, settings.Location())
	c = c.Normalize()
	c.ID, c.WithdrawnAt, c.WithdrawnCase = 0, deadline.Date{}, ""
	err = s.write(ctx, func(tx *gorm.DB) error {
		var a register.Activity
		if c.Activity != "" {
			r, err := activityByKey(tx, c.Activity)
			switch {
			case err == nil:
				if a, err = r.activity(); err != nil {
					return err
				}
			case apperr.CodeOf(err) != apperr.NotFound:
				return err
			}
		}
		if p := c.Validate(a, settings.Country, today); len(p) > 0 {
			return apperr.InvalidFields(p)
		}
		r := consentRow{ActivityKey: c.Activity, Person: []byte{}, EmailIndex: s.emailKey(c.Email), SubjectIndex: s.nameKey(c.Subject.Name),
			GivenOn: c.GivenAt.String(), GivenBy: string(c.GivenBy), CreatedAt: who.At.UTC()}
		if err := tx.Create(&r).Error; err != nil {
			return internal(err, "add consent")
		}
		c.ID = r.ID
		person, err := s.sealJSON("consents", "person", idString(r.ID), sealedPerson{Name: c.Subject.Name,
			BirthDate: c.Subject.BirthDate.String(), Email: c.Email, Representative: c.RepresentativeName})
		if err != nil {
			return internal(err, "seal consent")
		}
		if err := tx.Model(&consentRow{}).Where("id = ?", r.ID).Update("person", person).Error; err != nil {
			return internal(err, "add consent")
		}
		who.Action, who.Object, who.Detail = audit.ConsentCreate, audit.Consent(r.ID), "activity="+c.Activity
		return s.appendAudit(tx, who)
	})
	if err != nil {
		return consent.Consent{}, err
	}
	return c, nil
}

// ConsentsByEmail returns the consents given with address (normalised
// first), withdrawn ones included, oldest first.
func (s *Consents) ConsentsByEmail(ctx context.Context, address string) ([]consent.Consent, error) {
	key := s.emailKey(email.Normalize(address))
	if key == "" {
		return nil, nil
	}
	return s.consentsWhere(s.db.WithContext(ctx), "email_index = ?", key)
}

// ConsentsByName returns the consents about the person named name (case and
// spacing ignored), withdrawn ones included, oldest first.
func (s *Consents) ConsentsByName(ctx context.Context, name string) ([]consent.Consent, error) {
	key := s.nameKey(name)
	if key == "" {
		return nil, nil
	}
	return s.consentsWhere(s.db.WithContext(ctx), "subject_index = ?", key)
}

// PersonConsents returns the consents of p (consent.Person.Owns), oldest
// first.
func (s *Consents) PersonConsents(ctx context.Context, p consent.Person) ([]consent.Consent, error) {
	return s.personConsents(s.db.WithContext(ctx), p)
}

func (s *DB) personConsents(db *gorm.DB, p consent.Person) ([]consent.Consent, error) {
	all, err := s.consentsWhere(db, "(email_index <> '' AND email_index = ?) OR (subject_index <> '' AND subject_index = ?)",
		s.emailKey(p.Email), s.nameKey(p.Name))
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(c consent.Consent) bool { return !p.Owns(c) }), nil
}

func (s *DB) consentsWhere(db *gorm.DB, cond string, args ...any) ([]consent.Consent, error) {
	var rows []consentRow
	if err := db.Where(cond, args...).Order("given_on, id").Find(&rows).Error; err != nil {
		return nil, internal(err, "read consents")
	}
	out := make([]consent.Consent, 0, len(rows))
	for _, r := range rows {
		c, err := s.consentOf(r)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func (s *DB) consentOf(r consentRow) (consent.Consent, error) {
	var p sealedPerson
	if err := s.openJSON("consents", "person", idString(r.ID), r.Person, &p); err != nil {
		return consent.Consent{}, internal(err, "open consent")
	}
	c := consent.Consent{ID: r.ID, Activity: r.ActivityKey, Subject: consent.Subject{Name: p.Name}, Email: p.Email,
		GivenBy: consent.GivenBy(r.GivenBy), RepresentativeName: p.Representative, WithdrawnCase: r.WithdrawnCase}
	var errs []error
	date := func(s string) deadline.Date {
		if s == "" {
			return deadline.Date{}
		}
		d, err := deadline.ParseDate(s)
		errs = append(errs, err)
		return d
	}
	c.Subject.BirthDate, c.GivenAt, c.WithdrawnAt = date(p.BirthDate), date(r.GivenOn), date(r.WithdrawnOn)
	if err := errors.Join(errs...); err != nil {
		return consent.Consent{}, internal(err, "read consent dates")
	}
	return c, nil
}

// CaseConsents returns the ids of the consents chosen on case caseID, in
// ascending order.
func (s *Consents) CaseConsents(ctx context.Context, caseID int64) ([]int64, error) {
	var ids []int64
	if err := s.db.WithContext(ctx).Model(&caseConsentRow{}).Where("case_id = ?", caseID).Order("consent_id").Pluck("consent_id", &ids).Error; err != nil {
		return nil, internal(err, "read case consents")
	}
	return ids, nil
}

// writeConsents writes the consent parts of ch on case c inside tx: the
// chosen consents (which must be the person's), and their withdrawal as of
// the case's receipt, each audited as actor.
func (s *Cases) writeConsents(tx *gorm.DB, actor casework.Actor, c casework.Case, ch casework.Change) error {
	if ch.ChooseConsents != nil {
		owned, err := s.personConsents(tx, consent.PersonOf(c))
		if err != nil {
			return err
		}
		ids, ok := consent.Choose(owned, *ch.ChooseConsents)
		if !ok {
			return apperr.InvalidFields(map[string]string{"consents": "consents.not_the_persons"})
		}
		if err := tx.Where("case_id = ?", c.ID).Delete(&caseConsentRow{}).Error; err != nil {
			return internal(err, "choose consents")
		}
		for _, id := range ids {
			if err := tx.Create(&caseConsentRow{CaseID: c.ID, ConsentID: id}).Error; err != nil {
				return internal(err, "choose consents")
			}
		}
	}
	if !ch.WithdrawConsents {
		return nil
	}
	var rows []consentRow
	if err := tx.Where("id IN (SELECT consent_id FROM case_consents WHERE case_id = ?)", c.ID).Order("id").Find(&rows).Error; err != nil {
		return internal(err, "read chosen consents")
	}
	for _, r := range rows {
		k, err := s.consentOf(r)
		if err != nil {
			return err
		}
		if !k.Withdraw(c.ReceivedOn, c.Reference) {
			continue
		}
		if err := tx.Model(&consentRow{}).Where("id = ?", r.ID).
			Updates(map[string]any{"withdrawn_on": k.WithdrawnAt.String(), "withdrawn_case": k.WithdrawnCase}).Error; err != nil {
			return internal(err, "withdraw consent")
		}
		entry := audit.Entry{At: c.UpdatedAt, Actor: auditActor(actor, c.ID), Action: audit.ConsentWithdraw, Object: audit.Consent(r.ID),
			Address: actor.Address, Detail: "case=" + c.Reference + " as_of=" + k.WithdrawnAt.String()}
		if err := s.appendAudit(tx, entry); err != nil {
			return err
		}
	}
	return nil
}
