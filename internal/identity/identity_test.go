package identity_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/clock"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/filestore"
	"github.com/avgloket/avgloket/internal/identity"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/representation"
	"github.com/avgloket/avgloket/internal/staff"
	"github.com/avgloket/avgloket/internal/store"
	"github.com/avgloket/avgloket/internal/store/dbtest"
	"github.com/avgloket/avgloket/internal/upload"
	"github.com/avgloket/avgloket/internal/vault"
)

// links records the tracking links the mails carry.
type links struct{ last string }

func (l *links) mail(c casework.Case, u string) (mail.Message, error) {
	l.last = u
	return mail.Message{To: c.Requester.Email, Subject: "Bericht " + c.Reference, Text: u}, nil
}
func (l *links) Acknowledgement(c casework.Case, u string) (mail.Message, error) { return l.mail(c, u) }
func (l *links) Message(c casework.Case, u string) (mail.Message, error)         { return l.mail(c, u) }
func (l *links) Extension(c casework.Case, u string) (mail.Message, error)       { return l.mail(c, u) }
func (l *links) Decision(c casework.Case, u string) (mail.Message, error)        { return l.mail(c, u) }
func (l *links) Destroyed(c casework.Case, u string) (mail.Message, error)       { return l.mail(c, u) }
func (l *links) DecisionLetter(c casework.Case, d casework.Decision, _ deadline.Date) (casework.Letter, error) {
	return casework.Letter{Reference: c.Reference, Body: d.Letter}, nil
}

type fixture struct {
	cases *casework.Service
	id    *identity.Service
	store *store.Store
	clock *clock.Fake
	links *links
	owner casework.Actor
	dir   string
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	dir := tb.TempDir()
	keys, err := vault.LoadOrCreate(filepath.Join(dir, "keys.json"))
	if err != nil {
		tb.Fatal(err)
	}
	st, err := store.Open(context.Background(), dbtest.Target(tb, filepath.Join(dir, "db.sqlite")), keys, slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = st.Close() })
	files, err := filestore.New(filepath.Join(dir, "files"), keys)
	if err != nil {
		tb.Fatal(err)
	}
	fc := clock.NewFake(time.Date(2026, 11, 25, 9, 31, 0, 0, time.UTC))
	l := &links{}
	cases := casework.NewService(st, l, fc, "https://avg.example")
	id := identity.New(identity.Config{Cases: cases, Store: st, Files: files, Message: l.Message, Clock: fc,
		AAD: func(id string) []byte { return vault.AAD("case_files", "content", id) },
		Clean: func(dst io.Writer, src io.Reader, limit int64) (string, int64, error) {
			k, n, err := upload.Clean(dst, src, limit)
			return string(k), n, err
		}, UploadLimit: 64 << 10})
	cases.UseGate(id)
	if _, err := st.AddBranch(context.Background(), practice.Branch{Code: "utrecht", Name: "Utrecht"}, fc.Now()); err != nil {
		tb.Fatal(err)
	}
	o, err := st.AddMember(context.Background(), staff.NewMember{Email: "owner@example.org", Name: "Test Owner", Role: staff.Owner}, fc.Now())
	if err != nil {
		tb.Fatal(err)
	}
	return &fixture{cases: cases, id: id, store: st, clock: fc, links: l, owner: casework.Actor{ID: o.ID, Scope: o.Scope()}, dir: dir}
}

