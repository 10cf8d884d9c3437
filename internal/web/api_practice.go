package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// apiPractice answers GET /api/v1/practice for any staff token: the
// practice's name, country, time zone, calendar and supervisory authority
// (API.md, "The practice").
func (s *Server) apiPractice(c echo.Context) error {
	st, err := s.Store.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st.Profile())
}
