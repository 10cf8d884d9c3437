package representation

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Method is a way to verify a requester's identity, with a plain explanation
// ("nl", "en") of when it is proportionate. Ask for no more than needed
// (EDPB 01/2022 §65–79); a copy of an ID document only when really necessary
// (the AP fined a company in 2022 for routinely demanding ID copies).
type Method struct {
	Key            string
	Label          map[string]string
	Explain        map[string]string
	RequiresUpload bool     // a file is uploaded (and destroyed once the check is recorded)
	Checks         []string // what the officer ticks as checked; see CheckLabel
}

// The identity verification methods, from the lightest to the heaviest.
const (
	MethodEmailOnFile         = "email_on_file"
	MethodCounsellorConfirmed = "counsellor_confirmed"
	MethodInPerson            = "in_person"
	MethodIDShown             = "id_shown"
	MethodIDCopy              = "id_copy"
)

// The checks an officer ticks when an ID document is shown.
const (
	CheckName     = "name"
	CheckPhoto    = "photo"
	CheckValidity = "validity"
)

// Methods returns the verification methods, from the lightest to the
// heaviest, the order the form offers them in. Each call returns a fresh
// slice.
func Methods() []Method {
	return []Method{{
		Key:   MethodEmailOnFile,
		Label: map[string]string{"nl": "E-mailadres dat al bekend is", "en": "E-mail address already on file"},
		Explain: map[string]string{
			"nl": "Het verzoek komt van het e-mailadres dat de praktijk al van deze persoon heeft. Voor een bekende cliënt die om zijn eigen gegevens vraagt is dat meestal genoeg: vraag dan niets meer.",
			"en": "The request comes from the e-mail address the practice already holds for this person. For a known client asking for their own data that is usually enough: ask for nothing more.",
		},
	}, {
		Key:   MethodCounsellorConfirmed,
		Label: map[string]string{"nl": "Bevestigd door de eigen hulpverlener", "en": "Confirmed by their own counsellor"},
		Explain: map[string]string{
			"nl": "Een bekende cliënt, herkend door de eigen hulpverlener, bijvoorbeeld in een gesprek of aan de telefoon op het bekende nummer. Passend bij een lopende of recente hulprelatie.",
			"en": "A known client, recognised by their own counsellor, for example in a session or on the phone at the number on file. Proportionate during or shortly after a care relationship.",
		},
	}, {
		Key:   MethodInPerson,
		Label: map[string]string{"nl": "Persoonlijk of via videobellen", "en": "In person or by video call"},
		Explain: map[string]string{
			"nl": "De persoon is aan de balie of in een videogesprek herkend, of heeft vragen beantwoord die alleen hij kan weten. Voor wanneer e-mail of de hulpverlener niet volstaat; er wordt geen document gekopieerd.",
			"en": "The person was recognised at the desk or in a video call, or answered questions only they can know. For when the e-mail address or the counsellor does not suffice; no document is copied.",
		},
	}, {
		Key:   MethodIDShown,
		Label: map[string]string{"nl": "Identiteitsbewijs getoond", "en": "ID document shown"},
		Explain: map[string]string{
			"nl": "De persoon toont een identiteitsbewijs, aan de balie of in beeld. Vink aan wat u heeft gecontroleerd: naam, foto, geldigheid. Maak en bewaar geen kopie. Alleen als lichtere methoden niet volstaan, bijvoorbeeld bij een onbekende aanvrager.",
			"en": "The person shows an ID document, at the desk or on camera. Tick what you checked: name, photo, validity. Make and keep no copy. Only when lighter methods do not suffice, for example for a requester the practice does not know.",
		},
		Checks: []string{CheckName, CheckPhoto, CheckValidity},
	}, {
		Key:   MethodIDCopy,
		Label: map[string]string{"nl": "Afgeschermde kopie van een identiteitsbewijs", "en": "Masked copy of an ID document"},
		Explain: map[string]string{
			"nl": "Alleen als het echt nodig is en niets lichters volstaat; de Nederlandse toezichthouder (AP) beboette in 2022 het standaard vragen om ID-kopieën. Vraag de persoon het BSN en de pasfoto af te schermen (bijvoorbeeld met de app KopieID). Controleer de kopie, leg alleen vast dat, hoe, door wie en wanneer de identiteit is gecontroleerd, en vernietig de kopie direct.",
			"en": "Only when really necessary and nothing lighter suffices; the Dutch supervisory authority (AP) fined routine demands for ID copies in 2022. Ask the person to mask the BSN and the photo (for example with the KopieID app). Check the copy, record only that, how, by whom and when the identity was checked, and destroy the copy at once.",
		},
		RequiresUpload: true,
	}}
}

