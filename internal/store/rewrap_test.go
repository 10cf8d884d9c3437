package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/auth"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/consent"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/delivery"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/portability"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/register"
	"github.com/avgloket/avgloket/internal/store/dbtest"
	"github.com/avgloket/avgloket/internal/vault"
	"github.com/avgloket/avgloket/migrations"
)

// sealedSeed is what seedSealed put in the store, to read back.
type sealedSeed struct {
	ref       string
	caseID    int64
	staffID   int64
	stateHash string
}

// seedDocument is the name of the seed's answer document.
const seedDocument = "MARKER-DOCUMENT dossier.pdf"

const (
	seedDetails  = "MARKER-DETAILS graag mijn dossier"
	seedWrong    = "MARKER-WRONG adres klopt niet"
	seedNote     = "MARKER-NOTE intern"
	seedReason   = "MARKER-REASON ouder met gezag"
	seedQuestion = "MARKER-QUESTION stuur een kopie"
	seedAnswer   = "MARKER-ANSWER hierbij"
	seedTOTP     = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	seedVerifier = "MARKER-VERIFIER-0123456789-0123456789-0123456789"
	seedSMTPPass = "MARKER-SMTP-PASSWORD"
	// the seed's consent, one per seed, all to fenna@example.org
	seedConsentName = "MARKER-CONSENT Fenna Oosterbroek"
	seedLetter      = "MARKER-LETTER Geachte Jan de Vries,"
	seedStatement   = "MARKER-STATEMENT wij verwerken"
	seedNotice      = "MARKER-NOTICE wis de gegevens van Jan de Vries"
	// the seed's rectification items: one corrected, one kept
	seedOld          = "MARKER-OLD Kerkstraat 1"
	seedNew          = "MARKER-NEW Dorpsstraat 12"
	seedKept         = "MARKER-KEPT oordeel, geen feit"
	seedOwnStatement = "MARKER-OWN-STATEMENT ik ben het oneens"
	seedGrounds      = "MARKER-GROUNDS geen reclame meer"
	seedRestriction  = "MARKER-RESTRICTION de diagnose van maart"
	seedPortability  = "MARKER-PORTABILITY sanne@example.nl"
)

