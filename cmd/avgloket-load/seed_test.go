package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/auth"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/filestore"
	"github.com/avgloket/avgloket/internal/staff"
	"github.com/avgloket/avgloket/internal/vault"
)

// testSite is a data folder set up through the store, as the binary's
// practice set and user add would set it up.
func testSite(t *testing.T) *site {
	t.Helper()
	dir := t.TempDir()
	s := &site{root: dir, data: filepath.Join(dir, "data")}
	sd, err := openSeeder(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	defer sd.close()
	st, err := sd.st.Settings(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	st.Name, st.Address, st.KvK, st.PrivacyEmail = practiceName, "Proefstraat 1, 1234 AB Meetdorp", "12345678", privacyEmail
	if err := sd.st.SaveSettingsAudited(t.Context(), st, audit.Entry{At: time.Now(), Actor: audit.System}); err != nil {
		t.Fatal(err)
	}
	if _, err := sd.st.AddMember(t.Context(), staff.NewMember{Email: officerEmail, Name: officerName, Role: staff.Officer}, time.Now()); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSeederFillsTheRegister: the seeded cases are in the register as the
// officer sees it, and the session is one the portal takes as a complete
// sign-in.
func TestSeederFillsTheRegister(t *testing.T) {
	s := testSite(t)
	sd, err := openSeeder(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	defer sd.close()
	if err := sd.seedCases(t.Context(), 0, 30); err != nil {
		t.Fatal(err)
	}
	if err := sd.seedCases(t.Context(), 30, 5); err != nil {
		t.Fatal(err)
	}
	page, err := sd.st.ListCases(t.Context(), casework.Query{Limit: 200}, casework.Scope{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Cases) != 35 {
		t.Fatalf("%d cases listed, want 35", len(page.Cases))
	}
	k := page.Cases[0]
	if k.Status != casework.Received || k.Requester.Email != "" || !strings.HasPrefix(k.Subject.Name, "Kind ") || k.Deadlines.Due.IsZero() {
		t.Errorf("a seeded case reads back as %+v", k)
	}
	raw, err := sd.session(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	sess, err := sd.st.SessionByHash(t.Context(), auth.HashID(raw))
	if err != nil {
		t.Fatal(err)
	}
	if !sess.SecondFactor || !auth.DefaultSessionPolicy().Alive(sess, time.Now()) {
		t.Errorf("session %+v is not a live, complete sign-in", sess)
	}
}

// TestSeedDocumentOpensAsThePortalWould: the seeded document is recorded
// on a case and its file opens with the portal's binding of a case file to
// its id.
func TestSeedDocumentOpensAsThePortalWould(t *testing.T) {
	s := testSite(t)
	plain := filepath.Join(s.root, "plain", "document.zip")
	if _, err := writePlain(plain, 100_000); err != nil {
		t.Fatal(err)
	}
	path, cookie, err := seedDocument(t.Context(), s, plain)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(path, "/")
	if len(parts) != 6 || parts[1] != "staff" || parts[4] != "documents" || cookie == "" {
		t.Fatalf("download path %q, cookie %q", path, cookie)
	}
	keys, err := vault.LoadOrCreate(s.keyFile())
	if err != nil {
		t.Fatal(err)
	}
	files, err := filestore.New(filepath.Join(s.data, "files"), keys)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	id := parts[5]
	if _, err := files.Open(t.Context(), id, &got, vault.AAD("case_files", "content", id)); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(plain)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("the stored document opens as %d bytes, not the %d written", got.Len(), len(want))
	}
}
