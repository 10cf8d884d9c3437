package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pressly/goose/v3"
	"gorm.io/gorm/logger"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/store/dbtest"
	"github.com/avgloket/avgloket/migrations"
)

// countsOracle is CountCases as it was before migration 0035: one pass over
// the cases in scope. The maintained counts must always equal it.
func countsOracle(tb testing.TB, s *Store, scope casework.Scope, staffID int64, today, dueSoon deadline.Date) casework.Counts {
	tb.Helper()
	var c struct{ Open, Mine, DueSoon, Overdue, Awaiting, MineUrgent int }
	done := string(casework.Completed)
	db := s.db.Table("cases")
	if !scope.All {
		db = db.Where("cases.branch_id IN (SELECT id FROM branches WHERE code IN ?)", append([]string{""}, scope.Branches...))
	}
	err := db.Select(`
		COALESCE(SUM(CASE WHEN cases.status <> ? THEN 1 ELSE 0 END), 0) AS open,
		COALESCE(SUM(CASE WHEN cases.status <> ? AND cases.assignee_id = ? THEN 1 ELSE 0 END), 0) AS mine,
		COALESCE(SUM(CASE WHEN cases.status <> ? AND cases.outcome = '' AND cases.paused_since = '' AND cases.due_on >= ? AND cases.due_on <= ? THEN 1 ELSE 0 END), 0) AS due_soon,
		COALESCE(SUM(CASE WHEN cases.status <> ? AND cases.outcome = '' AND cases.paused_since = '' AND cases.due_on < ? THEN 1 ELSE 0 END), 0) AS overdue,
		COALESCE(SUM(CASE WHEN cases.status = ? THEN 1 ELSE 0 END), 0) AS awaiting,
		COALESCE(SUM(CASE WHEN cases.status <> ? AND cases.outcome = '' AND cases.paused_since = '' AND cases.assignee_id = ? AND cases.due_on <= ? THEN 1 ELSE 0 END), 0) AS mine_urgent`,
		done, done, staffID, done, today.String(), dueSoon.String(), done, today.String(), string(casework.AwaitingIdentity),
		done, staffID, dueSoon.String()).
		Scan(&c).Error
	if err != nil {
		tb.Fatalf("count cases by a pass over them: %v", err)
	}
	return casework.Counts(c)
}

// listFlagsOracle is the restriction mark and destroy_by of every case on
// today as the domain rules give them for the case read whole
// (Case.RestrictionInForce, the earliest ErasureItem.Pending due day),
// keyed by reference: the list's maintained columns must agree with them.
func listFlagsOracle(tb testing.TB, s *Store, today deadline.Date) map[string]string {
	tb.Helper()
	var refs []string
	if err := s.db.Table("cases").Pluck("reference", &refs).Error; err != nil {
		tb.Fatalf("read references: %v", err)
	}
	out := map[string]string{}
	for _, ref := range refs {
		c, err := s.CaseByReference(tb.Context(), ref, casework.Scope{All: true})
		if err != nil {
			tb.Fatalf("read %s: %v", ref, err)
		}
		by := ""
		for _, it := range c.Erasure {
			if it.Pending() && (by == "" || it.Due < by) {
				by = it.Due
			}
		}
		out[ref] = listFlags(c.RestrictionInForce(today), by)
	}
	return out
}

func listFlags(restricted bool, destroyBy string) string {
	return fmt.Sprintf("restricted=%v destroy_by=%q", restricted, destroyBy)
}

// countsProbe is what checkMaintained compares: every scope, staff member
// and day that a step could set apart.
type countsProbe struct {
	scopes []casework.Scope
	staff  []int64
	days   []deadline.Date
}

