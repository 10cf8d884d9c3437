package representation

import (
	"slices"
	"strings"
	"time"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
)

// Keys that [Needs] adds itself when it cannot tell what applies. They are
// reserved: a table may not use them, and no [Status] meets them — only
// recording the missing fact does, after which Needs returns the band's own
// list.
const (
	KeySubjectBirthDate  = "subject_birth_date" // the child's birth date is unknown, invalid or after receipt
	KeyRequesterRelation = "requester_relation" // the relation is unknown, or the table has no rule for it
)

func reserved(key string) bool { return key == KeySubjectBirthDate || key == KeyRequesterRelation }

// Needs returns the band the data subject is in on the day the request was
// received, and what the case needs before it may be granted. The slice is
// the caller's own. The band is the zero Band when birth is unknown.
//
// A data subject's own request (relation self) needs requester_identity only,
// whatever the age. The rights are the data subject's own (the AVG sets no
// age for art. 15–22); from 12 a child exercises the rights to their own file
// themselves (BW 7:465(1)–(2) with 7:456); and a younger child asking for
// their own file is still the data subject: demanding a parent's consent or
// proof of authority would let parents block a child's access, which the law
// does not ask for. Whether a young child's request is understood and how it
// is answered is the counsellor's judgement, recorded in the decision, and
// the ordinary refusal grounds (casework.Grounds) still apply.
//
// For parent, guardian and representative the band's list applies. If the
// relation is unknown, the list is requester_identity plus
// requester_relation; else if the birth date is zero, invalid or after
// receipt, requester_identity plus subject_birth_date; else if the table has
// no rule for the relation, requester_identity plus requester_relation.
// Either way the case cannot be granted until the fact is recorded.
func Needs(r Rules, relation casework.Relation, birth deadline.Date, received deadline.Date) (Band, []Requirement) {
	var band Band
	known := false
	if birth.Valid() && received.Valid() {
		if age := AgeOn(birth, received); age >= 0 {
			band, known = r.BandFor(age)
		}
	}
	id := identityRequirement(r, band)
	switch {
	case relation == casework.Self:
		return band, []Requirement{id}
	case !relation.Valid():
		return band, []Requirement{id, unknownRelation()}
	case !known:
		return band, []Requirement{id, unknownBirthDate()}
	case len(band.ByRelation[relation]) == 0:
		return band, []Requirement{id, unknownRelation()}
	}
	return band, slices.Clone(band.ByRelation[relation])
}

// identityRequirement returns the table's requester_identity, preferring
// band's, so that a practice's wording is what the officer sees.
func identityRequirement(r Rules, band Band) Requirement {
	for _, b := range append([]Band{band}, r.Bands...) {
		for _, rel := range casework.Relations {
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

// Check returns the requirements of reqs that statuses do not meet, in the
// order of reqs (nil if all are met). statuses are in the order they were
// recorded; the last one for a key is the one in force, so a later status
// that is neither satisfied nor waived withdraws an earlier one.
func Check(reqs []Requirement, statuses []Status) (missing []Requirement) {
	last := make(map[string]Status, len(statuses))
	for _, s := range statuses {
		last[s.Key] = s
	}
	for _, req := range reqs {
		if s, ok := last[req.Key]; !ok || !s.Meets(req) {
			missing = append(missing, req)
		}
	}
	return missing
}

// CanGrant reports whether a case whose unmet requirements are missing (as
// returned by [Check]) may be granted: only when nothing is missing.
func CanGrant(missing []Requirement) bool { return len(missing) == 0 }
