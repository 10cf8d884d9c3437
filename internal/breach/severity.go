package breach

import "slices"

// Assessment is a severity assessment by the ENISA method ("Recommendations
// for a methodology of the assessment of severity of personal data
// breaches", ENISA 2013): SE = DPC × EI + CB. The JSON keys are those of the
// API's assessment body (API.md).
type Assessment struct {
	// DPC is the final data processing context score, 1–4, after the
	// adjustments of AdjustDPC.
	DPC int `json:"dpc"`
	// EI is the ease of identification: 0.25, 0.5, 0.75 or 1.
	EI              float64 `json:"ei"`
	Confidentiality string  `json:"confidentiality"` // none, known_recipients, unknown_recipients
	Integrity       string  `json:"integrity"`       // none, recoverable, unrecoverable
	Availability    string  `json:"availability"`    // none, temporary, permanent
	Malicious       bool    `json:"malicious"`
}

// The values of the circumstances (CB) of an assessment.
const (
	None = "none"

	KnownRecipients   = "known_recipients"
	UnknownRecipients = "unknown_recipients"

	Recoverable   = "recoverable"
	Unrecoverable = "unrecoverable"

	Temporary = "temporary"
	Permanent = "permanent"
)

// The choices for each circumstance, in the order the form shows them.
var (
	ConfidentialityValues = []string{None, KnownRecipients, UnknownRecipients}
	IntegrityValues       = []string{None, Recoverable, Unrecoverable}
	AvailabilityValues    = []string{None, Temporary, Permanent}
)

// Validate returns the problems of a, keyed by the API's JSON keys (dpc, ei,
// confidentiality, integrity, availability); empty when a is complete.
func (a Assessment) Validate() map[string]string {
	p := map[string]string{}
	if a.DPC < 1 || a.DPC > 4 {
		p["dpc"] = "field.choose"
	}
	if eiQuarters(a.EI) == 0 {
		p["ei"] = "field.choose"
	}
	if !slices.Contains(ConfidentialityValues, a.Confidentiality) {
		p["confidentiality"] = "field.choose"
	}
	if !slices.Contains(IntegrityValues, a.Integrity) {
		p["integrity"] = "field.choose"
	}
	if !slices.Contains(AvailabilityValues, a.Availability) {
		p["availability"] = "field.choose"
	}
	return p
}

// eiQuarters returns EI in quarters (1–4), or 0 if EI is not one of the four
// values. The four values are exact in binary floating point, so comparing
// them with == is sound.
func eiQuarters(ei float64) int {
	switch ei {
	case 0.25:
		return 1
	case 0.5:
		return 2
	case 0.75:
		return 3
	case 1:
		return 4
	}
	return 0
}

// quarters returns the CB value of one circumstance in quarters: the first
// value after "none" adds 0.25, the second 0.5.
func quarters(values []string, v string) int {
	return max(slices.Index(values, v), 0)
}

// Quarters returns the score SE in quarters. Every term of the ENISA formula
// is a multiple of 0.25 (DPC is whole, EI and CB are quarters), so the score
// is computed in whole quarters and the band edges are exact.
func (a Assessment) Quarters() int {
	q := a.DPC * eiQuarters(a.EI)
	q += quarters(ConfidentialityValues, a.Confidentiality)
	q += quarters(IntegrityValues, a.Integrity)
	q += quarters(AvailabilityValues, a.Availability)
	if a.Malicious {
		q += 2
	}
	return q
}

// Score returns SE = DPC × EI + CB, where CB adds 0.25 or 0.5 per
// circumstance (known or unknown recipients; recoverable or unrecoverable
// integrity loss; temporary or permanent unavailability) and 0.5 for
// malicious intent. The score of an assessment that does not Validate is
// meaningless (unknown values count as none).
func (a Assessment) Score() float64 { return float64(a.Quarters()) / 4 }

// The severity bands of the ENISA method.
const (
	BandLow      = "low"
	BandMedium   = "medium"
	BandHigh     = "high"
	BandVeryHigh = "very_high"
)

// Bands lists the bands from low to very high.
var Bands = []string{BandLow, BandMedium, BandHigh, BandVeryHigh}

// Band returns the band of a score: low below 2, medium from 2 to below 3,
// high from 3 to below 4, very high from 4.
func Band(score float64) string {
	switch {
	case score >= 4:
		return BandVeryHigh
	case score >= 3:
		return BandHigh
	case score >= 2:
		return BandMedium
	}
	return BandLow
}

// Advice is what the method advises the officer, who decides (Decision).
type Advice struct {
	NotifyAP     bool `json:"notify_ap"`
	InformPeople bool `json:"inform_people"`
}

