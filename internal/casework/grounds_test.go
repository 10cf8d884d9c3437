package casework_test

import (
	"slices"
	"testing"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
)

// refusalOn is a refusal on ground g that is complete in every other
// respect: the ground's choice, a retention's statute and end date, an
// article in the reasons.
func refusalOn(g casework.Ground) casework.Decision {
	d := casework.Decision{Outcome: casework.Refused, Ground: g, Reasons: "Zie art. 12 lid 5 AVG."}
	switch g {
	case casework.GroundDataCorrect:
		d.Detail = casework.DetailJudgement
	case casework.GroundStatutory:
		d.Detail = "i"
	case casework.GroundRetention:
		d.Statute, d.Until = "art. 52 AWR", "2033-12-31"
	}
	return d
}

var decisionDay = deadline.Date{Year: 2026, Month: 12, Day: 1}

// Every right × every ground: allowed or refused exactly as DOMAIN.md §8
// says, both in the table the form offers and in Decision.Validate.
func TestGroundsPerRight(t *testing.T) {
	common := []casework.Ground{casework.GroundUnfounded, casework.GroundIdentity, casework.GroundNoRepresentation, casework.GroundOther}
	plus := func(gs ...casework.Ground) []casework.Ground { return append(slices.Clone(common), gs...) }
	parent := casework.Requester{Relation: casework.Parent}
	yes := true
	for _, tc := range []struct {
		name    string
		c       casework.Case
		allowed []casework.Ground
	}{
		{"access by a parent", casework.Case{Type: casework.Access, Requester: parent},
			plus(casework.GroundOthers, casework.GroundChildInterest, casework.GroundStatutory)},
		// BW 7:465(4) answers a parent's request, never the child's own.
		{"access by the data subject", casework.Case{Type: casework.Access, Requester: casework.Requester{Relation: casework.Self}},
			plus(casework.GroundOthers, casework.GroundStatutory)},
		{"rectification", casework.Case{Type: casework.Rectification, Requester: parent}, plus(casework.GroundDataCorrect)},
		{"erasure", casework.Case{Type: casework.Erasure, Requester: parent},
			plus(casework.GroundRetention, casework.GroundOtherInterest, casework.GroundLegalClaims)},
		{"restriction", casework.Case{Type: casework.Restriction, Requester: parent}, plus(casework.GroundNoRestriction)},
		{"portability", casework.Case{Type: casework.Portability, Requester: parent}, plus(casework.GroundNotApplicable, casework.GroundOthers)},
		{"objection", casework.Case{Type: casework.Objection, Requester: parent}, plus(casework.GroundCompelling, casework.GroundNotApplicable)},
		// Art. 21(3): an objection to direct marketing is always honoured.
		{"objection to direct marketing", casework.Case{Type: casework.Objection, Requester: parent,
			Specifics: casework.Specifics{DirectMarketing: &yes}}, common},
		{"consent withdrawal", casework.Case{Type: casework.ConsentWithdrawal, Requester: parent},
			[]casework.Ground{casework.GroundIdentity, casework.GroundNoRepresentation, casework.GroundOther}},
	} {
		for _, g := range casework.Grounds {
			t.Run(tc.name+"/"+string(g), func(t *testing.T) {
				want := slices.Contains(tc.allowed, g)
				rule, ok := tc.c.GroundRule(g)
				if ok != want {
					t.Fatalf("GroundRule(%s) allowed %v, want %v", g, ok, want)
				}
				if ok && g != casework.GroundOther && (rule.Basis.NL == "" || rule.Basis.EN == "") {
					t.Errorf("%s names no article: %+v", g, rule.Basis)
				}
				p := refusalOn(g).Validate(tc.c, decisionDay)
				if want && len(p) > 0 {
					t.Fatalf("allowed ground refused: %v", p)
				}
				if !want && p["ground"] != "case.ground_not_allowed" {
					t.Fatalf("problems %v, want ground case.ground_not_allowed", p)
				}
			})
		}
		t.Run(tc.name+"/offered", func(t *testing.T) {
			var offered []casework.Ground
			for _, r := range casework.GroundRules(tc.c) {
				offered = append(offered, r.Ground)
			}
			if !sameSet(offered, tc.allowed) {
				t.Errorf("form offers %v, want %v", offered, tc.allowed)
			}
		})
	}
}

