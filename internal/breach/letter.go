package breach

import (
	"fmt"
	"slices"
	"strings"
)

// The plain-language wording (B1) of the letter and the public notice.
var (
	// happened completes "we found out that …".
	happened = map[IncidentType]label{
		LostDevice:         {"een apparaat of dossier met gegevens kwijt was", "a device or file with personal information was lost"},
		WrongRecipient:     {"gegevens per ongeluk naar de verkeerde persoon zijn gestuurd", "information was sent to the wrong person by mistake"},
		Hacking:            {"iemand zonder toestemming in een van onze computersystemen is gekomen", "someone got into one of our computer systems without permission"},
		Malware:            {"er een computervirus in een van onze systemen zat", "a computer virus got into one of our systems"},
		Theft:              {"een apparaat of dossier met gegevens is gestolen", "a device or file with personal information was stolen"},
		PublishedByMistake: {"gegevens per ongeluk openbaar zijn gemaakt", "information was made public by mistake"},
		OtherIncident:      {"er iets is misgegaan met gegevens", "something went wrong with personal information"},
	}
	plainCategories = map[string]label{
		CategoryContact:           {"naam, adres en contactgegevens", "name, address and contact details"},
		CategoryBSN:               {"burgerservicenummer (BSN)", "citizen service number (BSN)"},
		CategoryHealth:            {"gegevens over gezondheid", "information about health"},
		CategoryYouthCare:         {"gegevens over jeugdhulp", "information about youth care"},
		CategoryFinancial:         {"gegevens over geld, zoals een rekeningnummer", "information about money, such as a bank account number"},
		CategoryIdentityDocuments: {"een kopie van een paspoort of identiteitskaart", "a copy of a passport or identity card"},
		CategoryOther:             {"andere gegevens", "other information"},
	}
	plainSpecial = map[string]label{
		"health":      {"gegevens over gezondheid", "information about health"},
		"ethnicity":   {"gegevens over afkomst", "information about ethnic origin"},
		"political":   {"gegevens over politieke voorkeur", "information about political views"},
		"religion":    {"gegevens over geloof", "information about religion or beliefs"},
		"trade_union": {"gegevens over lidmaatschap van een vakbond", "information about trade union membership"},
		"genetic":     {"genetische gegevens (DNA)", "genetic information (DNA)"},
		"biometric":   {"gegevens zoals een vingerafdruk of gezichtsscan", "information such as a fingerprint or face scan"},
		"sexual":      {"gegevens over seksualiteit", "information about sexual life or orientation"},
		"criminal":    {"gegevens over strafzaken", "information about criminal matters"},
	}
	// risks says what could happen with each category, and selfHelp what
	// the reader can do about it.
	risks = map[string]label{
		CategoryContact:           {"Iemand kan u e-mails, berichten of telefoontjes sturen die van ons lijken te komen, maar nep zijn.", "Someone could send you e-mails, messages or calls that seem to come from us but are fake."},
		CategoryBSN:               {"Iemand kan proberen zich voor u uit te geven.", "Someone could try to pretend to be you."},
		CategoryIdentityDocuments: {"Iemand kan proberen zich voor u uit te geven.", "Someone could try to pretend to be you."},
		CategoryFinancial:         {"Iemand kan proberen geld van u te krijgen.", "Someone could try to get money from you."},
		CategoryHealth:            {"Anderen kunnen privézaken over u weten. Dat kan vervelend of pijnlijk zijn.", "Other people could know private things about you. That can be unpleasant or hurtful."},
		CategoryYouthCare:         {"Anderen kunnen privézaken over u weten. Dat kan vervelend of pijnlijk zijn.", "Other people could know private things about you. That can be unpleasant or hurtful."},
	}
	selfHelp = map[string]label{
		CategoryContact:           {"Let goed op bij e-mails, berichten en telefoontjes die vreemd lijken. Klik niet op links. Geef nooit uw wachtwoord of pincode.", "Be careful with e-mails, messages and calls that seem strange. Do not click on links. Never give your password or PIN."},
		CategoryBSN:               {"Denkt u dat iemand zich voor u uitgeeft? Meld dat bij het Centraal Meldpunt Identiteitsfraude en -fouten (CMI) van de overheid.", "Do you think someone is pretending to be you? Report it to the government's Central Reporting Point for Identity Fraud (CMI)."},
		CategoryIdentityDocuments: {"Denkt u dat iemand zich voor u uitgeeft? Meld dat bij het Centraal Meldpunt Identiteitsfraude en -fouten (CMI) van de overheid.", "Do you think someone is pretending to be you? Report it to the government's Central Reporting Point for Identity Fraud (CMI)."},
		CategoryFinancial:         {"Kijk de komende tijd goed naar uw bankrekening. Ziet u iets vreemds? Bel dan meteen uw bank.", "Check your bank account carefully for a while. Do you see something strange? Call your bank straight away."},
		CategoryHealth:            {"Krijgt u een vreemd bericht over uw zorg of behandeling? Vertel het ons.", "Do you get a strange message about your care or treatment? Please tell us."},
		CategoryYouthCare:         {"Krijgt u een vreemd bericht over uw zorg of behandeling? Vertel het ons.", "Do you get a strange message about your care or treatment? Please tell us."},
	}
)

