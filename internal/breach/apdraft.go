package breach

import (
	"fmt"
	"strings"
	"time"

	"github.com/avgloket/avgloket/internal/practice"
)

// Contact is a person the AP or the people affected can reach.
type Contact struct {
	Name     string
	JobTitle string
	Email    string
	Phone    string
}

// text writes the parts of c that are known, separated by commas.
func (c Contact) text() string {
	var parts []string
	for _, s := range []string{c.Name, c.JobTitle, c.Email, c.Phone} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// Controller is the practice as the authority's form and the letters name
// it: the verwerkingsverantwoordelijke.
type Controller struct {
	Name    string
	Address string
	KvK     string // Kamer van Koophandel number, or the Belgian KBO number
	// Country decides the supervisory authority the draft is addressed to
	// and the letters name (DOMAIN.md §9): the AP for the Netherlands (also
	// when empty), the GBA for Belgium.
	Country practice.Country
	Sector  string // e.g. "Zorg en welzijn (jeugdhulp)"
	// DPO is the functionaris gegevensbescherming, or the privacy contact
	// when the practice has none. The letters name it as the contact point.
	DPO Contact
	// Reporter is who fills in the AP form.
	Reporter Contact
	// ContactPerson is whom the AP may contact about the notification, when
	// that is not the reporter.
	ContactPerson Contact
	// Location is the practice's time zone, for the dates in letters; nil
	// means Europe/Amsterdam.
	Location *time.Location
}

// Authority returns the controller's supervisory authority.
func (c Controller) Authority() practice.Authority { return practice.AuthorityOf(c.Country) }

// countryName is the Dutch name of the controller's country.
func (c Controller) countryName() string {
	if c.Country == practice.Belgium {
		return "België"
	}
	return "Nederland"
}

// Question is one question of the AP form with the register's answer.
type Question struct {
	// ID names the question for comparing drafts (Diff); it does not change
	// when other questions come or go.
	ID     string
	Text   string // the question, in Dutch
	Answer string // the answer, or Unknown
}

// Chapter is one chapter of the AP form.
type Chapter struct {
	Number    int
	Title     string
	Questions []Question
}

// Draft is a draft notification to the practice's supervisory authority,
// following the ten chapters of the AP's online form (DOMAIN.md §7; the
// GBA asks the same). It holds only text, so a draft that was sent can be
// stored and compared later (Diff).
type Draft struct {
	Reference string // our register reference
	// Authority is the name of the authority the draft is addressed to:
	// Autoriteit Persoonsgegevens or Gegevensbeschermingsautoriteit.
	Authority string
	Title     string
	MadeAt    string // when the draft was made, in Dutch
	Deadline  string // the 72-hour deadline, in Dutch
	TimeZone  string // the zone all times are written in
	Chapters  []Chapter
}

// Answer returns the answer to the question with id, and false if the draft
// does not ask it.
func (d Draft) Answer(id string) (string, bool) {
	for _, c := range d.Chapters {
		for _, q := range c.Questions {
			if q.ID == id {
				return q.Answer, true
			}
		}
	}
	return "", false
}

// Text renders d as plain Dutch text: the same content the API's
// text/plain answer, the UI page and the PDF hold.
func (d Draft) Text() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "Concept-melding datalek aan de %s\n", d.Authority)
	fmt.Fprintf(&sb, "Ons kenmerk: %s\n", d.Reference)
	if d.Title != "" {
		fmt.Fprintf(&sb, "Onderwerp: %s\n", oneLine(d.Title))
	}
	fmt.Fprintf(&sb, "Opgesteld: %s\n", d.MadeAt)
	fmt.Fprintf(&sb, "Uiterste meldmoment (72 uur na ontdekking): %s\n", d.Deadline)
	fmt.Fprintf(&sb, "Alle tijden in tijdzone %s.\n", d.TimeZone)
	for _, c := range d.Chapters {
		fmt.Fprintf(&sb, "\n%d. %s\n", c.Number, c.Title)
		for i, q := range c.Questions {
			fmt.Fprintf(&sb, "\n%d.%d %s\n", c.Number, i+1, q.Text)
			sb.WriteString(indent(q.Answer, "    "))
		}
	}
	return sb.String()
}

