package letters_test

import (
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/practice"
)

// A rectification granted in part lists what was corrected (to what, in
// which systems) and what was not and why; a kept item with the requester's
// statement says it was added to the file, one without offers to add one
// (BW 7:454(2)); in either language. A refusal because the data are correct
// lists the kept items too; a refusal while the requester is not confirmed
// lists nothing.
func TestDecisionLetterListsRectificationItems(t *testing.T) {
	w, _ := decisionWriter(t, practice.Netherlands)
	k := confirmedCase(casework.Rectification)
	k.Rectification = []casework.RectificationItem{
		{Field: "adres", Old: "Kerkstraat 1, Utrecht", New: "Dorpsstraat 12, Utrecht", Systems: []string{"Dossierix", "facturatie"}},
		{Field: "diagnose", Old: "ADHD", Kept: true, Reason: "Een diagnose is een professioneel oordeel, geen feit.",
			Statement: "Ik herken mij niet in deze diagnose."},
		{Field: "verslag 3 maart", Old: "moeder kwam niet", Kept: true, Reason: "Het verslag klopt met de agenda."},
	}
	d := casework.Decision{Outcome: casework.PartiallyGranted, Ground: casework.GroundDataCorrect, Detail: casework.DetailJudgement,
		Reasons: "Uw adres is aangepast; de diagnose niet."}
	for _, tc := range []struct {
		lang casework.Language
		want []string
	}{
		{casework.Dutch, []string{"adres: verbeterd; er staat nu „Dorpsstraat 12, Utrecht” (in: Dossierix, facturatie).",
			"diagnose: niet aangepast. Een diagnose is een professioneel oordeel, geen feit. Uw eigen verklaring hierover hebben wij aan uw dossier toegevoegd (artikel 7:454 lid 2 BW).",
			"verslag 3 maart: niet aangepast. Het verslag klopt met de agenda.\n",
			"Dan kunt u ons een eigen verklaring sturen."}},
		{casework.English, []string{"adres: corrected; it now says “Dorpsstraat 12, Utrecht” (in: Dossierix, facturatie).",
			"diagnose: not changed. Een diagnose is een professioneel oordeel, geen feit. We added your own statement",
			"You may send us a statement of your own."}},
	} {
		k.Language = tc.lang
		l, err := w.DecisionLetter(k, d, decidedOn)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range tc.want {
			if !strings.Contains(l.Body, s) {
				t.Errorf("%s letter lacks %q:\n%s", tc.lang, s, l.Body)
			}
		}
		if strings.Contains(l.Body, "Kerkstraat") || strings.Contains(l.Body, "moeder kwam niet") {
			t.Errorf("%s letter repeats an old value:\n%s", tc.lang, l.Body)
		}
	}

	k.Language = casework.Dutch
	k.Rectification = k.Rectification[1:2]
	refused := casework.Decision{Outcome: casework.Refused, Ground: casework.GroundDataCorrect, Detail: casework.DetailJudgement,
		Reasons: "Een diagnose passen wij niet aan."}
	l, err := w.DecisionLetter(k, refused, decidedOn)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(l.Body, "diagnose: niet aangepast.") || !strings.Contains(l.Body, "hebben wij aan uw dossier toegevoegd") ||
		strings.Contains(l.Body, "eigen verklaring sturen") {
		t.Errorf("a refusal on correct data lists the kept item with its statement, and offers no other:\n%s", l.Body)
	}
	k.Identity = casework.Identity{Status: casework.IdentityUnverified}
	if l, err = w.DecisionLetter(k, refused, decidedOn); err != nil || strings.Contains(l.Body, "diagnose") {
		t.Errorf("a refusal to an unconfirmed requester lists the items (%v):\n%s", err, l.Body)
	}
}