// file files a parent's access request for a child born on birth.
func (f *fixture) file(tb testing.TB, birth string) casework.Case {
	tb.Helper()
	var sub casework.Submission
	sub.Type = casework.Access
	sub.Requester = casework.Requester{Name: "Test Ouder", Email: "ouder@example.org", Relation: casework.Parent}
	sub.Subject.Name, sub.Subject.BirthDate = "Test Kind", birth
	c, _, err := f.cases.Submit(context.Background(), sub, casework.Intake{Channel: casework.Web})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func (f *fixture) token() string {
	return strings.TrimPrefix(f.links.last, "https://avg.example/volg/")
}

func keys(v identity.View) []string {
	var out []string
	for _, n := range v.Needs {
		out = append(out, n.Key)
	}
	return out
}

func grant(f *fixture, ref string) error {
	_, err := f.cases.Decide(context.Background(), f.owner, ref, casework.Decision{Outcome: casework.Granted, Reasons: "Kopie via de beveiligde link."})
	return err
}

// idCopyPNG makes a small PNG as a phone's photo of a masked ID copy
// would be: metadata in a tEXt chunk, which the upload cleaner drops, and
// pixels, a row of grey values spelling that text, stored uncompressed so
// that the text stands in clear in the image data, which the cleaner keeps
// byte for byte. So pixels is in the file the store gets, and is on disk in
// clear unless the store encrypts it.
func idCopyPNG(tb testing.TB, metadata, pixels string) []byte {
	tb.Helper()
	img := image.NewGray(image.Rect(0, 0, len(pixels), 1))
	copy(img.Pix, pixels)
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.NoCompression}).Encode(&buf, img); err != nil {
		tb.Fatal(err)
	}
	b := buf.Bytes()
	if !bytes.Contains(b, []byte(pixels)) {
		tb.Fatal("the uncompressed PNG does not hold its pixels as they are")
	}
	data := []byte("Comment\x00" + metadata)
	chunk := make([]byte, 8, 12+len(data))
	binary.BigEndian.PutUint32(chunk, uint32(len(data)))
	copy(chunk[4:], "tEXt")
	chunk = append(chunk, data...)
	crc := crc32.ChecksumIEEE(chunk[4:])
	chunk = binary.BigEndian.AppendUint32(chunk, crc)
	// After the signature (8) and IHDR (25).
	return append(append(append([]byte{}, b[:33]...), chunk...), b[33:]...)
}

// The done-when journey of issue 4: a parent asks about a 13-year-old; the
// officer asks for proof of authority, the parent uploads it, the officer
// records the verification, the ID copy is gone, the due date shows the
// pause, and only then can the case be granted.
func TestParentOfThirteenYearOld(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	c := f.file(t, "2013-05-01")
	v, err := f.id.View(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	want := "requester_identity parental_authority child_agreement inform_other_parent"
	if got := strings.Join(keys(v), " "); got != want || v.Age != 13 || v.Missing != 4 {
		t.Fatalf("needs %q age %d missing %d", got, v.Age, v.Missing)
	}
	if err := grant(f, c.Reference); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("granting before the proofs: %v, want a conflict", err)
	}

	if _, err := f.id.Ask(ctx, f.owner, c.Reference, representation.MethodIDCopy, casework.PurposeIDCopy,
		"Wilt u een afgeschermde kopie van uw identiteitsbewijs sturen?"); err != nil {
		t.Fatal(err)
	}
	asked, _, err := f.cases.Timeline(ctx, f.owner, c.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if asked.Status != casework.AwaitingIdentity || !asked.Paused() {
		t.Fatalf("after asking: %s paused %v", asked.Status, asked.Paused())
	}

	f.clock.Advance(5 * 24 * time.Hour) // the parent answers five days later
	marker, content := "MARKER-EXIF-4711", "PIXELS-PASPOORT-0815"
	answered, err := f.id.Answer(ctx, f.token(), "192.0.2.9", "Hierbij de kopie.",
		&identity.Upload{Purpose: casework.PurposeIDCopy, Body: bytes.NewReader(idCopyPNG(t, marker, content))})
	if err != nil {
		t.Fatal(err)
	}
	if answered.Status != casework.InProgress || answered.Paused() || answered.PauseDays != 5 {
		t.Fatalf("after the answer: %s paused %v days %d", answered.Status, answered.Paused(), answered.PauseDays)
	}
	// Received 25 November: the raw end is 25 December; plus the five days
	// waited it is Wednesday 30 December, a working day.
	if got := answered.Deadlines.Due.String(); got != "2026-12-30" {
		t.Fatalf("due after a 5-day pause: %s, want 2026-12-30 (it was 2026-12-28)", got)
	}
	v, _ = f.id.View(ctx, answered)
	if len(v.Files) != 1 || v.Files[0].Kind != "png" || v.Files[0].DestroyAfter == nil {
		t.Fatalf("files %+v", v.Files)
	}
	stored := filepath.Join(f.dir, "files")
	assertNotInDataFolder(t, f.dir, content)
	var out bytes.Buffer
	if err := f.id.Download(ctx, f.owner, c.Reference, v.Files[0].ID, func(casework.File) {}, &out); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out.Bytes(), []byte(marker)) {
		t.Fatal("the metadata survived the upload")
	}
	if !bytes.Contains(out.Bytes(), []byte(content)) {
		t.Fatal("the download lacks the image's pixels: the check above proves nothing")
	}
	if _, err := png.Decode(bytes.NewReader(out.Bytes())); err != nil {
		t.Fatalf("cleaned PNG does not decode: %v", err)
	}

	for _, key := range []string{"parental_authority", "child_agreement"} {
		if _, err := f.id.Record(ctx, f.owner, c.Reference, key, "satisfied", ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.id.Record(ctx, f.owner, c.Reference, "parental_authority", "waived", "reden"); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("waiving a proof of authority: %v", err)
	}
	if _, err := f.id.Record(ctx, f.owner, c.Reference, "inform_other_parent", "waived", ""); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("waiving without a reason: %v", err)
	}
	if _, err := f.id.Record(ctx, f.owner, c.Reference, "inform_other_parent", "waived", "De rechter besliste dat alleen deze ouder wordt geïnformeerd."); err != nil {
		t.Fatal(err)
	}
	if err := grant(f, c.Reference); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("granting before identity: %v", err)
	}
	_, destroyed, err := f.id.Verify(ctx, f.owner, c.Reference, representation.Verification{
		Method: representation.MethodIDCopy, Outcome: representation.Verified, Note: "Naam en foto vergeleken"})
	if err != nil {
		t.Fatal(err)
	}
	if len(destroyed) != 1 {
		t.Fatalf("destroyed %v", destroyed)
	}
	if entries, _ := os.ReadDir(stored); len(entries) != 0 {
		t.Fatalf("files left on disk: %v", entries)
	}
	v, _ = f.id.View(ctx, answered)
	if v.Files[0].DestroyedAt == nil || v.Missing != 0 {
		t.Fatalf("after verification: file %+v missing %d", v.Files[0], v.Missing)
	}
	if err := grant(f, c.Reference); err != nil {
		t.Fatalf("granting with everything on record: %v", err)
	}
}

