package representation

import (
	"slices"
	"strings"
	"time"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
)

// Keys that [Needs] adds itself. They are reserved: a table may not use
// them, and no [Status] meets them. The first two stand for a missing fact —
// recording it makes Needs return the band's own list; the third marks a
// request that a parent without parental authority cannot make.
const (
	KeySubjectBirthDate    = "subject_birth_date"    // the child's birth date is unknown, invalid or after receipt
	KeyRequesterRelation   = "requester_relation"    // the relation is unknown, or the table has no rule for it
	KeyNoParentalAuthority = "no_parental_authority" // the requester is a parent without authority (BW 1:377c)
)

func reserved(key string) bool {
	return key == KeySubjectBirthDate || key == KeyRequesterRelation || key == KeyNoParentalAuthority
}

// Reserved reports whether key is one that [Needs] adds itself and that no
// officer can record as met.
func Reserved(key string) bool { return reserved(key) }

// Facts are what decides a case's requirements: the right exercised, who
// asks, and the data subject's age on the day of receipt.
type Facts struct {
	Type      casework.RequestType
	Relation  casework.Relation
	BirthDate deadline.Date // zero when unknown
	Received  deadline.Date
}

// Needs returns the band the data subject is in on the day the request was
// received, and what the case needs before it may be granted. The slice is
// the caller's own. The band is the zero Band when the birth date is unknown.
// A requirement whose ExceptTypes hold the request type is left out, and so
// is one that applies only if such a requirement is waived.
//
// A data subject's own request (relation self) needs the band's self list
// when the table has one — in the Dutch table a child under 12, who cannot
// exercise the rights alone (BW 7:465(1)): a parent with authority or the
// guardian must act — and otherwise requester_identity only, as it does when
// the birth date is unknown (an adult's request).
//
// For parent, guardian and representative the band's list applies. If the
// relation is unknown, the list is requester_identity plus
// requester_relation; else if the birth date is zero, invalid or after
// receipt, requester_identity plus subject_birth_date; else if the table has
// no rule for the relation, requester_identity plus requester_relation.
// Either way the case cannot be granted until the fact is recorded.
//
// A parent without parental authority exercises none of the child's rights
// that need authority (BW 1:377c leaves them a right to information only):
// where the band's parent list needs parental_authority outright, or has no
// such requirement, the list is requester_identity plus
// no_parental_authority, which nothing meets; where it needs that authority
// only if another requirement is waived (a 16-year-old's written consent),
// the parent list applies with no_parental_authority in its place.
func Needs(r Rules, f Facts) (Band, []Requirement) {
	var band Band
	known := false
	if f.BirthDate.Valid() && f.Received.Valid() {
		if age := AgeOn(f.BirthDate, f.Received); age >= 0 {
			band, known = r.BandFor(age)
		}
	}
	id := identityRequirement(r, band)
	switch {
	case f.Relation == casework.Self:
		if list := band.ByRelation[casework.Self]; known && len(list) > 0 {
			return band, forType(list, f.Type)
		}
		return band, []Requirement{id}
	case !f.Relation.Valid():
		return band, []Requirement{id, unknownRelation()}
	case !known:
		return band, []Requirement{id, unknownBirthDate()}
	case f.Relation == casework.ParentWithoutAuthority:
		return band, withoutAuthority(r, id, forType(band.ByRelation[casework.Parent], f.Type))
	case len(band.ByRelation[f.Relation]) == 0:
		return band, []Requirement{id, unknownRelation()}
	}
	return band, forType(band.ByRelation[f.Relation], f.Type)
}

// forType returns a copy of list without the requirements that do not apply
// to type t, directly or through the requirement they depend on.
func forType(list []Requirement, t casework.RequestType) []Requirement {
	out := make([]Requirement, 0, len(list))
	for _, req := range list {
		if !req.AppliesTo(t) {
			continue
		}
		if req.IfWaived != "" && !slices.ContainsFunc(list, func(o Requirement) bool { return o.Key == req.IfWaived && o.AppliesTo(t) }) {
			continue
		}
		out = append(out, req)
	}
	return out
}

// withoutAuthority turns a parent's list into that of a parent without
// authority (see [Needs]).
func withoutAuthority(r Rules, id Requirement, parent []Requirement) []Requirement {
	block := Requirement{Key: KeyNoParentalAuthority, Label: r.WithoutAuthority}
	if len(block.Label) == 0 { // a table stored before it could say so
		block.Label = DefaultNL().WithoutAuthority
	}
	i := slices.IndexFunc(parent, func(req Requirement) bool { return req.Key == KeyParentalAuthority })
	if i < 0 || parent[i].IfWaived == "" {
		return []Requirement{id, block}
	}
	block.IfWaived = parent[i].IfWaived
	out := slices.Clone(parent)
	out[i] = block
	return out
}