// seedSealed fills every sealed column: a case with details and specifics
// (and its acknowledgement in the outbox), an event with text, a waived
// requirement with a reason, an answered question, an access statement,
// rectification items (one corrected, one kept with a statement), a
// pending TOTP secret and an OIDC attempt.
func seedSealed(tb testing.TB, s *Store) sealedSeed {
	tb.Helper()
	ctx := tb.Context()
	m := addStaff(tb, s, fmt.Sprintf("staff%d@zorg.example", time.Now().UnixNano()), "", false)
	if err := s.SetPendingTOTP(ctx, m.ID, seedTOTP); err != nil {
		tb.Fatalf("SetPendingTOTP: %v", err)
	}
	a := auth.OIDCAttempt{StateHash: fmt.Sprintf("state-%d", m.ID), BrowserHash: "browser-h", NonceHash: "nonce-h",
		Verifier: seedVerifier, CreatedAt: authNow, ExpiresAt: authNow.Add(10 * time.Minute)}
	if err := s.AddOIDCAttempt(ctx, a); err != nil {
		tb.Fatalf("AddOIDCAttempt: %v", err)
	}

	c := newCase(tb, caseSpec{details: seedDetails})
	c.Type = casework.Rectification
	c.Specifics = casework.Specifics{Wrong: seedWrong, Correct: "Dorpsstraat 1"}
	c = mustCreate(tb, s, c, nil)

	actor := casework.Actor{ID: m.ID, Scope: casework.Scope{All: true}}
	at := c.CreatedAt.Add(time.Hour)
	update(tb, s, c.Reference, actor, casework.Change{
		Events:      []casework.Event{{At: at, Kind: casework.EventNote, ActorID: m.ID, Text: seedNote}},
		Requirement: &casework.RequirementStatus{Key: "guardian_consent", Waived: true, Reason: seedReason, ByID: m.ID, At: at},
		AskInfo:     &casework.InfoRequest{Method: "id_copy", Text: seedQuestion, AskedByID: m.ID, AskedAt: at},
		Statement:   &casework.Statement{Text: seedStatement, EditedAt: at, EditedByID: m.ID},
		Rectification: &[]casework.RectificationItem{
			{Field: "adres", Old: seedOld, New: seedNew, Systems: []string{"cliëntdossier"}},
			{Field: "diagnose", Old: "ADHD", Kept: true, Reason: seedKept, Statement: seedOwnStatement}},
		Restriction: &casework.RestrictionRecord{Activities: []casework.RestrictedActivity{{Key: "client-file"}}, Data: seedRestriction,
			Ground: casework.RestrictionAccuracy, From: "2026-11-25", UntilEvent: "tot de juistheid is nagegaan"},
		Portability: &casework.PortabilityChange{Record: casework.PortabilityRecord{Items: []portability.Item{{Activity: "newsletter",
			Basis: register.Consent, Fields: portability.Fields{{Name: "e-mail", Value: seedPortability}}}}}},
	})
	qs, err := s.InfoRequests(ctx, c.ID)
	if err != nil || len(qs) != 1 {
		tb.Fatalf("InfoRequests = %v, %v; want one", qs, err)
	}
	update(tb, s, c.Reference, casework.Actor{Requester: true, Scope: casework.Scope{All: true}},
		casework.Change{AnswerInfo: &casework.InfoRequest{ID: qs[0].ID, Answer: seedAnswer}})
	update(tb, s, c.Reference, actor, casework.Change{Letter: &casework.Letter{Reference: c.Reference, Body: seedLetter},
		Notices: []casework.Notice{{Recipient: "ECD-leverancier", Kind: "processor", Activities: []string{"client-file"},
			Channel: casework.NoticeByPost, Letter: casework.Letter{Reference: c.Reference, Body: seedNotice}}}})
	seedBreach(tb, s, m.ID)
	smtp := mail.Settings{Host: "smtp.zorg.example", Port: 587, Username: "portaal", Password: seedSMTPPass,
		From: "noreply@zorg.example", Security: mail.SecuritySTARTTLS}
	if err := s.SaveMailSettingsAudited(ctx, smtp, audit.Entry{At: at, Actor: audit.Staff(m.ID)}); err != nil {
		tb.Fatalf("SaveMailSettingsAudited: %v", err)
	}
	newsletter := register.Template(practice.Netherlands)[2]
	newsletter.Key = fmt.Sprintf("nieuwsbrief-%d", m.ID)
	if _, err := s.AddActivity(ctx, newsletter, audit.Entry{At: at, Actor: audit.Staff(m.ID)}); err != nil {
		tb.Fatalf("AddActivity: %v", err)
	}
	if _, err := s.AddConsent(ctx, consent.Consent{Activity: newsletter.Key, Subject: consent.Subject{Name: seedConsentName,
		BirthDate: deadline.Date{Year: 1990, Month: 5, Day: 1}}, Email: "fenna@example.org", GivenAt: deadline.Date{Year: 2026, Month: 1, Day: 10},
		GivenBy: consent.Self}, audit.Entry{At: at, Actor: audit.Staff(m.ID)}); err != nil {
		tb.Fatalf("AddConsent: %v", err)
	}
	// An objection to direct marketing: its grounds, and the stop it marks.
	update(tb, s, c.Reference, actor, casework.Change{Objection: &casework.ObjectionRecord{
		Activities:       []casework.ObjectedActivity{{Key: newsletter.Key, Name: newsletter.Name, DirectMarketing: true}},
		RequesterGrounds: seedGrounds, Outcome: casework.ObjectionStopped, DirectMarketing: true, From: c.ReceivedOn}})
	doc := delivery.Document{ID: "doc-" + strings.ToLower(c.Reference), CaseID: c.ID, Name: seedDocument, Kind: "pdf", Size: 1, UploadedAt: at}
	if err := s.AddDocument(ctx, casework.Actor{ID: m.ID, Scope: casework.Scope{All: true}}, doc); err != nil {
		tb.Fatalf("AddDocument: %v", err)
	}
	return sealedSeed{ref: c.Reference, caseID: c.ID, staffID: m.ID, stateHash: a.StateHash}
}

func update(tb testing.TB, s *Store, ref string, a casework.Actor, ch casework.Change) {
	tb.Helper()
	_, err := s.UpdateCase(tb.Context(), ref, a, func(*casework.Case) (casework.Change, error) { return ch, nil })
	if err != nil {
		tb.Fatalf("UpdateCase: %v", err)
	}
}

