package report

// Chart is a bar chart laid out in the units of a plot Width by Height
// units, y growing downwards as in SVG: one slot per month, each with its
// bars, and the grid lines of the value axis. A template draws it; the
// words and colours are the caller's.
type Chart struct {
	Width, Height int
	Ticks         []Tick // from the bottom up, the first at 0
	Slots         []Slot // one per value list, from left to right
}

// Tick is a grid line at height Y for Value.
type Tick struct{ Y, Value int }

// Slot is one month's place on the x axis: Centre its middle, Bars from
// left to right; none when the month has nothing to draw.
type Slot struct {
	Centre int
	Bars   []Bar
}

// Bar is one bar: X its left edge, Segments from the bottom up.
type Bar struct {
	X, Width int
	Segments []Segment
}

// Segment is one series' part of a bar: Series indexes the value lists, N
// is its value, Y its top edge.
type Segment struct{ Series, N, Y, Height int }

// Empty reports whether the chart has no bar to draw.
func (c Chart) Empty() bool {
	for _, s := range c.Slots {
		if len(s.Bars) > 0 {
			return false
		}
	}
	return true
}

// Stacked lays out one bar per slot with its values stacked from the
// bottom, on an axis from 0 to a round number at or above the largest
// stack. Segments end on the rounded heights of the running totals, so a
// stack's height is exact; values of 0 get no segment, slots whose values
// add up to 0 no bar.
func Stacked(values [][]int, width, height int) Chart {
	most := 0
	for _, vs := range values {
		most = max(most, sum(vs))
	}
	top, step := niceScale(most)
	return stacked(values, width, height, ticks(top, step, height), func(int) int { return top })
}

// Shares lays out one bar per slot with its values stacked as shares of the
// slot's total: every bar the plot's full height (100 %), the axis marked
// at 0, 25, 50, 75 and 100. Slots whose values add up to 0 get no bar.
func Shares(values [][]int, width, height int) Chart {
	return stacked(values, width, height, ticks(100, 25, height), func(total int) int { return total })
}

// stacked is Stacked and Shares: one bar per slot with its values stacked
// from the bottom, on an axis from 0 to top(the slot's total), under the
// grid lines ticks. Slots whose values add up to 0 get no bar.
func stacked(values [][]int, width, height int, ticks []Tick, top func(total int) int) Chart {
	c := Chart{Width: width, Height: height, Ticks: ticks, Slots: slots(len(values), width)}
	if len(values) == 0 {
		return c
	}
	w := barWidth(len(values), width)
	for i, vs := range values {
		if total := sum(vs); total > 0 {
			c.Slots[i].Bars = []Bar{stack(vs, top(total), height, c.Slots[i].Centre, w)}
		}
	}
	return c
}

// Grouped lays out the values of each slot as bars side by side, on an
// axis from 0 to a round number at or above the largest value. An empty
// value list gets no bars (nothing to show that month); a 0 is a bar of no
// height.
func Grouped(values [][]int, width, height int) Chart {
	most := 0
	for _, vs := range values {
		for _, v := range vs {
			most = max(most, v)
		}
	}
	top, step := niceScale(most)
	c := Chart{Width: width, Height: height, Ticks: ticks(top, step, height), Slots: slots(len(values), width)}
	if len(values) == 0 {
		return c
	}
	group := barWidth(len(values), width)
	for i, vs := range values {
		if len(vs) == 0 {
			continue
		}
		w := group / len(vs)
		left := c.Slots[i].Centre - w*len(vs)/2
		for series, v := range vs {
			y := height - scaled(v, top, height)
			c.Slots[i].Bars = append(c.Slots[i].Bars, Bar{X: left + series*w, Width: w,
				Segments: []Segment{{Series: series, N: v, Y: y, Height: height - y}}})
		}
	}
	return c
}

// Labelled says which of months carry a label on the x axis: at most
// MaxLabels of them, so that labels do not run into each other on a
// phone. That is every month of up to MaxLabels; of more, every k-th month
// counted from January, k the smallest divisor of twelve that leaves at
// most MaxLabels labels, or beyond a year the smallest number of whole
// years, so that a labelled January always starts a labelled year.
func Labelled(months []Month) []bool {
	labels := func(k int) int { return (len(months) + k - 1) / k }
	k := 1
	for _, d := range []int{1, 2, 3, 4, 6, 12} {
		if k = d; labels(k) <= MaxLabels {
			break
		}
	}
	for labels(k) > MaxLabels {
		k += 12
	}
	out := make([]bool, len(months))
	for i, m := range months {
		out[i] = (m.Year*12+int(m.Month)-1)%k == 0
	}
	return out
}

// MaxLabels is the most month labels Labelled gives.
const MaxLabels = 6

// stack is one bar of vs stacked from the bottom on an axis of 0 to top.
func stack(vs []int, top, height, centre, width int) Bar {
	b := Bar{X: centre - width/2, Width: width}
	bottom, total := height, 0
	for series, v := range vs {
		if v == 0 {
			continue
		}
		total += v
		y := height - scaled(total, top, height)
		b.Segments = append(b.Segments, Segment{Series: series, N: v, Y: y, Height: bottom - y})
		bottom = y
	}
	return b
}

// slots spreads n slots evenly over width.
func slots(n, width int) []Slot {
	out := make([]Slot, n)
	for i := range out {
		out[i].Centre = (2*i + 1) * width / (2 * n)
	}
	return out
}

// barWidth is the width of a slot's bar (or group of bars): three fifths of
// the slot, leaving a gap between neighbours.
func barWidth(n, width int) int { return width * 3 / (5 * n) }

// scaled is v on an axis of 0 to top drawn height units high, rounded.
func scaled(v, top, height int) int { return (v*height + top/2) / top }

// ticks are the grid lines every step from 0 to top.
func ticks(top, step, height int) []Tick {
	var out []Tick
	for v := 0; v <= top; v += step {
		out = append(out, Tick{Y: height - scaled(v, top, height), Value: v})
	}
	return out
}

// niceScale returns the top of an axis for values up to most and the step
// of its grid lines: a step of 1, 2 or 5 times a power of ten that needs at
// most five steps, the top the first multiple of it at or above most. An
// axis for nothing (most 0) runs to 1.
func niceScale(most int) (top, step int) {
	if most <= 0 {
		return 1, 1
	}
	for unit := 1; ; unit *= 10 {
		for _, m := range []int{1, 2, 5} {
			step = m * unit
			if n := (most + step - 1) / step; n <= 5 {
				return n * step, step
			}
		}
	}
}

func sum(vs []int) int {
	total := 0
	for _, v := range vs {
		total += v
	}
	return total
}
