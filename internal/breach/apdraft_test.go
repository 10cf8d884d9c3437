package breach

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/practice"
)

func ptr[T any](v T) *T { return &v }

// testController returns a practice with every detail the AP form asks.
func testController(tb testing.TB) Controller {
	tb.Helper()
	return Controller{
		Name: "Jeugdpraktijk De Linde", Address: "Lindelaan 12, 3512 AB Utrecht", KvK: "12345678",
		Sector:        "Zorg en welzijn (jeugdhulp)",
		DPO:           Contact{Name: "Mr. A. Bakker", JobTitle: "functionaris gegevensbescherming", Email: "fg@delinde.example", Phone: "030 123 45 67"},
		Reporter:      Contact{Name: "Petra Jansen", JobTitle: "praktijkmanager", Email: "petra@delinde.example", Phone: "030 123 45 68"},
		ContactPerson: Contact{Name: "Karin de Wit", Email: "privacy@delinde.example"},
		Location:      mustAmsterdam(tb),
	}
}

// fullBreach returns a breach with every question of the AP form answered,
// aware on Friday 27 March 2026 at 18:00, notified on time.
func fullBreach(tb testing.TB) Breach {
	tb.Helper()
	aware := ams(tb, "2026-03-27 18:00")
	return Breach{
		Reference: "DL-2026-007", Title: "Verslag naar verkeerde ouder gemaild", Branch: "utrecht",
		StartedAt: ptr(ams(tb, "2026-03-27 09:15")), EndedAt: ptr(ams(tb, "2026-03-27 09:15")),
		AwareAt: aware, HowDiscovered: "De ontvanger belde de praktijk.", ReportedBy: "secretariaat",
		Kinds: []Kind{Confidentiality}, Incident: WrongRecipient,
		Description:    "Een behandelverslag is per e-mail naar de ouder van een andere cliënt gestuurd.",
		DataCategories: []string{CategoryContact, CategoryBSN, CategoryYouthCare, CategoryOther}, DataOther: "schoolgegevens",
		SpecialCategories: []string{"health"}, Records: Exactly(1),
		AffectedGroups: []string{GroupChildren, GroupParents}, PeopleDescription: "Een kind van 9 en zijn ouders.",
		People:                 Between(2, 3),
		PeopleInOtherCountries: Yes, Countries: "België",
		OtherAuthoritiesInformed:   "Inspectie Gezondheidszorg en Jeugd, 28 maart",
		ForeignAuthoritiesInformed: "Nee",
		Ongoing:                    No,
		MeasuresBefore: MeasuresBefore{Encrypted: No, Hashed: No, OtherwiseUnintelligible: Yes,
			Text: "Bijlage met wachtwoord; wachtwoord apart per sms"},
		Consequences:    "De ontvanger kent nu gevoelige gegevens over het kind.",
		MeasuresTaken:   "De ontvanger heeft het bericht verwijderd en dat schriftelijk bevestigd.",
		MeasuresPlanned: "Adressen controleren met een tweede persoon.",
		Processors:      "Zivver (beveiligde e-mail)",
		Assessment:      &Assessment{DPC: 4, EI: 0.75, Confidentiality: KnownRecipients, Integrity: None, Availability: None},
		Decision: &Decision{NotifyAP: true, InformPeople: InformYes, DecidedAt: aware.Add(20 * time.Hour),
			DecidedBy: "Karin de Wit"},
		Informed:      &Informing{At: ptr(ams(tb, "2026-03-28 15:00")), How: "per brief", Count: Exactly(2)},
		Notifications: []Notification{{Kind: NotifyInitial, SubmittedAt: aware.Add(30 * time.Hour), APReference: "M-2026-4711"}},
	}
}

var chapterTitles = []string{"Inleiding", "Internationaal", "Verwerkingsverantwoordelijke", "Tijdlijn", "Het datalek",
	"Persoonsgegevens", "Betrokkenen", "Maatregelen vooraf", "Gevolgen", "Vervolgacties"}

