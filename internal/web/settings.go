package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/representation"
)

// settingsForm is the practice's settings as typed on the owners' page.
type settingsForm struct {
	setupForm
	IdentityPause bool
	ServesMinors  bool
	IDCopyDays    string
	DocumentDays  string
	RetentionDays string
	RecordsNL     string // how long client files are kept, in Dutch
	RecordsEN     string // and in English
	RulesSource   string // one of the rulesSources
	Rules         string // the practice's own table, for rulesOwn
	FrameOrigins  string // the origins that may frame the public pages, one a line
}

// Where the table for minors comes from: the Dutch default, the shipped
// Belgian table (offered to a Belgian practice, DOMAIN.md §9), or the
// practice's own.
const (
	rulesNL  = "nl"
	rulesBE  = "be"
	rulesOwn = "own"
)

// rulesSource tells which table stored (practice.Settings.RepresentationRules)
// is.
func rulesSource(stored string) string {
	switch stored {
	case "":
		return rulesNL
	case string(representation.ExampleBE().JSON()):
		return rulesBE
	}
	return rulesOwn
}

// SourcesHint is the message that explains the choice of table; a Belgian
// practice is told the Belgian table is meant for it.
func (f settingsForm) SourcesHint() string {
	if strings.EqualFold(f.Country, string(practice.Belgium)) {
		return "settings.rules_source_hint_be"
	}
	return "settings.rules_source_hint"
}

// Sources returns the tables the page offers: the Belgian one to a Belgian
// practice, or to one that uses it already.
func (f settingsForm) Sources() []string {
	if strings.EqualFold(f.Country, string(practice.Belgium)) || f.RulesSource == rulesBE {
		return []string{rulesNL, rulesBE, rulesOwn}
	}
	return []string{rulesNL, rulesOwn}
}

type settingsPage struct {
	base
	formState
	Form      settingsForm
	Countries []string
	Calendars []string
	Default   string // the Dutch rule table, as an example to start from
	Belgian   string // the Belgian one
	Mail      mailSection
}

// mailState is the mail part of the settings page as a request left it:
// the form as typed (nil: as stored), its problems, the test mail's
// address and answer.
type mailState struct {
	typed    *mailForm
	problems map[string]string
	testTo   string
	test     *mailTest
}

var settingsFieldOrder = []string{practice.FieldName, practice.FieldAddress, practice.FieldCountry, practice.FieldKvK, practice.FieldPrivacyEmail,
	practice.FieldPrivacyURL, practice.FieldTimeZone, practice.FieldCalendar, practice.FieldExtraDays, practice.FieldIDCopyDays,
	practice.FieldDocumentDays, practice.FieldCaseRetentionDays, practice.FieldRecordsRetentionNL, practice.FieldRecordsRetentionEN, "practice.rules_source", "practice.rules",
	practice.FieldFrameOrigins}

func (s *Server) settingsForm(c echo.Context) error {
	f, err := s.storedSettingsForm(c)
	if err != nil {
		return err
	}
	return s.renderSettings(c, http.StatusOK, f, nil)
}

// storedSettingsForm is the settings form as stored.
func (s *Server) storedSettingsForm(c echo.Context) (settingsForm, error) {
	st, err := s.Store.Settings(c.Request().Context())
	if err != nil {
		return settingsForm{}, err
	}
	days := make([]string, len(st.ExtraDays))
	for i, d := range st.ExtraDays {
		days[i] = d.String()
	}
	f := settingsForm{setupForm: setupForm{Name: st.Name, Address: st.Address, KvK: st.KvK, PrivacyEmail: st.PrivacyEmail, PrivacyURL: st.PrivacyURL,
		Country: string(st.Country), TimeZone: st.TimeZone, Calendar: string(st.Calendar), ExtraDays: strings.Join(days, " ")},
		IdentityPause: st.IdentityPause, ServesMinors: st.ServesMinors, IDCopyDays: strconv.Itoa(st.IDCopyDays),
		DocumentDays:  strconv.Itoa(st.DocumentDays),
		RetentionDays: strconv.Itoa(st.CaseRetentionDays), RecordsNL: st.RecordsRetention.NL, RecordsEN: st.RecordsRetention.EN,
		RulesSource: rulesSource(st.RepresentationRules), FrameOrigins: strings.Join(st.FrameOrigins, "\n")}
	if f.RulesSource == rulesOwn {
		f.Rules = st.RepresentationRules
	}
	return f, nil
}

func (s *Server) renderSettings(c echo.Context, status int, f settingsForm, problems map[string]string) error {
	return s.renderSettingsPage(c, status, f, problems, mailState{})
}

// renderSettingsMail renders the settings page as stored, with the mail
// part as a mail form or the test mail left it.
func (s *Server) renderSettingsMail(c echo.Context, status int, m mailState) error {
	f, err := s.storedSettingsForm(c)
	if err != nil {
		return err
	}
	return s.renderSettingsPage(c, status, f, nil, m)
}

