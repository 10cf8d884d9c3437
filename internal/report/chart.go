package report

// Bar is one month's stacked bar in a chart of requests per month by
// right: its left edge and the segments from the bottom up.
type Bar struct {
	X        int
	Segments []Segment
}

// Segment is one right's part of a bar: Right indexes
// casework.RequestTypes; Y is its top edge (SVG grows downwards).
type Segment struct {
	Right, N, Y, Height int
}

// Stack lays the months out as stacked bars in a plot of width by height
// units: one slot per month with the bar in its middle half, the tallest
// month's bar the plot's full height, rights without requests left out.
// The bars' heights are rounded per segment, so a stack can differ from
// the exact height by a unit per right.
func Stack(months []Month, width, height int) []Bar {
	most := 0
	for _, m := range months {
		total := 0
		for _, n := range m.PerRight {
			total += n
		}
		most = max(most, total)
	}
	bars := make([]Bar, len(months))
	if len(months) == 0 {
		return bars
	}
	slot := width / len(months)
	for i, m := range months {
		bars[i].X = i*slot + slot/4
		bottom := height
		for right, n := range m.PerRight {
			if n == 0 {
				continue
			}
			h := (n*height + most/2) / most
			bottom -= h
			bars[i].Segments = append(bars[i].Segments, Segment{Right: right, N: n, Y: bottom, Height: h})
		}
	}
	return bars
}

// BarWidth is the width of each bar of Stack's chart.
func BarWidth(months, width int) int {
	if months == 0 {
		return 0
	}
	return width / months / 2
}
