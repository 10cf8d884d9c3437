package web

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/staff"
)

// Context keys.
const (
	keyLang   = "lang"
	keyCSRF   = "csrf"
	keyMember = "member"
	keyAPI    = "api" // set for calls with an API token
)

// contentSecurityPolicy allows no script at all and only our own styles and
// images, and images inlined as data: URIs (the QR code of the
// authenticator enrolment is one, so the secret it holds never sits at a
// URL of its own; an image cannot run code); forms post only to us; only
// frameAncestors may frame a page: 'none' but for the request form of a
// practice that lets its website frame it (frameable).
func contentSecurityPolicy(frameAncestors string) string {
	return "default-src 'none'; style-src 'self'; img-src 'self' data:; " +
		"form-action 'self'; frame-ancestors " + frameAncestors + "; base-uri 'none'"
}

// securityHeaders sets the headers every response carries (SECURITY.md item
// 8). Pages are not cached: most hold personal data. Static files override
// Cache-Control.
func (s *Server) securityHeaders() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("Content-Security-Policy", contentSecurityPolicy("'none'"))
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
			h.Set("Cache-Control", "no-store")
			if s.secure {
				h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
			}
			return next(c)
		}
	}
}

// recoverer turns a panic into a plain 500 answer; the stack goes to the log
// only.
func (s *Server) recoverer() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			defer func() {
				if r := recover(); r != nil {
					if r == http.ErrAbortHandler {
						panic(r)
					}
					s.Log.Error("panic", "route", c.Path(), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
					err = apperr.Wrap(fmt.Errorf("panic: %v", r), "error.internal")
				}
			}()
			return next(c)
		}
	}
}

// requestLog logs each request by its route pattern, never its path (a path
// can hold a tracking token) nor the client's address.
func (s *Server) requestLog() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			s.Log.Info("request", "method", c.Request().Method, "route", c.Path(),
				"status", c.Response().Status, "ms", time.Since(start).Milliseconds())
			return nil
		}
	}
}

// csrf protects every state-changing form with a token in a cookie and a
// hidden field (SECURITY.md item 6). Browsers that say a post is cross-site
// are refused outright; the token is still checked for every other post,
// whatever Sec-Fetch-Site says.
func (s *Server) csrf() echo.MiddlewareFunc {
	name := s.csrfCookieName()
	tokens := middleware.CSRFWithConfig(middleware.CSRFConfig{
		// The query comes first for the tracking page's multipart answer,
		// which must not be parsed (buffered) before its file can stream.
		TokenLookup:    "query:_csrf,form:_csrf",
		ContextKey:     keyCSRF,
		CookieName:     name,
		CookiePath:     "/",
		CookieMaxAge:   csrfMaxAge,
		CookieSecure:   s.secure,
		CookieHTTPOnly: true,
		CookieSameSite: http.SameSiteStrictMode,
		ErrorHandler: func(err error, c echo.Context) error {
			return apperr.New(apperr.Forbidden, "error.csrf")
		},
	})
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		checked := tokens(next)
		return func(c echo.Context) error {
			r := c.Request()
			if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Header.Get("Sec-Fetch-Site") == "cross-site" {
				return apperr.New(apperr.Forbidden, "error.csrf")
			}
			r.Header.Del("Sec-Fetch-Site")
			return checked(c)
		}
	}
}

// csrfMaxAge is the CSRF cookie's lifetime in seconds.
const csrfMaxAge = 2 * 60 * 60

func (s *Server) csrfCookieName() string {
	if s.secure {
		return "__Host-csrf"
	}
	return "avg_csrf"
}

// language records the reader's choice of language: ?lang= (remembered in a
// cookie) or the cookie. Without a choice, pages are in Dutch.
func (s *Server) language(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if q := c.QueryParam("lang"); q != "" {
			code := lang.Parse(q)
			c.SetCookie(&http.Cookie{Name: "avg_lang", Value: string(code), Path: "/", MaxAge: 365 * 24 * 3600,
				Secure: s.secure, HttpOnly: true, SameSite: http.SameSiteLaxMode})
			c.Set(keyLang, code)
		} else if ck, err := c.Cookie("avg_lang"); err == nil {
			c.Set(keyLang, lang.Parse(ck.Value))
		}
		return next(c)
	}
}

func langOf(c echo.Context) lang.Code {
	if l, ok := c.Get(keyLang).(lang.Code); ok {
		return l
	}
	return lang.NL
}

// bearer admits API calls that carry a live staff token.
func (s *Server) bearer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || token == "" {
			return apperr.New(apperr.Unauthorized, "error.unauthorized")
		}
		m, err := s.Store.MemberByAPIToken(c.Request().Context(), casework.HashToken(strings.TrimSpace(token)), s.Clock.Now())
		if err != nil {
			return err
		}
		c.Set(keyMember, m)
		c.Set(keyAPI, true)
		return next(c)
	}
}

func memberOf(c echo.Context) staff.Member {
	m, _ := c.Get(keyMember).(staff.Member)
	return m
}

// ipExtractor takes the client address from the connection, or from
// X-Forwarded-For only when the connection comes from a trusted proxy.
// echo's default would believe any client's X-Forwarded-For.
func ipExtractor(trusted []netip.Prefix) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range trusted {
		_, n, err := net.ParseCIDR(p.Masked().String())
		if err == nil {
			opts = append(opts, echo.TrustIPRange(n))
		}
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}
