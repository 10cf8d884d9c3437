package filestore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/upload"
	"github.com/avgloket/avgloket/internal/vault"
)

const marker = "MARKER-bsn-123456782"

func TestRoundTrip(t *testing.T) {
	s := newStore(t)
	sizes := []int{0, 1, 100, vault.ChunkSize - 1, vault.ChunkSize, vault.ChunkSize + 1, 2 * vault.ChunkSize, 3*vault.ChunkSize + 17}
	for i, size := range sizes {
		id := "file-" + strings.Repeat("0", 3) + string(rune('a'+i))
		content := bytes.Repeat([]byte{byte(i + 1)}, size)
		mustPut(t, s, id, content)
		if got := mustGet(t, s, id); !bytes.Equal(got, content) {
			t.Fatalf("size %d: Open returned %d different bytes", size, len(got))
		}
		if n, err := s.Size(id); err != nil || n != int64(size) {
			t.Fatalf("Size = %d, %v; want %d", n, err, size)
		}
		if !s.Exists(id) {
			t.Fatalf("Exists(%s) = false", id)
		}
	}
}

// TestBigStreamed stores and opens a generated 10 MB file and checks that
// neither holds it in memory.
func TestBigStreamed(t *testing.T) {
	const size = 10 << 20
	s := newStore(t)
	id := "big-file-1"
	gen := func() io.Reader { return io.LimitReader(rand.NewChaCha8([32]byte{1}), size) }
	want := sha256.New()
	io.Copy(want, gen())

	var n int64
	var err error
	alloc := allocated(func() { n, err = s.Put(context.Background(), id, gen(), aad(id)) })
	t.Logf("Put allocated %d bytes", alloc)
	if alloc > 1<<20 {
		t.Errorf("Put of %d bytes allocated %d bytes", size, alloc)
	}
	if err != nil || n != size {
		t.Fatalf("Put = %d, %v", n, err)
	}
	got := sha256.New()
	alloc = allocated(func() { n, err = s.Open(context.Background(), id, got, aad(id)) })
	t.Logf("Open allocated %d bytes", alloc)
	if alloc > 1<<20 {
		t.Errorf("Open of %d bytes allocated %d bytes", size, alloc)
	}
	if err != nil || n != size || !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Fatalf("Open = %d, %v, same content: %v", n, err, bytes.Equal(got.Sum(nil), want.Sum(nil)))
	}
	if sz, err := s.Size(id); err != nil || sz != size {
		t.Fatalf("Size = %d, %v", sz, err)
	}
}

func TestOnDisk(t *testing.T) {
	s := newStore(t)
	id := "0f8fad5b-d9cb-469f-a165-70867728950e"
	mustPut(t, s, id, []byte(strings.Repeat("ID copy of "+marker+"\n", 5000)))
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != id+suffix {
		t.Fatalf("folder holds %v, want only %s%s", entries, id, suffix)
	}
	raw, err := os.ReadFile(s.path(id))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(marker)) || bytes.Contains(raw, []byte("ID copy")) {
		t.Fatal("plaintext found in the file on disk")
	}
	for path, want := range map[string]fs.FileMode{s.dir: 0o700, s.path(id): 0o600} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != want {
			t.Fatalf("%s: mode %v, %v; want %v", path, fi.Mode().Perm(), err, want)
		}
	}
}

func TestTampered(t *testing.T) {
	content := bytes.Repeat([]byte("abcdefgh"), vault.ChunkSize/4) // two chunks
	tests := []struct {
		name   string
		change func([]byte) []byte
	}{
		{"header byte flipped", func(b []byte) []byte { b[10] ^= 1; return b }},
		{"first chunk byte flipped", func(b []byte) []byte { b[vault.StreamHeaderSize+5] ^= 1; return b }},
		{"last byte flipped", func(b []byte) []byte { b[len(b)-1] ^= 0x80; return b }},
		{"cut short", func(b []byte) []byte { return b[:len(b)-100] }},
		{"cut at the chunk boundary", func(b []byte) []byte { return b[:vault.StreamHeaderSize+vault.ChunkSize+gcmTagSize] }},
		{"appended", func(b []byte) []byte { return append(b, 0) }},
		{"empty", func([]byte) []byte { return nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			id := "tampered-1"
			mustPut(t, s, id, content)
			raw, err := os.ReadFile(s.path(id))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(s.path(id), tt.change(raw), 0o600); err != nil {
				t.Fatal(err)
			}
			mustFailDecrypt(t, s, id)
		})
	}
}

