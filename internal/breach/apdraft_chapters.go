package breach

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// specialOf returns b's special categories, with health added when it is
// among the data categories (see SpecialCategories), in the form's order.
func specialOf(b Breach) []string {
	var out []string
	for _, s := range SpecialCategories {
		if slices.Contains(b.SpecialCategories, s) || (s == CategoryHealth && slices.Contains(b.DataCategories, CategoryHealth)) {
			out = append(out, s)
		}
	}
	return out
}

// bullets writes one item a line, each after a dash.
func bullets(items []string) string {
	if len(items) == 0 {
		return ""
	}
	return "- " + strings.Join(items, "\n- ")
}

func chapterData(b Breach, _ Controller, _ time.Time, _ *time.Location) Chapter {
	c := chapter{Chapter{Number: 6, Title: "Persoonsgegevens"}}
	var cats []string
	for _, v := range DataCategories {
		if !slices.Contains(b.DataCategories, v) {
			continue
		}
		w := categoryWords[v]
		if v == CategoryOther && strings.TrimSpace(b.DataOther) != "" {
			w += ": " + oneLine(b.DataOther)
		}
		cats = append(cats, w)
	}
	c.ask("data.categories", "Om welke soorten persoonsgegevens gaat het? (Bijvoorbeeld naam- en adresgegevens, burgerservicenummer (BSN), financiële gegevens.)", bullets(cats))
	var special []string
	for _, s := range specialOf(b) {
		special = append(special, specialWords[s])
	}
	answer := bullets(special)
	if answer == "" && len(b.DataCategories) > 0 {
		answer = "Nee"
	}
	c.ask("data.special", "Gaat het om bijzondere persoonsgegevens (zoals gegevens over gezondheid) of strafrechtelijke gegevens? Zo ja, welke?", answer)
	c.ask("data.records", "Om hoeveel gegevensrecords gaat het (zo nodig bij benadering)?", countText(b.Records, "nl"))
	return c.Chapter
}

func chapterPeople(b Breach, _ Controller, _ time.Time, _ *time.Location) Chapter {
	c := chapter{Chapter{Number: 7, Title: "Betrokkenen"}}
	c.ask("people.groups", "Om welke groepen betrokkenen gaat het?", bullets(words(b.AffectedGroups, groupWords, "nl")))
	c.ask("people.description", "Beschrijf de groepen betrokkenen.", b.PeopleDescription)
	c.ask("people.count", "Om hoeveel betrokkenen gaat het (precies, of minimaal en maximaal)?", countText(b.People, "nl"))
	return c.Chapter
}

func chapterMeasuresBefore(b Breach, _ Controller, _ time.Time, _ *time.Location) Chapter {
	c := chapter{Chapter{Number: 8, Title: "Maatregelen vooraf"}}
	m := b.MeasuresBefore
	c.ask("before.encrypted", "Waren de persoonsgegevens versleuteld?", yesNo(m.Encrypted))
	c.ask("before.hashed", "Waren de persoonsgegevens gehasht?", yesNo(m.Hashed))
	c.ask("before.unintelligible", "Waren de persoonsgegevens op een andere manier onbegrijpelijk of ontoegankelijk gemaakt voor onbevoegden?", yesNo(m.OtherwiseUnintelligible))
	// The measures as entered, whatever the answers: "nog niet bekend"
	// when nothing was.
	c.ask("before.how", "Hoe waren de persoonsgegevens beschermd?", m.Text)
	return c.Chapter
}

// bandWords are the Dutch names of the ENISA bands.
var bandWords = map[string]string{BandLow: "laag", BandMedium: "gemiddeld", BandHigh: "hoog", BandVeryHigh: "zeer hoog"}

func chapterConsequences(b Breach, _ Controller, _ time.Time, _ *time.Location) Chapter {
	c := chapter{Chapter{Number: 9, Title: "Gevolgen"}}
	c.ask("consequences.people", "Wat zijn de mogelijke gevolgen voor de betrokkenen?", b.Consequences)
	severity := b.APWord()
	if s, ok := b.Severity(); ok {
		severity = fmt.Sprintf("%s (ENISA-methode: score %s, ernst %s)", b.APWord(), decimal(s.Score), bandWords[s.Band])
	}
	c.ask("consequences.severity", "Hoe ernstig zijn de gevolgen voor de betrokkenen: verwaarloosbaar, beperkt, aanzienlijk of zeer groot?", severity)
	return c.Chapter
}

func chapterFollowUp(b Breach, _ Controller, _ time.Time, loc *time.Location) Chapter {
	c := chapter{Chapter{Number: 10, Title: "Vervolgacties"}}
	decided := ""
	if b.Decision != nil {
		decided = b.Decision.InformPeople
	}
	told := b.Informed != nil && b.Informed.At != nil && !b.Informed.At.IsZero()
	var informed string
	switch {
	case told && decided == InformPublicNotice:
		informed = "Ja, met een openbare mededeling"
	case told:
		informed = "Ja"
	case decided == InformYes:
		informed = "Nog niet; dat gaat gebeuren"
	case decided == InformPublicNotice:
		informed = "Nog niet; dat gaat gebeuren met een openbare mededeling"
	case decided == InformNo:
		informed = "Nee"
	}
	c.ask("followup.informed", "Heeft u de betrokkenen geïnformeerd?", informed)
	if decided == InformNo && !told {
		why := strings.TrimSpace(b.NotInformedReason)
		if why == "" {
			why = b.Decision.Reason
		}
		c.ask("followup.not_informed_reason", "Waarom informeert u de betrokkenen niet?", why)
	} else {
		var count, how, when string
		if b.Informed != nil {
			count, how = countText(b.Informed.Count, "nl"), b.Informed.How
			if told {
				when = dateTimeText(*b.Informed.At, loc)
			}
		}
		c.ask("followup.informed_count", "Hoeveel betrokkenen heeft u geïnformeerd?", count)
		c.ask("followup.informed_how", "Hoe heeft u de betrokkenen geïnformeerd?", how)
		c.ask("followup.informed_when", "Wanneer heeft u de betrokkenen geïnformeerd?", when)
	}
	c.ask("followup.measures_taken", "Welke maatregelen heeft u genomen om het datalek aan te pakken en de gevolgen te beperken?", b.MeasuresTaken)
	c.ask("followup.measures_planned", "Welke maatregelen gaat u nog nemen om herhaling te voorkomen?", b.MeasuresPlanned)
	return c.Chapter
}
