package casework_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/mail"
)

// TestNoticeItems: notices only for a rectification, erasure or
// restriction granted in whole or in part; for an erasure only of what was
// erased (a destruction promised for later counts: only "kept" is left
// out), for the other two of every chosen activity.
func TestNoticeItems(t *testing.T) {
	chosen := []string{"client-file", "waiting-list", "invoicing"}
	erasure := casework.Case{Type: casework.Erasure, Activities: chosen, Erasure: []casework.ErasureItem{
		erased("client-file"), {Activity: "waiting-list", Action: "scheduled"}, kept("invoicing", "AWR art. 52", "2033-12-31")}}
	erase := []casework.NoticeItem{{Activity: "client-file", Action: casework.NoticeErase}, {Activity: "waiting-list", Action: casework.NoticeErase}}
	every := func(a casework.NoticeAction) []casework.NoticeItem {
		var out []casework.NoticeItem
		for _, k := range chosen {
			out = append(out, casework.NoticeItem{Activity: k, Action: a})
		}
		return out
	}
	tests := []struct {
		name    string
		c       casework.Case
		outcome casework.Outcome
		want    []casework.NoticeItem
	}{
		{"erasure granted in part: the erased activities", erasure, casework.PartiallyGranted, erase},
		{"erasure refused", erasure, casework.Refused, nil},
		{"erasure withdrawn", erasure, casework.Withdrawn, nil},
		{"erasure with nothing erased", casework.Case{Type: casework.Erasure, Activities: chosen[2:],
			Erasure: []casework.ErasureItem{kept("invoicing", "AWR art. 52", "2033-12-31")}}, casework.PartiallyGranted, nil},
		{"rectification granted", casework.Case{Type: casework.Rectification, Activities: chosen, Rectification: []casework.RectificationItem{
			{Field: "adres", Old: "Kerkstraat 1", New: "Dorpsstraat 1"}, {Field: "diagnose", Old: "…", Kept: true, Reason: "oordeel"}}},
			casework.PartiallyGranted, every(casework.NoticeRectify)},
		{"rectification with nothing corrected", casework.Case{Type: casework.Rectification, Activities: chosen, Rectification: []casework.RectificationItem{
			{Field: "diagnose", Old: "…", Kept: true, Reason: "oordeel"}}}, casework.PartiallyGranted, nil},
		{"restriction granted in part", casework.Case{Type: casework.Restriction, Activities: chosen}, casework.PartiallyGranted, every(casework.NoticeRestrict)},
		{"restriction refused", casework.Case{Type: casework.Restriction, Activities: chosen}, casework.Refused, nil},
		{"access granted", casework.Case{Type: casework.Access, Activities: chosen}, casework.Granted, nil},
		{"objection granted", casework.Case{Type: casework.Objection, Activities: chosen}, casework.Granted, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := casework.NoticeItems(tc.c, tc.outcome); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("NoticeItems = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// fakeNotifier drafts one notice per item, by mail, and records what it
// was asked; fail makes it fail instead.
type fakeNotifier struct {
	asked [][]casework.NoticeItem
	fail  bool
}

func (n *fakeNotifier) DraftNotices(_ context.Context, c casework.Case, items []casework.NoticeItem, _ deadline.Date) ([]casework.Notice, error) {
	n.asked = append(n.asked, items)
	if n.fail {
		return nil, errors.New("register unreadable")
	}
	var out []casework.Notice
	for _, it := range items {
		out = append(out, casework.Notice{Recipient: "Ontvanger " + it.Activity, Kind: "processor", Activities: []string{it.Activity},
			Channel: casework.NoticeByMail, Letter: casework.Letter{Reference: c.Reference, Body: "Corrigeer"},
			Mail: &mail.Message{To: it.Activity + "@ontvanger.example", Subject: "Art. 19 " + c.Reference, Text: "Corrigeer"}})
	}
	return out, nil
}

// CountNotices counts as DraftNotices drafts: one per item.
func (n *fakeNotifier) CountNotices(_ context.Context, _ casework.Case, items []casework.NoticeItem) (int, error) {
	if n.fail {
		return 0, errors.New("register unreadable")
	}
	return len(items), nil
}

// Deciding a rectification asks the notifier in the decision's
// transaction: the notices and their mails are stored with the decision,
// and when drafting fails nothing is decided. A refusal asks nothing.
func TestDecideDraftsNotices(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		outcome   casework.Outcome
		fail      bool
		wantAsked int
		wantTold  int
	}{
		{"granted", casework.Granted, false, 1, 2},
		{"refused", casework.Refused, false, 0, 0},
		{"drafting fails", casework.Granted, true, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newWorkflowFixture(t)
			n := &fakeNotifier{fail: tc.fail}
			f.svc.UseNotifier(n)
			var sub casework.Submission
			sub.Type = casework.Rectification
			sub.Requester = casework.Requester{Name: "Test Cliënt", Email: "client@example.org", Relation: casework.Self}
			sub.Specifics.Wrong, sub.Specifics.Correct = "adres", "Dorpsstraat 1"
			sub.Branch = "utrecht"
			c, _, err := f.svc.Submit(ctx, sub, casework.Intake{Channel: casework.Web})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.store.UpdateCase(ctx, c.Reference, f.owner, func(*casework.Case) (casework.Change, error) {
				return casework.Change{Activities: &[]string{"client-file", "invoicing"}, Rectification: &[]casework.RectificationItem{
					{Field: "adres", Old: "Kerkstraat 1", New: "Dorpsstraat 1", Systems: []string{"dossier"}}}}, nil
			}); err != nil {
				t.Fatal(err)
			}
			d := casework.Decision{Outcome: tc.outcome, Reasons: "Het adres is gecorrigeerd."}
			if tc.outcome == casework.Refused {
				d.Ground, d.Detail = casework.GroundDataCorrect, casework.DetailCorrect
			}
			_, err = f.svc.Decide(ctx, f.owner, c.Reference, d)
			if (err != nil) != tc.fail {
				t.Fatalf("Decide: %v", err)
			}
			if len(n.asked) != tc.wantAsked {
				t.Errorf("notifier asked %d times, want %d", len(n.asked), tc.wantAsked)
			}
			ns, err := f.store.CaseNotices(ctx, c.ID)
			if err != nil || len(ns) != tc.wantTold {
				t.Fatalf("CaseNotices = %+v, %v; want %d", ns, err, tc.wantTold)
			}
			mailed := 0
			due, err := f.store.Due(ctx, f.clock.Now(), 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range due {
				if q.Message.To == "client-file@ontvanger.example" || q.Message.To == "invoicing@ontvanger.example" {
					mailed++
				}
			}
			if mailed != tc.wantTold {
				t.Errorf("%d notice mails queued, want %d", mailed, tc.wantTold)
			}
			after, err := f.store.CaseByReference(ctx, c.Reference, casework.Scope{All: true})
			if err != nil {
				t.Fatal(err)
			}
			if decided := after.Status == casework.Completed; decided == tc.fail {
				t.Errorf("status %s after Decide (drafting fails: %v)", after.Status, tc.fail)
			}
		})
	}
}