// MethodByKey returns the method with key, and false if there is none.
func MethodByKey(key string) (Method, bool) {
	ms := Methods()
	i := slices.IndexFunc(ms, func(m Method) bool { return m.Key == key })
	if i < 0 {
		return Method{}, false
	}
	return ms[i], true
}

// CheckLabel returns the labels ("nl", "en") of an ID check, nil for an
// unknown one.
func CheckLabel(check string) map[string]string {
	switch check {
	case CheckName:
		return map[string]string{"nl": "Naam komt overeen", "en": "Name matches"}
	case CheckPhoto:
		return map[string]string{"nl": "Foto lijkt op de persoon", "en": "Photo matches the person"}
	case CheckValidity:
		return map[string]string{"nl": "Document is geldig", "en": "Document is valid"}
	}
	return nil
}

// Outcome is the result of a verification.
type Outcome string

// The outcomes of a verification.
const (
	Verified Outcome = "verified"
	Failed   Outcome = "failed"
)

// Verification is the record of one identity check: the method, by whom,
// when, what was checked and the outcome. It never holds the document
// (DOMAIN.md §3).
type Verification struct {
	Method  string
	Outcome Outcome
	Reason  string // why it failed; required when Outcome is Failed
	By      string // staff e-mail
	At      time.Time
	Note    string
	Checks  []string // for id_shown: what the officer checked
}

// Field names in the problems [Verification.Validate] returns.
const (
	FieldMethod  = "method"
	FieldOutcome = "outcome"
	FieldReason  = "reason"
	FieldBy      = "by"
	FieldAt      = "at"
	FieldNote    = "note"
	FieldChecks  = "checks"
)

// MaxNote is the longest Note or Reason, in characters.
const MaxNote = 500

// Validate returns the problems of v as field → message ID (the IDs of the
// UI's catalogue, as casework.Problems), empty when v may be recorded: a
// known method and outcome; who and when; a note and reason of at most
// MaxNote characters; a reason when the verification failed; for id_shown at
// least one check ticked, and checks only of the method's own.
func (v Verification) Validate() map[string]string {
	p := map[string]string{}
	m, ok := MethodByKey(v.Method)
	if !ok {
		p[FieldMethod] = "field.choose"
	}
	if v.Outcome != Verified && v.Outcome != Failed {
		p[FieldOutcome] = "field.choose"
	}
	if strings.TrimSpace(v.By) == "" {
		p[FieldBy] = "field.required"
	}
	if v.At.IsZero() {
		p[FieldAt] = "field.required"
	}
	if msg := textProblem(v.Note, false); msg != "" {
		p[FieldNote] = msg
	}
	if msg := textProblem(v.Reason, v.Outcome == Failed); msg != "" {
		p[FieldReason] = msg
	}
	switch {
	case ok && len(m.Checks) > 0 && len(v.Checks) == 0:
		p[FieldChecks] = "field.choose_one"
	case ok && slices.ContainsFunc(v.Checks, func(c string) bool { return !slices.Contains(m.Checks, c) }):
		p[FieldChecks] = "field.choose"
	}
	return p
}

func textProblem(s string, required bool) string {
	switch {
	case required && strings.TrimSpace(s) == "":
		return "field.required"
	case utf8.RuneCountInString(s) > MaxNote:
		return "field.too_long"
	case !utf8.ValidString(s) || strings.ContainsRune(s, 0):
		return "field.invalid"
	}
	return ""
}
