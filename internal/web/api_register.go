package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/register"
	"github.com/avgloket/avgloket/internal/staff"
)

// The register of processing activities in the API (API.md): any staff
// token reads it, owners' tokens add and change activities. An activity is
// read and written in its JSON form, register.Activity's; unknown fields
// are refused.

type activitiesView struct {
	Activities []register.Activity `json:"activities"`
}

func (s *Server) apiActivities(c echo.Context) error {
	acts, err := s.Store.Activities(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, activitiesView{Activities: acts})
}

// apiOwnerOnly refuses (403) an API caller who is not an owner.
func apiOwnerOnly(c echo.Context) error {
	if memberOf(c).Role != staff.Owner {
		return apperr.New(apperr.Forbidden, "error.forbidden")
	}
	return nil
}

func (s *Server) apiCreateActivity(c echo.Context) error {
	if err := apiOwnerOnly(c); err != nil {
		return err
	}
	var a register.Activity
	if err := decodeJSON(c, &a); err != nil {
		return err
	}
	stored, err := s.Store.AddActivity(c.Request().Context(), a, s.auditWho(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, stored)
}

// apiUpdateActivity replaces the activity with the path's key. The body's
// key may be left out; another key is refused (422): a key names the
// activity for good.
func (s *Server) apiUpdateActivity(c echo.Context) error {
	if err := apiOwnerOnly(c); err != nil {
		return err
	}
	key := c.Param("key")
	var a register.Activity
	if err := decodeJSON(c, &a); err != nil {
		return err
	}
	if a.Key == "" {
		a.Key = key
	}
	stored, err := s.Store.UpdateActivity(c.Request().Context(), key, a, s.auditWho(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, stored)
}
