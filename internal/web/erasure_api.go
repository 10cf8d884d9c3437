package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
)

// erasureItemView is an erasure item as the API reads and writes it
// (API.md, PUT …/erasure); the fields other than activity and action are
// left out where empty. ErasedBy, the name of the staff member who erased,
// is only read: the API records the caller.
type erasureItemView struct {
	Activity string `json:"activity"`
	Action   string `json:"action"`
	System   string `json:"system,omitempty"`
	Ground   string `json:"ground,omitempty"`
	Until    string `json:"until,omitempty"`
	Due      string `json:"due,omitempty"`
	ErasedOn string `json:"erased_on,omitempty"`
	ErasedBy string `json:"erased_by,omitempty"`
}

func erasureViews(items []casework.ErasureItem) *[]erasureItemView {
	out := make([]erasureItemView, len(items))
	for i, it := range items {
		out[i] = erasureItemView{Activity: it.Activity, Action: it.Action, System: it.System, Ground: it.Ground, Until: it.Until,
			Due: it.Due, ErasedOn: it.ErasedOn, ErasedBy: it.ErasedByName}
	}
	return &out
}

// apiCaseErasure records the erasure items of an erasure case: 409 for
// another request type or a completed case, 422 with the fields at fault
// ("items.1.until"). Each item carries the activity's name in the register
// now, for the decision letter.
func (s *Server) apiCaseErasure(c echo.Context) error {
	var body struct {
		Items *[]erasureItemView `json:"items"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	if body.Items == nil {
		return apperr.InvalidFields(map[string]string{"items": "field.required"})
	}
	ctx := c.Request().Context()
	register, err := s.Store.Activities(ctx)
	if err != nil {
		return err
	}
	names := activityNameMap(register)
	items := make([]casework.ErasureItem, len(*body.Items))
	for i, v := range *body.Items {
		items[i] = casework.ErasureItem{Activity: v.Activity, Name: names[v.Activity], Action: v.Action,
			System: v.System, Ground: v.Ground, Until: v.Until, Due: v.Due, ErasedOn: v.ErasedOn}
	}
	k, err := s.Cases.Apply(ctx, actorOf(c), c.Param("reference"), casework.SaveErasure(items))
	if err != nil {
		return err
	}
	return s.respondCase(c, http.StatusOK, k)
}
