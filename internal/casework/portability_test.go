package casework_test

import (
	"errors"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/portability"
	"github.com/avgloket/avgloket/internal/register"
	"github.com/avgloket/avgloket/internal/staff"
)

var portabilityRegister = []portability.Item{
	{Activity: "client-file", Name: "Cliëntdossier", Basis: register.LegalObligation},
	{Activity: "newsletter", Name: "Nieuwsbrief", Basis: register.Consent},
}

// SavePortability: only on an open portability case with activities
// chosen; a non-portable or unchosen activity is Invalid on its path; the
// record holds every chosen activity with its basis, data only for the
// portable ones, and drops an export made of earlier data.
func TestSavePortability(t *testing.T) {
	env := casework.Env{Today: decisionDay}
	chosen := []string{"client-file", "newsletter"}
	data := []portability.Item{{Activity: "newsletter", Fields: portability.Fields{{Name: "e-mail", Value: "sanne@example.nl"}}}}
	for _, tc := range []struct {
		name  string
		c     casework.Case
		items []portability.Item
		code  apperr.Code
		field string
	}{
		{"an access case", casework.Case{Type: casework.Access, Activities: chosen}, data, apperr.Conflict, ""},
		{"a completed portability", casework.Case{Type: casework.Portability, Status: casework.Completed, Activities: chosen}, data, apperr.Conflict, ""},
		{"no activities chosen", casework.Case{Type: casework.Portability}, data, apperr.Invalid, "items"},
		{"a legal obligation", casework.Case{Type: casework.Portability, Activities: chosen},
			[]portability.Item{{Activity: "client-file", Fields: portability.Fields{{Name: "a", Value: "b"}}}}, apperr.Invalid, "items.0.activity"},
		{"an activity not chosen", casework.Case{Type: casework.Portability, Activities: []string{"client-file"}}, data, apperr.Invalid, "items.0.activity"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c
			_, err := casework.SavePortability(tc.items, portabilityRegister)(&c, env)
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code != tc.code || (tc.field != "" && ae.Fields[tc.field] == "") {
				t.Fatalf("got %v (%v), want code %v on %q", err, ae, tc.code, tc.field)
			}
		})
	}
	c := casework.Case{Type: casework.Portability, Status: casework.InProgress, Activities: chosen,
		Portability: casework.PortabilityRecord{Document: "old", Transfers: []casework.Transfer{{Organisation: "Praktijk Noord"}}}}
	ch, err := casework.SavePortability(data, portabilityRegister)(&c, env)
	if err != nil {
		t.Fatal(err)
	}
	rec := ch.Portability.Record
	if len(rec.Items) != 2 || rec.Items[0].Portable() || len(rec.Items[0].Fields) != 0 || !rec.Items[1].Portable() ||
		rec.Items[1].Fields[0].Value != "sanne@example.nl" || rec.Items[1].Name != "Nieuwsbrief" {
		t.Errorf("record %+v", rec)
	}
	if rec.Exported() || len(rec.Transfers) != 1 || ch.Portability.Link != nil {
		t.Errorf("a save keeps the export %q or loses the transfers %+v", rec.Document, rec.Transfers)
	}
	if len(ch.Events) != 1 || ch.Events[0].Kind != casework.EventPortability || ch.Events[0].Data["activities"] != "newsletter" {
		t.Errorf("events %+v", ch.Events)
	}

	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	if _, err := casework.RecordExport("doc", at)(&casework.Case{Type: casework.Portability, Activities: chosen}, env); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("an export without data: %v", err)
	}
	ch, err = casework.RecordExport("doc", at)(&c, env)
	if err != nil || ch.Portability.Record.Document != "doc" || !ch.Portability.Record.ExportedAt.Equal(at) ||
		ch.Events[0].Kind != casework.EventPortabilityExport {
		t.Errorf("RecordExport = %+v, %v", ch, err)
	}
}

// TestPortabilityReceivedToCompleted walks a portability request through
// the service and a real store: received, activities chosen, data
// recorded (sealed and read back), the export recorded, a transfer with
// its mail queued in the same transaction, decided and completed; then the
// record is closed.
func TestPortabilityReceivedToCompleted(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	e := newEnv(t, now)
	m, err := e.store.AddMember(t.Context(), staff.NewMember{Email: "olga@praktijk.example", Name: "Olga Officier", Role: staff.Officer}, now)
	if err != nil {
		t.Fatal(err)
	}
	a := casework.Actor{ID: m.ID, Scope: casework.Scope{All: true}}
	sub := webForm("Sanne Verzonnen", "sanne@example.nl", "")
	sub.Type, sub.Specifics = casework.Portability, casework.Specifics{Format: "json", Destination: "controller", OtherController: "Praktijk Noord"}
	c := e.submit(t, sub, web)
	if c.Status != casework.Received {
		t.Fatalf("status %s", c.Status)
	}
	ctx := t.Context()
	if _, err := e.svc.ChooseActivities(ctx, a, c.Reference, []string{"client-file", "newsletter"}, []string{"client-file", "newsletter"}); err != nil {
		t.Fatal(err)
	}
	data := []portability.Item{{Activity: "newsletter", Fields: portability.Fields{{Name: "e-mailadres", Value: "sanne@example.nl"}}}}
	k, err := e.svc.Apply(ctx, a, c.Reference, casework.SavePortability(data, portabilityRegister))
	if err != nil {
		t.Fatal(err)
	}
	if back, _ := e.store.CaseByReference(ctx, c.Reference, a.Scope); len(back.Portability.Items) != 2 ||
		back.Portability.Items[1].Fields[0].Value != "sanne@example.nl" || back.Portability.Items[0].Portable() {
		t.Fatalf("read back %+v", back.Portability)
	}
	if _, err := e.svc.Apply(ctx, a, c.Reference, casework.SendTransfer("Praktijk Noord", "privacy@noord.example",
		casework.TransferLink{Hash: "h", Created: now, Expires: now.Add(30 * 24 * time.Hour)}, mail.Message{To: "privacy@noord.example"})); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("a transfer before the export: %v", err)
	}
	if k, err = e.svc.Apply(ctx, a, c.Reference, casework.RecordExport("doc-1", now)); err != nil || !k.Portability.Exported() {
		t.Fatalf("RecordExport: %v %+v", err, k.Portability)
	}
	_, queuedBefore := e.counts(t)
	msg := mail.Message{To: "privacy@noord.example", Subject: "Gegevens", Text: "link", Kind: mail.KindPortabilityTransfer}
	if k, err = e.svc.Apply(ctx, a, c.Reference, casework.SendTransfer("Praktijk Noord", "privacy@noord.example",
		casework.TransferLink{Hash: "h", Created: now, Expires: now.Add(30 * 24 * time.Hour)}, msg)); err != nil {
		t.Fatal(err)
	}
	if _, queued := e.counts(t); queued != queuedBefore+1 || len(k.Portability.Transfers) != 1 || k.Portability.Transfers[0].Organisation != "Praktijk Noord" {
		t.Errorf("transfer: %d mails queued (was %d), %+v", queued, queuedBefore, k.Portability.Transfers)
	}
	if k, err = e.svc.Decide(ctx, a, c.Reference, casework.Decision{Outcome: casework.Granted, Reasons: "Hierbij uw gegevens."}); err != nil {
		t.Fatal(err)
	}
	if k.Status != casework.Completed || k.Portability.Document != "doc-1" {
		t.Errorf("decided: %s %+v", k.Status, k.Portability)
	}
	if _, err := e.svc.Apply(ctx, a, c.Reference, casework.SavePortability(data, portabilityRegister)); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("saving on a completed case: %v", err)
	}
}
