package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/report"
	"github.com/avgloket/avgloket/internal/textpdf"
)

// staffReportCSV sends the report's figures as CSV: a UTF-8 byte order
// mark, a header row "section,key,value" and a row per figure; keys are
// the machine words of the API, every cell is neutralised against formulas
// (breach.CSVCell). Consents withdrawn (section consent) are the whole
// practice's whatever the branch; the notices sent (section notice) are
// those of the branch's cases; the breaches (section breach) are the register's
// of the period's days. Per month ("month", "2026-11 access") come the
// requests per right and how they were answered: decided, on_time,
// on_time_extended, late, median and p90 (empty while nothing is decided).
func (s *Server) staffReportCSV(c echo.Context) error {
	run, err := s.reportFigures(c)
	if err != nil {
		return err
	}
	if len(run.Problems) > 0 {
		return apperr.InvalidFields(run.Problems)
	}
	r := run.Report
	// Days to answer do not exist while nothing is decided: an empty cell.
	days := func(decided, n int) string {
		if decided == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	n := strconv.Itoa
	rows := [][]string{{"section", "key", "value"},
		{"period", "from", r.Period.From.String()}, {"period", "to", r.Period.To.String()}, {"period", "branch", run.Form.Branch},
		{"total", "received", n(r.Received)}, {"total", "decided", n(r.Decided)},
		{"total", "open", n(r.Open)}, {"total", "on_time", n(r.OnTime)},
		{"total", "late", n(r.Late)}, {"total", "extended", n(r.Extended)},
		{"total", "paused", n(r.Paused)}, {"days", "median", days(r.Decided, r.MedianDays)},
		{"days", "p90", days(r.Decided, r.P90Days)}}
	for _, sec := range []struct {
		name   string
		counts []report.Count
	}{{"right", r.PerRight}, {"channel", r.PerChannel}, {"outcome", r.Outcomes}, {"ground", r.Grounds}} {
		for _, c := range sec.counts {
			rows = append(rows, []string{sec.name, c.Key, n(c.N)})
		}
	}
	rows = append(rows, []string{"consent", "withdrawn", n(r.ConsentsWithdrawn)})
	rows = append(rows, []string{"notice", "sent", n(r.NoticesSent)})
	b := r.Breaches
	rows = append(rows, []string{"breach", "total", n(b.Total)}, []string{"breach", "notified", n(b.Notified)},
		[]string{"breach", "in_time", n(b.NotifiedInTime())}, []string{"breach", "late", n(b.Late)},
		[]string{"breach", "not_notified", n(b.NotNotified)}, []string{"breach", "informed", n(b.Informed)})
	for _, m := range r.Months {
		month := fmt.Sprintf("%04d-%02d ", m.Year, int(m.Month))
		for i, t := range casework.RequestTypes {
			rows = append(rows, []string{"month", month + string(t), n(m.PerRight[i])})
		}
		rows = append(rows, []string{"month", month + "decided", n(m.Decided)}, []string{"month", month + "on_time", n(m.OnTime)},
			[]string{"month", month + "on_time_extended", n(m.OnTimeExtended)}, []string{"month", month + "late", n(m.Late)},
			[]string{"month", month + "median", days(m.Decided, m.MedianDays)}, []string{"month", month + "p90", days(m.Decided, m.P90Days)})
	}
	var buf bytes.Buffer
	buf.WriteString("\xEF\xBB\xBF")
	w := csv.NewWriter(&buf)
	for _, row := range rows {
		for i := range row {
			row[i] = breach.CSVCell(row[i])
		}
		if err := w.Write(row); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition,
		`attachment; filename="verantwoording-`+r.Period.From.String()+`-`+r.Period.To.String()+`.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// staffReportPDF sends the report as a PDF for the file or the auditor:
// the page's figures as tables, the charts' numbers as their tables (the
// charts themselves are the page's; the PDF says so).
func (s *Server) staffReportPDF(c echo.Context) error {
	run, err := s.reportFigures(c)
	if err != nil {
		return err
	}
	if len(run.Problems) > 0 {
		return apperr.InvalidFields(run.Problems)
	}
	b := s.staffBase(c, "report.title", "report")
	t, r := b.Tr, run.Report
	v := reportViewOf(t, r)
	branch := t.T("report.all_branches")
	for _, br := range run.Branches {
		if br.Code == run.Form.Branch {
			branch = br.Name
		}
	}
	period := t.T("report.pdf_period", "From", dayName(t, r.Period.From), "To", dayName(t, r.Period.To))
	name, heading := run.Settings.Name, t.T("report.heading")
	doc := textpdf.Document{Title: strings.TrimSuffix(heading+" — "+name, " — "), Author: name, Created: s.Clock.Now(),
		Footer: strings.TrimPrefix(name+" · "+heading+" · "+period, " · ")}
	doc.Blocks = append(doc.Blocks, textpdf.Block{Kind: textpdf.Title, Text: heading},
		textpdf.Block{Kind: textpdf.Text, Text: strings.TrimPrefix(name+"\n"+period+"\n"+t.T("report.branch")+": "+branch, "\n")},
		textpdf.Block{Kind: textpdf.Note, Text: t.T("report.pdf_made", "Date", t.Date(s.practiceDay(run.Settings)))},
		textpdf.Block{Kind: textpdf.Paragraph, Text: t.T("report.intro")},
		textpdf.Block{Kind: textpdf.Note, Text: t.T("report.note_months")},
		textpdf.Block{Kind: textpdf.Note, Text: t.T("report.pdf_charts")})
	section := func(sec reportSection) {
		doc.Blocks = append(doc.Blocks, textpdf.Block{Kind: textpdf.Heading, Text: sec.Caption})
		if len(sec.Lines) == 0 {
			doc.Blocks = append(doc.Blocks, textpdf.Block{Kind: textpdf.Text, Text: t.T("report.none")})
			return
		}
		rows := [][]string{{t.T("report.col_figure"), t.T("report.col_value")}}
		for _, l := range sec.Lines {
			value, label := strconv.Itoa(l.N), l.Label
			if l.None {
				value = "–"
			}
			if l.Sub {
				label = "    " + label
			}
			rows = append(rows, []string{label, value})
		}
		doc.Blocks = append(doc.Blocks, textpdf.Block{Kind: textpdf.Table, Rows: rows})
	}
	for _, sec := range v.Requests {
		section(sec)
	}
	// Requests per month by right: the rights of each month in words, as
	// seven columns of rights do not fit the page.
	perRight := v.Figures[0]
	rows := [][]string{{t.T("report.col_month"), t.T("report.col_total"), t.T("report.per_right")}}
	for _, row := range perRight.Table.Rows {
		var parts []string
		for i, cell := range row[1 : len(row)-1] {
			if cell != "0" {
				parts = append(parts, perRight.Table.Columns[i+1]+" "+cell)
			}
		}
		if len(parts) == 0 {
			parts = []string{"–"}
		}
		rows = append(rows, []string{row[0], row[len(row)-1], strings.Join(parts, ", ")})
	}
	doc.Blocks = append(doc.Blocks, textpdf.Block{Kind: textpdf.Heading, Text: t.T("report.per_month")},
		textpdf.Block{Kind: textpdf.Table, Rows: rows, Align: "LRL"})
	for _, f := range v.Figures[1:] {
		doc.Blocks = append(doc.Blocks, textpdf.Block{Kind: textpdf.Heading, Text: f.Title},
			textpdf.Block{Kind: textpdf.Table, Rows: append([][]string{f.Table.Columns}, f.Table.Rows...)})
	}
	section(v.Consents)
	doc.Blocks = append(doc.Blocks, textpdf.Block{Kind: textpdf.Note, Text: t.T("report.note_consents")})
	section(v.Breaches)
	doc.Blocks = append(doc.Blocks, textpdf.Block{Kind: textpdf.Note, Text: t.T("report.note_breaches")})
	return s.sendPDF(c, "verantwoording-"+r.Period.From.String()+"-"+r.Period.To.String()+".pdf", doc)
}
