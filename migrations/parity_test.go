package migrations_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/mattn/go-sqlite3"
	"github.com/pressly/goose/v3"

	"github.com/avgloket/avgloket/migrations"
)

// boolColumns are the INTEGER columns of SQLite that carry a Go bool and
// are BOOLEAN in PostgreSQL (the list at the top of
// postgres/0036_schema.sql).
var boolColumns = map[string]bool{
	"practice.identity_pause":          true,
	"practice.serves_minors":           true,
	"cases.extended":                   true,
	"cases.received_date_only":         true,
	"sessions.second_factor":           true,
	"case_events.visible":              true,
	"case_requirements.satisfied":      true,
	"case_requirements.waived":         true,
	"breaches.notify_ap":               true,
	"case_rectification_items.kept":    true,
	"case_objections.direct_marketing": true,
}

// engine is a database with every migration of its dialect applied.
type engine struct {
	name string
	db   *sql.DB
	pg   bool
}

// q writes SQL with ? placeholders in the engine's own.
func (e engine) q(query string) string {
	if !e.pg {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (e engine) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	if _, err := e.db.ExecContext(t.Context(), e.q(query), args...); err != nil {
		t.Fatalf("%s: %s: %v", e.name, query, err)
	}
}

func (e engine) id(t *testing.T, query string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := e.db.QueryRowContext(t.Context(), e.q(query+" RETURNING id"), args...).Scan(&id); err != nil {
		t.Fatalf("%s: %s: %v", e.name, query, err)
	}
	return id
}

// lines reads query's rows as text, one line a row.
func (e engine) lines(t *testing.T, query string, args ...any) []string {
	t.Helper()
	rows, err := e.db.QueryContext(t.Context(), e.q(query), args...)
	if err != nil {
		t.Fatalf("%s: %s: %v", e.name, query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("%s: %s: %v", e.name, query, err)
		}
		fields := make([]string, len(vals))
		for i, v := range vals {
			fields[i] = "NULL"
			if v.Valid {
				fields[i] = v.String
			}
		}
		out = append(out, strings.Join(fields, " | "))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %s: %v", e.name, query, err)
	}
	return out
}

func migrate(t *testing.T, d migrations.Dialect, gd goose.Dialect, db *sql.DB) {
	t.Helper()
	fsys, err := migrations.For(d)
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(gd, db, fsys)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(t.Context()); err != nil {
		t.Fatalf("%s migrations: %v", d, err)
	}
}

// newSQLite is a temporary SQLite file with SQLite's migrations applied.
func newSQLite(t *testing.T) engine {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), "avgloket.db")+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = db.Close() })
	migrate(t, migrations.SQLite, goose.DialectSQLite3, db)
	return engine{name: "sqlite", db: db}
}

// newPostgres is a fresh database made from the admin URL in
// AVGLOKET_TEST_DATABASE_URL, with PostgreSQL's migrations applied, and
// dropped when the test ends.
func newPostgres(t *testing.T) engine {
	t.Helper()
	admin := os.Getenv("AVGLOKET_TEST_DATABASE_URL")
	if admin == "" {
		t.Skip("AVGLOKET_TEST_DATABASE_URL is unset: this is not the PostgreSQL run, so the parity with PostgreSQL is not checked")
	}
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("AVGLOKET_TEST_DATABASE_URL: %v", err)
	}
	adminDB, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = adminDB.Close() })
	suffix := make([]byte, 8)
	_, _ = rand.Read(suffix)
	name := "avgloket_schema_" + hex.EncodeToString(suffix)
	if _, err := adminDB.ExecContext(t.Context(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	u.Path = "/" + name
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := adminDB.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	migrate(t, migrations.Postgres, goose.DialectPostgres, db)
	return engine{name: "postgres", db: db, pg: true}
}

// both is the SQLite and the PostgreSQL database of a test; the test is
// skipped without PostgreSQL.
func both(t *testing.T) []engine {
	t.Helper()
	pg := newPostgres(t)
	return []engine{newSQLite(t), pg}
}

// table is what the parity compares of one table.
type table struct {
	columns map[string]string // name → "class NOT NULL DEFAULT x"
	keys    []string          // primary key, unique constraints, indexes
	fks     []string
	checks  int
	rows    int
}

var sqliteClasses = map[string]string{"INTEGER": "integer", "TEXT": "text", "DATETIME": "time", "BLOB": "bytes"}

var postgresClasses = map[string]string{
	"bigint": "integer", "boolean": "bool", "text": "text", "timestamp with time zone": "time", "bytea": "bytes",
}

// castRE matches PostgreSQL's casts in defaults and index predicates.
var castRE = regexp.MustCompile(`::[a-z ]+`)

// normal writes a default or a predicate the same on both: without casts
// and outer parentheses, booleans as 0 and 1.
func normal(s string) string {
	s = castRE.ReplaceAllString(strings.TrimSpace(s), "")
	for strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		s = s[1 : len(s)-1]
	}
	switch s {
	case "true":
		return "1"
	case "false":
		return "0"
	}
	return strings.Join(strings.Fields(s), " ")
}

