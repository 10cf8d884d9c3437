// Package representation decides who may exercise the rights of a data
// subject who is a child, which proofs and consents a case needs before it
// may be granted, and how a requester's identity may be verified (DOMAIN.md
// §3 and §4).
//
// The age bands, and what each kind of requester must show in each band and
// for each request type, are data ([Rules]), not code: [DefaultNL] is the
// Dutch table, [ExampleBE] the Belgian one, and a practice can store its own
// in the same JSON format and load it with [ParseRules], without a new
// release.
//
// The package is pure: it imports no web framework and no database library
// and never reads the clock.
package representation

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
)

// The requirement keys of the Dutch table. A practice's table may add keys
// of its own; these are the ones the portal knows.
const (
	KeyRequesterIdentity       = "requester_identity"       // always; a representative shows their own identity (EDPB 01/2022 §80–81)
	KeyParentalAuthority       = "parental_authority"       // gezagsregister extract, or the officer's confirmation
	KeyChildAgreement          = "child_agreement"          // 12–15: the child agrees or does not object
	KeyChildWrittenConsent     = "child_written_consent"    // 16+: the child's written consent (BW 7:465)
	KeyGuardianAuthority       = "guardian_authority"       // proof of guardianship (voogdij)
	KeyRepresentativeAuthority = "representative_authority" // a signed authorisation
	KeyInformOtherParent       = "inform_other_parent"      // both parents with authority are informed alike
	KeyChildInterestCheck      = "child_interest_check"     // a representative acts: not against the child's interest (BW 7:465(4))
	KeyParentActs              = "parent_acts"              // a child under 12 asks: a parent with authority or the guardian acts (BW 7:465(1))
)

// NoUpperBound is the MaxAge of the oldest band.
const NoUpperBound = -1

// Rules is a table of age bands: who may act for a data subject of a given
// age and what they must show. Build one with [DefaultNL] or [ParseRules];
// both return a table that passes [Rules.Validate].
type Rules struct {
	Name  string `json:"name"`
	Bands []Band `json:"bands"` // from the youngest up
	// WithoutAuthority explains ("nl", "en") what a parent without parental
	// authority may have instead (in the Netherlands BW 1:377c: information
	// about major facts, not the file). Empty: the Dutch text.
	WithoutAuthority map[string]string `json:"without_authority,omitempty"`
}

// Band is an age range, in completed years at receipt (see [AgeOn]), with
// the requirements per relation. Parent, guardian and representative must
// be in the table; self may be (a band without it asks a data subject's own
// request for their identity only); parent_without_authority may not: see
// [Needs].
type Band struct {
	Key        string                              `json:"key"` // e.g. "0-11"
	MinAge     int                                 `json:"min_age"`
	MaxAge     int                                 `json:"max_age"` // NoUpperBound for the oldest band
	Label      map[string]string                   `json:"label"`   // "nl", "en"
	ByRelation map[casework.Relation][]Requirement `json:"by_relation"`
}

// Contains reports whether age falls in b.
func (b Band) Contains(age int) bool {
	return age >= b.MinAge && (b.MaxAge == NoUpperBound || age <= b.MaxAge)
}

// Requirement is a proof, consent or confirmation the case needs before it
// may be granted. Label explains it plainly to the officer ("nl", "en").
// A Waivable requirement may be waived with a written reason instead of met.
//
// IfWaived names another, waivable requirement of the same list: this one
// applies only while that one is waived (a 16-year-old's consent waived
// because they cannot judge their interests brings in the parents'
// authority, BW 7:465(2)). ExceptTypes are the request types it does not
// apply to (a parent withdrawing a consent they gave needs no agreement of
// the child, UAVG art. 5).
type Requirement struct {
	Key         string                 `json:"key"`
	Label       map[string]string      `json:"label"`
	Waivable    bool                   `json:"waivable"`
	IfWaived    string                 `json:"if_waived,omitempty"`
	ExceptTypes []casework.RequestType `json:"except_types,omitempty"`
}

// AppliesTo reports whether req applies to a request of type t.
func (req Requirement) AppliesTo(t casework.RequestType) bool {
	return !slices.Contains(req.ExceptTypes, t)
}