// checkSeedOpens reads what seedSealed stored back through the store's own
// methods, which open every sealed value with the associated data they
// were sealed with.
func checkSeedOpens(tb testing.TB, s *Store, seed sealedSeed) {
	tb.Helper()
	ctx := tb.Context()
	c, err := s.CaseByReference(ctx, seed.ref, casework.Scope{All: true})
	if err != nil {
		tb.Fatalf("CaseByReference: %v", err)
	}
	if c.Details != seedDetails || c.Specifics.Wrong != seedWrong || c.Requester.Name != "Jan de Vries" || c.Subject.Name != "Jan de Vries" {
		tb.Errorf("case reads back as details %q, wrong %q, requester %q, subject %q", c.Details, c.Specifics.Wrong, c.Requester.Name, c.Subject.Name)
	}
	if it := c.Portability.Items; len(it) != 1 || len(it[0].Fields) != 1 || it[0].Fields[0].Value != seedPortability {
		tb.Errorf("portability reads back as %+v", it)
	}
	due, err := s.Due(ctx, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), 100)
	if err != nil {
		tb.Fatalf("Due: %v", err)
	}
	if !slices.ContainsFunc(due, func(q mail.Queued) bool { return strings.Contains(q.Message.Text, seed.ref) }) {
		tb.Errorf("the acknowledgement of %s is not in the outbox (%d mails)", seed.ref, len(due))
	}
	events, err := s.CaseEvents(ctx, seed.caseID, false)
	if err != nil {
		tb.Fatalf("CaseEvents: %v", err)
	}
	if !slices.ContainsFunc(events, func(e casework.Event) bool { return e.Text == seedNote }) {
		tb.Errorf("the note is not among the events: %+v", events)
	}
	reqs, err := s.Requirements(ctx, seed.caseID)
	if err != nil {
		tb.Fatalf("Requirements: %v", err)
	}
	if len(reqs) != 1 || reqs[0].Reason != seedReason {
		tb.Errorf("requirements = %+v", reqs)
	}
	if r := c.Rectification; len(r) != 2 || r[0].Old != seedOld || r[0].New != seedNew || r[1].Reason != seedKept || r[1].Statement != seedOwnStatement {
		tb.Errorf("rectification items read back as %+v", r)
	}
	if c.Restriction == nil || c.Restriction.Data != seedRestriction {
		tb.Errorf("restriction reads back as %+v", c.Restriction)
	}
	if st, err := s.AccessStatement(ctx, seed.caseID); err != nil || st.Text != seedStatement {
		tb.Errorf("access statement = %+v, %v", st, err)
	}
	qs, err := s.InfoRequests(ctx, seed.caseID)
	if err != nil {
		tb.Fatalf("InfoRequests: %v", err)
	}
	if len(qs) != 1 || qs[0].Text != seedQuestion || qs[0].Answer != seedAnswer {
		tb.Errorf("info requests = %+v", qs)
	}
	if l, ok, err := s.CaseLetter(ctx, seed.caseID); err != nil || !ok || l.Body != seedLetter || l.SentAt.IsZero() {
		tb.Errorf("CaseLetter = %+v, %v, %v; want the seeded letter with its time of sending", l, ok, err)
	}
	if ns, err := s.CaseNotices(ctx, seed.caseID); err != nil || len(ns) != 1 || ns[0].Letter.Body != seedNotice {
		tb.Errorf("CaseNotices = %+v, %v; want the seeded notice", ns, err)
	}
	acc, err := s.AccountByID(ctx, seed.staffID)
	if err != nil {
		tb.Fatalf("AccountByID: %v", err)
	}
	if acc.TOTPSecret != seedTOTP {
		tb.Errorf("TOTP secret reads back as %q", acc.TOTPSecret)
	}
	if cs, err := s.ConsentsByEmail(ctx, "fenna@example.org"); err != nil || len(cs) == 0 || cs[0].Subject.Name != seedConsentName {
		tb.Errorf("consents read back as %+v, %v", cs, err)
	}
	if smtp, err := s.MailSettings(ctx); err != nil || smtp.Password != seedSMTPPass {
		tb.Errorf("SMTP password reads back as %q, %v", smtp.Password, err)
	}
	if c.Objection == nil || c.Objection.RequesterGrounds != seedGrounds {
		tb.Errorf("objection reads back as %+v", c.Objection)
	} else if stops, err := s.ActivityStops(ctx, c.Objection.Activities[0].Key, ""); err != nil || len(stops) != 1 || stops[0].Name != "Jan de Vries" {
		tb.Errorf("marketing stops read back as %+v, %v", stops, err)
	}
	// TakeOIDCAttempt would use the attempt up; open its verifier as it does.
	var blob []byte
	if err := s.db.WithContext(ctx).Raw("SELECT verifier FROM oidc_attempts WHERE state_hash = ?", seed.stateHash).Row().Scan(&blob); err != nil {
		tb.Fatal(err)
	}
	if v, err := s.vault.Open(blob, verifierAAD(seed.stateHash)); err != nil || string(v) != seedVerifier {
		tb.Errorf("verifier opens as %q, %v", v, err)
	}
}

