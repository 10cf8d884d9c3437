package breach

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// The choices for informing the people affected (art. 34).
const (
	InformYes          = "yes"           // each person is told
	InformNo           = "no"            // nobody is told
	InformPublicNotice = "public_notice" // a public notice instead (art. 34(3)(c))
)

// InformChoices lists the choices in the order the form shows them.
var InformChoices = []string{InformYes, InformPublicNotice, InformNo}

// MaxReason is the longest reason a decision may hold, in characters.
const MaxReason = 5000

// Decision is the officer's decision on a breach. The method only advises
// (Advice); the officer decides and must say why when not following it.
type Decision struct {
	NotifyAP     bool
	InformPeople string // InformYes, InformNo or InformPublicNotice
	Reason       string
	DecidedAt    time.Time
	DecidedBy    string // the officer's name, as the register shows it
}

// Informs reports whether d tells the people, one by one or by notice.
func (d Decision) Informs() bool {
	return d.InformPeople == InformYes || d.InformPeople == InformPublicNotice
}

// Differs reports whether d departs from advice: notifying the AP when not
// advised or not notifying when advised, informing the people when not
// advised or not informing them when advised, or a public notice, which
// replaces individual messages only when those would take disproportionate
// effort (art. 34(3)(c)) and so always needs an explanation.
func (d Decision) Differs(advice Advice) bool {
	return d.NotifyAP != advice.NotifyAP ||
		d.Informs() != advice.InformPeople ||
		d.InformPeople == InformPublicNotice
}

// Validate returns the problems of d against the advice it answers, keyed by
// field (inform_people, reason): InformPeople must be one of InformChoices,
// and a reason is required whenever d Differs from advice.
func (d Decision) Validate(advice Advice) map[string]string {
	p := map[string]string{}
	if !slices.Contains(InformChoices, d.InformPeople) {
		p["inform_people"] = "field.choose"
	}
	reason := strings.TrimSpace(d.Reason)
	switch {
	case reason == "" && d.Differs(advice):
		p["reason"] = "breach.reason_required"
	case utf8.RuneCountInString(reason) > MaxReason:
		p["reason"] = "field.too_long"
	case !utf8.ValidString(reason) || strings.ContainsRune(reason, 0):
		p["reason"] = "field.invalid"
	}
	return p
}
