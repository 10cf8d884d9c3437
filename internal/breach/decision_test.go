package breach

import (
	"maps"
	"strings"
	"testing"
)

func TestDecisionValidate(t *testing.T) {
	var (
		adviseNothing = AdviceFor(BandLow)
		adviseAP      = AdviceFor(BandMedium)
		adviseBoth    = AdviceFor(BandHigh)
		ok            = map[string]string{}
		needReason    = map[string]string{"reason": "breach.reason_required"}
	)
	for _, tc := range []struct {
		name   string
		advice Advice
		d      Decision
		want   map[string]string
	}{
		// Following the advice needs no reason.
		{"low: neither, as advised", adviseNothing, Decision{InformPeople: InformNo}, ok},
		{"medium: notify, as advised", adviseAP, Decision{NotifyAP: true, InformPeople: InformNo}, ok},
		{"high: both, as advised", adviseBoth, Decision{NotifyAP: true, InformPeople: InformYes}, ok},
		// Departing from it in any direction does.
		{"not notifying when advised", adviseAP, Decision{InformPeople: InformNo}, needReason},
		{"notifying when not advised", adviseNothing, Decision{NotifyAP: true, InformPeople: InformNo}, needReason},
		{"not informing when advised", adviseBoth, Decision{NotifyAP: true, InformPeople: InformNo}, needReason},
		{"informing when not advised", adviseAP, Decision{NotifyAP: true, InformPeople: InformYes}, needReason},
		{"neither when both advised", adviseBoth, Decision{InformPeople: InformNo}, needReason},
		{"both when neither advised", adviseNothing, Decision{NotifyAP: true, InformPeople: InformYes}, needReason},
		{"public notice instead of letters", adviseBoth, Decision{NotifyAP: true, InformPeople: InformPublicNotice}, needReason},
		{"public notice when not advised", adviseAP, Decision{NotifyAP: true, InformPeople: InformPublicNotice}, needReason},
		{"blank reason is no reason", adviseAP, Decision{InformPeople: InformNo, Reason: "  \n "}, needReason},
		// With a reason, departing is allowed.
		{"not notifying, with reason", adviseAP, Decision{InformPeople: InformNo, Reason: "Versleutelde laptop, sleutel niet gelekt."}, ok},
		{"public notice, with reason", adviseBoth, Decision{NotifyAP: true, InformPeople: InformPublicNotice, Reason: "Geen adressen bekend."}, ok},
		{"informing when not advised, with reason", adviseAP, Decision{NotifyAP: true, InformPeople: InformYes, Reason: "Ouders willen het weten."}, ok},
		// The choice itself.
		{"no choice for informing", adviseNothing, Decision{}, map[string]string{"inform_people": "field.choose"}},
		{"unknown choice for informing", adviseNothing, Decision{InformPeople: "maybe", Reason: "x"}, map[string]string{"inform_people": "field.choose"}},
		{"reason too long", adviseNothing, Decision{InformPeople: InformNo, Reason: strings.Repeat("é", MaxReason+1)}, map[string]string{"reason": "field.too_long"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.d.Validate(tc.advice); !maps.Equal(got, tc.want) {
				t.Errorf("Validate = %v, want %v", got, tc.want)
			}
		})
	}
}
