package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/lang"
)

// status maps each application error code to its HTTP status. This is the
// only place that does.
var status = map[apperr.Code]int{
	apperr.Invalid:      http.StatusUnprocessableEntity,
	apperr.Malformed:    http.StatusBadRequest,
	apperr.Unauthorized: http.StatusUnauthorized,
	apperr.Forbidden:    http.StatusForbidden,
	apperr.NotFound:     http.StatusNotFound,
	apperr.Conflict:     http.StatusConflict,
	apperr.TooLarge:     http.StatusRequestEntityTooLarge,
	apperr.RateLimited:  http.StatusTooManyRequests,
	apperr.Internal:     http.StatusInternalServerError,
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
	code := status[ae.Code]
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
