package web

import (
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
)

// Choices of the case page's rectification form: the item was corrected,
// or it stays as it is.
const (
	rectificationCorrected = "corrected"
	rectificationKept      = "kept"
)

// rectificationFields are the fields of the rectification forms (adding
// an item, removing the item at a place).
var rectificationFields = []string{"action", "field", "old", "new", "systems", "reason", "statement", "item"}

// caseRectification is the rectification section of a rectification case:
// the items recorded (the values shown to staff), and while the case is
// open the form to add one, with what was typed when it had problems.
type caseRectification struct {
	Items []casework.RectificationItem
	Open  bool
	// Action and the fields are the add form's; the fields of one outcome
	// only are required, so none is marked optional but the statement.
	Action                                      choiceData
	Field, Old, New, Systems, Reason, Statement fieldData
}

// caseRectificationOf returns the rectification section of case k on a
// page with form state f; values are what was typed into the form when the
// page's action was "rectification". Nil for another request type.
func caseRectificationOf(f formState, k casework.Case, action string, values map[string]string) *caseRectification {
	if k.Type != casework.Rectification {
		return nil
	}
	v := func(key string) string {
		if action != "rectification" {
			return ""
		}
		return values[key]
	}
	chosen := v("action")
	if chosen == "" {
		chosen = rectificationCorrected
	}
	conditional := func(d fieldData) fieldData {
		d.Optional = ""
		return d
	}
	return &caseRectification{Items: k.Rectification, Open: k.Status != casework.Completed,
		Action: f.Radio("rectification.action", "rectification.form.action", "rectification.form.action",
			[]string{rectificationCorrected, rectificationKept}, chosen),
		Field:     f.Field("rectification.field", "rectification.form.field", "text", v("field"), "rectification.form.field_hint", "off", true),
		Old:       f.Field("rectification.old", "rectification.form.old", "textarea", v("old"), "", "off", true),
		New:       conditional(f.Field("rectification.new", "rectification.form.new", "textarea", v("new"), "rectification.form.new_hint", "off", false)),
		Systems:   conditional(f.Field("rectification.systems", "rectification.form.systems", "textarea", v("systems"), "rectification.form.systems_hint", "off", false)),
		Reason:    conditional(f.Field("rectification.reason", "rectification.form.reason", "textarea", v("reason"), "rectification.form.reason_hint", "off", false)),
		Statement: f.Field("rectification.statement", "rectification.form.statement", "textarea", v("statement"), "rectification.form.statement_hint", "off", false),
	}
}

// systemList reads the systems of the form: one per line or separated by
// commas.
func systemList(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' })
}

// caseAddRectification adds one item to a rectification case from the case
// page's form: corrected (new value, systems) or kept (reason, optionally
// the requester's statement); the fields of the other choice are ignored.
func (s *Server) caseAddRectification() echo.HandlerFunc {
	return s.caseStep("rectification", "flash.rectification_added", rectificationValues,
		func(c echo.Context, a casework.Actor, ref string, v map[string]string) error {
			it := casework.RectificationItem{Field: v["field"], Old: v["old"]}
			switch v["action"] {
			case rectificationCorrected:
				it.New, it.Systems = v["new"], systemList(v["systems"])
			case rectificationKept:
				it.Kept, it.Reason, it.Statement = true, v["reason"], v["statement"]
			default:
				return apperr.InvalidFields(map[string]string{"action": "field.choose"})
			}
			_, err := s.Cases.Apply(c.Request().Context(), a, ref, casework.AddRectification(it))
			return err
		})
}

// caseRemoveRectification removes one item, by its place in the list, from
// a rectification case.
func (s *Server) caseRemoveRectification() echo.HandlerFunc {
	return s.caseStep("rectification", "flash.rectification_removed", rectificationValues,
		func(c echo.Context, a casework.Actor, ref string, v map[string]string) error {
			n, err := strconv.Atoi(v["item"])
			if err != nil {
				return apperr.New(apperr.NotFound, "error.not_found")
			}
			_, err = s.Cases.Apply(c.Request().Context(), a, ref, casework.RemoveRectification(n))
			return err
		})
}

// rectificationValues reads the rectification form; the text areas keep
// their line breaks (a list of systems is one per line).
func rectificationValues(c echo.Context, action string) map[string]string {
	out := map[string]string{}
	for _, k := range rectificationFields {
		out[k] = clean(strings.ReplaceAll(c.FormValue(action+"."+k), "\r\n", "\n"))
	}
	return out
}
