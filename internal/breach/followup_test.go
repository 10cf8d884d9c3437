package breach

import (
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/practice"
)

func TestDiff(t *testing.T) {
	ctl := testController(t)
	now := ams(t, "2026-03-29 10:00")
	b := fullBreach(t)
	b.EndedAt, b.Ongoing = nil, Yes
	b.MeasuresPlanned = ""
	b.PeopleInOtherCountries, b.Countries = Unanswered, ""
	decided, informed := *b.Decision, b.Informed
	b.Decision = &Decision{NotifyAP: true, InformPeople: InformNo, Reason: "De ontvanger heeft het bericht verwijderd."}
	b.Informed = nil
	sent := APDraft(b, ctl, now, nil)

	b.EndedAt, b.Ongoing = ptr(ams(t, "2026-03-28 12:00")), No
	b.MeasuresPlanned = "Adressen controleren met een tweede persoon."
	b.PeopleInOtherCountries, b.Countries = Yes, "België"
	b.MeasuresBefore.OtherwiseUnintelligible, b.MeasuresBefore.Text = No, ""
	b.Decision, b.Informed = &decided, informed // the not-informed question goes
	later := APDraft(b, ctl, ams(t, "2026-04-02 09:00"), nil)

	want := map[string][2]string{
		"international.other_countries": {Unknown, "Ja"},
		"international.countries":       {"", "België"},
		"timeline.ended":                {"Het datalek is nog niet voorbij.", "zaterdag 28 maart 2026, 12:00"},
		"timeline.ongoing":              {"Ja", "Nee"},
		"before.unintelligible":         {"Ja", "Nee"},
		"before.how":                    {"Bijlage met wachtwoord; wachtwoord apart per sms", Unknown},
		"followup.informed":             {"Nee", "Ja"},
		"followup.not_informed_reason":  {"De ontvanger heeft het bericht verwijderd.", ""},
		"followup.informed_count":       {"", "2"},
		"followup.informed_how":         {"", "per brief"},
		"followup.informed_when":        {"", "zaterdag 28 maart 2026, 15:00"},
		"followup.measures_planned":     {Unknown, "Adressen controleren met een tweede persoon."},
	}
	changes := Diff(sent, later)
	got := map[string][2]string{}
	lastChapter := 0
	for _, c := range changes {
		got[c.QuestionID] = [2]string{c.Old, c.New}
		if c.Chapter < lastChapter {
			t.Errorf("changes out of chapter order: %d after %d", c.Chapter, lastChapter)
		}
		lastChapter = c.Chapter
		if c.Question == "" || c.ChapterTitle != chapterTitles[c.Chapter-1] {
			t.Errorf("change %s lacks its question or chapter: %+v", c.QuestionID, c)
		}
	}
	for id, w := range want {
		t.Run(id, func(t *testing.T) {
			if g, ok := got[id]; !ok || g != w {
				t.Errorf("change = %q (present %v), want old %q new %q", g, ok, w[0], w[1])
			}
		})
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("unchanged answer %s listed as a change: %q", id, got[id])
		}
	}
	if c := Diff(sent, sent); len(c) != 0 {
		t.Errorf("Diff of a draft with itself = %+v, want none", c)
	}

	text := FollowUpText(NotifySupplement, b.Reference, "M-2026-4711", ctl.Authority(), changes)
	for _, s := range []string{"Aanvulling op de melding van een datalek", "Ons kenmerk: DL-2026-007",
		"Meldnummer van de Autoriteit Persoonsgegevens: M-2026-4711", "4. Tijdlijn", "Wanneer is het datalek geëindigd?",
		"Was: Het datalek is nog niet voorbij.", "Nu: zaterdag 28 maart 2026, 12:00", "Was: (niet gevraagd)", "Nu: (vervallen)"} {
		if !strings.Contains(text, s) {
			t.Errorf("follow-up text lacks %q:\n%s", s, text)
		}
	}
	if strings.Contains(text, "Jeugdpraktijk De Linde") {
		t.Error("follow-up text repeats an unchanged answer")
	}
}

func TestFollowUpTextKinds(t *testing.T) {
	for _, tc := range []struct {
		name string
		kind NotificationKind
		want []string
	}{
		{"change without changes", NotifyChange, []string{"Wijziging op de melding", "Er zijn geen gewijzigde antwoorden."}},
		{"withdrawal", NotifyWithdrawal, []string{"Intrekking op de melding", "Wij trekken deze melding in."}},
		{"no AP number yet", NotifySupplement, []string{"Meldnummer van de Autoriteit Persoonsgegevens: " + Unknown}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ap := "M-1"
			if tc.name == "no AP number yet" {
				ap = ""
			}
			text := FollowUpText(tc.kind, "DL-2026-001", ap, practice.AP, nil)
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("text lacks %q:\n%s", w, text)
				}
			}
		})
	}
}
