package casework

import "slices"

// Citation is the article or statute a ground rests on, as the requester and
// staff read it in either language.
type Citation struct {
	NL, EN string
}

// In returns the citation in lang (Dutch unless English).
func (c Citation) In(lang Language) string {
	if lang == English {
		return c.EN
	}
	return c.NL
}

// GroundRule is a ground that a right allows, with what it rests on.
type GroundRule struct {
	Ground Ground
	// Basis is the article or statute; empty for GroundOther, whose reasons
	// must name it.
	Basis Citation
	// Details are the choices a decision on this ground must name (the
	// Decision's Detail): whether rectification is refused because the data
	// are correct or because they are a professional judgement, or which
	// letter of UAVG art. 41(1) restricts the right of access. Empty: none.
	Details []string
}

// The details of GroundDataCorrect: the data are a correct fact, or they are
// a professional judgement, which is not a fact to be corrected.
const (
	DetailCorrect   = "correct"
	DetailJudgement = "judgement"
)

// UAVGArticle41 lists the letters of UAVG art. 41(1), the Dutch
// restrictions of the rights under AVG art. 23(1)(a)–(j).
var UAVGArticle41 = []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}

// The grounds every right allows (AVG art. 12), and their citations.
var (
	ruleUnfounded = GroundRule{Ground: GroundUnfounded,
		Basis: Citation{NL: "art. 12 lid 5 AVG", EN: "Art. 12(5) GDPR"}}
	ruleIdentity = GroundRule{Ground: GroundIdentity,
		Basis: Citation{NL: "art. 12 lid 2 en 6 AVG", EN: "Art. 12(2) and (6) GDPR"}}
	// A representative shows their authority as part of who they are
	// (EDPB Guidelines 01/2022 §80–81, on art. 12(6)).
	ruleNoAuthority = GroundRule{Ground: GroundNoRepresentation,
		Basis: Citation{NL: "art. 12 lid 6 AVG", EN: "Art. 12(6) GDPR"}}
	ruleOther = GroundRule{Ground: GroundOther}
)

// groundRules is the table of DOMAIN.md §8: per right, the grounds a refusal
// (whole or partial) may name, in the order the decision form offers them.
var groundRules = map[RequestType][]GroundRule{
	Access: {ruleUnfounded, ruleIdentity, ruleNoAuthority,
		{Ground: GroundOthers, Basis: Citation{NL: "art. 15 lid 4 AVG; art. 7:457 BW", EN: "Art. 15(4) GDPR; Art. 7:457 Dutch Civil Code"}},
		{Ground: GroundChildInterest, Basis: Citation{NL: "art. 7:465 lid 4 BW", EN: "Art. 7:465(4) Dutch Civil Code"}},
		{Ground: GroundStatutory, Basis: Citation{NL: "art. 23 AVG; art. 41 lid 1 UAVG", EN: "Art. 23 GDPR; Art. 41(1) Dutch GDPR Implementation Act (UAVG)"},
			Details: UAVGArticle41},
		ruleOther},
	Rectification: {ruleUnfounded, ruleIdentity, ruleNoAuthority,
		{Ground: GroundDataCorrect, Basis: Citation{NL: "art. 16 AVG", EN: "Art. 16 GDPR"},
			Details: []string{DetailCorrect, DetailJudgement}},
		ruleOther},
	Erasure: {ruleUnfounded, ruleIdentity, ruleNoAuthority,
		{Ground: GroundRetention, Basis: Citation{NL: "art. 17 lid 3 onder b AVG", EN: "Art. 17(3)(b) GDPR"}},
		{Ground: GroundOtherInterest, Basis: Citation{NL: "art. 7:455 lid 2 BW; art. 7.3.9 Jeugdwet", EN: "Art. 7:455(2) Dutch Civil Code; Art. 7.3.9 Youth Act (Jeugdwet)"}},
		{Ground: GroundLegalClaims, Basis: Citation{NL: "art. 17 lid 3 onder e AVG", EN: "Art. 17(3)(e) GDPR"}},
		ruleOther},
	Restriction: {ruleUnfounded, ruleIdentity, ruleNoAuthority,
		{Ground: GroundNoRestriction, Basis: Citation{NL: "art. 18 lid 1 onder a–d AVG", EN: "Art. 18(1)(a)–(d) GDPR"}},
		ruleOther},
	Portability: {ruleUnfounded, ruleIdentity, ruleNoAuthority,
		{Ground: GroundNotApplicable, Basis: Citation{NL: "art. 20 lid 1 AVG", EN: "Art. 20(1) GDPR"}},
		{Ground: GroundOthers, Basis: Citation{NL: "art. 20 lid 4 AVG", EN: "Art. 20(4) GDPR"}},
		ruleOther},
	Objection: {ruleUnfounded, ruleIdentity, ruleNoAuthority,
		{Ground: GroundCompelling, Basis: Citation{NL: "art. 21 lid 1 AVG", EN: "Art. 21(1) GDPR"}},
		{Ground: GroundNotApplicable, Basis: Citation{NL: "art. 21 lid 1 AVG; art. 6 lid 1 onder e en f AVG", EN: "Art. 21(1) GDPR; Art. 6(1)(e) and (f) GDPR"}},
		ruleOther},
	// A withdrawal takes effect when it is given, for the future (art.
	// 7(3)): only who asks can be in doubt.
	ConsentWithdrawal: {ruleIdentity, ruleNoAuthority, ruleOther},
}

// GroundRules returns the grounds a refusal of case c may name, in the
// order the decision form offers them; the slice is the caller's own.
//
// The table follows the right (DOMAIN.md §8), with two turns that depend
// on the case: an objection to direct marketing must always be honoured
// (art. 21(3)), whatever the legal basis, so neither compelling grounds
// nor "the right does not apply" (a basis other than 6(1)(e)/(f), which
// only art. 21(1) asks) can refuse it; and "not in the child's interest"
// (BW 7:465(4)) answers a parent's or guardian's request, never the data
// subject's own.
func GroundRules(c Case) []GroundRule {
	var out []GroundRule
	for _, r := range groundRules[c.Type] {
		switch {
		case c.Type == Objection && c.ImmediateEffect() && (r.Ground == GroundCompelling || r.Ground == GroundNotApplicable):
			continue
		case r.Ground == GroundChildInterest && c.Requester.Relation == Self:
			continue
		}
		out = append(out, r)
	}
	return out
}

// GroundRule returns the rule for ground g on case c, and false when the
// right (or the case) does not allow g.
func (c Case) GroundRule(g Ground) (GroundRule, bool) {
	rules := GroundRules(c)
	i := slices.IndexFunc(rules, func(r GroundRule) bool { return r.Ground == g })
	if i < 0 {
		return GroundRule{}, false
	}
	return rules[i], true
}
