package breach

import (
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/practice"
)

func TestLetterAndNotice(t *testing.T) {
	ctl := testController(t)
	b := fullBreach(t)
	b.DataCategories = append(b.DataCategories, CategoryFinancial, CategoryIdentityDocuments)
	for _, tc := range []struct {
		lang   string
		want   []string
		jargon []string
	}{
		{"nl", []string{
			"Wat is er gebeurd?", "Op vrijdag 27 maart 2026 ontdekten wij dat gegevens per ongeluk naar de verkeerde persoon zijn gestuurd.",
			"naam, adres en contactgegevens", "burgerservicenummer (BSN)", "gegevens over jeugdhulp", "gegevens over gezondheid",
			"gegevens over geld", "een kopie van een paspoort of identiteitskaart", "andere gegevens",
			"Wat kan er gebeuren?", "Iemand kan proberen zich voor u uit te geven.",
			"Wat hebben wij gedaan?", b.MeasuresTaken,
			"Wat kunt u zelf doen?", "Centraal Meldpunt Identiteitsfraude", "Bel dan meteen uw bank.",
			"Neem dan contact op met: Mr. A. Bakker, functionaris gegevensbescherming, fg@delinde.example, 030 123 45 67.",
			"Jeugdpraktijk De Linde",
		}, []string{"persoonsgegevens", "verwerkingsverantwoordelijke", "betrokkene", "AVG", "ENISA", "art. ", "datalekken"}},
		{"en", []string{
			"What happened?", "On Friday 27 March 2026, we found out that information was sent to the wrong person by mistake.",
			"name, address and contact details", "citizen service number (BSN)", "information about youth care", "information about health",
			"information about money", "a copy of a passport or identity card", "other information",
			"What could happen?", "Someone could try to pretend to be you.",
			"What have we done?", "What can you do yourself?", "Call your bank straight away.",
			"Please contact: Mr. A. Bakker, fg@delinde.example, 030 123 45 67.",
			"Jeugdpraktijk De Linde",
		}, []string{"data subject", "controller", "GDPR", "ENISA", "Art. "}},
	} {
		for _, kind := range []struct {
			name  string
			write func(Breach, Controller, string) string
			extra []string
		}{
			{"letter", Letter, map[string][]string{
				"nl": {"Gaat het om uw kind?", "Met vriendelijke groet"},
				"en": {"Is this about your child?", "Kind regards"}}[tc.lang]},
			{"public notice", PublicNotice, map[string][]string{
				"nl": {"Bericht over een datalek bij Jeugdpraktijk De Linde", "Het gaat om gegevens van kinderen (minderjarigen) en ouders of verzorgers."},
				"en": {"Notice of a data breach at Jeugdpraktijk De Linde", "The information is about children and parents or carers."}}[tc.lang]},
		} {
			t.Run(tc.lang+"/"+kind.name, func(t *testing.T) {
				text := kind.write(b, ctl, tc.lang)
				for _, w := range append(tc.want, kind.extra...) {
					if !strings.Contains(text, w) {
						t.Errorf("lacks %q", w)
					}
				}
				for _, j := range tc.jargon {
					if strings.Contains(text, j) {
						t.Errorf("uses the jargon %q", j)
					}
				}
				if t.Failed() {
					t.Log(text)
				}
			})
		}
	}
}

func TestLetterFallbacks(t *testing.T) {
	ctl := testController(t)
	ctl.DPO = Contact{}
	// Assessed low: nothing more known, so the reassurance may stand.
	b := Breach{Title: "x", AwareAt: ams(t, "2026-06-10 09:30"), Incident: "", AffectedGroups: []string{GroupClients},
		Assessment: &Assessment{DPC: 1, EI: 0.5, Confidentiality: KnownRecipients, Integrity: None, Availability: None}}
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"nl", []string{"Op woensdag 10 juni 2026 ontdekten wij dat er iets is misgegaan met gegevens.",
			"Dat zoeken wij nog uit.", "Wij verwachten niet veel problemen.", "U hoeft niets te doen.",
			"Wij zoeken uit hoe dit kon gebeuren.", "contact op met: Karin de Wit, privacy@delinde.example."}},
		{"en", []string{"something went wrong with personal information", "We are still finding this out.",
			"You do not need to do anything.", "Please contact: Karin de Wit, privacy@delinde.example."}},
		{"de", []string{"Beste lezer"}}, // unknown languages get Dutch
	} {
		t.Run(tc.lang, func(t *testing.T) {
			text := Letter(b, ctl, tc.lang)
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("lacks %q:\n%s", w, text)
				}
			}
			if strings.Contains(text, "Gaat het om uw kind?") {
				t.Error("mentions a child when no children are affected")
			}
		})
	}
}

