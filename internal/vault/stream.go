package vault

import (
	"crypto/cipher"
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
// dst, and returns the number of plaintext bytes written. It writes a
// chunk's plaintext only after that chunk has been authenticated, so nothing
// forged ever reaches dst. A stream that is tampered with, reordered, cut
// short (also exactly at a chunk boundary) or extended gives an error
// matching ErrDecrypt; read errors from src are returned as they are.
// Because plaintext is streamed, dst may already hold the authentic chunks
// before the failing one when an error is returned: callers must then
// discard dst's content (write to a temporary file and rename only on
// success, or abort the HTTP response, e.g. by panicking with
// http.ErrAbortHandler, so the client sees a broken download rather than a
// short file).
//
// A stream longer than one batch (readAheadChunks chunks) is read and
// decrypted ahead by a second goroutine, into at most readAheadBatches
// buffers, while dst.Write takes the batch before: reading, decryption and a
// slow dst (a network connection) overlap, and memory stays bounded
// whatever the stream's length. DecryptStream returns only once that
// goroutine has stopped, and src is not read after it returns.
func (k *KeyRing) DecryptStream(dst io.Writer, src io.Reader, aad []byte) (int64, error) {
	o, err := k.openStream(src, aad)
	if err != nil {
		return 0, err
	}
	defer o.close()
	// The first batch is decrypted here: a small file needs no second
	// goroutine.
	first := k.batchBuffer()
	pt, last, err := o.fill(*first)
	*first = pt
	total, werr := writeBatch(dst, pt)
	switch {
	case werr != nil:
		k.recycle(first)
		return total, werr
	case err != nil || last:
		k.recycle(first)
		return total, err
	}

	free := make(chan *[]byte, readAheadBatches)
	free <- first
	for range readAheadBatches - 1 {
		free <- k.batchBuffer()
	}
	full := make(chan batch, readAheadBatches)
	stop := make(chan struct{})
	go o.readAhead(free, full, stop)
	defer func() {
		close(stop)
		for b := range full { // until the goroutine has stopped
			k.recycle(b.pt)
		}
		for range len(free) {
			k.recycle(<-free)
		}
	}()
	// readAhead closes full only once stop is closed or after sending the
	// batch that ends the stream, on which this loop returns.
	for {
		b := <-full
		n, werr := writeBatch(dst, *b.pt)
		total += n
		free <- b.pt
		switch {
		case werr != nil:
			return total, werr
		case b.err != nil || b.last:
			return total, b.err
		}
	}
}

// batchBuffer returns an empty buffer for readAheadChunks chunks of
// plaintext, reused from an earlier stream when there is one. The pointer
// travels with the buffer and goes back to the pool as it is (recycle), so
// reuse allocates nothing.
func (k *KeyRing) batchBuffer() *[]byte {
	if b, ok := k.batches.Get().(*[]byte); ok {
		*b = (*b)[:0]
		return b
	}
	b := make([]byte, 0, readAheadChunks*ChunkSize)
	return &b
}

// recycle clears *b, so no plaintext outlives its stream, and keeps it for
// the next one.
func (k *KeyRing) recycle(b *[]byte) {
	clear((*b)[:cap(*b)])
	*b = (*b)[:0]
	k.batches.Put(b)
}

const (
	// readAheadChunks is how many chunks DecryptStream decrypts into one
	// buffer and hands to dst in one Write: fewer, larger writes to a
	// network connection.
	readAheadChunks = 2
	// readAheadBatches is how many such buffers exist per stream: one being
	// written, the others being filled ahead.
	readAheadBatches = 3
)

// batch is a run of authenticated plaintext, with what ended it: the
// stream's last chunk, or an error (after pt's chunks).
type batch struct {
	pt   *[]byte
	last bool
	err  error
}

// writeBatch writes pt to dst, if there is any.
func writeBatch(dst io.Writer, pt []byte) (int64, error) {
	if len(pt) == 0 {
		return 0, nil
	}
	n, err := dst.Write(pt)
	return int64(n), err
}

// streamOpener authenticates and decrypts a stream's chunks in order.
type streamOpener struct {
	src     io.Reader
	aead    cipher.AEAD
	nonce   []byte
	cad     []byte
	dk      []byte
	in      []byte // one sealed chunk plus one byte of look-ahead
	n       int    // bytes of in read
	rerr    error  // how the last read of in ended
	counter uint32
}

// openStream reads the header of an EncryptStream output from src and
// unwraps its data key, and then the first chunk.
func (k *KeyRing) openStream(src io.Reader, aad []byte) (*streamOpener, error) {
	hdr := make([]byte, StreamHeaderSize)
	if _, err := io.ReadFull(src, hdr); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, fmt.Errorf("%w: stream header truncated", ErrDecrypt)
		}
		return nil, err
	}
	if hdr[0] != formatStream {
		return nil, fmt.Errorf("%w: not a vault stream", ErrDecrypt)
	}
	dk, _, err := k.unwrapKeyHeader(hdr[:keyHeaderSize], aad)
	if err != nil {
		return nil, err
	}
	aead, err := newGCM(dk)
	if err != nil {
		clear(dk)
		return nil, err
	}
	o := &streamOpener{src: src, aead: aead, nonce: make([]byte, nonceSize), cad: chunkAAD(aad), dk: dk,
		in: make([]byte, encChunkSize+1)}
	copy(o.nonce, hdr[keyHeaderSize:])
	o.n, o.rerr = io.ReadFull(src, o.in)
	return o, nil
}

