package vault

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

const (
	// ChunkSize is the plaintext size of every stream chunk but the last.
	// Memory use of EncryptStream/DecryptStream is about two chunks,
	// whatever the file size.
	ChunkSize = 64 << 10

	encChunkSize = ChunkSize + tagSize

	// noncePrefixSize leaves 4 bytes of counter and 1 flag byte in the
	// 12-byte GCM nonce, as in the STREAM construction.
	noncePrefixSize = nonceSize - 4 - 1

	// StreamHeaderSize is the length of the header EncryptStream writes
	// first: format(1)=0x02 | KEK version(4) | wrap nonce(12) |
	// wrapped data key(48) | nonce prefix(7). RewrapStreamHeader takes and
	// returns exactly this many bytes.
	StreamHeaderSize = keyHeaderSize + noncePrefixSize
)

// EncryptStream encrypts src to dst for storage as a file, bound to aad
// (non-empty; use AAD, e.g. AAD("files", "content", fileID)), without ever
// holding more than one chunk in memory. It writes a StreamHeaderSize header
// (fresh data key wrapped by the current KEK, random nonce prefix) and then
// the plaintext in ChunkSize chunks, each sealed with AES-256-GCM under the
// nonce prefix || chunk counter (uint32, big endian) || last-chunk flag (the
// STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár), so chunks
// cannot be reordered, dropped, appended or cut off unnoticed. Every chunk
// but the last carries ChunkSize plaintext bytes; the last carries 1 to
// ChunkSize bytes, or 0 if the whole input is empty. It returns the number of
// plaintext bytes encrypted. On error, what was written to dst is incomplete
// and must be discarded.
func (k *KeyRing) EncryptStream(dst io.Writer, src io.Reader, aad []byte) (int64, error) {
	if len(aad) == 0 {
		return 0, errNoAAD
	}
	hdr := make([]byte, StreamHeaderSize)
	dk, err := k.newKeyHeader(hdr[:keyHeaderSize], formatStream, aad)
	if err != nil {
		return 0, err
	}
	defer clear(dk)
	nonce := make([]byte, nonceSize)
	if _, err := rand.Read(hdr[keyHeaderSize:]); err != nil {
		return 0, fmt.Errorf("vault: random nonce: %w", err)
	}
	copy(nonce, hdr[keyHeaderSize:])
	aead, err := newGCM(dk)
	if err != nil {
		return 0, err
	}
	if _, err := dst.Write(hdr); err != nil {
		return 0, err
	}
	cad := chunkAAD(aad)

	// in holds one chunk plus one byte of look-ahead: a chunk is the last
	// exactly when that byte cannot be read.
	in := make([]byte, ChunkSize+1)
	out := make([]byte, 0, encChunkSize)
	defer clear(in)
	var total int64
	n, rerr := io.ReadFull(src, in)
	for counter := uint32(0); ; counter++ {
		last := false
		switch rerr {
		case nil:
		case io.EOF, io.ErrUnexpectedEOF:
			last = true
		default:
			return total, rerr
		}
		size := n
		if !last {
			if counter == math.MaxUint32 {
				return total, errors.New("vault: stream too long")
			}
			size = ChunkSize
		}
		setChunkNonce(nonce, counter, last)
		out = aead.Seal(out[:0], nonce, in[:size], cad)
		if _, err := dst.Write(out); err != nil {
			return total, err
		}
		total += int64(size)
		if last {
			return total, nil
		}
		in[0] = in[ChunkSize]
		var m int
		m, rerr = io.ReadFull(src, in[1:])
		n = 1 + m
	}
}

