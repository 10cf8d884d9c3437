package filestore

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/vault"
)

// newRotatable returns a Store with a fresh key ring and the ring's key
// file, for Rotate.
func newRotatable(tb testing.TB) (*Store, string) {
	tb.Helper()
	keyFile := filepath.Join(tb.TempDir(), "keys", "keys.json")
	keys, err := vault.LoadOrCreate(keyFile)
	if err != nil {
		tb.Fatalf("LoadOrCreate: %v", err)
	}
	s, err := New(filepath.Join(tb.TempDir(), "files"), keys)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return s, keyFile
}

func mustRotate(tb testing.TB, s *Store, keyFile string) uint32 {
	tb.Helper()
	v, err := s.keys.Rotate(keyFile)
	if err != nil {
		tb.Fatalf("Rotate: %v", err)
	}
	return v
}

// raw reads file id as stored.
func raw(tb testing.TB, s *Store, id string) []byte {
	tb.Helper()
	b, err := os.ReadFile(s.path(id))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func headerVersion(tb testing.TB, s *Store, id string) uint32 {
	tb.Helper()
	v, err := s.keys.KeyVersion(raw(tb, s, id))
	if err != nil {
		tb.Fatalf("KeyVersion(%s): %v", id, err)
	}
	return v
}

// Rewrap gives a file a header on the new key version, keeps its chunks
// byte for byte and its mode, and it still opens to the same content; a
// second Rewrap changes nothing.
func TestRewrapMovesFileToCurrentVersion(t *testing.T) {
	sizes := []struct {
		name string
		size int
	}{
		{"empty", 0},
		{"one byte", 1},
		{"one chunk and a bit", vault.ChunkSize + 1},
		{"three chunks", 3 * vault.ChunkSize},
	}
	for _, tt := range sizes {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, keyFile := newRotatable(t)
			id := "file-rewrap-1"
			content := bytes.Repeat([]byte(marker), tt.size/len(marker)+1)[:tt.size]
			mustPut(t, s, id, content)
			before := raw(t, s, id)

			if v := mustRotate(t, s, keyFile); v != 2 {
				t.Fatalf("Rotate = %d", v)
			}
			if v := headerVersion(t, s, id); v != 1 {
				t.Fatalf("after Rotate the file is on version %d, want 1 until rewrapped", v)
			}
			if got := mustGet(t, s, id); !bytes.Equal(got, content) {
				t.Fatal("after Rotate the file opens to other content")
			}

			changed, err := s.Rewrap(id, aad(id))
			if err != nil || !changed {
				t.Fatalf("Rewrap = %v, %v; want changed", changed, err)
			}
			after := raw(t, s, id)
			if v := headerVersion(t, s, id); v != 2 {
				t.Errorf("after Rewrap the file is on version %d, want 2", v)
			}
			if len(after) != len(before) || !bytes.Equal(after[vault.StreamHeaderSize:], before[vault.StreamHeaderSize:]) {
				t.Error("Rewrap changed the encrypted chunks")
			}
			if bytes.Equal(after[:vault.StreamHeaderSize], before[:vault.StreamHeaderSize]) {
				t.Error("Rewrap left the header as it was")
			}
			if got := mustGet(t, s, id); !bytes.Equal(got, content) {
				t.Error("after Rewrap the file opens to other content")
			}
			if fi, err := os.Stat(s.path(id)); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("after Rewrap: %v, %v; want mode 0600", fi.Mode(), err)
			}
			if changed, err := s.Rewrap(id, aad(id)); err != nil || changed {
				t.Errorf("second Rewrap = %v, %v; want no change", changed, err)
			}
			if !bytes.Equal(raw(t, s, id), after) {
				t.Error("the second Rewrap changed the file")
			}
			wantNoTemp(t, s)
		})
	}
}

