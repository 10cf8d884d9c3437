package web

import (
	"context"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/auth"
)

const (
	keyRawSession = "raw_session"
	keyHalfway    = "halfway" // the session still lacks its second factor
)

// sessionCookieName is __Host-session over HTTPS: the prefix makes the
// browser refuse it without Secure, with a Domain, or off Path=/. Browsers
// refuse such cookies on plain HTTP, so local development uses another name.
func (s *Server) sessionCookieName() string {
	if s.secure {
		return "__Host-session"
	}
	return "avg_session"
}

func (s *Server) setSessionCookie(c echo.Context, raw string) {
	c.SetCookie(&http.Cookie{Name: s.sessionCookieName(), Value: raw, Path: "/", Secure: s.secure,
		HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearSessionCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: s.sessionCookieName(), Value: "", Path: "/", MaxAge: -1, Secure: s.secure,
		HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

func (s *Server) rawSession(c echo.Context) string {
	ck, err := c.Cookie(s.sessionCookieName())
	if err != nil {
		return ""
	}
	return ck.Value
}

// halfwayPaths are the pages a session may reach before its second factor:
// the code page and, for owners who must enrol, the enrolment page.
var halfwayPaths = []string{"/staff/signin/code", "/staff/account/totp", "/staff/account/totp/begin", "/staff/signout"}

// onHalfwayPath reports whether the request is for one of halfwayPaths.
func (s *Server) onHalfwayPath(c echo.Context) bool {
	return slices.Contains(halfwayPaths, c.Path())
}

// staffSession admits signed-in staff: the session must be alive (idle and
// absolute time-outs) and, except on the halfway pages, past its second
// factor. Others are sent to the sign-in page (not audited: anyone could
// fill the trail); a signed-in member's denials are, in handleError.
func (s *Server) staffSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		raw := s.rawSession(c)
		if raw == "" {
			return s.toSignIn(c)
		}
		sess, m, err := s.Auth.Session(c.Request().Context(), raw)
		if err != nil {
			if apperr.CodeOf(err) == apperr.Internal {
				return err
			}
			s.clearSessionCookie(c)
			return s.toSignIn(c)
		}
		c.Set(keyMember, m)
		c.Set(keyRawSession, raw)
		if sess.SecondFactor && !s.onHalfwayPath(c) {
			// A password account always has TOTP by now; one without it
			// holds a session from before every account had to enrol, and
			// enrols before going on.
			acc, err := s.Store.AccountByID(c.Request().Context(), m.ID)
			if err != nil {
				return err
			}
			if acc.PasswordHash != "" && !acc.TOTPEnabled {
				return c.Redirect(http.StatusSeeOther, "/staff/account/totp")
			}
		}
		if !sess.SecondFactor {
			c.Set(keyHalfway, true)
			if s.onHalfwayPath(c) {
				return next(c)
			}
			// Every account enrols a second factor before anything else
			// (ASVS 5.0 6.3.3); one that has it gives its code.
			acc, err := s.Store.AccountByID(c.Request().Context(), m.ID)
			if err != nil {
				return err
			}
			if !acc.TOTPEnabled {
				return c.Redirect(http.StatusSeeOther, "/staff/account/totp")
			}
			return c.Redirect(http.StatusSeeOther, "/staff/signin/code")
		}
		return next(c)
	}
}

// toSignIn sends a visitor without a session to the sign-in page, noting
// the page asked for so that it opens after signing in (afterSignIn); a
// form post gets 401 rather than a redirect that would lose what was typed
// without saying so.
func (s *Server) toSignIn(c echo.Context) error {
	if c.Request().Method != http.MethodGet {
		return apperr.New(apperr.Unauthorized, "error.signed_out")
	}
	if next := c.Request().URL.RequestURI(); localStaffPath(next) {
		c.SetCookie(&http.Cookie{Name: s.nextCookieName(), Value: next, Path: "/", MaxAge: 30 * 60, Secure: s.secure,
			HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	return c.Redirect(http.StatusSeeOther, "/staff/signin")
}

// nextCookieName holds the page asked for before signing in. It is
// SameSite=Lax: it must come back with the OIDC provider's redirect.
func (s *Server) nextCookieName() string {
	if s.secure {
		return "__Host-next"
	}
	return "avg_next"
}

// afterSignIn is where a complete sign-in goes: the staff page asked for
// before it (the cookie is used up), or the queue.
func (s *Server) afterSignIn(c echo.Context) error {
	to := "/staff/cases"
	if ck, err := c.Cookie(s.nextCookieName()); err == nil {
		c.SetCookie(&http.Cookie{Name: s.nextCookieName(), Value: "", Path: "/", MaxAge: -1, Secure: s.secure,
			HttpOnly: true, SameSite: http.SameSiteLaxMode})
		if localStaffPath(ck.Value) {
			to = ck.Value
		}
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// localStaffPath reports whether p is a path of the staff workspace on this
// site, with an optional query: never an absolute URL, a protocol-relative
// one ("//evil.example") or one a browser reads as such ("/\evil.example"),
// nor one with dot segments, and not the sign-in pages themselves.
func localStaffPath(p string) bool {
	if !strings.HasPrefix(p, "/staff") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\x00\r\n\t") ||
		len(p) > 2048 {
		return false
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Fragment != "" {
		return false
	}
	if (u.Path != "/staff" && !strings.HasPrefix(u.Path, "/staff/")) || path.Clean(u.Path) != u.Path {
		return false
	}
	return !strings.HasPrefix(u.Path, "/staff/signin") && !strings.HasPrefix(u.Path, "/staff/oidc")
}

// rotateCSRF gives the browser a new CSRF token at sign-in and at the
// second factor, so that a token learnt before (a fixated cookie, a page
// seen signed out) is worth nothing afterwards.
func (s *Server) rotateCSRF(c echo.Context) error {
	token, err := auth.NewSessionID()
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: s.csrfCookieName(), Value: token, Path: "/", MaxAge: csrfMaxAge, Secure: s.secure,
		HttpOnly: true, SameSite: http.SameSiteStrictMode})
	c.Set(keyCSRF, token)
	return nil
}

// record writes an audit entry for the signed-in member, before the data it
// concerns are shown. The entry is written even when the request's context
// has ended: the error handler records denials after the time-out
// middleware has cancelled it, and a visitor who goes away must not erase
// what they did.
func (s *Server) record(c echo.Context, action audit.Action, object, detail string) error {
	actor := audit.Anonymous
	if m := memberOf(c); m.ID != 0 {
		actor = audit.Staff(m.ID)
		if api, _ := c.Get(keyAPI).(bool); api {
			actor = audit.API(m.ID)
		}
	}
	return s.Store.AppendAudit(context.WithoutCancel(c.Request().Context()), audit.Entry{At: s.Clock.Now(), Actor: actor, Action: action,
		Object: object, Address: c.RealIP(), Detail: detail})
}
