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
	IDCopyDays    string
	RetentionDays string
	RecordsNL     string // how long client files are kept, in Dutch
	RecordsEN     string // and in English
	Rules         string
}

type settingsPage struct {
	base
	formState
	Form      settingsForm
	Countries []string
	Calendars []string
	Default   string // the Dutch rule table, as an example to start from
}

var settingsFieldOrder = []string{practice.FieldName, practice.FieldAddress, practice.FieldCountry, practice.FieldKvK, practice.FieldPrivacyEmail,
	practice.FieldTimeZone, practice.FieldCalendar, practice.FieldExtraDays, "practice.id_copy_days",
	"practice.case_retention_days", practice.FieldRecordsRetentionNL, practice.FieldRecordsRetentionEN, "practice.rules"}

func (s *Server) settingsForm(c echo.Context) error {
	st, err := s.Store.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	days := make([]string, len(st.ExtraDays))
	for i, d := range st.ExtraDays {
		days[i] = d.String()
	}
	f := settingsForm{setupForm: setupForm{Name: st.Name, Address: st.Address, KvK: st.KvK, PrivacyEmail: st.PrivacyEmail,
		Country: string(st.Country), TimeZone: st.TimeZone, Calendar: string(st.Calendar), ExtraDays: strings.Join(days, " ")},
		IdentityPause: st.IdentityPause, IDCopyDays: strconv.Itoa(st.IDCopyDays),
		RetentionDays: strconv.Itoa(st.CaseRetentionDays), RecordsNL: st.RecordsRetention.NL, RecordsEN: st.RecordsRetention.EN,
		Rules: st.RepresentationRules}
	return s.renderSettings(c, http.StatusOK, f, nil)
}

func (s *Server) renderSettings(c echo.Context, status int, f settingsForm, problems map[string]string) error {
	b := s.staffBase(c, "settings.title", "settings")
	return s.render(c, status, "staff_settings", settingsPage{base: b, formState: newFormState(b.Tr, settingsFieldOrder, problems),
		Form: f, Countries: countries(), Calendars: []string{string(deadline.NL), string(deadline.BE)}, Default: string(representation.DefaultNL().JSON())})
}

// settingsSave stores the practice's settings. A rule table for minors is
// checked in full (bands without gaps, labels in both languages) before it
// replaces the Dutch default.
func (s *Server) settingsSave(c echo.Context) error {
	ctx := c.Request().Context()
	v := func(k string) string { return clean(c.FormValue(k)) }
	f := settingsForm{setupForm: setupForm{Name: v(practice.FieldName), Address: v(practice.FieldAddress), KvK: v(practice.FieldKvK),
		PrivacyEmail: v(practice.FieldPrivacyEmail), Country: v(practice.FieldCountry), TimeZone: v(practice.FieldTimeZone), Calendar: v(practice.FieldCalendar),
		ExtraDays: v(practice.FieldExtraDays)}, IdentityPause: c.FormValue("practice.identity_pause") == "on",
		IDCopyDays: v("practice.id_copy_days"), RetentionDays: v("practice.case_retention_days"),
		RecordsNL: v(practice.FieldRecordsRetentionNL), RecordsEN: v(practice.FieldRecordsRetentionEN),
		Rules: strings.TrimSpace(c.FormValue("practice.rules"))}
	st, err := s.Store.Settings(ctx)
	if err != nil {
		return err
	}
	st.Name, st.Address, st.KvK, st.PrivacyEmail, st.TimeZone = f.Name, f.Address, f.KvK, f.PrivacyEmail, f.TimeZone
	st.Country = practice.Country(strings.ToUpper(f.Country))
	st.Calendar, st.IdentityPause = deadline.Country(strings.ToUpper(f.Calendar)), f.IdentityPause
	st.RecordsRetention = practice.Texts{NL: f.RecordsNL, EN: f.RecordsEN}
	problems := st.Validate()
	if days, ok := practice.ParseExtraDays(f.ExtraDays); ok {
		st.ExtraDays = days
	} else {
		problems[practice.FieldExtraDays] = "field.dates"
	}
	if n, err := strconv.Atoi(f.IDCopyDays); err != nil || n < 1 || n > 90 {
		problems["practice.id_copy_days"] = "settings.id_copy_days"
	} else {
		st.IDCopyDays = n
	}
	if n, err := strconv.Atoi(f.RetentionDays); err != nil || n < 30 || n > 7300 {
		problems["practice.case_retention_days"] = "settings.retention_days"
	} else {
		st.CaseRetentionDays = n
	}
	st.RepresentationRules = ""
	if f.Rules != "" {
		r, err := representation.ParseRules([]byte(f.Rules))
		if err != nil {
			problems["practice.rules"] = "settings.rules_invalid"
		} else {
			st.RepresentationRules = string(r.JSON())
		}
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