// letterLang returns "en" for English and "nl" for anything else.
func letterLang(lang string) string {
	if lang == "en" {
		return "en"
	}
	return "nl"
}

// pick returns the Dutch or English text.
func pick(lang, nl, en string) string {
	if lang == "en" {
		return en
	}
	return nl
}

// Letter writes the message to the people affected (art. 34(2)) in plain
// language, in Dutch or, when lang is "en", English: what happened, which
// data, what could happen, what the practice did, what the reader can do,
// and whom to contact (controller.DPO, else controller.ContactPerson), and
// the complaint route to the practice's authority. The likely consequences
// and the measures the officer typed are included as the register holds
// them; in English they are marked for translation (Untranslated). It is a
// draft for the officer to read before it is sent.
func Letter(b Breach, controller Controller, lang string) string {
	lang = letterLang(lang)
	var sb strings.Builder
	sb.WriteString(pick(lang, "Onderwerp: er is iets misgegaan met uw gegevens\n\n", "Subject: something went wrong with your personal information\n\n"))
	sb.WriteString(pick(lang, "Beste lezer,\n\n", "Dear reader,\n\n"))
	name := orDash(strings.TrimSpace(controller.Name), pick(lang, "onze praktijk", "our practice"))
	fmt.Fprintf(&sb, pick(lang,
		"Wij moeten u iets vervelends vertellen. Bij %s is iets misgegaan met gegevens van mensen. Het gaat ook om uw gegevens. Dit heet een datalek. In deze brief leest u wat er is gebeurd en wat u zelf kunt doen.\n",
		"We have to tell you something unpleasant. At %s, something went wrong with people's personal information. Your information is part of it. This is called a data breach. This letter tells you what happened and what you can do.\n"), name)
	if slices.Contains(b.AffectedGroups, GroupChildren) {
		sb.WriteString(pick(lang, "Gaat het om uw kind? Dan gaat deze brief over de gegevens van uw kind.\n",
			"Is this about your child? Then this letter is about your child's information.\n"))
	}
	body(&sb, b, controller, lang)
	sb.WriteString(pick(lang, "\nHet spijt ons dat dit is gebeurd.\n\nMet vriendelijke groet,\n", "\nWe are sorry that this happened.\n\nKind regards,\n"))
	sb.WriteString(name + "\n")
	return sb.String()
}