func TestMovedFile(t *testing.T) {
	s := newStore(t)
	mustPut(t, s, "original-1", []byte(marker))
	raw, err := os.ReadFile(s.path("original-1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.path("other-file-2"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	mustFailDecrypt(t, s, "other-file-2")
	if got := mustGet(t, s, "original-1"); string(got) != marker {
		t.Fatal("the original no longer opens")
	}
}

func TestDelete(t *testing.T) {
	s := newStore(t)
	id := "to-delete-1"
	mustPut(t, s, id, []byte(marker))
	if err := s.Delete(id); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if s.Exists(id) {
		t.Fatal("Exists after Delete")
	}
	_, err := s.Open(context.Background(), id, io.Discard, aad(id))
	mustCode(t, err, apperr.NotFound)
	_, err = s.Size(id)
	mustCode(t, err, apperr.NotFound)
	if err := s.Delete(id); err != nil {
		t.Fatalf("Delete of a missing file: %v", err)
	}
}

func TestBadIDs(t *testing.T) {
	s := newStore(t)
	for _, id := range []string{"", "A", "../x", "../../etc/passwd", "abcdefg", "ABCDEFGH", "abcdefgh/../../x", "abcdefgh.enc",
		"abcdefgh\x00", "abc def gh", strings.Repeat("a", 65), ".tmp-12345678"} {
		_, err := s.Put(context.Background(), id, strings.NewReader(marker), aad(id))
		mustCode(t, err, apperr.Invalid)
		_, err = s.Open(context.Background(), id, io.Discard, aad(id))
		mustCode(t, err, apperr.Invalid)
		_, err = s.Size(id)
		mustCode(t, err, apperr.Invalid)
		mustCode(t, s.Delete(id), apperr.Invalid)
		if s.Exists(id) {
			t.Fatalf("Exists(%q) = true", id)
		}
	}
	if entries, _ := os.ReadDir(s.dir); len(entries) != 0 {
		t.Fatalf("folder holds %v after refused ids", entries)
	}
}

// TestPutFails checks that a Put that fails leaves nothing behind.
func TestPutFails(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tooLarge := func() io.Reader {
		pr, pw := io.Pipe()
		go func() {
			_, _, err := upload.Clean(pw, strings.NewReader("%PDF-1.7\n"+strings.Repeat(marker, 100)), 1000)
			pw.CloseWithError(err)
		}()
		return pr
	}
	tests := []struct {
		name string
		ctx  context.Context
		src  io.Reader
		want error
	}{
		{"cancelled", cancelled, strings.NewReader(marker), context.Canceled},
		{"read error", context.Background(), io.MultiReader(strings.NewReader(marker), iotestErr{}), errRead},
		{"upload too large", context.Background(), tooLarge(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			_, err := s.Put(tt.ctx, "failing-1", tt.src, aad("failing-1"))
			switch {
			case tt.want == nil:
				mustCode(t, err, apperr.TooLarge)
			case !errors.Is(err, tt.want):
				t.Fatalf("Put error = %v, want %v", err, tt.want)
			}
			if entries, _ := os.ReadDir(s.dir); len(entries) != 0 {
				t.Fatalf("folder holds %v after a failed Put", entries)
			}
		})
	}
}

var errRead = errors.New("connection reset")

type iotestErr struct{}

func (iotestErr) Read([]byte) (int, error) { return 0, errRead }
