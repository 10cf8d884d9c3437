package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
)

// rectificationItemView is a rectification item as the API reads and
// writes it (API.md, PUT …/rectification): corrected, with new and systems,
// or kept, with reason and optionally the requester's statement; the
// values left out where empty.
type rectificationItemView struct {
	Field     string   `json:"field"`
	Old       string   `json:"old"`
	New       string   `json:"new,omitempty"`
	Systems   []string `json:"systems,omitempty"`
	Kept      bool     `json:"kept"`
	Reason    string   `json:"reason,omitempty"`
	Statement string   `json:"statement,omitempty"`
}

func rectificationViews(items []casework.RectificationItem) *[]rectificationItemView {
	out := make([]rectificationItemView, len(items))
	for i, it := range items {
		out[i] = rectificationItemView{Field: it.Field, Old: it.Old, New: it.New, Systems: it.Systems, Kept: it.Kept,
			Reason: it.Reason, Statement: it.Statement}
	}
	return &out
}

// apiCaseRectification records the items of a rectification case: 409 for
// another request type or a completed case, 422 with the fields at fault
// ("items.0.new").
func (s *Server) apiCaseRectification(c echo.Context) error {
	var body struct {
		Items *[]rectificationItemView `json:"items"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	if body.Items == nil {
		return apperr.InvalidFields(map[string]string{"items": "field.required"})
	}
	items := make([]casework.RectificationItem, len(*body.Items))
	for i, v := range *body.Items {
		items[i] = casework.RectificationItem{Field: v.Field, Old: v.Old, New: v.New, Systems: v.Systems, Kept: v.Kept,
			Reason: v.Reason, Statement: v.Statement}
	}
	k, err := s.Cases.Apply(c.Request().Context(), actorOf(c), c.Param("reference"), casework.SaveRectification(items))
	if err != nil {
		return err
	}
	return s.respondCase(c, http.StatusOK, k)
}
