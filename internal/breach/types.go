// Package breach holds the rules of the breach register (AVG/GDPR art. 33 and
// 34): what the register keeps of every breach, the 72-hour clock, the ENISA
// severity assessment and the advice it gives, the officer's decision, the
// draft notification to the practice's supervisory authority (the Dutch AP
// or the Belgian GBA) and its follow-ups, the letter to the people affected, the upload of the people to
// inform, the register export and the year's summary. It imports no web
// framework and no database library: the rules are pure functions, and the
// Service (service.go) applies them to the register through a Store that
// internal/store implements.
package breach

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// FormatReference returns the register reference of the seq-th breach of
// year: DL-2026-001. Numbers above 999 simply grow a digit (DL-2026-1000).
func FormatReference(year, seq int) string { return fmt.Sprintf("DL-%04d-%03d", year, seq) }

// ParseReference returns the year and sequence number of a reference made by
// FormatReference; ok is false for anything else.
func ParseReference(ref string) (year, seq int, ok bool) {
	rest, found := strings.CutPrefix(ref, "DL-")
	y, n, found2 := strings.Cut(rest, "-")
	if !found || !found2 {
		return 0, 0, false
	}
	year, err1 := strconv.Atoi(y)
	seq, err2 := strconv.Atoi(n)
	if err1 != nil || err2 != nil || year <= 0 || seq <= 0 || FormatReference(year, seq) != ref {
		return 0, 0, false
	}
	return year, seq, true
}

// Kind is the security property a breach broke. A breach can break several.
type Kind string

// The kinds of breach (AP form, chapter 5).
const (
	Confidentiality Kind = "confidentiality" // seen or copied by someone who should not have
	Integrity       Kind = "integrity"       // changed without authority
	Availability    Kind = "availability"    // lost or destroyed, temporarily or for good
)

// Kinds lists every kind in the order the form shows them.
var Kinds = []Kind{Confidentiality, Integrity, Availability}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// IncidentType is what happened, in the AP form's broad terms.
type IncidentType string

// The incident types (AP form, chapter 5). OtherIncident needs a description
// in Breach.IncidentOther.
const (
	LostDevice         IncidentType = "lost_device"
	WrongRecipient     IncidentType = "wrong_recipient"
	Hacking            IncidentType = "hacking"
	Malware            IncidentType = "malware"
	Theft              IncidentType = "theft"
	PublishedByMistake IncidentType = "published_by_mistake"
	OtherIncident      IncidentType = "other"
)

// IncidentTypes lists every incident type in the order the form shows them.
var IncidentTypes = []IncidentType{LostDevice, WrongRecipient, Hacking, Malware, Theft, PublishedByMistake, OtherIncident}

// Valid reports whether t is one of IncidentTypes.
func (t IncidentType) Valid() bool { return slices.Contains(IncidentTypes, t) }

// The categories of personal data a breach can involve (AP form, chapter 6).
// "other" needs a description in Breach.DataOther.
const (
	CategoryContact           = "contact" // name, address, e-mail, phone
	CategoryBSN               = "bsn"     // burgerservicenummer
	CategoryHealth            = "health"
	CategoryYouthCare         = "youth_care"
	CategoryFinancial         = "financial"
	CategoryIdentityDocuments = "identity_documents"
	CategoryOther             = "other"
)

// DataCategories lists every data category in the order the form shows them.
var DataCategories = []string{CategoryContact, CategoryBSN, CategoryHealth, CategoryYouthCare,
	CategoryFinancial, CategoryIdentityDocuments, CategoryOther}

// SpecialCategories lists the special categories of AVG art. 9(1) and the
// criminal data of art. 10, in the order the form shows them.
//
// Choice: health data may be ticked in either list; the AP draft and the
// letter treat "health" among the data categories as the special category
// too, so nobody has to tick it twice.
var SpecialCategories = []string{"health", "ethnicity", "political", "religion", "trade_union",
	"genetic", "biometric", "sexual", "criminal"}

