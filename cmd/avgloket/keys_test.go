package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/auth"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/consent"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/delivery"
	"github.com/avgloket/avgloket/internal/filestore"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/portability"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/register"
	"github.com/avgloket/avgloket/internal/staff"
	"github.com/avgloket/avgloket/internal/store"
	"github.com/avgloket/avgloket/internal/store/dbtest"
	"github.com/avgloket/avgloket/internal/vault"
)

// keysSeed is what seedKeys put in a data folder, to read back.
type keysSeed struct {
	ref           string
	caseID        int64
	staffID       int64
	stateHash     string
	liveFile      string
	destroyedFile string
}

const (
	keysDetails      = "MARKER-DETAILS logopedieverslag"
	keysWrong        = "MARKER-WRONG geboortedatum"
	keysNote         = "MARKER-NOTE gebeld met moeder"
	keysReason       = "MARKER-REASON gezag aangetoond"
	keysQuestion     = "MARKER-QUESTION stuur een kopie van uw ID"
	keysAnswer       = "MARKER-ANSWER zie bijlage"
	keysLetter       = "MARKER-LETTER Geachte heer, mevrouw,"
	keysNotice       = "MARKER-NOTICE wis de gegevens van Sanne Bakker"
	keysTOTP         = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	keysVerifier     = "MARKER-VERIFIER-0123456789-0123456789-0123456789"
	keysFile         = "MARKER-FILE %PDF-1.7 identiteitsbewijs"
	keysSMTPPass     = "MARKER-SMTP-PASSWORD"
	keysConsent      = "MARKER-CONSENT Sanne Bakker"
	keysGrounds      = "MARKER-GROUNDS geen nieuwsbrief meer"
	keysRestrict     = "MARKER-RESTRICTION het verslag van maart"
	keysPortable     = "MARKER-PORTABILITY sanne@example.nl"
	keysStatement    = "MARKER-STATEMENT wij verwerken"
	keysOld          = "MARKER-OLD 21 april 2015"
	keysKept         = "MARKER-KEPT oordeel, geen feit"
	keysOwnStatement = "MARKER-OWN-STATEMENT ik ben het oneens"
)

