package letters_test

import (
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/letters"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/ui"
)

// decisionWriter is a Writer for a practice with its full letterhead, in
// country.
func decisionWriter(t *testing.T, country practice.Country) (*letters.Writer, *lang.Catalog) {
	t.Helper()
	cat, err := lang.Load(ui.FS)
	if err != nil {
		t.Fatal(err)
	}
	w, err := letters.New(ui.FS, cat, func() (practice.Settings, error) {
		return practice.Settings{Name: "Praktijk De Linde", Address: "Lindelaan 3\n3512 AB Utrecht", KvK: "12345678",
			PrivacyEmail: "privacy@delinde.example", PrivacyURL: "https://delinde.example/privacy", Country: country}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return w, cat
}

// confirmedCase is a case of type typ whose requester is verified and
// confirmed, so that a refusal's ground is told.
func confirmedCase(typ casework.RequestType) casework.Case {
	at := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	return casework.Case{Reference: "AVG-2026-0042", Type: typ, Language: casework.Dutch,
		ReceivedOn: deadline.Date{Year: 2026, Month: time.November, Day: 20},
		Requester:  casework.Requester{Name: "Fenna Bosgraaf", Email: "fenna@example.nl", Relation: casework.Self},
		Identity:   casework.Identity{Status: casework.IdentityVerified, VerifiedAt: &at}, EmailConfirmedAt: &at}
}

var decidedOn = deadline.Date{Year: 2026, Month: time.December, Day: 3}

// The drafted letter for every right and outcome says what was decided
// for that right, names a refusal's ground with its article, and tells the
// complaint route to the Dutch authority and the court (art. 12(4) AVG,
// art. 35 UAVG) — except for a request the requester withdrew.
func TestDecisionLetterPerRightAndOutcome(t *testing.T) {
	w, cat := decisionWriter(t, practice.Netherlands)
	rights := []casework.RequestType{casework.Access, casework.Rectification, casework.Erasure, casework.Restriction,
		casework.Portability, casework.Objection, casework.ConsentWithdrawal}
	// The right's own ground, where it has one; identity otherwise.
	grounds := map[casework.RequestType]casework.Decision{
		casework.Access:            {Ground: casework.GroundOthers},
		casework.Rectification:     {Ground: casework.GroundDataCorrect, Detail: casework.DetailJudgement},
		casework.Erasure:           {Ground: casework.GroundRetention, Statute: "art. 52 AWR", Until: "2033-12-31"},
		casework.Restriction:       {Ground: casework.GroundNoRestriction},
		casework.Portability:       {Ground: casework.GroundNotApplicable},
		casework.Objection:         {Ground: casework.GroundCompelling},
		casework.ConsentWithdrawal: {Ground: casework.GroundIdentity},
	}
	for _, right := range rights {
		for _, outcome := range casework.Outcomes {
			t.Run(string(right)+"/"+string(outcome), func(t *testing.T) {
				k := confirmedCase(right)
				if right == casework.Restriction { // a restriction is granted only once recorded
					k.Activities, k.Restriction = []string{"client-file"}, &recordedRestriction
				}
				d := casework.Decision{Outcome: outcome, Reasons: "Toelichting van de behandelaar."}
				if outcome.Refuses() {
					g := grounds[right]
					d.Ground, d.Detail, d.Statute, d.Until = g.Ground, g.Detail, g.Statute, g.Until
				}
				if outcome == casework.Withdrawn {
					d.WithdrawnHow = "email"
				}
				if p := d.Validate(k, decidedOn); len(p) > 0 {
					t.Fatalf("the test's decision is not valid: %v", p)
				}
				l, err := w.DecisionLetter(k, d, decidedOn)
				if err != nil {
					t.Fatalf("DecisionLetter: %v", err)
				}
				key := "letter.decision." + string(right) + "." + string(outcome)
				if outcome == casework.Withdrawn {
					key = "letter.decision.withdrawn"
				}
				sentence := cat.T(lang.NL, key, map[string]any{"Received": lang.Date(lang.NL, k.ReceivedOn)})
				want := []string{"Geachte Fenna Bosgraaf,", "AVG-2026-0042", "20 november 2026", sentence,
					"Toelichting van de behandelaar.", "Praktijk De Linde"}
				absent := []string{"{{", "<no value>", "http://", "Welke gegevens wij van u verwerken"}
				route := []string{"Autoriteit Persoonsgegevens", "Postbus 93374, 2509 AJ Den Haag", "https://www.autoriteitpersoonsgegevens.nl",
					"rechtbank", "artikel 35 UAVG", "privacy@delinde.example"}
				if outcome == casework.Withdrawn {
					absent = append(absent, route...)
				} else {
					want = append(want, route...)
				}
				if outcome.Refuses() {
					rule, ok := k.GroundRule(d.Ground)
					if !ok {
						t.Fatalf("ground %s not allowed", d.Ground)
					}
					want = append(want, cat.T(lang.NL, "ground."+string(d.Ground), nil), rule.Basis.NL)
				}
				for _, s := range want {
					if !strings.Contains(l.Body, s) {
						t.Errorf("letter lacks %q:\n%s", s, l.Body)
					}
				}
				for _, s := range absent {
					if strings.Contains(l.Body, s) {
						t.Errorf("letter shows %q:\n%s", s, l.Body)
					}
				}
				if l.Reference != "AVG-2026-0042" || l.Date != "donderdag 3 december 2026" || !strings.Contains(l.Subject, "AVG-2026-0042") {
					t.Errorf("letter is %q of %q, subject %q", l.Reference, l.Date, l.Subject)
				}
			})
		}
	}
}

// The parts of a decision letter that depend on the case and the practice:
// the Belgian authority and court, English, the access statement as one
// section (absent without one), the officer's own text, a refusal's ground
// held back while the requester is unconfirmed, the date from which an
// objection to direct marketing takes effect, and the letterhead and
// address block.
func TestDecisionLetterParts(t *testing.T) {
	nl, cat := decisionWriter(t, practice.Netherlands)
	be, _ := decisionWriter(t, practice.Belgium)
	refusal := casework.Decision{Outcome: casework.Refused, Ground: casework.GroundOthers, Reasons: "Het dossier gaat ook over uw broer."}
	access := confirmedCase(casework.Access)
	english := access
	english.Language = casework.English
	unconfirmed := access
	unconfirmed.EmailConfirmedAt = nil
	yes := true
	dm := confirmedCase(casework.Objection)
	dm.Specifics.DirectMarketing = &yes
	parent := access
	parent.Requester.Relation, parent.Subject = casework.Parent, casework.Subject{Name: "Daan Bosgraaf"}
	postal := access
	postal.Requester.Email, postal.Requester.Address = "", casework.PostalAddress{Street: "Dorpsstraat 4", Postcode: "3511 AB", City: "Utrecht"}

	tests := []struct {
		name         string
		w            *letters.Writer
		k            casework.Case
		d            casework.Decision
		want, absent []string
	}{
		{"Belgium: the GBA and the court of first instance", be, access, refusal,
			[]string{"Gegevensbeschermingsautoriteit", "Drukpersstraat 35, 1000 Brussel", "voorzitter van de rechtbank van eerste aanleg",
				"artikel 209 van de wet van 30 juli 2018", "art. 15 lid 4 AVG"},
			[]string{"Autoriteit Persoonsgegevens", "35 UAVG"}},
		{"English", nl, english, refusal,
			[]string{"Dear Fenna Bosgraaf,", "We refuse your request for access.", "Art. 15(4) GDPR", "district court",
				"Article 35 of the Dutch GDPR Implementation Act (UAVG)", "Dutch Data Protection Authority", "Kind regards,"},
			[]string{"Geachte", "Wij ", "rechtbank"}},
		{"Belgium in English", be, english, refusal,
			[]string{"president of the court of first instance", "Article 209 of the Belgian Act of 30 July 2018",
				"Belgian Data Protection Authority"}, []string{"district court"}},
		{"access with its statement", nl, access,
			casework.Decision{Outcome: casework.Granted, Reasons: "Hierbij.", Statement: "Doeleinden: hulpverlening aan uw kind."},
			[]string{"Welke gegevens wij van u verwerken (artikel 15 lid 1 AVG)", "Doeleinden: hulpverlening aan uw kind."}, nil},
		{"refusal held back from an unconfirmed requester", nl, unconfirmed, refusal,
			[]string{cat.T(lang.NL, "letter.decision.access.refused", nil), "zodra wij zeker weten wie u bent", "Autoriteit Persoonsgegevens"},
			[]string{"broer", "art. 15 lid 4 AVG", cat.T(lang.NL, "ground.rights_of_others", nil)}},
		{"a parent's request: whose data the letter speaks of", nl, parent,
			casework.Decision{Outcome: casework.Granted, Reasons: "Hierbij."},
			[]string{"U diende het in namens Daan Bosgraaf: waar deze brief over uw gegevens spreekt, gaat het om de gegevens van Daan Bosgraaf."}, nil},
		{"the requester's own request names nobody else", nl, access,
			casework.Decision{Outcome: casework.Granted, Reasons: "Hierbij."}, nil, []string{"namens"}},
		{"objection to direct marketing: from receipt", nl, dm,
			casework.Decision{Outcome: casework.Granted, Reasons: "Uitgeschreven van de nieuwsbrief."},
			[]string{"met ingang van vrijdag 20 november 2026", "artikel 21 lid 3 AVG"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := tt.w.DecisionLetter(tt.k, tt.d, decidedOn)
			if err != nil {
				t.Fatalf("DecisionLetter: %v", err)
			}
			for _, s := range tt.want {
				if !strings.Contains(l.Body, s) {
					t.Errorf("letter lacks %q:\n%s", s, l.Body)
				}
			}
			for _, s := range tt.absent {
				if strings.Contains(l.Body, s) {
					t.Errorf("letter shows %q:\n%s", s, l.Body)
				}
			}
		})
	}

	t.Run("the officer's own text, the letterhead and the address block", func(t *testing.T) {
		d := refusal
		d.Letter = "  Geachte mevrouw Bosgraaf,\r\n\r\nEigen tekst van de behandelaar.\r\n  "
		l, err := be.DecisionLetter(postal, d, decidedOn)
		if err != nil {
			t.Fatal(err)
		}
		if l.Body != "Geachte mevrouw Bosgraaf,\n\nEigen tekst van de behandelaar." {
			t.Errorf("body %q, want the officer's text as typed", l.Body)
		}
		head := "Praktijk De Linde\nLindelaan 3\n3512 AB Utrecht\nKBO-nummer 12345678\nE-mail: privacy@delinde.example\nPrivacyverklaring: https://delinde.example/privacy"
		if l.Letterhead != head {
			t.Errorf("letterhead %q, want %q", l.Letterhead, head)
		}
		if l.Recipient != "Fenna Bosgraaf\nDorpsstraat 4\n3511 AB  Utrecht" {
			t.Errorf("address block %q", l.Recipient)
		}
		doc := be.Document(l, lang.NL, time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC))
		var text []string
		for _, b := range doc.Blocks {
			text = append(text, b.Text)
		}
		all := strings.Join(text, "\n")
		for _, s := range []string{head, "Datum: donderdag 3 december 2026\nKenmerk: AVG-2026-0042", l.Subject, "Eigen tekst van de behandelaar."} {
			if !strings.Contains(all, s) {
				t.Errorf("document lacks %q:\n%s", s, all)
			}
		}
		if doc.Author != "Praktijk De Linde" || doc.Footer != "AVG-2026-0042" {
			t.Errorf("document author %q, footer %q", doc.Author, doc.Footer)
		}
	})
}

// An erasure granted in part lists, by the register's names, what was
// erased (and where), what will be destroyed by when, and what is kept, on
// which statute and until when, in either language; one refused outright lists nothing as erased.
func TestDecisionLetterListsErasureItems(t *testing.T) {
	w, _ := decisionWriter(t, practice.Netherlands)
	k := confirmedCase(casework.Erasure)
	k.Erasure = []casework.ErasureItem{
		{Activity: "client-file", Name: "Cliëntdossier", Action: casework.ErasureErased, System: "Dossierix"},
		{Activity: "invoicing", Name: "Facturatie", Action: casework.ErasureKept, Ground: "AWR art. 52", Until: "2033-12-31"},
		{Activity: "archive", Name: "Archief", Action: casework.ErasureScheduled, Due: "2027-02-15", System: "papieren archief"},
	}
	d := casework.Decision{Outcome: casework.PartiallyGranted, Ground: casework.GroundRetention, Statute: "AWR art. 52",
		Until: "2033-12-31", Reasons: "Facturen bewaren wij voor de Belastingdienst."}
	for _, tc := range []struct {
		lang casework.Language
		want []string
	}{
		{casework.Dutch, []string{"Cliëntdossier: gewist uit Dossierix.", "Facturatie: bewaard tot en met zaterdag 31 december 2033",
			"(AWR art. 52)", "Archief: wordt uiterlijk maandag 15 februari 2027 vernietigd (papieren archief)."}},
		{casework.English, []string{"Cliëntdossier: erased from Dossierix.", "Facturatie: kept until Saturday 31 December 2033",
			"(AWR art. 52)", "Archief: will be destroyed by Monday 15 February 2027 (papieren archief)."}},
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
		// The kept item says its statute; no second sentence repeats it.
		if n := strings.Count(l.Body, "AWR art. 52"); n != 1 {
			t.Errorf("%s letter names the statute %d times:\n%s", tc.lang, n, l.Body)
		}
	}
	k.Language = casework.Dutch
	refused := casework.Decision{Outcome: casework.Refused, Ground: casework.GroundLegalClaims, Reasons: "Er loopt een procedure."}
	l, err := w.DecisionLetter(k, refused, decidedOn)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(l.Body, "gewist") {
		t.Errorf("a refused erasure lists erased data:\n%s", l.Body)
	}
}

// A request granted when none of the register's activities concern the
// person says plainly, per right and in both languages, that the practice
// processes no data about them, and for the rights that act on data that
// there is nothing to act on; it never claims something was done.
func TestDecisionLetterNoData(t *testing.T) {
	w, _ := decisionWriter(t, practice.Netherlands)
	for _, tc := range []struct {
		typ      casework.RequestType
		nl, en   string
		notClaim string
	}{
		{casework.Access, "Wij verwerken geen persoonsgegevens van u", "We process no personal data about you", "een kopie daarvan"},
		{casework.Erasure, "Er is daarom niets te wissen", "So there is nothing to erase", "gewist zoals u vroeg"},
		{casework.Rectification, "niets te verbeteren of aan te vullen", "nothing to correct or complete", "verbeterd zoals u vroeg"},
		{casework.Restriction, "geen verwerking om te beperken", "no processing to restrict", "beperken de verwerking"},
		{casework.Portability, "geen gegevens die wij u kunnen geven", "no data we could give you", "gestructureerde"},
		{casework.Objection, "geen verwerking waarmee wij moeten stoppen", "no processing for us to stop", "stoppen met de verwerking"},
	} {
		t.Run(string(tc.typ), func(t *testing.T) {
			k := confirmedCase(tc.typ)
			k.Activities, k.NoActivities = []string{}, true
			l, err := w.DecisionLetter(k, casework.Decision{Outcome: casework.Granted}, decidedOn)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(l.Body, tc.nl) || !strings.Contains(l.Body, "Wij verwerken geen persoonsgegevens van u") || strings.Contains(l.Body, tc.notClaim) {
				t.Fatalf("nl letter:\n%s", l.Body)
			}
			k.Language = casework.English
			l, err = w.DecisionLetter(k, casework.Decision{Outcome: casework.Granted}, decidedOn)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(l.Body, tc.en) || !strings.Contains(l.Body, "We process no personal data about you") {
				t.Fatalf("en letter:\n%s", l.Body)
			}
			// A refusal keeps its own words: no data recorded does not
			// speak for a request refused on another ground.
			k.Language = casework.Dutch
			l, err = w.DecisionLetter(k, casework.Decision{Outcome: casework.Refused, Ground: casework.GroundIdentity}, decidedOn)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(l.Body, "Wij verwerken geen persoonsgegevens van u") {
				t.Fatalf("refusal speaks of no data:\n%s", l.Body)
			}
		})
	}
}