// indent prefixes every line of s, ending with a newline.
func indent(s, prefix string) string {
	s = strings.ReplaceAll(strings.TrimRight(s, "\r\n"), "\r\n", "\n")
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix) + "\n"
}

// oneLine folds line breaks into spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// chapter collects the questions of one chapter.
type chapter struct{ Chapter }

// ask adds a question; an empty answer becomes Unknown.
func (c *chapter) ask(id, text, answer string) {
	if strings.TrimSpace(answer) == "" {
		answer = Unknown
	}
	c.Questions = append(c.Questions, Question{ID: id, Text: text, Answer: strings.TrimSpace(answer)})
}

// draftLate reports whether the AP notification is late: the initial
// submission if there is one, otherwise a submission made now.
func draftLate(b Breach, now time.Time) bool {
	if b.AwareAt.IsZero() {
		return false
	}
	at := now
	if n, ok := b.FirstNotification(); ok {
		at = n.SubmittedAt
	}
	return Late(at, b.AwareAt)
}

// APDraft returns the draft AP notification of b for controller, made at
// now, with every time written in loc (nil means Europe/Amsterdam). Every
// question the register cannot answer yet is answered Unknown. The question
// why the notification comes later than 72 hours is asked only when it does
// (the initial submission, or now if none was made, is after APDeadline),
// and is answered with b.LateReason.
func APDraft(b Breach, controller Controller, now time.Time, loc *time.Location) Draft {
	loc = orAmsterdam(loc)
	d := Draft{
		Reference: b.Reference,
		Authority: controller.Authority().Name,
		Title:     b.Title,
		MadeAt:    dateTimeText(now, loc),
		Deadline:  Unknown,
		TimeZone:  loc.String(),
	}
	if !b.AwareAt.IsZero() {
		d.Deadline = dateTimeText(APDeadline(b.AwareAt), loc)
	}
	for _, f := range []func(Breach, Controller, time.Time, *time.Location) Chapter{
		chapterIntroduction, chapterInternational, chapterController, chapterTimeline, chapterBreach,
		chapterData, chapterPeople, chapterMeasuresBefore, chapterConsequences, chapterFollowUp,
	} {
		d.Chapters = append(d.Chapters, f(b, controller, now, loc))
	}
	return d
}

func chapterIntroduction(b Breach, ctl Controller, _ time.Time, _ *time.Location) Chapter {
	c := chapter{Chapter{Number: 1, Title: "Inleiding"}}
	c.ask("intro.authority", "Aan welke toezichthouder is deze melding gericht?",
		fmt.Sprintf("%s (%s), %s", ctl.Authority().Name, ctl.Authority().Code, ctl.Authority().Address))
	c.ask("intro.single", "Gaat het om een enkelvoudige melding of om een verzamelmelding?", "Enkelvoudige melding")
	c.ask("intro.law", "Onder welke wet valt deze melding?", "Algemene verordening gegevensbescherming (AVG)")
	c.ask("intro.other_supervisors", "Heeft u het datalek naast de "+ctl.Authority().Code+" ook gemeld bij een andere toezichthouder? Zo ja, bij welke?", b.OtherAuthoritiesInformed)
	return c.Chapter
}

func chapterInternational(b Breach, ctl Controller, _ time.Time, _ *time.Location) Chapter {
	c := chapter{Chapter{Number: 2, Title: "Internationaal"}}
	c.ask("international.other_countries", "Zijn er betrokkenen in andere landen dan "+ctl.countryName()+"?", yesNo(b.PeopleInOtherCountries))
	if b.PeopleInOtherCountries == Yes {
		c.ask("international.countries", "In welke landen wonen deze betrokkenen?", b.Countries)
	}
	c.ask("international.authorities", "Heeft u het datalek gemeld bij toezichthouders in andere landen? Zo ja, bij welke?", b.ForeignAuthoritiesInformed)
	return c.Chapter
}

