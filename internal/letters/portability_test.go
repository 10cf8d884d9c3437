package letters_test

import (
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/portability"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/register"
)

// The letter of a portability case says what was exported and how it was
// delivered — to the requester, or to the organisation they named — and,
// whatever the outcome, which chosen activities the right does not cover
// and why (art. 20(1)(a)).
func TestDecisionLetterPortability(t *testing.T) {
	w, _ := decisionWriter(t, practice.Netherlands)
	base := confirmedCase(casework.Portability)
	base.Portability = casework.PortabilityRecord{Document: "doc", ExportedAt: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), Items: []portability.Item{
		{Activity: "client-file", Name: "Cliëntdossier", Basis: register.LegalObligation},
		{Activity: "newsletter", Name: "Nieuwsbrief", Basis: register.Consent, Fields: portability.Fields{{Name: "e-mailadres", Value: "fenna@example.nl"}}},
		{Activity: "agreement", Name: "Behandelovereenkomst", Basis: register.Contract},
	}}
	transferred := base
	transferred.Portability.Transfers = []casework.Transfer{{Organisation: "Praktijk Noord", Email: "privacy@noord.example",
		At: time.Date(2026, 12, 2, 10, 30, 0, 0, time.UTC)}}
	notExported := base
	notExported.Portability.Document = ""
	partly := casework.Decision{Outcome: casework.PartiallyGranted, Ground: casework.GroundNotApplicable, Reasons: "Het dossier valt er niet onder."}
	refused := casework.Decision{Outcome: casework.Refused, Ground: casework.GroundNotApplicable, Reasons: "Geen toestemming of overeenkomst."}
	notCovered := "Cliëntdossier: hiervoor geldt het recht op overdraagbaarheid niet"
	for _, tc := range []struct {
		name      string
		k         casework.Case
		d         casework.Decision
		lang      casework.Language
		want, not []string
	}{
		{"to the requester", base, partly, casework.Dutch,
			[]string{"bij Nieuwsbrief hebben wij in één ZIP-bestand gezet", "persoonlijke link", notCovered, "Wettelijke verplichting (art. 6 lid 1 sub c AVG)"},
			[]string{"Behandelovereenkomst in", "gestuurd naar"}},
		{"to another organisation", transferred, partly, casework.Dutch,
			[]string{"op woensdag 2 december 2026 gestuurd naar Praktijk Noord (privacy@noord.example)", notCovered},
			[]string{"persoonlijke link"}},
		{"in English", transferred, partly, casework.English,
			[]string{"for Nieuwsbrief into one ZIP file", "to Praktijk Noord (privacy@noord.example)", "Cliëntdossier: the right to data portability does not apply here"}, nil},
		{"refused: only what the right does not cover", base, refused, casework.Dutch, []string{notCovered}, []string{"ZIP-bestand"}},
		{"no export made", notExported, partly, casework.Dutch, []string{notCovered}, []string{"ZIP-bestand"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := tc.k
			k.Language = tc.lang
			l, err := w.DecisionLetter(k, tc.d, decidedOn)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tc.want {
				if !strings.Contains(l.Body, s) {
					t.Errorf("the letter lacks %q:\n%s", s, l.Body)
				}
			}
			for _, s := range tc.not {
				if strings.Contains(l.Body, s) {
					t.Errorf("the letter holds %q:\n%s", s, l.Body)
				}
			}
		})
	}
	// Another right says nothing of portability.
	other := confirmedCase(casework.Access)
	other.Portability = base.Portability
	if l, _ := w.DecisionLetter(other, casework.Decision{Outcome: casework.Granted}, decidedOn); strings.Contains(l.Body, "overdraagbaarheid") {
		t.Errorf("an access letter speaks of portability:\n%s", l.Body)
	}
}

// The mail to the other organisation carries the link, the reference and
// the last day, never the data.
func TestPortabilityTransferMail(t *testing.T) {
	w, _ := decisionWriter(t, practice.Netherlands)
	k := confirmedCase(casework.Portability)
	m, err := w.PortabilityTransfer(k, "Praktijk Noord", "privacy@noord.example", "https://avg.example/overdracht/abc",
		time.Date(2027, 1, 2, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Praktijk De Linde stuurt Praktijk Noord", "AVG-2026-0042", "https://avg.example/overdracht/abc", "zaterdag 2 januari 2027", "privacy@delinde.example"} {
		if !strings.Contains(m.Text, s) {
			t.Errorf("the mail lacks %q:\n%s", s, m.Text)
		}
	}
	if m.To != "privacy@noord.example" || strings.Contains(m.Text, "Fenna") || m.Kind != "portability_transfer" {
		t.Errorf("to %s, kind %s:\n%s", m.To, m.Kind, m.Text)
	}
}
