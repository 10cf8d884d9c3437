package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
)

// measure reports every answered request to the metrics by its route
// template (c.Path(): /volg/:token, never the path with its token). It is
// the outermost middleware, so it sees the status the error handler sets,
// a panic's included.
func (s *Server) measure() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		if s.Metrics == nil {
			return next
		}
		return func(c echo.Context) error {
			start := time.Now()
			if err := next(c); err != nil {
				c.Error(err)
			}
			s.Metrics.Request(c.Request().Method, c.Path(), c.Response().Status, time.Since(start))
			return nil
		}
	}
}

// metrics serves the Prometheus metrics to a caller with the bearer token
// of Config.MetricsToken. Without a token configured there is nothing here
// (404): the metrics are then only on their own listen address, if any.
// A missing or wrong token gets 401 and no metric.
func (s *Server) metrics(c echo.Context) error {
	if s.cfg.MetricsToken == "" || s.Metrics == nil {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	token, bearer := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
	// Hashes of equal length, so that the comparison's time tells nothing,
	// not even the token's length.
	got, want := sha256.Sum256([]byte(token)), sha256.Sum256([]byte(s.cfg.MetricsToken))
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 || !bearer {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="metrics"`)
		return apperr.New(apperr.Unauthorized, "error.unauthorized")
	}
	s.Metrics.Handler().ServeHTTP(c.Response(), c.Request())
	return nil
}
