package vault

import (
	"bytes"
	"crypto/rand"
	"errors"
	"path/filepath"
	"testing"
)

// newRing creates a fresh key ring in a temporary folder and returns it with
// its key file path.
func newRing(tb testing.TB) (*KeyRing, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "keys", "keys.json")
	k, err := LoadOrCreate(path)
	if err != nil {
		tb.Fatalf("LoadOrCreate: %v", err)
	}
	return k, path
}

func randBytes(tb testing.TB, n int) []byte {
	tb.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		tb.Fatalf("rand: %v", err)
	}
	return b
}

func mustSeal(tb testing.TB, k *KeyRing, plaintext, aad []byte) []byte {
	tb.Helper()
	blob, err := k.Seal(plaintext, aad)
	if err != nil {
		tb.Fatalf("Seal: %v", err)
	}
	return blob
}

func mustOpen(tb testing.TB, k *KeyRing, blob, aad, want []byte) {
	tb.Helper()
	got, err := k.Open(blob, aad)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	if !bytes.Equal(got, want) {
		tb.Fatalf("Open returned %d bytes that differ from the %d sealed", len(got), len(want))
	}
}

// mustFailOpen checks that Open fails closed: ErrDecrypt and no plaintext.
func mustFailOpen(tb testing.TB, k *KeyRing, blob, aad []byte) {
	tb.Helper()
	got, err := k.Open(blob, aad)
	if !errors.Is(err, ErrDecrypt) {
		tb.Fatalf("Open error = %v, want ErrDecrypt", err)
	}
	if got != nil {
		tb.Fatalf("Open returned %d bytes of plaintext along with an error", len(got))
	}
}

func mustEncrypt(tb testing.TB, k *KeyRing, plaintext, aad []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	n, err := k.EncryptStream(&buf, bytes.NewReader(plaintext), aad)
	if err != nil {
		tb.Fatalf("EncryptStream: %v", err)
	}
	if n != int64(len(plaintext)) {
		tb.Fatalf("EncryptStream reported %d bytes, want %d", n, len(plaintext))
	}
	return buf.Bytes()
}

// mustFailDecrypt checks that DecryptStream reports ErrDecrypt and returns
// what it wrote to dst, for checks on partial output.
func mustFailDecrypt(tb testing.TB, k *KeyRing, stream, aad []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	n, err := k.DecryptStream(&buf, bytes.NewReader(stream), aad)
	if !errors.Is(err, ErrDecrypt) {
		tb.Fatalf("DecryptStream error = %v, want ErrDecrypt", err)
	}
	if n != int64(buf.Len()) {
		tb.Fatalf("DecryptStream reported %d bytes but wrote %d", n, buf.Len())
	}
	return buf.Bytes()
}

// chunk returns the i-th encrypted chunk of a stream (the last may be short).
func chunk(stream []byte, i int) []byte {
	start := StreamHeaderSize + i*encChunkSize
	end := min(start+encChunkSize, len(stream))
	return stream[start:end]
}

// concat joins byte slices into a new one.
func concat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
