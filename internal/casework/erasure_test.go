package casework_test

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
)

func erased(activity string) casework.ErasureItem {
	return casework.ErasureItem{Activity: activity, Action: casework.ErasureErased, System: "cliëntdossier"}
}

func kept(activity, ground, until string) casework.ErasureItem {
	return casework.ErasureItem{Activity: activity, Action: casework.ErasureKept, Ground: ground, Until: until}
}

// One item per chosen activity; a kept item names a statute that forbids
// destruction (never the dossier term alone, DOMAIN.md §5) and a later end
// date; the problems are keyed by JSON path.
func TestValidateErasure(t *testing.T) {
	c := casework.Case{Type: casework.Erasure, Activities: []string{"client-file", "invoicing"}}
	for _, tc := range []struct {
		name  string
		c     casework.Case
		items []casework.ErasureItem
		want  casework.Problems
	}{
		{"all erased", c, []casework.ErasureItem{erased("client-file"), erased("invoicing")}, casework.Problems{}},
		{"invoices kept by the tax law", c, []casework.ErasureItem{erased("client-file"), kept("invoicing", "AWR art. 52", "2033-12-31")},
			casework.Problems{}},
		{"a chosen activity without an item", c, []casework.ErasureItem{erased("client-file")},
			casework.Problems{"items": "erasure.activity_missing"}},
		{"an activity not chosen", c, []casework.ErasureItem{erased("client-file"), erased("invoicing"), erased("newsletter")},
			casework.Problems{"items.2.activity": "erasure.activity_not_chosen"}},
		{"an activity twice", c, []casework.ErasureItem{erased("client-file"), erased("invoicing"), kept("invoicing", "AWR art. 52", "2033-12-31")},
			casework.Problems{"items.2.activity": "erasure.activity_twice"}},
		{"no activities chosen", casework.Case{Type: casework.Erasure}, nil, casework.Problems{"items": "erasure.no_activities"}},
		{"an unknown action", c, []casework.ErasureItem{erased("client-file"), {Activity: "invoicing", Action: "archived"}},
			casework.Problems{"items.1.action": "field.choose"}},
		{"kept without ground or date", c, []casework.ErasureItem{erased("client-file"), kept("invoicing", " ", "")},
			casework.Problems{"items.1.ground": "case.statute_required", "items.1.until": "case.until_required"}},
		{"kept until a day that is no date", c, []casework.ErasureItem{erased("client-file"), kept("invoicing", "AWR art. 52", "2033-02-30")},
			casework.Problems{"items.1.until": "field.date"}},
		{"kept until a past day", c, []casework.ErasureItem{erased("client-file"), kept("invoicing", "AWR art. 52", "2025-01-01")},
			casework.Problems{"items.1.until": "case.until_future"}},
		{"erased with a ground and a date", c, []casework.ErasureItem{erased("client-file"),
			{Activity: "invoicing", Action: casework.ErasureErased, Ground: "AWR art. 52", Until: "2033-12-31"}},
			casework.Problems{"items.1.ground": "erasure.kept_only", "items.1.until": "erasure.kept_only"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := casework.ValidateErasure(tc.c, tc.items, decisionDay); !maps.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// The 20-year dossier term (Jeugdwet 7.3.8, BW 7:454(3)) is no ground to
// keep a dossier whose destruction was asked (BW 7:455, Jeugdwet 7.3.9);
// a law that forbids destruction, like the tax law for invoices, is.
func TestErasureDossierTermIsNoGround(t *testing.T) {
	c := casework.Case{Type: casework.Erasure, Activities: []string{"client-file"}}
	for _, tc := range []struct {
		ground string
		want   string
	}{
		{"Jeugdwet art. 7.3.8", "case.statute_dossier_term"},
		{"artikel 7.3.8 Jeugdwet (20 jaar)", "case.statute_dossier_term"},
		{"art. 7:454 lid 3 BW", "case.statute_dossier_term"},
		{"BW 7 : 454", "case.statute_dossier_term"},
		{"AWR art. 52", ""},
		{"art. 7:455 lid 2 BW, belang van een ander", ""},
	} {
		t.Run(tc.ground, func(t *testing.T) {
			got := casework.ValidateErasure(c, []casework.ErasureItem{kept("client-file", tc.ground, "2040-01-01")}, decisionDay)
			if got["items.0.ground"] != tc.want {
				t.Errorf("ground %q: got %v, want %q", tc.ground, got, tc.want)
			}
		})
	}
}

// SaveErasure: only on an open erasure case; the items land in the
// register's order, trimmed, with an event naming what was erased and kept.
func TestSaveErasure(t *testing.T) {
	env := casework.Env{Today: decisionDay}
	items := []casework.ErasureItem{kept("invoicing", " AWR art. 52 ", "2033-12-31"), erased("client-file")}
	for _, tc := range []struct {
		name string
		c    casework.Case
		code apperr.Code
	}{
		{"an access case", casework.Case{Type: casework.Access, Activities: []string{"client-file", "invoicing"}}, apperr.Conflict},
		{"a completed erasure", casework.Case{Type: casework.Erasure, Status: casework.Completed, Activities: []string{"client-file", "invoicing"}}, apperr.Conflict},
		{"an erasure missing an item", casework.Case{Type: casework.Erasure, Activities: []string{"client-file", "invoicing", "newsletter"}}, apperr.Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c
			_, err := casework.SaveErasure(items)(&c, env)
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code != tc.code {
				t.Fatalf("got %v, want code %v", err, tc.code)
			}
		})
	}
	c := casework.Case{Type: casework.Erasure, Status: casework.InProgress, Activities: []string{"client-file", "invoicing"}}
	ch, err := casework.SaveErasure(items)(&c, env)
	if err != nil {
		t.Fatal(err)
	}
	// An erased item without a day was erased today.
	today := erased("client-file")
	today.ErasedOn = decisionDay.String()
	want := []casework.ErasureItem{today, kept("invoicing", "AWR art. 52", "2033-12-31")}
	if ch.Erasure == nil || len(*ch.Erasure) != 2 || (*ch.Erasure)[0] != want[0] || (*ch.Erasure)[1] != want[1] {
		t.Fatalf("change holds %+v, want %+v", ch.Erasure, want)
	}
	if len(ch.Events) != 1 || ch.Events[0].Kind != casework.EventErasure ||
		ch.Events[0].Data["erased"] != "client-file" || ch.Events[0].Data["kept"] != "invoicing" {
		t.Errorf("events %+v", ch.Events)
	}
}

// An erasure that keeps data is granted in part at most (API.md: 422 on
// outcome); with everything erased it may be granted.
func TestDecisionErasureOutcomeFollowsItems(t *testing.T) {
	someKept := casework.Case{Type: casework.Erasure, Requester: casework.Requester{Relation: casework.Self},
		Activities: []string{"client-file", "invoicing"},
		Erasure:    []casework.ErasureItem{erased("client-file"), kept("invoicing", "AWR art. 52", "2033-12-31")}}
	allErased := someKept
	allErased.Erasure = []casework.ErasureItem{erased("client-file"), erased("invoicing")}
	grant := casework.Decision{Outcome: casework.Granted, Reasons: "Wij hebben uw gegevens gewist."}
	partly := casework.Decision{Outcome: casework.PartiallyGranted, Ground: casework.GroundRetention, Statute: "AWR art. 52",
		Until: "2033-12-31", Reasons: "De facturen bewaren wij."}
	for _, tc := range []struct {
		name string
		c    casework.Case
		d    casework.Decision
		want casework.Problems
	}{
		{"granted with a kept item", someKept, grant, casework.Problems{"outcome": "erasure.kept_not_granted"}},
		{"partially granted with a kept item", someKept, partly, casework.Problems{}},
		{"refused with a kept item", someKept, refusalOn(casework.GroundRetention), casework.Problems{}},
		{"granted with all erased", allErased, grant, casework.Problems{}},
		{"granted, no items recorded", casework.Case{Type: casework.Erasure, Requester: casework.Requester{Relation: casework.Self}}, grant, casework.Problems{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.d.Validate(tc.c, decisionDay); !maps.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// The days an erasure item names: an erased item's day is not after today
// nor before receipt; a destruction is promised for a day after today and
// at most three months after receipt (BW 7:455(1), Jeugdwet 7.3.9), in a
// named system; each day belongs to its action only.
func TestValidateErasureDays(t *testing.T) {
	received := deadline.Date{Year: 2026, Month: 11, Day: 20} // three months: 2027-02-20
	c := casework.Case{Type: casework.Erasure, ReceivedOn: received, Activities: []string{"client-file"}}
	scheduled := func(due, system string) casework.ErasureItem {
		return casework.ErasureItem{Activity: "client-file", Action: casework.ErasureScheduled, Due: due, System: system}
	}
	erasedOn := func(on string) casework.ErasureItem {
		it := erased("client-file")
		it.ErasedOn = on
		return it
	}
	for _, tc := range []struct {
		name string
		it   casework.ErasureItem
		want casework.Problems
	}{
		{"erased today", erasedOn("2026-12-01"), casework.Problems{}},
		{"erased on the day of receipt", erasedOn("2026-11-20"), casework.Problems{}},
		{"erased without a day (today)", erasedOn(""), casework.Problems{}},
		{"erased tomorrow", erasedOn("2026-12-02"), casework.Problems{"items.0.erased_on": "erasure.erased_on_future"}},
		{"erased before receipt", erasedOn("2026-11-19"), casework.Problems{"items.0.erased_on": "erasure.erased_on_before_receipt"}},
		{"erased on no date", erasedOn("2026-11-31"), casework.Problems{"items.0.erased_on": "field.date"}},
		{"scheduled on the last day allowed", scheduled("2027-02-20", "cliëntdossier"), casework.Problems{}},
		{"scheduled tomorrow", scheduled("2026-12-02", "cliëntdossier"), casework.Problems{}},
		{"scheduled a day too late", scheduled("2027-02-21", "cliëntdossier"), casework.Problems{"items.0.due": "erasure.due_within"}},
		{"scheduled for today", scheduled("2026-12-01", "cliëntdossier"), casework.Problems{"items.0.due": "erasure.due_future"}},
		{"scheduled without a day or system", scheduled("", ""),
			casework.Problems{"items.0.due": "erasure.due_required", "items.0.system": "field.required"}},
		{"scheduled and said erased on a day", func() casework.ErasureItem {
			it := scheduled("2027-01-15", "cliëntdossier")
			it.ErasedOn = "2026-12-01"
			return it
		}(), casework.Problems{"items.0.erased_on": "erasure.erased_only"}},
		{"erased with a promised day", func() casework.ErasureItem {
			it := erasedOn("2026-12-01")
			it.Due = "2027-01-15"
			return it
		}(), casework.Problems{"items.0.due": "erasure.scheduled_only"}},
		{"kept with an erased day", func() casework.ErasureItem {
			it := kept("client-file", "AWR art. 52", "2033-12-31")
			it.ErasedOn = "2026-12-01"
			return it
		}(), casework.Problems{"items.0.erased_on": "erasure.erased_only"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := casework.ValidateErasure(c, []casework.ErasureItem{tc.it}, decisionDay); !maps.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// A destruction promised is a request granted, in whole or in part: it
// cannot be refused or withdrawn while one is pending.
func TestDecisionWithScheduledDestruction(t *testing.T) {
	c := casework.Case{Type: casework.Erasure, Requester: casework.Requester{Relation: casework.Self},
		Activities: []string{"client-file", "invoicing"},
		Erasure: []casework.ErasureItem{{Activity: "client-file", Action: casework.ErasureScheduled, Due: "2027-01-15", System: "cliëntdossier"},
			kept("invoicing", "AWR art. 52", "2033-12-31")}}
	partly := casework.Decision{Outcome: casework.PartiallyGranted, Ground: casework.GroundRetention, Statute: "AWR art. 52",
		Until: "2033-12-31", Reasons: "Het dossier vernietigen wij; de facturen bewaren wij."}
	for _, tc := range []struct {
		name string
		d    casework.Decision
		want casework.Problems
	}{
		{"partially granted", partly, casework.Problems{}},
		{"refused", refusalOn(casework.GroundRetention), casework.Problems{"outcome": "erasure.scheduled_granted_only"}},
		{"withdrawn", casework.Decision{Outcome: casework.Withdrawn, WithdrawnHow: "email", Reasons: "Ingetrokken."},
			casework.Problems{"outcome": "erasure.scheduled_granted_only"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.d.Validate(c, decisionDay); !maps.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// An erasure from receipt to completion with a destruction promised for a
// later day: the decision answers it (not late, not due) but leaves it in
// progress; nothing is recorded or decided again; confirming the last
// destruction completes it, records who did it and tells the requester.
func TestErasureDestructionToCompletion(t *testing.T) {
	ctx := t.Context()
	f := newWorkflowFixture(t)
	var sub casework.Submission
	sub.Type = casework.Erasure
	sub.Requester = casework.Requester{Name: "Test Verzoeker", Email: "verzoeker@example.org", Relation: casework.Self}
	sub.Branch = "utrecht"
	c, _, err := f.svc.Submit(ctx, sub, casework.Intake{Channel: casework.Web}) // received 2026-11-25, due 2026-12-28
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ChooseActivities(ctx, f.owner, c.Reference, []string{"client-file", "invoicing"}, []string{"client-file", "invoicing"}); err != nil {
		t.Fatal(err)
	}
	items := []casework.ErasureItem{
		{Activity: "client-file", Action: casework.ErasureScheduled, Due: "2027-01-29", System: "cliëntdossier"},
		kept("invoicing", "AWR art. 52", "2033-12-31"),
	}
	if _, err := f.svc.Apply(ctx, f.owner, c.Reference, casework.SaveErasure(items)); err != nil {
		t.Fatal(err)
	}
	// Confirming before the decision is refused.
	_, err = f.svc.ConfirmDestruction(ctx, f.owner, c.Reference, "client-file", "2026-11-25", "")
	wantCode(t, err, apperr.Conflict)

	d := casework.Decision{Outcome: casework.PartiallyGranted, Ground: casework.GroundRetention, Statute: "AWR art. 52",
		Until: "2033-12-31", Reasons: "Het dossier vernietigen wij uiterlijk 29 januari; de facturen bewaren wij."}
	c, err = f.svc.Decide(ctx, f.owner, c.Reference, d)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != casework.InProgress || c.Outcome != casework.PartiallyGranted || c.DestroyBy.String() != "2027-01-29" {
		t.Fatalf("decided: status %s, outcome %s, destroy by %s", c.Status, c.Outcome, c.DestroyBy)
	}
	if !slices.Equal(f.letters.sent, []string{"ack", "decision"}) {
		t.Errorf("mails %v", f.letters.sent)
	}
	// The accountability report counts it decided on the day of the decision.
	facts, err := f.store.ReportFacts(ctx, c.ReceivedOn, c.ReceivedOn, "", time.UTC)
	if err != nil || len(facts) != 1 || !facts[0].DecidedOn.Equal(c.ReceivedOn) || facts[0].Outcome != casework.PartiallyGranted {
		t.Errorf("report facts %+v, err %v", facts, err)
	}
	// Past the answer's deadline the decided case is neither late nor due.
	f.clock.Set(time.Date(2027, 1, 5, 9, 0, 0, 0, time.UTC))
	today := deadline.Date{Year: 2027, Month: 1, Day: 5}
	if c.Overdue(today) {
		t.Error("a decided case counts as overdue")
	}
	all := casework.Scope{All: true}
	for name, q := range map[string]casework.Query{"overdue": {Overdue: true, Today: today}, "due soon": {DueBefore: today.AddDays(8)}} {
		page, err := f.svc.List(ctx, q, all)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Cases) != 0 {
			t.Errorf("%s lists %d cases", name, len(page.Cases))
		}
	}
	if n, err := f.store.CountCases(ctx, all, f.owner.ID, today, today.AddDays(7)); err != nil || n.Overdue != 0 || n.DueSoon != 0 || n.Open != 1 {
		t.Errorf("counts %+v, err %v", n, err)
	}
	_, err = f.svc.Decide(ctx, f.owner, c.Reference, d)
	wantCode(t, err, apperr.Conflict)
	_, err = f.svc.Apply(ctx, f.owner, c.Reference, casework.SaveErasure(items))
	wantCode(t, err, apperr.Conflict)
	_, err = f.svc.ChooseActivities(ctx, f.owner, c.Reference, []string{"client-file"}, []string{"client-file", "invoicing"})
	wantCode(t, err, apperr.Conflict)
	_, err = f.svc.Move(ctx, f.owner, c.Reference, casework.AwaitingIdentity)
	wantCode(t, err, apperr.Conflict)
	_, err = f.svc.ConfirmDestruction(ctx, f.owner, c.Reference, "invoicing", "2027-01-05", "")
	wantCode(t, err, apperr.Conflict)
	ae := wantCode(t, func() error {
		_, err := f.svc.ConfirmDestruction(ctx, f.owner, c.Reference, "client-file", "2027-01-06", "")
		return err
	}(), apperr.Invalid)
	if ae.Fields["erased_on"] != "erasure.erased_on_future" {
		t.Errorf("fields %v", ae.Fields)
	}

	c, err = f.svc.ConfirmDestruction(ctx, f.owner, c.Reference, "client-file", "2027-01-05", "cliëntdossier en back-up")
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != casework.Completed || !c.DestroyBy.IsZero() {
		t.Fatalf("confirmed: status %s, destroy by %s", c.Status, c.DestroyBy)
	}
	it := c.Erasure[0]
	if it.ErasedOn != "2027-01-05" || it.System != "cliëntdossier en back-up" || it.ErasedByName != "Test Owner" || it.Pending() {
		t.Errorf("confirmed item %+v", it)
	}
	if !slices.Equal(f.letters.sent, []string{"ack", "decision", "destroyed"}) {
		t.Errorf("mails %v", f.letters.sent)
	}
	_, events, err := f.svc.Timeline(ctx, f.owner, c.Reference)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range events {
		if e.Kind == casework.EventStatus {
			kinds = append(kinds, "status:"+e.Data["to"])
		} else {
			kinds = append(kinds, string(e.Kind))
		}
	}
	want := "created,activities,erasure,status:in_progress,decided,destruction_confirmed,status:completed,destroyed"
	if strings.Join(kinds, ",") != want {
		t.Errorf("timeline %v, want %s", kinds, want)
	}
	_, err = f.svc.ConfirmDestruction(ctx, f.owner, c.Reference, "client-file", "2027-01-05", "")
	wantCode(t, err, apperr.Conflict)
}
