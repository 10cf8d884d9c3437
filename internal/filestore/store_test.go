package filestore

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/vault"
)

func TestRemoveTemp(t *testing.T) {
	s := newStore(t)
	mustPut(t, s, "kept-file-1", []byte(marker))
	old := filepath.Join(s.dir, tempPrefix+"old")
	fresh := filepath.Join(s.dir, tempPrefix+"fresh")
	for _, p := range []string{old, fresh} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	if err := os.Chtimes(old, now.Add(-2*time.Hour), now.Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n, err := s.RemoveTemp(now.Add(-time.Hour)); err != nil || n != 1 {
		t.Fatalf("RemoveTemp = %d, %v; want 1", n, err)
	}
	for p, want := range map[string]bool{old: false, fresh: true, s.path("kept-file-1"): true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Fatalf("%s exists: %v, want %v", filepath.Base(p), err == nil, want)
		}
	}
}

func TestNew(t *testing.T) {
	keys, err := vault.LoadOrCreate(filepath.Join(t.TempDir(), "keys.json"))
	if err != nil {
		t.Fatal(err)
	}
	open := t.TempDir()
	if err := os.Chmod(open, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		dir  string
		keys *vault.KeyRing
		ok   bool
	}{
		{"new folder", filepath.Join(t.TempDir(), "a", "b"), keys, true},
		{"folder open to others", open, keys, false},
		{"a file", file, keys, false},
		{"no folder", "", keys, false},
		{"no keys", t.TempDir(), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.dir, tt.keys); (err == nil) != tt.ok {
				t.Fatalf("New error = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestPlainSize(t *testing.T) {
	const h, c, tag = vault.StreamHeaderSize, vault.ChunkSize, gcmTagSize
	tests := []struct {
		file int64
		want int64
		ok   bool
	}{
		{h + tag, 0, true},
		{h + 1 + tag, 1, true},
		{h + c + tag, c, true},
		{h + c + tag + 1 + tag, c + 1, true},
		{0, 0, false},
		{h, 0, false},
		{h + tag - 1, 0, false},
		{h + c + tag + tag, 0, false}, // an empty chunk after a full one
		{h + c + tag + 5, 0, false},
	}
	for _, tt := range tests {
		if got, ok := plainSize(tt.file); got != tt.want || ok != tt.ok {
			t.Errorf("plainSize(%d) = %d, %v; want %d, %v", tt.file, got, ok, tt.want, tt.ok)
		}
	}
}
