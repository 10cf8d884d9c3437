package letters_test

import (
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/letters"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/ui"
)

// casework.Submit writes the acknowledgement before the reference exists,
// with casework.ReferenceSlot in its place, and binds the reference inside
// the write transaction: the mail must come out exactly as the one written
// with the reference, in each language, for each kind of request, and with
// a reference of any length.
func TestAcknowledgementWithBoundReferenceIsTheSame(t *testing.T) {
	cat, err := lang.Load(ui.FS)
	if err != nil {
		t.Fatal(err)
	}
	w, err := letters.New(ui.FS, cat, func() (practice.Settings, error) {
		return practice.Settings{Name: "Praktijk De Linde", PrivacyEmail: "privacy@delinde.example", Country: practice.Netherlands}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	for _, ref := range []string{"AVG-2026-0007", "AVG-2026-123456"} {
		for _, l := range []casework.Language{casework.Dutch, casework.English} {
			for _, typ := range casework.RequestTypes {
				k := casework.Case{Reference: ref, Type: typ, Language: l, Channel: casework.Web,
					ReceivedOn: deadline.Date{Year: 2026, Month: time.November, Day: 25},
					Deadlines:  deadline.Deadlines{Due: deadline.Date{Year: 2026, Month: time.December, Day: 28}},
					Requester:  casework.Requester{Name: "Test Aanvrager", Email: "aanvrager@example.nl", Relation: casework.Self}}
				if typ == casework.Objection {
					k.Specifics.DirectMarketing = &yes
				}
				const link = "http://avgloket.test/volg/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
				want, err := w.Acknowledgement(k, link)
				if err != nil {
					t.Fatal(err)
				}
				draft := k
				draft.Reference = casework.ReferenceSlot
				m, err := w.Acknowledgement(draft, link)
				if err != nil {
					t.Fatal(err)
				}
				if got := casework.BindReference([]mail.Message{m}, ref); len(got) != 1 || got[0] != want {
					t.Errorf("%s %s %s: bound\n%+v\nwant\n%+v", ref, l, typ, got, want)
				}
			}
		}
	}
}