func (s *Server) renderSettingsPage(c echo.Context, status int, f settingsForm, problems map[string]string, m mailState) error {
	b := s.staffBase(c, "settings.title", "settings")
	sec, err := s.mailSection(c, b, m)
	if err != nil {
		return err
	}
	return s.render(c, status, "staff_settings", settingsPage{base: b, formState: newFormState(b.Tr, settingsFieldOrder, problems),
		Form: f, Countries: countries(), Calendars: []string{string(deadline.NL), string(deadline.BE)}, Default: string(representation.DefaultNL().JSON()),
		Belgian: string(representation.ExampleBE().JSON()), Mail: sec})
}

// settingsSave stores the practice's settings. The table for minors is the
// Dutch default, the Belgian table, or the practice's own, which is checked
// in full (bands without gaps, labels in both languages) before it is used.
// A form without the choice (an older page, a script) means its own table
// when it sends one and the Dutch default when not.
func (s *Server) settingsSave(c echo.Context) error {
	ctx := c.Request().Context()
	v := func(k string) string { return clean(c.FormValue(k)) }
	f := settingsForm{setupForm: setupForm{Name: v(practice.FieldName), Address: v(practice.FieldAddress), KvK: v(practice.FieldKvK),
		PrivacyEmail: v(practice.FieldPrivacyEmail), Country: v(practice.FieldCountry), TimeZone: v(practice.FieldTimeZone), Calendar: v(practice.FieldCalendar),
		ExtraDays: v(practice.FieldExtraDays), PrivacyURL: v(practice.FieldPrivacyURL)}, IdentityPause: c.FormValue("practice.identity_pause") == "on",
		ServesMinors: c.FormValue("practice.serves_minors") == "on",
		IDCopyDays:   v(practice.FieldIDCopyDays), RetentionDays: v(practice.FieldCaseRetentionDays),
		DocumentDays: v(practice.FieldDocumentDays),
		RecordsNL:    v(practice.FieldRecordsRetentionNL), RecordsEN: v(practice.FieldRecordsRetentionEN),
		RulesSource: v("practice.rules_source"), Rules: strings.TrimSpace(c.FormValue("practice.rules")),
		FrameOrigins: v(practice.FieldFrameOrigins)}
	if f.RulesSource == "" {
		f.RulesSource = rulesNL
		if f.Rules != "" {
			f.RulesSource = rulesOwn
		}
	}
	st, err := s.Store.Settings(ctx)
	if err != nil {
		return err
	}
	st.Name, st.Address, st.KvK, st.PrivacyEmail, st.TimeZone = f.Name, f.Address, f.KvK, f.PrivacyEmail, f.TimeZone
	st.Country = practice.Country(strings.ToUpper(f.Country))
	st.Calendar, st.IdentityPause, st.ServesMinors = deadline.Country(strings.ToUpper(f.Calendar)), f.IdentityPause, f.ServesMinors
	st.RecordsRetention = practice.Texts{NL: f.RecordsNL, EN: f.RecordsEN}
	st.PrivacyURL, st.FrameOrigins = f.PrivacyURL, practice.ParseFrameOrigins(f.FrameOrigins)
	// A number that does not read as one is out of every range.
	st.IDCopyDays, _ = strconv.Atoi(f.IDCopyDays)
	// A form without the field (a page from before it existed) keeps the
	// stored number.
	if f.DocumentDays != "" {
		st.DocumentDays, _ = strconv.Atoi(f.DocumentDays)
	}
	st.CaseRetentionDays, _ = strconv.Atoi(f.RetentionDays)
	problems := st.Validate()
	if days, ok := practice.ParseExtraDays(f.ExtraDays); ok {
		st.ExtraDays = days
	} else {
		problems[practice.FieldExtraDays] = "field.dates"
	}
	switch f.RulesSource {
	case rulesNL:
		st.RepresentationRules = ""
	case rulesBE:
		st.RepresentationRules = string(representation.ExampleBE().JSON())
	case rulesOwn:
		r, err := representation.ParseRules([]byte(f.Rules))
		switch {
		case f.Rules == "":
			problems["practice.rules"] = "field.required"
		case err != nil:
			problems["practice.rules"] = "settings.rules_invalid"
		default:
			st.RepresentationRules = string(r.JSON())
		}
	default:
		problems["practice.rules_source"] = "field.choose"
	}
	if len(problems) > 0 {
		return s.renderSettings(c, http.StatusUnprocessableEntity, f, problems)
	}
	who := audit.Entry{At: s.Clock.Now(), Actor: audit.Staff(memberOf(c).ID), Address: c.RealIP()}
	if err := s.Store.SaveSettingsAudited(ctx, st, who); err != nil {
		return err
	}
	s.setFlash(c, "flash.settings")
	return c.Redirect(http.StatusSeeOther, "/staff/settings")
}
