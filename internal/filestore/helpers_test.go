package filestore

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/vault"
)

// newStore returns a Store in a fresh folder with a fresh key ring.
func newStore(tb testing.TB) *Store {
	tb.Helper()
	keys, err := vault.LoadOrCreate(filepath.Join(tb.TempDir(), "keys", "keys.json"))
	if err != nil {
		tb.Fatalf("LoadOrCreate: %v", err)
	}
	s, err := New(filepath.Join(tb.TempDir(), "files"), keys)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return s
}

// aad is the associated data the tests bind a file to.
func aad(id string) []byte { return vault.AAD("files", "content", id) }

func mustPut(tb testing.TB, s *Store, id string, content []byte) {
	tb.Helper()
	n, err := s.Put(context.Background(), id, bytes.NewReader(content), aad(id))
	if err != nil {
		tb.Fatalf("Put(%s): %v", id, err)
	}
	if n != int64(len(content)) {
		tb.Fatalf("Put(%s) stored %d bytes, want %d", id, n, len(content))
	}
}

func mustGet(tb testing.TB, s *Store, id string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	n, err := s.Open(context.Background(), id, &buf, aad(id))
	if err != nil {
		tb.Fatalf("Open(%s): %v", id, err)
	}
	if n != int64(buf.Len()) {
		tb.Fatalf("Open(%s) reported %d bytes, wrote %d", id, n, buf.Len())
	}
	return buf.Bytes()
}

// mustFailDecrypt checks that opening id with its aad fails with ErrDecrypt.
func mustFailDecrypt(tb testing.TB, s *Store, id string) {
	tb.Helper()
	var buf bytes.Buffer
	if _, err := s.Open(context.Background(), id, &buf, aad(id)); !errors.Is(err, vault.ErrDecrypt) {
		tb.Fatalf("Open(%s) error = %v, want vault.ErrDecrypt", id, err)
	}
}

func mustCode(tb testing.TB, err error, code apperr.Code) {
	tb.Helper()
	if err == nil || apperr.CodeOf(err) != code {
		tb.Fatalf("error = %v, want apperr %s", err, code)
	}
}

// allocated runs f and returns the bytes allocated meanwhile.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
