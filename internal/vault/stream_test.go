package vault

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync/atomic"
	"testing"
	"testing/iotest"
)

func TestStreamRoundTrip(t *testing.T) {
	k, _ := newRing(t)
	aad := AAD("files", "content", "9")
	sizes := []int{0, 1, ChunkSize - 1, ChunkSize, ChunkSize + 1, 2 * ChunkSize, 3*ChunkSize + 17}
	for _, size := range sizes {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			pt := randBytes(t, size)
			stream := mustEncrypt(t, k, pt, aad)
			chunks := max(1, (size+ChunkSize-1)/ChunkSize)
			if want := StreamHeaderSize + size + chunks*tagSize; len(stream) != want {
				t.Fatalf("stream length = %d, want %d", len(stream), want)
			}
			// Readers that hand out one byte at a time must not change the
			// chunking.
			for name, src := range map[string]io.Reader{
				"whole":      bytes.NewReader(stream),
				"one byte":   iotest.OneByteReader(bytes.NewReader(stream)),
				"data + EOF": iotest.DataErrReader(bytes.NewReader(stream)),
			} {
				var out bytes.Buffer
				n, err := k.DecryptStream(&out, src, aad)
				if err != nil {
					t.Fatalf("%s: DecryptStream: %v", name, err)
				}
				if n != int64(size) || !bytes.Equal(out.Bytes(), pt) {
					t.Fatalf("%s: decrypted %d bytes that differ from the %d encrypted", name, n, size)
				}
			}
			again := mustEncrypt(t, k, pt, aad)
			if bytes.Equal(again, stream) {
				t.Fatal("two encryptions of the same file are equal")
			}
		})
	}
	t.Run("one-byte source", func(t *testing.T) {
		pt := randBytes(t, ChunkSize+5)
		var enc bytes.Buffer
		if _, err := k.EncryptStream(&enc, iotest.OneByteReader(bytes.NewReader(pt)), aad); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if _, err := k.DecryptStream(&out, &enc, aad); err != nil || !bytes.Equal(out.Bytes(), pt) {
			t.Fatalf("round trip through a one-byte reader failed: %v", err)
		}
	})
}

func TestStreamTamper(t *testing.T) {
	k, _ := newRing(t)
	aad := AAD("files", "content", "9")
	pt := randBytes(t, 3*ChunkSize+17)
	s := mustEncrypt(t, k, pt, aad) // chunks 0..2 full, chunk 3 holds 17 bytes
	hdr := s[:StreamHeaderSize]
	c0, c1, c2, c3 := chunk(s, 0), chunk(s, 1), chunk(s, 2), chunk(s, 3)
	other := mustEncrypt(t, k, pt, aad)

	flip := func(i int) []byte {
		b := bytes.Clone(s)
		b[i] ^= 0x01
		return b
	}
	tests := []struct {
		name   string
		stream []byte
		aad    []byte
	}{
		{"flip byte in chunk 1", flip(StreamHeaderSize + encChunkSize + 100), aad},
		{"flip byte in chunk 2 (read ahead)", flip(StreamHeaderSize + 2*encChunkSize + 100), aad},
		{"flip tag of last chunk", flip(len(s) - 1), aad},
		{"flip format byte", flip(0), aad},
		{"flip key version", flip(4), aad},
		{"flip wrapped key", flip(30), aad},
		{"flip nonce prefix", flip(StreamHeaderSize - 1), aad},
		{"drop chunk 1", concat(hdr, c0, c2, c3), aad},
		{"drop last chunk", concat(hdr, c0, c1, c2), aad},
		{"swap chunks 0 and 1", concat(hdr, c1, c0, c2, c3), aad},
		{"duplicate chunk 0", concat(hdr, c0, c0, c1, c2, c3), aad},
		{"truncate after chunk 1", concat(hdr, c0, c1), aad},
		{"truncate after chunk 0", concat(hdr, c0), aad},
		{"truncate inside chunk 2", s[:StreamHeaderSize+2*encChunkSize+10], aad},
		{"truncate inside last chunk", s[:len(s)-1], aad},
		{"header only", hdr, aad},
		{"truncated header", hdr[:StreamHeaderSize-1], aad},
		{"nothing", nil, aad},
		{"append full chunk", concat(s, c1), aad},
		{"append last chunk again", concat(s, c3), aad},
		{"append one byte", concat(s, []byte{0}), aad},
		{"append empty final chunk", concat(s, make([]byte, tagSize)), aad},
		{"chunk from another stream", concat(hdr, c0, chunk(other, 1), c2, c3), aad},
		{"header from another stream", concat(other[:StreamHeaderSize], c0, c1, c2, c3), aad},
		{"other row", s, AAD("files", "content", "10")},
		{"other column", s, AAD("files", "thumbnail", "9")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := mustFailDecrypt(t, k, tt.stream, tt.aad)
			// Whatever was written before the failure is authentic plaintext,
			// a whole number of chunks, and never the forged chunk.
			if !bytes.HasPrefix(pt, out) || len(out)%ChunkSize != 0 {
				t.Fatalf("wrote %d bytes that are not whole authentic chunks", len(out))
			}
		})
	}
}

