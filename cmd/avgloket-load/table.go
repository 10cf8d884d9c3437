package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Verdicts in the bench table. A MISS is a target not reached; a FAIL is a
// bug (something lost, doubled, damaged or refused), which makes the run
// fail whatever --strict says.
const (
	pass = "PASS"
	miss = "MISS"
	fail = "FAIL"
)

// line is one figure of the bench table.
type line struct {
	figure  string
	value   string // as measured, with its unit
	limit   string // the limit it is divided by, or the target it is held to
	ratio   string // value / limit where that means something, else ""
	target  string // the target, e.g. "≥ 0.5"
	verdict string // pass, miss, fail, or "" for a figure without a target
}

// atLeast is pass when v ≥ bound, else miss.
func atLeast(v, bound float64) string {
	if v >= bound {
		return pass
	}
	return miss
}

// atMost is pass when v ≤ bound, else miss.
func atMost(v, bound float64) string {
	if v <= bound {
		return pass
	}
	return miss
}

// okOrFail is pass or fail.
func okOrFail(ok bool) string {
	if ok {
		return pass
	}
	return fail
}

// writeTable prints the lines as aligned columns.
func writeTable(w io.Writer, lines []line) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tmeasured\tlimit\tratio\ttarget\tresult")
	fmt.Fprintln(tw, "------\t--------\t-----\t-----\t------\t------")
	for _, l := range lines {
		fmt.Fprintln(tw, strings.Join([]string{l.figure, l.value, dash(l.limit), dash(l.ratio), dash(l.target), dash(l.verdict)}, "\t"))
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// count returns how many lines have the verdict v.
func count(lines []line, v string) int {
	n := 0
	for _, l := range lines {
		if l.verdict == v {
			n++
		}
	}
	return n
}
