package upload

import (
	"bytes"
	"errors"
	"testing"

	"github.com/avgloket/avgloket/internal/apperr"
)

// fuzzSeeds are small valid and broken uploads of every kind.
func fuzzSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	jpg := makeJPEG(tb, 4, 3)
	pngb := makePNG(tb, 3, 2)
	return [][]byte{
		nil,
		[]byte("%PDF-1.4\n%%EOF"),
		[]byte("<html>"),
		jpg,
		insert(jpg, 2, segment(0xE0, []byte("JFIF\x00\x01\x02\x01\x00\x48\x00\x48\x01\x01abc")), segment(0xE1, []byte("Exif\x00\x00"+marker))),
		{0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0xFF, 0x00, 0xFF, 0xD0, 0xFF, 0xFF, 0xD9},
		pngb,
		insert(pngb, pngAfterIHDR, chunk("tEXt", []byte("a\x00"+marker))),
		pngb[:len(pngb)/2],
	}
}

func FuzzDetect(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, head []byte) {
		kind, err := Detect(head)
		if err != nil {
			if kind != "" || !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("Detect = %q, %v", kind, err)
			}
			return
		}
		magic := map[Kind][]byte{PDF: magicPDF, JPEG: magicJPEG, PNG: magicPNG}[kind]
		if !bytes.HasPrefix(head, magic) {
			t.Fatalf("Detect said %q for % x", kind, head[:min(len(head), 8)])
		}
	})
}

// FuzzClean checks that Clean never panics, fails only with its own errors,
// never reads past limit+1 bytes, writes no more than it read on success, and
// that cleaning its output changes nothing.
func FuzzClean(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s, uint16(len(s)))
		f.Add(s, uint16(len(s)/2))
	}
	f.Fuzz(func(t *testing.T, in []byte, lim uint16) {
		limit := int64(lim) + 1
		cr := &countingReader{r: bytes.NewReader(in)}
		var out bytes.Buffer
		kind, n, err := Clean(&out, cr, limit)
		if cr.n > limit+1 {
			t.Fatalf("read %d bytes with limit %d", cr.n, limit)
		}
		if n != int64(out.Len()) {
			t.Fatalf("Clean reported %d bytes but wrote %d", n, out.Len())
		}
		if err != nil {
			var e *apperr.Error
			if !errors.As(err, &e) || !(e.Code == apperr.Invalid && (e.Message == MsgType || e.Message == MsgCorrupt) ||
				e.Code == apperr.TooLarge && e.Message == MsgTooLarge && cr.n == limit+1) {
				t.Fatalf("Clean error %v after reading %d bytes", err, cr.n)
			}
			return
		}
		if int64(out.Len()) > cr.n || cr.n > int64(len(in)) {
			t.Fatalf("Clean wrote %d bytes from %d read of %d", out.Len(), cr.n, len(in))
		}
		var again bytes.Buffer
		kind2, _, err := Clean(&again, bytes.NewReader(out.Bytes()), limit)
		if err != nil || kind2 != kind || !bytes.Equal(again.Bytes(), out.Bytes()) {
			t.Fatalf("cleaning the output again: %q, %v, changed: %v", kind2, err, !bytes.Equal(again.Bytes(), out.Bytes()))
		}
	})
}

// FuzzDocument checks that Document never panics, fails only with its own
// errors, reports the bytes it wrote, and passes accepted non-image
// documents through unchanged.
func FuzzDocument(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	for _, s := range []string{"a,b\n1,2\n", `{"a":[1,2]}`, "[1, {\"b\": null}]", "PK\x05\x06" + string(make([]byte, 18)), "\xEF\xBB\xBFa;b\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var out bytes.Buffer
		kind, n, err := Document(&out, bytes.NewReader(in), 1<<20)
		if n != int64(out.Len()) {
			t.Fatalf("n = %d, wrote %d", n, out.Len())
		}
		if err != nil {
			var ae *apperr.Error
			if !errors.As(err, &ae) {
				t.Fatalf("foreign error %v", err)
			}
			return
		}
		if kind != JPEG && kind != PNG && !bytes.Equal(out.Bytes(), in) {
			t.Fatalf("a %s document changed", kind)
		}
	})
}