// The groups of people a breach can affect (AP form, chapter 7).
const (
	GroupChildren = "children"
	GroupParents  = "parents"
	GroupStaff    = "staff"
	GroupClients  = "clients"
	GroupOther    = "other"
)

// Groups lists every group of people in the order the form shows them.
var Groups = []string{GroupClients, GroupChildren, GroupParents, GroupStaff, GroupOther}

// Count is a number that may be known exactly or only as a range, like the
// number of records or people a breach touched. The zero Count is unknown.
type Count struct {
	Exact    *int
	Min, Max *int
}

// Exactly returns a Count of exactly n.
func Exactly(n int) Count { return Count{Exact: &n} }

// Between returns a Count of at least lo and at most hi.
func Between(lo, hi int) Count { return Count{Min: &lo, Max: &hi} }

// Known reports whether c holds an exact number or a range.
func (c Count) Known() bool { return c.Exact != nil || c.Min != nil || c.Max != nil }

// Validate returns the problems of c, keyed by field + ".exact", ".min" or
// ".max" (field is the JSON key of the count, e.g. "records"): an exact
// number and a range at once, a negative number, half a range, or a minimum
// above the maximum.
func (c Count) Validate(field string) map[string]string {
	p := map[string]string{}
	switch {
	case c.Exact != nil && (c.Min != nil || c.Max != nil):
		p[field+".exact"] = "breach.count_exact_or_range"
	case c.Exact != nil && *c.Exact < 0:
		p[field+".exact"] = "breach.count_negative"
	case c.Exact != nil:
	case c.Min == nil && c.Max != nil:
		p[field+".min"] = "field.required"
	case c.Min != nil && c.Max == nil:
		p[field+".max"] = "field.required"
	case c.Min != nil && *c.Min < 0:
		p[field+".min"] = "breach.count_negative"
	case c.Min != nil && *c.Max < *c.Min:
		p[field+".max"] = "breach.count_range"
	}
	return p
}

// Answer is the answer to a yes-or-no question of the register, which may
// not have been answered yet: what nobody entered is unknown, never "no"
// (DOMAIN.md §10).
type Answer string

// The answers to a yes-or-no question. The zero Answer is Unanswered.
const (
	Unanswered Answer = ""
	Yes        Answer = "yes"
	No         Answer = "no"
)

// AnswerOf returns Yes for true and No for false: an answer that was given.
func AnswerOf(yes bool) Answer {
	if yes {
		return Yes
	}
	return No
}

// Valid reports whether a is Yes, No or Unanswered.
func (a Answer) Valid() bool { return a == Unanswered || a == Yes || a == No }

// MeasuresBefore are the protections the data had before the breach (AP
// form, chapter 8). Data that were unintelligible to the finder may make
// informing the people unnecessary (art. 34(3)(a)).
type MeasuresBefore struct {
	Encrypted               Answer
	Hashed                  Answer
	OtherwiseUnintelligible Answer
	Text                    string // how, e.g. "BitLocker, AES-256"
}

// Protected reports whether one of the protections was answered Yes.
func (m MeasuresBefore) Protected() bool {
	return m.Encrypted == Yes || m.Hashed == Yes || m.OtherwiseUnintelligible == Yes
}

// NotificationKind is what a submission to the AP did.
type NotificationKind string

// The kinds of AP submission (art. 33(4): notification in phases).
const (
	NotifyInitial    NotificationKind = "initial"
	NotifySupplement NotificationKind = "supplement" // aanvulling
	NotifyChange     NotificationKind = "change"     // wijziging
	NotifyWithdrawal NotificationKind = "withdrawal" // intrekking
)

// NotificationKinds lists every kind of submission.
var NotificationKinds = []NotificationKind{NotifyInitial, NotifySupplement, NotifyChange, NotifyWithdrawal}

// Valid reports whether k is one of NotificationKinds.
func (k NotificationKind) Valid() bool { return slices.Contains(NotificationKinds, k) }

