package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/report"
)

// reportStore reads what the accountability report counts.
type reportStore interface {
	ReportFacts(ctx context.Context, from, to deadline.Date, branch string, loc *time.Location) ([]report.Fact, error)
	// ConsentWithdrawals returns the days consents were withdrawn in the
	// period, of the whole practice (a consent has no branch).
	ConsentWithdrawals(ctx context.Context, from, to deadline.Date) ([]deadline.Date, error)
	// NoticesSent counts the art. 19 notices sent in the period, of one
	// branch's cases (every case when branch is "").
	NoticesSent(ctx context.Context, from, to deadline.Date, branch string, loc *time.Location) (int, error)
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
	Sub  bool // a part of the figure above it ("of which …"), indented
}

// reportSection is one table of labelled figures; a line's key is
// "section.key", as in the CSV.
type reportSection struct {
	Caption string
	Lines   []reportLine
}

// reportTable is a table of a chart's numbers: a header per column and
// rows of cells as shown (a dash where a figure does not exist).
type reportTable struct {
	Caption string
	Columns []string
	Rows    [][]string
}

// reportFigure is a chart with the table of its numbers beside it.
type reportFigure struct {
	ID    string // unique on the page, the prefix of the chart's ids
	Title string // the chart's title and the table's caption
	Desc  string // how to read the chart
	Chart reportChart
	Table reportTable
}

// reportView is the report labelled in the page's language: the figures
// the page, the CSV's keys and the PDF show.
type reportView struct {
	Requests []reportSection // totals, per right, per channel, outcomes, grounds
	Consents reportSection   // consents withdrawn and the art. 19 notices sent
	Breaches reportSection   // the breach register's figures of the period
	Figures  []reportFigure  // the charts with their tables
}

type reportPage struct {
	base
	formState
	Form     reportForm
	Branches []practice.Branch
	Shown    bool         // the figures are shown (the form was valid)
	Parts    []reportPart // the report's view in the page's order
	// BreachYears link to the breach register's summaries of the years the
	// period touches.
	BreachYears []reportLink
	CSV, PDF    string // the addresses of the same figures as CSV and PDF
}

type reportLink struct{ Label, URL string }

// reportPart is one part of the page: a heading, a table of figures, a
// note, or a chart with its table.
type reportPart struct {
	Heading, Note string
	Section       *reportSection
	Figure        *reportFigure
}

