package store

import (
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/delivery"
)

// Documents uploaded in the same instant are listed in the order they came
// in, not by their random ids (migration 0039: seq).
func TestDocumentsListInUploadOrder(t *testing.T) {
	env := newTestStore(t)
	c := mustCreate(t, env.s, newCase(t, caseSpec{}), ackMail)
	m := addStaff(t, env.s, "officer@zorg.example", "h", false)
	actor := casework.Actor{ID: m.ID, Scope: casework.Scope{All: true}}
	at := time.Date(2026, 11, 25, 9, 31, 30, 0, time.UTC)
	ids := []string{"ffff", "aaaa", "cccc", "0000"}
	for _, id := range ids {
		d := delivery.Document{ID: id, CaseID: c.ID, Name: id + ".pdf", Kind: "pdf", Size: 1, UploadedAt: at}
		if err := env.s.AddDocument(t.Context(), actor, d); err != nil {
			t.Fatal(err)
		}
	}
	docs, err := env.s.Documents(t.Context(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		got = append(got, d.ID)
	}
	if fmtList(got) != fmtList(ids) {
		t.Errorf("documents listed %v, want the upload order %v", got, ids)
	}
}
