// Package upload checks and cleans the files people upload (ID copies, proof
// of parental authority, authorisations, a child's consent): it recognises
// PDF, JPEG and PNG by their content, never by name or Content-Type, enforces
// a size limit while reading, and strips image metadata (EXIF, XMP, IPTC,
// text chunks, comments) as it streams, so a file never sits whole in memory.
//
// PDF files are passed through unchanged: removing a PDF's metadata (Info
// dictionary, XMP streams, earlier incremental revisions) would need a PDF
// parser and rewriter, which this package does not have. The upload page
// asks people to mask and flatten documents before uploading them.
package upload

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"

	"github.com/avgloket/avgloket/internal/apperr"
)

// DefaultLimit is the size limit Clean applies when given a limit of zero or
// less: 10 MB.
const DefaultLimit int64 = 10 << 20

// Message IDs of the errors this package returns (ui/locales).
const (
	MsgType     = "upload.type"      // not a PDF, JPEG or PNG (apperr.Invalid)
	MsgTooLarge = "upload.too_large" // over the size limit (apperr.TooLarge)
	MsgCorrupt  = "upload.corrupt"   // a JPEG or PNG with broken structure (apperr.Invalid)
)

// Kind is a file type that uploads may have.
type Kind string

// The accepted kinds.
const (
	PDF  Kind = "pdf"
	JPEG Kind = "jpeg"
	PNG  Kind = "png"
)

// ContentType is the media type to serve a file of this kind with, or
// "application/octet-stream" for an unknown kind.
func (k Kind) ContentType() string {
	switch k {
	case PDF:
		return "application/pdf"
	case JPEG:
		return "image/jpeg"
	case PNG:
		return "image/png"
	case CSV:
		return "text/csv; charset=utf-8"
	case JSON:
		return "application/json"
	case ZIP:
		return "application/zip"
	}
	return "application/octet-stream"
}

// Extension is the file name extension, with its dot, for server-made
// download names (".pdf", ".jpg", ".png"), or ".bin" for an unknown kind.
func (k Kind) Extension() string {
	switch k {
	case PDF:
		return ".pdf"
	case JPEG:
		return ".jpg"
	case PNG:
		return ".png"
	case CSV:
		return ".csv"
	case JSON:
		return ".json"
	case ZIP:
		return ".zip"
	}
	return ".bin"
}

var (
	magicPDF  = []byte("%PDF-")
	magicJPEG = []byte{0xFF, 0xD8, 0xFF}
	magicPNG  = []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}
)

// HeadSize is the number of leading bytes Detect needs to recognise every
// kind; fewer may do for some.
const HeadSize = 8

// Detect recognises a file's kind by its first bytes (magic numbers): PDF
// ("%PDF-"), JPEG (FF D8 FF) or PNG (the 8-byte PNG signature). Anything else
// (HTML or a script renamed to .pdf, GIF, ZIP, an empty file) gives an
// apperr.Invalid error with message MsgType.
func Detect(head []byte) (Kind, error) {
	switch {
	case bytes.HasPrefix(head, magicPDF):
		return PDF, nil
	case bytes.HasPrefix(head, magicJPEG):
		return JPEG, nil
	case bytes.HasPrefix(head, magicPNG):
		return PNG, nil
	}
	return "", &apperr.Error{Code: apperr.Invalid, Message: MsgType, Err: errors.New("upload: not a PDF, JPEG or PNG file")}
}