// Text returns the text of labels in lang, or the Dutch text if there is none
// in lang.
func Text(labels map[string]string, lang casework.Language) string {
	if s, ok := labels[string(lang)]; ok && s != "" {
		return s
	}
	return labels[string(casework.Dutch)]
}

var (
	//go:embed rules_nl.json
	rulesNL []byte
	//go:embed rules_be.json
	rulesBE []byte
)

// DefaultNL returns the Dutch table (WGBO, BW 7:465; Jeugdwet 7.3): bands
// 0–11, 12–15 and 16+. It is built from the embedded rules_nl.json, the same
// format a practice stores its own table in. Each call returns a fresh copy.
func DefaultNL() Rules { return mustParse("rules_nl.json", rulesNL) }

// ExampleBE returns the Belgian table (bands 0–11, 12–17, 18+; wet
// patiëntenrechten art. 12 and 14): a minor able to reasonably judge their
// own interests exercises the rights independently (art. 12 §2). A Belgian
// practice starts with it ([Initial]); it is a starting point that the
// practice must check and adapt, and its labels say so.
func ExampleBE() Rules { return mustParse("rules_be.json", rulesBE) }

// Initial returns the table a new practice in country starts with, in the
// form practice.Settings.RepresentationRules stores it: empty (the Dutch
// default) in the Netherlands, the Belgian table in Belgium.
func Initial(country deadline.Country) string {
	if country == deadline.BE {
		return string(ExampleBE().JSON())
	}
	return ""
}

func mustParse(name string, b []byte) Rules {
	r, err := ParseRules(b)
	if err != nil {
		panic("representation: embedded " + name + ": " + err.Error()) // a test guards it
	}
	return r
}

// ErrInvalidRules is returned (wrapped) by [ParseRules] and [Rules.Validate]
// for a table that cannot be used.
var ErrInvalidRules = errors.New("representation: invalid rule table")

// ParseRules reads a table in the JSON form of [Rules.JSON]. Unknown fields
// are an error (a misspelt "waivable" must not silently mean false). The
// bands are sorted by MinAge; the result is then checked with
// [Rules.Validate], and every problem found is reported in one error that
// wraps ErrInvalidRules.
func ParseRules(data []byte) (Rules, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Rules
	if err := dec.Decode(&r); err != nil {
		return Rules{}, fmt.Errorf("%w: %w", ErrInvalidRules, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Rules{}, fmt.Errorf("%w: data after the table", ErrInvalidRules)
	}
	slices.SortStableFunc(r.Bands, func(a, b Band) int { return a.MinAge - b.MinAge })
	if err := r.Validate(); err != nil {
		return Rules{}, err
	}
	return r, nil
}

// JSON returns r in the form [ParseRules] reads, indented, with map keys in
// sorted order so that the same table always gives the same bytes.
func (r Rules) JSON() []byte {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		panic("representation: " + err.Error()) // strings, ints and bools always marshal
	}
	return append(b, '\n')
}

// BandFor returns the band that contains age, and false if none does.
func (r Rules) BandFor(age int) (Band, bool) {
	for _, b := range r.Bands {
		if b.Contains(age) {
			return b, true
		}
	}
	return Band{}, false
}