// checkMaintained compares CountCases and the list's marks with the
// oracles for every scope, staff member and day of p.
func checkMaintained(tb testing.TB, s *Store, step string, p countsProbe) {
	tb.Helper()
	ctx := tb.Context()
	for _, scope := range p.scopes {
		for _, id := range p.staff {
			for _, today := range p.days {
				soon := today.AddDays(casework.DueSoonDays)
				got, err := s.CountCases(ctx, scope, id, today, soon)
				if err != nil {
					tb.Fatalf("%s: CountCases: %v", step, err)
				}
				if want := countsOracle(tb, s, scope, id, today, soon); got != want {
					tb.Errorf("%s: counts for %+v, staff %d, on %s: %+v, want %+v", step, scope, id, today, got, want)
				}
			}
		}
	}
	for _, today := range p.days {
		want := listFlagsOracle(tb, s, today)
		listed := allCases(tb, s, casework.Query{Today: today}, casework.Scope{All: true})
		if len(listed) != len(want) {
			tb.Errorf("%s: the list holds %d cases, the table %d", step, len(listed), len(want))
		}
		for _, c := range listed {
			by := ""
			if !c.DestroyBy.IsZero() {
				by = c.DestroyBy.String()
			}
			if got := listFlags(c.Restricted, by); got != want[c.Reference] {
				tb.Errorf("%s: %s on %s: %s, want %s", step, c.Reference, today, got, want[c.Reference])
			}
		}
	}
}

