// Package answer drafts what a case's answer says from the practice's
// register: the access statement of AVG art. 15(1)(a)–(h) for exactly the
// activities that concern the person. It is pure: the texts are the
// templates in ui/templates/answer (Dutch and English), the activities the
// practice's own (Dutch) words; internal/store keeps what the officer
// edited and approved.
package answer

import (
	"bytes"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"text/template"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/register"
)

// Input is what an access statement is drafted from.
type Input struct {
	// Activities are the register activities that concern the person, in
	// the register's order (Chosen).
	Activities []register.Activity
	// Practice gives the controller's name, address and contact, and its
	// country the supervisory authority (DOMAIN.md §9).
	Practice practice.Settings
	Language casework.Language
}

// Chosen returns the activities of the register all whose keys are in
// keys, in the register's order: exactly those, none of the others.
func Chosen(all []register.Activity, keys []string) []register.Activity {
	var out []register.Activity
	for _, a := range all {
		if slices.Contains(keys, a.Key) {
			out = append(out, a)
		}
	}
	return out
}

// Writer drafts statements from the templates, parsed once.
type Writer struct {
	templates map[casework.Language]*template.Template
}

// NewWriter parses templates/answer/access_statement.<lang>.txt from fsys
// for Dutch and English.
func NewWriter(fsys fs.FS) (*Writer, error) {
	w := &Writer{templates: map[casework.Language]*template.Template{}}
	for _, l := range []casework.Language{casework.Dutch, casework.English} {
		name := "templates/answer/access_statement." + string(l) + ".txt"
		t, err := template.ParseFS(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("answer template %s: %w", name, err)
		}
		w.templates[l] = t.Option("missingkey=error")
	}
	return w, nil
}

// Draft writes the access statement for in, in its language (Dutch for
// anything but English): per chosen activity (a) its purpose and legal
// basis, (b) the categories of data, (c) the recipients, those outside the
// EU/EEA with the transfer's safeguards, (d) the retention period, from
// when, and its ground; (e) the rights that apply to those activities —
// rectification, erasure and restriction always, objection only where the
// basis is public task or legitimate interests or for direct marketing,
// portability only where it is consent or contract, withdrawal of consent
// where it is consent; (f) the complaint route to the practice's authority;
// (g) the sources; (h) automated decision-making. Without activities it
// says that no personal data of the person are processed.
func (w *Writer) Draft(in Input) (string, error) {
	l := casework.ParseLanguage(string(in.Language))
	var buf bytes.Buffer
	if err := w.templates[l].Execute(&buf, build(in, l)); err != nil {
		return "", fmt.Errorf("access statement: %w", err)
	}
	return strings.TrimSpace(collapse(buf.String())) + "\n", nil
}

// statement is the templates' data.
type statement struct {
	Practice  practice.Settings
	Authority string // the authority's name in the statement's language
	URL       string
	Address   string
	Activity  []activity
	// The rights that apply to some of the activities only: the names of
	// those activities.
	Objection, Portability, Withdrawal []string
	Sources                            []activity // the activities that name a source
	Automated                          []string   // names of activities with automated decisions
}

// dutchArticle matches a citation as register.LegalBasis.Article gives it
// ("art. 6(1)(c)"), for the Dutch form.
var dutchArticle = regexp.MustCompile(`art\. (\d+)\((\d+)\)\(([a-z])\)`)

// activity is one chosen activity with its retention in years and months
// and its legal basis's article as the statement's language cites it.
type activity struct {
	register.Activity
	Years, Months int
	Article       string
}

func build(in Input, l casework.Language) statement {
	auth := in.Practice.Authority()
	st := statement{Practice: in.Practice, Authority: auth.NameIn(string(l)), URL: auth.URL, Address: auth.Address}
	for _, a := range in.Activities {
		v := activity{Activity: a, Years: a.Retention.Months / 12, Months: a.Retention.Months % 12, Article: a.LegalBasis.Article()}
		switch l {
		case casework.English:
			v.Article = strings.Replace(v.Article, " AVG", " GDPR", 1)
		default: // Dutch cites "art. 6 lid 1 sub c AVG", as the register's pages do
			v.Article = dutchArticle.ReplaceAllString(v.Article, "art. $1 lid $2 sub $3")
		}
		st.Activity = append(st.Activity, v)
		if a.LegalBasis.Objectable() || a.DirectMarketing {
			st.Objection = append(st.Objection, a.Name)
		}
		if a.LegalBasis.Portable() {
			st.Portability = append(st.Portability, a.Name)
		}
		if a.LegalBasis == register.Consent {
			st.Withdrawal = append(st.Withdrawal, a.Name)
		}
		if strings.TrimSpace(a.Source) != "" {
			st.Sources = append(st.Sources, v)
		}
		if a.AutomatedDecisions {
			st.Automated = append(st.Automated, a.Name)
		}
	}
	return st
}

// collapse leaves at most one empty line between paragraphs, so the
// templates can keep their actions on lines of their own.
func collapse(s string) string {
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	for _, line := range lines {
		line = strings.TrimRight(line, " \t")
		if line == "" && (len(out) == 0 || out[len(out)-1] == "") {
			continue
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
