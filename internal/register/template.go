package register

import "github.com/avgloket/avgloket/internal/practice"

// The keys of the template's activities. Other packages may rely on them
// only for a register that still holds the template's activity.
const (
	KeyClientFile    = "client-file"
	KeyInvoicing     = "invoicing"
	KeyNewsletter    = "newsletter"
	KeyResearch      = "research-recordings"
	KeyReferralIndex = "referral-index"
	KeyContactForm   = "contact-form"
	KeyPrivacyPortal = "privacy-requests"
)

// law is what differs between a Dutch and a Belgian youth-care practice:
// the statutes behind the client file and the books, the national number,
// the public bodies involved.
type law struct {
	country        practice.Country
	fileMonths     int
	fileFrom       string
	fileGround     string
	nationalNumber string
	commissioner   Recipient // who commissions and pays for the care
	booksMonths    int
	booksGround    string
	taxOffice      Recipient
	referralIndex  bool // the Dutch verwijsindex risicojongeren; Belgium has none
}

var dutchLaw = law{
	country:        practice.Netherlands,
	fileMonths:     240,
	fileFrom:       "de laatste wijziging van het dossier (in de regel het einde van de hulp)",
	fileGround:     "Jeugdwet art. 7.3.8 (bewaartermijn 20 jaar); een verzoek tot vernietiging wordt binnen 3 maanden uitgevoerd (Jeugdwet art. 7.3.9)",
	nationalNumber: "Burgerservicenummer (BSN)",
	commissioner: Recipient{Name: "Gemeente van de jeugdige (toewijzing, declaratie en verantwoording van de jeugdhulp)", Kind: Controller,
		Country: "NL", Email: "privacy@gemeente.example"},
	booksMonths:   84,
	booksGround:   "Algemene wet inzake rijksbelastingen art. 52 (fiscale bewaarplicht 7 jaar)",
	taxOffice:     Recipient{Name: "Belastingdienst (alleen bij een controle)", Kind: Authority, Country: "NL"},
	referralIndex: true,
}

var belgianLaw = law{
	country:    practice.Belgium,
	fileMonths: 360,
	fileFrom:   "het laatste contact met de cliënt",
	fileGround: "Wet van 22 april 2019 inzake de kwaliteitsvolle praktijkvoering in de gezondheidszorg, art. 35 (ten minste 30 jaar); " +
		"Wet van 22 augustus 2002 betreffende de rechten van de patiënt, art. 9",
	nationalNumber: "Rijksregisternummer (INSZ)",
	commissioner: Recipient{Name: "Verwijzer (huisarts, CLB of jeugdhulpregie), alleen met toestemming", Kind: Controller,
		Country: "BE"},
	booksMonths: 120,
	booksGround: "Wetboek van economisch recht art. III.86 en Btw-Wetboek art. 60 (bewaarplicht 10 jaar)",
	taxOffice:   Recipient{Name: "FOD Financiën (alleen bij een controle)", Kind: Authority, Country: "BE"},
}

