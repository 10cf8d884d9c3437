package main

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// seqVerdict is what the references' numbers say: per year, 1…n without
// gaps or duplicates (casework.FormatReference, AVG-YYYY-NNNN).
type seqVerdict struct {
	Count     int      // references listed
	Gaps      []string // numbers missing below a year's highest
	Doubled   []string // numbers listed more than once
	Malformed []string // references that are not AVG-YYYY-N
}

func (v seqVerdict) ok(want int) bool {
	return v.Count == want && len(v.Gaps) == 0 && len(v.Doubled) == 0 && len(v.Malformed) == 0
}

func (v seqVerdict) String() string {
	s := fmt.Sprintf("%d references", v.Count)
	if len(v.Gaps)+len(v.Doubled)+len(v.Malformed) == 0 {
		return s + ", numbered 1…" + strconv.Itoa(v.Count) + " without gaps or duplicates"
	}
	list := func(xs []string) string { return strings.Join(xs[:min(len(xs), maxExamples)], ", ") }
	return fmt.Sprintf("%s; %d gaps (%s), %d doubled (%s), %d malformed (%s)", s,
		len(v.Gaps), list(v.Gaps), len(v.Doubled), list(v.Doubled), len(v.Malformed), list(v.Malformed))
}

// checkSequence checks the numbers of the listed references: in each year
// every number from 1 to the highest exactly once.
func checkSequence(listing []listedCase) seqVerdict {
	v := seqVerdict{Count: len(listing)}
	perYear := map[string]map[int]int{}
	for _, c := range listing {
		parts := strings.Split(c.Reference, "-")
		n, err := strconv.Atoi(parts[len(parts)-1])
		if len(parts) != 3 || parts[0] != "AVG" || len(parts[1]) != 4 || err != nil || n < 1 {
			v.Malformed = append(v.Malformed, c.Reference)
			continue
		}
		if perYear[parts[1]] == nil {
			perYear[parts[1]] = map[int]int{}
		}
		perYear[parts[1]][n]++
	}
	for _, year := range slices.Sorted(maps.Keys(perYear)) {
		seen := perYear[year]
		highest := slices.Max(slices.Collect(maps.Keys(seen)))
		for n := 1; n <= highest; n++ {
			switch seen[n] {
			case 0:
				v.Gaps = append(v.Gaps, fmt.Sprintf("%s-%04d", year, n))
			case 1:
			default:
				v.Doubled = append(v.Doubled, fmt.Sprintf("%s-%04d", year, n))
			}
		}
	}
	return v
}

// refMailVerdict compares the mails the sink received, by the reference
// in each, with the acknowledged submissions.
type refMailVerdict struct {
	Expected   int
	Once       int
	Missing    int
	Duplicated int // references that came more than once, beyond the allowed one
	// InFlight is 1 when the mail whose final dot the killed instance had
	// sent when it died came once more from another instance: the one
	// duplicate a kill may cause.
	InFlight int
	// CutBeforeDot counts the killed instance's mails cut off before their
	// final dot: not received, so never a duplicate.
	CutBeforeDot int
	Strangers    int // references no submission was answered with
	NoRef        int // mails without a reference
	Examples     []string
}

func (m refMailVerdict) ok() bool {
	return m.Missing == 0 && m.Duplicated == 0 && m.Strangers == 0 && m.NoRef == 0
}

func (m refMailVerdict) String() string {
	s := fmt.Sprintf("%d expected, %d arrived once, %d missing; more than once: %d in flight at the kill (allowed), %d other; %d cut before the final dot",
		m.Expected, m.Once, m.Missing, m.InFlight, m.Duplicated, m.CutBeforeDot)
	if m.Strangers > 0 || m.NoRef > 0 {
		s += fmt.Sprintf("; %d for no submission, %d without a reference", m.Strangers, m.NoRef)
	}
	if len(m.Examples) > 0 {
		s += " (e.g. " + strings.Join(m.Examples, "; ") + ")"
	}
	return s
}

// checkRefMail counts, per acknowledged reference, the mails received
// (byRef: the EHLO name of each sender, in order). A second mail is
// allowed for inFlight alone, and only when its first came from the killed
// instance (victim): the instance died after the final dot and before it
// could record the mail as sent.
func checkRefMail(acked []string, byRef map[string][]string, noRef int, inFlight, victim string, cutBeforeDot int) refMailVerdict {
	m := refMailVerdict{NoRef: noRef, CutBeforeDot: cutBeforeDot}
	example := func(format string, a ...any) {
		if len(m.Examples) < maxExamples {
			m.Examples = append(m.Examples, fmt.Sprintf(format, a...))
		}
	}
	known := make(map[string]bool, len(acked))
	for _, ref := range acked {
		known[ref] = true
		m.Expected++
		senders := byRef[ref]
		switch {
		case len(senders) == 0:
			m.Missing++
			example("%s none", ref)
		case len(senders) == 1:
			m.Once++
		case ref == inFlight && len(senders) == 2 && senders[0] == victim:
			m.InFlight++
		default:
			m.Duplicated++
			example("%s %d times (from %s)", ref, len(senders), strings.Join(senders, ", "))
		}
	}
	for ref := range byRef {
		if !known[ref] {
			m.Strangers++
			example("%s acknowledged to nobody", ref)
		}
	}
	return m
}
