package casework_test

import (
	"testing"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
)

func TestWithdrawsConsents(t *testing.T) {
	tests := []struct {
		typ     casework.RequestType
		outcome casework.Outcome
		want    bool
	}{
		{casework.ConsentWithdrawal, casework.Granted, true},
		{casework.ConsentWithdrawal, casework.PartiallyGranted, true},
		{casework.ConsentWithdrawal, casework.Refused, false},
		{casework.ConsentWithdrawal, casework.Withdrawn, false},
		{casework.Objection, casework.Granted, false},
		{casework.Erasure, casework.Granted, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.typ)+"/"+string(tt.outcome), func(t *testing.T) {
			got := casework.Decision{Outcome: tt.outcome}.WithdrawsConsents(casework.Case{Type: tt.typ})
			if got != tt.want {
				t.Errorf("WithdrawsConsents = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestChooseConsents(t *testing.T) {
	tests := []struct {
		name   string
		c      casework.Case
		wantOK bool
	}{
		{"an open consent withdrawal", casework.Case{Type: casework.ConsentWithdrawal, Status: casework.InProgress}, true},
		{"another request type", casework.Case{Type: casework.Access, Status: casework.InProgress}, false},
		{"a completed consent withdrawal", casework.Case{Type: casework.ConsentWithdrawal, Status: casework.Completed}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			ch, err := casework.ChooseConsents([]int64{7, 9})(&c, casework.Env{})
			if !tt.wantOK {
				if !apperr.Is(err, apperr.Conflict) || ch.ChooseConsents != nil {
					t.Errorf("ChooseConsents = %+v, %v; want a conflict", ch, err)
				}
				return
			}
			if err != nil || ch.ChooseConsents == nil || len(*ch.ChooseConsents) != 2 || len(ch.Events) != 1 ||
				ch.Events[0].Kind != casework.EventConsents || ch.Events[0].Data["ids"] != "7,9" {
				t.Errorf("ChooseConsents = %+v, %v", ch, err)
			}
		})
	}
}
