package web_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/avgloket/avgloket/internal/staff"
	"github.com/avgloket/avgloket/internal/vault"
)

// TestTamperedDownloadIsCutOff: a document is served whole with its length
// declared; once its file on disk is changed in a chunk that is decrypted
// ahead of the network, the download breaks off before that chunk, so the
// browser reports a failed download and never receives forged bytes.
func TestTamperedDownloadIsCutOff(t *testing.T) {
	a := newTestServer(t, withBranches("utrecht"))
	a.addMember(t, "officer@praktijk.example", staff.Officer, "utrecht")
	ref := a.fileRequest(t, "Sanne Voorbeeld", "sanne@example.nl", "utrecht")
	officer := a.signIn(t, "officer@praktijk.example")
	content := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("abcdefgh"), 8*vault.ChunkSize/8)...)
	if p := officer.uploadDocument(ref, "dossier.pdf", content); p.Status != http.StatusSeeOther {
		t.Fatalf("upload: status %d", p.Status)
	}
	id := a.documentsOf(t, ref)[0].ID
	client := &http.Client{Jar: officer.jar}
	download := func() (*http.Response, []byte, error) {
		t.Helper()
		res, err := client.Get(a.ts.URL + "/staff/cases/" + ref + "/documents/" + id)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		return res, body, err
	}

	res, body, err := download()
	if err != nil || res.StatusCode != http.StatusOK || !bytes.Equal(body, content) {
		t.Fatalf("intact download: status %d, %d of %d bytes, %v", res.StatusCode, len(body), len(content), err)
	}
	if got := res.Header.Get("Content-Length"); got != strconv.Itoa(len(content)) {
		t.Errorf("Content-Length %q, want %d", got, len(content))
	}

	const tagSize = 16 // each sealed chunk carries an AES-GCM tag
	const bad = 5      // past the first batch: decrypted by the read-ahead
	path := filepath.Join(a.filesDir, id+".enc")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	raw[vault.StreamHeaderSize+bad*(vault.ChunkSize+tagSize)+100] ^= 1
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	_, body, err = download()
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("tampered download ended with %v after %d bytes, want a broken download", err, len(body))
	}
	if len(body) > bad*vault.ChunkSize || !bytes.HasPrefix(content, body) {
		t.Fatalf("tampered download sent %d bytes; only the authentic chunks before chunk %d may go out", len(body), bad)
	}
}
