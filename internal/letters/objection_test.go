package letters_test

import (
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/practice"
)

// The letter of an objection says what became of the processing objected
// to: for direct marketing, from which day and for which activities; on
// other grounds the balancing in the officer's words — only to a confirmed
// requester (DOMAIN.md §8) — and nothing for a withdrawn request.
func TestObjectionLetter(t *testing.T) {
	w, cat := decisionWriter(t, practice.Netherlands)
	const mine, ours = "Mijn zoon staat al elders op de wachtlijst.", "De wachtlijst is nodig om de zorg te plannen."
	yes, no := true, false
	dm := confirmedCase(casework.Objection)
	dm.Specifics.DirectMarketing = &yes
	dm.Objection = &casework.ObjectionRecord{Activities: []casework.ObjectedActivity{{Key: "newsletter", Name: "Nieuwsbrief", DirectMarketing: true}},
		Outcome: casework.ObjectionStopped, DirectMarketing: true, From: dm.ReceivedOn}
	weighed := confirmedCase(casework.Objection)
	weighed.Specifics.DirectMarketing = &no
	weighed.Objection = &casework.ObjectionRecord{Activities: []casework.ObjectedActivity{{Key: "waiting-list", Name: "Wachtlijst", Objectable: true}},
		RequesterGrounds: mine, PracticeGrounds: ours, Outcome: casework.ObjectionContinued}
	unconfirmed := weighed
	unconfirmed.EmailConfirmedAt = nil
	stopped := weighed
	stopped.Objection = &casework.ObjectionRecord{Activities: weighed.Objection.Activities, RequesterGrounds: mine, Outcome: casework.ObjectionStopped}
	refusal := casework.Decision{Outcome: casework.Refused, Ground: casework.GroundCompelling, Reasons: "Wij zetten de wachtlijst voort."}
	grant := casework.Decision{Outcome: casework.Granted, Reasons: "Wij stoppen."}
	for _, tc := range []struct {
		name         string
		k            casework.Case
		d            casework.Decision
		want, absent []string
	}{
		{"direct marketing: from receipt, for the newsletter", dm, grant,
			[]string{cat.T(lang.NL, "letter.objection.marketing", map[string]any{"From": lang.Date(lang.NL, dm.ReceivedOn)}), "- Nieuwsbrief"},
			[]string{cat.T(lang.NL, "letter.objection.balancing", nil)}},
		{"refused on compelling grounds: the balancing cited", weighed, refusal,
			[]string{"- Wachtlijst", cat.T(lang.NL, "letter.objection.balancing", nil), mine, ours,
				cat.T(lang.NL, "letter.objection.outcome.continued", nil), "art. 21 lid 1 AVG"}, nil},
		{"stopped after the balancing: no practice grounds to cite", stopped, grant,
			[]string{mine, cat.T(lang.NL, "letter.objection.outcome.stopped", nil)},
			[]string{strings.SplitN(cat.T(lang.NL, "letter.objection.practice_grounds", map[string]any{"Text": ""}), ":", 2)[0]}},
		{"unconfirmed: nothing of the balancing", unconfirmed, refusal, []string{"zodra wij zeker weten wie u bent"},
			[]string{mine, ours, "Wachtlijst"}},
		{"unconfirmed and granted: the activities, not the balancing", func() casework.Case { k := stopped; k.EmailConfirmedAt = nil; return k }(), grant,
			[]string{"- Wachtlijst"}, []string{mine}},
		{"withdrawn", weighed, casework.Decision{Outcome: casework.Withdrawn, WithdrawnHow: "email", Reasons: "Ingetrokken."}, nil,
			[]string{"Wachtlijst", mine}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := w.DecisionLetter(tc.k, tc.d, decidedOn)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tc.want {
				if !strings.Contains(l.Body, s) {
					t.Errorf("the letter lacks %q:\n%s", s, l.Body)
				}
			}
			for _, s := range tc.absent {
				if strings.Contains(l.Body, s) {
					t.Errorf("the letter holds %q:\n%s", s, l.Body)
				}
			}
		})
	}
}
