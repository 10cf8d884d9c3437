package report

import (
	"reflect"
	"testing"
)

func TestStack(t *testing.T) {
	tests := []struct {
		name   string
		months []Month
		want   []Bar
	}{
		{"no months", nil, []Bar{}},
		{"empty months have no segments", []Month{{PerRight: []int{0, 0}}, {PerRight: []int{0, 0}}},
			[]Bar{{X: 25}, {X: 125}}},
		{"the fullest month is the full height, stacked from the bottom",
			[]Month{{PerRight: []int{1, 3}}, {PerRight: []int{2, 0}}},
			[]Bar{
				{X: 25, Segments: []Segment{{Right: 0, N: 1, Y: 75, Height: 25}, {Right: 1, N: 3, Y: 0, Height: 75}}},
				{X: 125, Segments: []Segment{{Right: 0, N: 2, Y: 50, Height: 50}}},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Stack(tt.months, 200, 100); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Stack = %+v, want %+v", got, tt.want)
			}
		})
	}
	if got := BarWidth(2, 200); got != 50 {
		t.Errorf("BarWidth(2, 200) = %d, want 50", got)
	}
}
