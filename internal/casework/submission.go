package casework

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/email"
)

// Requester is the person who filed the request.
type Requester struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Phone    string `json:"phone,omitempty"`
	Relation Relation
	// Address is where letters go when there is no e-mail address; zero
	// otherwise (see PostalAddress).
	Address PostalAddress `json:"address"`
}

// Subject is the person the data are about (the data subject).
type Subject struct {
	Name      string        `json:"name"`
	BirthDate deadline.Date `json:"-"`
}

// Specifics are the type-specific wishes the public form asks for. The API
// accepts them too; integrations may instead describe the wishes in Details.
type Specifics struct {
	Wrong   string `json:"wrong,omitempty"`   // rectification: what is wrong
	Correct string `json:"correct,omitempty"` // rectification: what it should be

	ErasureScope string `json:"erasure_scope,omitempty"` // erasure: "all" or "part"
	ErasurePart  string `json:"erasure_part,omitempty"`  // erasure: which part

	Format          string `json:"format,omitempty"`           // portability: "json" or "csv"
	Destination     string `json:"destination,omitempty"`      // portability: "self" or "controller"
	OtherController string `json:"other_controller,omitempty"` // portability: the receiving organisation

	Processing string `json:"processing,omitempty"` // objection: which processing
	Grounds    string `json:"grounds,omitempty"`    // objection: why
	// DirectMarketing says whether an objection is to direct marketing
	// (AVG art. 21(2)–(3)): then it takes effect at once and no ground can
	// refuse it. Nil when the requester did not say.
	DirectMarketing *bool `json:"direct_marketing,omitempty"`

	RestrictionData   string `json:"restriction_data,omitempty"`   // restriction: which data or processing
	RestrictionGround string `json:"restriction_ground,omitempty"` // restriction: which of art. 18(1)(a)–(d), see RestrictionGrounds

	Consents     []string `json:"consents,omitempty"`      // consent withdrawal: which consents
	SharingParty string   `json:"sharing_party,omitempty"` // consent withdrawal: the named third party
	OtherConsent string   `json:"other_consent,omitempty"` // consent withdrawal: another consent
}

// Choices offered by the form for the specifics.
var (
	ErasureScopes = []string{"all", "part"}
	Formats       = []string{"json", "csv"}
	Destinations  = []string{"self", "controller"}
	Consents      = []string{"newsletter", "research", "recordings", "sharing", "other"}
	// RestrictionGrounds are the four situations of AVG art. 18(1) in which
	// processing is restricted: (a) the accuracy is contested, (b) the
	// processing is unlawful and the person wants restriction instead of
	// erasure, (c) the practice no longer needs the data but the person
	// needs them for a legal claim, (d) an objection is being weighed.
	RestrictionGrounds = []string{"accuracy", "unlawful", "legal_claims", "objection"}
	YesNo              = []string{"yes", "no"}
)

// Submission is a request as it arrives, from the public form, the API or a
// staff member registering a letter. BirthDate is the raw text typed; Validate
// parses it.
type Submission struct {
	Type      RequestType
	Requester Requester
	Subject   struct {
		Name      string
		BirthDate string
	}
	Branch    string
	Details   string
	Specifics Specifics
	Language  Language
	// SpecificsRequired makes the type-specific questions mandatory, as on the
	// public form. The API leaves them optional (API.md: details are free text).
	SpecificsRequired bool
	// AskDirectMarketing: the form asked whether an objection is to direct
	// marketing, so an objection needs the answer (it decides whether the
	// request takes effect at once). Both the public and the staff form ask.
	AskDirectMarketing bool
	// SelfBirthDateRequired makes a requester who asks for themselves give
	// their birth date (Subject.BirthDate), as the public form of a practice
	// that serves minors does: a child under 12 cannot exercise the rights
	// alone (BW 7:465(1)). The API leaves it optional (API.md).
	SelfBirthDateRequired bool
	// EmailOptional lets a request without an e-mail address through when
	// it has a postal address instead: set for the channels of
	// Channel.EmailOptional.
	EmailOptional bool
}

// Field names used in validation problems. They are the JSON paths of the
// API body, so API clients and the form share them.
const (
	FieldType        = "type"
	FieldName        = "requester.name"
	FieldEmail       = "requester.email"
	FieldPhone       = "requester.phone"
	FieldRelation    = "requester.relation"
	FieldSubjectName = "subject.name"
	FieldBirthDate   = "subject.birth_date"
	FieldBranch      = "branch"
	FieldDetails     = "details"
	FieldReceivedAt  = "received_at"
	FieldChannel     = "channel"
	// FieldDirectMarketing is the answer to "is this objection about direct
	// marketing?".
	FieldDirectMarketing = "specifics.direct_marketing"
)

