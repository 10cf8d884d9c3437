package letters

import (
	"cmp"
	"strings"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/lang"
)

// objectionLines says, for an objection decided with a recorded objection
// (AVG art. 21), what became of the processing objected to: for direct
// marketing, from which day it stopped and for which activities; otherwise
// the activities and the balancing — the requester's grounds, the
// practice's compelling grounds and the outcome, in the officer's words —
// the balancing only once the requester is confirmed, as the reasons of a
// refusal are held back (DOMAIN.md §8). Empty for another right, a
// withdrawn request or no record.
func (w *Writer) objectionLines(k casework.Case, d casework.Decision, c lang.Code) string {
	o := k.Objection
	if k.Type != casework.Objection || o == nil || d.Outcome == casework.Withdrawn || len(o.Activities) == 0 {
		return ""
	}
	var lines []string
	if o.DirectMarketing {
		lines = append(lines, w.cat.T(c, "letter.objection.marketing", map[string]any{"From": lang.Date(c, o.From)}))
	} else {
		lines = append(lines, w.cat.T(c, "letter.objection.activities", nil))
	}
	for _, a := range o.Activities {
		lines = append(lines, "- "+cmp.Or(a.Name, a.Key))
	}
	if o.DirectMarketing || !k.RequesterConfirmed() {
		return strings.Join(lines, "\n")
	}
	lines = append(lines, "", w.cat.T(c, "letter.objection.balancing", nil))
	for _, g := range []struct{ id, text string }{
		{"letter.objection.requester_grounds", o.RequesterGrounds},
		{"letter.objection.practice_grounds", o.PracticeGrounds},
	} {
		if g.text != "" {
			lines = append(lines, w.cat.T(c, g.id, map[string]any{"Text": g.text}))
		}
	}
	lines = append(lines, w.cat.T(c, "letter.objection.outcome."+string(o.Outcome), nil))
	return strings.Join(lines, "\n")
}