// The letter for a high-risk breach states the likely consequences that
// were assessed and never reassures (DOMAIN.md §10); nor does a letter
// drafted before any assessment.
func TestLetterHighRisk(t *testing.T) {
	ctl := testController(t)
	reassurance := []string{"Wij verwachten niet veel problemen", "U hoeft niets te doen", "We do not expect many problems",
		"You do not need to do anything"}
	high := &Assessment{DPC: 4, EI: 1, Confidentiality: UnknownRecipients, Integrity: None, Availability: None}
	for _, tc := range []struct {
		name string
		edit func(*Breach)
		want map[string][]string
	}{
		{"high, nothing recorded", func(b *Breach) { b.Assessment = high }, map[string][]string{
			"nl": {"Het risico voor u is hoog.", "Wij zoeken nog uit wat de gevolgen voor u kunnen zijn."},
			"en": {"The risk to you is high.", "We are still finding out what this could mean for you."}}},
		{"high, consequences recorded", func(b *Breach) {
			b.Assessment = high
			b.Consequences = "Een onbekende kan lezen welke gezinnen hulp krijgen."
		}, map[string][]string{
			"nl": {"Het risico voor u is hoog.", "Een onbekende kan lezen welke gezinnen hulp krijgen."},
			"en": {"The risk to you is high.", "[TRANSLATE INTO ENGLISH: Een onbekende kan lezen welke gezinnen hulp krijgen.]"}}},
		{"not assessed yet", func(*Breach) {}, map[string][]string{
			"nl": {"Wij zoeken nog uit wat de gevolgen voor u kunnen zijn."},
			"en": {"We are still finding out what this could mean for you."}}},
	} {
		for _, lang := range []string{"nl", "en"} {
			t.Run(tc.name+"/"+lang, func(t *testing.T) {
				b := Breach{Title: "x", AwareAt: ams(t, "2026-06-10 09:30"), AffectedGroups: []string{GroupClients}}
				tc.edit(&b)
				for _, write := range []func(Breach, Controller, string) string{Letter, PublicNotice} {
					text := write(b, ctl, lang)
					for _, w := range tc.want[lang] {
						if !strings.Contains(text, w) {
							t.Errorf("lacks %q:\n%s", w, text)
						}
					}
					for _, r := range reassurance {
						if strings.Contains(text, r) {
							t.Errorf("reassures with %q:\n%s", r, text)
						}
					}
				}
			})
		}
	}
}

// A Belgian practice's letter names the GBA as the place to complain, a
// Dutch practice's the AP (DOMAIN.md §9).
func TestLetterAuthority(t *testing.T) {
	b := fullBreach(t)
	for _, tc := range []struct {
		country     practice.Country
		want, never string
	}{
		{practice.Belgium, "een klacht indienen bij de Gegevensbeschermingsautoriteit.", "Autoriteit Persoonsgegevens"},
		{practice.Netherlands, "een klacht indienen bij de Autoriteit Persoonsgegevens.", "Gegevensbeschermingsautoriteit"},
	} {
		ctl := testController(t)
		ctl.Country = tc.country
		text := Letter(b, ctl, "nl")
		if !strings.Contains(text, tc.want) || strings.Contains(text, tc.never) {
			t.Errorf("%s letter:\n%s", tc.country, text)
		}
		if en := Letter(b, ctl, "en"); !strings.Contains(en, "complain to the "+ctl.Authority().NameEN+".") {
			t.Errorf("%s English letter:\n%s", tc.country, en)
		}
	}
}
