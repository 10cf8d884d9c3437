package breach

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Unknown is the answer of the AP draft to a question the register cannot
// answer yet.
const Unknown = "nog niet bekend"

// label is a Dutch and an English wording.
type label struct{ nl, en string }

func (l label) in(lang string) string {
	if lang == "en" {
		return l.en
	}
	return l.nl
}

// The AP form's wording of the kinds, incident types and data categories,
// and the groups of people in Dutch and English.
var (
	kindWords = map[Kind]string{
		Confidentiality: "vertrouwelijkheid: onbevoegden hebben de gegevens kunnen zien of kopiëren",
		Integrity:       "integriteit: de gegevens zijn zonder toestemming veranderd",
		Availability:    "beschikbaarheid: de gegevens zijn (tijdelijk) verloren gegaan of vernietigd",
	}
	incidentWords = map[IncidentType]string{
		LostDevice:         "apparaat of gegevensdrager kwijtgeraakt (laptop, telefoon, USB-stick, papieren dossier)",
		WrongRecipient:     "persoonsgegevens naar de verkeerde ontvanger gestuurd",
		Hacking:            "hacking: iemand is zonder toestemming binnengedrongen in een systeem",
		Malware:            "malware (bijvoorbeeld ransomware of een virus)",
		Theft:              "diefstal",
		PublishedByMistake: "persoonsgegevens per ongeluk openbaar gemaakt",
		OtherIncident:      "anders",
	}
	categoryWords = map[string]string{
		CategoryContact:           "naam-, adres- en contactgegevens",
		CategoryBSN:               "burgerservicenummer (BSN)",
		CategoryHealth:            "gezondheidsgegevens",
		CategoryYouthCare:         "gegevens over jeugdhulp",
		CategoryFinancial:         "financiële gegevens",
		CategoryIdentityDocuments: "kopieën van identiteitsbewijzen",
		CategoryOther:             "overige gegevens",
	}
	specialWords = map[string]string{
		"health":      "gezondheid",
		"ethnicity":   "ras of etnische afkomst",
		"political":   "politieke opvattingen",
		"religion":    "godsdienst of levensovertuiging",
		"trade_union": "lidmaatschap van een vakbond",
		"genetic":     "genetische gegevens",
		"biometric":   "biometrische gegevens",
		"sexual":      "seksueel gedrag of seksuele gerichtheid",
		"criminal":    "strafrechtelijke gegevens",
	}
	groupWords = map[string]label{
		GroupClients:  {"cliënten", "clients"},
		GroupChildren: {"kinderen (minderjarigen)", "children"},
		GroupParents:  {"ouders of verzorgers", "parents or carers"},
		GroupStaff:    {"medewerkers", "staff"},
		GroupOther:    {"anderen", "others"},
	}
)

// words returns the wordings of values in lang, in the order given, leaving
// out unknown values.
func words(values []string, dict map[string]label, lang string) []string {
	var out []string
	for _, v := range values {
		if l, ok := dict[v]; ok {
			out = append(out, l.in(lang))
		}
	}
	return out
}

// joinList joins items as a sentence does: "a, b en c" or "a, b and c".
func joinList(items []string, lang string) string {
	and := " en "
	if lang == "en" {
		and = " and "
	}
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + and + items[len(items)-1]
}

var (
	dutchDays   = [...]string{"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"}
	dutchMonths = [...]string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"}
	amsterdam   = loadAmsterdam()
)

func loadAmsterdam() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return time.UTC
	}
	return loc
}

// orAmsterdam returns loc, or Amsterdam time when loc is nil.
func orAmsterdam(loc *time.Location) *time.Location {
	if loc == nil {
		return amsterdam
	}
	return loc
}

// dateText writes the day of t in loc: "vrijdag 27 maart 2026" or "Friday 27
// March 2026", the way lang.Date does for the rest of avgloket.
func dateText(t time.Time, loc *time.Location, lang string) string {
	t = t.In(orAmsterdam(loc))
	if lang == "en" {
		return fmt.Sprintf("%s %d %s %d", t.Weekday(), t.Day(), t.Month(), t.Year())
	}
	return fmt.Sprintf("%s %d %s %d", dutchDays[t.Weekday()], t.Day(), dutchMonths[t.Month()-1], t.Year())
}

// dateTimeText writes t in loc as a Dutch date with the time of day:
// "vrijdag 27 maart 2026, 18:00".
func dateTimeText(t time.Time, loc *time.Location) string {
	return dateText(t, loc, "nl") + ", " + t.In(orAmsterdam(loc)).Format("15:04")
}

// decimal writes x with two decimals and a decimal comma: 3,25.
func decimal(x float64) string {
	return strings.Replace(strconv.FormatFloat(x, 'f', 2, 64), ".", ",", 1)
}

// countText writes c in lang: "12", "tussen 10 en 20", "minimaal 10".
func countText(c Count, lang string) string {
	en := lang == "en"
	switch {
	case c.Exact != nil:
		return strconv.Itoa(*c.Exact)
	case c.Min != nil && c.Max != nil && *c.Min == *c.Max:
		return strconv.Itoa(*c.Min)
	case c.Min != nil && c.Max != nil && en:
		return fmt.Sprintf("between %d and %d", *c.Min, *c.Max)
	case c.Min != nil && c.Max != nil:
		return fmt.Sprintf("minimaal %d en maximaal %d", *c.Min, *c.Max)
	case c.Min != nil && en:
		return fmt.Sprintf("at least %d", *c.Min)
	case c.Min != nil:
		return fmt.Sprintf("minimaal %d", *c.Min)
	case c.Max != nil && en:
		return fmt.Sprintf("at most %d", *c.Max)
	case c.Max != nil:
		return fmt.Sprintf("maximaal %d", *c.Max)
	}
	return ""
}

// yesNo writes a Dutch yes or no, and "" (which the draft answers Unknown)
// for a question nobody answered.
func yesNo(a Answer) string {
	switch a {
	case Yes:
		return "Ja"
	case No:
		return "Nee"
	}
	return ""
}
