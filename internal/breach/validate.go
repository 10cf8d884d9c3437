package breach

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/avgloket/avgloket/internal/plaintext"
)

// Limits on what a breach may hold, in characters.
const (
	MaxTitle = 200
	MaxText  = 10000
)

// problems maps a field to the message ID of what is wrong with it, keeping
// the first problem of each field.
type problems map[string]string

func (p problems) add(field, msg string) {
	if _, ok := p[field]; !ok {
		p[field] = msg
	}
}

func (p problems) merge(prefix string, q map[string]string) {
	for f, m := range q {
		p.add(prefix+f, m)
	}
}

// text checks a free-text field: required, length, and characters.
func (p problems) text(field, v string, required bool, limit int) {
	v = strings.TrimSpace(v)
	switch {
	case v == "" && required:
		p.add(field, "field.required")
	case utf8.RuneCountInString(v) > limit:
		p.add(field, "field.too_long")
	case !utf8.ValidString(v) || strings.ContainsRune(v, 0):
		p.add(field, "field.invalid")
	}
}

// line checks a one-line field as text does, and refuses any control
// character in it: a line break in a name or number that goes into a mail
// or a form would break it.
func (p problems) line(field, v string, required bool, limit int) {
	if !plaintext.Line(v) {
		p.add(field, "field.single_line")
	}
	p.text(field, v, required, limit)
}

// choices checks that every value is one of allowed.
func choices[T comparable](p problems, field string, values, allowed []T) {
	for _, v := range values {
		if !slices.Contains(allowed, v) {
			p.add(field, "field.choose")
		}
	}
}

// Validate returns the problems of b as the register keeps it, keyed by the
// API's JSON keys (title, aware_at, description, started_at, records.min,
// assessment.dpc, …); empty when b may be stored. now is the current time.
//
// A breach needs a title, the moment of awareness (not in the future) and a
// description (API.md); everything else may follow as it becomes known, but
// what is given must fit: known choices, a start not after awareness, an end
// not before the start and not while the breach is ongoing, counts that make
// sense, and a reason when the initial AP notification came after the 72
// hours (art. 33(1)).
func (b Breach) Validate(now time.Time) map[string]string {
	p := problems{}
	p.text("title", b.Title, true, MaxTitle)
	p.text("description", b.Description, true, MaxText)
	switch {
	case b.AwareAt.IsZero():
		p.add("aware_at", "field.required")
	case b.AwareAt.After(now):
		p.add("aware_at", "field.date_future")
	}
	if b.StartedAt != nil {
		switch {
		case b.StartedAt.After(now):
			p.add("started_at", "field.date_future")
		case !b.AwareAt.IsZero() && b.StartedAt.After(b.AwareAt):
			p.add("started_at", "breach.started_after_aware")
		}
	}
	if b.EndedAt != nil {
		switch {
		case b.EndedAt.After(now):
			p.add("ended_at", "field.date_future")
		case b.StartedAt != nil && b.EndedAt.Before(*b.StartedAt):
			p.add("ended_at", "breach.ended_before_start")
		case b.Ongoing == Yes:
			p.add("ended_at", "breach.ended_but_ongoing")
		}
	}
	for field, a := range map[string]Answer{"ongoing": b.Ongoing, "people_in_other_countries": b.PeopleInOtherCountries,
		"measures_before.encrypted": b.MeasuresBefore.Encrypted, "measures_before.hashed": b.MeasuresBefore.Hashed,
		"measures_before.otherwise_unintelligible": b.MeasuresBefore.OtherwiseUnintelligible} {
		if !a.Valid() {
			p.add(field, "field.choose")
		}
	}
	choices(p, "kinds", b.Kinds, Kinds)
	if b.Incident != "" && !b.Incident.Valid() {
		p.add("incident_type", "field.choose")
	}
	p.text("incident_other", b.IncidentOther, b.Incident == OtherIncident, MaxText)
	choices(p, "data_categories", b.DataCategories, DataCategories)
	p.text("data_other", b.DataOther, slices.Contains(b.DataCategories, CategoryOther), MaxText)
	choices(p, "special_categories", b.SpecialCategories, SpecialCategories)
	choices(p, "affected_groups", b.AffectedGroups, Groups)
	p.merge("", b.Records.Validate("records"))
	p.merge("", b.People.Validate("people"))
	for field, v := range map[string]string{
		"how_discovered": b.HowDiscovered, "reported_by": b.ReportedBy, "people_description": b.PeopleDescription,
		"countries": b.Countries, "other_authorities_informed": b.OtherAuthoritiesInformed,
		"foreign_authorities_informed": b.ForeignAuthoritiesInformed, "measures_before.text": b.MeasuresBefore.Text,
		"consequences": b.Consequences, "measures_taken": b.MeasuresTaken, "measures_planned": b.MeasuresPlanned,
		"processors": b.Processors, "not_informed_reason": b.NotInformedReason, "late_reason": b.LateReason,
	} {
		p.text(field, v, false, MaxText)
	}
	if b.Assessment != nil {
		p.merge("assessment.", b.Assessment.Validate())
	}
	if b.SeverityWord != "" && !slices.Contains(SeverityWords, b.SeverityWord) {
		p.add("severity_word", "field.choose")
	}
	if b.Informed != nil {
		p.merge("informed.", b.Informed.Count.Validate("count"))
		p.text("informed.how", b.Informed.How, false, MaxText)
	}
	for _, n := range b.Notifications {
		if !n.Kind.Valid() {
			p.add("notifications", "field.choose")
		}
	}
	if n, ok := b.FirstNotification(); ok && Late(n.SubmittedAt, b.AwareAt) && strings.TrimSpace(b.LateReason) == "" {
		p.add("late_reason", "breach.late_reason_required")
	}
	return p
}
