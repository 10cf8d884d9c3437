package web

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
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
		if !sess.SecondFactor {
			c.Set(keyHalfway, true)
			for _, p := range halfwayPaths {
				if c.Path() == p {
					return next(c)
				}
			}
			return c.Redirect(http.StatusSeeOther, "/staff/signin/code")
		}
		return next(c)
	}
}

// toSignIn sends a visitor without a session to the sign-in page; a form
// post gets 401 rather than a redirect that would lose what was typed
// without saying so.
func (s *Server) toSignIn(c echo.Context) error {
	if c.Request().Method != http.MethodGet {
		return apperr.New(apperr.Unauthorized, "error.signed_out")
	}
	return c.Redirect(http.StatusSeeOther, "/staff/signin")
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
