package web

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
)

// erasureFields are the fields of one erasure item on the case page, named
// "erasure.items.<n>.<field>" as the problems of casework.ValidateErasure
// are keyed; each belongs to one action (ownAction) except the system.
var erasureFields = []string{"activity", "action", "system", "erased_on", "ground", "until", "due"}

// ownAction is the action each action-bound field goes with: all fields
// are on the page at once (it works without JavaScript), so the form keeps
// only those of the action chosen.
var ownAction = map[string]string{"erased_on": casework.ErasureErased, "ground": casework.ErasureKept,
	"until": casework.ErasureKept, "due": casework.ErasureScheduled}

// erasureFieldOrder lists the erasure section's fields for n chosen
// activities, for the error summary.
func erasureFieldOrder(n int) []string {
	out := []string{"erasure.form", "erasure.items"}
	for i := range n {
		for _, f := range erasureFields {
			out = append(out, "erasure.items."+strconv.Itoa(i)+"."+f)
		}
	}
	return append(out, "destruction.form", "destruction.erased_on", "destruction.system")
}

// caseErasure is the erasure section of an erasure case (AVG art. 17): per
// chosen activity, a form to record it erased, kept or scheduled for
// destruction while the case is undecided; what is recorded; and, once
// decided, a form to confirm each destruction promised.
type caseErasure struct {
	// Items are the forms per chosen activity; empty once decided.
	Items []erasureItemForm
	// NoActivities: no activity is chosen yet, so nothing can be recorded.
	NoActivities bool
	// Recorded are the items as recorded, in the register's order.
	Recorded []erasureRecorded
	// Latest is the last day a destruction may be promised for.
	Latest deadline.Date
}

// erasureItemForm is the fieldset of one chosen activity.
type erasureItemForm struct {
	Activity, Name, Prefix string // Prefix: "erasure.items.<n>."
	// ActivityID and ActivityError place a problem with the activity
	// itself (one not chosen, or twice: a form tampered with).
	ActivityID, ActivityError string
	Action                    choiceData
	System, ErasedOn, Ground  fieldData
	Until, Due                fieldData
}

// erasureRecorded is one recorded item as staff read it, with the form
// that confirms its destruction while it is pending on a decided case.
type erasureRecorded struct {
	Name string
	// Text says what was done, when, where and by whom; Pending marks a
	// destruction promised and not yet confirmed.
	Text    string
	Pending bool
	Confirm *destructionForm
}

// recordedText says what erasure item it records, for staff: "Gewist op 3
// maart 2027 · uit cliëntdossier · door Sanne Visser".
func recordedText(t tr, it casework.ErasureItem) string {
	var parts []string
	switch {
	case it.Action == casework.ErasureKept:
		parts = append(parts, t.T("erasure.recorded.kept", "Until", dateText(t, it.Until), "Ground", it.Ground))
	case it.Action == casework.ErasureScheduled:
		parts = append(parts, t.T("erasure.recorded.scheduled", "Date", dateText(t, it.Due)))
		if it.ErasedOn != "" {
			parts = append(parts, t.T("erasure.recorded.confirmed", "Date", dateText(t, it.ErasedOn)))
		}
	case it.ErasedOn != "":
		parts = append(parts, t.T("erasure.recorded.erased", "Date", dateText(t, it.ErasedOn)))
	default:
		parts = append(parts, t.T("erasure.recorded.erased_undated"))
	}
	if it.System != "" && !it.Kept() {
		parts = append(parts, t.T("erasure.recorded.system", "System", it.System))
	}
	if it.ErasedByName != "" {
		parts = append(parts, t.T("erasure.recorded.by", "Name", it.ErasedByName))
	}
	return strings.Join(parts, " · ")
}

// destructionForm confirms one promised destruction.
type destructionForm struct {
	Activity string
	Error    string // a refusal of the step (409), at the top of the form
	ErasedOn fieldData
	System   fieldData
}

