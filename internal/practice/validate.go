package practice

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/email"
	"github.com/avgloket/avgloket/internal/plaintext"
)

// Field names of the settings, as used by the setup form.
const (
	FieldName         = "practice.name"
	FieldAddress      = "practice.address"
	FieldKvK          = "practice.kvk"
	FieldPrivacyEmail = "practice.privacy_email"
	FieldCountry      = "practice.country"
	FieldTimeZone     = "practice.time_zone"
	FieldCalendar     = "practice.calendar"
	FieldExtraDays    = "practice.extra_days"
	// The client-file retention text, per language.
	FieldRecordsRetentionNL = "practice.records_retention_nl"
	FieldRecordsRetentionEN = "practice.records_retention_en"
	FieldIDCopyDays         = "practice.id_copy_days"
	FieldCaseRetentionDays  = "practice.case_retention_days"
	FieldDocumentDays       = "practice.document_days"
)

// The ranges a practice may choose. An ID copy is destroyed once identity
// is recorded and kept at most MaxIDCopyDays meanwhile (data minimisation);
// a completed case keeps its personal data at least long enough to answer
// a complaint about it, and at most 20 years.
const (
	MinIDCopyDays        = 1
	MaxIDCopyDays        = 90
	MinCaseRetentionDays = 30
	MaxCaseRetentionDays = 7300
	// Sent answer documents wait for the requester at least a day and at
	// most a year before they are destroyed.
	MinDocumentDays = 1
	MaxDocumentDays = 365
)

// A Dutch KvK number has 8 digits; a Belgian enterprise (KBO) number 10,
// often written 0123.456.789.
var (
	kvkNL = regexp.MustCompile(`^[0-9]{8}$`)
	kboBE = regexp.MustCompile(`^[01][0-9]{9}$`)
)

// Validate normalises s and returns the message ID of each field at fault.
func (s *Settings) Validate() map[string]string {
	p := map[string]string{}
	s.Name = strings.TrimSpace(s.Name)
	s.Address = strings.TrimSpace(s.Address)
	s.KvK = strings.NewReplacer(" ", "", ".", "").Replace(strings.TrimSpace(s.KvK))
	s.PrivacyEmail = email.Normalize(s.PrivacyEmail)
	s.TimeZone = strings.TrimSpace(s.TimeZone)
	required := func(field, v string, max int) {
		switch {
		case v == "":
			p[field] = "field.required"
		case utf8.RuneCountInString(v) > max:
			p[field] = "field.too_long"
		}
	}
	required(FieldName, s.Name, 200)
	required(FieldAddress, s.Address, 500)
	switch s.Country {
	case Netherlands:
		if !kvkNL.MatchString(s.KvK) {
			p[FieldKvK] = "field.kvk"
		}
	case Belgium:
		if !kboBE.MatchString(s.KvK) {
			p[FieldKvK] = "field.kvk"
		}
	default:
		p[FieldCountry] = "field.choose"
	}
	if s.Calendar != deadline.NL && s.Calendar != deadline.BE {
		p[FieldCalendar] = "field.choose"
	}
	if !email.Valid(s.PrivacyEmail) {
		p[FieldPrivacyEmail] = "field.email"
	}
	s.validateContact(p)
	if s.IDCopyDays < MinIDCopyDays || s.IDCopyDays > MaxIDCopyDays {
		p[FieldIDCopyDays] = "settings.id_copy_days"
	}
	if s.CaseRetentionDays < MinCaseRetentionDays || s.CaseRetentionDays > MaxCaseRetentionDays {
		p[FieldCaseRetentionDays] = "settings.retention_days"
	}
	if s.DocumentDays < MinDocumentDays || s.DocumentDays > MaxDocumentDays {
		p[FieldDocumentDays] = "settings.document_days"
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "" || s.TimeZone == "Local" {
		p[FieldTimeZone] = "field.time_zone"
	}
	// Both languages or neither: a reader of either must learn the same.
	s.RecordsRetention.NL = strings.TrimSpace(s.RecordsRetention.NL)
	s.RecordsRetention.EN = strings.TrimSpace(s.RecordsRetention.EN)
	for _, t := range []struct{ field, text, other string }{
		{FieldRecordsRetentionNL, s.RecordsRetention.NL, s.RecordsRetention.EN},
		{FieldRecordsRetentionEN, s.RecordsRetention.EN, s.RecordsRetention.NL},
	} {
		switch {
		case utf8.RuneCountInString(t.text) > 1000:
			p[t.field] = "field.too_long"
		case t.text == "" && t.other != "":
			p[t.field] = "settings.both_languages"
		}
	}
	// A control character says more than any other problem of its field:
	// a one-line detail has none (the name goes into every mail's header);
	// the texts of several lines keep their line breaks and tabs only.
	for field, v := range map[string]string{FieldName: s.Name, FieldKvK: s.KvK, FieldPrivacyEmail: s.PrivacyEmail,
		FieldTimeZone: s.TimeZone} {
		if !plaintext.Line(v) {
			p[field] = "field.single_line"
		}
	}
	for field, v := range map[string]string{FieldAddress: s.Address, FieldRecordsRetentionNL: s.RecordsRetention.NL,
		FieldRecordsRetentionEN: s.RecordsRetention.EN} {
		if !plaintext.Text(v) {
			p[field] = "field.invalid"
		}
	}
	return p
}

// ParseExtraDays reads a list of dates (YYYY-MM-DD) separated by spaces,
// commas or new lines.
func ParseExtraDays(text string) ([]deadline.Date, bool) {
	var out []deadline.Date
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		d, err := deadline.ParseDate(f)
		if err != nil {
			return nil, false
		}
		out = append(out, d)
	}
	return out, true
}
