// Package representation decides who may exercise the rights of a data
// subject who is a child, which proofs and consents a case needs before it
// may be granted, and how a requester's identity may be verified (DOMAIN.md
// §3 and §4).
//
// The age bands, and what each kind of requester must show in each band, are
// data ([Rules]), not code: [DefaultNL] is the Dutch table, and a practice can
// store its own (Belgian rules differ, see [ExampleBE]) in the same JSON
// format and load it with [ParseRules], without a new release.
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
	KeyChildInterestCheck      = "child_interest_check"     // 0–11: not against the child's interest (BW 7:465(4))
)

// NoUpperBound is the MaxAge of the oldest band.
const NoUpperBound = -1

// Rules is a table of age bands: who may act for a data subject of a given
// age and what they must show. Build one with [DefaultNL] or [ParseRules];
// both return a table that passes [Rules.Validate].
type Rules struct {
	Name  string `json:"name"`
	Bands []Band `json:"bands"` // from the youngest up
}

// Band is an age range, in completed years at receipt (see [AgeOn]), with
// the requirements per relation. The table holds every relation except
// [casework.Self]: see [Needs] for why a data subject's own request needs
// only their identity.
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
type Requirement struct {
	Key      string            `json:"key"`
	Label    map[string]string `json:"label"`
	Waivable bool              `json:"waivable"`
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

// ExampleBE returns an example Belgian table (bands 0–11, 12–17, 18+; wet
// patiëntenrechten art. 12 and 14). It is a starting point that a practice
// must check and adapt, never a default; its labels say so.
func ExampleBE() Rules { return mustParse("rules_be.json", rulesBE) }

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
// requirements for each of parent, guardian and representative (no other
// relation); each list holds requester_identity, and each requirement has a
// key (lower case, digits, underscores; not one that [Needs] reserves), no
// duplicate in its list, and an "nl" and an "en" label.
func (r Rules) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if strings.TrimSpace(r.Name) == "" {
		bad("the table has no name")
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

func validateRelations(b Band, name string, bad func(string, ...any)) {
	for rel := range b.ByRelation {
		switch {
		case rel == casework.Self:
			bad("%s: relation self cannot be configured: a data subject's own request needs only their identity", name)
		case !rel.Valid():
			bad("%s: unknown relation %q (want parent, guardian or representative)", name, rel)
		}
	}
	for _, rel := range casework.Relations {
		if rel == casework.Self {
			continue
		}
		list, where := b.ByRelation[rel], fmt.Sprintf("%s, %s", name, rel)
		if len(list) == 0 {
			bad("%s: no requirements", where)
			continue
		}
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
			missingLabels(req.Label, fmt.Sprintf("%s, requirement %q", where, req.Key), bad)
		}
		if !seen[KeyRequesterIdentity] {
			bad("%s: %s is missing: a representative always shows their own identity", where, KeyRequesterIdentity)
		}
	}
}

func missingLabels(labels map[string]string, where string, bad func(string, ...any)) {
	for _, l := range []casework.Language{casework.Dutch, casework.English} {
		if strings.TrimSpace(labels[string(l)]) == "" {
			bad("%s: no %q label", where, l)
		}
	}
}
