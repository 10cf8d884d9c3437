package store

import (
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/portability"
	"github.com/avgloket/avgloket/internal/register"
)

// Anonymising a portability case drops what it recorded — the data the
// person provided, the organisations the export went to — and the
// organisations' download links, as it does every other right's record.
func TestAnonymisingDropsPortability(t *testing.T) {
	env := newTestStore(t)
	s, ctx := env.s, t.Context()
	actor := casework.Actor{Scope: casework.Scope{All: true}}
	c := newCase(t, caseSpec{name: "Noor Bakker", email: "noor@example.org"})
	c.Type = casework.Portability
	if err := create(t, s, &c, nil); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	rec := casework.PortabilityRecord{
		Items:     []portability.Item{{Activity: "dossier", Name: "Dossier", Basis: register.Consent, Fields: portability.Fields{{Name: "Telefoon", Value: "06-00000000"}}}},
		Transfers: []casework.Transfer{{Organisation: "Praktijk Elders", Email: "intake@elders.example", At: at}},
	}
	link := &casework.TransferLink{Hash: "link-hash", Document: "doc-1", Created: at, Expires: at.AddDate(0, 0, 14)}
	done := at.Add(time.Hour)
	if _, err := s.UpdateCase(ctx, c.Reference, actor, func(k *casework.Case) (casework.Change, error) {
		k.Status, k.Outcome, k.UpdatedAt = casework.Completed, casework.Granted, done
		return casework.Change{Portability: &casework.PortabilityChange{Record: rec, Link: link}}, nil
	}); err != nil {
		t.Fatal(err)
	}
	back, err := s.CaseByReference(ctx, c.Reference, casework.Scope{All: true})
	if err != nil || !back.Portability.Recorded() || len(back.Portability.Transfers) != 1 {
		t.Fatalf("before anonymising: %+v, %v; want the record and its transfer", back.Portability, err)
	}
	if links, err := s.PortabilityLinks(ctx, c.ID); err != nil || len(links) != 1 {
		t.Fatalf("before anonymising: links %+v, %v; want one", links, err)
	}

	if _, err := s.AnonymiseClosedCases(ctx, done.AddDate(1, 0, 0), done.AddDate(1, 0, 0)); err != nil {
		t.Fatal(err)
	}
	back, err = s.CaseByReference(ctx, c.Reference, casework.Scope{All: true})
	if err != nil || back.Portability.Recorded() || len(back.Portability.Transfers) != 0 {
		t.Errorf("the anonymised case keeps its portability record %+v, %v", back.Portability, err)
	}
	if links, err := s.PortabilityLinks(ctx, c.ID); err != nil || len(links) != 0 {
		t.Errorf("the anonymised case keeps its download links %+v, %v", links, err)
	}
}
