package web

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/practice"
)

// contact is how a visitor of a public page reaches the practice: the block
// at the foot of every public page. Empty fields are left out.
type contact struct {
	Name, Address, Email string
	PrivacyURL           string // the practice's own privacy statement
	// Via is what a text that says "contact us" names: the privacy
	// address, or "the practice" before setup.
	Via string
}

// Any reports whether the block has something to show.
func (k contact) Any() bool {
	return k.Name != "" || k.Address != "" || k.Email != "" || k.PrivacyURL != ""
}

// contactOf returns the contact block of the practice st; before setup it
// is empty and Via names "the practice".
func contactOf(st practice.Settings, unnamed string) contact {
	k := contact{Name: st.Name, Address: st.Address, Email: st.PrivacyEmail, PrivacyURL: st.PrivacyURL, Via: st.PrivacyEmail}
	if k.Via == "" {
		k.Via = unnamed
	}
	return k
}

// keyFramed marks a request to a page the practice's website may frame,
// when it has named origins that may.
const keyFramed = "framed"

// frameable lets the origins of the practice's setting frame the pages of
// the request form (frame-ancestors with those origins only, not 'self':
// no page of the portal frames another, and X-Frame-Options dropped, as it
// cannot name an origin). Nothing else of the policy changes. Without
// origins the page keeps frame-ancestors 'none' and DENY.
func (s *Server) frameable(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		st, err := s.Store.Settings(c.Request().Context())
		if err != nil {
			return err
		}
		if len(st.FrameOrigins) > 0 {
			h := c.Response().Header()
			h.Set("Content-Security-Policy", contentSecurityPolicy(st.FrameAncestors()))
			h.Del("X-Frame-Options")
			c.Set(keyFramed, true)
		}
		return next(c)
	}
}

func framed(c echo.Context) bool {
	f, _ := c.Get(keyFramed).(bool)
	return f
}

// formTokenAge is how long a request form's own token is accepted.
const formTokenAge = csrfMaxAge * time.Second

// A browser does not store nor send a SameSite=Strict (or Lax) cookie in a
// frame on another site's page, so the CSRF cookie cannot protect the
// request form there. A practice that lets its website frame the form gets
// a token that lives in the form alone: the time it was issued, signed. It
// binds no browser, which the form needs no more than the cookie did: the
// form carries no one's sign-in, anyone may post it. What keeps other sites
// from posting through a visitor's browser is the browser's own word,
// checked by the standard library's CrossOriginProtection: Sec-Fetch-Site
// other than same-origin refused, or without it an Origin whose host is not
// the request's.

// formToken returns a new token for the request form.
func (s *Server) formToken() string {
	at := strconv.FormatInt(s.Clock.Now().Unix(), 10)
	return "f" + at + "." + s.Signer.Index("request-form", at)
}

// formTokenValid reports whether token is one of formToken's, issued at
// most formTokenAge ago.
func (s *Server) formTokenValid(token string) bool {
	at, mac, ok := strings.Cut(strings.TrimPrefix(token, "f"), ".")
	if !ok || !strings.HasPrefix(token, "f") {
		return false
	}
	unix, err := strconv.ParseInt(at, 10, 64)
	if err != nil || subtle.ConstantTimeCompare([]byte(mac), []byte(s.Signer.Index("request-form", at))) != 1 {
		return false
	}
	age := s.Clock.Now().Sub(time.Unix(unix, 0))
	return age >= -time.Minute && age <= formTokenAge
}

// requestCSRF checks the request form's post: with the cookie as on every
// other form, or, when the practice's website may frame the form, with the
// form's own token, from a page of this portal.
func (s *Server) requestCSRF() echo.MiddlewareFunc {
	cookie := s.csrf()
	sameOrigin := http.NewCrossOriginProtection()
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		withCookie := cookie(next)
		return func(c echo.Context) error {
			if !framed(c) {
				return withCookie(c)
			}
			if sameOrigin.Check(c.Request()) != nil || !s.formTokenValid(c.FormValue("_csrf")) {
				return apperr.New(apperr.Forbidden, "error.csrf")
			}
			return next(c)
		}
	}
}

// In a frame the confirmation cannot come in a cookie either: the redirect
// carries it in the address, signed and valid for ten minutes, so it cannot
// be made to show another case's reference. Only the frame's own history
// holds it; no Referer carries it (Referrer-Policy: no-referrer).
const (
	receiptParam = "bevestiging"
	receiptAge   = 10 * time.Minute
)

// receiptURL returns the confirmation page's address carrying r, valid
// until receiptAge from now, in the page's language.
func (s *Server) receiptURL(c echo.Context, r receipt) string {
	value := receiptValue(r) + "|" + strconv.FormatInt(s.Clock.Now().Add(receiptAge).Unix(), 10)
	q := url.Values{receiptParam: {value + "|" + s.Signer.Index("receipt-link", value)}}
	q.Set("lang", string(langOf(c)))
	return "/verzoek-ontvangen?" + q.Encode()
}

// receiptFromURL reads the confirmation from the address, if it carries a
// valid one.
func (s *Server) receiptFromURL(c echo.Context) (receipt, bool) {
	signed, mac, ok := cutLast(c.QueryParam(receiptParam), "|")
	if !ok || subtle.ConstantTimeCompare([]byte(mac), []byte(s.Signer.Index("receipt-link", signed))) != 1 {
		return receipt{}, false
	}
	value, until, _ := cutLast(signed, "|")
	unix, err := strconv.ParseInt(until, 10, 64)
	if err != nil || s.Clock.Now().After(time.Unix(unix, 0)) {
		return receipt{}, false
	}
	return parseReceipt(value)
}