// Limits on what a submission may hold.
const (
	MaxName    = 200
	MaxEmail   = email.MaxLen
	MaxDetails = 5000
	MaxShort   = 1000
)

var phonePattern = regexp.MustCompile(`^\+?[0-9 ()\-]{6,20}$`)

// Problems maps a field to the message ID of what is wrong with it.
type Problems map[string]string

func (p Problems) add(field, msg string) {
	if _, ok := p[field]; !ok {
		p[field] = msg
	}
}

// Validate checks s against the rules of a request: required fields per
// relation and type, formats, lengths, and that the branch exists (branches
// lists the practice's branch codes; with more than one the branch is
// required). today is the current day in the practice's time zone. It
// returns the parsed birth date (zero if none) and the problems found.
func (s *Submission) Validate(branches []string, today deadline.Date) (deadline.Date, Problems) {
	p := Problems{}
	s.trim()
	if !s.Type.Valid() {
		p.add(FieldType, "field.choose")
	}
	text(p, FieldName, s.Requester.Name, true, MaxName)
	switch {
	case s.Requester.Email != "" && !email.Valid(s.Requester.Email):
		p.add(FieldEmail, "field.email")
	case s.Requester.Email == "" && !s.EmailOptional:
		p.add(FieldEmail, "field.required")
	case s.Requester.Email == "" && s.Requester.Address.IsZero():
		p.add(FieldEmail, "field.email_or_address")
		p.add(FieldAddress, "field.email_or_address")
	}
	if !s.Requester.Address.IsZero() {
		for f, m := range s.Requester.Address.Problems() {
			p.add(f, m)
		}
	}
	if s.Requester.Phone != "" && !phonePattern.MatchString(s.Requester.Phone) {
		p.add(FieldPhone, "field.phone")
	}
	if !s.Requester.Relation.Valid() {
		p.add(FieldRelation, "field.choose")
	}
	needSubject := s.Requester.Relation.Valid() && s.Requester.Relation != Self
	text(p, FieldSubjectName, s.Subject.Name, needSubject, MaxName)
	var birth deadline.Date
	switch {
	case s.Subject.BirthDate == "" && (needSubject || s.SelfBirthDateRequired && s.Requester.Relation == Self):
		p.add(FieldBirthDate, "field.required")
	case s.Subject.BirthDate != "":
		d, err := deadline.ParseDate(s.Subject.BirthDate)
		switch {
		case err != nil:
			p.add(FieldBirthDate, "field.date")
		case d.After(today):
			p.add(FieldBirthDate, "field.date_future")
		case d.Year < 1900:
			p.add(FieldBirthDate, "field.date")
		default:
			birth = d
		}
	}
	switch {
	case len(branches) > 1 && s.Branch == "":
		p.add(FieldBranch, "field.choose")
	case s.Branch != "" && !slices.Contains(branches, s.Branch):
		p.add(FieldBranch, "field.branch")
	}
	text(p, FieldDetails, s.Details, false, MaxDetails)
	s.validateSpecifics(p)
	return birth, p
}

func (s *Submission) validateSpecifics(p Problems) {
	sp := &s.Specifics
	req := s.SpecificsRequired
	const pre = "specifics."
	switch s.Type {
	case Rectification:
		text(p, pre+"wrong", sp.Wrong, req, MaxShort)
		text(p, pre+"correct", sp.Correct, req, MaxShort)
	case Erasure:
		choice(p, pre+"erasure_scope", sp.ErasureScope, ErasureScopes, req)
		text(p, pre+"erasure_part", sp.ErasurePart, sp.ErasureScope == "part", MaxShort)
	case Portability:
		choice(p, pre+"format", sp.Format, Formats, req)
		choice(p, pre+"destination", sp.Destination, Destinations, req)
		text(p, pre+"other_controller", sp.OtherController, sp.Destination == "controller", MaxShort)
	case Restriction:
		text(p, pre+"restriction_data", sp.RestrictionData, req, MaxShort)
		choice(p, pre+"restriction_ground", sp.RestrictionGround, RestrictionGrounds, req)
	case Objection:
		text(p, pre+"processing", sp.Processing, req, MaxShort)
		text(p, pre+"grounds", sp.Grounds, false, MaxShort)
		if (req || s.AskDirectMarketing) && sp.DirectMarketing == nil {
			p.add(pre+"direct_marketing", "field.choose")
		}
	case ConsentWithdrawal:
		if req && len(sp.Consents) == 0 {
			p.add(pre+"consents", "field.choose_one")
		}
		for _, c := range sp.Consents {
			if !slices.Contains(Consents, c) {
				p.add(pre+"consents", "field.choose")
			}
		}
		text(p, pre+"sharing_party", sp.SharingParty, slices.Contains(sp.Consents, "sharing"), MaxShort)
		text(p, pre+"other_consent", sp.OtherConsent, slices.Contains(sp.Consents, "other"), MaxShort)
	}
	if !req && s.Details == "" && s.Specifics.IsEmpty() && needsWishes(s.Type) {
		p.add(FieldDetails, "field.required")
	}
}