func TestAPDraftFull(t *testing.T) {
	loc := mustAmsterdam(t)
	b := fullBreach(t)
	d := APDraft(b, testController(t), ams(t, "2026-03-29 10:00"), loc)
	text := d.Text()

	if len(d.Chapters) != 10 {
		t.Fatalf("%d chapters, want 10", len(d.Chapters))
	}
	for i, title := range chapterTitles {
		t.Run("chapter "+title, func(t *testing.T) {
			if c := d.Chapters[i]; c.Number != i+1 || c.Title != title {
				t.Errorf("chapter %d = %d %q, want %d %q", i, c.Number, c.Title, i+1, title)
			}
			if want := fmt.Sprintf("\n%d. %s\n", i+1, title); !strings.Contains(text, want) {
				t.Errorf("text lacks %q", want)
			}
		})
	}
	for _, want := range []string{
		// the header
		"Ons kenmerk: DL-2026-007", "Uiterste meldmoment (72 uur na ontdekking): maandag 30 maart 2026, 19:00",
		"Opgesteld: zondag 29 maart 2026, 10:00", "Europe/Amsterdam",
		// 1 and 2
		"Enkelvoudige melding", "Algemene verordening gegevensbescherming (AVG)", "Inspectie Gezondheidszorg en Jeugd, 28 maart",
		"België",
		// 3
		"Jeugdpraktijk De Linde", "Lindelaan 12, 3512 AB Utrecht", "12345678", "Zorg en welzijn (jeugdhulp)",
		"Mr. A. Bakker, functionaris gegevensbescherming, fg@delinde.example, 030 123 45 67",
		"Petra Jansen", "praktijkmanager", "petra@delinde.example", "030 123 45 68",
		"Karin de Wit, privacy@delinde.example", "Zivver (beveiligde e-mail)",
		// 4
		"vrijdag 27 maart 2026, 09:15", "vrijdag 27 maart 2026, 18:00", "De ontvanger belde de praktijk.",
		// 5
		"vertrouwelijkheid", "persoonsgegevens naar de verkeerde ontvanger gestuurd", b.Title, b.Description,
		// 6
		"burgerservicenummer (BSN)", "gegevens over jeugdhulp", "overige gegevens: schoolgegevens", "- gezondheid",
		// 7
		"kinderen (minderjarigen)", "ouders of verzorgers", "Een kind van 9 en zijn ouders.", "minimaal 2 en maximaal 3",
		// 8
		"Bijlage met wachtwoord; wachtwoord apart per sms",
		// 9: 4 × 0.75 + 0.25 = 3.25, high
		b.Consequences, "aanzienlijk (ENISA-methode: score 3,25, ernst hoog)",
		// 10
		"per brief", "zaterdag 28 maart 2026, 15:00", b.MeasuresTaken, b.MeasuresPlanned,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	for id, want := range map[string]string{
		"international.other_countries": "Ja", "timeline.ongoing": "Nee", "before.encrypted": "Nee", "before.unintelligible": "Ja",
		"before.hashed": "Nee", "followup.informed": "Ja", "followup.informed_count": "2", "data.records": "1",
	} {
		if got, _ := d.Answer(id); got != want {
			t.Errorf("answer %s = %q, want %q", id, got, want)
		}
	}
	if strings.Contains(text, Unknown) {
		t.Errorf("a fully answered draft says %q:\n%s", Unknown, text)
	}
	if _, asked := d.Answer("timeline.late_reason"); asked || strings.Contains(text, "later dan 72 uur") {
		t.Error("an on-time notification is asked why it is late")
	}
}

func TestAPDraftUnknown(t *testing.T) {
	b := Breach{Reference: "DL-2026-001", Title: "Laptop kwijt", AwareAt: ams(t, "2026-06-10 09:30"), Description: "In de trein laten liggen."}
	d := APDraft(b, Controller{}, ams(t, "2026-06-10 10:00"), nil)
	for _, id := range []string{
		"intro.other_supervisors", "international.authorities", "controller.name", "controller.kvk", "controller.dpo",
		"reporter.name", "reporter.email", "controller.contact", "controller.others", "timeline.started", "timeline.ended",
		"timeline.how", "breach.kind", "breach.incident", "data.categories", "data.special", "data.records",
		"people.groups", "people.description", "people.count", "consequences.people", "consequences.severity",
		"followup.informed", "followup.informed_count", "followup.informed_how", "followup.informed_when",
		"followup.measures_taken", "followup.measures_planned",
		// nobody answered these yes-or-no questions: unknown, never "Nee"
		"international.other_countries", "timeline.ongoing", "before.encrypted", "before.hashed", "before.unintelligible",
		"before.how",
	} {
		if got, ok := d.Answer(id); !ok || got != Unknown {
			t.Errorf("answer %s = %q (asked: %v), want %q", id, got, ok, Unknown)
		}
	}
	for id, want := range map[string]string{"breach.summary": "Laptop kwijt", "breach.description": "In de trein laten liggen.",
		"timeline.discovered": "woensdag 10 juni 2026, 09:30", "intro.single": "Enkelvoudige melding"} {
		if got, _ := d.Answer(id); got != want {
			t.Errorf("answer %s = %q, want %q", id, got, want)
		}
	}
	for _, id := range []string{"international.countries", "timeline.late_reason", "followup.not_informed_reason"} {
		if _, ok := d.Answer(id); ok {
			t.Errorf("question %s asked, want it left out", id)
		}
	}
}

func TestAPDraftLate(t *testing.T) {
	const question = "Waarom meldt u het datalek later dan 72 uur na de ontdekking?"
	for _, tc := range []struct {
		name      string
		edit      func(b *Breach)
		now       string
		wantAsked bool
		want      string
	}{
		{"submitted after 73 hours, with reason", func(b *Breach) {
			b.Notifications[0].SubmittedAt = b.AwareAt.Add(73 * time.Hour)
			b.LateReason = "Het lek werd pas na het weekend volledig duidelijk."
		}, "2026-04-02 10:00", true, "Het lek werd pas na het weekend volledig duidelijk."},
		{"submitted at exactly 72 hours", func(b *Breach) {
			b.Notifications[0].SubmittedAt = APDeadline(b.AwareAt)
		}, "2026-04-02 10:00", false, ""},
		{"not submitted, deadline passed, no reason yet", func(b *Breach) {
			b.Notifications = nil
		}, "2026-03-30 19:01", true, Unknown},
		{"not submitted, still in time", func(b *Breach) {
			b.Notifications = nil
		}, "2026-03-30 18:59", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := fullBreach(t)
			tc.edit(&b)
			d := APDraft(b, testController(t), ams(t, tc.now), mustAmsterdam(t))
			got, asked := d.Answer("timeline.late_reason")
			if asked != tc.wantAsked || got != tc.want {
				t.Fatalf("late reason = %q (asked %v), want %q (asked %v)", got, asked, tc.want, tc.wantAsked)
			}
			if strings.Contains(d.Text(), question) != tc.wantAsked {
				t.Errorf("text has the delay question: %v, want %v", !tc.wantAsked, tc.wantAsked)
			}
		})
	}
}