func column(class string, notNull bool, dflt sql.NullString) string {
	s := class
	if notNull {
		s += " NOT NULL"
	}
	if dflt.Valid {
		s += " DEFAULT " + normal(dflt.String)
	}
	return s
}

func sqliteSchema(t *testing.T, e engine) map[string]*table {
	t.Helper()
	tables := map[string]*table{}
	for _, name := range e.lines(t, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'goose_db_version'") {
		tb := &table{columns: map[string]string{}}
		tables[name] = tb
		var pk []string
		rows, err := e.db.QueryContext(t.Context(), `SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY pk`, name)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var col, typ string
			var notNull, pkPos int
			var dflt sql.NullString
			if err := rows.Scan(&col, &typ, &notNull, &dflt, &pkPos); err != nil {
				t.Fatal(err)
			}
			class, ok := sqliteClasses[strings.ToUpper(typ)]
			if !ok {
				t.Errorf("sqlite: table %s, column %s: declared type %q has no class", name, col, typ)
			}
			if boolColumns[name+"."+col] {
				if class != "integer" {
					t.Errorf("sqlite: table %s, column %s is in the bool list but is %s", name, col, typ)
				}
				class = "bool"
			}
			if pkPos > 0 {
				pk = append(pk, col)
			}
			// A primary key is NOT NULL in PostgreSQL; SQLite lets one that
			// is not INTEGER hold NULL unless it says NOT NULL.
			tb.columns[col] = column(class, notNull == 1 || pkPos > 0, dflt)
		}
		rows.Close()
		tb.keys = append(tb.keys, "primary ("+strings.Join(pk, ", ")+")")
		for _, ix := range e.lines(t, `SELECT name, "unique", origin FROM pragma_index_list(?)`, name) {
			f := strings.Split(ix, " | ")
			if f[2] == "pk" {
				continue
			}
			cols := strings.Join(e.lines(t, "SELECT name FROM pragma_index_info(?) ORDER BY seqno", f[0]), ", ")
			key := "unique (" + cols + ")"
			if f[2] == "c" {
				key = "index " + f[0] + " (" + cols + ")"
				if f[1] == "1" {
					key = "unique " + key
				}
				var def string
				if err := e.db.QueryRowContext(t.Context(), "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", f[0]).Scan(&def); err != nil {
					t.Fatal(err)
				}
				if _, where, ok := strings.Cut(def, " WHERE "); ok {
					key += " WHERE " + normal(where)
				}
			}
			tb.keys = append(tb.keys, key)
		}
		fks := map[string][]string{} // id → from, table, to, on delete
		for _, fk := range e.lines(t, `SELECT id, "table", "from", "to", on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq`, name) {
			f := strings.Split(fk, " | ")
			if cur, ok := fks[f[0]]; ok {
				cur[0] += ", " + f[2]
				cur[2] += ", " + f[3]
				continue
			}
			fks[f[0]] = []string{f[2], f[1], f[3], f[4]}
		}
		for _, f := range fks {
			tb.fks = append(tb.fks, fmt.Sprintf("(%s) → %s (%s) ON DELETE %s", f[0], f[1], f[2], f[3]))
		}
		var def string
		if err := e.db.QueryRowContext(t.Context(), "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", name).Scan(&def); err != nil {
			t.Fatal(err)
		}
		tb.checks = len(checkRE.FindAllString(def, -1)) - flagChecks[name]
		tb.rows = count(t, e, name)
	}
	return tables
}

