package letters_test

import (
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/practice"
)

// recordedRestriction restricts the client file until an event.
var recordedRestriction = casework.RestrictionRecord{Activities: []casework.RestrictedActivity{{Key: "client-file", Name: "Cliëntdossier"}},
	Data: "De diagnose in het verslag van maart", Ground: casework.RestrictionAccuracy, From: "2026-11-20",
	UntilEvent: "tot de juistheid is nagegaan"}

// The letter of a restriction granted in whole or in part says what is
// restricted, which data, on which ground of art. 18(1), from when until
// when, and that the requester is told before it is lifted (art. 18(3));
// a refusal says none of it.
func TestDecisionLetterRestriction(t *testing.T) {
	w, cat := decisionWriter(t, practice.Netherlands)
	untilDay := recordedRestriction
	untilDay.UntilEvent, untilDay.Until, untilDay.Ground = "", "2027-02-28", casework.RestrictionLegalClaims
	for _, tc := range []struct {
		name   string
		r      casework.RestrictionRecord
		d      casework.Decision
		want   []string
		absent []string
	}{
		{"granted until an event", recordedRestriction, casework.Decision{Outcome: casework.Granted, Reasons: "Wij gaan het na."},
			[]string{"Cliëntdossier", "De diagnose in het verslag van maart", cat.T(lang.NL, "letter.restriction.ground.accuracy_contested", nil),
				"20 november 2026 tot de juistheid is nagegaan", "artikel 18 lid 3 AVG"}, nil},
		{"partially granted until a day", untilDay, casework.Decision{Outcome: casework.PartiallyGranted, Ground: casework.GroundNoRestriction,
			Reasons: "Voor de facturen geldt geen grond."},
			[]string{"Cliëntdossier", cat.T(lang.NL, "letter.restriction.ground.legal_claims", nil), "20 november 2026 tot en met", "28 februari 2027",
				"artikel 18 lid 3 AVG"}, nil},
		{"refused", recordedRestriction, casework.Decision{Outcome: casework.Refused, Ground: casework.GroundNoRestriction, Reasons: "Geen grond."},
			nil, []string{"De diagnose in het verslag van maart", cat.T(lang.NL, "letter.restriction.heading", nil)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := confirmedCase(casework.Restriction)
			r := tc.r
			k.Activities, k.Restriction = []string{"client-file"}, &r
			if p := tc.d.Validate(k, decidedOn); len(p) > 0 {
				t.Fatalf("the test's decision is not valid: %v", p)
			}
			l, err := w.DecisionLetter(k, tc.d, decidedOn)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tc.want {
				if !strings.Contains(l.Body, s) {
					t.Errorf("letter lacks %q:\n%s", s, l.Body)
				}
			}
			for _, s := range tc.absent {
				if strings.Contains(l.Body, s) {
					t.Errorf("letter holds %q:\n%s", s, l.Body)
				}
			}
		})
	}
}

// The lifting notice (art. 18(3)) in both languages: by mail the day and
// the tracking link, never the reason; on paper the day and the reason.
func TestRestrictionLiftingNotice(t *testing.T) {
	w, cat := decisionWriter(t, practice.Netherlands)
	for _, tc := range []struct {
		language casework.Language
		day      string
	}{{casework.Dutch, "10 januari 2027"}, {casework.English, "10 January 2027"}} {
		t.Run(string(tc.language), func(t *testing.T) {
			k := confirmedCase(casework.Restriction)
			k.Language = tc.language
			r := recordedRestriction
			r.LiftOn, r.LiftReason = "2027-01-10", "MARKER-REASON de gegevens kloppen"
			k.Restriction = &r
			m, err := w.RestrictionLifting(k, "https://avg.example/volg/abc")
			if err != nil {
				t.Fatal(err)
			}
			c := lang.Parse(string(tc.language))
			if m.To != "fenna@example.nl" || m.Subject != cat.T(c, "mail.restriction_lifting.subject", map[string]any{"Reference": k.Reference}) ||
				!strings.Contains(m.Text, tc.day) || !strings.Contains(m.Text, "https://avg.example/volg/abc") || strings.Contains(m.Text, "MARKER") {
				t.Errorf("mail %q to %s:\n%s", m.Subject, m.To, m.Text)
			}
			e := casework.Event{Kind: casework.EventRestrictionLifting, Visible: true, Text: r.LiftReason, At: time.Now(),
				Data: map[string]string{"on": r.LiftOn}}
			subject, body, err := w.Letter(k, &e)
			if err != nil {
				t.Fatal(err)
			}
			if subject != cat.T(c, "letter.subject.restriction_lifting", map[string]any{"Reference": k.Reference}) ||
				!strings.Contains(body, tc.day) || !strings.Contains(body, r.LiftReason) {
				t.Errorf("letter %q:\n%s", subject, body)
			}
		})
	}
	k := confirmedCase(casework.Restriction)
	if _, err := w.RestrictionLifting(k, "https://avg.example/volg/abc"); err == nil {
		t.Error("a lifting notice was written for a case without a lifting announced")
	}
}