// seedKeys fills every sealed column of the data folder's database and
// stores two encrypted files, one of them recorded as destroyed but still on
// disk (as after a crash between the record and the removal).
func seedKeys(tb testing.TB, dataDir string) keysSeed {
	tb.Helper()
	ctx := context.Background()
	st := openData(tb, dataDir)
	defer st.Close()
	files, err := filestore.New(filepath.Join(dataDir, "files"), mustKeys(tb, dataDir))
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Date(2026, time.November, 25, 9, 0, 0, 0, time.UTC)
	m, err := st.AddMember(ctx, staff.NewMember{Email: "officer@zorg.example", Name: "Test Officer", Role: staff.Officer}, now)
	if err != nil {
		tb.Fatalf("AddMember: %v", err)
	}
	if err := st.SetPendingTOTP(ctx, m.ID, keysTOTP); err != nil {
		tb.Fatalf("SetPendingTOTP: %v", err)
	}
	attempt := auth.OIDCAttempt{StateHash: "state-hash-1", BrowserHash: "browser-hash", NonceHash: "nonce-hash",
		Verifier: keysVerifier, CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)}
	if err := st.AddOIDCAttempt(ctx, attempt); err != nil {
		tb.Fatalf("AddOIDCAttempt: %v", err)
	}

	cal, err := deadline.NewCalendar(deadline.NL, nil)
	if err != nil {
		tb.Fatal(err)
	}
	received := deadline.Date{Year: 2026, Month: time.November, Day: 25}
	c := casework.Case{
		Type: casework.Rectification, Status: casework.Received, Channel: casework.Web,
		ReceivedAt: now, ReceivedOn: received, Deadlines: deadline.Compute(cal, received, 0, false), Language: casework.Dutch,
		Requester: casework.Requester{Name: "Petra Jansen", Email: "petra@example.org", Relation: casework.Parent},
		Subject:   casework.Subject{Name: "Sanne Bakker", BirthDate: deadline.Date{Year: 2015, Month: time.April, Day: 12}},
		Details:   keysDetails, Specifics: casework.Specifics{Wrong: keysWrong, Correct: "12 april 2015"},
		Identity: casework.Identity{Status: casework.IdentityUnverified}, CreatedAt: now, UpdatedAt: now,
	}
	token, err := casework.NewToken()
	if err != nil {
		tb.Fatal(err)
	}
	ack := func(c casework.Case) ([]mail.Message, error) {
		return []mail.Message{{To: c.Requester.Email, Subject: "Ontvangen " + c.Reference, Text: "Uw verzoek " + c.Reference}}, nil
	}
	if _, err := st.CreateCase(ctx, &c, casework.NewCase{TrackingHash: casework.HashToken(token), TrackingExpires: now.AddDate(0, 6, 0)}, ack); err != nil {
		tb.Fatalf("CreateCase: %v", err)
	}

	seedBreachColumns(tb, st, m.ID, now)
	smtp := mail.Settings{Host: "smtp.zorg.example", Port: 587, Username: "portaal", Password: keysSMTPPass,
		From: "noreply@zorg.example", Security: mail.SecuritySTARTTLS}
	if err := st.SaveMailSettingsAudited(ctx, smtp, audit.Entry{At: now, Actor: audit.Staff(m.ID)}); err != nil {
		tb.Fatalf("SaveMailSettingsAudited: %v", err)
	}

	newsletter := register.Template(practice.Netherlands)[2]
	if _, err := st.AddActivity(ctx, newsletter, audit.Entry{At: now, Actor: audit.Staff(m.ID)}); err != nil {
		tb.Fatalf("AddActivity: %v", err)
	}
	if _, err := st.AddConsent(ctx, consent.Consent{Activity: newsletter.Key, Subject: consent.Subject{Name: keysConsent,
		BirthDate: deadline.Date{Year: 2015, Month: time.April, Day: 12}}, Email: "petra@example.org",
		GivenAt: deadline.Date{Year: 2026, Month: time.January, Day: 10}, GivenBy: consent.Parent, RepresentativeName: "Petra Jansen"},
		audit.Entry{At: now, Actor: audit.Staff(m.ID)}); err != nil {
		tb.Fatalf("AddConsent: %v", err)
	}

	seed := keysSeed{ref: c.Reference, caseID: c.ID, staffID: m.ID, stateHash: attempt.StateHash,
		liveFile: "0123456789abcdef0123456789abcdef", destroyedFile: "fedcba9876543210fedcba9876543210"}
	for _, id := range []string{seed.liveFile, seed.destroyedFile} {
		if _, err := files.Put(ctx, id, strings.NewReader(keysFile), fileAAD(id)); err != nil {
			tb.Fatalf("Put: %v", err)
		}
	}
	actor := casework.Actor{ID: m.ID, Scope: casework.Scope{All: true}}
	at := now.Add(time.Hour)
	change := func(a casework.Actor, ch casework.Change) {
		tb.Helper()
		if _, err := st.UpdateCase(ctx, c.Reference, a, func(*casework.Case) (casework.Change, error) { return ch, nil }); err != nil {
			tb.Fatalf("UpdateCase: %v", err)
		}
	}
	change(actor, casework.Change{
		Events:      []casework.Event{{At: at, Kind: casework.EventNote, ActorID: m.ID, Text: keysNote}},
		Requirement: &casework.RequirementStatus{Key: "guardian_consent", Waived: true, Reason: keysReason, ByID: m.ID, At: at},
		AskInfo:     &casework.InfoRequest{Method: "id_copy", UploadKind: casework.PurposeIDCopy, Text: keysQuestion, AskedByID: m.ID, AskedAt: at},
		Statement:   &casework.Statement{Text: keysStatement, EditedAt: at, EditedByID: m.ID},
		Rectification: &[]casework.RectificationItem{
			{Field: "geboortedatum", Old: keysOld, New: "12 april 2015", Systems: []string{"cliëntdossier"}},
			{Field: "diagnose", Old: "ADHD", Kept: true, Reason: keysKept, Statement: keysOwnStatement}},
		Restriction: &casework.RestrictionRecord{Activities: []casework.RestrictedActivity{{Key: "client-file"}}, Data: keysRestrict,
			Ground: casework.RestrictionAccuracy, From: "2026-11-25", UntilEvent: "tot de juistheid is nagegaan"},
		Portability: &casework.PortabilityChange{Record: casework.PortabilityRecord{Items: []portability.Item{{Activity: "newsletter",
			Basis: register.Consent, Fields: portability.Fields{{Name: "e-mail", Value: keysPortable}}}}}},
	})
	qs, err := st.InfoRequests(ctx, c.ID)
	if err != nil || len(qs) != 1 {
		tb.Fatalf("InfoRequests = %v, %v", qs, err)
	}
	requester := casework.Actor{Requester: true, Scope: casework.Scope{All: true}}
	change(requester, casework.Change{AnswerInfo: &casework.InfoRequest{ID: qs[0].ID, Answer: keysAnswer},
		AddFile: &casework.File{ID: seed.liveFile, Purpose: casework.PurposeAuthority, Kind: "pdf", Size: int64(len(keysFile)), UploadedAt: at}})
	change(requester, casework.Change{AddFile: &casework.File{ID: seed.destroyedFile, Purpose: casework.PurposeIDCopy, Kind: "pdf", Size: int64(len(keysFile)), UploadedAt: at}})
	change(actor, casework.Change{DestroyFiles: []string{seed.destroyedFile}})
	change(actor, casework.Change{Letter: &casework.Letter{Reference: c.Reference, Body: keysLetter},
		Notices: []casework.Notice{{Recipient: "ECD-leverancier", Kind: "processor", Activities: []string{"client-file"},
			Channel: casework.NoticeByPost, Letter: casework.Letter{Reference: c.Reference, Body: keysNotice}}}})
	change(actor, casework.Change{Objection: &casework.ObjectionRecord{
		Activities:       []casework.ObjectedActivity{{Key: newsletter.Key, Name: newsletter.Name, DirectMarketing: true}},
		RequesterGrounds: keysGrounds, Outcome: casework.ObjectionStopped, DirectMarketing: true, From: received}})
	doc := delivery.Document{ID: "doc-seed-0001", CaseID: c.ID, Name: "dossier Sanne Bakker.pdf", Kind: "pdf", Size: 1, UploadedAt: at}
	if err := st.AddDocument(ctx, actor, doc); err != nil {
		tb.Fatalf("AddDocument: %v", err)
	}
	return seed
}

