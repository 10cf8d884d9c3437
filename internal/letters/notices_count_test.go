package letters_test

import (
	"context"
	"testing"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/letters"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/register"
)

// CountNotices counts what DraftNotices drafts, without drafting: for a
// case whose recipients get notices by mail and by post, a recipient under
// two activities counted once, one outside the items not at all; no items,
// no notices and no register read.
func TestCountNotices(t *testing.T) {
	w, _ := decisionWriter(t, practice.Netherlands)
	reg := []register.Activity{
		{Key: "client-file", Name: "Cliëntdossier", Recipients: []register.Recipient{
			{Name: "ECD-leverancier", Kind: register.Processor, Country: "NL", Email: "privacy@ecd.example"},
			{Name: "Gemeente Voorbeeld", Kind: register.Controller, Country: "NL"}}},
		{Key: "newsletter", Name: "Nieuwsbrief", Recipients: []register.Recipient{
			{Name: "Mailer Ltd", Kind: register.Processor, Country: "IE", Email: "dpo@mailer.example"},
			{Name: "ECD-leverancier", Kind: register.Processor, Country: "NL", Email: "privacy@ecd.example"}}},
		{Key: "invoicing", Name: "Facturatie", Recipients: []register.Recipient{{Name: "Belastingdienst", Kind: register.Authority, Country: "NL"}}},
	}
	reads := 0
	n := letters.NewNotices(w, func(context.Context) ([]register.Activity, error) { reads++; return reg, nil }, "https://avg.example/", noticeClock)
	k := confirmedCase(casework.Erasure)
	items := []casework.NoticeItem{{Activity: "client-file", Action: casework.NoticeErase}, {Activity: "newsletter", Action: casework.NoticeErase}}
	ns, err := n.DraftNotices(t.Context(), k, items, decidedOn)
	if err != nil {
		t.Fatal(err)
	}
	mailed, posted := 0, 0
	for _, nt := range ns {
		switch nt.Channel {
		case casework.NoticeByMail:
			mailed++
		case casework.NoticeByPost:
			posted++
		}
	}
	if mailed == 0 || posted == 0 {
		t.Fatalf("want notices by mail and by post, got %d and %d: %+v", mailed, posted, ns)
	}
	got, err := n.CountNotices(t.Context(), k, items)
	if err != nil || got != len(ns) {
		t.Errorf("CountNotices = %d, %v; DraftNotices drafted %d", got, err, len(ns))
	}
	reads = 0
	if got, err := n.CountNotices(t.Context(), k, nil); err != nil || got != 0 || reads != 0 {
		t.Errorf("no items: CountNotices = %d, %v after %d register reads; want 0, nil, 0", got, err, reads)
	}
}