// parts puts v in the page's order: the totals, the charts, the requests'
// other tables, then what stands beside the requests.
func (v *reportView) parts(t tr) []reportPart {
	out := []reportPart{{Section: &v.Requests[0]}, {Note: t.T("report.note_months")}}
	for i := range v.Figures {
		out = append(out, reportPart{Figure: &v.Figures[i]})
	}
	for i := range v.Requests[1:] {
		out = append(out, reportPart{Section: &v.Requests[i+1]})
	}
	return append(out, reportPart{Heading: t.T("report.beside")}, reportPart{Section: &v.Consents},
		reportPart{Note: t.T("report.note_consents")}, reportPart{Section: &v.Breaches}, reportPart{Note: t.T("report.note_breaches")})
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

// reportRun is a report as asked for: the form, what it was computed
// with, and the problems of the form (then Report is empty).
type reportRun struct {
	Form     reportForm
	Branches []practice.Branch
	Settings practice.Settings
	Report   report.Report
	Problems map[string]string
}

// reportFigures reads the settings, the branches, the facts of the cases,
// the consents withdrawn and the breaches, and computes the report.
func (s *Server) reportFigures(c echo.Context) (reportRun, error) {
	ctx := c.Request().Context()
	var run reportRun
	var err error
	if run.Settings, err = s.Store.Settings(ctx); err != nil {
		return run, err
	}
	if run.Branches, err = s.Store.Branches(ctx); err != nil {
		return run, err
	}
	var period report.Period
	run.Form, period, run.Problems = s.reportQuery(c, s.practiceDay(run.Settings), run.Branches)
	if len(run.Problems) > 0 {
		return run, nil
	}
	loc := run.Settings.Location()
	in := report.Input{Location: loc}
	if in.Facts, err = s.Store.ReportFacts(ctx, period.From, period.To, run.Form.Branch, loc); err != nil {
		return run, err
	}
	if in.Withdrawals, err = s.Store.ConsentWithdrawals(ctx, period.From, period.To); err != nil {
		return run, err
	}
	if in.NoticesSent, err = s.Store.NoticesSent(ctx, period.From, period.To, run.Form.Branch, loc); err != nil {
		return run, err
	}
	// The register lists breaches by the year of their reference, the year
	// breach.Breach.Day keeps them in.
	for year := period.From.Year; year <= period.To.Year; year++ {
		records, err := s.Breaches.List(ctx, breachActorOf(c), breach.Filter{Year: year, Branch: run.Form.Branch})
		if err != nil {
			return run, err
		}
		for _, r := range records {
			in.Breaches = append(in.Breaches, r.Breach)
		}
	}
	run.Report = report.Compute(in, period)
	return run, nil
}

// reportAddress is the address of the report, its CSV or its PDF (path)
// for the form's period and branch.
func reportAddress(path string, form reportForm) string {
	q := url.Values{"from": {form.From}, "to": {form.To}}
	if form.Branch != "" {
		q.Set("branch", form.Branch)
	}
	return path + "?" + q.Encode()
}

// staffReport shows the accountability report (AVG art. 5(2)) for a period
// and branch: owners only.
func (s *Server) staffReport(c echo.Context) error {
	run, err := s.reportFigures(c)
	if err != nil {
		return err
	}
	b := s.staffBase(c, "report.title", "report")
	p := reportPage{base: b, formState: newFormState(b.Tr, reportFields, run.Problems), Form: run.Form, Branches: run.Branches}
	if len(run.Problems) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, "staff_report", p)
	}
	r := run.Report
	v := reportViewOf(b.Tr, r)
	p.Shown, p.Parts = true, v.parts(b.Tr)
	for year := r.Period.From.Year; year <= r.Period.To.Year; year++ {
		p.BreachYears = append(p.BreachYears, reportLink{Label: b.Tr.T("report.breach_summary", "Year", year),
			URL: "/staff/breaches/summary?year=" + strconv.Itoa(year)})
	}
	p.CSV, p.PDF = reportAddress("/staff/report/report.csv", run.Form), reportAddress("/staff/report/report.pdf", run.Form)
	return s.render(c, http.StatusOK, "staff_report", p)
}

// reportViewOf labels the report's figures in the page's language.
func reportViewOf(t tr, r report.Report) reportView {
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
	rights := label("right", "type.", ".title", r.PerRight)
	v := reportView{Requests: []reportSection{{t.T("report.totals"), totals}, {t.T("report.per_right"), rights},
		{t.T("report.per_channel"), label("channel", "channel.", "", r.PerChannel)},
		{t.T("report.outcomes"), label("outcome", "outcome_label.", "", r.Outcomes)},
		{t.T("report.grounds"), label("ground", "ground_label.", "", r.Grounds)}}}
	v.Consents = reportSection{Caption: t.T("report.consents"),
		Lines: []reportLine{{Key: "consent.withdrawn", Label: t.T("report.consents_withdrawn"), N: r.ConsentsWithdrawn}}}
	v.Consents.Lines = append(v.Consents.Lines, reportLine{Key: "notice.sent", Label: t.T("report.notices_sent"), N: r.NoticesSent})
	sum := r.Breaches
	v.Breaches = reportSection{Caption: t.T("report.breaches"), Lines: []reportLine{
		{Key: "breach.total", Label: t.T("report.breach.total"), N: sum.Total},
		{Key: "breach.notified", Label: t.T("report.breach.notified"), N: sum.Notified},
		{Key: "breach.in_time", Label: t.T("report.breach.in_time"), N: sum.NotifiedInTime(), Sub: true},
		{Key: "breach.late", Label: t.T("report.breach.late"), N: sum.Late, Sub: true},
		{Key: "breach.not_notified", Label: t.T("report.breach.not_notified"), N: sum.NotNotified},
		{Key: "breach.informed", Label: t.T("report.breach.informed"), N: sum.Informed},
	}}
	v.Figures = reportFiguresOf(t, r, rights)
	return v
}

// dayName is a day of the report in full without its weekday: "1
// januari 2026".
func dayName(t tr, d deadline.Date) string {
	return strconv.Itoa(d.Day) + " " + t.T("report.month."+strconv.Itoa(int(d.Month))) + " " + strconv.Itoa(d.Year)
}

// monthName is a month of the report in full: "november 2026".
func monthName(t tr, m report.Month) string {
	return t.T("report.month."+strconv.Itoa(int(m.Month))) + " " + strconv.Itoa(m.Year)
}
