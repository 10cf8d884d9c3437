package web

import (
	"maps"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/auth"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/representation"
	"github.com/avgloket/avgloket/internal/staff"
)

// setupForm holds the first-run form as typed. Passwords are never echoed.
type setupForm struct {
	Name, Address, KvK, PrivacyEmail, Country, TimeZone, Calendar, ExtraDays string
	PrivacyURL                                                               string
	OwnerName, OwnerEmail                                                    string
}

// setupPage is the data of the first-run setup page.
type setupPage struct {
	base
	formState
	Form      setupForm
	Action    string
	Countries []string
	Calendars []string
	Mail      mailSection // the SMTP server, optional
}

// countries are the choices of the practice's country, as form values.
func countries() []string {
	out := make([]string, len(practice.Countries))
	for i, c := range practice.Countries {
		out[i] = string(c)
	}
	return out
}

var setupFieldOrder = []string{
	practice.FieldName, practice.FieldAddress, practice.FieldCountry, practice.FieldKvK, practice.FieldPrivacyEmail,
	practice.FieldPrivacyURL, practice.FieldTimeZone, practice.FieldCalendar, practice.FieldExtraDays,
	mail.FieldHost, mail.FieldPort, mail.FieldSecurity, mail.FieldUsername, mail.FieldPassword, mail.FieldFrom, mail.FieldCAFile,
	"owner.name", "owner.email", "owner.password", "owner.password_repeat",
}

func (s *Server) setupToken(c echo.Context) (string, error) {
	hash := casework.HashToken(c.Param("token"))
	ok, err := s.Store.SetupTokenValid(c.Request().Context(), hash, s.Clock.Now())
	if err != nil {
		return "", err
	}
	if !ok {
		return "", apperr.New(apperr.NotFound, "error.setup_link")
	}
	return hash, nil
}

func (s *Server) setupForm(c echo.Context) error {
	if _, err := s.setupToken(c); err != nil {
		return err
	}
	form := setupForm{TimeZone: practice.DefaultTimeZone, Country: string(practice.Netherlands), Calendar: string(deadline.NL)}
	return s.renderSetup(c, http.StatusOK, form, mailFormOf(mail.Settings{}), nil)
}

func (s *Server) renderSetup(c echo.Context, status int, form setupForm, mf mailForm, problems map[string]string) error {
	b := s.base(c, "setup.title")
	p := setupPage{base: b, formState: newFormState(b.Tr, setupFieldOrder, problems), Form: form, Action: c.Request().URL.Path,
		Countries: countries(), Calendars: []string{string(deadline.NL), string(deadline.BE)},
		Mail: mailSection{formState: newFormState(b.Tr, mailFieldOrder, problems), Tr: b.Tr, CSRF: b.CSRF, Form: mf,
			Env: s.Mail.FromEnv(), Securities: securities()}}
	return s.render(c, status, "setup", p)
}

func (s *Server) setupSubmit(c echo.Context) error {
	hash, err := s.setupToken(c)
	if err != nil {
		return err
	}
	v := func(k string) string { return clean(c.FormValue(k)) }
	form := setupForm{
		Name: v(practice.FieldName), Address: v(practice.FieldAddress), KvK: v(practice.FieldKvK),
		PrivacyEmail: v(practice.FieldPrivacyEmail), Country: v(practice.FieldCountry), TimeZone: v(practice.FieldTimeZone),
		Calendar: v(practice.FieldCalendar), ExtraDays: v(practice.FieldExtraDays), PrivacyURL: v(practice.FieldPrivacyURL),
		OwnerName: v("owner.name"), OwnerEmail: v("owner.email"),
	}
	password, repeat := c.FormValue("owner.password"), c.FormValue("owner.password_repeat")
	mf, smtpPassword := readMailForm(c)
	settings := practice.Defaults()
	settings.Name, settings.Address, settings.KvK = form.Name, form.Address, form.KvK
	settings.PrivacyEmail, settings.TimeZone, settings.PrivacyURL = form.PrivacyEmail, form.TimeZone, form.PrivacyURL
	settings.Country = practice.Country(strings.ToUpper(form.Country))
	settings.Calendar = deadline.Country(strings.ToUpper(form.Calendar))
	problems := settings.Validate()
	settings.RepresentationRules = representation.Initial(settings.Country) // a Belgian practice starts with the Belgian table
	if days, ok := practice.ParseExtraDays(form.ExtraDays); ok {
		settings.ExtraDays = days
	} else {
		problems[practice.FieldExtraDays] = "field.dates"
	}
	// The environment's server wins: the page's is then neither shown nor
	// stored.
	var smtp mail.Settings
	if !s.Mail.FromEnv() {
		smtp = mf.settings(smtpPassword)
		maps.Copy(problems, smtp.Problems())
	}
	owner := staff.NewMember{Name: strings.TrimSpace(form.OwnerName), Role: staff.Owner}
	if msg := staff.NameProblem(owner.Name); msg != "" {
		problems["owner.name"] = msg
	}
	email, ok := staff.NormalizeEmail(form.OwnerEmail)
	if !ok {
		problems["owner.email"] = "field.email"
	}
	owner.Email = email
	if msg := s.Passwords.PasswordProblem(password, email, settings.Name); msg != "" {
		problems["owner.password"] = msg
	} else if password != repeat {
		problems["owner.password_repeat"] = "password.mismatch"
	}
	if len(problems) > 0 {
		return s.renderSetup(c, http.StatusUnprocessableEntity, form, mf, problems)
	}
	if owner.PasswordHash, err = auth.HashPassword(password); err != nil {
		return err
	}
	if _, err := s.Store.CompleteSetup(c.Request().Context(), hash, settings, smtp, owner, s.Clock.Now()); err != nil {
		return err
	}
	if smtp.Configured() && s.MailQueued != nil {
		s.MailQueued()
	}
	s.Log.Info("first-run setup completed")
	return s.render(c, http.StatusOK, "setup_done", s.base(c, "setup.done_title"))
}