// identityRequirement returns the table's requester_identity, preferring
// band's, so that a practice's wording is what the officer sees.
func identityRequirement(r Rules, band Band) Requirement {
	for _, b := range append([]Band{band}, r.Bands...) {
		for _, rel := range required {
			for _, req := range b.ByRelation[rel] {
				if req.Key == KeyRequesterIdentity {
					return req
				}
			}
		}
	}
	return Requirement{Key: KeyRequesterIdentity, Label: map[string]string{
		"nl": "De identiteit van de aanvrager is vastgesteld, met de lichtste methode die volstaat.",
		"en": "The requester's identity is established, by the lightest method that suffices.",
	}}
}

func unknownBirthDate() Requirement {
	return Requirement{Key: KeySubjectBirthDate, Label: map[string]string{
		"nl": "Leg de juiste geboortedatum van het kind vast: daarvan hangt af wie het verzoek mag doen en wat er nodig is.",
		"en": "Record the child's correct date of birth: who may make the request, and what is needed, depend on it.",
	}}
}

func unknownRelation() Requirement {
	return Requirement{Key: KeyRequesterRelation, Label: map[string]string{
		"nl": "Leg vast als wat de aanvrager optreedt (ouder, voogd of gemachtigde); de regeltabel van de praktijk kent deze combinatie niet.",
		"en": "Record in what capacity the requester acts (parent, guardian or representative); the practice's rule table has no rule for this.",
	}}
}

// Status is what an officer recorded about one requirement of a case: met
// (Satisfied), or Waived with a Reason, by whom and when.
type Status struct {
	Key       string
	Satisfied bool
	Waived    bool
	Reason    string
	By        string // staff e-mail
	At        time.Time
}

// Meets reports whether s meets req: s is about req's key and either
// Satisfied, or Waived with a reason that is not blank while req is
// Waivable. A waiver of a requirement that is not waivable meets nothing, and
// no status meets a key that [Needs] reserves.
func (s Status) Meets(req Requirement) bool {
	if s.Key != req.Key || reserved(req.Key) {
		return false
	}
	return s.Satisfied || (s.Waived && req.Waivable && strings.TrimSpace(s.Reason) != "")
}

// Assessed is one requirement with what the statuses on record make of it.
type Assessed struct {
	Requirement
	// Applies is false for a requirement that applies only if another is
	// waived, while that one is not.
	Applies bool
	// Met: the status in force meets it (see [Status.Meets]).
	Met bool
}

// Blocks reports whether a stops the case from being granted: it applies
// and is not met.
func (a Assessed) Blocks() bool { return a.Applies && !a.Met }

// Assess returns each requirement of reqs, in order, with whether it applies
// and is met. statuses are in the order they were recorded; the last one for
// a key is the one in force, so a later status that is neither satisfied nor
// waived withdraws an earlier one.
func Assess(reqs []Requirement, statuses []Status) []Assessed {
	last := make(map[string]Status, len(statuses))
	for _, s := range statuses {
		last[s.Key] = s
	}
	meets := func(req Requirement) bool {
		s, ok := last[req.Key]
		return ok && s.Meets(req)
	}
	out := make([]Assessed, len(reqs))
	for i, req := range reqs {
		out[i] = Assessed{Requirement: req, Applies: true, Met: meets(req)}
		if req.IfWaived == "" {
			continue
		}
		j := slices.IndexFunc(reqs, func(o Requirement) bool { return o.Key == req.IfWaived })
		out[i].Applies = j >= 0 && last[req.IfWaived].Waived && meets(reqs[j])
	}
	return out
}

// Check returns the requirements of reqs that block a grant (see [Assess]),
// in the order of reqs (nil if none do).
func Check(reqs []Requirement, statuses []Status) (missing []Requirement) {
	for _, a := range Assess(reqs, statuses) {
		if a.Blocks() {
			missing = append(missing, a.Requirement)
		}
	}
	return missing
}

// CanGrant reports whether a case whose unmet requirements are missing (as
// returned by [Check]) may be granted: only when nothing is missing.
func CanGrant(missing []Requirement) bool { return len(missing) == 0 }