// close forgets the data key.
func (o *streamOpener) close() { clear(o.dk) }

// fill decrypts chunks into buf (empty, with room for whole chunks) until it
// is full, the stream ends (last) or a chunk fails (err, after the
// authentic chunks before it). buf[:cap(buf)] is used as scratch.
func (o *streamOpener) fill(buf []byte) (pt []byte, last bool, err error) {
	for len(buf)+ChunkSize <= cap(buf) {
		switch o.rerr {
		case nil:
		case io.EOF, io.ErrUnexpectedEOF:
			last = true
		default:
			return buf, false, o.rerr
		}
		size := o.n
		if !last {
			if o.counter == math.MaxUint32 {
				return buf, false, fmt.Errorf("%w: stream too long", ErrDecrypt)
			}
			size = encChunkSize
		}
		// EncryptStream writes an empty chunk only as the sole chunk of an
		// empty input; anything else is not its output.
		if size < tagSize || (last && o.counter > 0 && size == tagSize) {
			return buf, false, fmt.Errorf("%w: stream truncated", ErrDecrypt)
		}
		setChunkNonce(o.nonce, o.counter, last)
		next, err := o.aead.Open(buf, o.nonce, o.in[:size], o.cad)
		if err != nil {
			return buf, false, fmt.Errorf("%w: chunk %d failed authentication", ErrDecrypt, o.counter)
		}
		buf = next
		if last {
			return buf, true, nil
		}
		o.counter++
		o.in[0] = o.in[encChunkSize]
		var m int
		m, o.rerr = io.ReadFull(o.src, o.in[1:])
		o.n = 1 + m
	}
	return buf, false, nil
}

// readAhead fills the buffers it takes from free and hands them to full,
// in order, until the stream ends, a chunk fails or stop is closed; then it
// closes full. Buffers are never lost: at most cap(full) are ever out.
func (o *streamOpener) readAhead(free <-chan *[]byte, full chan<- batch, stop <-chan struct{}) {
	defer close(full)
	for {
		select {
		case <-stop: // before taking a buffer: no read once stopped
			return
		default:
		}
		var buf *[]byte
		select {
		case buf = <-free:
		case <-stop:
			return
		}
		pt, last, err := o.fill((*buf)[:0])
		*buf = pt
		full <- batch{pt: buf, last: last, err: err}
		if last || err != nil {
			return
		}
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