// assertNotInDataFolder fails unless the data folder dir holds at least one
// stored file under files/, the database and its write-ahead log, and
// marker is in none of its files, whatever their folder.
func assertNotInDataFolder(tb testing.TB, dir, marker string) {
	tb.Helper()
	if entries, err := os.ReadDir(filepath.Join(dir, "files")); err != nil || len(entries) == 0 {
		tb.Fatalf("nothing stored under files/: %v", err)
	}
	for _, name := range []string{"db.sqlite", "db.sqlite-wal"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			tb.Fatalf("the data folder lacks %s: %v", name, err)
		}
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(marker)) {
			tb.Errorf("%s holds %q in clear", path, marker)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

func TestSeventeenYearOldNeedsConsent(t *testing.T) {
	f := newFixture(t)
	c := f.file(t, "2009-01-10")
	v, err := f.id.View(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(keys(v), " "); got != "requester_identity child_written_consent" {
		t.Fatalf("needs %q", got)
	}
}

func TestUploadsAreChecked(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		body []byte
		code apperr.Code
	}{
		{"HTML renamed to PDF", []byte("<html><script>alert(1)</script></html>"), apperr.Invalid},
		{"too large", append([]byte("%PDF-1.7\n"), make([]byte, 70<<10)...), apperr.TooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			c := f.file(t, "2013-05-01")
			if _, err := f.id.Ask(ctx, f.owner, c.Reference, representation.MethodIDCopy, casework.PurposeAuthority, "Bewijs van gezag graag."); err != nil {
				t.Fatal(err)
			}
			_, err := f.id.Answer(ctx, f.token(), "192.0.2.9", "", &identity.Upload{Purpose: casework.PurposeAuthority, Body: bytes.NewReader(tc.body)})
			if !apperr.Is(err, tc.code) {
				t.Fatalf("answer: %v, want %s", err, tc.code)
			}
			if entries, _ := os.ReadDir(filepath.Join(f.dir, "files")); len(entries) != 0 {
				t.Fatalf("a refused upload left %v", entries)
			}
			still, _, err := f.cases.Timeline(ctx, f.owner, c.Reference)
			if err != nil || still.Status != casework.AwaitingIdentity {
				t.Fatalf("a refused upload changed the case: %s %v", still.Status, err)
			}
		})
	}
	t.Run("wrong token", func(t *testing.T) {
		f := newFixture(t)
		f.file(t, "2013-05-01")
		if _, err := f.id.Answer(ctx, strings.Repeat("x", 43), "192.0.2.9", "hallo", nil); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("wrong token: %v", err)
		}
	})
}