// checkRE finds the CHECK constraints in a CREATE TABLE statement.
var checkRE = regexp.MustCompile(`\bCHECK\s*\(`)

// flagChecks counts the CHECKs per table that keep an INTEGER flag to 0
// and 1: a BOOLEAN needs none.
var flagChecks = map[string]int{"case_rectification_items": 1, "case_objections": 1}

func postgresSchema(t *testing.T, e engine) map[string]*table {
	t.Helper()
	tables := map[string]*table{}
	for _, name := range e.lines(t, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'goose_db_version'") {
		tb := &table{columns: map[string]string{}}
		tables[name] = tb
		rows, err := e.db.QueryContext(t.Context(), `SELECT column_name, data_type, is_nullable, column_default
			FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`, name)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var col, typ, nullable string
			var dflt sql.NullString
			if err := rows.Scan(&col, &typ, &nullable, &dflt); err != nil {
				t.Fatal(err)
			}
			class, ok := postgresClasses[typ]
			if !ok {
				t.Errorf("postgres: table %s, column %s: type %q has no class", name, col, typ)
			}
			tb.columns[col] = column(class, nullable == "NO", dflt)
		}
		rows.Close()
		for _, ix := range e.lines(t, `SELECT i.relname, x.indisprimary, x.indisunique, c.oid IS NOT NULL,
				coalesce(pg_get_expr(x.indpred, x.indrelid), ''),
				(SELECT string_agg(a.attname, ', ' ORDER BY k.ord)
				   FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
				   JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum)
			FROM pg_index x
			JOIN pg_class i ON i.oid = x.indexrelid
			JOIN pg_class r ON r.oid = x.indrelid
			LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.contype IN ('p', 'u')
			WHERE r.relname = $1 AND r.relnamespace = 'public'::regnamespace`, name) {
			f := strings.Split(ix, " | ")
			var key string
			switch {
			case f[1] == "true":
				key = "primary (" + f[5] + ")"
			case f[3] == "true":
				key = "unique (" + f[5] + ")"
			default:
				key = "index " + f[0] + " (" + f[5] + ")"
				if f[2] == "true" {
					key = "unique " + key
				}
				if f[4] != "" {
					key += " WHERE " + normal(f[4])
				}
			}
			tb.keys = append(tb.keys, key)
		}
		actions := map[string]string{"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
		for _, fk := range e.lines(t, `SELECT
				(SELECT string_agg(a.attname, ', ' ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
				   JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum),
				f.relname,
				(SELECT string_agg(a.attname, ', ' ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY k(attnum, ord)
				   JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum),
				c.confdeltype::text
			FROM pg_constraint c
			JOIN pg_class r ON r.oid = c.conrelid
			JOIN pg_class f ON f.oid = c.confrelid
			WHERE c.contype = 'f' AND r.relname = $1 AND r.relnamespace = 'public'::regnamespace`, name) {
			f := strings.Split(fk, " | ")
			tb.fks = append(tb.fks, fmt.Sprintf("(%s) → %s (%s) ON DELETE %s", f[0], f[1], f[2], actions[f[3]]))
		}
		if err := e.db.QueryRowContext(t.Context(), `SELECT count(*) FROM pg_constraint
			WHERE contype = 'c' AND conrelid = ('public.' || $1)::regclass`, name).Scan(&tb.checks); err != nil {
			t.Fatal(err)
		}
		tb.rows = count(t, e, name)
	}
	return tables
}

