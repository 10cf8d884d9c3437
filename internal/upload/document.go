package upload

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"math"
	"unicode/utf8"

	"github.com/avgloket/avgloket/internal/apperr"
)

// The kinds an answer document may have besides PDF, JPEG and PNG: what a
// client-record system exports as a copy of the data (AVG art. 15(3)) or as
// data to take elsewhere (art. 20).
const (
	CSV  Kind = "csv"
	JSON Kind = "json"
	ZIP  Kind = "zip"
)

// MsgDocumentType is the message of a document that is none of the
// accepted kinds (apperr.Invalid).
const MsgDocumentType = "upload.document_type"

// DocumentLimit is the largest answer document: 200 MB.
const DocumentLimit int64 = 200 << 20

var (
	magicZIP      = []byte("PK\x03\x04")
	magicZIPEmpty = []byte("PK\x05\x06")
	// zipEnd is the signature of a ZIP file's end-of-central-directory
	// record, which must be within the last 22+65,535 bytes (the record and
	// its longest comment).
	zipEnd     = []byte("PK\x05\x06")
	zipTailLen = 22 + math.MaxUint16
)

// Document reads an answer document from src, recognises its kind by
// content and streams it to dst, never holding it whole in memory:
//
//   - PDF, JPEG and PNG by their magic bytes, as Clean does (images are
//     stripped of metadata, PDF copied unchanged);
//   - ZIP by its local-header signature and an end-of-central-directory
//     record in its last 64 KiB, so a file that merely starts like a ZIP is
//     refused;
//   - JSON when the text starts with "{" or "[" and parses as one JSON value
//     (nothing after it but white space);
//   - CSV for any other text: valid UTF-8 without NUL or other control
//     characters (tab, CR and LF aside), not starting with "<" (markup), that
//     parses as CSV with the same number of fields on every line.
//
// Anything else — an executable renamed to .pdf, HTML, a GIF — gives
// apperr.Invalid with MsgDocumentType; more than limit bytes (DocumentLimit
// when limit <= 0) apperr.TooLarge. Like Clean it returns the kind once
// known and the bytes written, and dst may hold part of a refused file.
func Document(dst io.Writer, src io.Reader, limit int64) (Kind, int64, error) {
	if limit <= 0 {
		limit = DocumentLimit
	}
	limit = min(limit, math.MaxInt64-1)
	br := bufio.NewReaderSize(&limitReader{r: src, limit: limit}, 64<<10)
	head, err := br.Peek(HeadSize)
	if err != nil && err != io.EOF {
		return "", 0, err
	}
	if _, err := Detect(head); err == nil {
		return Clean(dst, br, limit)
	}
	cw := &countWriter{w: dst}
	var kind Kind
	switch {
	case bytes.HasPrefix(head, magicZIP), bytes.HasPrefix(head, magicZIPEmpty):
		kind, err = ZIP, checkZIP(cw, br)
	default:
		// A byte-order mark is kept in the copy but not parsed.
		if bom, _ := br.Peek(3); bytes.Equal(bom, utf8BOM) {
			if _, err := cw.Write(bom); err != nil {
				return "", cw.n, err
			}
			_, _ = br.Discard(3)
		}
		start, perr := firstNonSpace(br)
		switch {
		case perr != nil:
			return "", cw.n, perr
		case start == 0, start == '<':
			return "", cw.n, notDocument("not a known document type")
		case start == '{', start == '[':
			kind, err = JSON, checkJSON(cw, br)
		default:
			kind, err = CSV, checkCSV(cw, br)
		}
	}
	return kind, cw.n, err
}

func notDocument(why string) error {
	return &apperr.Error{Code: apperr.Invalid, Message: MsgDocumentType, Err: errors.New("upload: " + why)}
}

var utf8BOM = []byte("\xEF\xBB\xBF")

// firstNonSpace returns the first byte of r that is not white space, without consuming anything; 0 for a file
// of white space only.
func firstNonSpace(r *bufio.Reader) (byte, error) {
	head, err := r.Peek(r.Size())
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return 0, err
	}
	for _, b := range head {
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return b, nil
	}
	return 0, nil
}

// checkZIP copies the ZIP file to w and checks that it ends with an
// end-of-central-directory record whose comment runs to the end.
func checkZIP(w io.Writer, r io.Reader) error {
	t := &tailWriter{w: w, tail: make([]byte, 0, zipTailLen)}
	if _, err := io.Copy(t, r); err != nil {
		return err
	}
	b := t.tail
	for i := bytes.LastIndex(b, zipEnd); i >= 0; i = bytes.LastIndex(b[:i], zipEnd) {
		if i+22 <= len(b) && i+22+int(b[i+20])|int(b[i+21])<<8 == len(b) {
			return nil
		}
	}
	return notDocument("ZIP without an end of central directory")
}

// tailWriter passes writes on to w and keeps the last cap(tail) bytes.
type tailWriter struct {
	w    io.Writer
	tail []byte
}

func (t *tailWriter) Write(p []byte) (int, error) {
	n, err := t.w.Write(p)
	keep := p[:n]
	if len(keep) >= cap(t.tail) {
		t.tail = append(t.tail[:0], keep[len(keep)-cap(t.tail):]...)
	} else {
		if over := len(t.tail) + len(keep) - cap(t.tail); over > 0 {
			t.tail = t.tail[:copy(t.tail, t.tail[over:])]
		}
		t.tail = append(t.tail, keep...)
	}
	return n, err
}

// checkJSON copies one JSON value to w, token by token (memory grows with
// the longest token, not the file), and refuses anything after it.
func checkJSON(w io.Writer, r io.Reader) error {
	d := json.NewDecoder(io.TeeReader(&textReader{r: r}, w))
	for depth := 0; ; {
		tok, err := d.Token()
		if err != nil {
			return jsonErr(err)
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			break
		}
	}
	if _, err := d.Token(); err != io.EOF {
		return jsonErr(err)
	}
	return nil
}

func jsonErr(err error) error {
	var ae *apperr.Error
	if err == nil || errors.As(err, &ae) {
		if err == nil {
			return notDocument("JSON with more after its value")
		}
		return err
	}
	return notDocument("not JSON: " + err.Error())
}

// checkCSV copies CSV text to w, record by record, and refuses text that
// does not parse or whose lines have different numbers of fields.
func checkCSV(w io.Writer, r io.Reader) error {
	cr := csv.NewReader(io.TeeReader(&textReader{r: r}, w))
	cr.ReuseRecord = true
	records := 0
	for {
		_, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var ae *apperr.Error
			if errors.As(err, &ae) {
				return err
			}
			return notDocument("not CSV: " + err.Error())
		}
		records++
	}
	if records == 0 {
		return notDocument("empty CSV")
	}
	return nil
}

// textReader passes text through and fails on bytes that plain text does
// not have: invalid UTF-8, NUL and the other control characters but tab,
// CR and LF.
type textReader struct {
	r     io.Reader
	carry []byte // the start of a character cut by the previous read
}

func (t *textReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	b := append(t.carry, p[:n]...)
	t.carry = t.carry[:0]
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\r' && c != '\n' || c == 0x7F {
				return 0, notDocument("control character in text")
			}
			i++
			continue
		}
		if !utf8.FullRune(b[i:]) && err == nil {
			t.carry = append(t.carry[:0], b[i:]...)
			break
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return 0, notDocument("text that is not UTF-8")
		}
		i += size
	}
	return n, err
}