// sealedValue is one sealed value as found in its column.
type sealedValue struct {
	version   uint32
	plaintext string
}

// sealedSnapshot reads every sealed value of every listed column raw, with
// its key version and its plaintext, keyed by "table.column row" (row: the row part
// of its associated data, unique in its table).
func sealedSnapshot(tb testing.TB, s *Store) map[string]sealedValue {
	tb.Helper()
	out := map[string]sealedValue{}
	for _, c := range SealedColumns() {
		q := fmt.Sprintf("SELECT %s, %q FROM %q WHERE %q IS NOT NULL", c.Row, c.Column, c.Table, c.Column)
		rows, err := s.sql.QueryContext(tb.Context(), q)
		if err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
		for rows.Next() {
			var (
				row  string
				blob []byte
			)
			if err := rows.Scan(&row, &blob); err != nil {
				tb.Fatal(err)
			}
			if len(blob) == 0 {
				continue
			}
			ver, err := s.vault.KeyVersion(blob)
			if err != nil {
				tb.Fatalf("%s row %s: KeyVersion: %v", c, row, err)
			}
			pt, err := s.vault.Open(blob, vault.AAD(c.Table, c.Column, row))
			if err != nil {
				tb.Fatalf("%s row %s does not open with its listed associated data: %v", c, row, err)
			}
			out[fmt.Sprintf("%s %s", c, row)] = sealedValue{ver, string(pt)}
		}
		if err := rows.Close(); err != nil {
			tb.Fatal(err)
		}
	}
	return out
}

// wantAllVersion fails unless every value in snap is on version v.
func wantAllVersion(tb testing.TB, snap map[string]sealedValue, v uint32) {
	tb.Helper()
	for _, k := range slices.Sorted(maps.Keys(snap)) {
		if snap[k].version != v {
			tb.Errorf("%s is on key version %d, want %d", k, snap[k].version, v)
		}
	}
}

// samePlaintexts fails unless both snapshots hold the same values.
func samePlaintexts(tb testing.TB, got, want map[string]sealedValue) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Errorf("%d sealed values, want %d", len(got), len(want))
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || g.plaintext != w.plaintext {
			tb.Errorf("%s now opens to %q, want %q", k, g.plaintext, w.plaintext)
		}
	}
}

func mustRewrap(tb testing.TB, s *Store, batch int) RewrapResult {
	tb.Helper()
	res, err := s.RewrapSealed(tb.Context(), batch)
	if err != nil {
		tb.Fatalf("RewrapSealed: %v", err)
	}
	if len(res.Columns) != len(sealedColumns) {
		tb.Fatalf("RewrapSealed reported %d columns, want %d", len(res.Columns), len(sealedColumns))
	}
	return res
}