func count(t *testing.T, e engine, table string) int {
	t.Helper()
	var n int
	if err := e.db.QueryRowContext(t.Context(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatalf("%s: count %s: %v", e.name, table, err)
	}
	return n
}

// differ reports the entries of a and b that are not in the other.
func differ(t *testing.T, what string, a, b []string) {
	t.Helper()
	for _, s := range a {
		if !slices.Contains(b, s) {
			t.Errorf("%s: %s only in sqlite", what, s)
		}
	}
	for _, s := range b {
		if !slices.Contains(a, s) {
			t.Errorf("%s: %s only in postgres", what, s)
		}
	}
}

// rowOrder are the columns each database fills itself with the order rows
// came in (0039_upload_order.sql): on SQLite a trigger copies the rowid in
// after the insert, so the column is nullable; on PostgreSQL an identity
// column, which is NOT NULL.
var rowOrder = map[string]bool{"case_files.seq": true, "case_documents.seq": true, "breach_files.seq": true}

// The tables that PostgreSQL's baseline builds are SQLite's after 0036:
// the same columns with the same type class, nullability and default, the
// same keys and indexes, the same foreign keys, and the same seed rows.
func TestSchemaParity(t *testing.T) {
	pg := newPostgres(t)
	lite := sqliteSchema(t, newSQLite(t))
	post := postgresSchema(t, pg)
	var liteNames, postNames []string
	for name := range lite {
		liteNames = append(liteNames, name)
	}
	for name := range post {
		postNames = append(postNames, name)
	}
	slices.Sort(liteNames)
	differ(t, "tables", liteNames, postNames)
	for _, name := range liteNames {
		l, p := lite[name], post[name]
		if p == nil {
			continue
		}
		for col, ls := range l.columns {
			ps, ok := p.columns[col]
			switch {
			case !ok:
				t.Errorf("table %s, column %s: only in sqlite", name, col)
			case ls != ps && !(rowOrder[name+"."+col] && ls+" NOT NULL" == ps):
				t.Errorf("table %s, column %s: sqlite %s, postgres %s", name, col, ls, ps)
			}
		}
		for col := range p.columns {
			if _, ok := l.columns[col]; !ok {
				t.Errorf("table %s, column %s: only in postgres", name, col)
			}
		}
		differ(t, "table "+name+", key", l.keys, p.keys)
		differ(t, "table "+name+", foreign key", l.fks, p.fks)
		if l.checks != p.checks {
			t.Errorf("table %s: sqlite has %d CHECK constraints (flags' 0/1 checks left out), postgres %d", name, l.checks, p.checks)
		}
		if l.rows != p.rows {
			t.Errorf("table %s: sqlite has %d rows after the migrations, postgres %d", name, l.rows, p.rows)
		}
	}
}

// Going down from the baseline leaves an empty database.
func TestPostgresDown(t *testing.T) {
	e := newPostgres(t)
	fsys, err := migrations.For(migrations.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, e.db, fsys)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(t.Context(), 0); err != nil {
		t.Fatal(err)
	}
	left := e.lines(t, `SELECT 'table ' || tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'goose_db_version'
		UNION ALL SELECT 'function ' || proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace`)
	if len(left) != 0 {
		t.Errorf("after going down: %v", left)
	}
}

// A case, as few of its columns as the schema asks for.
const insertCase = `INSERT INTO cases (reference, type, status, outcome, channel, branch_id, received_at, received_on,
	due_on, original_due_on, extended_due_on, language, relation, requester, subject, details, assignee_id,
	paused_since, created_at, updated_at)
	VALUES (?, 'access', ?, ?, 'form', ?, ?, '2026-01-05', ?, ?, ?, 'nl', 'self', ?, ?, ?, ?, ?, ?, ?)`

// The counts the triggers keep, and the marks on the case rows, are the
// same on both after the same inserts, changes and deletions, and they are
// what counting the cases gives.
func TestMaintainedCountsParity(t *testing.T) {
	at := time.Date(2026, 1, 5, 9, 30, 0, 0, time.UTC)
	blob := []byte{0x01}
	type kase struct {
		status, outcome, due, paused string
		branch, assignee             bool
	}
	cases := []kase{
		{status: "new", due: "2026-02-01", branch: true},
		{status: "in_progress", due: "2026-02-01", assignee: true},
		{status: "new", due: "2026-02-03", paused: "2026-01-10", branch: true, assignee: true},
		{status: "completed", outcome: "granted", due: "2026-02-01"},
		{status: "in_progress", outcome: "granted", due: "2026-02-05", branch: true},
		{status: "new", due: "2026-02-01", branch: true},
	}
	steps := []struct{ name, sql string }{
		{"assign", "UPDATE cases SET assignee_id = (SELECT min(id) FROM staff) WHERE reference = 'R-1'"},
		{"complete", "UPDATE cases SET status = 'completed', outcome = 'granted' WHERE reference = 'R-2'"},
		{"resume", "UPDATE cases SET paused_since = '' WHERE reference = 'R-3'"},
		{"extend", "UPDATE cases SET due_on = '2026-03-01' WHERE reference = 'R-6'"},
		{"move", "UPDATE cases SET branch_id = NULL WHERE reference = 'R-5'"},
		{"save unchanged", "UPDATE cases SET status = status, due_on = due_on, updated_at = updated_at"},
		{"save other columns", "UPDATE cases SET pause_days = pause_days + 1"},
		{"erasure promised", "INSERT INTO case_erasure_items (case_id, activity, action, due) SELECT id, 'a', 'scheduled', '2026-04-01' FROM cases WHERE reference = 'R-3'"},
		{"erasure promised earlier", "INSERT INTO case_erasure_items (case_id, activity, action, due) SELECT id, 'b', 'scheduled', '2026-03-15' FROM cases WHERE reference = 'R-3'"},
		{"erasure confirmed", "UPDATE case_erasure_items SET erased_on = '2026-03-10' WHERE activity = 'b'"},
		{"restricted", "INSERT INTO case_restrictions (case_id, activities, ground, from_on, body) SELECT id, '[]', 'unlawful', '2026-01-06', details FROM cases WHERE reference = 'R-6'"},
		{"restriction lifted", "UPDATE case_restrictions SET lift_on = '2026-02-20'"},
		{"delete", "DELETE FROM cases WHERE reference IN ('R-1', 'R-4')"},
		{"erasure dropped", "DELETE FROM case_erasure_items"},
		{"restriction dropped", "DELETE FROM case_restrictions"},
		{"delete all", "DELETE FROM cases"},
	}
	queries := map[string]string{
		"case_counts":     "SELECT branch_id, assignee_id, status, n FROM case_counts ORDER BY branch_id, assignee_id, status",
		"case_due_counts": "SELECT due_on, branch_id, assignee_id, n FROM case_due_counts ORDER BY due_on, branch_id, assignee_id",
		"marks":           "SELECT reference, destroy_by, restriction_from, restriction_lift FROM cases ORDER BY reference",
	}
	recount := map[string]string{
		"case_counts": `SELECT coalesce(branch_id, 0), coalesce(assignee_id, 0), status, count(*) FROM cases
			WHERE status <> 'completed' GROUP BY coalesce(branch_id, 0), coalesce(assignee_id, 0), status
			ORDER BY 1, 2, 3`,
		"case_due_counts": `SELECT due_on, coalesce(branch_id, 0), coalesce(assignee_id, 0), count(*) FROM cases
			WHERE status <> 'completed' AND outcome = '' AND paused_since = ''
			GROUP BY due_on, coalesce(branch_id, 0), coalesce(assignee_id, 0) ORDER BY 1, 2, 3`,
	}
	engines := both(t)
	for _, e := range engines {
		branch := e.id(t, "INSERT INTO branches (code, name, created_at) VALUES ('zwolle', 'Zwolle', ?)", at)
		staff := e.id(t, "INSERT INTO staff (email, name, role, created_at) VALUES ('officer@praktijk.example', 'Officer', 'officer', ?)", at)
		for i, c := range cases {
			var b, a *int64
			if c.branch {
				b = &branch
			}
			if c.assignee {
				a = &staff
			}
			e.exec(t, insertCase, fmt.Sprintf("R-%d", i+1), c.status, c.outcome, b, at, c.due, c.due, c.due,
				blob, blob, blob, a, c.paused, at, at)
		}
	}
	check := func(step string) {
		t.Helper()
		for what, query := range queries {
			l, p := engines[0].lines(t, query), engines[1].lines(t, query)
			if !slices.Equal(l, p) {
				t.Errorf("after %s, %s: sqlite %q, postgres %q", step, what, l, p)
			}
			if re, ok := recount[what]; ok {
				for _, e := range engines {
					if got, want := e.lines(t, query), e.lines(t, re); !slices.Equal(got, want) {
						t.Errorf("after %s, %s on %s: %q, counting the cases gives %q", step, what, e.name, got, want)
					}
				}
			}
		}
	}
	check("the inserts")
	for _, s := range steps {
		for _, e := range engines {
			e.exec(t, s.sql)
		}
		check(s.name)
	}
}

// The audit trail refuses, on both, what 0002's triggers refuse, with
// the same words.
func TestAuditGuardsParity(t *testing.T) {
	appendRow := "INSERT INTO audit_log (id, at, actor, action, object, address, detail, prev, hash) VALUES (?, 'x', 'system', 'sign_in', '', '', '', ?, ?)"
	tests := []struct{ name, sql, want string }{
		{"update a row", "UPDATE audit_log SET detail = 'x' WHERE id = 2", "audit_log is append-only"},
		{"delete a row", "DELETE FROM audit_log WHERE id = 2", "audit_log is append-only"},
		{"delete the last row", "DELETE FROM audit_log WHERE id = 3", "audit_log is append-only"},
		{"delete every row", "DELETE FROM audit_log", "audit_log is append-only"},
		{"insert out of turn", "INSERT INTO audit_log (id, at, actor, action, object, address, detail, prev, hash) " +
			"VALUES (10, 'x', 'system', 'sign_in', '', '', '', '', '')", "audit_log ids must follow audit_head"},
		{"insert without an id", "INSERT INTO audit_log (at, actor, action, object, address, detail, prev, hash) " +
			"VALUES ('x', 'system', 'sign_in', '', '', '', '', '')", "audit_log ids must follow audit_head"},
		{"move the head back", "UPDATE audit_head SET last_id = 2, last_hash = 'h2'", "audit_head only moves on to the next entry"},
		{"skip an entry", "INSERT INTO audit_log (id, at, actor, action, object, address, detail, prev, hash) " +
			"VALUES (5, 'x', 'system', 'sign_in', '', '', '', 'h3', 'h5')", "audit_log ids must follow audit_head"},
		{"move the head to a missing row", "UPDATE audit_head SET last_id = 4, last_hash = 'h4'", "audit_head only moves on to the next entry"},
		{"delete the head", "DELETE FROM audit_head", "audit_head cannot be deleted"},
	}
	for _, e := range both(t) {
		e.exec(t, appendRow, 1, "", "h1")
		e.exec(t, "INSERT INTO audit_head (id, last_id, last_hash, seal) VALUES (1, 1, 'h1', 's')")
		for i := int64(2); i <= 3; i++ {
			e.exec(t, appendRow, i, fmt.Sprintf("h%d", i-1), fmt.Sprintf("h%d", i))
			e.exec(t, "UPDATE audit_head SET last_id = ?, last_hash = ?, seal = 's' WHERE id = 1", i, fmt.Sprintf("h%d", i))
		}
		extra := tests
		if e.pg {
			extra = append(slices.Clip(tests),
				struct{ name, sql, want string }{"truncate the trail", "TRUNCATE audit_log", "audit_log is append-only"},
				struct{ name, sql, want string }{"truncate the head", "TRUNCATE audit_head", "audit_head cannot be deleted"})
		}
		for _, tt := range extra {
			t.Run(e.name+"/"+tt.name, func(t *testing.T) {
				_, err := e.db.ExecContext(t.Context(), tt.sql)
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("%s: %s: err = %v, want one containing %q", e.name, tt.sql, err, tt.want)
				}
			})
		}
		if got := e.lines(t, "SELECT id, hash FROM audit_log ORDER BY id"); !slices.Equal(got, []string{"1 | h1", "2 | h2", "3 | h3"}) {
			t.Errorf("%s: the trail is %q after the refusals", e.name, got)
		}
		if got := e.lines(t, "SELECT last_id, last_hash FROM audit_head"); !slices.Equal(got, []string{"3 | h3"}) {
			t.Errorf("%s: the head is %q after the refusals", e.name, got)
		}
	}
}

