package casework_test

import (
	"slices"
	"testing"

	"github.com/avgloket/avgloket/internal/casework"
)

func TestStatuses(t *testing.T) {
	want := []casework.Status{"received", "awaiting_identity", "in_progress", "completed"}
	if !slices.Equal(casework.Statuses, want) {
		t.Errorf("Statuses = %q, want %q (the order a case passes through them)", casework.Statuses, want)
	}
	for _, tc := range []struct {
		s     casework.Status
		valid bool
	}{
		{casework.Received, true},
		{casework.AwaitingIdentity, true},
		{casework.InProgress, true},
		{casework.Completed, true},
		{"", false},
		{"Completed", false},
		{"closed", false},
		{"granted", false}, // an outcome, not a status
	} {
		if got := tc.s.Valid(); got != tc.valid {
			t.Errorf("Status(%q).Valid() = %v, want %v", tc.s, got, tc.valid)
		}
	}
}