// Clean reads an upload from src, recognises its kind by content (Detect)
// and streams a cleaned copy to dst:
//
//   - JPEG: every APPn segment is dropped (EXIF and XMP in APP1, ICC profiles
//     and FlashPix in APP2, IPTC in APP13, ...) except APP0 JFIF and APP14
//     Adobe (which tells decoders the colour transform); COM segments are
//     dropped too. A JFIF thumbnail (which could show the unmasked original)
//     is cut from APP0. All other segments and the entropy-coded scan data
//     are kept byte for byte. Anything after EOI is dropped and not read.
//   - PNG: only IHDR, PLTE, IDAT, IEND and the ancillary chunks tRNS, gAMA,
//     cHRM, sRGB, iCCP, sBIT, pHYs and bKGD are kept; tEXt, zTXt, iTXt,
//     eXIf, tIME and all other chunks are dropped. Every chunk's CRC is
//     checked. Anything after IEND is dropped and not read.
//   - PDF: copied unchanged (see the package comment).
//
// It never reads more than limit+1 bytes from src: as soon as more than limit
// bytes have been read it stops with an apperr.TooLarge error (MsgTooLarge).
// A limit of zero or less means DefaultLimit. A JPEG or PNG whose structure
// is broken (truncated, bad length, bad CRC, unknown critical chunk) gives
// apperr.Invalid with MsgCorrupt; an unknown type gives MsgType. Read errors
// of src and write errors of dst are returned as they are.
//
// It returns the kind (once known, also with a later error) and the number of
// bytes written to dst. Because it streams, dst may hold part of a file when
// an error is returned: callers must then discard dst's content. Clean only
// checks structure; it does not decode pixels, so a file it accepts may still
// fail to render. Memory use is a few small buffers whatever the file size.
func Clean(dst io.Writer, src io.Reader, limit int64) (Kind, int64, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, math.MaxInt64-1)
	br := bufio.NewReaderSize(&limitReader{r: src, limit: limit}, 16<<10)
	head, err := br.Peek(HeadSize)
	if err != nil && err != io.EOF {
		return "", 0, err
	}
	kind, err := Detect(head)
	if err != nil {
		return "", 0, err
	}
	cw := &countWriter{w: dst}
	if kind == PDF {
		_, err := br.WriteTo(cw)
		return kind, cw.n, err
	}
	f := &filter{r: br, w: bufio.NewWriterSize(cw, 16<<10)}
	if kind == JPEG {
		err = f.jpeg()
	} else {
		err = f.png()
	}
	if err == nil {
		err = f.w.Flush()
	}
	return kind, cw.n, err
}

// filter holds the buffered input and output of one JPEG or PNG clean-up.
type filter struct {
	r    *bufio.Reader
	w    *bufio.Writer
	werr error         // first write error
	buf  [4 << 10]byte // scratch for copying with a checksum
	// small holds a segment's or chunk's header; a local array would
	// escape to the heap on every segment.
	small [16]byte
}

// readErr turns the end of input in the middle of a structure into a corrupt
// error and passes every other error (too large, I/O) through.
func readErr(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return corrupt("unexpected end of file")
	}
	return err
}

func corrupt(format string, args ...any) error {
	return &apperr.Error{Code: apperr.Invalid, Message: MsgCorrupt, Err: fmt.Errorf("upload: "+format, args...)}
}

// readFull fills b from the input; a short read is corrupt.
func (f *filter) readFull(b []byte) error {
	if _, err := io.ReadFull(f.r, b); err != nil {
		return readErr(err)
	}
	return nil
}

// write writes b to the output, keeping the first error in f.werr.
func (f *filter) write(b []byte) {
	if _, err := f.w.Write(b); err != nil && f.werr == nil {
		f.werr = err
	}
}

// put writes a few bytes to the output (byte by byte, so that the argument
// does not escape and allocate).
func (f *filter) put(bs ...byte) {
	for _, b := range bs {
		if err := f.w.WriteByte(b); err != nil && f.werr == nil {
			f.werr = err
		}
	}
}

// limitReader passes at most limit bytes through and fails with TooLarge on
// reading one more; it never asks r for more than limit+1 bytes in total.
type limitReader struct {
	r     io.Reader
	limit int64
	n     int64 // bytes read from r
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n > l.limit {
		return 0, l.tooLarge()
	}
	if rest := l.limit + 1 - l.n; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > l.limit {
		return n - int(l.n-l.limit), l.tooLarge()
	}
	return n, err
}

func (l *limitReader) tooLarge() error {
	return &apperr.Error{Code: apperr.TooLarge, Message: MsgTooLarge, Err: fmt.Errorf("upload: more than %d bytes", l.limit)}
}

// countWriter counts the bytes written to w.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// pass reads n bytes of input, writes them to the output if keep is set and
// folds them into *crc (CRC-32, IEEE) if crc is not nil.
func (f *filter) pass(n int64, keep bool, crc *uint32) error {
	for n > 0 {
		b := f.buf[:min(n, int64(len(f.buf)))]
		if err := f.readFull(b); err != nil {
			return err
		}
		if crc != nil {
			*crc = crc32.Update(*crc, crc32.IEEETable, b)
		}
		if keep {
			f.write(b)
		}
		n -= int64(len(b))
	}
	return f.werr
}
