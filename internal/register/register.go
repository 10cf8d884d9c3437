// Package register is the practice's register of processing activities
// (AVG art. 30(1)): per activity its purpose, legal basis, the people and
// data it concerns, who receives the data (inside or outside the EU/EEA),
// how long the data are kept and on what ground, where they come from and
// how they are protected. The access answer (art. 15(1)(a)–(h)), the erasure
// items and the art. 19 notices derive from it. The package is pure: it
// holds the types, their rules (Validate) and the template register a new
// practice starts from (Template); internal/store keeps the register.
package register

import (
	"regexp"
	"slices"
	"strings"
)

// LegalBasis is the ground of AVG art. 6(1) an activity rests on.
type LegalBasis string

// The legal bases of art. 6(1)(a)–(f), as API.md names them.
const (
	Consent             LegalBasis = "consent"              // (a)
	Contract            LegalBasis = "contract"             // (b)
	LegalObligation     LegalBasis = "legal_obligation"     // (c)
	VitalInterests      LegalBasis = "vital_interests"      // (d)
	PublicTask          LegalBasis = "public_task"          // (e)
	LegitimateInterests LegalBasis = "legitimate_interests" // (f)
)

// LegalBases lists every legal basis in the order of art. 6(1).
var LegalBases = []LegalBasis{Consent, Contract, LegalObligation, VitalInterests, PublicTask, LegitimateInterests}

// Valid reports whether b is one of LegalBases.
func (b LegalBasis) Valid() bool { return slices.Contains(LegalBases, b) }

// Article returns the provision b stands for, as a register cites it:
// "art. 6(1)(a) AVG"; "" for an unknown basis.
func (b LegalBasis) Article() string {
	i := slices.Index(LegalBases, b)
	if i < 0 {
		return ""
	}
	return "art. 6(1)(" + string(rune('a'+i)) + ") AVG"
}

// Portable reports whether the right to data portability (art. 20(1)(a))
// can apply to an activity on this basis: consent or contract only.
func (b LegalBasis) Portable() bool { return b == Consent || b == Contract }

// Objectable reports whether the right to object (art. 21(1)) applies to an
// activity on this basis: public task or legitimate interests. Direct
// marketing can always be objected to (art. 21(2)), whatever its basis.
func (b LegalBasis) Objectable() bool { return b == PublicTask || b == LegitimateInterests }

// RecipientKind is what a recipient is to the practice.
type RecipientKind string

// The kinds of recipient.
const (
	Processor  RecipientKind = "processor"  // processes on the practice's behalf (art. 28): a processing agreement is due
	Controller RecipientKind = "controller" // decides for itself what it does with the data (a municipality, a GP)
	Authority  RecipientKind = "authority"  // a public body the law lets ask for data (tax office, supervisory authority)
)

// RecipientKinds lists every kind in the order forms show them.
var RecipientKinds = []RecipientKind{Processor, Controller, Authority}

// Valid reports whether k is one of RecipientKinds.
func (k RecipientKind) Valid() bool { return slices.Contains(RecipientKinds, k) }

// Recipient is someone the data of an activity go to (art. 30(1)(d)).
// The JSON keys are API.md's.
type Recipient struct {
	Name string        `json:"name"`
	Kind RecipientKind `json:"kind"`
	// Country is the ISO 3166-1 alpha-2 code of the country where the
	// recipient processes the data, in upper case.
	Country string `json:"country"`
	// Email is where art. 19 notices (rectification, erasure, restriction)
	// go; may be empty, then they are printed.
	Email string `json:"email"`
	// Agreement: a processing agreement (art. 28(3)) or, for a
	// controller, a data-sharing agreement is in place.
	Agreement bool `json:"agreement"`
	// Safeguards are the grounds of a transfer outside the EU/EEA (art.
	// 30(1)(e), 44–49): an adequacy decision, standard contractual clauses,
	// … Required when the country is outside the EU/EEA.
	Safeguards string `json:"safeguards,omitempty"`
}