// DecryptStream decrypts what EncryptStream wrote, with the same aad, into
// dst, and returns the number of plaintext bytes written. It reads one chunk
// at a time and writes a chunk's plaintext only after that chunk has been
// authenticated, so nothing forged ever reaches dst. A stream that is
// tampered with, reordered, cut short (also exactly at a chunk boundary) or
// extended gives an error matching ErrDecrypt; read errors from src are
// returned as they are. Because plaintext is streamed, dst may already hold
// the authentic chunks before the failing one when an error is returned:
// callers must then discard dst's content (write to a temporary file and
// rename only on success, or abort the HTTP response, e.g. by panicking with
// http.ErrAbortHandler, so the client sees a broken download rather than a
// short file).
func (k *KeyRing) DecryptStream(dst io.Writer, src io.Reader, aad []byte) (int64, error) {
	hdr := make([]byte, StreamHeaderSize)
	if _, err := io.ReadFull(src, hdr); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return 0, fmt.Errorf("%w: stream header truncated", ErrDecrypt)
		}
		return 0, err
	}
	if hdr[0] != formatStream {
		return 0, fmt.Errorf("%w: not a vault stream", ErrDecrypt)
	}
	dk, _, err := k.unwrapKeyHeader(hdr[:keyHeaderSize], aad)
	if err != nil {
		return 0, err
	}
	defer clear(dk)
	aead, err := newGCM(dk)
	if err != nil {
		return 0, err
	}
	nonce := make([]byte, nonceSize)
	copy(nonce, hdr[keyHeaderSize:])
	cad := chunkAAD(aad)

	in := make([]byte, encChunkSize+1)
	out := make([]byte, 0, ChunkSize)
	defer clear(out[:cap(out)])
	var total int64
	n, rerr := io.ReadFull(src, in)
	for counter := uint32(0); ; counter++ {
		last := false
		switch rerr {
		case nil:
		case io.EOF, io.ErrUnexpectedEOF:
			last = true
		default:
			return total, rerr
		}
		size := n
		if !last {
			if counter == math.MaxUint32 {
				return total, fmt.Errorf("%w: stream too long", ErrDecrypt)
			}
			size = encChunkSize
		}
		// EncryptStream writes an empty chunk only as the sole chunk of an
		// empty input; anything else is not its output.
		if size < tagSize || (last && counter > 0 && size == tagSize) {
			return total, fmt.Errorf("%w: stream truncated", ErrDecrypt)
		}
		setChunkNonce(nonce, counter, last)
		pt, err := aead.Open(out[:0], nonce, in[:size], cad)
		if err != nil {
			return total, fmt.Errorf("%w: chunk %d failed authentication", ErrDecrypt, counter)
		}
		if _, err := dst.Write(pt); err != nil {
			return total, err
		}
		total += int64(len(pt))
		if last {
			return total, nil
		}
		in[0] = in[encChunkSize]
		var m int
		m, rerr = io.ReadFull(src, in[1:])
		n = 1 + m
	}
}

// RewrapStreamHeader is Rewrap for files: given the first StreamHeaderSize
// bytes of an EncryptStream output and its aad, it returns a header with the
// same data key wrapped by the current KEK (changed == true), or header
// itself if it already uses the current version. The chunks that follow are
// untouched and stay valid, so a rewrap command can replace just the header;
// it should write the new file under a temporary name and rename it, so a
// crash leaves either the old or the new header. Only the header is
// authenticated, not the chunks. Failures match ErrDecrypt.
func (k *KeyRing) RewrapStreamHeader(header, aad []byte) (out []byte, changed bool, err error) {
	if len(header) != StreamHeaderSize || header[0] != formatStream {
		return nil, false, fmt.Errorf("%w: not a vault stream header", ErrDecrypt)
	}
	dk, _, err := k.unwrapKeyHeader(header[:keyHeaderSize], aad)
	if err != nil {
		return nil, false, err
	}
	defer clear(dk)
	kh, changed, err := k.rewrapKeyHeader(header[:keyHeaderSize], dk, aad)
	if err != nil {
		return nil, false, err
	}
	if !changed {
		return header, false, nil
	}
	out = make([]byte, StreamHeaderSize)
	copy(out, kh)
	copy(out[keyHeaderSize:], header[keyHeaderSize:])
	return out, true, nil
}

// setChunkNonce writes counter and the last-chunk flag after the prefix.
func setChunkNonce(nonce []byte, counter uint32, last bool) {
	binary.BigEndian.PutUint32(nonce[noncePrefixSize:], counter)
	nonce[nonceSize-1] = 0
	if last {
		nonce[nonceSize-1] = 1
	}
}

func chunkAAD(aad []byte) []byte {
	return append(append(make([]byte, 0, len(chunkAADPrefix)+len(aad)), chunkAADPrefix...), aad...)
}
