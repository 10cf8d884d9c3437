package web

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/lang"
)

// statusOf returns the HTTP status of an application error code. This is
// the only place that maps codes to statuses; an unknown code is an
// internal error.
func statusOf(code apperr.Code) int {
	switch code {
	case apperr.Invalid:
		return http.StatusUnprocessableEntity
	case apperr.Malformed:
		return http.StatusBadRequest
	case apperr.Unauthorized:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.TooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.RateLimited:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// withProblems returns p together with the field problems of err when err
// is Invalid (p's own problem wins for a field in both), and false for any
// other error or none. p may be nil.
func withProblems(err error, p map[string]string) (map[string]string, bool) {
	ae := apperr.As(err)
	if err == nil || ae.Code != apperr.Invalid {
		return nil, false
	}
	out := maps.Clone(ae.Fields)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, p)
	return out, true
}

// formProblems decides whether a form page comes back, and with which
// status and problems: with the handler's own problems p (422, the service
// not asked), or refused by the service: err Invalid gives 422 with p and
// its field problems, err Conflict 409 with its message alone, at the top
// of the form ("form"). again is false when the form does not come back:
// no problems and no error, or another error, which the handler returns.
func formProblems(p map[string]string, err error) (status int, problems map[string]string, again bool) {
	if err == nil {
		return statusOf(apperr.Invalid), p, len(p) > 0
	}
	if problems, ok := withProblems(err, p); ok {
		return statusOf(apperr.Invalid), problems, true
	}
	if ae := apperr.As(err); ae.Code == apperr.Conflict {
		return statusOf(ae.Code), map[string]string{"form": ae.Message}, true
	}
	return 0, nil, false
}

// fromEcho turns echo's own errors (unknown route, body limit, rate limit)
// into application errors.
func fromEcho(he *echo.HTTPError) *apperr.Error {
	switch he.Code {
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return apperr.New(apperr.NotFound, "error.not_found")
	case http.StatusRequestEntityTooLarge:
		return apperr.New(apperr.TooLarge, "error.too_large")
	case http.StatusTooManyRequests:
		return apperr.New(apperr.RateLimited, "error.rate_limited")
	case http.StatusForbidden:
		return apperr.New(apperr.Forbidden, "error.forbidden")
	case http.StatusUnauthorized:
		return apperr.New(apperr.Unauthorized, "error.unauthorized")
	case http.StatusBadRequest:
		return apperr.New(apperr.Malformed, "error.malformed")
	}
	return apperr.Wrap(he, "error.internal")
}

// apiError is the JSON error body of API.md.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// handleError is echo's HTTPErrorHandler: it answers the API in JSON and
// people with a page, in both cases with a safe message; internal details
// go to the log only.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var ae *apperr.Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &he):
		ae = fromEcho(he)
	default:
		ae = apperr.Wrap(err, "error.internal")
	}
	code := statusOf(ae.Code)
	if ae.Code == apperr.Internal {
		s.Log.Error("internal error", "route", c.Path(), "err", err)
	}
	// A signed-in member or API caller was refused a page or an object
	// (hidden as not found when outside their branches or role): the trail
	// records who tried which route (SECURITY.md item 11), by its pattern,
	// never the path with its reference. Signed-out visitors are not
	// recorded: anyone could fill the trail.
	if (ae.Code == apperr.NotFound || ae.Code == apperr.Forbidden) && memberOf(c).ID != 0 {
		if rerr := s.record(c, audit.AccessDenied, "", "route="+c.Path()); rerr != nil {
			s.Log.Error("audit denial", "route", c.Path(), "err", rerr)
		}
	}
	if strings.HasPrefix(c.Request().URL.Path, "/api/") {
		// The API speaks English; field messages come from the catalogue.
		body := apiError{Error: apiErrorBody{Code: string(ae.Code), Message: s.message(lang.EN, ae.Message)}}
		if ae.Code == apperr.Invalid {
			body.Error.Fields = map[string]string{}
			for f, id := range ae.Fields {
				body.Error.Fields[f] = s.message(lang.EN, id)
			}
		}
		if ae.Code == apperr.RateLimited {
			c.Response().Header().Set("Retry-After", "60")
		}
		_ = c.JSON(code, body)
		return
	}
	// The route's time-out has ended its context by now; the page still
	// reads the practice's name and contact details.
	c.SetRequest(c.Request().WithContext(context.WithoutCancel(c.Request().Context())))
	l := langOf(c)
	_ = s.render(c, code, "error", errorPage{base: s.base(c, "error.title"), Message: s.message(l, ae.Message), Status: code})
}

// message translates a message ID; a text that is not an ID (an English
// sentence from the domain) is returned as it is.
func (s *Server) message(l lang.Code, id string) string {
	if s.Catalog.Has(id) {
		return s.Catalog.T(l, id, nil)
	}
	return id
}
