package identity_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/identity"
	"github.com/avgloket/avgloket/internal/representation"
)

// A file is taken only for an open question that asked for one, and only
// for the purpose that question named: a file sent to a question without
// an upload, or with another purpose than the one asked (an ID copy sent
// as "other" would never be destroyed), is refused before anything is
// stored, on disk or in the database.
func TestAnswerTakesOnlyTheFileTheQuestionAskedFor(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name             string
		asked, sent      string // the question's upload kind; the purpose the client sends
		field, message   string
		wantStoredAsKind string
	}{
		{name: "no file asked", asked: "", sent: casework.PurposeOther, field: "file", message: "identity.no_upload_asked"},
		{name: "no file asked, no purpose sent", asked: "", sent: "", field: "file", message: "identity.no_upload_asked"},
		{name: "ID copy sent as other", asked: casework.PurposeIDCopy, sent: casework.PurposeOther, field: "file", message: "identity.upload_purpose"},
		{name: "the purpose asked", asked: casework.PurposeIDCopy, sent: casework.PurposeIDCopy, wantStoredAsKind: casework.PurposeIDCopy},
		{name: "no purpose sent takes the question's", asked: casework.PurposeIDCopy, sent: "", wantStoredAsKind: casework.PurposeIDCopy},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			c := f.file(t, "2013-05-01")
			if _, err := f.id.Ask(ctx, f.owner, c.Reference, representation.MethodIDCopy, tc.asked, "Wilt u iets sturen?"); err != nil {
				t.Fatal(err)
			}
			_, err := f.id.Answer(ctx, f.token(), "192.0.2.9", "Hierbij.",
				&identity.Upload{Purpose: tc.sent, Body: bytes.NewReader(idCopyPNG(t, "MARKER", "PIXELS"))})
			files, ferr := f.store.Files(ctx, c.ID)
			if ferr != nil {
				t.Fatal(ferr)
			}
			if tc.wantStoredAsKind != "" {
				if err != nil {
					t.Fatalf("answer: %v", err)
				}
				if len(files) != 1 || files[0].Purpose != tc.wantStoredAsKind || files[0].DestroyAfter == nil {
					t.Fatalf("files %+v, want one %s due for destruction", files, tc.wantStoredAsKind)
				}
				return
			}
			ae := apperr.As(err)
			if ae.Code != apperr.Invalid || ae.Fields[tc.field] != tc.message {
				t.Fatalf("answer: %v (fields %v), want %s on %s", err, ae.Fields, tc.message, tc.field)
			}
			if len(files) != 0 {
				t.Fatalf("a refused file was recorded: %+v", files)
			}
			if entries, _ := os.ReadDir(filepath.Join(f.dir, "files")); len(entries) != 0 {
				t.Fatalf("a refused file left %v on disk", entries)
			}
			still, _, err := f.cases.Timeline(ctx, f.owner, c.Reference)
			if err != nil || still.Status != casework.AwaitingIdentity {
				t.Fatalf("a refused answer changed the case: %s %v", still.Status, err)
			}
		})
	}
}

// A partial grant gives the requester part of what they asked, so it needs
// the same proofs as a full grant (DOMAIN.md §4): refused while a child's
// requirements are missing, allowed once they are met.
func TestPartialGrantNeedsTheChildsProofs(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	c := f.file(t, "2013-05-01")
	partial := func() error {
		_, err := f.cases.Decide(ctx, f.owner, c.Reference, casework.Decision{Outcome: casework.PartiallyGranted,
			Reasons: "Een deel van het dossier; aantekeningen over de andere ouder blijven achter.", Ground: casework.GroundOthers})
		return err
	}
	f.verify(t, c.Reference)
	if err := partial(); !apperr.Is(err, apperr.Conflict) || apperr.As(err).Message != "identity.requirements_missing" {
		t.Fatalf("a partial grant with the child's proofs missing: %v, want identity.requirements_missing", err)
	}
	for _, key := range []string{"parental_authority", "child_agreement"} {
		if _, err := f.id.Record(ctx, f.owner, c.Reference, key, "satisfied", ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := partial(); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("a partial grant with the other parent not informed: %v, want a conflict", err)
	}
	if _, err := f.id.Record(ctx, f.owner, c.Reference, "inform_other_parent", "satisfied", ""); err != nil {
		t.Fatal(err)
	}
	if err := partial(); err != nil {
		t.Fatalf("a partial grant with everything on record: %v", err)
	}
}
