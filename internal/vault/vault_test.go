package vault

import (
	"bytes"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestSealOpenRoundTrip(t *testing.T) {
	k, _ := newRing(t)
	aad := AAD("cases", "requester", "42")
	tests := []struct {
		name      string
		plaintext []byte
	}{
		{"empty", []byte{}},
		{"nil", nil},
		{"one byte", []byte{0}},
		{"text", []byte("Jan Jansen, Dorpsstraat 1, 1234 AB Ergens")},
		{"1 KiB", randBytes(t, 1<<10)},
		{"100 KiB", randBytes(t, 100<<10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blob := mustSeal(t, k, tt.plaintext, aad)
			if got, want := len(blob), minBlobSize+len(tt.plaintext); got != want {
				t.Errorf("blob length = %d, want %d", got, want)
			}
			if blob[0] != formatBlob {
				t.Errorf("format byte = %d, want %d", blob[0], formatBlob)
			}
			mustOpen(t, k, blob, aad, tt.plaintext)
		})
	}
}

func TestSealRequiresAAD(t *testing.T) {
	k, _ := newRing(t)
	for _, aad := range [][]byte{nil, {}} {
		if _, err := k.Seal([]byte("x"), aad); err == nil {
			t.Errorf("Seal with aad %q succeeded, want an error", aad)
		}
		if _, err := k.EncryptStream(&bytes.Buffer{}, strings.NewReader("x"), aad); err == nil {
			t.Errorf("EncryptStream with aad %q succeeded, want an error", aad)
		}
	}
}

func TestOpenFailsOnAnyBitFlip(t *testing.T) {
	k, _ := newRing(t)
	aad := AAD("cases", "requester", "1")
	blob := mustSeal(t, k, []byte("a short secret"), aad)
	for i := range blob {
		for bit := range 8 {
			t.Run(fmt.Sprintf("byte %d bit %d", i, bit), func(t *testing.T) {
				tampered := bytes.Clone(blob)
				tampered[i] ^= 1 << bit
				mustFailOpen(t, k, tampered, aad)
				if _, _, err := k.Rewrap(tampered, aad); !errors.Is(err, ErrDecrypt) {
					t.Fatalf("Rewrap error = %v, want ErrDecrypt", err)
				}
			})
		}
	}
}

func TestOpenFailsOnTruncationOrExtension(t *testing.T) {
	k, _ := newRing(t)
	aad := AAD("cases", "requester", "1")
	blob := mustSeal(t, k, []byte("a short secret"), aad)
	for n := range len(blob) {
		t.Run(fmt.Sprintf("first %d bytes", n), func(t *testing.T) {
			mustFailOpen(t, k, blob[:n], aad)
		})
	}
	t.Run("without first byte", func(t *testing.T) { mustFailOpen(t, k, blob[1:], aad) })
	t.Run("one byte appended", func(t *testing.T) { mustFailOpen(t, k, concat(blob, []byte{0}), aad) })
	t.Run("blob appended to itself", func(t *testing.T) { mustFailOpen(t, k, concat(blob, blob), aad) })
}

func TestOpenFailsWithOtherAAD(t *testing.T) {
	k, _ := newRing(t)
	sealed := AAD("cases", "requester", "1")
	blob := mustSeal(t, k, []byte("requester of case 1"), sealed)
	tests := []struct {
		name string
		aad  []byte
	}{
		{"other row", AAD("cases", "requester", "2")},
		{"other column", AAD("cases", "subject", "1")},
		{"other table", AAD("breaches", "requester", "1")},
		{"row id prefix", AAD("cases", "requester", "")},
		{"row id longer", AAD("cases", "requester", "10")},
		{"shifted boundary", AAD("casesr", "equester", "1")},
		{"empty", nil},
		{"raw concatenation", []byte("casesrequester1")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { mustFailOpen(t, k, blob, tt.aad) })
	}
	mustOpen(t, k, blob, sealed, []byte("requester of case 1"))
}

func TestAADIsUnambiguous(t *testing.T) {
	triples := [][3]string{
		{"cases", "requester", "1"},
		{"cases", "requester", "12"},
		{"cases", "requester1", "2"},
		{"casesrequester", "", "1"},
		{"", "casesrequester", "1"},
		{"a", "bc", "1"},
		{"ab", "c", "1"},
		{"", "", ""},
	}
	seen := map[string][3]string{}
	for _, tr := range triples {
		a := string(AAD(tr[0], tr[1], tr[2]))
		if prev, ok := seen[a]; ok {
			t.Errorf("AAD%q == AAD%q", tr, prev)
		}
		seen[a] = tr
	}
}

func TestBlobsSwappedBetweenRowsFail(t *testing.T) {
	k, _ := newRing(t)
	aad1, aad2 := AAD("cases", "requester", "1"), AAD("cases", "requester", "2")
	blob1 := mustSeal(t, k, []byte("same length A"), aad1)
	blob2 := mustSeal(t, k, []byte("same length B"), aad2)
	t.Run("row 2 blob in row 1", func(t *testing.T) { mustFailOpen(t, k, blob2, aad1) })
	t.Run("row 1 blob in row 2", func(t *testing.T) { mustFailOpen(t, k, blob1, aad2) })
	// Mixing the wrapped key of one row with the data of another must fail
	// too: each half is bound to its own place.
	t.Run("spliced header", func(t *testing.T) {
		mustFailOpen(t, k, concat(blob1[:blobHeaderSize], blob2[blobHeaderSize:]), aad1)
		mustFailOpen(t, k, concat(blob1[:blobHeaderSize], blob2[blobHeaderSize:]), aad2)
	})
}

func TestSealIsRandomized(t *testing.T) {
	k, _ := newRing(t)
	aad := AAD("cases", "requester", "1")
	pt := []byte("same plaintext")
	a, b := mustSeal(t, k, pt, aad), mustSeal(t, k, pt, aad)
	if bytes.Equal(a, b) {
		t.Fatal("two Seals of the same plaintext are equal")
	}
	parts := []struct {
		name     string
		from, to int
	}{
		{"wrap nonce", 5, 5 + nonceSize},
		{"wrapped key", 5 + nonceSize, keyHeaderSize},
		{"data nonce", keyHeaderSize, blobHeaderSize},
		{"ciphertext", blobHeaderSize, len(a)},
	}
	for _, p := range parts {
		t.Run(p.name, func(t *testing.T) {
			if bytes.Equal(a[p.from:p.to], b[p.from:p.to]) {
				t.Errorf("%s repeats between two Seals", p.name)
			}
		})
	}
}

func TestMarkerNotInCiphertext(t *testing.T) {
	k, _ := newRing(t)
	const marker = "MARKER-7f3a9c-avgloket-cleartext"
	aad := AAD("cases", "description", "1")
	pt := []byte(strings.Repeat("x", 100) + marker + strings.Repeat("y", 100))
	t.Run("blob", func(t *testing.T) {
		if blob := mustSeal(t, k, pt, aad); bytes.Contains(blob, []byte(marker)) {
			t.Fatal("marker found in sealed blob")
		}
	})
	t.Run("stream", func(t *testing.T) {
		big := concat(bytes.Repeat([]byte(marker), ChunkSize/len(marker)+10), pt)
		if s := mustEncrypt(t, k, big, aad); bytes.Contains(s, []byte(marker)) {
			t.Fatal("marker found in encrypted stream")
		}
	})
}

func TestRotation(t *testing.T) {
	k, path := newRing(t)
	aad := AAD("cases", "requester", "7")
	pt := []byte("sealed before rotation")
	old := mustSeal(t, k, pt, aad)
	if v := k.CurrentVersion(); v != 1 {
		t.Fatalf("fresh ring version = %d, want 1", v)
	}
	v, err := k.Rotate(path)
	if err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	if v != 2 || k.CurrentVersion() != 2 {
		t.Fatalf("after Rotate: returned %d, current %d; want 2", v, k.CurrentVersion())
	}

	t.Run("old blob still opens", func(t *testing.T) { mustOpen(t, k, old, aad, pt) })
	t.Run("new blob uses new version", func(t *testing.T) {
		if got, _ := k.KeyVersion(mustSeal(t, k, pt, aad)); got != 2 {
			t.Fatalf("new blob version = %d, want 2", got)
		}
	})
	t.Run("rewrap moves old blob", func(t *testing.T) {
		out, changed, err := k.Rewrap(old, aad)
		if err != nil || !changed {
			t.Fatalf("Rewrap = changed %v, err %v; want changed", changed, err)
		}
		if got, _ := k.KeyVersion(out); got != 2 {
			t.Fatalf("rewrapped version = %d, want 2", got)
		}
		if !bytes.Equal(out[keyHeaderSize:], old[keyHeaderSize:]) {
			t.Error("Rewrap changed the data nonce or ciphertext")
		}
		mustOpen(t, k, out, aad, pt)
		mustFailOpen(t, k, out, AAD("cases", "requester", "8"))
		if _, err := k.KeyVersion(old); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(old[1:5], []byte{0, 0, 0, 1}) {
			t.Error("Rewrap modified its input")
		}
	})
	t.Run("rewrap of current blob is unchanged", func(t *testing.T) {
		cur := mustSeal(t, k, pt, aad)
		out, changed, err := k.Rewrap(cur, aad)
		if err != nil || changed || !bytes.Equal(out, cur) {
			t.Fatalf("Rewrap of current blob = changed %v, err %v, equal %v", changed, err, bytes.Equal(out, cur))
		}
	})
	t.Run("rewrap with wrong aad fails", func(t *testing.T) {
		if _, _, err := k.Rewrap(old, AAD("cases", "requester", "8")); !errors.Is(err, ErrDecrypt) {
			t.Fatalf("Rewrap error = %v, want ErrDecrypt", err)
		}
	})
	t.Run("reloaded ring opens both versions", func(t *testing.T) {
		k2, err := LoadOrCreate(path)
		if err != nil {
			t.Fatal(err)
		}
		if k2.CurrentVersion() != 2 {
			t.Fatalf("reloaded version = %d, want 2", k2.CurrentVersion())
		}
		mustOpen(t, k2, old, aad, pt)
		mustOpen(t, k2, mustSeal(t, k, pt, aad), aad, pt)
	})
	t.Run("second rotation", func(t *testing.T) {
		if v, err := k.Rotate(path); err != nil || v != 3 {
			t.Fatalf("Rotate = %d, %v; want 3", v, err)
		}
		mustOpen(t, k, old, aad, pt)
	})
}

func TestRotateRefusesForeignKeyFile(t *testing.T) {
	k, path := newRing(t)
	_, otherPath := newRing(t)
	tests := []struct {
		name string
		path string
	}{
		{"missing file", path + ".missing"},
		{"other ring's file", otherPath},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := k.Rotate(tt.path); err == nil {
				t.Fatal("Rotate succeeded")
			}
			if k.CurrentVersion() != 1 {
				t.Fatalf("failed Rotate changed the version to %d", k.CurrentVersion())
			}
		})
	}
	t.Run("stale ring", func(t *testing.T) {
		stale, err := LoadOrCreate(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := k.Rotate(path); err != nil {
			t.Fatal(err)
		}
		// stale does not know version 2; rotating it would drop version 2.
		if _, err := stale.Rotate(path); err == nil {
			t.Fatal("Rotate of a stale ring succeeded")
		}
	})
}

