package letters

import (
	"strings"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/lang"
)

// rectificationLines lists, for a rectification granted in whole or in part
// or refused because the data are correct, what was corrected (the field,
// its new value and the systems) and what was not and why; for an item
// kept, that the requester's own statement was added to the file, or that
// they may send one (BW 7:454(2)). Empty for another right or outcome, or
// with no items recorded.
func (w *Writer) rectificationLines(k casework.Case, d casework.Decision, c lang.Code) string {
	decided := d.Outcome == casework.Granted || d.Outcome == casework.PartiallyGranted ||
		(d.Outcome == casework.Refused && d.Ground == casework.GroundDataCorrect)
	if k.Type != casework.Rectification || !decided || len(k.Rectification) == 0 {
		return ""
	}
	lines := []string{w.cat.T(c, "letter.rectification.heading", nil)}
	offer := false
	for _, it := range k.Rectification {
		args := map[string]any{"Field": it.Field, "New": it.New, "Systems": strings.Join(it.Systems, ", "), "Reason": it.Reason}
		if !it.Kept {
			lines = append(lines, "- "+w.cat.T(c, "letter.rectification.corrected", args))
			continue
		}
		line := "- " + w.cat.T(c, "letter.rectification.kept", args)
		if it.Statement != "" {
			line += " " + w.cat.T(c, "letter.rectification.statement_added", nil)
		} else {
			offer = true
		}
		lines = append(lines, line)
	}
	if offer {
		lines = append(lines, "", w.cat.T(c, "letter.rectification.statement_offer", nil))
	}
	return strings.Join(lines, "\n")
}