// TestCountsMaintained applies a sequence of changes through the store's
// own methods (create in several branches and in none, assign, change
// status, decide, pause and resume, move branch, extend, record erasure
// items and a restriction, anonymise, delete) and after each compares the
// counts that migration 0035 maintains, and the list's marks, with a pass
// over the cases.
func TestCountsMaintained(t *testing.T) {
	env := newTestStore(t)
	s := env.s
	ctx := t.Context()
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	if _, err := s.SeedRegister(ctx, at); err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"noord", "zuid", "west"} {
		if _, err := s.AddBranch(ctx, practice.Branch{Code: code, Name: code}, at); err != nil {
			t.Fatalf("AddBranch: %v", err)
		}
	}
	ann := addStaff(t, s, "ann@zorg.example", "x", false).ID
	bob := addStaff(t, s, "bob@zorg.example", "x", false).ID
	probe := countsProbe{
		scopes: []casework.Scope{{All: true}, {Branches: []string{"noord"}}, {Branches: []string{"noord", "zuid"}},
			{Branches: []string{"west", "elders"}}, {}},
		staff: []int64{0, ann, bob},
		days: []deadline.Date{{Year: 2026, Month: time.November, Day: 30}, {Year: 2026, Month: time.December, Day: 20},
			{Year: 2026, Month: time.December, Day: 28}, {Year: 2027, Month: time.January, Day: 8},
			{Year: 2027, Month: time.January, Day: 20}, {Year: 2027, Month: time.March, Day: 1}},
	}
	actor := casework.Actor{Scope: casework.Scope{All: true}}
	var refs []string
	change := func(i int, f func(c *casework.Case) casework.Change) {
		t.Helper()
		if _, err := s.UpdateCase(ctx, refs[i], actor, func(c *casework.Case) (casework.Change, error) { return f(c), nil }); err != nil {
			t.Fatalf("UpdateCase %s: %v", refs[i], err)
		}
	}
	set := func(i int, f func(c *casework.Case)) {
		t.Helper()
		change(i, func(c *casework.Case) casework.Change { f(c); return casework.Change{} })
	}
	restriction := func(from, lift string) casework.Change {
		return casework.Change{Restriction: &casework.RestrictionRecord{
			Activities: []casework.RestrictedActivity{{Key: "client-file", Name: "Cliëntdossier"}}, Data: "het adres",
			Ground: casework.RestrictionAccuracy, From: from, UntilEvent: "tot het adres is nagegaan", LiftOn: lift}}
	}
	erasure := func(items ...casework.ErasureItem) casework.Change { return casework.Change{Erasure: &items} }
	scheduled := func(activity, due, erasedOn string) casework.ErasureItem {
		return casework.ErasureItem{Activity: activity, Action: casework.ErasureScheduled, System: "dossier", Due: due, ErasedOn: erasedOn}
	}

	for _, st := range []struct {
		name string
		do   func()
	}{
		{"created in three branches and in none", func() {
			for i, branch := range []string{"noord", "noord", "zuid", "west", "", "zuid", "noord"} {
				c := newCase(t, caseSpec{branch: branch, received: deadline.Date{Year: 2026, Month: time.November, Day: 20 + i}})
				refs = append(refs, mustCreate(t, s, c, ackMail).Reference)
			}
		}},
		{"assigned", func() {
			set(0, func(c *casework.Case) { c.AssigneeID = ann })
			set(1, func(c *casework.Case) { c.AssigneeID = ann })
			set(2, func(c *casework.Case) { c.AssigneeID = bob })
			set(4, func(c *casework.Case) { c.AssigneeID = bob })
		}},
		{"awaiting identity and in progress", func() {
			set(1, func(c *casework.Case) { c.Status = casework.AwaitingIdentity })
			set(3, func(c *casework.Case) { c.Status = casework.InProgress })
			set(0, func(c *casework.Case) { c.Status = casework.InProgress })
		}},
		{"saved unchanged", func() { set(2, func(*casework.Case) {}) }},
		{"decided, not closed", func() { set(0, func(c *casework.Case) { c.Outcome = casework.Granted }) }},
		{"paused", func() {
			set(2, func(c *casework.Case) { c.PausedSince = deadline.Date{Year: 2026, Month: time.December, Day: 1} })
		}},
		{"resumed, due later", func() {
			set(2, func(c *casework.Case) {
				c.PausedSince, c.PauseDays = deadline.Date{}, 9
				c.Deadlines.Due = c.Deadlines.Due.AddDays(9)
			})
		}},
		{"moved to another branch", func() { set(3, func(c *casework.Case) { c.Branch = "zuid" }) }},
		{"moved out of every branch", func() { set(5, func(c *casework.Case) { c.Branch = "" }) }},
		{"reassigned and unassigned", func() {
			set(2, func(c *casework.Case) { c.AssigneeID = ann })
			set(1, func(c *casework.Case) { c.AssigneeID = 0 })
		}},
		{"extended", func() {
			set(4, func(c *casework.Case) { c.Extended, c.Deadlines.Due = true, c.Deadlines.ExtendedDue })
		}},
		{"destructions promised", func() {
			change(6, func(c *casework.Case) casework.Change {
				c.Type = casework.Erasure
				return erasure(scheduled("client-file", "2027-02-10", ""), scheduled("invoicing", "2027-01-15", ""),
					casework.ErasureItem{Activity: "newsletter", Action: casework.ErasureErased, System: "mailing"})
			})
		}},
		{"the earliest destruction confirmed", func() {
			change(6, func(*casework.Case) casework.Change {
				return erasure(scheduled("client-file", "2027-02-10", ""), scheduled("invoicing", "2027-01-15", "2027-01-10"))
			})
		}},
		{"every destruction confirmed", func() {
			change(6, func(*casework.Case) casework.Change {
				return erasure(scheduled("client-file", "2027-02-10", "2027-01-12"))
			})
		}},
		{"a destruction promised again", func() {
			change(6, func(*casework.Case) casework.Change { return erasure(scheduled("client-file", "2027-02-20", "")) })
		}},
		{"restricted", func() {
			change(3, func(c *casework.Case) casework.Change {
				c.Type = casework.Restriction
				return restriction("2026-12-10", "")
			})
			change(5, func(c *casework.Case) casework.Change {
				c.Type = casework.Restriction
				return restriction("2027-01-01", "")
			})
		}},
		{"restriction lifted", func() {
			change(3, func(*casework.Case) casework.Change { return restriction("2026-12-10", "2027-01-08") })
		}},
		{"restricted case refused", func() {
			set(5, func(c *casework.Case) { c.Outcome = casework.Refused })
		}},
		{"completed", func() {
			for _, i := range []int{0, 5, 6} {
				set(i, func(c *casework.Case) { c.Status, c.Outcome = casework.Completed, casework.Granted })
			}
		}},
		{"reopened", func() { set(6, func(c *casework.Case) { c.Status, c.Outcome = casework.InProgress, "" }) }},
		{"anonymised by retention", func() {
			n, err := s.AnonymiseClosedCases(ctx, at.AddDate(1, 0, 0), at.AddDate(1, 0, 0))
			if err != nil || n != 2 {
				t.Fatalf("AnonymiseClosedCases: %d, %v", n, err)
			}
		}},
		{"deleted", func() {
			for _, i := range []int{1, 6} {
				var id int64
				if err := s.db.WithContext(ctx).Raw("SELECT id FROM cases WHERE reference = ?", refs[i]).Row().Scan(&id); err != nil {
					t.Fatal(err)
				}
				deleteCase(t, s, id)
			}
		}},
	} {
		st.do()
		checkMaintained(t, s, st.name, probe)
	}
	var rows int
	if err := s.db.WithContext(ctx).Raw("SELECT (SELECT count(*) FROM case_counts WHERE n <= 0) + (SELECT count(*) FROM case_due_counts WHERE n <= 0)").Row().Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 0 {
		t.Errorf("%d count rows of zero or less are kept", rows)
	}
}