var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// Validate reports whether r can be used: a name; bands that cover every age
// from 0 up without gaps or overlaps, the oldest without an upper bound; for
// each band a unique key, an "nl" and an "en" label, and a non-empty list of
// requirements for each of parent, guardian and representative, and
// optionally self (no other relation); each list holds requester_identity,
// and each requirement has a key (lower case, digits, underscores; not one
// that [Needs] reserves), no duplicate in its list, an "nl" and an "en"
// label, only known request types in except_types, and an if_waived that
// names another waivable requirement of its list that has no if_waived
// itself. A without_authority text, if any, has "nl" and "en".
func (r Rules) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if strings.TrimSpace(r.Name) == "" {
		bad("the table has no name")
	}
	if len(r.WithoutAuthority) > 0 {
		missingLabels(r.WithoutAuthority, "without_authority", bad)
	}
	bands := slices.Clone(r.Bands)
	slices.SortStableFunc(bands, func(a, b Band) int { return a.MinAge - b.MinAge })
	if len(bands) == 0 {
		bad("the table has no bands")
	}
	next, open := 0, true // the youngest age not yet covered; false once a band has no upper bound
	keys := map[string]bool{}
	for _, b := range bands {
		name := fmt.Sprintf("band %q", b.Key)
		switch {
		case b.Key == "":
			bad("band %d–%d has no key", b.MinAge, b.MaxAge)
		case keys[b.Key]:
			bad("%s: key used twice", name)
		}
		keys[b.Key] = true
		missingLabels(b.Label, name, bad)
		switch {
		case b.MinAge < 0:
			bad("%s: min_age %d is negative", name, b.MinAge)
		case b.MaxAge != NoUpperBound && b.MaxAge < b.MinAge:
			bad("%s: max_age %d is below min_age %d (use %d for no upper bound)", name, b.MaxAge, b.MinAge, NoUpperBound)
		case !open || b.MinAge < next:
			bad("%s: overlaps the band before it (ages from %d are already covered)", name, next)
		case b.MinAge > next:
			bad("%s: ages %d–%d are in no band", name, next, b.MinAge-1)
		}
		if b.MaxAge == NoUpperBound {
			open = false
		} else if b.MaxAge+1 > next {
			next = b.MaxAge + 1
		}
		validateRelations(b, name, bad)
	}
	if len(bands) > 0 && open {
		bad("ages from %d up are in no band (the oldest band needs max_age %d)", next, NoUpperBound)
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrInvalidRules, errors.Join(errs...))
	}
	return nil
}

// required are the relations every band must configure; self is optional.
var required = []casework.Relation{casework.Parent, casework.Guardian, casework.Representative}

func validateRelations(b Band, name string, bad func(string, ...any)) {
	for rel := range b.ByRelation {
		switch {
		case rel == casework.ParentWithoutAuthority:
			bad("%s: relation %s cannot be configured: such a parent exercises no rights of the child (see without_authority)", name, rel)
		case !rel.Valid():
			bad("%s: unknown relation %q (want self, parent, guardian or representative)", name, rel)
		}
	}
	for _, rel := range append([]casework.Relation{casework.Self}, required...) {
		list, where := b.ByRelation[rel], fmt.Sprintf("%s, %s", name, rel)
		_, present := b.ByRelation[rel]
		if len(list) == 0 {
			if rel != casework.Self || present {
				bad("%s: no requirements", where)
			}
			continue
		}
		validateList(list, where, bad)
	}
}

func validateList(list []Requirement, where string, bad func(string, ...any)) {
	seen := map[string]bool{}
	for i, req := range list {
		switch {
		case !keyPattern.MatchString(req.Key):
			bad("%s: requirement %d: key %q: want lower case letters, digits and underscores", where, i+1, req.Key)
		case reserved(req.Key):
			bad("%s: requirement %d: key %q is reserved", where, i+1, req.Key)
		case seen[req.Key]:
			bad("%s: requirement %q listed twice", where, req.Key)
		}
		seen[req.Key] = true
		what := fmt.Sprintf("%s, requirement %q", where, req.Key)
		missingLabels(req.Label, what, bad)
		for _, t := range req.ExceptTypes {
			if !t.Valid() {
				bad("%s: unknown request type %q in except_types", what, t)
			}
		}
		if req.IfWaived == "" {
			continue
		}
		j := slices.IndexFunc(list, func(o Requirement) bool { return o.Key == req.IfWaived })
		switch {
		case req.IfWaived == req.Key:
			bad("%s: if_waived names itself", what)
		case j < 0:
			bad("%s: if_waived %q is not in the list", what, req.IfWaived)
		case !list[j].Waivable:
			bad("%s: if_waived %q is not waivable", what, req.IfWaived)
		case list[j].IfWaived != "":
			bad("%s: if_waived %q applies only if waived itself", what, req.IfWaived)
		}
	}
	if !seen[KeyRequesterIdentity] {
		bad("%s: %s is missing: a requester always shows their own identity", where, KeyRequesterIdentity)
	}
}

func missingLabels(labels map[string]string, where string, bad func(string, ...any)) {
	for _, l := range []casework.Language{casework.Dutch, casework.English} {
		if strings.TrimSpace(labels[string(l)]) == "" {
			bad("%s: no %q label", where, l)
		}
	}
}
