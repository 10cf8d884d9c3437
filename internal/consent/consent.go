// Package consent is the practice's registry of consents (AVG art. 6(1)(a),
// 7): who consented to which activity of the register, given by whom and
// when, and when it was withdrawn and through which case. A consent of a
// child under the age of digital consent (16 in the Netherlands, UAVG art.
// 5; 13 in Belgium) is given by the legal representative. A withdrawal takes
// effect on the day it was received, for the future (art. 7(3); DOMAIN.md
// §8). The package is pure: it holds the types and their rules; the store
// keeps the registry.
package consent

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/email"
	"github.com/avgloket/avgloket/internal/plaintext"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/register"
	"github.com/avgloket/avgloket/internal/representation"
)

// GivenBy is who gave a consent: the person themselves or someone on their
// behalf. The codes are API.md's relations.
type GivenBy string

// Who can give a consent.
const (
	Self           GivenBy = "self"
	Parent         GivenBy = "parent"
	Guardian       GivenBy = "guardian"
	Representative GivenBy = "representative"
)

// Givers lists every GivenBy in the order forms show them.
var Givers = []GivenBy{Self, Parent, Guardian, Representative}

// MaxName is the longest name of a person or representative, in characters.
const MaxName = 200

// Subject is the person a consent is about.
type Subject struct {
	Name string
	// BirthDate is zero when unknown; without it the age rule cannot be
	// checked, so it is required.
	BirthDate deadline.Date
}

// Consent is one consent of one person to one activity of the register.
type Consent struct {
	ID       int64
	Activity string // the register.Activity's key
	Subject  Subject
	// Email is where the person (or for a child, the representative) is
	// reached; a consent-withdrawal request finds the consents by it.
	// Stored as email.Normalize returns it.
	Email   string
	GivenAt deadline.Date
	GivenBy GivenBy
	// RepresentativeName is who gave the consent on the subject's behalf;
	// empty when GivenBy is Self.
	RepresentativeName string
	// WithdrawnAt is the day the withdrawal took effect; zero while the
	// consent holds.
	WithdrawnAt deadline.Date
	// WithdrawnCase is the reference of the case that withdrew it.
	WithdrawnCase string
}

// Withdrawn reports whether the consent was withdrawn.
func (c Consent) Withdrawn() bool { return !c.WithdrawnAt.IsZero() }

// Withdraw withdraws c as of the day on, through the case ref. A consent
// already withdrawn keeps its first withdrawal: the day it ended does not
// move. It reports whether c changed.
func (c *Consent) Withdraw(on deadline.Date, ref string) bool {
	if c.Withdrawn() {
		return false
	}
	c.WithdrawnAt, c.WithdrawnCase = on, ref
	return true
}

// AgeOfConsent is the age from which a person gives consent themselves in
// country: 16 in the Netherlands (AVG art. 8, UAVG art. 5), 13 in Belgium
// (Belgian law of 30 July 2018, art. 7; DOMAIN.md §4).
func AgeOfConsent(country practice.Country) int {
	if country == practice.Belgium {
		return 13
	}
	return 16
}

// Normalize trims the texts of c and normalises its e-mail address.
func (c Consent) Normalize() Consent {
	c.Activity = strings.TrimSpace(c.Activity)
	c.Subject.Name = strings.Join(strings.Fields(c.Subject.Name), " ")
	c.Email = email.Normalize(c.Email)
	c.RepresentativeName = strings.Join(strings.Fields(c.RepresentativeName), " ")
	return c
}

