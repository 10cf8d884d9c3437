package web

import (
	"context"
	"encoding/base64"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/auth"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/staff"
)

// accountPage is the member's own page: password, second factor, API
// tokens. NewToken is shown once, right after it was made.
type accountPage struct {
	base
	formState
	Member        staff.Member
	HasPassword   bool
	TOTPEnabled   bool
	RecoveryLeft  int
	Tokens        []staff.APIToken
	LiveTokens    int // not revoked
	NewToken      string
	TokenCreated  string
	Created, Used map[int64]string
}

var accountFieldOrder = []string{"current", "password", "password_repeat", "recovery_password", "recovery_code", "label"}

func (s *Server) account(c echo.Context) error { return s.renderAccount(c, http.StatusOK, nil, "") }

func (s *Server) renderAccount(c echo.Context, status int, problems map[string]string, newToken string) error {
	ctx := c.Request().Context()
	m := memberOf(c)
	acc, err := s.Store.AccountByID(ctx, m.ID)
	if err != nil {
		return err
	}
	tokens, err := s.Store.APITokens(ctx, m.ID)
	if err != nil {
		return err
	}
	left, err := s.Store.RecoveryCodesLeft(ctx, m.ID)
	if err != nil {
		return err
	}
	settings, err := s.Store.Settings(ctx)
	if err != nil {
		return err
	}
	b := s.staffBase(c, "account.title", "account")
	p := accountPage{base: b, formState: newFormState(b.Tr, accountFieldOrder, problems), Member: m,
		HasPassword: acc.PasswordHash != "", TOTPEnabled: acc.TOTPEnabled, RecoveryLeft: left, Tokens: tokens,
		NewToken: newToken, Created: map[int64]string{}, Used: map[int64]string{}}
	for _, t := range tokens {
		if t.RevokedAt == nil {
			p.LiveTokens++
		}
		p.Created[t.ID] = b.Tr.DateTime(t.CreatedAt, settings.Location())
		if t.LastUsedAt != nil {
			p.Used[t.ID] = b.Tr.DateTime(*t.LastUsedAt, settings.Location())
		}
	}
	return s.render(c, status, "staff_account", p)
}

func (s *Server) changePassword(c echo.Context) error {
	raw, _ := c.Get(keyRawSession).(string)
	current, next, repeat := c.FormValue("current"), c.FormValue("password"), c.FormValue("password_repeat")
	if next != repeat {
		return s.renderAccount(c, http.StatusUnprocessableEntity, map[string]string{"password_repeat": "password.mismatch"}, "")
	}
	settings, err := s.Store.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	newRaw, err := s.Auth.ChangePassword(c.Request().Context(), raw, current, next, settings.Name)
	if err != nil {
		if p, invalid := withProblems(err, nil); invalid {
			return s.renderAccount(c, http.StatusUnprocessableEntity, p, "")
		}
		if apperr.CodeOf(err) == apperr.Unauthorized {
			return s.renderAccount(c, http.StatusUnprocessableEntity, map[string]string{"current": "account.current_wrong"}, "")
		}
		return err
	}
	s.setSessionCookie(c, newRaw)
	if err := s.record(c, audit.PasswordChange, audit.Staff(memberOf(c).ID), ""); err != nil {
		return err
	}
	s.setFlash(c, "flash.password")
	return c.Redirect(http.StatusSeeOther, "/staff/account")
}

func (s *Server) createToken(c echo.Context) error {
	label := clean(c.FormValue("label"))
	if len(label) > 100 {
		return s.renderAccount(c, http.StatusUnprocessableEntity, map[string]string{"label": "field.too_long"}, "")
	}
	token, err := casework.NewToken()
	if err != nil {
		return err
	}
	m := memberOf(c)
	who := audit.Entry{At: s.Clock.Now(), Actor: audit.Staff(m.ID), Address: c.RealIP()}
	if _, err := s.Store.CreateAPIToken(c.Request().Context(), m.ID, casework.HashToken(token), label, who); err != nil {
		return err
	}
	// Shown once, in this answer only: the page is not cached (no-store).
	return s.renderAccount(c, http.StatusOK, nil, token)
}

func (s *Server) revokeToken(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	m := memberOf(c)
	who := audit.Entry{At: s.Clock.Now(), Actor: audit.Staff(m.ID), Address: c.RealIP()}
	if err := s.Store.RevokeOwnAPIToken(c.Request().Context(), m.ID, id, who); err != nil {
		return err
	}
	s.setFlash(c, "flash.token_revoked")
	return c.Redirect(http.StatusSeeOther, "/staff/account")
}

// revokeAllTokens revokes every API token of the member at once: a new
// password does not end them, so this is the way to cut off a token that
// may have leaked with the old password.
func (s *Server) revokeAllTokens(c echo.Context) error {
	m := memberOf(c)
	who := audit.Entry{At: s.Clock.Now(), Actor: audit.Staff(m.ID), Address: c.RealIP()}
	if _, err := s.Store.RevokeAllAPITokens(c.Request().Context(), m.ID, who); err != nil {
		return err
	}
	s.setFlash(c, "flash.tokens_revoked")
	return c.Redirect(http.StatusSeeOther, "/staff/account")
}

