package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/staff"
)

// mailForm is the SMTP server as typed on the settings or setup page. The
// password is never echoed: HasPassword says one is stored.
type mailForm struct {
	Host, Port, Username, From, Security, CAFile string
	HasPassword                                  bool
}

// mailFieldOrder is the order of the mail fields on the pages.
var mailFieldOrder = []string{mail.FieldHost, mail.FieldPort, mail.FieldSecurity, mail.FieldUsername, mail.FieldPassword,
	mail.FieldFrom, mail.FieldCAFile, fieldTestTo}

// fieldTestTo is the address a test mail goes to.
const fieldTestTo = "smtp.test_to"

// mailSection is the part of the settings page about mail: the server's
// form, or the environment's server when that wins, and the test mail.
type mailSection struct {
	formState
	Tr         tr
	CSRF       string
	Form       mailForm
	Env        bool // the environment sets the server; the form is not shown
	Securities []string
	TestTo     string
	Test       *mailTest // the answer to the test mail just sent
}

// mailTest is what the server answered to a test mail.
type mailTest struct {
	OK     bool
	Answer string // the SMTP error, shown as text
}

// PasswordHint is the password field's hint: whether leaving it empty
// keeps a stored password.
func (m mailSection) PasswordHint() string {
	if m.Form.HasPassword {
		return "smtp.password_hint_kept"
	}
	return "smtp.password_hint"
}

func securities() []string {
	out := make([]string, 0, 3)
	for _, s := range mail.Securities() {
		out = append(out, string(s))
	}
	return out
}

// formOf is s as the form shows it.
func mailFormOf(s mail.Settings) mailForm {
	f := mailForm{Host: s.Host, Username: s.Username, From: s.From, Security: string(s.Security), CAFile: s.CAFile,
		HasPassword: s.Password != ""}
	if s.Port != 0 {
		f.Port = strconv.Itoa(s.Port)
	}
	if f.Security == "" {
		f.Security = string(mail.SecuritySTARTTLS)
	}
	return f
}

// readMailForm reads the mail fields of a posted form; the password comes
// back separately, since it is never put in the form again.
func readMailForm(c echo.Context) (mailForm, string) {
	v := func(k string) string { return clean(c.FormValue(k)) }
	f := mailForm{Host: v(mail.FieldHost), Port: v(mail.FieldPort), Username: v(mail.FieldUsername), From: v(mail.FieldFrom),
		Security: v(mail.FieldSecurity), CAFile: v(mail.FieldCAFile)}
	return f, c.FormValue(mail.FieldPassword)
}

// settings is f with password as the server's settings. An empty port
// means the usual one for the security chosen.
func (f mailForm) settings(password string) mail.Settings {
	s := mail.Settings{Host: f.Host, Username: f.Username, Password: password, From: f.From,
		Security: mail.Security(f.Security), CAFile: f.CAFile}
	switch n, err := strconv.Atoi(f.Port); {
	case f.Port == "" && s.Security == mail.SecurityTLS:
		s.Port = 465
	case f.Port == "":
		s.Port = 587
	case err == nil:
		s.Port = n
	}
	return s
}

// mailSection builds the settings page's mail part as m left it.
func (s *Server) mailSection(c echo.Context, b base, m mailState) (mailSection, error) {
	sec := mailSection{formState: newFormState(b.Tr, mailFieldOrder, m.problems), Tr: b.Tr, CSRF: b.CSRF,
		Securities: securities(), TestTo: m.testTo, Test: m.test}
	if m.testTo == "" {
		sec.TestTo = memberOf(c).Email
	}
	if env, ok := s.Mail.Env(); ok {
		sec.Env, sec.Form = true, mailFormOf(env)
		return sec, nil
	}
	if m.typed != nil {
		sec.Form = *m.typed
		return sec, nil
	}
	stored, err := s.Store.MailSettings(c.Request().Context())
	if err != nil {
		return sec, err
	}
	sec.Form = mailFormOf(stored)
	return sec, nil
}

// mailSettingsSave stores the SMTP server typed on the settings page. An
// empty password keeps the stored one unless "clear" is ticked; an empty
// host removes the server. While the environment sets the server, the
// page's is not used and cannot be saved.
func (s *Server) mailSettingsSave(c echo.Context) error {
	if s.Mail.FromEnv() {
		return apperr.New(apperr.Conflict, "smtp.env_wins")
	}
	ctx := c.Request().Context()
	f, password := readMailForm(c)
	stored, err := s.Store.MailSettings(ctx)
	if err != nil {
		return err
	}
	f.HasPassword = stored.Password != ""
	m := f.settings(password).Over(stored, c.FormValue("smtp.password_clear") == "on")
	if problems := m.Problems(); len(problems) > 0 {
		return s.renderSettingsMail(c, http.StatusUnprocessableEntity, mailState{typed: &f, problems: problems})
	}
	who := audit.Entry{At: s.Clock.Now(), Actor: audit.Staff(memberOf(c).ID), Address: c.RealIP()}
	if err := s.Store.SaveMailSettingsAudited(ctx, m, who); err != nil {
		return err
	}
	if s.MailQueued != nil {
		s.MailQueued() // the waiting mails go out through the new server now
	}
	s.setFlash(c, "flash.mail_settings")
	return c.Redirect(http.StatusSeeOther, "/staff/settings#mail")
}

// mailTestSend sends a test mail straight through the current server (not
// through the outbox: it is a diagnosis) to the address typed, the owner's
// own by default, and shows the server's answer on the settings page.
func (s *Server) mailTestSend(c echo.Context) error {
	ctx := c.Request().Context()
	m := memberOf(c)
	to := clean(c.FormValue(fieldTestTo))
	if to == "" {
		to = m.Email
	}
	addr, ok := staff.NormalizeEmail(to)
	if !ok {
		return s.renderSettingsMail(c, http.StatusUnprocessableEntity, mailState{problems: map[string]string{fieldTestTo: "field.email"}, testTo: to})
	}
	b := s.base(c, "settings.title")
	result := s.sendTestMail(ctx, b.Tr, addr)
	detail := "result=sent"
	if !result.OK {
		detail = "result=failed"
	}
	who := audit.Entry{At: s.Clock.Now(), Actor: audit.Staff(m.ID), Address: c.RealIP(), Action: audit.MailTest, Detail: detail}
	if err := s.Store.AppendAudit(ctx, who); err != nil {
		return err
	}
	return s.renderSettingsMail(c, http.StatusOK, mailState{testTo: addr, test: &result})
}

// sendTestMail sends the test mail to addr and says how it went.
func (s *Server) sendTestMail(ctx context.Context, t tr, addr string) mailTest {
	sender, err := s.Mail.Sender(ctx)
	if errors.Is(err, mail.ErrNoServer) {
		return mailTest{Answer: t.T("smtp.test_no_server")}
	}
	if err == nil {
		err = sender.Send(ctx, mail.Message{To: addr, Subject: t.T("smtp.test_subject"), Text: t.T("smtp.test_text")})
	}
	if err != nil {
		s.Log.Warn("test mail failed") // the error names the address
		return mailTest{Answer: err.Error()}
	}
	return mailTest{OK: true}
}