// PublicNotice writes a public notice about b, for when telling each person
// would take disproportionate effort (art. 34(3)(c)): the same content as
// Letter, addressed to anyone who may be affected.
func PublicNotice(b Breach, controller Controller, lang string) string {
	lang = letterLang(lang)
	var sb strings.Builder
	name := orDash(strings.TrimSpace(controller.Name), pick(lang, "onze praktijk", "our practice"))
	fmt.Fprintf(&sb, pick(lang, "Bericht over een datalek bij %s\n\n", "Notice of a data breach at %s\n\n"), name)
	fmt.Fprintf(&sb, pick(lang,
		"Bij %s is iets misgegaan met gegevens van mensen. Dit heet een datalek. Wij kunnen niet iedereen apart een brief sturen. Daarom vertellen wij het op deze manier.\n",
		"At %s, something went wrong with people's personal information. This is called a data breach. We cannot send everyone a letter, so we tell you in this way.\n"), name)
	if groups := words(b.AffectedGroups, groupWords, lang); len(groups) > 0 {
		fmt.Fprintf(&sb, pick(lang, "Het gaat om gegevens van %s.\n", "The information is about %s.\n"), joinList(groups, lang))
	}
	body(&sb, b, controller, lang)
	sb.WriteString(pick(lang, "\nHet spijt ons dat dit is gebeurd.\n", "\nWe are sorry that this happened.\n"))
	sb.WriteString(name + "\n")
	return sb.String()
}

// body writes the sections the letter and the notice share.
func body(sb *strings.Builder, b Breach, ctl Controller, lang string) {
	heading := func(nl, en string) { sb.WriteString("\n" + pick(lang, nl, en) + "\n") }

	heading("Wat is er gebeurd?", "What happened?")
	what, ok := happened[b.Incident]
	if !ok {
		what = happened[OtherIncident]
	}
	if b.AwareAt.IsZero() {
		fmt.Fprintf(sb, pick(lang, "Wij ontdekten dat %s.\n", "We found out that %s.\n"), what.in(lang))
	} else {
		fmt.Fprintf(sb, pick(lang, "Op %s ontdekten wij dat %s.\n", "On %s, we found out that %s.\n"),
			dateText(b.AwareAt, ctl.Location, lang), what.in(lang))
	}

	heading("Om welke gegevens gaat het?", "Which information is it about?")
	var cats []string
	for _, c := range DataCategories {
		if slices.Contains(b.DataCategories, c) {
			cats = append(cats, "- "+plainCategories[c].in(lang))
		}
	}
	for _, s := range specialOf(b) {
		if w := "- " + plainSpecial[s].in(lang); !slices.Contains(cats, w) {
			cats = append(cats, w)
		}
	}
	if len(cats) == 0 {
		sb.WriteString(pick(lang, "Dat zoeken wij nog uit.\n", "We are still finding this out.\n"))
	} else {
		sb.WriteString(strings.Join(cats, "\n") + "\n")
	}

	heading("Wat kan er gebeuren?", "What could happen?")
	sb.WriteString(consequences(b, lang))
	if b.MeasuresBefore.Protected() {
		sb.WriteString(pick(lang, "De gegevens waren beveiligd, bijvoorbeeld met een code. Daardoor is het moeilijk om ze te lezen.\n",
			"The information was protected, for example with a code. This makes it hard to read.\n"))
	}

	heading("Wat hebben wij gedaan?", "What have we done?")
	if m := strings.TrimSpace(b.MeasuresTaken); m != "" {
		sb.WriteString(pick(lang, "Wij hebben dit gedaan:\n", "This is what we did:\n") + typed(m, lang) + "\n")
	} else {
		sb.WriteString(pick(lang, "Wij zoeken uit hoe dit kon gebeuren.\n", "We are finding out how this could happen.\n"))
	}
	sb.WriteString(pick(lang, "Wij doen er alles aan om te zorgen dat dit niet nog een keer gebeurt.\n",
		"We are doing everything we can to make sure this does not happen again.\n"))

	heading("Wat kunt u zelf doen?", "What can you do yourself?")
	nothingToDo := pick(lang, "U hoeft niets te doen. Heeft u vragen of ziet u iets vreemds? Neem dan contact met ons op.",
		"You do not need to do anything. Do you have questions or do you notice something strange? Please contact us.")
	if !lowRisk(b) {
		nothingToDo = pick(lang, "Heeft u vragen of ziet u iets vreemds? Neem dan contact met ons op.",
			"Do you have questions or do you notice something strange? Please contact us.")
	}
	sb.WriteString(perCategory(b, selfHelp, lang, nothingToDo))

	heading("Vragen?", "Questions?")
	contact := letterContact(ctl.DPO, lang)
	if contact == "" {
		contact = letterContact(ctl.ContactPerson, lang)
	}
	if contact == "" {
		contact = orDash(strings.TrimSpace(ctl.Name), pick(lang, "onze praktijk", "our practice"))
	}
	fmt.Fprintf(sb, pick(lang, "Heeft u vragen? Neem dan contact op met: %s.\n", "Do you have questions? Please contact: %s.\n"), contact)
	fmt.Fprintf(sb, pick(lang,
		"Bent u het niet eens met hoe wij dit hebben aangepakt? Dan kunt u een klacht indienen bij de %s.\n",
		"Do you disagree with how we handled this? Then you can complain to the %s.\n"), ctl.Authority().NameIn(lang))
}

