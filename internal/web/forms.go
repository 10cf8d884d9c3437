package web

import (
	"fmt"
	"net/url"

	"github.com/avgloket/avgloket/internal/practice"
)

// formValues holds the fields of a form whose page keeps them as posted or
// as filled from storage (not as a typed struct), and reads them for the
// templates. Page structs embed it.
type formValues struct {
	Values url.Values
}

// V returns the (first) value of field name, typed or stored.
func (f formValues) V(name string) string { return f.Values.Get(name) }

// All returns every value of field name: the boxes ticked in a group of
// check boxes.
func (f formValues) All(name string) []string { return f.Values[name] }

// formState is what every form page carries besides its values: the
// problems found, per field and as a list for the summary at the top.
type formState struct {
	tr        tr
	Errors    map[string]string
	ErrorList []fieldError
}

// newFormState translates problems (field → message ID), ordered as the
// fields appear on the form.
func newFormState(t tr, order []string, problems map[string]string) formState {
	f := formState{tr: t, Errors: map[string]string{}}
	for _, field := range order {
		if id, ok := problems[field]; ok {
			msg := t.s.message(t.Lang, id)
			f.Errors[field] = msg
			f.ErrorList = append(f.ErrorList, fieldError{Field: field, ID: inputID(field), Message: msg})
		}
	}
	return f
}

// fieldData is what the "input" partial needs to draw one labelled field
// with its hint and error, wired for screen readers.
type fieldData struct {
	Name, ID, Label, Hint, Type, Value, Error, Autocomplete string
	Optional                                                string // "(optional)" in the page's language, for fields not required
	Required                                                bool
}

// Field describes the input for field name. labelID and hintID are message
// IDs (hintID may be empty); typ is an input type or "textarea".
func (f formState) Field(name, labelID, typ, value, hintID, autocomplete string, required bool) fieldData {
	d := fieldData{
		Name: name, ID: inputID(name), Label: f.tr.T(labelID), Type: typ, Value: value,
		Error: f.Errors[name], Autocomplete: autocomplete, Required: required,
	}
	if !required {
		d.Optional = f.tr.T("form.optional")
	}
	if hintID != "" {
		d.Hint = f.tr.T(hintID)
	}
	return d
}

// ConditionalField describes a field that is required only with another
// choice on the form (its hint says which): neither marked optional nor
// required for the browser, so the form still posts without it when it does
// not apply.
func (f formState) ConditionalField(name, labelID, typ, value, hintID string) fieldData {
	d := f.Field(name, labelID, typ, value, hintID, "", true)
	d.Required = false
	return d
}

// choiceData is what the "choices" partial needs: a group of radio buttons
// or check boxes with a legend and an error.
type choiceData struct {
	Name, ID, Label, Hint, Type, Error string
	Options                            []option
}

type option struct {
	Value, Label string
	Checked      bool
}

// Radio describes a group of radio buttons for field name; each option's
// label is the message "<prefix>.<value>".
func (f formState) Radio(name, labelID, prefix string, values []string, chosen string) choiceData {
	return f.choices(name, labelID, prefix, "radio", values, []string{chosen})
}

// RadioHint is Radio with an explanation under the legend (message hintID).
func (f formState) RadioHint(name, labelID, hintID, prefix string, values []string, chosen string) choiceData {
	d := f.Radio(name, labelID, prefix, values, chosen)
	d.Hint = f.tr.T(hintID)
	return d
}

// Checkboxes describes a group of check boxes for field name.
func (f formState) Checkboxes(name, labelID, prefix string, values, chosen []string) choiceData {
	return f.choices(name, labelID, prefix, "checkbox", values, chosen)
}

func (f formState) choices(name, labelID, prefix, typ string, values, chosen []string) choiceData {
	d := choiceData{Name: name, ID: inputID(name), Label: f.tr.T(labelID), Type: typ, Error: f.Errors[name]}
	for _, v := range values {
		o := option{Value: v, Label: f.tr.T(prefix + "." + v)}
		for _, c := range chosen {
			o.Checked = o.Checked || c == v
		}
		d.Options = append(d.Options, o)
	}
	return d
}

// selectData is what the "select" partial needs: a labelled drop-down of a
// filter form, its first choice "any" (the empty value).
type selectData struct {
	Name, Label, Any string
	Options          []option // Checked marks the one selected
}

// Select describes the drop-down for filter name, labelled by message
// labelID: "any", then each of values labelled by the message that format
// (such as "status.%s") names for it; chosen is selected.
func (t tr) Select(name, labelID, format string, values []string, chosen string) selectData {
	d := selectData{Name: name, Label: t.T(labelID), Any: t.T("queue.any")}
	for _, v := range values {
		d.Options = append(d.Options, option{Value: v, Label: t.T(fmt.Sprintf(format, v)), Checked: v == chosen})
	}
	return d
}

// BranchSelect describes the drop-down of the branch filter: "any", then
// the branches by name; the branch with code chosen is selected.
func (t tr) BranchSelect(branches []practice.Branch, chosen string) selectData {
	d := selectData{Name: "branch", Label: t.T("queue.branch"), Any: t.T("queue.any")}
	for _, b := range branches {
		d.Options = append(d.Options, option{Value: b.Code, Label: b.Name, Checked: b.Code == chosen})
	}
	return d
}

// queryURL returns path with the parameters of params that are not empty as
// its query (sorted by name), or path alone when all are: the links of a
// filtered, paged list.
func queryURL(path string, params map[string]string) string {
	v := url.Values{}
	for k, x := range params {
		if x != "" {
			v.Set(k, x)
		}
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}
