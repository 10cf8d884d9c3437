package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/store/dbtest"
)

// searchTrail is a trail of 40 entries over four days: three staff
// members, a requester, the system and an API token; views, status changes
// and sign-ins; two cases and a breach.
func searchTrail(tb testing.TB, s *Store) []audit.Entry {
	tb.Helper()
	actors := []string{audit.Staff(1), audit.Staff(2), audit.Requester(1), audit.System, audit.API(3), audit.Staff(3)}
	actions := []audit.Action{audit.CaseView, audit.CaseStatus, audit.SignIn, audit.BreachView}
	objects := []string{audit.Case(1), audit.Case(2), "", audit.Breach(1)}
	var all []audit.Entry
	for i := range 40 {
		e := audit.Entry{At: auditT0.Add(time.Duration(i) * 2 * time.Hour), Actor: actors[i%len(actors)],
			Action: actions[i%len(actions)], Object: objects[i%len(objects)], Address: "192.0.2.7"}
		mustAppend(tb, s, e)
		e.ID = int64(i + 1)
		all = append(all, e)
	}
	return all
}

// wantIDs is what a filter must select from all, newest first: the
// brute-force reading of the same filter.
func wantIDs(all []audit.Entry, f audit.Filter) []int64 {
	var out []int64
	for _, e := range slices.Backward(all) {
		kind, _, _ := audit.ParseRef(e.Actor)
		switch {
		case f.ActorKind() && kind != f.Actor, !f.ActorKind() && f.Actor != "" && e.Actor != f.Actor,
			f.Action != "" && e.Action != f.Action,
			f.Object != "" && e.Object != f.Object,
			!f.From.IsZero() && e.At.Before(f.From),
			!f.Until.IsZero() && !e.At.Before(f.Until):
			continue
		}
		out = append(out, e.ID)
	}
	return out
}

func TestAuditSearchFilters(t *testing.T) {
	env := newTestStore(t)
	s := env.s
	all := searchTrail(t, s)
	day2 := auditT0.Add(24 * time.Hour)
	for i, f := range []audit.Filter{
		{},
		{Actor: audit.Staff(1)},
		{Actor: audit.System},
		{Actor: audit.ActorRequester},
		{Actor: audit.ActorAPI},
		{Actor: audit.ActorStaff},
		{Action: audit.CaseStatus},
		{Object: audit.Case(2)},
		{Object: audit.Breach(1)},
		{From: day2},
		{Until: day2},
		{From: day2, Until: day2.Add(24 * time.Hour)},
		{Actor: audit.Staff(2), Action: audit.CaseStatus, Object: audit.Case(2)},
		{Actor: audit.Staff(1), Object: audit.Breach(1)}, // nothing
	} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			want := wantIDs(all, f)
			f.Limit = 500
			p, err := s.AuditSearch(t.Context(), f)
			if err != nil {
				t.Fatal(err)
			}
			if got := auditIDs(p.Entries); !slices.Equal(got, want) {
				t.Errorf("ids %v, want %v", got, want)
			}
			if p.Newer || p.Older {
				t.Errorf("one page holds all, yet newer %v older %v", p.Newer, p.Older)
			}
		})
	}
	// Looking does not touch the chain.
	mustVerify(t, s, len(all))
}

