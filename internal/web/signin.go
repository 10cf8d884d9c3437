package web

import (
	"errors"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/auth"
)

// signInPage is the sign-in form. Problems are never about which part was
// wrong: unknown and wrong answer alike.
type signInPage struct {
	base
	Email   string
	Problem string
	OIDC    bool // the organisation sign-in is offered
	// OIDCDown: an OIDC provider is configured but has not answered yet;
	// the page says the organisation sign-in is temporarily unavailable.
	OIDCDown bool
}

func (s *Server) signInPage(c echo.Context, email, problem string) signInPage {
	return signInPage{base: s.base(c, "signin.title"), Email: email, Problem: problem,
		OIDC: s.OIDC != nil && s.OIDC.Ready(), OIDCDown: s.OIDC != nil && !s.OIDC.Ready()}
}

func (s *Server) signInForm(c echo.Context) error {
	return s.render(c, http.StatusOK, "signin", s.signInPage(c, "", ""))
}

func (s *Server) signIn(c echo.Context) error {
	ctx := c.Request().Context()
	email := clean(c.FormValue("email"))
	out, err := s.Auth.SignInPassword(ctx, email, c.FormValue("password"), c.RealIP())
	if err != nil {
		return s.signInFailed(c, email, err)
	}
	return s.startSession(c, out, "password")
}

// signInFailed shows the form again with the one message for every failed
// attempt (429 when throttled) and audits the failure without the e-mail.
func (s *Server) signInFailed(c echo.Context, email string, err error) error {
	ae := apperr.As(err)
	if !slices.Contains([]apperr.Code{apperr.Unauthorized, apperr.RateLimited, apperr.Forbidden}, ae.Code) {
		return err
	}
	status := statusOf(ae.Code)
	if ae.Err != nil {
		// The page stays generic; why it failed (a wrong client secret, a
		// token exchange or verification that failed …) goes to the log.
		s.Log.Warn("sign-in failed", "reason", ae.Message, "cause", ae.Err.Error())
	}
	if rerr := s.record(c, audit.SignInFailed, "", "reason="+ae.Message); rerr != nil {
		return rerr
	}
	return s.render(c, status, "signin", s.signInPage(c, email, s.message(langOf(c), ae.Message)))
}

// startSession ends any session the browser had, starts a fresh one (a new
// id at every sign-in) and sends the member on: to the code page when a
// second factor is due, else to the queue.
func (s *Server) startSession(c echo.Context, out auth.Outcome, method string) error {
	ctx := c.Request().Context()
	if old := s.rawSession(c); old != "" {
		if err := s.Auth.EndSession(ctx, old); err != nil {
			return err
		}
	}
	secondFactorDone := !out.NeedsSecondFactor && !out.EnrolSecondFactor
	raw, err := s.Auth.StartSession(ctx, out.StaffID, secondFactorDone)
	if err != nil {
		return err
	}
	s.setSessionCookie(c, raw)
	if err := s.rotateCSRF(c); err != nil {
		return err
	}
	if err := s.Store.AppendAudit(ctx, audit.Entry{At: s.Clock.Now(), Actor: audit.Staff(out.StaffID),
		Action: audit.SignIn, Address: c.RealIP(), Detail: "method=" + method}); err != nil {
		return err
	}
	switch {
	case out.EnrolSecondFactor:
		return c.Redirect(http.StatusSeeOther, "/staff/account/totp")
	case out.NeedsSecondFactor:
		return c.Redirect(http.StatusSeeOther, "/staff/signin/code")
	}
	return s.afterSignIn(c)
}

// codePage asks for the TOTP code or a recovery code.
type codePage struct {
	base
	Problem string
}

func (s *Server) codeForm(c echo.Context) error {
	acc, err := s.Store.AccountByID(c.Request().Context(), memberOf(c).ID)
	if err != nil {
		return err
	}
	if !acc.TOTPEnabled {
		return c.Redirect(http.StatusSeeOther, "/staff/account/totp")
	}
	return s.render(c, http.StatusOK, "signin_code", codePage{base: s.base(c, "signin.code_title")})
}

func (s *Server) codeSubmit(c echo.Context) error {
	raw, _ := c.Get(keyRawSession).(string)
	next, err := s.Auth.CompleteSecondFactor(c.Request().Context(), raw, clean(c.FormValue("code")))
	if err != nil {
		ae := apperr.As(err)
		if !slices.Contains([]apperr.Code{apperr.Unauthorized, apperr.RateLimited, apperr.Invalid, apperr.Conflict}, ae.Code) {
			return err
		}
		status := statusOf(ae.Code)
		if rerr := s.record(c, audit.SignInFailed, audit.Staff(memberOf(c).ID), "reason=second_factor"); rerr != nil {
			return rerr
		}
		return s.render(c, status, "signin_code", codePage{base: s.base(c, "signin.code_title"), Problem: s.message(langOf(c), "signin.second_factor_failed")})
	}
	s.setSessionCookie(c, next)
	if err := s.rotateCSRF(c); err != nil {
		return err
	}
	if err := s.record(c, audit.SignIn, "", "method=second_factor"); err != nil {
		return err
	}
	return s.afterSignIn(c)
}

func (s *Server) signOut(c echo.Context) error {
	raw, _ := c.Get(keyRawSession).(string)
	if err := s.Auth.EndSession(c.Request().Context(), raw); err != nil {
		return err
	}
	s.clearSessionCookie(c)
	if err := s.record(c, audit.SignOut, "", ""); err != nil {
		return err
	}
	s.setFlash(c, "flash.signed_out")
	return c.Redirect(http.StatusSeeOther, "/staff/signin")
}

// oidcCookieName holds the browser's half of an OIDC attempt. It must be
// SameSite=Lax: a Strict cookie is not sent on the way back from the
// provider.
func (s *Server) oidcCookieName() string {
	if s.secure {
		return "__Host-oidc"
	}
	return "avg_oidc"
}

func (s *Server) oidcStart(c echo.Context) error {
	if s.OIDC == nil {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	url, secret, err := s.OIDC.Begin(c.Request().Context())
	if errors.Is(err, auth.ErrProviderUnavailable) {
		s.Log.Warn("organisation sign-in unavailable", "err", err.Error())
		return s.render(c, http.StatusServiceUnavailable, "signin", s.signInPage(c, "", ""))
	}
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: s.oidcCookieName(), Value: secret, Path: "/", MaxAge: 600, Secure: s.secure,
		HttpOnly: true, SameSite: http.SameSiteLaxMode})
	return c.Redirect(http.StatusSeeOther, url)
}

func (s *Server) oidcCallback(c echo.Context) error {
	if s.OIDC == nil {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	secret := ""
	if ck, err := c.Cookie(s.oidcCookieName()); err == nil {
		secret = ck.Value
	}
	c.SetCookie(&http.Cookie{Name: s.oidcCookieName(), Value: "", Path: "/", MaxAge: -1, Secure: s.secure,
		HttpOnly: true, SameSite: http.SameSiteLaxMode})
	ctx := c.Request().Context()
	id, err := s.OIDC.Finish(ctx, c.QueryParam("state"), c.QueryParam("code"), secret)
	if err != nil {
		return s.signInFailed(c, "", err)
	}
	out, err := s.Auth.SignInOIDC(ctx, id, c.RealIP())
	if err != nil {
		return s.signInFailed(c, "", err)
	}
	return s.startSession(c, out, "oidc")
}