func TestAPDraftNotInforming(t *testing.T) {
	b := fullBreach(t)
	b.Informed = nil
	b.Decision.InformPeople = InformNo
	b.Decision.Reason = "De gegevens waren versleuteld; de sleutel is niet gelekt."
	d := APDraft(b, testController(t), ams(t, "2026-03-29 10:00"), nil)
	if got, _ := d.Answer("followup.informed"); got != "Nee" {
		t.Errorf("informed = %q, want Nee", got)
	}
	if got, _ := d.Answer("followup.not_informed_reason"); got != b.Decision.Reason {
		t.Errorf("why not = %q, want the decision's reason", got)
	}
	if _, ok := d.Answer("followup.informed_how"); ok {
		t.Error("asks how people were told, when they are not")
	}
	b.NotInformedReason = "Art. 34(3)(a): versleuteld."
	if got, _ := APDraft(b, testController(t), ams(t, "2026-03-29 10:00"), nil).Answer("followup.not_informed_reason"); got != b.NotInformedReason {
		t.Errorf("why not = %q, want NotInformedReason", got)
	}
}

// What nobody answered about the protection before the breach is "nog niet
// bekend" in 8.1–8.3 (DOMAIN.md §10), never "Nee"; the measures typed are
// shown whatever the answers.
func TestAPDraftSecurityUnanswered(t *testing.T) {
	b := fullBreach(t)
	b.MeasuresBefore = MeasuresBefore{}
	text := APDraft(b, testController(t), ams(t, "2026-03-29 10:00"), nil).Text()
	for _, want := range []string{
		"8.1 Waren de persoonsgegevens versleuteld?\n    nog niet bekend\n",
		"8.2 Waren de persoonsgegevens gehasht?\n    nog niet bekend\n",
		"8.3 Waren de persoonsgegevens op een andere manier onbegrijpelijk of ontoegankelijk gemaakt voor onbevoegden?\n    nog niet bekend\n",
		"8.4 Hoe waren de persoonsgegevens beschermd?\n    nog niet bekend\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}

	b.MeasuresBefore = MeasuresBefore{Encrypted: No, Text: "Alleen een wachtwoord op het account."}
	d := APDraft(b, testController(t), ams(t, "2026-03-29 10:00"), nil)
	for id, want := range map[string]string{"before.encrypted": "Nee", "before.hashed": Unknown,
		"before.how": "Alleen een wachtwoord op het account."} {
		if got, _ := d.Answer(id); got != want {
			t.Errorf("answer %s = %q, want %q", id, got, want)
		}
	}
}

// A Belgian practice's draft is addressed to the GBA and never names the
// AP; a Dutch practice's the reverse (DOMAIN.md §9).
func TestAPDraftAuthority(t *testing.T) {
	for _, tc := range []struct {
		country     practice.Country
		want, never []string
	}{
		{practice.Belgium, []string{"Concept-melding datalek aan de Gegevensbeschermingsautoriteit",
			"Gegevensbeschermingsautoriteit (GBA), Drukpersstraat 35, 1000 Brussel", "naast de GBA",
			"andere landen dan België", "Ondernemingsnummer (KBO)"},
			[]string{"Autoriteit Persoonsgegevens", "AP ", "KvK"}},
		{practice.Netherlands, []string{"Concept-melding datalek aan de Autoriteit Persoonsgegevens",
			"Autoriteit Persoonsgegevens (AP), Postbus 93374", "naast de AP", "andere landen dan Nederland", "KvK-nummer"},
			[]string{"Gegevensbeschermingsautoriteit", "GBA"}},
	} {
		t.Run(string(tc.country), func(t *testing.T) {
			ctl := testController(t)
			ctl.Country = tc.country
			text := APDraft(fullBreach(t), ctl, ams(t, "2026-03-29 10:00"), nil).Text()
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("text lacks %q", w)
				}
			}
			for _, n := range tc.never {
				if strings.Contains(text, n) {
					t.Errorf("text has %q", n)
				}
			}
			follow := FollowUpText(NotifySupplement, "DL-2026-007", "M-1", ctl.Authority(), nil)
			if !strings.Contains(follow, "Meldnummer van de "+ctl.Authority().Name+": M-1") {
				t.Errorf("follow-up text:\n%s", follow)
			}
		})
	}
}
