package filestore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

// failingPut is a store whose writes fail after reading what it is given.
type failingPut struct {
	*Store
	deleted []string
}

func (f *failingPut) Put(_ context.Context, _ string, src io.Reader, _ []byte) (int64, error) {
	_, _ = io.Copy(io.Discard, io.LimitReader(src, 3))
	return 0, errors.New("disk full")
}

func (f *failingPut) Delete(id string) error {
	f.deleted = append(f.deleted, id)
	return nil
}

// PutChecked keeps a file only when the check and the store both succeed;
// otherwise the file is gone and the check's error wins.
func TestPutChecked(t *testing.T) {
	s := newStore(t)
	upper := func(dst io.Writer, src io.Reader) (string, error) {
		b, err := io.ReadAll(src)
		if err != nil {
			return "", err
		}
		if bytes.HasPrefix(b, []byte("MZ")) {
			return "", errors.New("an executable")
		}
		_, err = dst.Write(bytes.ToUpper(b))
		return "text", err
	}

	kind, n, err := PutChecked(t.Context(), s, "bestand-goed", aad("bestand-goed"), strings.NewReader("hallo"), upper)
	if err != nil || kind != "text" || n != 5 {
		t.Fatalf("PutChecked = %q, %d, %v; want text, 5, nil", kind, n, err)
	}
	if got := mustGet(t, s, "bestand-goed"); string(got) != "HALLO" {
		t.Errorf("stored %q, want what the check wrote", got)
	}

	if _, _, err := PutChecked(t.Context(), s, "bestand-fout", aad("bestand-fout"), strings.NewReader("MZ..."), upper); err == nil || err.Error() != "an executable" {
		t.Errorf("refused by the check: err %v, want the check's", err)
	}
	var buf bytes.Buffer
	if _, err := s.Open(t.Context(), "bestand-fout", &buf, aad("bestand-fout")); err == nil {
		t.Error("a file the check refused is still there")
	}

	f := &failingPut{Store: s}
	if _, _, err := PutChecked(t.Context(), f, "bestand-vol", aad("bestand-vol"), strings.NewReader(strings.Repeat("x", 1<<20)), upper); err == nil || err.Error() != "disk full" {
		t.Errorf("store failed: err %v, want the store's", err)
	}
	if len(f.deleted) != 1 || f.deleted[0] != "bestand-vol" {
		t.Errorf("deleted %v after the store failed, want [bestand-vol]", f.deleted)
	}
}
