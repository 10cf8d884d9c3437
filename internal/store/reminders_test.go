package store

import (
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
)

// A decided erasure case is no longer due, but the destruction it promised
// is, on its earliest promised day, until every promised destruction is
// confirmed; the reminder reads that day from the case row.
func TestOpenAssignedRemindsOfPromisedDestruction(t *testing.T) {
	env := newTestStore(t)
	s, ctx := env.s, t.Context()
	ann := addStaff(t, s, "ann@zorg.example", "x", false).ID
	actor := casework.Actor{Scope: casework.Scope{All: true}}
	c := mustCreate(t, s, newCase(t, caseSpec{name: "Sem Visser"}), ackMail)
	promise := func(erasedOn string) {
		t.Helper()
		if _, err := s.UpdateCase(ctx, c.Reference, actor, func(k *casework.Case) (casework.Change, error) {
			k.Type, k.AssigneeID, k.Outcome = casework.Erasure, ann, casework.Granted
			items := []casework.ErasureItem{
				{Activity: "client-file", Action: casework.ErasureScheduled, System: "dossier", Due: "2027-02-10"},
				{Activity: "invoicing", Action: casework.ErasureScheduled, System: "boekhouding", Due: "2027-01-15", ErasedOn: erasedOn},
			}
			return casework.Change{Erasure: &items}, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	destructions := func(dueBy deadline.Date) []casework.ReminderItem {
		t.Helper()
		as, err := s.OpenAssigned(ctx, dueBy)
		if err != nil {
			t.Fatal(err)
		}
		var out []casework.ReminderItem
		for _, a := range as {
			for _, it := range a.Items {
				if it.Destruction {
					out = append(out, it)
				}
			}
		}
		return out
	}
	jan20 := deadline.Date{Year: 2027, Month: time.January, Day: 20}
	promise("")
	if got := destructions(jan20); len(got) != 1 || got[0].Reference != c.Reference || got[0].Due.String() != "2027-01-15" {
		t.Errorf("by 20 January: %+v, want %s's destruction of 15 January", got, c.Reference)
	}
	if got := destructions(deadline.Date{Year: 2027, Month: time.January, Day: 10}); len(got) != 0 {
		t.Errorf("by 10 January: %+v, want none yet", got)
	}
	promise("2027-01-12") // the earliest one confirmed: the next is 10 February
	if got := destructions(jan20); len(got) != 0 {
		t.Errorf("by 20 January after confirming the first: %+v, want none", got)
	}
	if got := destructions(deadline.Date{Year: 2027, Month: time.February, Day: 10}); len(got) != 1 || got[0].Due.String() != "2027-02-10" {
		t.Errorf("by 10 February: %+v, want the destruction of 10 February", got)
	}
}