// needsWishes reports whether a request of type t cannot be acted on without
// saying what the requester wants changed, erased or stopped.
func needsWishes(t RequestType) bool {
	return t == Rectification || t == Objection || t == ConsentWithdrawal
}

// IsEmpty reports whether no specific wish was given.
func (sp Specifics) IsEmpty() bool {
	return sp.Wrong == "" && sp.Correct == "" && sp.ErasureScope == "" && sp.ErasurePart == "" &&
		sp.Format == "" && sp.Destination == "" && sp.OtherController == "" && sp.Processing == "" &&
		sp.Grounds == "" && len(sp.Consents) == 0 && sp.SharingParty == "" && sp.OtherConsent == "" &&
		sp.DirectMarketing == nil && sp.RestrictionData == "" && sp.RestrictionGround == ""
}

// keepRelevant drops the specifics that do not belong to the request type, so
// that a form that was switched between types stores only what applies.
func (sp Specifics) keepRelevant(t RequestType) Specifics {
	var out Specifics
	switch t {
	case Rectification:
		out.Wrong, out.Correct = sp.Wrong, sp.Correct
	case Erasure:
		out.ErasureScope = sp.ErasureScope
		if sp.ErasureScope == "part" {
			out.ErasurePart = sp.ErasurePart
		}
	case Portability:
		out.Format, out.Destination = sp.Format, sp.Destination
		if sp.Destination == "controller" {
			out.OtherController = sp.OtherController
		}
	case Restriction:
		out.RestrictionData, out.RestrictionGround = sp.RestrictionData, sp.RestrictionGround
	case Objection:
		out.Processing, out.Grounds, out.DirectMarketing = sp.Processing, sp.Grounds, sp.DirectMarketing
	case ConsentWithdrawal:
		out.Consents = sp.Consents
		if slices.Contains(sp.Consents, "sharing") {
			out.SharingParty = sp.SharingParty
		}
		if slices.Contains(sp.Consents, "other") {
			out.OtherConsent = sp.OtherConsent
		}
	}
	return out
}

func (s *Submission) trim() {
	for _, f := range []*string{&s.Requester.Name, &s.Requester.Email, &s.Requester.Phone, &s.Subject.Name,
		&s.Subject.BirthDate, &s.Branch, &s.Details, &s.Specifics.Wrong, &s.Specifics.Correct,
		&s.Specifics.ErasurePart, &s.Specifics.OtherController, &s.Specifics.Processing,
		&s.Specifics.Grounds, &s.Specifics.SharingParty, &s.Specifics.OtherConsent,
		&s.Specifics.RestrictionData, &s.Specifics.RestrictionGround} {
		*f = strings.TrimSpace(*f)
	}
	s.Requester.Email = email.Normalize(s.Requester.Email)
	s.Requester.Address.trim()
}

func text(p Problems, field, v string, required bool, limit int) {
	switch {
	case v == "" && required:
		p.add(field, "field.required")
	case utf8.RuneCountInString(v) > limit:
		p.add(field, "field.too_long")
	case !utf8.ValidString(v) || strings.ContainsRune(v, 0):
		p.add(field, "field.invalid")
	}
}

func choice(p Problems, field, v string, allowed []string, required bool) {
	switch {
	case v == "" && required:
		p.add(field, "field.choose")
	case v != "" && !slices.Contains(allowed, v):
		p.add(field, "field.choose")
	}
}

// ValidateReceipt checks a staff-entered receipt time and channel: the time
// may not lie in the future.
func ValidateReceipt(receivedAt, now time.Time, channel Channel) Problems {
	p := Problems{}
	if receivedAt.After(now) {
		p.add(FieldReceivedAt, "field.date_future")
	}
	if !channel.Valid() {
		p.add(FieldChannel, "field.choose")
	}
	return p
}