// Template returns the register a new youth-care practice in country
// starts from, to edit into its own: the client file, invoicing, the
// newsletter, research and recordings, the referral index for clients under
// 23 (Dutch practices only: Belgium has no verwijsindex), the website's
// contact form and this portal. The texts are the practice's own, in
// Dutch; the statutes are Belgian for a Belgian practice, Dutch otherwise.
// Every activity passes Validate.
func Template(country practice.Country) []Activity {
	l := dutchLaw
	if country == practice.Belgium {
		l = belgianLaw
	}
	c := string(l.country)
	authority := practice.AuthorityOf(l.country)
	hosting := Recipient{Name: "Hostingpartij van de praktijk (servers en back-ups)", Kind: Processor, Country: c,
		Email: "privacy@hosting.example", Agreement: true}
	out := []Activity{{
		Key:  KeyClientFile,
		Name: "Cliëntdossier",
		Purpose: "Het verlenen van jeugdhulp aan het kind of de jongere en het gezin: aanmelding en intake, het hulpverleningsplan, " +
			"verslaglegging van gesprekken en behandeling, evaluatie en afsluiting, en de verantwoording van de geboden hulp.",
		LegalBasis:        LegalObligation,
		SpecialCategories: true,
		DataSubjects: []string{"Cliënten: kinderen en jongeren tot 23 jaar", "Ouders met gezag en voogden",
			"Andere gezinsleden, voor zover nodig voor de hulp"},
		DataCategories: []string{"Naam, adres, geboortedatum en contactgegevens", l.nationalNumber,
			"Gegevens over gezondheid, ontwikkeling en gedrag (bijzondere persoonsgegevens)",
			"Gezinssituatie en gezag", "Verslagen van gesprekken, hulpverleningsplan en evaluaties", "Verwijzing of beschikking"},
		Recipients: []Recipient{
			{Name: "Leverancier van het elektronisch cliëntdossier", Kind: Processor, Country: c, Email: "privacy@ecd-leverancier.example", Agreement: true},
			{Name: "Aanbieder van beveiligde e-mail", Kind: Processor, Country: c, Email: "privacy@veilige-mail.example", Agreement: true},
			l.commissioner,
		},
		Retention: Retention{Months: l.fileMonths, From: l.fileFrom, Ground: l.fileGround},
		Source:    "De cliënt en de ouders zelf; de verwijzer (huisarts, jeugdarts, gemeente of wijkteam); met toestemming eerdere hulpverleners.",
		Security: "Alleen de eigen hulpverlener (en bij afwezigheid een vervanger) ziet het dossier; toegang met tweestapsverificatie; " +
			"versleutelde opslag en verbinding; beveiligde e-mail voor medische gegevens; geheimhoudingsplicht van alle medewerkers.",
	}, {
		Key:          KeyInvoicing,
		Name:         "Facturatie en administratie",
		Purpose:      "Het declareren en factureren van de geboden hulp, het innen van betalingen en het voeren van de boekhouding.",
		LegalBasis:   LegalObligation,
		DataSubjects: []string{"Cliënten", "Ouders en andere betalers"},
		DataCategories: []string{"Naam en adres", l.nationalNumber + " (alleen waar de declaratie erom vraagt)",
			"Datum, duur en soort van de geboden hulp", "Factuur- en betaalgegevens (IBAN)"},
		Recipients: []Recipient{
			{Name: "Boekhoudkantoor", Kind: Processor, Country: c, Email: "privacy@boekhouder.example", Agreement: true},
			l.commissioner, l.taxOffice,
		},
		Retention: Retention{Months: l.booksMonths, From: "het einde van het boekjaar", Ground: l.booksGround},
		Source:    "Het cliëntdossier (de geboden hulp); de cliënt of ouders (betaalgegevens).",
		Security:  "Toegang alleen voor de administratie; het boekhoudpakket met tweestapsverificatie; een verwerkersovereenkomst met het boekhoudkantoor.",
	}, {
		Key:             KeyNewsletter,
		Name:            "Nieuwsbrief",
		Purpose:         "Ouders, verwijzers en andere belangstellenden die zich aanmelden enkele keren per jaar informeren over het aanbod, cursussen en activiteiten van de praktijk.",
		LegalBasis:      Consent,
		DirectMarketing: true,
		DataSubjects:    []string{"Abonnees: ouders, verwijzers en andere belangstellenden"},
		DataCategories:  []string{"Naam", "E-mailadres", "Datum en wijze van aanmelding en toestemming"},
		Recipients: []Recipient{{Name: "Verzenddienst voor de nieuwsbrief", Kind: Processor, Country: "US",
			Email: "privacy@verzenddienst.example", Agreement: true,
			Safeguards: "Adequaatheidsbesluit EU-VS Data Privacy Framework (10 juli 2023); aanvullend standaardcontractbepalingen"}},
		Retention: Retention{Months: 1, From: "de afmelding of het intrekken van de toestemming",
			Ground: "Toestemming (art. 6(1)(a) AVG); geen wettelijke bewaartermijn"},
		Source:   "De abonnee zelf, bij de aanmelding.",
		Security: "Een afmeldlink in elke nieuwsbrief; de lijst alleen in de verzenddienst, met tweestapsverificatie.",
	}, {
		Key:  KeyResearch,
		Name: "Onderzoek en video-opnamen",
		Purpose: "Video-opnamen van gesprekken voor supervisie, intervisie en opleiding van hulpverleners, " +
			"en het gebruik van vragenlijsten voor wetenschappelijk onderzoek naar de effecten van de hulp; alleen met aparte toestemming.",
		LegalBasis:        Consent,
		SpecialCategories: true,
		DataSubjects:      []string{"Cliënten en ouders die daarvoor toestemming gaven"},
		DataCategories: []string{"Beeld- en geluidsopnamen van gesprekken", "Antwoorden op vragenlijsten",
			"Gegevens over gezondheid en ontwikkeling (bijzondere persoonsgegevens)"},
		Recipients: []Recipient{
			{Name: "Supervisor of opleidingsinstituut (alleen de opname, alleen om te bekijken)", Kind: Controller, Country: c, Agreement: true},
			{Name: "Onderzoeksinstelling (alleen gepseudonimiseerde gegevens)", Kind: Controller, Country: c, Email: "privacy@onderzoek.example", Agreement: true},
		},
		Retention: Retention{Months: 12, From: "de opname of het invullen van de vragenlijst",
			Ground: "Toestemming; opnamen worden na bespreking vernietigd, uiterlijk na 12 maanden"},
		Source:   "De cliënt en de ouders zelf.",
		Security: "Opnamen op een versleuteld apparaat van de praktijk, nooit op een privételefoon; vernietiging na bespreking; onderzoek krijgt geen namen.",
	}}
	if l.referralIndex {
		out = append(out, Activity{
			Key:  KeyReferralIndex,
			Name: "Verwijsindex risicojongeren",
			Purpose: "Een melding in de verwijsindex van de gemeente bij een ernstig vermoeden van risico's voor een jeugdige tot 23 jaar, " +
				"zodat hulpverleners van hetzelfde kind elkaar vinden en de hulp afstemmen. De melding bevat geen inhoud over de hulp.",
			LegalBasis:     LegalObligation,
			DataSubjects:   []string{"Jeugdigen tot 23 jaar over wie een melding wordt gedaan"},
			DataCategories: []string{l.nationalNumber, "Naam en geboortedatum", "Dat de praktijk bij de jeugdige betrokken is, en de contactgegevens van de melder"},
			Recipients: []Recipient{{Name: "Verwijsindex risicojongeren (beheerd voor de gemeente)", Kind: Controller, Country: "NL",
				Email: "verwijsindex@gemeente.example"}},
			Retention: Retention{Months: 24, From: "de melding (daarna wordt zij automatisch inactief)",
				Ground: "Jeugdwet afdeling 7.1 (verwijsindex risicojongeren)"},
			Source:   "Het cliëntdossier.",
			Security: "Alleen de eigen hulpverlener meldt, na overleg met de jeugdige en de ouders, via de beveiligde omgeving van de verwijsindex.",
		})
	}
	out = append(out, Activity{
		Key:            KeyContactForm,
		Name:           "Contactformulier van de website",
		Purpose:        "Vragen beantwoorden die via het contactformulier op de website binnenkomen, en een eerste kennismaking plannen.",
		LegalBasis:     LegitimateInterests,
		DataSubjects:   []string{"Mensen die het contactformulier invullen (ouders, jongeren, verwijzers)"},
		DataCategories: []string{"Naam", "E-mailadres en telefoonnummer", "De vraag zelf"},
		Recipients:     []Recipient{hosting},
		Retention: Retention{Months: 12, From: "de laatste reactie op de vraag",
			Ground: "Eigen termijn van de praktijk; geen wettelijke bewaartermijn"},
		Source:   "De persoon zelf.",
		Security: "Het formulier alleen over een versleutelde verbinding; berichten gaan naar één beveiligde mailbox; wie cliënt wordt, krijgt een dossier en de vraag wordt daarna verwijderd.",
	}, Activity{
		Key:  KeyPrivacyPortal,
		Name: "Privacyverzoeken en datalekken (dit portaal)",
		Purpose: "Het ontvangen, behandelen en beantwoorden van verzoeken om inzage, rectificatie, verwijdering, beperking, overdracht, bezwaar " +
			"en het intrekken van toestemming, binnen de wettelijke termijn, en het bijhouden van het register van datalekken.",
		LegalBasis:        LegalObligation,
		SpecialCategories: true,
		DataSubjects: []string{"Verzoekers: cliënten, ouders, voogden en gemachtigden", "Kinderen namens wie een verzoek wordt gedaan",
			"Mensen die door een datalek worden getroffen", "Medewerkers die verzoeken behandelen"},
		DataCategories: []string{"Naam, e-mailadres, telefoonnummer en postadres", "Geboortedatum van het kind",
			"De inhoud van het verzoek en de correspondentie",
			"Hoe de identiteit is vastgesteld (een kopie van een identiteitsbewijs wordt na de controle direct vernietigd)"},
		Recipients: []Recipient{hosting,
			{Name: authority.Name + " (alleen bij een klacht, een melding of een onderzoek)", Kind: Authority, Country: c}},
		Retention: Retention{Months: 24, From: "de afhandeling van het verzoek",
			Ground: "AVG art. 12–22 en art. 5(2) (verantwoording); daarna worden de persoonsgegevens van het verzoek geanonimiseerd"},
		Source: "De verzoeker zelf; voor het antwoord het cliëntdossier.",
		Security: "Persoonsgegevens en bestanden versleuteld opgeslagen; tweestapsverificatie voor medewerkers; elke inzage en wijziging in een " +
			"audit trail die wijzigingen aantoont; medewerkers zien alleen de verzoeken van hun eigen vestiging.",
	})
	return out
}