// An ID copy that was never followed by a recorded verification goes after
// the set period all the same.
func TestIDCopyDestroyedAfterThePeriod(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	c := f.file(t, "2013-05-01")
	if _, err := f.id.Ask(ctx, f.owner, c.Reference, representation.MethodIDCopy, casework.PurposeIDCopy, "Kopie graag."); err != nil {
		t.Fatal(err)
	}
	if _, err := f.id.Answer(ctx, f.token(), "192.0.2.9", "", &identity.Upload{Purpose: casework.PurposeIDCopy,
		Body: bytes.NewReader(idCopyPNG(t, "x", "y"))}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(29 * 24 * time.Hour)
	if n, err := f.id.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("day 29: swept %d, %v", n, err)
	}
	f.clock.Advance(24*time.Hour + time.Minute)
	if n, err := f.id.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("day 30: swept %d, %v", n, err)
	}
	if n, err := f.id.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("a sweep after the removal visited %d files again, %v", n, err)
	}
	if entries, _ := os.ReadDir(filepath.Join(f.dir, "files")); len(entries) != 0 {
		t.Fatalf("files left: %v", entries)
	}
	v, _ := f.id.View(ctx, c)
	if v.Files[0].DestroyedAt == nil {
		t.Fatal("the record does not say the copy was destroyed")
	}
}

// fileAs files a request of type t by a requester in relation rel about a
// data subject born on birth (for self: the requester).
func (f *fixture) fileAs(tb testing.TB, rel casework.Relation, t casework.RequestType, birth string) casework.Case {
	tb.Helper()
	var sub casework.Submission
	sub.Type = t
	sub.Requester = casework.Requester{Name: "Test Aanvrager", Email: "aanvrager@example.org", Relation: rel}
	sub.Subject.Name, sub.Subject.BirthDate = "Test Kind", birth
	if t == casework.ConsentWithdrawal {
		sub.Details = "De nieuwsbrief."
	}
	c, _, err := f.cases.Submit(context.Background(), sub, casework.Intake{Channel: casework.Web})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func (f *fixture) verify(tb testing.TB, ref string) {
	tb.Helper()
	if _, _, err := f.id.Verify(context.Background(), f.owner, ref, representation.Verification{
		Method: representation.MethodEmailOnFile, Outcome: representation.Verified}); err != nil {
		tb.Fatal(err)
	}
}

// A child under 12 asks for their own file: WGBO 7:465(1) gives the rights
// to the parents with authority, so the case cannot be granted until a
// parent with authority is recorded (DOMAIN.md §8 "Minors by request").
func TestChildUnderTwelveNeedsAParent(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	c := f.fileAs(t, casework.Self, casework.Access, "2016-09-01") // 10 at receipt
	v, err := f.id.View(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(keys(v), " "); got != "requester_identity parent_acts child_interest_check" || v.Age != 10 {
		t.Fatalf("needs %q, age %d", got, v.Age)
	}
	if must, waivable, err := f.id.ParentMustAct(ctx, c); err != nil || !must || waivable {
		t.Fatalf("ParentMustAct = %v, %v, %v", must, waivable, err)
	}
	f.verify(t, c.Reference)
	if _, err := f.id.Record(ctx, f.owner, c.Reference, "child_interest_check", "satisfied", ""); err != nil {
		t.Fatal(err)
	}
	if err := grant(f, c.Reference); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("granted without a parent with authority: %v", err)
	}
	for _, state := range []string{"", "proven"} {
		if _, err := f.id.Record(ctx, f.owner, c.Reference, "parent_acts", state, ""); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("state %q: %v, want invalid", state, err)
		}
	}
	if _, err := f.id.Record(ctx, f.owner, c.Reference, "parent_acts", "waived", "het kind is slim"); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("waiving the parent: %v", err)
	}
	if v, _ := f.id.View(ctx, c); v.Missing != 1 {
		t.Fatalf("refused recordings changed the state: missing %d", v.Missing)
	}
	if _, err := f.id.Record(ctx, f.owner, c.Reference, "parent_acts", "satisfied", ""); err != nil {
		t.Fatal(err)
	}
	if err := grant(f, c.Reference); err != nil {
		t.Fatalf("granting with a parent on record: %v", err)
	}

	t.Run("a 12-year-old's own request needs only their identity", func(t *testing.T) {
		c := f.fileAs(t, casework.Self, casework.Access, "2014-11-25") // 12 on the day
		if must, _, _ := f.id.ParentMustAct(ctx, c); must {
			t.Fatal("a 12-year-old needs a parent")
		}
		f.verify(t, c.Reference)
		if err := grant(f, c.Reference); err != nil {
			t.Fatal(err)
		}
	})
}