// totpPage enrols the second factor: the secret to type or scan, then the
// recovery codes once, then the next code to finish signing in. URL and QR
// are built here from the pending secret, the issuer and the account, never
// from input, hence trusted.
type totpPage struct {
	base
	Secret    string
	URL       template.URL // otpauth://totp/…
	QR        template.URL // data:image/png;base64,… of URL
	Codes     []string
	Problem   string
	Enabled   bool
	MustEnrol bool
	Halfway   bool // finish signing in with a code next
	Renewed   bool // Codes replace the earlier recovery codes
}

// qrSize is the width and height of the QR code in pixels: large enough to
// scan from a screen, narrow enough for a phone.
const qrSize = 240

// totpForm shows the enrolment: the pending secret if one was made, else a
// button that makes one (a GET changes nothing, so a refresh shows the same
// secret).
func (s *Server) totpForm(c echo.Context) error {
	return s.renderTOTP(c, http.StatusOK, "")
}

func (s *Server) renderTOTP(c echo.Context, status int, problem string) error {
	ctx := c.Request().Context()
	m := memberOf(c)
	acc, err := s.Store.AccountByID(ctx, m.ID)
	if err != nil {
		return err
	}
	p := totpPage{base: s.base(c, "totp.title"), Enabled: acc.TOTPEnabled, MustEnrol: !acc.TOTPEnabled, Problem: problem}
	if !acc.TOTPEnabled && acc.TOTPSecret != "" {
		issuer, err := s.issuer(ctx)
		if err != nil {
			return err
		}
		link := auth.TOTPURL(issuer, acc.Member.Email, acc.TOTPSecret)
		png, err := auth.TOTPQR(link, qrSize)
		if err != nil {
			return err
		}
		p.Secret = groupsOf4(acc.TOTPSecret)
		p.URL = template.URL(link)
		p.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	}
	return s.render(c, status, "staff_totp", p)
}

// issuer is the name the authenticator app shows next to the codes.
func (s *Server) issuer(ctx context.Context) (string, error) {
	settings, err := s.Store.Settings(ctx)
	if err != nil {
		return "", err
	}
	if settings.Name == "" {
		return "avgloket", nil
	}
	return settings.Name, nil
}

// totpBegin makes a fresh pending secret (replacing an earlier one), kept
// sealed with the account, and redirects to the page that shows it.
func (s *Server) totpBegin(c echo.Context) error {
	ctx := c.Request().Context()
	issuer, err := s.issuer(ctx)
	if err != nil {
		return err
	}
	if _, _, err := s.Auth.BeginTOTPEnrolment(ctx, memberOf(c).ID, issuer); err != nil {
		if apperr.CodeOf(err) == apperr.Conflict {
			return s.renderTOTP(c, http.StatusConflict, "")
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/account/totp")
}

// renewRecovery replaces the recovery codes after the password and a
// current code, and shows the new ones once.
func (s *Server) renewRecovery(c echo.Context) error {
	m := memberOf(c)
	codes, err := s.Auth.RenewRecoveryCodes(c.Request().Context(), m.ID, c.FormValue("recovery_password"), clean(c.FormValue("recovery_code")))
	if err != nil {
		if p, invalid := withProblems(err, nil); invalid {
			return s.renderAccount(c, http.StatusUnprocessableEntity, p, "")
		}
		return err
	}
	if err := s.record(c, audit.StaffUpdate, audit.Staff(m.ID), "recovery=renewed"); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "staff_totp", totpPage{base: s.base(c, "totp.title"), Codes: codes, Enabled: true, Renewed: true})
}

func groupsOf4(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (s *Server) totpConfirm(c echo.Context) error {
	m := memberOf(c)
	codes, err := s.Auth.ConfirmTOTPEnrolment(c.Request().Context(), m.ID, clean(c.FormValue("code")))
	if err != nil {
		ae := apperr.As(err)
		if ae.Code == apperr.Invalid || ae.Code == apperr.Unauthorized || ae.Code == apperr.Conflict {
			return s.renderTOTP(c, http.StatusUnprocessableEntity, s.message(langOf(c), "totp.code_wrong"))
		}
		return err
	}
	if err := s.record(c, audit.StaffUpdate, audit.Staff(m.ID), "totp=enabled"); err != nil {
		return err
	}
	// The recovery codes are shown once; the next step asks for a fresh code
	// to finish the sign-in.
	halfway, _ := c.Get(keyHalfway).(bool)
	return s.render(c, http.StatusOK, "staff_totp", totpPage{base: s.base(c, "totp.title"), Codes: codes, Enabled: true, Halfway: halfway})
}
