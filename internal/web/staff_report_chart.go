package web

import (
	"strconv"

	"github.com/avgloket/avgloket/internal/report"
)

// reportChart is a report.Chart as the template draws it: a viewBox of
// Width by Height units with the plot's top left corner at (Left, Top).
type reportChart struct {
	Width, Height, Left, Top, PlotWidth, PlotHeight int
	Unit                                            string // what the value axis counts, written above it
	// Series is the legend: the order in which the bars stack from the
	// bottom, or stand from the left.
	Series []reportSeries
	Ticks  []reportTick
	Bars   []reportRect
	Labels []reportLabel
	Empty  bool // nothing to draw: the page says so instead
	// Outlined: the bars are wide enough for a white outline between
	// segments (chartOutline).
	Outlined bool
}

// reportSeries is one series of a chart: its name, colour and the marks
// drawn in white over the colour, so that series differ by more than
// colour (WCAG 1.4.1).
type reportSeries struct{ Label, Colour, Marks string }

type reportTick struct {
	Y     int
	Label string
}

// reportRect is one bar or segment of a bar; Series indexes the chart's
// Series, Title names it for a hover.
type reportRect struct {
	X, Y, Width, Height, Series int
	Title                       string
}

// reportLabel is a month on the x axis; Year is set under the first label
// and under every January.
type reportLabel struct {
	X           int
	Month, Year string
}

// The layout of every chart, in SVG units: 420 wide so that its text of
// 16 to 17 units reads at 13 to 14 px on a 390 px phone, where the chart
// is about 350 px wide.
const (
	chartWidth  = 420
	chartLeft   = 50 // the value axis' labels, up to "100%"
	chartRight  = 6
	chartTop    = 28 // the unit above the axis
	chartPlot   = 200
	chartBottom = 48 // two lines of month and year
)

// chartOutline is the narrowest bar drawn with a white outline between
// its segments; narrower bars (of long periods) would vanish in it.
const chartOutline = 10

// rightColours are the bars' colours per right, in the order of
// casework.RequestTypes; each differs from white by a contrast of 3:1 or more.
var rightColours = []string{"#1b5e9a", "#b03a2e", "#2e7d32", "#7b3f9e", "#a35a00", "#00707a", "#5d4037"}

// seriesMarks are the patterns of the series in order, as SVG paths on an
// 8-unit tile: plain, diagonal lines, dots, a horizontal band, a vertical
// band, crossed lines, checks.
var seriesMarks = []string{
	"",
	"M-2 2L2 -2M0 8L8 0M6 10L10 6",
	"M3 3h2v2h-2z",
	"M0 3h8v2h-8z",
	"M3 0h2v8h-2z",
	"M-2 2L2 -2M0 8L8 0M6 10L10 6M-2 6L2 10M0 0L8 8M6 -2L10 2",
	"M0 0h4v4h-4zM4 4h4v4h-4z",
}

