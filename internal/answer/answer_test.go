package answer_test

import (
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/answer"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/register"
	"github.com/avgloket/avgloket/ui"
)

func writer(tb testing.TB) *answer.Writer {
	tb.Helper()
	w, err := answer.NewWriter(ui.FS)
	if err != nil {
		tb.Fatal(err)
	}
	return w
}

// acts is a small register, each activity with words of its own, so a
// statement shows which activities it covers.
func acts() []register.Activity {
	return []register.Activity{
		{Key: "client-file", Name: "Dossier", Purpose: "Hulp-Doel-Dossier", LegalBasis: register.LegalObligation, SpecialCategories: true,
			DataCategories: []string{"Cat-Dossier-Naam", "Cat-Dossier-Gezondheid"},
			Recipients:     []register.Recipient{{Name: "Ontv-Dossier-ECD", Kind: register.Processor, Country: "NL", Agreement: true}},
			Retention:      register.Retention{Months: 240, From: "Van-Dossier", Ground: "Grond-Dossier-Jeugdwet"},
			Source:         "Bron-Dossier-Verwijzer"},
		{Key: "invoicing", Name: "Facturen", Purpose: "Doel-Facturen", LegalBasis: register.Contract,
			DataCategories: []string{"Cat-Facturen-IBAN"},
			Recipients:     []register.Recipient{{Name: "Ontv-Facturen-Belasting", Kind: register.Authority, Country: "NL"}},
			Retention:      register.Retention{Months: 84, From: "Van-Facturen", Ground: "Grond-Facturen-AWR"}},
		{Key: "newsletter", Name: "Nieuwsbrief", Purpose: "Doel-Nieuwsbrief", LegalBasis: register.Consent, DirectMarketing: true,
			DataCategories: []string{"Cat-Nieuwsbrief-Email"},
			Recipients: []register.Recipient{{Name: "Ontv-Nieuwsbrief-Mailer", Kind: register.Processor, Country: "US",
				Safeguards: "Waarborg-Nieuwsbrief-SCC"}},
			Retention: register.Retention{Months: 18, From: "Van-Nieuwsbrief", Ground: "Grond-Nieuwsbrief"}},
		{Key: "contact-form", Name: "Contactformulier", Purpose: "Doel-Contact", LegalBasis: register.LegitimateInterests,
			DataCategories: []string{"Cat-Contact-Bericht"},
			Retention:      register.Retention{Months: 13, From: "Van-Contact", Ground: "Grond-Contact"}},
		{Key: "scoring", Name: "Wachtlijst", Purpose: "Doel-Wachtlijst", LegalBasis: register.PublicTask, AutomatedDecisions: true,
			DataCategories: []string{"Cat-Wachtlijst-Score"},
			Retention:      register.Retention{Months: 12, From: "Van-Wachtlijst", Ground: "Grond-Wachtlijst"}},
	}
}

// own are the words of each activity that belong in a statement about it.
func own(a register.Activity) []string {
	out := []string{a.Purpose, a.Retention.From, a.Retention.Ground}
	out = append(out, a.DataCategories...)
	for _, r := range a.Recipients {
		out = append(out, r.Name)
	}
	if a.Source != "" {
		out = append(out, a.Source)
	}
	return out
}