// Rotation leaves every sealed value opening and on the old version; the
// rewrap moves each one to the new version with the same plaintext, in
// batches of any size, and a second rewrap changes nothing (SECURITY.md
// item 3).
func TestRewrapMovesEverySealedColumn(t *testing.T) {
	for _, batch := range []int{1, 3, 500} {
		t.Run(fmt.Sprintf("batch %d", batch), func(t *testing.T) {
			t.Parallel()
			env := newTestStore(t)
			var seeds []sealedSeed
			for range 3 {
				seeds = append(seeds, seedSealed(t, env.s))
			}
			before := sealedSnapshot(t, env.s)
			perColumn := map[string]int64{}
			for k := range before {
				col, _, _ := strings.Cut(k, " ")
				perColumn[col]++
			}
			for _, c := range SealedColumns() {
				if perColumn[c.String()] == 0 {
					t.Fatalf("the seed leaves %s empty, so the test would not show it is rewrapped", c)
				}
			}
			wantAllVersion(t, before, 1)

			v, err := env.keys.Rotate(filepath.Join(env.dir, "keys", "keys.json"))
			if err != nil || v != 2 {
				t.Fatalf("Rotate = %d, %v; want 2", v, err)
			}
			rotated := sealedSnapshot(t, env.s)
			wantAllVersion(t, rotated, 1)
			samePlaintexts(t, rotated, before)
			for _, sd := range seeds {
				checkSeedOpens(t, env.s, sd)
			}

			res := mustRewrap(t, env.s, batch)
			if res.Version != 2 || len(res.Failures) != 0 {
				t.Fatalf("rewrap to version %d, failures %v", res.Version, res.Failures)
			}
			for _, c := range res.Columns {
				n := perColumn[c.Column.String()]
				if c.Sealed != n || c.Rewrapped != n || c.Current != 0 || c.Failed != 0 || c.Left() != 0 {
					t.Errorf("%s: %+v, want %d sealed and rewrapped", c.Column, c, n)
				}
			}
			after := sealedSnapshot(t, env.s)
			wantAllVersion(t, after, 2)
			samePlaintexts(t, after, before)
			for _, sd := range seeds {
				checkSeedOpens(t, env.s, sd)
			}

			again := mustRewrap(t, env.s, batch)
			if tot := again.Totals(); tot.Rewrapped != 0 || tot.Current != int64(len(before)) || tot.Failed != 0 {
				t.Errorf("second rewrap: %+v, want nothing rewrapped and all %d current", tot, len(before))
			}
			// A value sealed now uses the new version without any rewrap.
			seedSealed(t, env.s)
			wantAllVersion(t, sealedSnapshot(t, env.s), 2)
		})
	}
}

// A value that does not open is counted and named (column and key, not
// content), left as it is, and does not stop the others being moved.
func TestRewrapReportsValuesThatDoNotOpen(t *testing.T) {
	env := newTestStore(t)
	seedSealed(t, env.s)
	second := seedSealed(t, env.s)
	if _, err := env.keys.Rotate(filepath.Join(env.dir, "keys", "keys.json")); err != nil {
		t.Fatal(err)
	}
	// The second case's details moved onto the first case's row: bound to
	// another reference, it must not open there.
	rawExec(t, env.s, "UPDATE cases SET details = (SELECT details FROM cases WHERE reference = ?) WHERE reference <> ?", second.ref, second.ref)
	var id int64
	var broken []byte
	if err := env.s.db.Raw("SELECT id, details FROM cases WHERE reference <> ?", second.ref).Row().Scan(&id, &broken); err != nil {
		t.Fatal(err)
	}

	res := mustRewrap(t, env.s, 500)
	tot := res.Totals()
	if tot.Failed != 1 || len(res.Failures) != 1 {
		t.Fatalf("failures: %+v, %v; want one", tot, res.Failures)
	}
	f := res.Failures[0]
	if f.Column.String() != "cases.details" || f.Key != strconv.FormatInt(id, 10) || !errors.Is(f.Err, vault.ErrDecrypt) {
		t.Errorf("failure = %v, want cases.details key %d and ErrDecrypt", f, id)
	}
	if strings.Contains(f.Error(), "MARKER") {
		t.Errorf("the failure quotes content: %v", f)
	}
	if tot.Rewrapped != tot.Sealed-1 || tot.Left() != 1 {
		t.Errorf("totals %+v: want all but the broken value rewrapped", tot)
	}
	var now []byte
	if err := env.s.db.Raw("SELECT details FROM cases WHERE id = ?", id).Row().Scan(&now); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(now, broken) {
		t.Error("the broken value was changed")
	}
}

