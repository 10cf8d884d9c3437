package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/report"
)

// reportStore reads the facts of the accountability report.
type reportStore interface {
	ReportFacts(ctx context.Context, from, to deadline.Date, branch string, loc *time.Location) ([]report.Fact, error)
}

// reportFields is the order of the report form's fields, for its errors.
var reportFields = []string{"from", "to", "branch"}

// reportForm is the report's period and branch as given.
type reportForm struct{ From, To, Branch string }

// reportLine is one labelled figure.
type reportLine struct {
	Key, Label string
	N          int
	// None: the figure does not exist (days to answer with nothing
	// decided); the page shows a dash, not a misleading 0.
	None bool
}

// reportSection is one table of labelled figures; a line's key is
// "section.key", as in the CSV.
type reportSection struct {
	Caption string
	Lines   []reportLine
}

// reportChart is the requests per month by right as stacked bars in SVG
// units; the months table beside it gives the same numbers.
type reportChart struct {
	Width, Height, PlotHeight, BarWidth int
	Bars                                []reportBar
	Legend                              []reportSegment
}

type reportBar struct {
	Label     string // the month, short
	X, LabelX int
	Segments  []reportSegment
}

type reportSegment struct {
	Y, Height int
	Fill      string
	Title     string // the right and its number, for a hover
}

// rightColours are the bars' colours per right, in the order of
// casework.RequestTypes; each differs from white by a contrast of 3:1 or more.
var rightColours = []string{"#1b5e9a", "#b03a2e", "#2e7d32", "#7b3f9e", "#a35a00", "#00707a", "#5d4037"}

// chartOf draws the months of r as stacked bars.
func chartOf(months []reportMonth, rights []reportLine, r report.Report) reportChart {
	ch := reportChart{Width: 600, Height: 230, PlotHeight: 200}
	ch.BarWidth = report.BarWidth(len(r.Months), ch.Width)
	for i, b := range report.Stack(r.Months, ch.Width, ch.PlotHeight) {
		bar := reportBar{Label: shortMonth(months[i].Label), X: b.X, LabelX: b.X + ch.BarWidth/2}
		for _, sg := range b.Segments {
			bar.Segments = append(bar.Segments, reportSegment{Y: sg.Y, Height: sg.Height, Fill: rightColours[sg.Right],
				Title: rights[sg.Right].Label + ": " + strconv.Itoa(sg.N)})
		}
		ch.Bars = append(ch.Bars, bar)
	}
	for i, l := range rights {
		ch.Legend = append(ch.Legend, reportSegment{Fill: rightColours[i], Title: l.Label})
	}
	return ch
}

// shortMonth is the first three letters of a month's name.
func shortMonth(label string) string {
	r := []rune(label)
	return string(r[:min(3, len(r))])
}

// reportMonth is one month's row of requests per right.
type reportMonth struct {
	Label    string
	PerRight []int
	Total    int
}

type reportPage struct {
	base
	formState
	Form     reportForm
	Branches []practice.Branch
	Shown    bool // the figures are shown (the form was valid)
	Report   report.Report
	Sections []reportSection
	Rights   []reportLine // the months table's columns
	Months   []reportMonth
	Chart    reportChart
	CSV      string // the address of the CSV of the same figures
}

// reportQuery reads the period and branch of the report from the query:
// the current calendar year and every branch when none is given.
func (s *Server) reportQuery(c echo.Context, today deadline.Date, branches []practice.Branch) (reportForm, report.Period, map[string]string) {
	form := reportForm{From: clean(c.QueryParam("from")), To: clean(c.QueryParam("to")), Branch: clean(c.QueryParam("branch"))}
	if form.From == "" {
		form.From = deadline.Date{Year: today.Year, Month: time.January, Day: 1}.String()
	}
	if form.To == "" {
		form.To = deadline.Date{Year: today.Year, Month: time.December, Day: 31}.String()
	}
	problems := map[string]string{}
	from, err := deadline.ParseDate(form.From)
	if err != nil {
		problems["from"] = "report.error_date"
	}
	to, err := deadline.ParseDate(form.To)
	switch {
	case err != nil:
		problems["to"] = "report.error_date"
	case problems["from"] == "" && to.Before(from):
		problems["to"] = "report.error_range"
	case problems["from"] == "" && deadline.DaysBetween(from, to) > 3660:
		problems["to"] = "report.error_long"
	}
	if form.Branch != "" {
		known := false
		for _, b := range branches {
			known = known || b.Code == form.Branch
		}
		if !known {
			problems["branch"] = "report.error_branch"
		}
	}
	return form, report.Period{From: from, To: to}, problems
}