// reportFiguresOf draws the report's three charts, each with its table:
// requests per month by right, the share decided on time, and the days to
// answer. A month is the month the requests were received in.
func reportFiguresOf(t tr, r report.Report, rights []reportLine) []reportFigure {
	dash := "–"
	days := func(m report.Month, n int) string {
		if m.Decided == 0 {
			return dash
		}
		return strconv.Itoa(n)
	}

	perRight := reportFigure{ID: "chart-rights", Title: t.T("report.chart_title"), Desc: t.T("report.chart_caption")}
	var rightSeries []reportSeries
	perRight.Table.Caption = t.T("report.per_month")
	perRight.Table.Columns = []string{t.T("report.col_month")}
	for i, l := range rights {
		rightSeries = append(rightSeries, reportSeries{Label: l.Label, Colour: rightColours[i], Marks: seriesMarks[i]})
		perRight.Table.Columns = append(perRight.Table.Columns, l.Label)
	}
	perRight.Table.Columns = append(perRight.Table.Columns, t.T("report.col_total"))

	timely := reportFigure{ID: "chart-on-time", Title: t.T("report.on_time_title"), Desc: t.T("report.on_time_caption"),
		Table: reportTable{Caption: t.T("report.on_time_table"), Columns: []string{t.T("report.col_month"), t.T("report.decided"), t.T("report.on_time"),
			t.T("report.col_after_extension"), t.T("report.late"), t.T("report.col_share")}}}
	timelySeries := []reportSeries{{t.T("report.series.in_term"), "#2e7d32", seriesMarks[0]},
		{t.T("report.series.after_extension"), "#a35a00", seriesMarks[1]}, {t.T("report.series.late"), "#b03a2e", seriesMarks[5]}}

	answer := reportFigure{ID: "chart-days", Title: t.T("report.days_title"), Desc: t.T("report.days_caption"),
		Table: reportTable{Caption: t.T("report.days_table"),
			Columns: []string{t.T("report.col_month"), t.T("report.decided"), t.T("report.median"), t.T("report.p90")}}}
	daySeries := []reportSeries{{t.T("report.series.median"), "#1b5e9a", seriesMarks[0]}, {t.T("report.series.p90"), "#7b3f9e", seriesMarks[1]}}

	var counts, shares, spans [][]int
	for _, m := range r.Months {
		name := monthName(t, m)
		counts = append(counts, m.PerRight)
		row, total := []string{name}, 0
		for _, n := range m.PerRight {
			row = append(row, strconv.Itoa(n))
			total += n
		}
		perRight.Table.Rows = append(perRight.Table.Rows, append(row, strconv.Itoa(total)))

		shares = append(shares, []int{m.OnTime - m.OnTimeExtended, m.OnTimeExtended, m.Late})
		share := dash
		if m.Decided > 0 {
			share = strconv.Itoa((m.OnTime*100+m.Decided/2)/m.Decided) + "%"
		}
		timely.Table.Rows = append(timely.Table.Rows, []string{name, strconv.Itoa(m.Decided), strconv.Itoa(m.OnTime),
			strconv.Itoa(m.OnTimeExtended), strconv.Itoa(m.Late), share})

		var span []int
		if m.Decided > 0 {
			span = []int{m.MedianDays, m.P90Days}
		}
		spans = append(spans, span)
		answer.Table.Rows = append(answer.Table.Rows, []string{name, strconv.Itoa(m.Decided), days(m, m.MedianDays), days(m, m.P90Days)})
	}
	plotWidth := chartWidth - chartLeft - chartRight
	count := func(v int) string { return strconv.Itoa(v) }
	perRight.Chart = drawChart(t, report.Stacked(counts, plotWidth, chartPlot), r.Months, rightSeries, t.T("report.unit.requests"), count)
	timely.Chart = drawChart(t, report.Shares(shares, plotWidth, chartPlot), r.Months, timelySeries, t.T("report.unit.share"),
		func(v int) string { return strconv.Itoa(v) + "%" })
	answer.Chart = drawChart(t, report.Grouped(spans, plotWidth, chartPlot), r.Months, daySeries, t.T("report.unit.days"), count)
	return []reportFigure{perRight, timely, answer}
}

// drawChart places ch in the layout, with the months under the plot, the
// series' names in the bars' titles and the value axis' labels written by
// tick.
func drawChart(t tr, ch report.Chart, months []report.Month, series []reportSeries, unit string, tick func(int) string) reportChart {
	out := reportChart{Width: chartWidth, Height: chartTop + chartPlot + chartBottom, Left: chartLeft, Top: chartTop,
		PlotWidth: ch.Width, PlotHeight: ch.Height, Unit: unit, Series: series, Empty: ch.Empty()}
	for _, tk := range ch.Ticks {
		out.Ticks = append(out.Ticks, reportTick{Y: tk.Y, Label: tick(tk.Value)})
	}
	labelled := report.Labelled(months)
	yearShown := false
	for i, slot := range ch.Slots {
		name := monthName(t, months[i])
		for _, b := range slot.Bars {
			out.Outlined = b.Width >= chartOutline
			for _, sg := range b.Segments {
				out.Bars = append(out.Bars, reportRect{X: b.X, Y: sg.Y, Width: b.Width, Height: sg.Height, Series: sg.Series,
					Title: name + " – " + series[sg.Series].Label + ": " + strconv.Itoa(sg.N)})
			}
		}
		if !labelled[i] {
			continue
		}
		l := reportLabel{X: slot.Centre, Month: t.T("report.month_short." + strconv.Itoa(int(months[i].Month)))}
		if !yearShown || months[i].Month == 1 {
			l.Year, yearShown = strconv.Itoa(months[i].Year), true
		}
		out.Labels = append(out.Labels, l)
	}
	return out
}