// letterContact writes c for a letter in lang. An English letter leaves out
// the job title, which the settings hold in Dutch.
func letterContact(c Contact, lang string) string {
	if lang == "en" {
		c.JobTitle = ""
	}
	return c.text()
}

// lowRisk reports whether b was assessed and found below a high risk.
func lowRisk(b Breach) bool {
	s, ok := b.Severity()
	return ok && !s.Advice.InformPeople
}

// consequences writes what could happen to the people (art. 34(2) with
// 33(3)(c)): that the risk was found high, the likely consequences the
// register holds, and what each kind of data makes possible. Only a breach
// assessed below a high risk, of which nothing more is known, gets the
// reassurance that few problems are expected (DOMAIN.md §10): it would
// contradict the high risk that makes the letter necessary.
func consequences(b Breach, lang string) string {
	var sb strings.Builder
	if s, ok := b.Severity(); ok && s.Advice.InformPeople {
		sb.WriteString(pick(lang, "Wij hebben beoordeeld wat dit voor u kan betekenen. Het risico voor u is hoog. Daarom krijgt u deze brief.\n",
			"We have assessed what this could mean for you. The risk to you is high. That is why you get this letter.\n"))
	}
	known := false
	if c := strings.TrimSpace(b.Consequences); c != "" {
		sb.WriteString(typed(c, lang) + "\n")
		known = true
	}
	if r := perCategory(b, risks, lang, ""); strings.TrimSpace(r) != "" {
		sb.WriteString(r)
		known = true
	}
	switch {
	case known:
	case lowRisk(b):
		sb.WriteString(pick(lang, "Wij verwachten niet veel problemen. Maar wij willen dat u het weet.\n",
			"We do not expect many problems. But we want you to know.\n"))
	default:
		sb.WriteString(pick(lang, "Wij zoeken nog uit wat de gevolgen voor u kunnen zijn. Als wij meer weten, hoort u het van ons.\n",
			"We are still finding out what this could mean for you. When we know more, we will tell you.\n"))
	}
	return sb.String()
}

// translateMark opens, in an English letter or notice, a text the register
// holds only as the owner typed it, in Dutch. A letter that still holds it
// cannot be sent (Untranslated): the owner translates the text first.
const translateMark = "[TRANSLATE INTO ENGLISH: "

// typed returns a text the owner typed, for a letter in lang: as it is in
// Dutch, and marked for translation in English.
func typed(s, lang string) string {
	if lang == "en" {
		return translateMark + s + "]"
	}
	return s
}

// Untranslated reports whether an English letter or notice still holds a
// text marked for translation: sending it would put Dutch in an English
// letter.
func Untranslated(text string) bool { return strings.Contains(text, translateMark) }

// perCategory writes the texts of dict for b's data categories, each once,
// or fallback when none applies. A special category counts as health data.
func perCategory(b Breach, dict map[string]label, lang, fallback string) string {
	cats := b.DataCategories
	if len(specialOf(b)) > 0 {
		cats = append(slices.Clone(cats), CategoryHealth)
	}
	var lines []string
	for _, c := range DataCategories {
		l, ok := dict[c]
		if !ok || !slices.Contains(cats, c) || slices.Contains(lines, l.in(lang)) {
			continue
		}
		lines = append(lines, l.in(lang))
	}
	if len(lines) == 0 {
		return fallback + "\n"
	}
	return strings.Join(lines, "\n") + "\n"
}