// Notification records one submission to the AP's online form.
type Notification struct {
	Kind        NotificationKind
	SubmittedAt time.Time
	APReference string // the meldnummer the AP's form gives
}

// Informing records how the people affected were told (art. 34).
type Informing struct {
	At    *time.Time // when they were told; nil while still to do
	How   string     // e.g. "per brief en e-mail"
	Count Count      // how many were told
	// ByEmail says that Count is the number of letters the portal's e-mail
	// delivered (Record.Told), kept up to date as they are sent; At is then
	// when the first was accepted by the mail server.
	ByEmail bool
}

// Breach is one entry of the register (art. 33(5)): every breach, notified
// or not, with its facts, effects and measures.
type Breach struct {
	Reference string // DL-YYYY-NNN, see FormatReference
	Title     string
	Branch    string // the branch code, for who may see it

	StartedAt     *time.Time
	EndedAt       *time.Time
	Ongoing       Answer
	AwareAt       time.Time // when the practice became aware; the 72-hour clock starts here
	HowDiscovered string
	ReportedBy    string // internal: the staff member (name or role) who reported it

	Kinds         []Kind
	Incident      IncidentType
	IncidentOther string // what happened, when Incident is OtherIncident
	Description   string

	DataCategories    []string // see the Category constants
	DataOther         string   // which data, when DataCategories holds "other"
	SpecialCategories []string // see SpecialCategories
	Records           Count

	AffectedGroups    []string // see Groups
	PeopleDescription string
	People            Count

	PeopleInOtherCountries     Answer
	Countries                  string // which countries, when PeopleInOtherCountries is Yes
	OtherAuthoritiesInformed   string // other Dutch supervisors told (e.g. IGJ), and when
	ForeignAuthoritiesInformed string // supervisory authorities of other countries told

	MeasuresBefore  MeasuresBefore
	Consequences    string // likely consequences for the people
	MeasuresTaken   string
	MeasuresPlanned string
	Processors      string // other organisations involved, e.g. a processor

	Assessment *Assessment
	// SeverityWord is the AP form's word for the severity of the
	// consequences (chapter 9), as the officer chose it; empty means the
	// word proposed from the assessment's band (APSeverityWord).
	SeverityWord string
	Decision     *Decision
	Informed     *Informing
	// NotInformedReason says why the people are not told (AP form, chapter
	// 10), when the decision is not to inform them.
	NotInformedReason string

	Notifications []Notification
	LateReason    string // why the AP was notified later than 72 hours after AwareAt
}

// HasKind reports whether b broke k.
func (b Breach) HasKind(k Kind) bool { return slices.Contains(b.Kinds, k) }

// FirstNotification returns the initial submission to the AP, if any.
func (b Breach) FirstNotification() (Notification, bool) {
	for _, n := range b.Notifications {
		if n.Kind == NotifyInitial {
			return n, true
		}
	}
	return Notification{}, false
}

// DecisionOpen reports whether the question of notifying the AP is still
// open: nothing decided yet, or decided to notify and not yet submitted.
// While it is open the 72-hour clock matters and reminders go out.
func (b Breach) DecisionOpen() bool {
	if _, ok := b.FirstNotification(); ok {
		return false
	}
	return b.Decision == nil || b.Decision.NotifyAP
}

// APWord returns the AP form's word for the severity of b: the officer's
// choice, else the proposal from the assessment's band; "" when neither.
func (b Breach) APWord() string {
	if b.SeverityWord != "" {
		return b.SeverityWord
	}
	if s, ok := b.Severity(); ok {
		return APSeverityWord(s.Band)
	}
	return ""
}

// Severity returns the severity of b's assessment, and false if b has no
// valid assessment yet.
func (b Breach) Severity() (Severity, bool) {
	if b.Assessment == nil || len(b.Assessment.Validate()) > 0 {
		return Severity{}, false
	}
	return b.Assessment.Severity(), true
}