// blobColumns lists the schema's BLOB (PostgreSQL: bytea) columns as
// table.column.
func blobColumns(tb testing.TB, s *Store) map[string]bool {
	tb.Helper()
	blobs := map[string]bool{}
	if s.dialect == migrations.Postgres {
		var cols []string
		if err := s.db.WithContext(tb.Context()).Raw(`SELECT table_name || '.' || column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND data_type = 'bytea'`).Scan(&cols).Error; err != nil {
			tb.Fatal(err)
		}
		for _, c := range cols {
			blobs[c] = true
		}
		return blobs
	}
	rows, err := s.sql.QueryContext(tb.Context(), "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
	if err != nil {
		tb.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			tb.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	for _, table := range tables {
		cols, err := s.sql.QueryContext(tb.Context(), "SELECT name, type FROM pragma_table_info(?)", table)
		if err != nil {
			tb.Fatal(err)
		}
		for cols.Next() {
			var name, typ string
			if err := cols.Scan(&name, &typ); err != nil {
				tb.Fatal(err)
			}
			if strings.Contains(strings.ToUpper(typ), "BLOB") {
				blobs[table+"."+name] = true
			}
		}
		cols.Close()
	}
	return blobs
}

// Every BLOB column of the schema is in the rewrap list, and every listed
// column exists as a BLOB: a sealed column added without listing it would
// otherwise keep its values on an old key version, unreadable once that
// version is retired.
func TestSealedColumnsCoverEveryBlobColumn(t *testing.T) {
	env := newTestStore(t)
	listed := map[string]bool{}
	for _, c := range SealedColumns() {
		if listed[c.String()] {
			t.Errorf("%s is listed twice", c)
		}
		listed[c.String()] = true
	}
	blobs := blobColumns(t, env.s)
	if len(blobs) == 0 {
		t.Fatal("no BLOB column found: the schema query is wrong")
	}
	for _, c := range slices.Sorted(maps.Keys(blobs)) {
		if !listed[c] {
			t.Errorf("BLOB column %s is not in sealedColumns (internal/store/rewrap.go): add it with the row part of its associated data", c)
		}
	}
	for _, c := range slices.Sorted(maps.Keys(listed)) {
		if !blobs[c] {
			t.Errorf("sealedColumns lists %s, which is not a BLOB column of the schema", c)
		}
	}
}

// BackupTo creates a private file, never overwrites one, and checks it;
// CheckFile finds a dangling reference.
func TestBackupTo(t *testing.T) {
	dbtest.SQLiteOnly(t, "VACUUM INTO backups")
	env := newTestStore(t)
	seedSealed(t, env.s)
	path := filepath.Join(env.dir, "backup.db")
	size, err := env.s.BackupTo(t.Context(), path)
	if err != nil {
		t.Fatalf("BackupTo: %v", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != size || size == 0 {
		t.Errorf("size %d, file %d bytes", size, fi.Size())
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("backup mode = %v, want 0600", perm)
	}
	if data, err := os.ReadFile(path); err != nil {
		t.Fatal(err)
	} else if bytes.Contains(data, []byte("MARKER")) {
		t.Error("the backup holds sealed text in clear")
	}

	if _, err := env.s.BackupTo(t.Context(), path); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("a second backup to the same file: %v, want a refusal", err)
	}
	if got, _ := os.Stat(path); got.Size() != size {
		t.Error("the refused backup changed the existing file")
	}
	other := filepath.Join(env.dir, "other.db")
	if err := os.WriteFile(other, []byte("something else"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := env.s.BackupTo(t.Context(), other); err == nil {
		t.Error("BackupTo overwrote a file")
	}
	if b, _ := os.ReadFile(other); string(b) != "something else" {
		t.Error("the refused backup changed the existing file")
	}
	if _, err := env.s.BackupTo(t.Context(), filepath.Join(env.dir, "no", "such", "folder", "b.db")); err == nil {
		t.Error("BackupTo into a missing folder succeeded")
	}

	// A copy with a dangling reference fails the check.
	raw, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=off")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("INSERT INTO tracking_tokens (case_id, token_hash, created_at) VALUES (999, 'x', ?)", time.Now()); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if err := CheckFile(context.Background(), path); err == nil || !strings.Contains(err.Error(), "foreign_key_check") {
		t.Errorf("CheckFile of a copy with a dangling reference: %v", err)
	}
	if err := os.WriteFile(other, bytes.Repeat([]byte("x"), 8192), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := CheckFile(context.Background(), other); err == nil {
		t.Error("CheckFile accepted a file that is not a database")
	}
}

// BenchmarkRewrap measures RewrapSealed over 20,000 cases (60,000 sealed
// values): "all" rotates before each run so that every value has to move,
// "none" runs again with nothing to move. It runs only with -bench.
func BenchmarkRewrap(b *testing.B) {
	const n = 20_000
	dir, s, err := seedBench(n)
	if dir != "" {
		b.Cleanup(func() { _ = os.RemoveAll(dir) })
	}
	if s != nil {
		b.Cleanup(func() { _ = s.Close() })
	}
	if err != nil {
		b.Fatalf("seed: %v", err)
	}
	for _, bb := range []struct {
		name   string
		rotate bool
		want   int64
	}{{"all", true, 3 * n}, {"none", false, 0}} {
		b.Run(bb.name, func(b *testing.B) {
			for range b.N {
				if bb.rotate {
					b.StopTimer()
					if _, err := s.vault.Rotate(filepath.Join(dir, "keys.json")); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				res, err := s.RewrapSealed(b.Context(), 500)
				if err != nil {
					b.Fatal(err)
				}
				if t := res.Totals(); t.Rewrapped != bb.want || t.Sealed != 3*n {
					b.Fatalf("rewrapped %d of %d, want %d", t.Rewrapped, t.Sealed, bb.want)
				}
			}
			b.ReportMetric(float64(3*n*b.N)/b.Elapsed().Seconds(), "values/s")
		})
	}
}

// The rewrap may run while the portal writes: with four writers changing
// every case once (each its own quarter, so the last write to each case is
// known) and filing new ones during it, no write fails, no update is lost
// (the rewrap never writes back a value that changed after it read it), and
// afterwards every value is on the new version.
func TestRewrapWhileWriting(t *testing.T) {
	env := newTestStore(t)
	const n, writers = 80, 4
	var refs []string
	for range n {
		refs = append(refs, mustCreate(t, env.s, newCase(t, caseSpec{details: "eerste versie"}), nil).Reference)
	}
	if _, err := env.keys.Rotate(filepath.Join(env.dir, "keys", "keys.json")); err != nil {
		t.Fatal(err)
	}
	var (
		start = make(chan struct{})
		wg    sync.WaitGroup
		werr  atomic.Pointer[error]
	)
	want := func(ref string) string { return "bijgewerkt " + ref }
	actor := casework.Actor{Scope: casework.Scope{All: true}}
	for w := range writers {
		wg.Go(func() {
			<-start
			for i := w; i < n; i += writers {
				ref := refs[i]
				_, err := env.s.UpdateCase(t.Context(), ref, actor, func(c *casework.Case) (casework.Change, error) {
					c.Details = want(ref)
					return casework.Change{Events: []casework.Event{{At: time.Now(), Kind: casework.EventNote, Text: want(ref)}}}, nil
				})
				if err == nil && i%5 == 0 {
					err = create(t, env.s, new(newCase(t, caseSpec{})), nil)
				}
				if err != nil {
					werr.Store(&err)
					return
				}
			}
		})
	}
	close(start)
	res, err := env.s.RewrapSealed(t.Context(), 5)
	wg.Wait()
	if err != nil {
		t.Fatalf("RewrapSealed: %v", err)
	}
	if e := werr.Load(); e != nil {
		t.Fatalf("a write failed during the rewrap: %v", *e)
	}
	tot := res.Totals()
	t.Logf("rewrap while writing: %d sealed, %d already current, %d rewrapped, %d changed meanwhile",
		tot.Sealed, tot.Current, tot.Rewrapped, tot.Left()-tot.Failed)
	if tot.Failed != 0 {
		t.Errorf("failures: %v", res.Failures)
	}
	// Values the rewrap had not reached yet when a writer replaced them are
	// on the new version too: everything written after Rotate is.
	wantAllVersion(t, sealedSnapshot(t, env.s), 2)
	for _, ref := range refs {
		c, err := env.s.CaseByReference(t.Context(), ref, casework.Scope{All: true})
		if err != nil {
			t.Fatal(err)
		}
		if c.Details != want(ref) {
			t.Errorf("%s: details %q, want the update %q: the rewrap wrote back an old value", ref, c.Details, want(ref))
		}
	}
	if again := mustRewrap(t, env.s, 500).Totals(); again.Rewrapped != 0 {
		t.Errorf("a rewrap after the writers stopped still moved %d values", again.Rewrapped)
	}
}