// TestAuditSearchPaging walks a filtered trail a page at a time, older and
// back newer, and checks that the pages fit together and that the first
// and last page say there is nothing beyond them.
func TestAuditSearchPaging(t *testing.T) {
	env := newTestStore(t)
	s := env.s
	all := searchTrail(t, s)
	for i, filter := range []audit.Filter{{}, {Actor: audit.ActorStaff}, {Object: audit.Case(1)}} {
		want := wantIDs(all, filter)
		for _, size := range []int{3, 5, len(want), len(want) - 1} {
			t.Run(fmt.Sprintf("%d/%d", i, size), func(t *testing.T) {
				f := filter
				f.Limit = size
				var pages [][]int64
				for {
					p, err := s.AuditSearch(t.Context(), f)
					if err != nil {
						t.Fatal(err)
					}
					ids := auditIDs(p.Entries)
					if p.Newer != (len(pages) > 0) {
						t.Errorf("page %d: newer = %v", len(pages)+1, p.Newer)
					}
					pages = append(pages, ids)
					if !p.Older {
						break
					}
					f.Before = ids[len(ids)-1]
				}
				if got := slices.Concat(pages...); !slices.Equal(got, want) {
					t.Fatalf("pages %v, want %v", pages, want)
				}
				if wantPages := (len(want) + size - 1) / size; len(pages) != wantPages {
					t.Errorf("%d pages, want %d (no empty page at the end)", len(pages), wantPages)
				}
				// And back: "newer" from each page gives the page before it.
				f.Before = 0
				for i := len(pages) - 1; i > 0; i-- {
					f.After = pages[i][0]
					p, err := s.AuditSearch(t.Context(), f)
					if err != nil {
						t.Fatal(err)
					}
					if got := auditIDs(p.Entries); !slices.Equal(got, pages[i-1]) {
						t.Errorf("newer than %d: %v, want %v", f.After, got, pages[i-1])
					}
					if !p.Older || p.Newer != (i > 1) {
						t.Errorf("newer than %d: newer %v older %v", f.After, p.Newer, p.Older)
					}
				}
			})
		}
	}
}

func TestAuditNamesAndObjects(t *testing.T) {
	env := newTestStore(t)
	s := env.s
	ctx := t.Context()
	rawExec(t, s, `INSERT INTO staff (id, email, name, role, created_at) VALUES (7, 'a@praktijk.example', 'Fenna Dijkstra', 'owner', '2026-01-01')`)
	rawExec(t, s, `INSERT INTO branches (id, code, name, created_at) VALUES (4, 'zwolle', 'Zwolle', '2026-01-01')`)
	rawExec(t, s, `INSERT INTO activities (id, key, position, legal_basis, body, created_at, updated_at) VALUES (5, 'newsletter', 1, 'consent', '{}', '2026-01-01', '2026-01-01')`)
	c := mustCreate(t, s, newCase(t, caseSpec{}), ackMail)
	names, err := s.AuditNames(ctx, []string{audit.Staff(7), audit.API(7), audit.Case(c.ID), audit.Branch(4),
		"activity:5", "activity:6", audit.Case(9999), audit.Requester(c.ID), audit.System, audit.File(3), ""})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"staff:7": "Fenna Dijkstra", audit.Case(c.ID): c.Reference, "branch:4": "Zwolle", "activity:5": "newsletter"}
	if fmt.Sprint(names) != fmt.Sprint(want) {
		t.Errorf("AuditNames = %v, want %v", names, want)
	}
	if obj, err := s.AuditObject(ctx, c.Reference); err != nil || obj != audit.Case(c.ID) {
		t.Errorf("AuditObject(%s) = %q, %v", c.Reference, obj, err)
	}
	if _, err := s.AuditObject(ctx, "AVG-1999-0001"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("AuditObject(unknown) = %v, want not found", err)
	}
}

// TestAuditNamesOneQuery counts the statements AuditNames sends: one,
// however many entries and kinds a page holds.
func TestAuditNamesOneQuery(t *testing.T) {
	env := newTestStore(t)
	s := env.s
	var n int
	count := func(*gorm.DB) { n++ }
	cb := s.db.Callback()
	for _, err := range []error{cb.Query().Before("gorm:query").Register("test:count_query", count),
		cb.Row().Before("gorm:row").Register("test:count_row", count),
		cb.Raw().Before("gorm:raw").Register("test:count_raw", count)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	var refs []string
	for i := int64(1); i <= 50; i++ {
		refs = append(refs, audit.Staff(i), audit.Case(i), audit.Breach(i), audit.Branch(i))
	}
	if _, err := s.AuditNames(t.Context(), refs); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("AuditNames sent %d queries, want 1", n)
	}
}