func TestUnknownKeyVersion(t *testing.T) {
	k, _ := newRing(t)
	other, _ := newRing(t)
	aad := AAD("cases", "requester", "1")
	blob := mustSeal(t, k, []byte("secret"), aad)
	tests := []struct {
		name string
		ring *KeyRing
		ver  uint32
	}{
		{"version 99", k, 99},
		{"version 0", k, 0},
		{"max version", k, ^uint32(0)},
		{"other ring, same version", other, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := bytes.Clone(blob)
			binary.BigEndian.PutUint32(b[1:5], tt.ver)
			mustFailOpen(t, tt.ring, b, aad)
			if _, _, err := tt.ring.Rewrap(b, aad); !errors.Is(err, ErrDecrypt) {
				t.Fatalf("Rewrap error = %v, want ErrDecrypt", err)
			}
		})
	}
}

func TestKeyVersion(t *testing.T) {
	k, _ := newRing(t)
	aad := AAD("files", "content", "1")
	tests := []struct {
		name    string
		in      []byte
		want    uint32
		wantErr bool
	}{
		{"blob", mustSeal(t, k, []byte("x"), aad), 1, false},
		{"stream", mustEncrypt(t, k, []byte("x"), aad), 1, false},
		{"empty", nil, 0, true},
		{"short", []byte{formatBlob, 0, 0, 0, 1}, 0, true},
		{"unknown format", concat([]byte{9}, make([]byte, 100)), 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := k.KeyVersion(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrDecrypt) {
					t.Fatalf("KeyVersion error = %v, want ErrDecrypt", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("KeyVersion = %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}

func TestStreamAndBlobAreNotInterchangeable(t *testing.T) {
	k, _ := newRing(t)
	aad := AAD("files", "content", "1")
	blob := mustSeal(t, k, []byte("x"), aad)
	stream := mustEncrypt(t, k, []byte("x"), aad)
	mustFailOpen(t, k, stream, aad)
	mustFailDecrypt(t, k, blob, aad)
	// Even with the format byte changed, the wrap is bound to the format.
	fake := bytes.Clone(stream)
	fake[0] = formatBlob
	mustFailOpen(t, k, fake, aad)
}

func TestIndex(t *testing.T) {
	k, path := newRing(t)
	const purpose, value = "requester-email", "ouder@example.nl"
	before := k.Index(purpose, value)
	if len(before) != 64 || strings.Trim(before, "0123456789abcdef") != "" {
		t.Fatalf("Index = %q, want 64 lowercase hex characters", before)
	}
	if _, err := k.Rotate(path); err != nil {
		t.Fatal(err)
	}
	reloaded, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := newRing(t)
	tests := []struct {
		name string
		got  string
		same bool
	}{
		{"same ring after rotation", k.Index(purpose, value), true},
		{"reloaded ring", reloaded.Index(purpose, value), true},
		{"other purpose", k.Index("idempotency-key", value), false},
		{"other value", k.Index(purpose, "Ouder@example.nl"), false},
		{"purpose/value boundary", k.Index(purpose+"o", value[1:]), false},
		{"other index key", other.Index(purpose, value), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if (tt.got == before) != tt.same {
				t.Fatalf("Index equal = %v, want %v", tt.got == before, tt.same)
			}
		})
	}
}

func TestKeyRingDoesNotPrintKeys(t *testing.T) {
	k, _ := newRing(t)
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%v", k), fmt.Sprintf("%+v", k), fmt.Sprintf("%#v", k)} {
		if s != "vault.KeyRing{current: 1}" {
			t.Errorf("printed key ring = %q", s)
		}
	}
}

// TestConcurrentUse runs Seal, Open, Index and Rotate together; run with -race.
func TestConcurrentUse(t *testing.T) {
	k, path := newRing(t)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				aad := AAD("cases", "requester", fmt.Sprint(g, "-", i))
				pt := fmt.Appendf(nil, "plaintext %d %d", g, i)
				blob, err := k.Seal(pt, aad)
				if err != nil {
					errs <- err
					return
				}
				got, err := k.Open(blob, aad)
				if err != nil || !bytes.Equal(got, pt) {
					errs <- fmt.Errorf("open: %v", err)
					return
				}
				_ = k.Index("p", "v")
			}
		})
	}
	wg.Go(func() {
		for range 3 {
			if _, err := k.Rotate(path); err != nil {
				errs <- err
				return
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if k.CurrentVersion() != 4 {
		t.Errorf("version after 3 rotations = %d, want 4", k.CurrentVersion())
	}
}

func BenchmarkSeal1KiB(b *testing.B) {
	k, _ := newRing(b)
	pt := randBytes(b, 1<<10)
	aad := AAD("cases", "requester", "1")
	b.SetBytes(int64(len(pt)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Seal(pt, aad); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen1KiB(b *testing.B) {
	k, _ := newRing(b)
	aad := AAD("cases", "requester", "1")
	blob := mustSeal(b, k, randBytes(b, 1<<10), aad)
	b.SetBytes(1 << 10)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Open(blob, aad); err != nil {
			b.Fatal(err)
		}
	}
}

// Index keeps each purpose's derived key, so it must still give what the
// derivation gives afresh: HMAC-SHA256 under HKDF-SHA256(index key,
// purpose), the first call and every later one, for each purpose.
func TestIndexMatchesFreshDerivation(t *testing.T) {
	k, _ := newRing(t)
	for _, purpose := range []string{"name", "audit", "name"} {
		key, err := hkdf.Key(sha256.New, k.indexKey, nil, "avgloket/vault/index/v1\x00"+purpose, sha256.Size)
		if err != nil {
			t.Fatal(err)
		}
		m := hmac.New(sha256.New, key)
		m.Write([]byte("verzonnen waarde"))
		if got, want := k.Index(purpose, "verzonnen waarde"), hex.EncodeToString(m.Sum(nil)); got != want {
			t.Errorf("Index(%q) = %s, want %s", purpose, got, want)
		}
	}
}

func BenchmarkIndex(b *testing.B) {
	k, _ := newRing(b)
	b.ReportAllocs()
	for b.Loop() {
		k.Index("name", "verzonnen waarde")
	}
}
