package web

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/practice"
)

// breachFilter is the register list's filter as the URL carries it.
type breachFilter struct {
	State, Kind, Band, Branch, Q string
	Year                         int
}

func readBreachFilter(c echo.Context) breachFilter {
	f := breachFilter{State: c.QueryParam("state"), Kind: c.QueryParam("kind"), Band: c.QueryParam("band"),
		Branch: c.QueryParam("branch"), Q: clean(c.QueryParam("q"))}
	if !slices.Contains(breach.States, f.State) {
		f.State = ""
	}
	if !breach.Kind(f.Kind).Valid() {
		f.Kind = ""
	}
	if !slices.Contains(breach.Bands, f.Band) {
		f.Band = ""
	}
	if y, err := strconv.Atoi(c.QueryParam("year")); err == nil && y > 1900 && y < 10000 {
		f.Year = y
	}
	return f
}

func (f breachFilter) filter() breach.Filter {
	return breach.Filter{State: f.State, Year: f.Year, Kind: breach.Kind(f.Kind), Band: f.Band, Branch: f.Branch, Text: f.Q}
}

// url returns the address path with f as its query.
func (f breachFilter) url(path string) string {
	year := ""
	if f.Year != 0 {
		year = strconv.Itoa(f.Year)
	}
	return queryURL(path, map[string]string{"state": f.State, "kind": f.Kind, "band": f.Band, "branch": f.Branch, "q": f.Q, "year": year})
}

// breachListRow is one breach in the register's list.
type breachListRow struct {
	R        breach.Record
	Branch   string
	Aware    string
	Deadline string
	Left     string
	Late     bool
	Open     bool
	State    string // message ID of its state
	Band     string // message ID of its band, "" when not assessed
}

type breachListPage struct {
	base
	Filter    breachFilter
	Rows      []breachListRow
	Branches  []practice.Branch
	States    []string
	Kinds     []string
	Bands     []string
	ExportURL string
	Owner     bool
}

// breachState is the message ID of where a breach stands.
func breachState(r breach.Record) string {
	switch {
	case r.DecisionOpen() && r.Decision == nil:
		return "breach.state.undecided"
	case r.DecisionOpen():
		return "breach.state.to_notify"
	}
	if _, ok := r.FirstNotification(); ok {
		return "breach.state.notified"
	}
	return "breach.state.not_notified"
}

func (s *Server) breachList(c echo.Context) error {
	ctx := c.Request().Context()
	f := readBreachFilter(c)
	a := breachActorOf(c)
	records, err := s.Breaches.List(ctx, a, f.filter())
	if err != nil {
		return err
	}
	branches, err := s.Store.Branches(ctx)
	if err != nil {
		return err
	}
	b := s.staffBase(c, "breach.list.title", "breaches")
	loc := s.location(c)
	p := breachListPage{base: b, Filter: f, Branches: branches, States: breach.States, Kinds: strs(breach.Kinds),
		Bands: breach.Bands, ExportURL: f.url("/staff/breaches/export.csv"), Owner: a.Owner}
	names := map[string]string{}
	for _, br := range branches {
		names[br.Code] = br.Name
	}
	now := s.Clock.Now()
	for _, r := range records {
		row := breachListRow{R: r, Branch: names[r.Branch], Aware: lang.DateTime(b.Lang, r.AwareAt, loc),
			Deadline: lang.DateTime(b.Lang, breach.APDeadline(r.AwareAt), loc), Open: r.DecisionOpen(), State: breachState(r)}
		if row.Open {
			row.Left, row.Late = s.countdown(b.Lang, now, breach.APDeadline(r.AwareAt))
		}
		if sev, ok := r.Severity(); ok {
			row.Band = "breach.band." + sev.Band
		}
		p.Rows = append(p.Rows, row)
	}
	return s.render(c, http.StatusOK, "staff_breaches", p)
}

// breachExport sends the register (art. 33(5)) as CSV for the AP, every cell
// neutralised against spreadsheet formulas; the export is audited first.
func (s *Server) breachExport(c echo.Context) error {
	records, err := s.Breaches.Export(c.Request().Context(), breachActorOf(c), "register_csv", readBreachFilter(c).filter())
	if err != nil {
		return err
	}
	list := make([]breach.Breach, len(records))
	for i, r := range records {
		list[i] = r.Breach
	}
	var buf bytes.Buffer
	if err := breach.RegisterCSV(&buf, list, s.location(c)); err != nil {
		return err
	}
	name := fmt.Sprintf("datalekkenregister-%s.csv", s.Clock.Now().In(s.location(c)).Format("2006-01-02"))
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// breachSummaryPage is a year of the register in numbers.
type breachSummaryPage struct {
	base
	Year              int
	Prev, Next        string
	Sum               breach.Summary
	Kinds             []breach.Kind
	Incidents         []breach.IncidentType
	Median, Max       string
	HasDecisionTiming bool
}

func (s *Server) breachSummary(c echo.Context) error {
	ctx := c.Request().Context()
	year := s.Clock.Now().In(s.location(c)).Year()
	if y, err := strconv.Atoi(c.QueryParam("year")); err == nil && y > 1900 && y < 10000 {
		year = y
	}
	records, err := s.Breaches.List(ctx, breachActorOf(c), breach.Filter{Year: year})
	if err != nil {
		return err
	}
	list := make([]breach.Breach, len(records))
	for i, r := range records {
		list[i] = r.Breach
	}
	b := s.staffBase(c, "breach.summary.title", "breaches")
	sum := breach.YearSummary(list, year)
	p := breachSummaryPage{base: b, Year: year, Sum: sum, Kinds: breach.Kinds, Incidents: breach.IncidentTypes,
		Prev: "/staff/breaches/summary?year=" + strconv.Itoa(year-1), Next: "/staff/breaches/summary?year=" + strconv.Itoa(year+1),
		Median: hours(b.Lang, sum.MedianHoursToDecision), Max: hours(b.Lang, sum.MaxHoursToDecision), HasDecisionTiming: sum.Decided > 0}
	return s.render(c, http.StatusOK, "staff_breach_summary", p)
}

// hours writes a number of hours with one decimal: 20,5 in Dutch, 20.5 in
// English.
func hours(l lang.Code, h float64) string {
	s := strconv.FormatFloat(h, 'f', 1, 64)
	if l == lang.EN {
		return s
	}
	return strings.Replace(s, ".", ",", 1)
}