// TestDraft: the statement holds exactly the chosen activities' purposes,
// categories, recipients, retention and grounds and none of the others';
// portability only for consent or contract, objection only for public task,
// legitimate interests or direct marketing, withdrawal only for consent;
// an outside-EEA recipient comes with its safeguards; the authority follows
// the practice's country; the language the case's.
func TestDraft(t *testing.T) {
	nl := practice.Settings{Name: "Praktijk De Linde", Address: "Lindelaan 1, Utrecht", PrivacyEmail: "privacy@delinde.example", Country: practice.Netherlands}
	be := nl
	be.Country = practice.Belgium
	tests := []struct {
		name     string
		keys     []string
		settings practice.Settings
		lang     casework.Language
		want     []string
		not      []string
	}{
		{"client file only, NL", []string{"client-file"}, nl, casework.Dutch,
			[]string{"Autoriteit Persoonsgegevens", "https://www.autoriteitpersoonsgegevens.nl", "Postbus 93374", "20 jaar na Van-Dossier",
				"art. 6 lid 1 sub c AVG", "een wettelijke verplichting", "bijzondere persoonsgegevens", "privacy@delinde.example",
				"(artikel 16)", "(artikel 17)", "(artikel 18)", "Wij nemen geen besluiten", "(verwerker), binnen de EU/EER"},
			[]string{"Gegevensbeschermingsautoriteit", "overdraagbaarheid", "bezwaar maken", "toestemming op elk moment", "buiten de EU/EER"}},
		{"same in Belgium names the GBA", []string{"client-file"}, be, casework.Dutch,
			[]string{"Gegevensbeschermingsautoriteit", "Drukpersstraat 35, 1000 Brussel", "https://www.gegevensbeschermingsautoriteit.be"},
			[]string{"Autoriteit Persoonsgegevens", "autoriteitpersoonsgegevens.nl"}},
		{"invoicing: portability on a contract", []string{"invoicing"}, nl, casework.Dutch,
			[]string{"(overdraagbaarheid, artikel 20) bij: Facturen.", "7 jaar na Van-Facturen", "(overheidsinstantie)"},
			[]string{"bezwaar maken", "toestemming op elk moment", "bijzondere persoonsgegevens"}},
		{"newsletter: consent, direct marketing, outside the EEA", []string{"newsletter"}, nl, casework.Dutch,
			[]string{"buiten de EU/EER (US); waarborg voor de doorgifte: Waarborg-Nieuwsbrief-SCC", "bezwaar maken tegen de verwerking (artikel 21) bij: Nieuwsbrief.",
				"(overdraagbaarheid, artikel 20) bij: Nieuwsbrief.", "toestemming op elk moment intrekken (artikel 7, lid 3), met ingang van dat moment, bij: Nieuwsbrief.",
				"1 jaar en 6 maanden na Van-Nieuwsbrief"},
			nil},
		{"contact form: objection, no portability, no source", []string{"contact-form"}, nl, casework.Dutch,
			[]string{"bezwaar maken tegen de verwerking (artikel 21) bij: Contactformulier.", "1 jaar en 1 maand", "Ontvangers: geen.",
				"Alle gegevens hebben wij gekregen van de persoon zelf."},
			[]string{"overdraagbaarheid", "toestemming op elk moment"}},
		{"automated decisions are named", []string{"scoring"}, nl, casework.Dutch,
			[]string{"Bij Wachtlijst nemen wij besluiten die uitsluitend op geautomatiseerde verwerking berusten", "1 jaar na Van-Wachtlijst"},
			[]string{"Wij nemen geen besluiten"}},
		{"two activities, portability for the contract one only", []string{"client-file", "invoicing"}, nl, casework.Dutch,
			[]string{"bij: Facturen.", "- Dossier: Bron-Dossier-Verwijzer"},
			[]string{"bij: Dossier, Facturen"}},
		{"English", []string{"newsletter", "client-file"}, nl, casework.English,
			[]string{"Access to personal data (Article 15 GDPR)", "Dutch Data Protection Authority (Autoriteit Persoonsgegevens)",
				"outside the EU/EEA (US); safeguard for the transfer: Waarborg-Nieuwsbrief-SCC", "(data portability, Article 20), in: Nieuwsbrief.",
				"20 years after Van-Dossier", "1 year and 6 months after Van-Nieuwsbrief", "a legal obligation (art. 6(1)(c) GDPR)"},
			[]string{"Uw rechten", "verwerkt", "Bewaartermijn", "Gegevensbeschermingsautoriteit", " AVG"}},
		{"English in Belgium", []string{"invoicing"}, be, casework.English,
			[]string{"Belgian Data Protection Authority (Gegevensbeschermingsautoriteit)", "Drukpersstraat 35"},
			[]string{"Autoriteit Persoonsgegevens"}},
		{"nothing chosen: no processing", nil, nl, casework.Dutch,
			[]string{"verwerkt geen persoonsgegevens", "Autoriteit Persoonsgegevens"},
			[]string{"Doel:", "Uw rechten", "Herkomst"}},
	}
	w := writer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			all := acts()
			chosen := answer.Chosen(all, tt.keys)
			text, err := w.Draft(answer.Input{Activities: chosen, Practice: tt.settings, Language: tt.lang})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range all {
				picked := false
				for _, k := range tt.keys {
					picked = picked || k == a.Key
				}
				for _, word := range own(a) {
					if got := strings.Contains(text, word); got != picked {
						t.Errorf("%q in the statement: %v, want %v (activity %s chosen: %v)", word, got, picked, a.Key, picked)
					}
				}
			}
			for _, s := range tt.want {
				if !strings.Contains(text, s) {
					t.Errorf("statement lacks %q:\n%s", s, text)
				}
			}
			for _, s := range tt.not {
				if strings.Contains(text, s) {
					t.Errorf("statement holds %q:\n%s", s, text)
				}
			}
			if strings.Contains(text, "\n\n\n") || strings.Contains(text, "<no value>") {
				t.Errorf("badly laid out:\n%s", text)
			}
		})
	}
}

// TestChosen keeps the register's order and ignores keys it does not have.
func TestChosen(t *testing.T) {
	got := answer.Chosen(acts(), []string{"newsletter", "client-file", "gone"})
	if len(got) != 2 || got[0].Key != "client-file" || got[1].Key != "newsletter" {
		t.Errorf("Chosen = %v", got)
	}
}

// TestDraftTemplateRegister: the register a new practice starts from
// drafts a statement for each of its activities in both languages.
func TestDraftTemplateRegister(t *testing.T) {
	w := writer(t)
	for _, c := range practice.Countries {
		for _, a := range register.Template(c) {
			for _, l := range []casework.Language{casework.Dutch, casework.English} {
				text, err := w.Draft(answer.Input{Activities: []register.Activity{a}, Practice: practice.Settings{Name: "P", Country: c}, Language: l})
				if err != nil || !strings.Contains(text, a.Purpose) || !strings.Contains(text, a.Retention.Ground) {
					t.Errorf("%s %s %s: %v\n%s", c, a.Key, l, err, text)
				}
			}
		}
	}
}