// InsideEEA reports whether the recipient processes the data inside the
// EU/EEA, where no transfer safeguards are needed.
func (r Recipient) InsideEEA() bool { return InEEA(r.Country) }

// Retention is how long the data of an activity are kept (art. 30(1)(f)).
type Retention struct {
	Months int `json:"months"`
	// From is the moment the period starts, in words: "het einde van de
	// behandeling".
	From string `json:"from"`
	// Ground is the statute or reason for the period: "Jeugdwet art. 7.3.8".
	Ground string `json:"ground"`
}

// Activity is one processing activity of the register. The JSON keys are
// API.md's (and the stored form's).
type Activity struct {
	// Key names the activity for good: cases and consents refer to it.
	// Lower-case letters, digits and hyphens (ValidKey).
	Key        string     `json:"key"`
	Name       string     `json:"name"`
	Purpose    string     `json:"purpose"`
	LegalBasis LegalBasis `json:"legal_basis"`
	// SpecialCategories: the activity processes special categories of
	// data (art. 9: health, …).
	SpecialCategories bool `json:"special_categories"`
	// DirectMarketing: an objection always stops it (art. 21(3)).
	DirectMarketing bool `json:"direct_marketing"`
	// AutomatedDecisions: decisions solely by automated means, including
	// profiling (art. 22, 15(1)(h)).
	AutomatedDecisions bool        `json:"automated_decisions"`
	DataSubjects       []string    `json:"data_subjects"`
	DataCategories     []string    `json:"data_categories"`
	Recipients         []Recipient `json:"recipients"`
	Retention          Retention   `json:"retention"`
	// Source is where the data come from when not from the person
	// themselves (art. 14(2)(f), 15(1)(g)).
	Source string `json:"source"`
	// Security is a general description of the technical and
	// organisational measures (art. 30(1)(g), 32(1)).
	Security string `json:"security"`
}

// OutsideEEA returns the recipients that process the data outside the
// EU/EEA: the transfers of art. 30(1)(e).
func (a Activity) OutsideEEA() []Recipient {
	var out []Recipient
	for _, r := range a.Recipients {
		if !r.InsideEEA() {
			out = append(out, r)
		}
	}
	return out
}

var keyPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// MaxKey is the longest key ValidKey accepts.
const MaxKey = 60

// ValidKey reports whether k can name an activity: lower-case letters,
// digits and single hyphens between them (client-file, art-30), at most
// MaxKey characters.
func ValidKey(k string) bool { return len(k) <= MaxKey && keyPattern.MatchString(k) }

// Receiving is a recipient with the activities whose data it receives.
type Receiving struct {
	Recipient Recipient
	// Activities are the keys of the activities, in the register's order.
	Activities []string
}

// RecipientsOf returns every recipient, of any kind, of the activities of
// all whose keys are in keys, and no one else: one entry per recipient,
// named the same under several of those activities (ignoring case and
// surrounding spaces) or not, in the order they first appear in the
// register. Each entry has the first e-mail address the register gives the
// recipient under those activities. An art. 19 notice goes to each.
func RecipientsOf(all []Activity, keys []string) []Receiving {
	var out []Receiving
	index := map[string]int{}
	for _, a := range all {
		if !slices.Contains(keys, a.Key) {
			continue
		}
		for _, r := range a.Recipients {
			id := strings.ToLower(strings.TrimSpace(r.Name))
			i, seen := index[id]
			if !seen {
				i, index[id] = len(out), len(out)
				r.Name, r.Email = strings.TrimSpace(r.Name), strings.TrimSpace(r.Email)
				out = append(out, Receiving{Recipient: r})
			}
			if out[i].Recipient.Email == "" {
				out[i].Recipient.Email = strings.TrimSpace(r.Email)
			}
			if !slices.Contains(out[i].Activities, a.Key) {
				out[i].Activities = append(out[i].Activities, a.Key)
			}
		}
	}
	return out
}