// caseErasureOf returns the erasure section of case k; nil for another
// right. action and values are those of a step that failed (422), so what
// was typed comes back.
func (s *Server) caseErasureOf(ctx context.Context, f formState, k casework.Case, today deadline.Date, action string, values map[string]string) (*caseErasure, error) {
	if k.Type != casework.Erasure {
		return nil, nil
	}
	all, err := s.Store.Activities(ctx)
	if err != nil {
		return nil, err
	}
	names := activityNameMap(all)
	name := func(key, stored string) string {
		return cmp.Or(stored, names[key], key)
	}
	e := &caseErasure{NoActivities: len(k.Activities) == 0, Latest: deadline.AddMonths(k.ReceivedOn, casework.DestructionMonths)}
	for n, it := range k.Erasure {
		r := erasureRecorded{Name: name(it.Activity, it.Name), Text: recordedText(f.tr, it), Pending: it.Pending()}
		if it.Pending() && k.Answered() && k.Status != casework.Completed {
			failed := action == "destruction" && values["activity"] == it.Activity
			v := map[string]string{"erased_on": today.String(), "system": it.System}
			if failed {
				v = values
			}
			r.Confirm = &destructionForm{Activity: it.Activity,
				ErasedOn: f.Field("destruction.erased_on", "erasure.confirm_on", "date", v["erased_on"], "erasure.confirm_on_hint", "", true),
				System:   f.Field("destruction.system", "erasure.confirm_system", "text", v["system"], "erasure.confirm_system_hint", "", false)}
			if failed {
				// The error summary links to this form's fields.
				r.Confirm.Error = f.Errors["destruction.form"]
			} else {
				suffix := "-" + strconv.Itoa(n)
				r.Confirm.ErasedOn.Error, r.Confirm.System.Error = "", ""
				r.Confirm.ErasedOn.ID += suffix
				r.Confirm.System.ID += suffix
			}
		}
		e.Recorded = append(e.Recorded, r)
	}
	if k.Answered() || k.Status == casework.Completed {
		return e, nil
	}
	for i, key := range k.Activities {
		prefix := "erasure.items." + strconv.Itoa(i) + "."
		v := map[string]string{"action": "", "erased_on": today.String()}
		if j := slices.IndexFunc(k.Erasure, func(it casework.ErasureItem) bool { return it.Activity == key }); j >= 0 {
			it := k.Erasure[j]
			v = map[string]string{"action": it.Action, "system": it.System, "erased_on": cmp.Or(it.ErasedOn, today.String()),
				"ground": it.Ground, "until": it.Until, "due": it.Due}
		}
		if action == "erasure" {
			v = map[string]string{}
			for _, fl := range erasureFields {
				v[fl] = values["items."+strconv.Itoa(i)+"."+fl]
			}
		}
		e.Items = append(e.Items, erasureItemForm{Activity: key, Name: name(key, ""), Prefix: prefix,
			ActivityID: inputID(prefix + "activity"), ActivityError: f.Errors[prefix+"activity"],
			Action:   f.Radio(prefix+"action", "erasure.action", "erasure.action", casework.ErasureActions, v["action"]),
			System:   f.Field(prefix+"system", "erasure.system", "text", v["system"], "erasure.system_hint", "", false),
			ErasedOn: f.ConditionalField(prefix+"erased_on", "erasure.erased_on", "date", v["erased_on"], "erasure.erased_on_hint"),
			Ground:   f.ConditionalField(prefix+"ground", "erasure.ground", "text", v["ground"], "erasure.ground_hint"),
			Until:    f.ConditionalField(prefix+"until", "erasure.until", "date", v["until"], "erasure.until_hint"),
			Due:      f.ConditionalField(prefix+"due", "erasure.due", "date", v["due"], "erasure.due_hint"),
		})
	}
	return e, nil
}

// caseSaveErasure records the erasure items from the case page: one
// fieldset per chosen activity, of which only the fields of the action
// chosen count. Who erased is the signed-in officer.
func (s *Server) caseSaveErasure() echo.HandlerFunc {
	read := func(c echo.Context, action string) map[string]string {
		out := map[string]string{}
		for i := 0; ; i++ {
			at := "items." + strconv.Itoa(i) + "."
			if c.FormValue(action+"."+at+"activity") == "" {
				return out
			}
			for _, f := range erasureFields {
				out[at+f] = clean(c.FormValue(action + "." + at + f))
			}
		}
	}
	return s.caseStep("erasure", "flash.erasure_saved", read, func(c echo.Context, a casework.Actor, ref string, v map[string]string) error {
		ctx := c.Request().Context()
		all, err := s.Store.Activities(ctx)
		if err != nil {
			return err
		}
		names := activityNameMap(all)
		var items []casework.ErasureItem
		for i := 0; v["items."+strconv.Itoa(i)+".activity"] != ""; i++ {
			at := "items." + strconv.Itoa(i) + "."
			it := casework.ErasureItem{Activity: v[at+"activity"], Name: names[v[at+"activity"]], Action: v[at+"action"], System: v[at+"system"]}
			field := map[string]*string{"erased_on": &it.ErasedOn, "ground": &it.Ground, "until": &it.Until, "due": &it.Due}
			for f, own := range ownAction {
				if own == it.Action {
					*field[f] = v[at+f]
				}
			}
			items = append(items, it)
		}
		_, err = s.Cases.Apply(ctx, a, ref, casework.SaveErasure(items))
		return err
	})
}

// caseConfirmDestruction confirms one promised destruction; the last one
// completes the case and tells the requester.
func (s *Server) caseConfirmDestruction() echo.HandlerFunc {
	return s.caseStep("destruction", "flash.destruction_confirmed", caseFields("activity", "erased_on", "system"),
		func(c echo.Context, a casework.Actor, ref string, v map[string]string) error {
			k, err := s.Cases.ConfirmDestruction(c.Request().Context(), a, ref, v["activity"], v["erased_on"], v["system"])
			if err == nil && k.Status == casework.Completed {
				c.Set(keyStepFlash, "flash.destruction_completed")
			}
			return err
		})
}