// Validate returns the problems of c per field, keyed by API.md's JSON
// paths (activity, subject.name, subject.birth_date, email, given_at,
// given_by, representative), as a consent to the activity a (looked up by
// c.Activity; the zero Activity when there is none) recorded on today in a
// practice in country. c is expected normalised (Normalize).
func (c Consent) Validate(a register.Activity, country practice.Country, today deadline.Date) map[string]string {
	p := problems{}
	switch {
	case c.Activity == "":
		p.add("activity", "field.choose")
	case a.Key == "":
		p.add("activity", "field.choose")
	case a.LegalBasis != register.Consent:
		p.add("activity", "consents.basis_not_consent")
	}
	p.name("subject.name", c.Subject.Name, true)
	switch {
	case c.Subject.BirthDate.IsZero():
		p.add("subject.birth_date", "field.required")
	case !c.Subject.BirthDate.Valid():
		p.add("subject.birth_date", "field.date")
	case c.Subject.BirthDate.After(today):
		p.add("subject.birth_date", "field.date_future")
	}
	switch {
	case c.Email == "":
		p.add("email", "field.required")
	case !email.Valid(c.Email):
		p.add("email", "field.email")
	}
	switch {
	case c.GivenAt.IsZero():
		p.add("given_at", "field.required")
	case !c.GivenAt.Valid():
		p.add("given_at", "field.date")
	case c.GivenAt.After(today):
		p.add("given_at", "field.date_future")
	case c.Subject.BirthDate.Valid() && c.GivenAt.Before(c.Subject.BirthDate):
		p.add("given_at", "consents.given_before_birth")
	}
	switch {
	case !slices.Contains(Givers, c.GivenBy):
		p.add("given_by", "field.choose")
	case c.GivenBy == Self && c.Subject.BirthDate.Valid() && c.GivenAt.Valid() &&
		!c.GivenAt.Before(c.Subject.BirthDate) &&
		representation.AgeOn(c.Subject.BirthDate, c.GivenAt) < AgeOfConsent(country):
		p.add("given_by", consentAgeMessage(country))
	}
	switch {
	case c.GivenBy == Self && c.RepresentativeName != "":
		p.add("representative", "consents.representative_only")
	case c.GivenBy != Self && slices.Contains(Givers, c.GivenBy):
		p.name("representative", c.RepresentativeName, true)
	}
	return p
}

// consentAgeMessage is the message for a child who consented alone below
// the age of country.
func consentAgeMessage(country practice.Country) string {
	if country == practice.Belgium {
		return "consents.under_13"
	}
	return "consents.under_16"
}

// Choose checks that every id in ids is one of the consents owned (the
// person's), and returns them without repeats, in the order given. It
// returns false when one is not.
func Choose(owned []Consent, ids []int64) ([]int64, bool) {
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if !slices.ContainsFunc(owned, func(c Consent) bool { return c.ID == id }) {
			return nil, false
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, true
}

// problems maps a field to the message ID of its first problem.
type problems map[string]string

func (p problems) add(field, msg string) {
	if _, ok := p[field]; !ok {
		p[field] = msg
	}
}

func (p problems) name(field, v string, required bool) {
	switch {
	case v == "" && required:
		p.add(field, "field.required")
	case !plaintext.Line(v):
		p.add(field, "field.single_line")
	case utf8.RuneCountInString(v) > MaxName:
		p.add(field, "field.too_long")
	}
}

// Person is whom a consent-withdrawal request is about, as the case knows
// them: the requester's e-mail address and, for a request on someone
// else's behalf, the data subject.
type Person struct {
	Email     string // as email.Normalize returns it; may be empty (a request by post)
	Name      string // the data subject's name; empty for a request for oneself
	BirthDate deadline.Date
}

// Owns reports whether c is a consent of p: given with p's e-mail address,
// or about p's data subject (same name, ignoring case and spacing, and the
// same birth date when the case knows it).
func (p Person) Owns(c Consent) bool {
	if p.Email != "" && c.Email == p.Email {
		return true
	}
	if p.Name == "" || normalName(c.Subject.Name) != normalName(p.Name) {
		return false
	}
	return p.BirthDate.IsZero() || c.Subject.BirthDate == p.BirthDate
}

func normalName(n string) string { return strings.ToLower(strings.Join(strings.Fields(n), " ")) }

// PersonOf is whom the consent withdrawal c is about: its requester's
// e-mail address and, for a request on someone else's behalf (a parent for
// their child), the data subject too.
func PersonOf(c casework.Case) Person {
	p := Person{Email: email.Normalize(c.Requester.Email)}
	if c.Requester.Relation != casework.Self {
		p.Name, p.BirthDate = c.Subject.Name, c.Subject.BirthDate
	}
	return p
}