func TestStreamFullLastChunk(t *testing.T) {
	// A file of exactly one chunk: the full chunk carries the last flag, so
	// appending anything or re-flagging it fails.
	k, _ := newRing(t)
	aad := AAD("files", "content", "1")
	pt := randBytes(t, ChunkSize)
	s := mustEncrypt(t, k, pt, aad)
	if len(s) != StreamHeaderSize+encChunkSize {
		t.Fatalf("stream length = %d, want one full chunk", len(s))
	}
	tests := []struct {
		name   string
		stream []byte
	}{
		{"append copy", concat(s, chunk(s, 0))},
		{"append empty final chunk", concat(s, make([]byte, tagSize))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if out := mustFailDecrypt(t, k, tt.stream, aad); len(out) != 0 {
				t.Fatalf("wrote %d bytes from a stream whose first chunk is not the last", len(out))
			}
		})
	}
}

func TestStreamEmptyInputCannotBeExtended(t *testing.T) {
	k, _ := newRing(t)
	aad := AAD("files", "content", "1")
	s := mustEncrypt(t, k, nil, aad)
	mustFailDecrypt(t, k, concat(s, chunk(s, 0)), aad)
	mustFailDecrypt(t, k, s[:len(s)-1], aad)
}

// errReader fails after handing out some data.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		return n, e.err
	}
	return n, err
}

func TestStreamReadErrorsAreNotDecryptErrors(t *testing.T) {
	k, _ := newRing(t)
	aad := AAD("files", "content", "1")
	boom := errors.New("disk on fire")
	pt := randBytes(t, ChunkSize+10)
	t.Run("encrypt", func(t *testing.T) {
		_, err := k.EncryptStream(io.Discard, &errReader{bytes.NewReader(pt), boom}, aad)
		if !errors.Is(err, boom) {
			t.Fatalf("EncryptStream error = %v, want the read error", err)
		}
	})
	t.Run("decrypt", func(t *testing.T) {
		s := mustEncrypt(t, k, pt, aad)
		_, err := k.DecryptStream(io.Discard, &errReader{bytes.NewReader(s[:len(s)-5]), boom}, aad)
		if !errors.Is(err, boom) || errors.Is(err, ErrDecrypt) {
			t.Fatalf("DecryptStream error = %v, want the read error", err)
		}
	})
}

func TestRewrapStreamHeader(t *testing.T) {
	k, path := newRing(t)
	aad := AAD("files", "content", "3")
	pt := randBytes(t, 2*ChunkSize+3)
	s := mustEncrypt(t, k, pt, aad)
	if _, err := k.Rotate(path); err != nil {
		t.Fatal(err)
	}
	hdr := s[:StreamHeaderSize]
	newHdr, changed, err := k.RewrapStreamHeader(hdr, aad)
	if err != nil || !changed {
		t.Fatalf("RewrapStreamHeader = changed %v, err %v", changed, err)
	}
	moved := concat(newHdr, s[StreamHeaderSize:])
	if v, _ := k.KeyVersion(moved); v != 2 {
		t.Fatalf("rewrapped stream version = %d, want 2", v)
	}
	var out bytes.Buffer
	if _, err := k.DecryptStream(&out, bytes.NewReader(moved), aad); err != nil || !bytes.Equal(out.Bytes(), pt) {
		t.Fatalf("rewrapped stream does not decrypt: %v", err)
	}
	t.Run("current header unchanged", func(t *testing.T) {
		same, changed, err := k.RewrapStreamHeader(newHdr, aad)
		if err != nil || changed || !bytes.Equal(same, newHdr) {
			t.Fatalf("changed %v, err %v", changed, err)
		}
	})
	t.Run("wrong aad", func(t *testing.T) {
		if _, _, err := k.RewrapStreamHeader(hdr, AAD("files", "content", "4")); !errors.Is(err, ErrDecrypt) {
			t.Fatalf("err = %v, want ErrDecrypt", err)
		}
	})
	t.Run("blob header", func(t *testing.T) {
		blob := mustSeal(t, k, []byte("x"), aad)
		if _, _, err := k.RewrapStreamHeader(blob[:StreamHeaderSize], aad); !errors.Is(err, ErrDecrypt) {
			t.Fatalf("err = %v, want ErrDecrypt", err)
		}
	})
}

