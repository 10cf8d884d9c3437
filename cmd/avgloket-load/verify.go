package main

import (
	"fmt"
	"strings"
)

// filed is one submission as the harness knows it: the invented requester
// address it put in (one per submission) and, when the portal acknowledged
// it (201), the reference the answer gave.
type filed struct {
	Email     string
	Reference string // "" when no 2xx answer came
}

// listedCase is a case as the staff API lists it, reduced to what the check
// compares.
type listedCase struct {
	Reference string
	Email     string
}

// verdict is what the listing says about the submissions.
type verdict struct {
	Acknowledged int // 2xx answers
	Found        int // acknowledged and listed exactly once, under the reference answered
	Lost         int // acknowledged, not listed
	Duplicated   int // listed more than once (acknowledged or not)
	WrongRef     int // listed once, under another reference than the one answered
	Unanswered   int // no 2xx answer came, but the case exists (in flight at a kill)
	Strangers    int // listed with the run's marker but never sent
	SameRef      int // references listed more than once
	Examples     []string
}

// ok reports whether nothing acknowledged was lost, doubled or changed.
func (v verdict) ok() bool {
	return v.Lost == 0 && v.Duplicated == 0 && v.WrongRef == 0 && v.Strangers == 0 && v.SameRef == 0
}

func (v verdict) String() string {
	s := fmt.Sprintf("%d acknowledged, %d found once, %d lost, %d duplicated, %d under another reference, %d unanswered but stored",
		v.Acknowledged, v.Found, v.Lost, v.Duplicated, v.WrongRef, v.Unanswered)
	if v.Strangers > 0 || v.SameRef > 0 {
		s += fmt.Sprintf(", %d never sent, %d references twice", v.Strangers, v.SameRef)
	}
	if len(v.Examples) > 0 {
		s += " (e.g. " + strings.Join(v.Examples, "; ") + ")"
	}
	return s
}

// maxExamples bounds the examples a verdict names.
const maxExamples = 3

// check compares the submissions with the listing. Only listed cases whose
// address carries marker (the run's own) are considered, so the check holds
// on a folder with other cases in it. Every acknowledged submission must be
// listed exactly once under the reference answered; one without an answer
// may be listed at most once (a kill can cut the answer of a committed
// case, never commit it twice).
func check(sent []filed, listing []listedCase, marker string) verdict {
	byEmail := map[string][]string{}
	refs := map[string]int{}
	for _, c := range listing {
		if !strings.Contains(c.Email, marker) {
			continue
		}
		byEmail[c.Email] = append(byEmail[c.Email], c.Reference)
		refs[c.Reference]++
	}
	var v verdict
	example := func(format string, a ...any) {
		if len(v.Examples) < maxExamples {
			v.Examples = append(v.Examples, fmt.Sprintf(format, a...))
		}
	}
	known := make(map[string]bool, len(sent))
	for _, f := range sent {
		known[f.Email] = true
		got := byEmail[f.Email]
		if f.Reference != "" {
			v.Acknowledged++
		}
		switch {
		case len(got) > 1:
			v.Duplicated++
			example("%s listed %d times", f.Email, len(got))
		case f.Reference == "" && len(got) == 1:
			v.Unanswered++
		case f.Reference == "":
		case len(got) == 0:
			v.Lost++
			example("%s (%s) missing", f.Email, f.Reference)
		case got[0] != f.Reference:
			v.WrongRef++
			example("%s answered %s, listed as %s", f.Email, f.Reference, got[0])
		default:
			v.Found++
		}
	}
	for e := range byEmail {
		if !known[e] {
			v.Strangers++
			example("%s listed but never sent", e)
		}
	}
	for r, n := range refs {
		if n > 1 {
			v.SameRef++
			example("reference %s listed %d times", r, n)
		}
	}
	return v
}

// mailVerdict compares the mails the test server received with the
// acknowledged submissions: each must have had exactly one.
type mailVerdict struct {
	Expected, Once, Missing, Duplicated int
	Examples                            []string
}

func (m mailVerdict) ok() bool { return m.Missing == 0 && m.Duplicated == 0 }

func (m mailVerdict) String() string {
	s := fmt.Sprintf("%d expected, %d arrived once, %d missing, %d more than once", m.Expected, m.Once, m.Missing, m.Duplicated)
	if len(m.Examples) > 0 {
		s += " (e.g. " + strings.Join(m.Examples, "; ") + ")"
	}
	return s
}

// checkMail counts, per acknowledged submission, the mails received for
// its address.
func checkMail(sent []filed, received map[string]int) mailVerdict {
	var m mailVerdict
	for _, f := range sent {
		if f.Reference == "" {
			continue
		}
		m.Expected++
		switch n := received[f.Email]; {
		case n == 1:
			m.Once++
		case n == 0:
			m.Missing++
			if len(m.Examples) < maxExamples {
				m.Examples = append(m.Examples, f.Email+" none")
			}
		default:
			m.Duplicated++
			if len(m.Examples) < maxExamples {
				m.Examples = append(m.Examples, fmt.Sprintf("%s %d times", f.Email, n))
			}
		}
	}
	return m
}