func chapterController(b Breach, ctl Controller, _ time.Time, _ *time.Location) Chapter {
	c := chapter{Chapter{Number: 3, Title: "Verwerkingsverantwoordelijke"}}
	c.ask("controller.name", "Naam van de organisatie", ctl.Name)
	c.ask("controller.address", "Adres van de organisatie", ctl.Address)
	if ctl.Country == practice.Belgium {
		c.ask("controller.kvk", "Ondernemingsnummer (KBO)", ctl.KvK)
	} else {
		c.ask("controller.kvk", "KvK-nummer", ctl.KvK)
	}
	c.ask("controller.sector", "Sector", ctl.Sector)
	c.ask("controller.dpo", "Functionaris gegevensbescherming (of privacycontactpersoon)", ctl.DPO.text())
	c.ask("reporter.name", "Naam van de melder", ctl.Reporter.Name)
	c.ask("reporter.job_title", "Functie van de melder", ctl.Reporter.JobTitle)
	c.ask("reporter.email", "E-mailadres van de melder", ctl.Reporter.Email)
	c.ask("reporter.phone", "Telefoonnummer van de melder", ctl.Reporter.Phone)
	contact := ctl.ContactPerson.text()
	if contact == "" && ctl.Reporter.text() != "" {
		contact = "De melder"
	}
	c.ask("controller.contact", "Contactpersoon voor deze melding", contact)
	c.ask("controller.others", "Zijn er andere organisaties betrokken bij het datalek, zoals een verwerker? Zo ja, welke?", b.Processors)
	return c.Chapter
}

func chapterTimeline(b Breach, _ Controller, now time.Time, loc *time.Location) Chapter {
	c := chapter{Chapter{Number: 4, Title: "Tijdlijn"}}
	at := func(t *time.Time) string {
		if t == nil || t.IsZero() {
			return ""
		}
		return dateTimeText(*t, loc)
	}
	ended := at(b.EndedAt)
	if ended == "" && b.Ongoing == Yes {
		ended = "Het datalek is nog niet voorbij."
	}
	c.ask("timeline.started", "Wanneer is het datalek begonnen?", at(b.StartedAt))
	c.ask("timeline.ended", "Wanneer is het datalek geëindigd?", ended)
	c.ask("timeline.discovered", "Wanneer heeft u het datalek ontdekt?", at(&b.AwareAt))
	c.ask("timeline.how", "Hoe is het datalek ontdekt?", b.HowDiscovered)
	c.ask("timeline.ongoing", "Duurt het datalek nog voort?", yesNo(b.Ongoing))
	if draftLate(b, now) {
		c.ask("timeline.late_reason", "Waarom meldt u het datalek later dan 72 uur na de ontdekking?", b.LateReason)
	}
	return c.Chapter
}

func chapterBreach(b Breach, _ Controller, _ time.Time, _ *time.Location) Chapter {
	c := chapter{Chapter{Number: 5, Title: "Het datalek"}}
	var kinds []string
	for _, k := range Kinds {
		if b.HasKind(k) {
			kinds = append(kinds, "- "+kindWords[k])
		}
	}
	c.ask("breach.kind", "Om wat voor inbreuk gaat het: vertrouwelijkheid, integriteit en/of beschikbaarheid?", strings.Join(kinds, "\n"))
	incident := ""
	if w, ok := incidentWords[b.Incident]; ok {
		incident = w
		if b.Incident == OtherIncident && strings.TrimSpace(b.IncidentOther) != "" {
			incident = "anders: " + strings.TrimSpace(b.IncidentOther)
		}
	}
	c.ask("breach.incident", "Wat voor soort incident is het?", incident)
	c.ask("breach.summary", "Geef een korte samenvatting van het incident.", b.Title)
	c.ask("breach.description", "Beschrijf wat er is gebeurd.", b.Description)
	return c.Chapter
}