// patternReader produces n bytes without allocating, standing in for a
// large upload.
type patternReader struct{ n int64 }

func (p *patternReader) Read(b []byte) (int, error) {
	if p.n <= 0 {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), p.n)]
	for i := range b {
		b[i] = byte(i)
	}
	p.n -= int64(len(b))
	return len(b), nil
}

// failingWriter fails its Write number failAt (from 1), after taking the
// writes before it.
type failingWriter struct {
	buf    bytes.Buffer
	writes int
	failAt int
}

var errWrite = errors.New("connection reset")

func (w *failingWriter) Write(p []byte) (int, error) {
	w.writes++
	if w.writes == w.failAt {
		return 0, errWrite
	}
	return w.buf.Write(p)
}

// watchedReader fails the test if it is read once done is set.
type watchedReader struct {
	tb   testing.TB
	r    io.Reader
	done atomic.Bool
}

func (r *watchedReader) Read(p []byte) (int, error) {
	if r.done.Load() {
		r.tb.Error("source read after DecryptStream returned")
	}
	return r.r.Read(p)
}

// TestStreamStopsWhenWriteFails: when dst fails (the client went away),
// DecryptStream returns that error with what it wrote before, and the
// goroutine reading ahead has stopped: the source (a file the caller
// closes next) is not read after it returns.
func TestStreamStopsWhenWriteFails(t *testing.T) {
	k, _ := newRing(t)
	aad := AAD("files", "content", "11")
	pt := randBytes(t, 20*ChunkSize+5)
	s := mustEncrypt(t, k, pt, aad)
	for _, failAt := range []int{1, 2, 3, 5} {
		t.Run(fmt.Sprintf("write %d", failAt), func(t *testing.T) {
			src := &watchedReader{tb: t, r: bytes.NewReader(s)}
			w := &failingWriter{failAt: failAt}
			n, err := k.DecryptStream(w, src, aad)
			src.done.Store(true)
			if !errors.Is(err, errWrite) {
				t.Fatalf("DecryptStream error = %v, want the write error", err)
			}
			if n != int64(w.buf.Len()) || !bytes.HasPrefix(pt, w.buf.Bytes()) {
				t.Fatalf("returned %d, wrote %d bytes that are not the plaintext's start", n, w.buf.Len())
			}
		})
	}
	// And a stream read whole after those still decrypts (the buffers
	// went back cleared, not half-filled).
	var out bytes.Buffer
	if n, err := k.DecryptStream(&out, bytes.NewReader(s), aad); err != nil || n != int64(len(pt)) || !bytes.Equal(out.Bytes(), pt) {
		t.Fatalf("DecryptStream after failures = %d, %v", n, err)
	}
}

// TestStreamMemoryIsBounded shows a 10 MB file is never held whole: the
// heap allocated for encrypting and decrypting it stays near two chunks.
func TestStreamMemoryIsBounded(t *testing.T) {
	k, _ := newRing(t)
	aad := AAD("files", "content", "1")
	const size = 10 << 20
	var enc bytes.Buffer
	enc.Grow(size + size/ChunkSize*tagSize + 1024)
	measure := func(f func()) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	const limit = 1 << 20
	t.Run("encrypt", func(t *testing.T) {
		used := measure(func() {
			if _, err := k.EncryptStream(&enc, &patternReader{n: size}, aad); err != nil {
				t.Fatal(err)
			}
		})
		if used > limit {
			t.Fatalf("EncryptStream of 10 MB allocated %d bytes", used)
		}
	})
	t.Run("decrypt", func(t *testing.T) {
		used := measure(func() {
			n, err := k.DecryptStream(io.Discard, &enc, aad)
			if err != nil || n != size {
				t.Fatalf("DecryptStream = %d, %v", n, err)
			}
		})
		if used > limit {
			t.Fatalf("DecryptStream of 10 MB allocated %d bytes", used)
		}
	})
}

func BenchmarkEncryptStream10MB(b *testing.B) {
	k, _ := newRing(b)
	aad := AAD("files", "content", "1")
	const size = 10 << 20
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.EncryptStream(io.Discard, &patternReader{n: size}, aad); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecryptStream10MB(b *testing.B) {
	k, _ := newRing(b)
	aad := AAD("files", "content", "1")
	const size = 10 << 20
	var enc bytes.Buffer
	if _, err := k.EncryptStream(&enc, &patternReader{n: size}, aad); err != nil {
		b.Fatal(err)
	}
	s := enc.Bytes()
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.DecryptStream(io.Discard, bytes.NewReader(s), aad); err != nil {
			b.Fatal(err)
		}
	}
}
