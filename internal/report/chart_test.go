package report

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestNiceScale(t *testing.T) {
	for _, tt := range []struct{ most, top, step int }{
		{0, 1, 1}, {1, 1, 1}, {5, 5, 1}, {6, 6, 2}, {7, 8, 2}, {10, 10, 2}, {11, 15, 5}, {34, 40, 10}, {40, 40, 10},
		{51, 60, 20}, {99, 100, 20}, {101, 150, 50}, {2400, 2500, 500},
	} {
		if top, step := niceScale(tt.most); top != tt.top || step != tt.step {
			t.Errorf("niceScale(%d) = %d, %d; want %d, %d", tt.most, top, step, tt.top, tt.step)
		}
	}
}

func TestStacked(t *testing.T) {
	tests := []struct {
		name   string
		values [][]int
		want   []Slot
	}{
		{"no months", nil, []Slot{}},
		{"empty months have no bars", [][]int{{0, 0}, {0, 0}}, []Slot{{Centre: 50}, {Centre: 150}}},
		{"the fullest month reaches the axis' top, stacked from the bottom, zeros left out",
			[][]int{{1, 3}, {2, 0}},
			[]Slot{
				{Centre: 50, Bars: []Bar{{X: 20, Width: 60, Segments: []Segment{{Series: 0, N: 1, Y: 75, Height: 25}, {Series: 1, N: 3, Y: 0, Height: 75}}}}},
				{Centre: 150, Bars: []Bar{{X: 120, Width: 60, Segments: []Segment{{Series: 0, N: 2, Y: 50, Height: 50}}}}},
			}},
		{"thirds round on the running total, so the stack is exact",
			[][]int{{1, 1, 1}},
			[]Slot{{Centre: 100, Bars: []Bar{{X: 40, Width: 120, Segments: []Segment{
				{Series: 0, N: 1, Y: 67, Height: 33}, {Series: 1, N: 1, Y: 33, Height: 34}, {Series: 2, N: 1, Y: 0, Height: 33}}}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Stacked(tt.values, 200, 100)
			if !reflect.DeepEqual(got.Slots, tt.want) {
				t.Errorf("Slots = %+v\nwant    %+v", got.Slots, tt.want)
			}
			for _, s := range got.Slots {
				for _, b := range s.Bars {
					if h := b.Segments[len(b.Segments)-1].Y; h < 0 {
						t.Errorf("a stack rises above the plot: %+v", b)
					}
				}
			}
		})
	}
	if got := Stacked([][]int{{3, 4}}, 200, 100).Ticks; !reflect.DeepEqual(got, []Tick{{100, 0}, {75, 2}, {50, 4}, {25, 6}, {0, 8}}) {
		t.Errorf("ticks for a stack of 7 = %+v, want every 2 up to 8", got)
	}
	if !Stacked([][]int{{0}}, 200, 100).Empty() || Stacked([][]int{{0}, {1}}, 200, 100).Empty() {
		t.Error("Empty: want true without bars only")
	}
}

func TestShares(t *testing.T) {
	c := Shares([][]int{{3, 0, 1}, {0, 0, 0}}, 200, 100)
	want := []Slot{
		{Centre: 50, Bars: []Bar{{X: 20, Width: 60, Segments: []Segment{{Series: 0, N: 3, Y: 25, Height: 75}, {Series: 2, N: 1, Y: 0, Height: 25}}}}},
		{Centre: 150},
	}
	if !reflect.DeepEqual(c.Slots, want) {
		t.Errorf("Slots = %+v\nwant    %+v", c.Slots, want)
	}
	if !reflect.DeepEqual(c.Ticks, []Tick{{100, 0}, {75, 25}, {50, 50}, {25, 75}, {0, 100}}) {
		t.Errorf("ticks = %+v, want the quarters of 100 %%", c.Ticks)
	}
}

func TestGrouped(t *testing.T) {
	c := Grouped([][]int{{10, 40}, nil, {0, 5}}, 300, 100)
	want := []Slot{
		{Centre: 50, Bars: []Bar{{X: 20, Width: 30, Segments: []Segment{{Series: 0, N: 10, Y: 75, Height: 25}}},
			{X: 50, Width: 30, Segments: []Segment{{Series: 1, N: 40, Y: 0, Height: 100}}}}},
		{Centre: 150},
		{Centre: 250, Bars: []Bar{{X: 220, Width: 30, Segments: []Segment{{Series: 0, N: 0, Y: 100, Height: 0}}},
			{X: 250, Width: 30, Segments: []Segment{{Series: 1, N: 5, Y: 87, Height: 13}}}}},
	}
	if !reflect.DeepEqual(c.Slots, want) {
		t.Errorf("Slots = %+v\nwant    %+v", c.Slots, want)
	}
	if top := c.Ticks[len(c.Ticks)-1].Value; top != 40 {
		t.Errorf("axis top = %d, want 40", top)
	}
}

func TestLabelled(t *testing.T) {
	span := func(fromYear int, from time.Month, n int) []Month {
		var ms []Month
		y, m := fromYear, from
		for range n {
			ms = append(ms, Month{Year: y, Month: m})
			if m++; m > 12 {
				y, m = y+1, 1
			}
		}
		return ms
	}
	for _, tt := range []struct {
		name   string
		months []Month
		want   []string // the months labelled
	}{
		{"one month", span(2026, time.May, 1), []string{"2026-05"}},
		{"half a year: every month", span(2026, time.April, 6), []string{"2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09"}},
		{"a year: every other month from January", span(2026, time.January, 12),
			[]string{"2026-01", "2026-03", "2026-05", "2026-07", "2026-09", "2026-11"}},
		{"thirteen months: every third", span(2025, time.December, 13), []string{"2026-01", "2026-04", "2026-07", "2026-10"}},
		{"two years from March: every fourth", span(2026, time.March, 24),
			[]string{"2026-05", "2026-09", "2027-01", "2027-05", "2027-09", "2028-01"}},
		{"ten years: every other January", span(2020, time.June, 120), []string{"2022-01", "2024-01", "2026-01", "2028-01", "2030-01"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for i, l := range Labelled(tt.months) {
				if l {
					got = append(got, fmt.Sprintf("%04d-%02d", tt.months[i].Year, tt.months[i].Month))
				}
			}
			if !slices.Equal(got, tt.want) || len(got) > MaxLabels {
				t.Errorf("labelled %v, want %v", got, tt.want)
			}
		})
	}
}
