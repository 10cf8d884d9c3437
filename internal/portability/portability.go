// Package portability holds the rules of the right to data portability
// (AVG art. 20): which activities it covers, the data the person provided
// as an officer enters or uploads them, and the export the person gets — a
// ZIP with data.json, data.csv and manifest.json. It imports no web
// framework and no storage.
package portability

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/avgloket/avgloket/internal/register"
)

// Limits on what an officer enters or uploads per activity.
const (
	MaxFields = 500     // fields per activity
	MaxName   = 200     // characters of a field's name
	MaxValue  = 10000   // characters of a value
	MaxUpload = 1 << 20 // bytes of an uploaded CSV or JSON file
)

// Field is one piece of data the person provided, as the practice's
// system names it: "e-mailadres" with "sanne@example.nl".
type Field struct{ Name, Value string }

// Fields are an activity's data in the order entered. In JSON they are an
// object of strings, {"name": "value"}, whose order is kept both ways.
type Fields []Field

// MarshalJSON writes f as one object, in order.
func (f Fields) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, x := range f {
		if i > 0 {
			b.WriteByte(',')
		}
		for j, s := range []string{x.Name, x.Value} {
			q, err := json.Marshal(s)
			if err != nil {
				return nil, err
			}
			b.Write(q)
			if j == 0 {
				b.WriteByte(':')
			}
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// errNotStrings is the refusal of data that is not an object of strings.
var errNotStrings = errors.New("portability: data must be an object of strings")

// UnmarshalJSON reads an object of strings in its order; a name given
// twice stays twice (Validate refuses it).
func (f *Fields) UnmarshalJSON(b []byte) error {
	d := json.NewDecoder(bytes.NewReader(b))
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return errNotStrings
	}
	out := Fields{}
	for d.More() {
		k, err := d.Token()
		if err != nil {
			return err
		}
		v, err := d.Token()
		if err != nil {
			return err
		}
		vs, ok := v.(string)
		if !ok {
			return errNotStrings
		}
		out = append(out, Field{Name: k.(string), Value: vs})
	}
	*f = out
	return nil
}

// Item is one activity chosen on a portability case, with the register's
// name and legal basis as they were when the data were recorded, and the
// data the person provided under it (none for an activity the right does
// not cover).
type Item struct {
	Activity string // the register activity's key
	Name     string
	Basis    register.LegalBasis
	Fields   Fields
}

// Portable reports whether the right covers the item's activity: one on
// consent or contract (art. 20(1)(a)).
func (i Item) Portable() bool { return i.Basis.Portable() }

// Problems are what is wrong with entered data, keyed by JSON path
// ("items.0.activity", "items.1.data") with message IDs.
type Problems map[string]string

func (p Problems) add(field, msg string) {
	if _, ok := p[field]; !ok {
		p[field] = msg
	}
}

// Validate returns the problems of entered as the data of a case that
// chose the activities chosen, with reg the register's activities (key,
// name, basis): every item's activity chosen, once, and on consent or
// contract; its fields at most MaxFields, each with a name of at most
// MaxName characters, no name twice, values of at most MaxValue
// characters, all valid UTF-8 without NUL.
func Validate(chosen []string, reg []Item, entered []Item) Problems {
	p := Problems{}
	seen := map[string]bool{}
	for n, it := range entered {
		at := "items." + strconv.Itoa(n) + "."
		ri := slices.IndexFunc(reg, func(r Item) bool { return r.Activity == it.Activity })
		switch {
		case !slices.Contains(chosen, it.Activity):
			p.add(at+"activity", "portability.activity_not_chosen")
		case ri < 0 || !reg[ri].Portable():
			p.add(at+"activity", "portability.not_portable")
		case seen[it.Activity]:
			p.add(at+"activity", "portability.activity_twice")
		}
		seen[it.Activity] = true
		if msg := fieldsProblem(it.Fields); msg != "" {
			p.add(at+"data", msg)
		}
	}
	return p
}

// fieldsProblem is the message ID of what is wrong with f, or "".
func fieldsProblem(f Fields) string {
	if len(f) > MaxFields {
		return "portability.too_many_fields"
	}
	names := map[string]bool{}
	for _, x := range f {
		name := strings.TrimSpace(x.Name)
		switch {
		case name == "":
			return "portability.field_name"
		case names[name]:
			return "portability.field_twice"
		case utf8.RuneCountInString(name) > MaxName || utf8.RuneCountInString(x.Value) > MaxValue:
			return "field.too_long"
		case !clean(x.Name) || !clean(x.Value):
			return "field.invalid"
		}
		names[name] = true
	}
	return ""
}

func clean(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// Items returns what a portability case records for the activities chosen
// (keys in the register's order): one item per chosen activity with the
// register's name and basis from reg (an activity gone from the register
// keeps its key as name and no basis, so it is not portable), and for a
// portable one the fields entered for it, names and values trimmed.
// entered must have passed Validate.
func Items(chosen []string, reg []Item, entered []Item) []Item {
	out := make([]Item, 0, len(chosen))
	for _, key := range chosen {
		it := Item{Activity: key, Name: key}
		if i := slices.IndexFunc(reg, func(r Item) bool { return r.Activity == key }); i >= 0 {
			it.Name, it.Basis = reg[i].Name, reg[i].Basis
		}
		if i := slices.IndexFunc(entered, func(e Item) bool { return e.Activity == key }); i >= 0 && it.Portable() {
			for _, f := range entered[i].Fields {
				it.Fields = append(it.Fields, Field{Name: strings.TrimSpace(f.Name), Value: strings.TrimSpace(f.Value)})
			}
		}
		out = append(out, it)
	}
	return out
}

// Portable returns the items the right covers; Excluded the others.
func Portable(items []Item) []Item { return slices.DeleteFunc(slices.Clone(items), isExcluded) }

// Excluded returns the items the right does not cover (art. 20(1)(a)).
func Excluded(items []Item) []Item {
	return slices.DeleteFunc(slices.Clone(items), func(i Item) bool { return i.Portable() })
}

func isExcluded(i Item) bool { return !i.Portable() }

// HasData reports whether one of the portable items holds a field.
func HasData(items []Item) bool {
	return slices.ContainsFunc(items, func(i Item) bool { return i.Portable() && len(i.Fields) > 0 })
}