func mustKeys(tb testing.TB, dataDir string) *vault.KeyRing {
	tb.Helper()
	k, err := vault.LoadOrCreate(filepath.Join(dataDir, "keys.json"))
	if err != nil {
		tb.Fatalf("key file: %v", err)
	}
	return k
}

// checkKeysSeed reads everything seedKeys stored back through the store
// and the file store, with the key file as it is now.
func checkKeysSeed(tb testing.TB, dataDir string, seed keysSeed) {
	tb.Helper()
	ctx := context.Background()
	st := openData(tb, dataDir)
	defer st.Close()
	c, err := st.CaseByReference(ctx, seed.ref, casework.Scope{All: true})
	if err != nil {
		tb.Fatalf("CaseByReference: %v", err)
	}
	if c.Details != keysDetails || c.Specifics.Wrong != keysWrong || c.Requester.Email != "petra@example.org" || c.Subject.Name != "Sanne Bakker" {
		tb.Errorf("case reads back as details %q, wrong %q, requester %q, subject %q", c.Details, c.Specifics.Wrong, c.Requester.Email, c.Subject.Name)
	}
	if c.Restriction == nil || c.Restriction.Data != keysRestrict {
		tb.Errorf("restriction reads back as %+v", c.Restriction)
	}
	if it := c.Portability.Items; len(it) != 1 || len(it[0].Fields) != 1 || it[0].Fields[0].Value != keysPortable {
		tb.Errorf("portability reads back as %+v", it)
	}
	due, err := st.Due(ctx, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), 10)
	if err != nil || len(due) != 1 || due[0].Message.To != "petra@example.org" {
		tb.Errorf("outbox = %+v, %v; want the acknowledgement", due, err)
	}
	events, err := st.CaseEvents(ctx, seed.caseID, false)
	if err != nil || !slices.ContainsFunc(events, func(e casework.Event) bool { return e.Text == keysNote }) {
		tb.Errorf("events = %+v, %v; want the note", events, err)
	}
	reqs, err := st.Requirements(ctx, seed.caseID)
	if err != nil || len(reqs) != 1 || reqs[0].Reason != keysReason {
		tb.Errorf("requirements = %+v, %v", reqs, err)
	}
	if r := c.Rectification; len(r) != 2 || r[0].Old != keysOld || r[1].Reason != keysKept || r[1].Statement != keysOwnStatement {
		tb.Errorf("rectification items = %+v", r)
	}
	if stm, err := st.AccessStatement(ctx, seed.caseID); err != nil || stm.Text != keysStatement {
		tb.Errorf("access statement = %+v, %v", stm, err)
	}
	qs, err := st.InfoRequests(ctx, seed.caseID)
	if err != nil || len(qs) != 1 || qs[0].Text != keysQuestion || qs[0].Answer != keysAnswer {
		tb.Errorf("info requests = %+v, %v", qs, err)
	}
	if l, ok, err := st.CaseLetter(ctx, seed.caseID); err != nil || !ok || l.Body != keysLetter {
		tb.Errorf("decision letter = %+v, %v, %v", l, ok, err)
	}
	if ns, err := st.CaseNotices(ctx, seed.caseID); err != nil || len(ns) != 1 || ns[0].Letter.Body != keysNotice {
		tb.Errorf("notices = %+v, %v", ns, err)
	}
	acc, err := st.AccountByID(ctx, seed.staffID)
	if err != nil || acc.TOTPSecret != keysTOTP {
		tb.Errorf("TOTP secret = %q, %v", acc.TOTPSecret, err)
	}
	if smtp, err := st.MailSettings(ctx); err != nil || smtp.Password != keysSMTPPass {
		tb.Errorf("SMTP password = %q, %v", smtp.Password, err)
	}
	if cs, err := st.ConsentsByEmail(ctx, "petra@example.org"); err != nil || len(cs) != 1 || cs[0].Subject.Name != keysConsent {
		tb.Errorf("consents = %+v, %v", cs, err)
	}
	if c.Objection == nil || c.Objection.RequesterGrounds != keysGrounds {
		tb.Errorf("objection = %+v", c.Objection)
	} else if stops, err := st.ActivityStops(ctx, c.Objection.Activities[0].Key, "petra@example.org"); err != nil ||
		len(stops) != 1 || stops[0].Name != "Sanne Bakker" || stops[0].Email != "petra@example.org" {
		tb.Errorf("marketing stops = %+v, %v", stops, err)
	}
	files, err := filestore.New(filepath.Join(dataDir, "files"), mustKeys(tb, dataDir))
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := files.Open(ctx, seed.liveFile, &buf, fileAAD(seed.liveFile)); err != nil || buf.String() != keysFile {
		tb.Errorf("the file opens to %q, %v", buf.String(), err)
	}
}

