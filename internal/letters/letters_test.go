package letters_test

import (
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/letters"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/ui"
)

// The paper letters of a case by post carry what the tracking page would
// show, in the requester's language; a refusal's ground and reasons only
// once the requester is confirmed, as on the tracking page.
func TestLetter(t *testing.T) {
	cat, err := lang.Load(ui.FS)
	if err != nil {
		t.Fatal(err)
	}
	w, err := letters.New(ui.FS, cat, func() (practice.Settings, error) {
		return practice.Settings{Name: "Praktijk De Linde", Country: practice.Netherlands}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	received := deadline.Date{Year: 2026, Month: time.November, Day: 20}
	k := casework.Case{Reference: "AVG-2026-0007", Type: casework.Access, Language: casework.Dutch, ReceivedOn: received,
		Deadlines: deadline.Deadlines{Due: deadline.Date{Year: 2026, Month: time.December, Day: 21}},
		Requester: casework.Requester{Name: "Gerrit Postma", Relation: casework.Self}}
	verified := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	confirmed := k
	confirmed.Identity, confirmed.EmailConfirmedAt = casework.Identity{Status: casework.IdentityVerified, VerifiedAt: &verified}, &verified
	refusal := &casework.Event{Kind: casework.EventDecided, Text: "Het dossier bevat gegevens van uw broer.",
		Data: map[string]string{"outcome": string(casework.Refused), "ground": "unfounded"}}
	byPostVerified := k
	byPostVerified.Identity = casework.Identity{Status: casework.IdentityVerified, VerifiedAt: &verified}
	english := k
	english.Language = casework.English
	destroyed := k
	destroyed.Type = casework.Erasure
	destroyed.Erasure = []casework.ErasureItem{
		{Activity: "client-file", Name: "Cliëntdossier", Action: casework.ErasureScheduled, Due: "2027-02-15", ErasedOn: "2027-02-10", System: "Dossierix"},
		{Activity: "invoicing", Name: "Facturatie", Action: casework.ErasureKept, Ground: "AWR art. 52", Until: "2033-12-31"},
	}

	tests := []struct {
		name         string
		k            casework.Case
		e            *casework.Event
		want, absent []string
	}{
		{"acknowledgement", k, nil, []string{"AVG-2026-0007", "20 november 2026", "21 december 2026", "per post", "Praktijk De Linde"}, []string{"http", "link"}},
		{"acknowledgement in English", english, nil, []string{"AVG-2026-0007", "by post", "Dear Sir or Madam"}, []string{"Geachte", "Uw verzoek"}},
		{"message", k, &casework.Event{Kind: casework.EventMessage, Text: "Wij zoeken het op."}, []string{"Wij zoeken het op."}, []string{"http"}},
		{"question", k, &casework.Event{Kind: casework.EventInfoRequested, Text: "Komt u langs?"}, []string{"Komt u langs?"}, nil},
		{"extension", k, &casework.Event{Kind: casework.EventExtended, Text: "Het archief is groot.", Data: map[string]string{"due": "2027-02-22"}},
			[]string{"Het archief is groot.", "22 februari 2027", "Autoriteit Persoonsgegevens"}, nil},
		{"refusal, requester not confirmed", k, refusal, []string{cat.T(lang.NL, "outcome.refused", nil)},
			[]string{"broer", cat.T(lang.NL, "ground.unfounded", nil)}},
		{"refusal by post, identity verified", byPostVerified, refusal, []string{"broer", cat.T(lang.NL, "ground.unfounded", nil)}, nil},
		{"refusal, requester confirmed", confirmed, refusal, []string{"broer", cat.T(lang.NL, "ground.unfounded", nil), "Autoriteit Persoonsgegevens"}, nil},
		{"destruction carried out", destroyed, &casework.Event{Kind: casework.EventDestroyed},
			[]string{"beloofden wij", "Cliëntdossier: vernietigd op woensdag 10 februari 2027."}, []string{"Facturatie"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			subject, body, err := w.Letter(tt.k, tt.e)
			if err != nil {
				t.Fatalf("Letter: %v", err)
			}
			if !strings.Contains(subject, "AVG-2026-0007") {
				t.Errorf("subject %q lacks the reference", subject)
			}
			for _, s := range tt.want {
				if !strings.Contains(body, s) {
					t.Errorf("letter lacks %q:\n%s", s, body)
				}
			}
			for _, s := range tt.absent {
				if strings.Contains(body, s) {
					t.Errorf("letter shows %q:\n%s", s, body)
				}
			}
		})
	}
	if _, _, err := w.Letter(k, &casework.Event{Kind: casework.EventNote, Text: "intern"}); err == nil {
		t.Error("a letter was written for an internal note")
	}
}