// auditPlan is SQLite's plan for the page query of f.
func auditPlan(tb testing.TB, s *Store, f audit.Filter) string {
	tb.Helper()
	stmt := auditPageQuery(s.db.Session(&gorm.Session{DryRun: true}), f).Find(&[]auditRow{}).Statement
	rows, err := s.sql.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+stmt.SQL.String(), stmt.Vars...)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			tb.Fatal(err)
		}
		lines = append(lines, detail)
	}
	return strings.Join(lines, "; ")
}

// TestAuditSearchPlans checks, on a trail of 50,000 entries with
// statistics, that every page query reads an index in ID order: no full
// scan of the trail to filter, no sort of every match.
func TestAuditSearchPlans(t *testing.T) {
	dbtest.SQLiteOnly(t, "SQLite's query plans")
	env := newTestStore(t)
	s := env.s
	seedAuditRows(t, s, 50_000)
	day := auditT0.Add(24 * time.Hour)
	for _, tt := range []struct {
		f    audit.Filter
		want string
	}{
		{audit.Filter{Limit: 50}, "SCAN audit_log"},
		{audit.Filter{Limit: 50, Before: 30_000}, "SEARCH audit_log USING INTEGER PRIMARY KEY"},
		{audit.Filter{Limit: 50, Actor: audit.Staff(2)}, "USING INDEX audit_log_by_actor"},
		{audit.Filter{Limit: 50, Actor: audit.Staff(2), Before: 30_000}, "USING INDEX audit_log_by_actor"},
		{audit.Filter{Limit: 50, Action: audit.SignIn}, "USING INDEX audit_log_by_action"},
		{audit.Filter{Limit: 50, Object: audit.Case(3), After: 100}, "USING INDEX audit_log_by_object"},
		{audit.Filter{Limit: 50, Actor: audit.ActorRequester}, "USING INDEX audit_log_by_actor"},
		// A day's entries are found by the time index and then put in ID
		// order: a sort of one day, not of the trail.
		{audit.Filter{Limit: 50, From: day, Until: day.Add(24 * time.Hour)}, "USING INDEX audit_log_by_at"},
	} {
		plan := auditPlan(t, s, tt.f)
		t.Logf("%+v: %s", tt.f, plan)
		if !strings.Contains(plan, tt.want) {
			t.Errorf("%+v: plan %q, want %q", tt.f, plan, tt.want)
		}
		if tt.f.From.IsZero() && !tt.f.ActorKind() && strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("%+v: plan %q sorts the matches", tt.f, plan)
		}
	}
}

// seedAuditRows writes n entries straight into the table, for plans and
// benchmarks that need a long trail but not a valid chain.
func seedAuditRows(tb testing.TB, s *Store, n int) {
	tb.Helper()
	dropAuditTriggers(tb, s)
	rawExec(tb, s, `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
		INSERT INTO audit_log (id, at, actor, action, object, address, detail, prev, hash)
		SELECT i, strftime('%Y-%m-%dT%H:%M:%S.000000000Z', '2026-11-25 09:00:00', '+' || (i * 10) || ' seconds'),
		       CASE WHEN i % 10 = 0 THEN 'requester:' || (i % 500 + 1) ELSE 'staff:' || (i % 7 + 1) END,
		       CASE WHEN i % 50 = 0 THEN 'sign_in' WHEN i % 5 = 0 THEN 'case_status' ELSE 'case_view' END,
		       'case:' || (i % 2000 + 1), '192.0.2.1', '', '', ''
		FROM seq`, n)
	rawExec(tb, s, "ANALYZE")
}

// BenchmarkAuditSearch reads a page deep in a trail of 200,000 entries,
// unfiltered and by one staff member, all requesters and one day.
func BenchmarkAuditSearch(b *testing.B) {
	env := newTestStore(b)
	s := env.s
	seedAuditRows(b, s, 200_000)
	day := auditT0.Add(10 * 24 * time.Hour)
	for name, f := range map[string]audit.Filter{
		"all":        {Before: 1_000},
		"staff":      {Actor: audit.Staff(3), Before: 1_000},
		"requesters": {Actor: audit.ActorRequester, Before: 100_000},
		"day":        {From: day, Until: day.Add(24 * time.Hour)},
	} {
		f.Limit = 50
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.AuditSearch(b.Context(), f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