// deleteCase deletes case id and what refers to it, as a deletion by hand
// would: no store method deletes a case.
func deleteCase(tb testing.TB, s *Store, id int64) {
	tb.Helper()
	var tables []string
	q := `SELECT m.name FROM sqlite_master m, pragma_foreign_key_list(m.name) f
		WHERE m.type = 'table' AND f."table" = 'cases' AND f.on_delete <> 'CASCADE'`
	if s.dialect == migrations.Postgres {
		q = `SELECT DISTINCT conrelid::regclass::text FROM pg_constraint
			WHERE contype = 'f' AND confrelid = 'cases'::regclass AND confdeltype <> 'c'`
	}
	err := s.db.Raw(q).Scan(&tables).Error
	if err != nil {
		tb.Fatal(err)
	}
	for _, table := range tables {
		rawExec(tb, s, "DELETE FROM "+table+" WHERE case_id = ?", id)
	}
	rawExec(tb, s, "DELETE FROM cases WHERE id = ?", id)
}

// TestCountsMigrationBackfills: cases that existed before migration 0035,
// in every state the counts tell apart, with erasure items and a
// restriction, are counted and marked once it has run.
func TestCountsMigrationBackfills(t *testing.T) {
	dbtest.SQLiteOnly(t, "SQLite's migration history; PostgreSQL starts from the 0036 baseline")
	env := newTestStore(t)
	s := env.s
	ctx := t.Context()
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	if _, err := s.SeedRegister(ctx, at); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddBranch(ctx, practice.Branch{Code: "noord", Name: "noord"}, at); err != nil {
		t.Fatal(err)
	}
	ann := addStaff(t, s, "ann@zorg.example", "x", false).ID
	actor := casework.Actor{Scope: casework.Scope{All: true}}
	for i, f := range []func(c *casework.Case) casework.Change{
		func(*casework.Case) casework.Change { return casework.Change{} },
		func(c *casework.Case) casework.Change { c.AssigneeID = ann; return casework.Change{} },
		func(c *casework.Case) casework.Change { c.Status = casework.AwaitingIdentity; return casework.Change{} },
		func(c *casework.Case) casework.Change {
			c.PausedSince = deadline.Date{Year: 2026, Month: time.December, Day: 1}
			return casework.Change{}
		},
		func(c *casework.Case) casework.Change {
			c.Status, c.Outcome = casework.Completed, casework.Granted
			return casework.Change{}
		},
		func(c *casework.Case) casework.Change {
			c.Type, c.AssigneeID = casework.Erasure, ann
			items := []casework.ErasureItem{{Activity: "client-file", Action: casework.ErasureScheduled, System: "dossier", Due: "2027-02-10"}}
			return casework.Change{Erasure: &items}
		},
		func(c *casework.Case) casework.Change {
			c.Type = casework.Restriction
			return casework.Change{Restriction: &casework.RestrictionRecord{
				Activities: []casework.RestrictedActivity{{Key: "client-file", Name: "Cliëntdossier"}}, Data: "het adres",
				Ground: casework.RestrictionAccuracy, From: "2026-12-10", UntilEvent: "tot het adres is nagegaan"}}
		},
	} {
		branch := ""
		if i%2 == 0 {
			branch = "noord"
		}
		c := mustCreate(t, s, newCase(t, caseSpec{branch: branch, received: deadline.Date{Year: 2026, Month: time.November, Day: 18 + i}}), ackMail)
		if _, err := s.UpdateCase(ctx, c.Reference, actor, func(c *casework.Case) (casework.Change, error) { return f(c), nil }); err != nil {
			t.Fatal(err)
		}
	}
	// Its own connection: the store's are the store's to manage.
	raw, err := sql.Open("sqlite3", DSN(env.dbPath))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, migrationFiles(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 34); err != nil {
		t.Fatalf("down: %v", err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up: %v", err)
	}
	var counted int
	if err := s.db.WithContext(ctx).Raw("SELECT coalesce(sum(n), 0) FROM case_counts").Row().Scan(&counted); err != nil {
		t.Fatal(err)
	}
	if counted != 6 {
		t.Errorf("after the migration %d open cases are counted, want 6", counted)
	}
	checkMaintained(t, s, "after the migration", countsProbe{
		scopes: []casework.Scope{{All: true}, {Branches: []string{"noord"}}},
		staff:  []int64{0, ann},
		days: []deadline.Date{{Year: 2026, Month: time.December, Day: 1}, {Year: 2026, Month: time.December, Day: 20},
			{Year: 2027, Month: time.January, Day: 10}},
	})
}

// TestQueuePlans checks that the queue's first page of open cases reads an
// index of open cases in (due_on, reference) order, for the whole practice
// and for one branch: no pass over the register, no sort of every match.
func TestQueuePlans(t *testing.T) {
	dbtest.SQLiteOnly(t, "SQLite's query plans")
	env := newTestStore(t)
	s := env.s
	ctx := t.Context()
	for _, code := range []string{"noord", "zuid"} {
		if _, err := s.AddBranch(ctx, practice.Branch{Code: code, Name: code}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	today := deadline.Date{Year: 2026, Month: time.December, Day: 1}
	for _, tt := range []struct {
		name  string
		q     casework.Query
		scope casework.Scope
		want  string
	}{
		{"whole practice", casework.Query{Limit: 50, Open: true, Today: today}, casework.Scope{All: true}, "USING INDEX cases_open_by_due"},
		{"one branch", casework.Query{Limit: 50, Open: true, Today: today}, casework.Scope{Branches: []string{"noord"}}, "USING INDEX cases_open_by_due"},
		{"two branches", casework.Query{Limit: 50, Open: true, Today: today}, casework.Scope{Branches: []string{"noord", "zuid"}}, "USING INDEX cases_open_by_due"},
		{"filtered on a branch", casework.Query{Limit: 50, Open: true, Today: today, Branch: "zuid"}, casework.Scope{All: true}, "USING INDEX cases_open_by_"},
		{"a page further", casework.Query{Limit: 50, Open: true, Today: today, Cursor: encodeCursor("2026-12-01", "AVG-2026-0001")},
			casework.Scope{All: true}, "USING INDEX cases_open_by_due"},
	} {
		plan := listPlan(t, s, tt.q, tt.scope)
		t.Logf("%s: %s", tt.name, plan)
		if !strings.Contains(plan, tt.want) {
			t.Errorf("%s: plan %q, want %q", tt.name, plan, tt.want)
		}
		if strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("%s: plan %q sorts the matches", tt.name, plan)
		}
	}
}

// listPlan is SQLite's plan for the query ListCases sends for q in scope,
// caught by a logger set on the store's connection for the call.
func listPlan(tb testing.TB, s *Store, q casework.Query, scope casework.Scope) string {
	tb.Helper()
	rec := &sqlRecorder{Interface: logger.Discard}
	prev := s.db.Logger
	s.db.Logger = rec
	_, err := s.ListCases(context.Background(), q, scope)
	s.db.Logger = prev
	if err != nil {
		tb.Fatal(err)
	}
	rows, err := s.sql.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+rec.last)
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

// sqlRecorder keeps the last statement gorm ran, with its values inlined.
type sqlRecorder struct {
	logger.Interface
	last string
}

func (r *sqlRecorder) LogMode(logger.LogLevel) logger.Interface { return r }

func (r *sqlRecorder) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	r.last, _ = fc()
}
