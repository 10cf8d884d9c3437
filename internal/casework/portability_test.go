package casework_test

import (
	"errors"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/portability"
	"github.com/avgloket/avgloket/internal/register"
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
