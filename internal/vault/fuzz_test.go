package vault

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"testing"
)

// FuzzOpen feeds arbitrary bytes and associated data to Open: it must never
// panic, must fail with ErrDecrypt, and may succeed only for a blob that Seal
// produced for that very aad (every byte of a blob is authenticated, so any
// mutation of a seed must fail).
func FuzzOpen(f *testing.F) {
	k, err := LoadOrCreate(filepath.Join(f.TempDir(), "keys.json"))
	if err != nil {
		f.Fatal(err)
	}
	type sealed struct{ blob, aad, plaintext []byte }
	var seeds []sealed
	for i, pt := range [][]byte{nil, []byte("x"), []byte("jan@example.nl"), bytes.Repeat([]byte{0xAA}, 300)} {
		aad := AAD("cases", "requester", string(rune('1'+i)))
		blob, err := k.Seal(pt, aad)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, sealed{blob, aad, pt})
		f.Add(blob, aad)
	}
	f.Add([]byte{}, []byte{})
	f.Add([]byte{formatBlob, 0, 0, 0, 1}, AAD("cases", "requester", "1"))
	f.Add(make([]byte, minBlobSize), AAD("cases", "requester", "1"))

	f.Fuzz(func(t *testing.T, blob, aad []byte) {
		pt, err := k.Open(blob, aad)
		if err != nil {
			if !errors.Is(err, ErrDecrypt) {
				t.Fatalf("Open error %v does not match ErrDecrypt", err)
			}
			if pt != nil {
				t.Fatal("Open returned plaintext with an error")
			}
			return
		}
		for _, s := range seeds {
			if bytes.Equal(blob, s.blob) && bytes.Equal(aad, s.aad) {
				if !bytes.Equal(pt, s.plaintext) {
					t.Fatal("Open returned the wrong plaintext")
				}
				return
			}
		}
		t.Fatalf("Open accepted %d bytes that Seal did not produce", len(blob))
	})
}

// FuzzDecryptStream does the same for streams: no panic, and success only
// for the untouched output of EncryptStream.
func FuzzDecryptStream(f *testing.F) {
	k, err := LoadOrCreate(filepath.Join(f.TempDir(), "keys.json"))
	if err != nil {
		f.Fatal(err)
	}
	aad := AAD("files", "content", "1")
	var seeds [][]byte
	for _, pt := range [][]byte{nil, []byte("x"), bytes.Repeat([]byte{1}, 1000)} {
		var buf bytes.Buffer
		if _, err := k.EncryptStream(&buf, bytes.NewReader(pt), aad); err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, buf.Bytes())
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, stream []byte) {
		_, err := k.DecryptStream(io.Discard, bytes.NewReader(stream), aad)
		if err != nil {
			if !errors.Is(err, ErrDecrypt) {
				t.Fatalf("DecryptStream error %v does not match ErrDecrypt", err)
			}
			return
		}
		for _, s := range seeds {
			if bytes.Equal(stream, s) {
				return
			}
		}
		t.Fatalf("DecryptStream accepted %d bytes that EncryptStream did not produce", len(stream))
	})
}
