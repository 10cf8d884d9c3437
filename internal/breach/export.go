package breach

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// CSVCell neutralises s for a spreadsheet (CSV injection, OWASP), as a
// spreadsheet user should see it: the text with a ' before each formula.
//
// A spreadsheet runs a cell as a formula when it starts with =, +, - or @.
// Dutch and Belgian spreadsheets split a CSV line on ";" and others on "," or
// a tab, whatever the quotes say, and a line break starts a new row in a
// reader that ignores quotes; so every segment of s that follows one of ; , tab
// CR or LF, and s itself, is a cell to such a reader. Each of them that starts
// with =, +, - or @, after any spaces (which an import may trim), gets a '
// before that character. A value starting with a tab or a carriage return
// gets a ' in front as well. Every other value is returned unchanged:
// "Lek;=cmd" becomes "Lek;'=cmd", "+31 6" becomes "'+31 6".
func CSVCell(s string) string {
	if s == "" {
		return s
	}
	var b strings.Builder
	if s[0] == '\t' || s[0] == '\r' {
		b.WriteByte('\'')
	}
	start := true // at the start of a segment, spaces skipped
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case strings.IndexByte(";,\t\r\n", c) >= 0:
			start = true
		case start && c == ' ':
		case start && strings.IndexByte("=+-@", c) >= 0:
			b.WriteByte('\'')
			start = false
		default:
			start = false
		}
		b.WriteByte(c)
	}
	return b.String()
}

// registerColumns is the header row of the register export. The names are
// the API's JSON keys, so scripts can read both alike.
var registerColumns = []string{
	"reference", "title", "branch", "aware_at", "ap_deadline", "started_at", "ended_at", "ongoing",
	"how_discovered", "reported_by", "kinds", "incident_type", "description", "data_categories",
	"special_categories", "records", "affected_groups", "people", "score", "band", "notify_ap",
	"inform_people", "decision_reason", "decided_at", "decided_by", "ap_submitted_at", "ap_reference",
	"late", "late_reason", "informed_at", "informed_count", "informed_how", "not_informed_reason",
	"consequences", "measures_taken", "measures_planned", "follow_ups",
}

// RegisterCSV writes the register (art. 33(5)) as CSV: a UTF-8 byte order
// mark (so that spreadsheet programs read the accents right), a header row,
// then a row per breach in the order given. Times are written as
// "2006-01-02 15:04" in loc (nil means Europe/Amsterdam); lists are joined
// with "; "; counts are "12", "10-20", ">=10" or "<=20"; a yes-or-no answer
// is "true", "false" or "" when nobody answered; follow_ups lists the
// submissions after the initial one as "<kind> <time> <reference>"; every
// cell passes CSVCell and is quoted.
func RegisterCSV(w io.Writer, breaches []Breach, loc *time.Location) error {
	loc = orAmsterdam(loc)
	var b strings.Builder
	b.WriteString("\xEF\xBB\xBF")
	writeQuoted(&b, registerColumns)
	for _, br := range breaches {
		row := registerRow(br, loc)
		for i := range row {
			row[i] = CSVCell(row[i])
		}
		writeQuoted(&b, row)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("register export: %w", err)
	}
	return nil
}

// writeQuoted writes one CSV line (RFC 4180, CRLF) with every cell in
// double quotes, not only those holding a comma: a spreadsheet that splits
// on ";" then keeps "Lek;…" in one cell. encoding/csv quotes only where a
// comma reader needs it.
func writeQuoted(b *strings.Builder, cells []string) {
	for i, c := range cells {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(c, `"`, `""`))
		b.WriteByte('"')
	}
	b.WriteString("\r\n")
}

// registerRow returns the cells of b in the order of registerColumns.
func registerRow(b Breach, loc *time.Location) []string {
	at := func(t *time.Time) string {
		if t == nil || t.IsZero() {
			return ""
		}
		return t.In(loc).Format("2006-01-02 15:04")
	}
	kinds := make([]string, 0, len(b.Kinds))
	for _, k := range b.Kinds {
		kinds = append(kinds, string(k))
	}
	var score, band string
	if s, ok := b.Severity(); ok {
		score, band = strconv.FormatFloat(s.Score, 'f', 2, 64), s.Band
	}
	var notify, inform, reason, decidedAt, decidedBy string
	if d := b.Decision; d != nil {
		notify, inform, reason, decidedAt, decidedBy = strconv.FormatBool(d.NotifyAP), d.InformPeople, d.Reason, at(&d.DecidedAt), d.DecidedBy
	}
	var submitted, apRef, late string
	if n, ok := b.FirstNotification(); ok {
		submitted, apRef, late = at(&n.SubmittedAt), n.APReference, strconv.FormatBool(Late(n.SubmittedAt, b.AwareAt))
	}
	var informedAt, informedCount, informedHow string
	if in := b.Informed; in != nil {
		informedAt, informedCount, informedHow = at(in.At), exportCount(in.Count), in.How
	}
	var followUps []string
	for _, n := range b.Notifications {
		if n.Kind != NotifyInitial {
			followUps = append(followUps, strings.TrimSpace(string(n.Kind)+" "+at(&n.SubmittedAt)+" "+n.APReference))
		}
	}
	deadline := APDeadline(b.AwareAt)
	return []string{
		b.Reference, b.Title, b.Branch, at(&b.AwareAt), at(&deadline), at(b.StartedAt), at(b.EndedAt),
		exportAnswer(b.Ongoing), b.HowDiscovered, b.ReportedBy, strings.Join(kinds, "; "),
		string(b.Incident) + suffix(": ", b.IncidentOther), b.Description,
		strings.Join(b.DataCategories, "; ") + suffix(": ", b.DataOther),
		strings.Join(b.SpecialCategories, "; "), exportCount(b.Records),
		strings.Join(b.AffectedGroups, "; "), exportCount(b.People), score, band, notify, inform, reason,
		decidedAt, decidedBy, submitted, apRef, late, b.LateReason, informedAt, informedCount, informedHow,
		b.NotInformedReason, b.Consequences, b.MeasuresTaken, b.MeasuresPlanned, strings.Join(followUps, "; "),
	}
}

// exportAnswer writes a as "true" or "false", and "" when nobody answered.
func exportAnswer(a Answer) string {
	if a == Unanswered {
		return ""
	}
	return strconv.FormatBool(a == Yes)
}

// suffix returns sep + s, or "" when s is blank.
func suffix(sep, s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	return sep + strings.TrimSpace(s)
}

// exportCount writes c as "12", "10-20", ">=10" or "<=20"; "" when unknown.
func exportCount(c Count) string {
	switch {
	case c.Exact != nil:
		return strconv.Itoa(*c.Exact)
	case c.Min != nil && c.Max != nil:
		return strconv.Itoa(*c.Min) + "-" + strconv.Itoa(*c.Max)
	case c.Min != nil:
		return ">=" + strconv.Itoa(*c.Min)
	case c.Max != nil:
		return "<=" + strconv.Itoa(*c.Max)
	}
	return ""
}