func sameSet(a, b []casework.Ground) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// The ground-specific rules of a decision: a ground's choice, legal
// retention's statute and end date (never the dossier term), an article in
// the reasons of "other", and how a withdrawal came.
func TestDecisionValidate(t *testing.T) {
	erasure := casework.Case{Type: casework.Erasure, Requester: casework.Requester{Relation: casework.Self}}
	access := casework.Case{Type: casework.Access, Requester: casework.Requester{Relation: casework.Parent}}
	rectification := casework.Case{Type: casework.Rectification, Requester: casework.Requester{Relation: casework.Self}}
	retention := func(statute, until string) casework.Decision {
		return casework.Decision{Outcome: casework.PartiallyGranted, Ground: casework.GroundRetention, Statute: statute, Until: until,
			Reasons: "De facturen bewaren wij."}
	}
	other := func(reasons string) casework.Decision {
		return casework.Decision{Outcome: casework.Refused, Ground: casework.GroundOther, Reasons: reasons}
	}
	for _, tc := range []struct {
		name string
		c    casework.Case
		d    casework.Decision
		want casework.Problems
	}{
		{"retention with statute and end date", erasure, retention("art. 52 AWR", "2033-12-31"), casework.Problems{}},
		{"retention without statute", erasure, retention(" ", "2033-12-31"), casework.Problems{"statute": "case.statute_required"}},
		{"retention without end date", erasure, retention("art. 52 AWR", ""), casework.Problems{"until": "case.until_required"}},
		{"retention without either", erasure, retention("", ""),
			casework.Problems{"statute": "case.statute_required", "until": "case.until_required"}},
		{"retention until a day that is no date", erasure, retention("art. 52 AWR", "2033-02-30"), casework.Problems{"until": "field.date"}},
		{"retention until today", erasure, retention("art. 52 AWR", "2026-12-01"), casework.Problems{"until": "case.until_future"}},
		{"retention on the youth-care dossier term", erasure, retention("Jeugdwet art. 7.3.8", "2040-01-01"),
			casework.Problems{"statute": "case.statute_dossier_term"}},
		{"retention on the medical dossier term", erasure, retention("art. 7:454 lid 3 BW", "2040-01-01"),
			casework.Problems{"statute": "case.statute_dossier_term"}},
		{"retention on the dossier term, spaced", erasure, retention("artikel 7 : 454 BW (20 jaar)", "2040-01-01"),
			casework.Problems{"statute": "case.statute_dossier_term"}},
		{"a statute with another ground", erasure, casework.Decision{Outcome: casework.Refused, Ground: casework.GroundLegalClaims,
			Statute: "art. 52 AWR", Until: "2033-12-31", Reasons: "Een procedure loopt."},
			casework.Problems{"statute": "case.retention_only", "until": "case.retention_only"}},
		{"other without an article", access, other("Wij hebben daar onze redenen voor."), casework.Problems{"reasons": "case.reasons_article"}},
		{"other naming an article", access, other("Op grond van artikel 14 lid 5 AVG."), casework.Problems{}},
		{"other naming a Civil Code article", access, other("Zie 7:457 BW."), casework.Problems{}},
		{"other naming an English article", access, other("Under Article 23 GDPR."), casework.Problems{}},
		{"other without reasons", access, other(""), casework.Problems{"reasons": "field.required"}},
		{"an article is not needed for a named ground", access, casework.Decision{Outcome: casework.Refused,
			Ground: casework.GroundOthers, Reasons: "Het dossier gaat ook over uw broer."}, casework.Problems{}},
		{"data correct without saying which", rectification, casework.Decision{Outcome: casework.Refused,
			Ground: casework.GroundDataCorrect, Reasons: "Dit is het oordeel van de hulpverlener."}, casework.Problems{"detail": "case.detail_required"}},
		{"data correct as a judgement", rectification, casework.Decision{Outcome: casework.Refused, Ground: casework.GroundDataCorrect,
			Detail: casework.DetailJudgement, Reasons: "Dit is het oordeel van de hulpverlener."}, casework.Problems{}},
		{"data correct with a letter", rectification, casework.Decision{Outcome: casework.Refused, Ground: casework.GroundDataCorrect,
			Detail: "i", Reasons: "Klopt."}, casework.Problems{"detail": "case.detail_not_allowed"}},
		{"statutory restriction without its letter", access, casework.Decision{Outcome: casework.Refused,
			Ground: casework.GroundStatutory, Reasons: "Bescherming van anderen."}, casework.Problems{"detail": "case.detail_required"}},
		{"statutory restriction with letter k", access, casework.Decision{Outcome: casework.Refused,
			Ground: casework.GroundStatutory, Detail: "k", Reasons: "?"}, casework.Problems{"detail": "case.detail_not_allowed"}},
		{"a detail for a ground without one", access, casework.Decision{Outcome: casework.Refused,
			Ground: casework.GroundOthers, Detail: "i", Reasons: "Anderen."}, casework.Problems{"detail": "case.detail_not_allowed"}},
		{"withdrawn by letter", access, casework.Decision{Outcome: casework.Withdrawn, WithdrawnHow: "letter", Reasons: "Brief van 1 december."},
			casework.Problems{}},
		{"withdrawn without how", access, casework.Decision{Outcome: casework.Withdrawn, Reasons: "Ingetrokken."},
			casework.Problems{"withdrawn_how": "case.withdrawn_how_required"}},
		{"withdrawn by carrier pigeon", access, casework.Decision{Outcome: casework.Withdrawn, WithdrawnHow: "pigeon", Reasons: "?"},
			casework.Problems{"withdrawn_how": "field.choose"}},
		{"granted with how it was withdrawn", access, casework.Decision{Outcome: casework.Granted, WithdrawnHow: "email", Reasons: "Gedaan."},
			casework.Problems{"withdrawn_how": "case.withdrawn_how_only"}},
		{"withdrawn with a ground", access, casework.Decision{Outcome: casework.Withdrawn, WithdrawnHow: "email",
			Ground: casework.GroundIdentity, Reasons: "?"}, casework.Problems{"ground": "case.ground_only_refusal"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.d.Validate(tc.c, decisionDay)
			if len(got) != len(tc.want) {
				t.Fatalf("problems %v, want %v", got, tc.want)
			}
			for f, m := range tc.want {
				if got[f] != m {
					t.Errorf("problems %v, want %v", got, tc.want)
				}
			}
		})
	}
}