// keyVersions reads every sealed value of every listed column raw and the
// header of every file, and returns their key versions by place.
func keyVersions(tb testing.TB, dataDir string) map[string]uint32 {
	tb.Helper()
	keys := mustKeys(tb, dataDir)
	db, _ := rawData(tb, dataDir)
	out := map[string]uint32{}
	for _, c := range store.SealedColumns() {
		// The row part of the associated data is unique in its table.
		rows, err := db.Query(fmt.Sprintf("SELECT %s, %q FROM %q WHERE %q IS NOT NULL", c.Row, c.Column, c.Table, c.Column))
		if err != nil {
			tb.Fatal(err)
		}
		for rows.Next() {
			var row string
			var blob []byte
			if err := rows.Scan(&row, &blob); err != nil {
				tb.Fatal(err)
			}
			v, err := keys.KeyVersion(blob)
			if err != nil {
				tb.Fatalf("%s row %s: %v", c, row, err)
			}
			out[fmt.Sprintf("%s %s", c, row)] = v
		}
		rows.Close()
	}
	entries, err := os.ReadDir(filepath.Join(dataDir, "files"))
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range entries {
		f, err := os.Open(filepath.Join(dataDir, "files", e.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		hdr := make([]byte, vault.StreamHeaderSize)
		_, err = io.ReadFull(f, hdr)
		f.Close()
		if err != nil {
			tb.Fatal(err)
		}
		v, err := keys.KeyVersion(hdr)
		if err != nil {
			tb.Fatalf("file %s: %v", e.Name(), err)
		}
		out["file "+strings.TrimSuffix(e.Name(), ".enc")] = v
	}
	return out
}

// wantVersions fails unless every place is on version want, except those
// in except, which must be on version other.
func wantVersions(tb testing.TB, got map[string]uint32, want uint32, except map[string]uint32) {
	tb.Helper()
	for place, v := range got {
		w := want
		if e, ok := except[place]; ok {
			w = e
		}
		if v != w {
			tb.Errorf("%s is on key version %d, want %d", place, v, w)
		}
	}
}

var rewrapLine = regexp.MustCompile(`(?m)^(\S+):\s+(\d+) (?:sealed|files),\s+(\d+) rewrapped,\s+(\d+) already on version (\d+)`)

// rewrapCounts parses key rewrap's output: place → [sealed, rewrapped, current].
func rewrapCounts(tb testing.TB, out string) map[string][3]string {
	tb.Helper()
	counts := map[string][3]string{}
	for _, m := range rewrapLine.FindAllStringSubmatch(out, -1) {
		counts[m[1]] = [3]string{m[2], m[3], m[4]}
	}
	if len(counts) != len(store.SealedColumns())+1 {
		tb.Fatalf("key rewrap printed %d count lines, want one per sealed column and one for files:\n%s", len(counts), out)
	}
	return counts
}

// key rotate adds a version that new records use while old ones keep
// opening; key rewrap moves every sealed value and every live file to it,
// skips a destroyed file, and changes nothing when run again
// (SECURITY.md item 3).
func TestKeyRotateAndRewrapCommands(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	envs := map[string]string{"AVGLOKET_DATA_DIR": data}
	mustRun(t, envs, "migrate")
	seed := seedKeys(t, data)
	before := keyVersions(t, data)
	wantVersions(t, before, 1, nil)
	for _, c := range store.SealedColumns() {
		if !slices.ContainsFunc(slices.Collect(maps.Keys(before)), func(p string) bool { return strings.HasPrefix(p, c.String()+" ") }) {
			t.Fatalf("the seed leaves %s empty", c)
		}
	}

	out := mustRun(t, envs, "key", "rotate")
	if !strings.Contains(out, "key version 2 ") || !strings.Contains(out, "rewrap") {
		t.Errorf("key rotate printed %q", out)
	}
	if b, err := os.ReadFile(filepath.Join(data, "keys.json")); err != nil || strings.Count(string(b), `"2"`) != 1 {
		t.Errorf("the key file does not hold version 2: %v", err)
	}
	wantVersions(t, keyVersions(t, data), 1, nil)
	checkKeysSeed(t, data, seed)

	// New records use the new version.
	st := openData(t, data)
	if err := st.SetPendingTOTP(context.Background(), seed.staffID, keysTOTP); err != nil {
		t.Fatal(err)
	}
	st.Close()
	totpPlace := fmt.Sprintf("staff.totp_secret %d", seed.staffID)
	wantVersions(t, keyVersions(t, data), 1, map[string]uint32{totpPlace: 2})

	start := time.Now()
	out = mustRun(t, envs, "key", "rewrap", "--batch", "2")
	t.Logf("key rewrap took %s:\n%s", time.Since(start), out)
	counts := rewrapCounts(t, out)
	for _, c := range store.SealedColumns() {
		n := 0
		for p := range before {
			if strings.HasPrefix(p, c.String()+" ") {
				n++
			}
		}
		want := [3]string{fmt.Sprint(n), fmt.Sprint(n), "0"}
		if c.String() == "staff.totp_secret" {
			want = [3]string{"1", "0", "1"} // sealed after the rotation
		}
		if got := counts[c.String()]; got != want {
			t.Errorf("%s: sealed, rewrapped, current = %v, want %v", c, got, want)
		}
	}
	if got := counts["files"]; got != [3]string{"2", "1", "0"} || !strings.Contains(out, "1 skipped") {
		t.Errorf("files: %v, want 2 files, 1 rewrapped and the destroyed one skipped", got)
	}
	if !strings.Contains(out, "0 left on older versions") || !strings.Contains(out, "back up the key file") {
		t.Errorf("key rewrap's summary:\n%s", out)
	}
	wantVersions(t, keyVersions(t, data), 2, map[string]uint32{"file " + seed.destroyedFile: 1})
	checkKeysSeed(t, data, seed)

	// A second run has nothing to do.
	out = mustRun(t, envs, "key", "rewrap")
	for place, n := range rewrapCounts(t, out) {
		if n[1] != "0" {
			t.Errorf("second rewrap: %s rewrapped %s", place, n[1])
		}
	}
	wantVersions(t, keyVersions(t, data), 2, map[string]uint32{"file " + seed.destroyedFile: 1})

	// The OIDC attempt still works, once.
	st = openData(t, data)
	a, err := st.TakeOIDCAttempt(context.Background(), seed.stateHash, time.Date(2026, time.November, 25, 9, 1, 0, 0, time.UTC))
	if err != nil || a.Verifier != keysVerifier {
		t.Errorf("TakeOIDCAttempt = %q, %v", a.Verifier, err)
	}
	st.Close()

	// A value that does not open (here moved to another row) makes rewrap
	// fail, naming the place but not the content, and is left as it is.
	if out := mustRun(t, envs, "key", "rotate"); !strings.Contains(out, "key version 3 ") {
		t.Errorf("second key rotate printed %q", out)
	}
	db, _ := rawData(t, data)
	if _, err := db.Exec("UPDATE info_requests SET answer = text"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	err = mustFail(t, envs, []string{"key rewrap", "1 sealed values", "info_requests.answer", "keep the old key version"}, "key", "rewrap")
	if strings.Contains(err.Error(), "MARKER") {
		t.Errorf("the error quotes content: %v", err)
	}
	wantVersions(t, keyVersions(t, data), 3, map[string]uint32{"file " + seed.destroyedFile: 1, "info_requests.answer 1": 2})
}

func TestKeyCommandsRefuse(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	envs := map[string]string{"AVGLOKET_DATA_DIR": data}
	mustFail(t, envs, []string{"key rotate", "no key file", "keys.json"}, "key", "rotate")
	if _, err := os.Stat(filepath.Join(data, "keys.json")); err == nil {
		t.Error("key rotate created a key file")
	}
	mustRun(t, envs, "migrate")
	mustFail(t, envs, []string{"key rewrap", "--batch"}, "key", "rewrap", "--batch", "0")
	mustFail(t, envs, []string{"unexpected argument"}, "key", "rotate", "now")
	mustFail(t, envs, []string{"unknown command", "key"}, "key", "forget")
	mustFail(t, envs, []string{"backup", "--to"}, "backup")

	// A key file with permissions for others is refused, not rotated.
	keyFile := filepath.Join(data, "keys.json")
	if err := os.Chmod(keyFile, 0o644); err != nil {
		t.Fatal(err)
	}
	mustFail(t, envs, []string{"key rotate", "0600"}, "key", "rotate")
}

// An online backup taken while the portal files requests from four
// clients opens, passes the integrity and foreign-key checks, holds every
// request acknowledged before it started and opens with the key file; an
// existing file is never overwritten (SECURITY.md item 10).
func TestBackupCommandWhilePortalRuns(t *testing.T) {
	t.Parallel()
	dbtest.SQLiteOnly(t, "VACUUM INTO backups; PostgreSQL is backed up with pg_dump (TestBackupCommandOnPostgres)")
	app := startApp(t, appOptions{})
	envs := map[string]string{"AVGLOKET_DATA_DIR": app.dataDir}

	var (
		mu     sync.Mutex
		acked  []string
		errs   []error
		stop   = make(chan struct{})
		twenty = make(chan struct{})
		once   sync.Once
		wg     sync.WaitGroup
		client = &http.Client{Timeout: failsafe}
	)
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				status, body, err := postRequest(client, app.URL, selfRequest(w*10000+i))
				var receipt struct{ Reference string }
				if err == nil && status == http.StatusCreated {
					err = json.Unmarshal(body, &receipt)
				} else if err == nil {
					err = fmt.Errorf("status %d: %s", status, body)
				}
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					acked = append(acked, receipt.Reference)
				}
				if len(acked) >= 20 {
					once.Do(func() { close(twenty) })
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	select {
	case <-twenty:
	case <-time.After(failsafe):
		close(stop)
		wg.Wait()
		t.Fatalf("the portal did not acknowledge 20 requests in time: %v", errs)
	}
	mu.Lock()
	before := slices.Clone(acked)
	mu.Unlock()
	backupPath := filepath.Join(t.TempDir(), "avgloket-backup.db")
	r := runCLI(t, context.Background(), envs, "backup", "--to", backupPath)
	close(stop)
	wg.Wait()
	if r.err != nil {
		t.Fatalf("backup: %v\n%s", r.err, r.stderr)
	}
	if len(errs) > 0 {
		t.Fatalf("a request failed while the backup ran: %v", errs)
	}
	if !strings.Contains(r.stdout, backupPath) || !strings.Contains(r.stdout, "key file") {
		t.Errorf("backup printed %q", r.stdout)
	}
	fi, err := os.Stat(backupPath)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("backup mode = %v, want 0600", perm)
	}
	if err := store.CheckFile(context.Background(), backupPath); err != nil {
		t.Fatalf("the backup fails its check: %v", err)
	}

	// Restore: the backup and the key file in a new data folder.
	restore := filepath.Join(t.TempDir(), "restore")
	if err := os.MkdirAll(restore, 0o700); err != nil {
		t.Fatal(err)
	}
	copyFile(t, backupPath, filepath.Join(restore, "avgloket.db"))
	copyFile(t, filepath.Join(app.dataDir, "keys.json"), filepath.Join(restore, "keys.json"))
	st := openData(t, restore)
	if err := st.IntegrityCheck(context.Background()); err != nil {
		t.Fatalf("IntegrityCheck of the restored backup: %v", err)
	}
	var restored []string
	q := casework.Query{Limit: 200}
	for {
		page, err := st.ListCases(context.Background(), q, casework.Scope{All: true})
		if err != nil {
			t.Fatalf("ListCases on the restored backup: %v", err)
		}
		for _, c := range page.Cases {
			if !strings.HasPrefix(c.Requester.Name, "Aanvrager ") {
				t.Fatalf("case %s opens with requester %q", c.Reference, c.Requester.Name)
			}
			restored = append(restored, c.Reference)
		}
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	for _, ref := range before {
		if !slices.Contains(restored, ref) {
			t.Errorf("case %s, acknowledged before the backup started, is not in it", ref)
		}
	}
	t.Logf("%d cases acknowledged before the backup, %d in it, %d in all", len(before), len(restored), len(acked))

	// An existing file is refused and left alone.
	mustFail(t, envs, []string{"backup", "exists"}, "backup", "--to", backupPath)
	if after, err := os.Stat(backupPath); err != nil || after.Size() != fi.Size() || !after.ModTime().Equal(fi.ModTime()) {
		t.Errorf("the refused backup touched the existing file: %v", err)
	}
}

func copyFile(tb testing.TB, from, to string) {
	tb.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		tb.Fatal(err)
	}
}

// On PostgreSQL, backup refuses and names the tool that does it, and
// leaves no file behind.
func TestBackupCommandOnPostgres(t *testing.T) {
	if !dbtest.OnPostgres() {
		t.Skip("PostgreSQL only")
	}
	t.Parallel()
	envs := map[string]string{"AVGLOKET_DATA_DIR": filepath.Join(t.TempDir(), "data")}
	mustRun(t, envs, "migrate")
	to := filepath.Join(t.TempDir(), "b.db")
	mustFail(t, envs, []string{"backup", "pg_dump"}, "backup", "--to", to)
	if _, err := os.Stat(to); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("backup left %s: %v", to, err)
	}
}

var statusLine = regexp.MustCompile(`(?m)^key version (\d+)( \(current\)| \(NOT IN THE KEY FILE[^)]*\))?: (\d+) sealed values, (\d+) files( \(and (\d+) destroyed files[^)]*\))?$`)

// keyStatusCounts parses key status: version → [note, sealed, files, destroyed].
func keyStatusCounts(tb testing.TB, out string) map[string][4]string {
	tb.Helper()
	counts := map[string][4]string{}
	for _, m := range statusLine.FindAllStringSubmatch(out, -1) {
		counts[m[1]] = [4]string{strings.TrimSpace(m[2]), m[3], m[4], m[6]}
	}
	if len(counts) == 0 {
		tb.Fatalf("key status printed no version:\n%s", out)
	}
	return counts
}

// key status counts sealed values and files per version; key retire
// refuses the current version and one that still seals something, and
// removes a version nothing is sealed under once rewrap moved everything.
func TestKeyStatusAndRetire(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	envs := map[string]string{"AVGLOKET_DATA_DIR": data}
	mustRun(t, envs, "migrate")
	seed := seedKeys(t, data)
	sealed := 0
	for place := range keyVersions(t, data) {
		if !strings.HasPrefix(place, "file ") {
			sealed++
		}
	}
	n := fmt.Sprint(sealed)
	status := func(want map[string][4]string) {
		t.Helper()
		out := mustRun(t, envs, "key", "status")
		if got := keyStatusCounts(t, out); !maps.Equal(got, want) {
			t.Errorf("key status: %v, want %v\n%s", got, want, out)
		}
	}
	status(map[string][4]string{"1": {"(current)", n, "1", "1"}})
	mustFail(t, envs, []string{"key retire", "version 1 is the current version", "key rotate"}, "key", "retire", "--version", "1")

	mustRun(t, envs, "key", "rotate")
	status(map[string][4]string{"1": {"", n, "1", "1"}, "2": {"(current)", "0", "0", ""}})
	mustFail(t, envs, []string{"key retire", fmt.Sprintf("version 1 still seals %d values and 1 files", sealed), "key rewrap"},
		"key", "retire", "--version", "1")
	mustFail(t, envs, []string{"key retire", "no version 3"}, "key", "retire", "--version", "3")
	mustFail(t, envs, []string{"key retire", "--version"}, "key", "retire")

	mustRun(t, envs, "key", "rewrap")
	status(map[string][4]string{"1": {"", "0", "0", "1"}, "2": {"(current)", n, "1", ""}})
	keyFile := filepath.Join(data, "keys.json")
	if err := os.Chmod(keyFile, 0o400); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, envs, "key", "retire", "--version", "1")
	if !strings.Contains(out, "key version 1 removed") || !strings.Contains(out, "1 destroyed files on version 1") || !strings.Contains(out, "back up the key file") {
		t.Errorf("key retire printed:\n%s", out)
	}
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o400 {
		t.Errorf("key file after retire: %v, %v; want mode 0400 kept", fi, err)
	}
	if b, err := os.ReadFile(keyFile); err != nil || strings.Contains(string(b), `"1"`) {
		t.Errorf("the key file still holds version 1: %v", err)
	}
	// The destroyed file stays on the retired version until the sweep.
	status(map[string][4]string{"1": {"(NOT IN THE KEY FILE: these do not open)", "0", "0", "1"}, "2": {"(current)", n, "1", ""}})
	checkKeysSeed(t, data, seed)
}