// Every row written to practice, branches or mail_settings bumps
// practice_version, on both alike.
func TestPracticeVersionParity(t *testing.T) {
	at := time.Date(2026, 1, 5, 9, 30, 0, 0, time.UTC)
	steps := []struct {
		sql  string
		args []any
	}{
		{"INSERT INTO practice (id, name, address, kvk, privacy_email, time_zone, calendar, updated_at) " +
			"VALUES (1, 'Praktijk De Linde', 'Lindelaan 1, Zwolle', '12345678', 'privacy@praktijk.example', 'Europe/Amsterdam', 'NL', ?)", []any{at}},
		{"UPDATE practice SET name = 'Praktijk De Eik'", nil},
		{"INSERT INTO branches (code, name, created_at) VALUES ('zwolle', 'Zwolle', ?), ('deventer', 'Deventer', ?)", []any{at, at}},
		{"UPDATE branches SET name = name || '!' WHERE code = 'zwolle'", nil},
		{"UPDATE branches SET name = name WHERE code = 'nowhere'", nil},
		{"INSERT INTO mail_settings (id, host, port, sender, security, updated_at) VALUES (1, 'smtp.example', 587, 'portal@praktijk.example', 'starttls', ?)", []any{at}},
		{"UPDATE mail_settings SET port = 465", nil},
		{"DELETE FROM mail_settings", nil},
		{"DELETE FROM branches", nil},
		{"INSERT INTO staff (email, name, role, created_at) VALUES ('owner@praktijk.example', 'Owner', 'owner', ?)", []any{at}},
	}
	want := []string{"1", "2", "3", "5", "6", "6", "7", "8", "9", "11", "11"}
	for _, e := range both(t) {
		got := e.lines(t, "SELECT n FROM practice_version WHERE id = 1")
		for _, s := range steps {
			e.exec(t, s.sql, s.args...)
			got = append(got, e.lines(t, "SELECT n FROM practice_version WHERE id = 1")...)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: practice_version went %v, want %v", e.name, got, want)
		}
	}
}