// reportFigures reads the settings, the branches and the facts, and
// computes the report; problems name the form's bad fields, and then the
// report is empty.
func (s *Server) reportFigures(c echo.Context) (reportForm, []practice.Branch, report.Report, map[string]string, error) {
	ctx := c.Request().Context()
	settings, err := s.Store.Settings(ctx)
	if err != nil {
		return reportForm{}, nil, report.Report{}, nil, err
	}
	branches, err := s.Store.Branches(ctx)
	if err != nil {
		return reportForm{}, nil, report.Report{}, nil, err
	}
	form, period, problems := s.reportQuery(c, s.practiceDay(settings), branches)
	if len(problems) > 0 {
		return form, branches, report.Report{}, problems, nil
	}
	facts, err := s.Store.ReportFacts(ctx, period.From, period.To, form.Branch, settings.Location())
	if err != nil {
		return form, branches, report.Report{}, nil, err
	}
	return form, branches, report.Compute(facts, period), nil, nil
}

// staffReport shows the accountability report (AVG art. 5(2)) for a period
// and branch: owners only.
func (s *Server) staffReport(c echo.Context) error {
	form, branches, r, problems, err := s.reportFigures(c)
	if err != nil {
		return err
	}
	b := s.staffBase(c, "report.title", "report")
	p := reportPage{base: b, formState: newFormState(b.Tr, reportFields, problems), Form: form, Branches: branches}
	if len(problems) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, "staff_report", p)
	}
	p.Shown, p.Report = true, r
	p.Sections, p.Rights, p.Months = reportLines(b.Tr, r)
	p.Chart = chartOf(p.Months, p.Rights, r)
	q := url.Values{"from": {form.From}, "to": {form.To}}
	if form.Branch != "" {
		q.Set("branch", form.Branch)
	}
	p.CSV = "/staff/report/report.csv?" + q.Encode()
	return s.render(c, http.StatusOK, "staff_report", p)
}

// reportLines labels the report's figures in the page's language.
func reportLines(t tr, r report.Report) (sections []reportSection, rights []reportLine, months []reportMonth) {
	label := func(section, prefix, suffix string, cs []report.Count) []reportLine {
		lines := make([]reportLine, len(cs))
		for i, c := range cs {
			lines[i] = reportLine{Key: section + "." + c.Key, Label: t.T(prefix + c.Key + suffix), N: c.N}
		}
		return lines
	}
	var totals []reportLine
	for _, f := range []struct {
		key string
		n   int
	}{{"received", r.Received}, {"decided", r.Decided}, {"on_time", r.OnTime}, {"late", r.Late}, {"extended", r.Extended},
		{"open", r.Open}, {"paused", r.Paused}, {"median", r.MedianDays}, {"p90", r.P90Days}} {
		none := (f.key == "median" || f.key == "p90") && r.Decided == 0
		totals = append(totals, reportLine{Key: f.key, Label: t.T("report." + f.key), N: f.n, None: none})
	}
	rights = label("right", "type.", ".title", r.PerRight)
	sections = []reportSection{{t.T("report.totals"), totals}, {t.T("report.per_right"), rights},
		{t.T("report.per_channel"), label("channel", "channel.", "", r.PerChannel)},
		{t.T("report.outcomes"), label("outcome", "outcome_label.", "", r.Outcomes)},
		{t.T("report.grounds"), label("ground", "ground_label.", "", r.Grounds)}}
	for _, m := range r.Months {
		rm := reportMonth{Label: t.T("report.month."+strconv.Itoa(int(m.Month))) + " " + strconv.Itoa(m.Year), PerRight: m.PerRight}
		for _, n := range m.PerRight {
			rm.Total += n
		}
		months = append(months, rm)
	}
	return sections, rights, months
}

// staffReportCSV sends the report's figures as CSV: a UTF-8 byte order
// mark, a header row "section,key,value" and a row per figure; keys are
// the machine words of the API, every cell is neutralised against formulas
// (breach.CSVCell).
func (s *Server) staffReportCSV(c echo.Context) error {
	form, _, r, problems, err := s.reportFigures(c)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return apperr.InvalidFields(problems)
	}
	// Days to answer do not exist while nothing is decided: an empty cell.
	days := func(n int) string {
		if r.Decided == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	rows := [][]string{{"section", "key", "value"},
		{"period", "from", r.Period.From.String()}, {"period", "to", r.Period.To.String()}, {"period", "branch", form.Branch},
		{"total", "received", strconv.Itoa(r.Received)}, {"total", "decided", strconv.Itoa(r.Decided)},
		{"total", "open", strconv.Itoa(r.Open)}, {"total", "on_time", strconv.Itoa(r.OnTime)},
		{"total", "late", strconv.Itoa(r.Late)}, {"total", "extended", strconv.Itoa(r.Extended)},
		{"total", "paused", strconv.Itoa(r.Paused)}, {"days", "median", days(r.MedianDays)},
		{"days", "p90", days(r.P90Days)}}
	for _, sec := range []struct {
		name   string
		counts []report.Count
	}{{"right", r.PerRight}, {"channel", r.PerChannel}, {"outcome", r.Outcomes}, {"ground", r.Grounds}} {
		for _, n := range sec.counts {
			rows = append(rows, []string{sec.name, n.Key, strconv.Itoa(n.N)})
		}
	}
	for _, m := range r.Months {
		for i, t := range casework.RequestTypes {
			rows = append(rows, []string{"month", fmt.Sprintf("%04d-%02d %s", m.Year, int(m.Month), t), strconv.Itoa(m.PerRight[i])})
		}
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