// A parent without parental authority exercises none of the child's rights
// (BW 1:377c leaves them information about major facts): nothing they or
// the officer record makes the case grantable; a refusal can be made.
func TestParentWithoutAuthority(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	for _, typ := range []casework.RequestType{casework.Access, casework.ConsentWithdrawal} {
		t.Run(string(typ), func(t *testing.T) {
			c := f.fileAs(t, casework.ParentWithoutAuthority, typ, "2012-01-15") // 14
			v, err := f.id.View(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(keys(v), " "); got != "requester_identity no_parental_authority" {
				t.Fatalf("needs %q", got)
			}
			if !strings.Contains(v.Needs[1].Label["nl"], "1:377c") || v.Needs[1].Recordable {
				t.Fatalf("need %+v", v.Needs[1])
			}
			if _, err := f.id.Record(ctx, f.owner, c.Reference, "no_parental_authority", "satisfied", ""); !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("recording the reserved requirement: %v", err)
			}
			f.verify(t, c.Reference)
			if err := grant(f, c.Reference); !apperr.Is(err, apperr.Conflict) {
				t.Fatalf("granted to a parent without authority: %v", err)
			}
			if _, err := f.cases.Decide(ctx, f.owner, c.Reference, casework.Decision{Outcome: casework.Refused,
				Ground: casework.GroundNoRepresentation, Reasons: "Geen gezag; wel informatie op grond van BW 1:377c."}); err != nil {
				t.Fatalf("refusing: %v", err)
			}
		})
	}
}

// BW 7:465(2): a 16-year-old who cannot judge their own interests is
// represented by the parents with authority; waiving the young person's
// consent makes that authority a requirement, not a note in the reason.
func TestSixteenWithoutCapacityNeedsAuthority(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	c := f.fileAs(t, casework.Parent, casework.Access, "2010-06-01") // 16
	f.verify(t, c.Reference)
	if _, err := f.id.Record(ctx, f.owner, c.Reference, "child_written_consent", "waived",
		"Oordeel hulpverlener: niet in staat tot een redelijke waardering van zijn belangen."); err != nil {
		t.Fatal(err)
	}
	v, err := f.id.View(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(keys(v), " "); got != "requester_identity child_written_consent parental_authority child_interest_check" || v.Missing != 2 {
		t.Fatalf("needs %q, missing %d", got, v.Missing)
	}
	if err := grant(f, c.Reference); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("granted without the parents' authority: %v", err)
	}
	for _, key := range []string{"parental_authority", "child_interest_check"} {
		if _, err := f.id.Record(ctx, f.owner, c.Reference, key, "satisfied", ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := grant(f, c.Reference); err != nil {
		t.Fatal(err)
	}
}

// A Belgian practice's table: a child under 12 usually needs a parent, but
// a capable minor acts independently (wet patiëntenrechten art. 12 §2), so
// the counsellor may waive it with a reason.
func TestBelgianTable(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	st, err := f.store.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.Name, st.Address, st.KvK, st.PrivacyEmail = "Praktijk Test", "Straat 1, Gent", "0123456789", "privacy@praktijk.example"
	st.Country, st.Calendar, st.RepresentationRules = "BE", "BE", representation.Initial("BE")
	if err := f.store.SaveSettings(ctx, st, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	c := f.fileAs(t, casework.Self, casework.Access, "2016-09-01")
	if must, waivable, err := f.id.ParentMustAct(ctx, c); err != nil || !must || !waivable {
		t.Fatalf("ParentMustAct = %v, %v, %v", must, waivable, err)
	}
	f.verify(t, c.Reference)
	if _, err := f.id.Record(ctx, f.owner, c.Reference, "parent_acts", "waived", "Oordeel hulpverlener: in staat tot een redelijke beoordeling (art. 12 §2)."); err != nil {
		t.Fatal(err)
	}
	if err := grant(f, c.Reference); err != nil {
		t.Fatal(err)
	}
}