// Rewrap leaves a file it cannot vouch for exactly as it is.
func TestRewrapRefuses(t *testing.T) {
	s, keyFile := newRotatable(t)
	stale, err := New(s.dir, mustLoad(t, keyFile)) // loaded before the rotation below
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, "file-moved-1", []byte(marker))
	mustPut(t, s, "file-short-1", []byte(marker))
	mustRotate(t, s, keyFile)
	mustPut(t, s, "file-newer-1", []byte(marker))
	if err := os.Truncate(s.path("file-short-1"), vault.StreamHeaderSize-1); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		store *Store
		id    string
		aad   []byte
		check func(error) bool
	}{
		{"other associated data", s, "file-moved-1", aad("file-other-1"), func(err error) bool { return errors.Is(err, vault.ErrDecrypt) }},
		{"header cut short", s, "file-short-1", aad("file-short-1"), func(err error) bool { return errors.Is(err, vault.ErrDecrypt) }},
		{"newer version than the ring's", stale, "file-newer-1", aad("file-newer-1"), func(err error) bool { return errors.Is(err, vault.ErrDecrypt) }},
		{"missing file", s, "file-missing-1", aad("file-missing-1"), func(err error) bool { return apperr.Is(err, apperr.NotFound) }},
		{"bad id", s, "../keys", aad("../keys"), func(err error) bool { return apperr.Is(err, apperr.Invalid) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before []byte
			if tt.store.Exists(tt.id) {
				before = raw(t, tt.store, tt.id)
			}
			changed, err := tt.store.Rewrap(tt.id, tt.aad)
			if changed || !tt.check(err) {
				t.Fatalf("Rewrap = %v, %v", changed, err)
			}
			if strings.Contains(err.Error(), marker) {
				t.Errorf("error quotes content: %v", err)
			}
			if before != nil && !bytes.Equal(raw(t, tt.store, tt.id), before) {
				t.Error("the refused file was changed")
			}
		})
	}
	wantNoTemp(t, s)
}

// Walk lists the stored files and nothing else.
func TestWalk(t *testing.T) {
	s, _ := newRotatable(t)
	var want []string
	for _, id := range []string{"file-walk-1", "file-walk-2", "file-walk-3"} {
		mustPut(t, s, id, []byte(marker))
		want = append(want, id)
	}
	for _, name := range []string{tempPrefix + "123", "notes.txt", "UPPER.enc", "x.enc"} {
		if err := os.WriteFile(filepath.Join(s.dir, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(s.dir, "folder-1.enc"), 0o700); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := s.Walk(context.Background(), func(id string) error { got = append(got, id); return nil }); err != nil {
		t.Fatalf("Walk: %v", err)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("Walk = %v, want %v", got, want)
	}
	stop := errors.New("stop")
	n := 0
	if err := s.Walk(context.Background(), func(string) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Errorf("Walk after an error from fn: %v, %d calls", err, n)
	}
}

func mustLoad(tb testing.TB, keyFile string) *vault.KeyRing {
	tb.Helper()
	k, err := vault.LoadOrCreate(keyFile)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func wantNoTemp(tb testing.TB, s *Store) {
	tb.Helper()
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix) {
			tb.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

// KeyVersion names the version of a file's header, also after a rewrap;
// a missing file is not found, a file shorter than a header does not
// decrypt.
func TestKeyVersion(t *testing.T) {
	s, keyFile := newRotatable(t)
	id := "0123456789abcdef"
	mustPut(t, s, id, []byte("verslag"))
	if v, err := s.KeyVersion(id); err != nil || v != 1 {
		t.Fatalf("KeyVersion = %d, %v; want 1", v, err)
	}
	mustRotate(t, s, keyFile)
	if _, err := s.Rewrap(id, aad(id)); err != nil {
		t.Fatal(err)
	}
	if v, err := s.KeyVersion(id); err != nil || v != 2 {
		t.Fatalf("KeyVersion after the rewrap = %d, %v; want 2", v, err)
	}
	mustCode(t, func() error { _, err := s.KeyVersion("fedcba9876543210"); return err }(), apperr.NotFound)
	if err := os.WriteFile(s.path(id), raw(t, s, id)[:10], 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.KeyVersion(id); !errors.Is(err, vault.ErrDecrypt) {
		t.Errorf("KeyVersion of a truncated file: %v, want ErrDecrypt", err)
	}
}