// AdviceFor returns the advice for a band.
//
// Choice (DOMAIN.md §7): medium or above advises notifying the AP (art. 33:
// unless the breach is unlikely to result in a risk); high or above advises
// informing the people (art. 34: a high risk). The officer may decide
// otherwise with a reason.
func AdviceFor(band string) Advice {
	i := slices.Index(Bands, band)
	return Advice{NotifyAP: i >= 1, InformPeople: i >= 2}
}

// Severity is the outcome of an assessment as the API shows it.
type Severity struct {
	Score  float64 `json:"score"`
	Band   string  `json:"band"`
	Advice Advice  `json:"advice"`
}

// Severity returns a's score, band and advice.
func (a Assessment) Severity() Severity {
	s := a.Score()
	b := Band(s)
	return Severity{Score: s, Band: b, Advice: AdviceFor(b)}
}

// SeverityWords are the AP form's words for the severity of the
// consequences (chapter 9), from least to most severe.
var SeverityWords = []string{"verwaarloosbaar", "beperkt", "aanzienlijk", "zeer groot"}

// APSeverityWord returns the word the AP's form uses for the severity of the
// consequences (chapter 9) that matches a band, as a proposal the officer
// may change; "" for an unknown band.
func APSeverityWord(band string) string {
	switch band {
	case BandLow:
		return "verwaarloosbaar"
	case BandMedium:
		return "beperkt"
	case BandHigh:
		return "aanzienlijk"
	case BandVeryHigh:
		return "zeer groot"
	}
	return ""
}

// The base data processing contexts of the ENISA method, for the guided
// questions that lead to an assessment's DPC.
const (
	DPCSimple      = "simple"      // name, contact details, education, family life
	DPCBehavioural = "behavioural" // location, traffic, habits, preferences
	DPCFinancial   = "financial"   // income, transactions, bank and card details
	DPCSensitive   = "sensitive"   // health, youth care, art. 9 data
)

// DPCCategories lists the base contexts from least to most sensitive.
var DPCCategories = []string{DPCSimple, DPCBehavioural, DPCFinancial, DPCSensitive}

// BaseDPC returns the base score of a data processing context: simple 1,
// behavioural 2, financial 3, sensitive 4; 0 for an unknown context.
func BaseDPC(category string) int { return slices.Index(DPCCategories, category) + 1 }

// SuggestDPCCategory proposes the base context for a breach's data: the most
// sensitive of its categories.
//
// Choice (DOMAIN.md is silent): health, youth care and any special category
// are sensitive; financial data is financial; the BSN and copies of identity
// documents count as financial too, because the harm they enable (identity
// fraud) is of that order; contact details and anything else are simple. It
// is a proposal only; the officer picks the context.
func SuggestDPCCategory(dataCategories, special []string) string {
	if len(special) > 0 || slices.Contains(dataCategories, CategoryHealth) || slices.Contains(dataCategories, CategoryYouthCare) {
		return DPCSensitive
	}
	for _, c := range []string{CategoryFinancial, CategoryBSN, CategoryIdentityDocuments} {
		if slices.Contains(dataCategories, c) {
			return DPCFinancial
		}
	}
	return DPCSimple
}

// DPCAdjustments are the ENISA method's reasons to move the base score.
type DPCAdjustments struct {
	// ControllerNature: the nature of the practice reveals something about
	// the people, as a youth-care or therapy practice's client list
	// reveals that a family receives care: at least 2.
	ControllerNature bool `json:"controller_nature"`
	Vulnerable       bool `json:"vulnerable"`   // vulnerable people, such as minors: +1
	LargeVolume      bool `json:"large_volume"` // a large volume of data about each person: +1
	Public           bool `json:"public"`       // the data were already public: −1
	Outdated         bool `json:"outdated"`     // the data are outdated or inaccurate: −1
}

// AdjustDPC returns base moved by adj, kept within 1–4, and at least 2 when
// the nature of the controller reveals something about the people.
//
// ENISA (2013) raises simple data when the controller's nature reveals
// something about the person (DOMAIN.md §10): a name and address on the
// client list of a youth-care practice say that the family receives care.
// Choice: that is a floor of 2, not a further +1, so it never raises a
// score that other reasons already put at 2 or above.
//
// Choice (DOMAIN.md is silent on combining): the adjustments are summed first
// and the sum is then kept within 1–4, so the order does not matter and a
// raise and a lowering cancel out: youth-care data (4) of minors (+1) that
// were public (−1) stay at 4, rather than being capped at 4 first and then
// lowered to 3.
func AdjustDPC(base int, adj DPCAdjustments) int {
	d := base
	for _, a := range []struct {
		on    bool
		delta int
	}{{adj.Vulnerable, 1}, {adj.LargeVolume, 1}, {adj.Public, -1}, {adj.Outdated, -1}} {
		if a.on {
			d += a.delta
		}
	}
	d = min(max(d, 1), 4)
	if adj.ControllerNature {
		d = max(d, 2)
	}
	return d
}
