// Package lang translates the UI's and the e-mails' text. Dutch is the
// default; English is the second language. The catalogues are JSON files of
// go-i18n in ui/locales, one per language, and must hold the same IDs.
package lang

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Code is a supported language.
type Code string

// The supported languages.
const (
	NL Code = "nl"
	EN Code = "en"
)

// Codes lists the supported languages, the default first.
var Codes = []Code{NL, EN}

// Parse returns the language for s, Dutch for anything unsupported.
func Parse(s string) Code {
	if slices.Contains(Codes, Code(s)) {
		return Code(s)
	}
	return NL
}

// Catalog holds the translations.
type Catalog struct {
	localizers map[Code]*i18n.Localizer
}

// Load reads locales/<code>.json for every supported language from fsys. It
// fails when a file is missing or the files do not hold the same IDs, so a
// forgotten translation stops the start, not a page.
func Load(fsys fs.FS) (*Catalog, error) {
	bundle := i18n.NewBundle(language.Dutch)
	bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	ids := map[Code][]string{}
	for _, c := range Codes {
		path := "locales/" + string(c) + ".json"
		b, err := fs.ReadFile(fsys, path)
		if err != nil {
			return nil, fmt.Errorf("catalogue %s: %w", c, err)
		}
		mf, err := bundle.ParseMessageFileBytes(b, path)
		if err != nil {
			return nil, fmt.Errorf("catalogue %s: %w", c, err)
		}
		for _, m := range mf.Messages {
			ids[c] = append(ids[c], m.ID)
		}
		slices.Sort(ids[c])
	}
	for _, c := range Codes[1:] {
		if missing := diff(ids[NL], ids[c]); len(missing) > 0 {
			return nil, fmt.Errorf("catalogue %s lacks %v", c, missing)
		}
		if extra := diff(ids[c], ids[NL]); len(extra) > 0 {
			return nil, fmt.Errorf("catalogue nl lacks %v", extra)
		}
	}
	cat := &Catalog{localizers: map[Code]*i18n.Localizer{}}
	for _, c := range Codes {
		cat.localizers[c] = i18n.NewLocalizer(bundle, string(c))
	}
	return cat, nil
}

// diff returns the IDs of a that are not in b (both sorted).
func diff(a, b []string) []string {
	var out []string
	for _, id := range a {
		if _, found := slices.BinarySearch(b, id); !found {
			out = append(out, id)
		}
	}
	return out
}

// T returns message id in language c, filled with data. An unknown ID
// returns the ID itself, which tests catch.
func (cat *Catalog) T(c Code, id string, data map[string]any) string {
	s, err := cat.localizers[Parse(string(c))].Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// N returns message id in language c for count (plural forms "one" and
// "other"), with count available as {{.Count}}.
func (cat *Catalog) N(c Code, id string, count int, data map[string]any) string {
	if data == nil {
		data = map[string]any{}
	}
	data["Count"] = count
	s, err := cat.localizers[Parse(string(c))].Localize(&i18n.LocalizeConfig{MessageID: id, PluralCount: count, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// Has reports whether id is in the catalogue.
func (cat *Catalog) Has(id string) bool {
	_, err := cat.localizers[NL].Localize(&i18n.LocalizeConfig{MessageID: id})
	return err == nil
}
