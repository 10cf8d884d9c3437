package casework_test

import (
	"context"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/delivery"
)

// Anonymising a completed case also makes its answer documents due for
// destruction, sent or not, so the retention job removes their files.
func TestRetireMakesDocumentsDue(t *testing.T) {
	ctx := context.Background()
	f := newWorkflowFixture(t)
	done := f.file(t, "utrecht")
	doc := delivery.Document{ID: "0123456789abcdef0123456789abcdef", CaseID: done.ID, Name: "dossier.pdf", Kind: "pdf", Size: 10, UploadedAt: f.clock.Now()}
	if err := f.store.AddDocument(ctx, f.owner, doc); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Decide(ctx, f.owner, done.Reference, casework.Decision{Outcome: casework.Withdrawn, WithdrawnHow: "phone", Reasons: "Ingetrokken."}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(731 * 24 * time.Hour)
	if due, err := f.store.DocumentsDue(ctx, f.clock.Now()); err != nil || len(due) != 0 {
		t.Fatalf("before anonymising: %v due, %v", due, err)
	}
	if n, err := f.svc.Retire(ctx); err != nil || n != 1 {
		t.Fatalf("Retire: %d, %v", n, err)
	}
	due, err := f.store.DocumentsDue(ctx, f.clock.Now())
	if err != nil || len(due) != 1 || due[0].ID != doc.ID {
		t.Fatalf("after anonymising: %v due, %v", due, err)
	}
	if err := f.store.DocumentDestroyed(ctx, due[0], f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	docs, err := f.store.Documents(ctx, done.ID)
	if err != nil || len(docs) != 1 || !docs[0].Destroyed() || docs[0].Name != "" {
		t.Fatalf("destroyed document %+v, %v; want marked destroyed, its name blanked", docs, err)
	}
}