// The CHECKs written anew for BOOLEAN flags (kept, direct_marketing)
// accept and refuse the same rows as SQLite's over 0 and 1.
func TestFlagChecksParity(t *testing.T) {
	at := time.Date(2026, 1, 5, 9, 30, 0, 0, time.UTC)
	blob := []byte{0x01}
	rectify := "INSERT INTO case_rectification_items (case_id, position, field, old_value, new_value, systems, kept, reason, statement) VALUES (?, ?, 'address', ?, ?, ?, ?, ?, ?)"
	object := "INSERT INTO case_objections (case_id, activities, outcome, direct_marketing, from_on, grounds) VALUES (?, '[]', ?, ?, ?, ?)"
	tests := []struct {
		name string
		sql  string
		args func(caseID int64) []any
		ok   bool
	}{
		{"corrected", rectify, func(id int64) []any { return []any{id, 1, blob, blob, "[\"file\"]", false, nil, nil} }, true},
		{"corrected without a new value", rectify, func(id int64) []any { return []any{id, 2, blob, nil, "[\"file\"]", false, nil, nil} }, false},
		{"corrected with a reason", rectify, func(id int64) []any { return []any{id, 3, blob, blob, "[\"file\"]", false, blob, nil} }, false},
		{"kept", rectify, func(id int64) []any { return []any{id, 4, blob, nil, "", true, blob, blob} }, true},
		{"kept without a reason", rectify, func(id int64) []any { return []any{id, 5, blob, nil, "", true, nil, nil} }, false},
		{"kept with a new value", rectify, func(id int64) []any { return []any{id, 6, blob, blob, "", true, blob, nil} }, false},
		{"marketing stopped", object, func(id int64) []any { return []any{id, "stopped", true, "2026-01-05", blob} }, true},
		{"marketing continued", object, func(id int64) []any { return []any{id, "continued", true, "2026-01-05", blob} }, false},
		{"marketing without a day", object, func(id int64) []any { return []any{id, "stopped", true, "", blob} }, false},
		{"weighed and continued", object, func(id int64) []any { return []any{id, "continued", false, "", blob} }, true},
	}
	for _, e := range both(t) {
		for i, tt := range tests {
			id := e.id(t, insertCase, fmt.Sprintf("R-%d", i+1), "new", "", nil, at, "2026-02-01", "2026-02-01", "2026-02-01",
				blob, blob, blob, nil, "", at, at)
			_, err := e.db.ExecContext(t.Context(), e.q(tt.sql), tt.args(id)...)
			if tt.ok && err != nil {
				t.Errorf("%s: %s: %v", e.name, tt.name, err)
			}
			if !tt.ok && err == nil {
				t.Errorf("%s: %s: accepted", e.name, tt.name)
			}
		}
	}
}
