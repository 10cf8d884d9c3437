package register

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/avgloket/avgloket/internal/email"
	"github.com/avgloket/avgloket/internal/plaintext"
)

// Limits on what an activity may hold, in characters or items.
const (
	MaxName       = 200
	MaxText       = 4000 // purpose, source, security
	MaxItem       = 300  // one data subject, data category, retention start or ground
	MaxItems      = 40   // data subjects, data categories
	MaxRecipients = 40
	MaxMonths     = 1200 // a hundred years
)

// problems maps a field (a JSON path of the API: "recipients.0.country")
// to the message ID of what is wrong with it, keeping the first problem of
// each field.
type problems map[string]string

func (p problems) add(field, msg string) {
	if _, ok := p[field]; !ok {
		p[field] = msg
	}
}

// text checks a free text of several lines.
func (p problems) text(field, v string, required bool, limit int) {
	v = strings.TrimSpace(v)
	switch {
	case v == "" && required:
		p.add(field, "field.required")
	case !plaintext.Text(v):
		p.add(field, "field.invalid")
	case utf8.RuneCountInString(v) > limit:
		p.add(field, "field.too_long")
	}
}

// line checks a one-line value.
func (p problems) line(field, v string, required bool, limit int) {
	if !plaintext.Line(v) {
		p.add(field, "field.single_line")
	}
	p.text(field, v, required, limit)
}

// list checks a list of one-line items: at least one, each filled in.
func (p problems) list(field string, items []string) {
	switch {
	case len(items) == 0:
		p.add(field, "field.required")
	case len(items) > MaxItems:
		p.add(field, "activities.too_many")
	}
	for _, it := range items {
		p.line(field, it, true, MaxItem)
	}
}

// Validate returns the problems of a, keyed by the API's JSON paths (key,
// legal_basis, data_subjects, recipients.0.country, retention.months, …)
// with message IDs of the UI's catalogue; empty when a may be stored.
//
// An activity needs a valid key (ValidKey), a name, a purpose, a legal
// basis of art. 6(1), at least one data subject and one data category, and
// a retention period (months above zero, from when, on what ground). Every
// recipient needs a name, a kind, a known country (ISO 3166-1 alpha-2, upper
// case), a valid e-mail address when one is given, and safeguards when it
// processes the data outside the EU/EEA (art. 44–49). Source and security
// are optional.
func (a Activity) Validate() map[string]string {
	p := problems{}
	switch {
	case a.Key == "":
		p.add("key", "field.required")
	case !ValidKey(a.Key):
		p.add("key", "activities.key_format")
	}
	p.line("name", a.Name, true, MaxName)
	p.text("purpose", a.Purpose, true, MaxText)
	if !a.LegalBasis.Valid() {
		p.add("legal_basis", "field.choose")
	}
	p.list("data_subjects", a.DataSubjects)
	p.list("data_categories", a.DataCategories)
	if len(a.Recipients) > MaxRecipients {
		p.add("recipients", "activities.too_many")
	}
	for i, r := range a.Recipients {
		r.validate(p, "recipients."+strconv.Itoa(i)+".")
	}
	if a.Retention.Months <= 0 || a.Retention.Months > MaxMonths {
		p.add("retention.months", "activities.months")
	}
	p.line("retention.from", a.Retention.From, true, MaxItem)
	p.line("retention.ground", a.Retention.Ground, true, MaxItem)
	p.text("source", a.Source, false, MaxText)
	p.text("security", a.Security, false, MaxText)
	return p
}

func (r Recipient) validate(p problems, prefix string) {
	p.line(prefix+"name", r.Name, true, MaxName)
	if !r.Kind.Valid() {
		p.add(prefix+"kind", "field.choose")
	}
	switch {
	case r.Country == "":
		p.add(prefix+"country", "field.required")
	case !KnownCountry(r.Country):
		p.add(prefix+"country", "activities.country")
	case !InEEA(r.Country) && strings.TrimSpace(r.Safeguards) == "":
		p.add(prefix+"safeguards", "activities.safeguards_required")
	}
	if r.Email != "" && !email.Valid(r.Email) {
		p.add(prefix+"email", "field.email")
	}
	p.line(prefix+"safeguards", r.Safeguards, false, MaxItem)
}

// Normalize returns a with its texts trimmed, empty list items dropped,
// recipients' countries in upper case and e-mail addresses in lower case,
// and nil lists as empty ones: the form in which it is validated and kept.
func (a Activity) Normalize() Activity {
	trim := strings.TrimSpace
	a.Key, a.Name, a.Purpose = trim(a.Key), trim(a.Name), trim(a.Purpose)
	a.Source, a.Security = trim(a.Source), trim(a.Security)
	a.Retention.From, a.Retention.Ground = trim(a.Retention.From), trim(a.Retention.Ground)
	a.DataSubjects, a.DataCategories = items(a.DataSubjects), items(a.DataCategories)
	rs := make([]Recipient, 0, len(a.Recipients))
	for _, r := range a.Recipients {
		r.Name, r.Safeguards = trim(r.Name), trim(r.Safeguards)
		r.Country = strings.ToUpper(trim(r.Country))
		r.Email = email.Normalize(r.Email)
		rs = append(rs, r)
	}
	a.Recipients = rs
	return a
}

// items returns the non-empty items of xs, trimmed.
func items(xs []string) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// Lines splits a text of one item per line (as a form's text box holds a
// list) into its non-empty lines, trimmed.
func Lines(s string) []string { return items(strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")) }

// Changed returns the JSON keys of the top-level fields in which a and b
// differ, in the order of Activity's fields: for the audit trail.
func Changed(a, b Activity) []string {
	var out []string
	add := func(field string, differ bool) {
		if differ {
			out = append(out, field)
		}
	}
	add("key", a.Key != b.Key)
	add("name", a.Name != b.Name)
	add("purpose", a.Purpose != b.Purpose)
	add("legal_basis", a.LegalBasis != b.LegalBasis)
	add("special_categories", a.SpecialCategories != b.SpecialCategories)
	add("direct_marketing", a.DirectMarketing != b.DirectMarketing)
	add("automated_decisions", a.AutomatedDecisions != b.AutomatedDecisions)
	add("data_subjects", !slices.Equal(a.DataSubjects, b.DataSubjects))
	add("data_categories", !slices.Equal(a.DataCategories, b.DataCategories))
	add("recipients", !slices.Equal(a.Recipients, b.Recipients))
	add("retention", a.Retention != b.Retention)
	add("source", a.Source != b.Source)
	add("security", a.Security != b.Security)
	return out
}