// A portal refuses to start on a key file that does not open the
// database's check value, saying where the key file was looked for, and
// changes nothing; a key file it had to make is removed again.
func TestStartRefusesAnotherKeyFile(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	envs := map[string]string{"AVGLOKET_DATA_DIR": data}
	mustRun(t, envs, "migrate")
	st := openData(t, data)
	ref := storeCase(t, st, 1)
	st.Close()

	other := filepath.Join(t.TempDir(), "keys.json")
	if _, err := vault.LoadOrCreate(other); err != nil {
		t.Fatal(err)
	}
	wrong := map[string]string{"AVGLOKET_DATA_DIR": data, "AVGLOKET_KEY_FILE": other}
	for _, args := range [][]string{{"migrate"}, {"serve", "--addr", "127.0.0.1:0"}, {"key", "status"}} {
		mustFail(t, wrong, []string{"does not belong to this database", other, "AVGLOKET_KEY_FILE", data, "No data in the database were changed"}, args...)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("the refused start removed a key file it did not make: %v", err)
	}

	// No key file at all: the one the start made is removed again.
	keyFile := filepath.Join(data, "keys.json")
	if err := os.Rename(keyFile, keyFile+".away"); err != nil {
		t.Fatal(err)
	}
	mustFail(t, envs, []string{"does not belong to this database", "there was no key file at " + keyFile, "removed again"}, "migrate")
	if _, err := os.Stat(keyFile); err == nil {
		t.Error("the refused start left the key file it made")
	}
	if err := os.Rename(keyFile+".away", keyFile); err != nil {
		t.Fatal(err)
	}
	st = openData(t, data)
	if _, err := st.CaseByReference(context.Background(), ref, casework.Scope{All: true}); err != nil {
		t.Errorf("the case after the refused starts: %v", err)
	}
}
