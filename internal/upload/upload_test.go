package upload

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/avgloket/avgloket/internal/apperr"
)

func TestKind(t *testing.T) {
	tests := []struct {
		kind      Kind
		ctype     string
		extension string
	}{
		{PDF, "application/pdf", ".pdf"},
		{JPEG, "image/jpeg", ".jpg"},
		{PNG, "image/png", ".png"},
		{"", "application/octet-stream", ".bin"},
	}
	for _, tt := range tests {
		if got := tt.kind.ContentType(); got != tt.ctype {
			t.Errorf("%q.ContentType() = %q, want %q", tt.kind, got, tt.ctype)
		}
		if got := tt.kind.Extension(); got != tt.extension {
			t.Errorf("%q.Extension() = %q, want %q", tt.kind, got, tt.extension)
		}
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name string
		head []byte
		want Kind // "" means refused
	}{
		{"pdf", []byte("%PDF-1.7\n"), PDF},
		{"jpeg", []byte{0xFF, 0xD8, 0xFF, 0xE0}, JPEG},
		{"png", magicPNG, PNG},
		{"html named x.pdf", []byte("<!DOCTYPE html><script>alert(1)</script>"), ""},
		{"pdf magic not at start", []byte(" %PDF-1.7"), ""},
		{"gif", []byte("GIF89a\x01\x00"), ""},
		{"zip", []byte("PK\x03\x04\x14\x00"), ""},
		{"svg", []byte("<svg xmlns="), ""},
		{"empty", nil, ""},
		{"short pdf", []byte("%PDF"), ""},
		{"short jpeg", []byte{0xFF, 0xD8}, ""},
		{"short png", magicPNG[:7], ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Detect(tt.head)
			if tt.want == "" {
				mustAppErr(t, err, apperr.Invalid, MsgType)
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Detect = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// mustAppErr checks that err is an apperr with the given code and message.
func mustAppErr(tb testing.TB, err error, code apperr.Code, msg string) {
	tb.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code != code || e.Message != msg {
		tb.Fatalf("error = %v, want apperr %s %s", err, code, msg)
	}
}

func TestCleanJPEG(t *testing.T) {
	orig := makeJPEG(t, 37, 21)
	jfif := segment(0xE0, []byte("JFIF\x00\x01\x02\x01\x00\x48\x00\x48\x00\x00"))
	adobe := segment(0xEE, []byte("Adobe\x00\x64\x00\x00\x00\x00\x01"))
	exif := segment(0xE1, []byte("Exif\x00\x00"), []byte(marker))
	xmp := segment(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>"+marker))
	icc := segment(0xE2, []byte("ICC_PROFILE\x00\x01\x01"+marker))
	iptc := segment(0xED, []byte("Photoshop 3.0\x00"+marker))
	com := segment(0xFE, []byte(marker))
	app15 := segment(0xEF, []byte(marker))
	notAdobe := segment(0xEE, []byte("Other"+marker))
	jfxx := segment(0xE0, []byte("JFXX\x00\x10"+marker))
	// A JFIF header with a 2x1 thumbnail whose pixels hold the marker.
	thumb := segment(0xE0, []byte("JFIF\x00\x01\x02\x01\x00\x48\x00\x48\x02\x01"), []byte(marker[:6]))
	afterDQT := jpegFirstSegmentEnd(orig)

	tests := []struct {
		name      string
		in, want  []byte
		decodable bool
	}{
		{"plain", orig, orig, true},
		{"jfif and adobe kept", insert(orig, 2, jfif, adobe), insert(orig, 2, jfif, adobe), true},
		{"metadata dropped", insert(orig, 2, jfif, exif, xmp, icc, iptc, adobe, com, app15, notAdobe, jfxx),
			insert(orig, 2, jfif, adobe), true},
		{"comment between tables", insert(orig, afterDQT, com), orig, true},
		{"jfif thumbnail cut", insert(orig, 2, thumb, exif), insert(orig, 2, jfif), true},
		{"trailing data dropped", cat(orig, []byte(marker)), orig, true},
		{"second image after EOI dropped", cat(orig, insert(orig, 2, exif)), orig, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			kind, n, err := Clean(&out, bytes.NewReader(tt.in), 0)
			if err != nil || kind != JPEG || n != int64(out.Len()) {
				t.Fatalf("Clean = %q, %d, %v (wrote %d)", kind, n, err, out.Len())
			}
			if bytes.Contains(out.Bytes(), []byte(marker[:6])) {
				t.Fatal("the marker survived Clean")
			}
			if !bytes.Equal(out.Bytes(), tt.want) {
				t.Fatalf("Clean wrote %d bytes, want %d (not the expected bytes)", out.Len(), len(tt.want))
			}
			mustDecode(t, out.Bytes(), "jpeg", 37, 21)
		})
	}
}

// TestCleanJPEGScan checks the scan logic on a hand-built stream with two
// scans, restart markers, stuffed bytes, fill bytes and metadata between
// scans.
func TestCleanJPEGScan(t *testing.T) {
	soi := []byte{0xFF, 0xD8}
	dqt := segment(0xDB, []byte{0xAA, 0xBB})
	tem := []byte{0xFF, 0x01}
	sof := segment(0xC2, []byte{1, 2, 3})
	dri := segment(0xDD, []byte{0, 16})
	sos1 := segment(0xDA, []byte{0x11, 0x22})
	ecs1 := []byte{0x01, 0xFF, 0x00, 0x02, 0xFF, 0xD0, 0x03, 0xFF, 0xFF, 0xD1, 0x04, 0xFF, 0xFF, 0x00, 0x05}
	sos2 := segment(0xDA, []byte{0x33, 0x44})
	ecs2 := []byte{0x06, 0xFF, 0x00, 0x07, 0xFF} // ends with a fill byte before EOI
	eoi := []byte{0xFF, 0xD9}
	in := cat(soi, segment(0xE1, []byte(marker)), dqt, tem, []byte{0xFF, 0xFF}, sof, dri, sos1, ecs1,
		segment(0xFE, []byte(marker)), sos2, ecs2, eoi, []byte(marker))
	want := cat(soi, dqt, tem, sof, dri, sos1, ecs1, sos2, ecs2, eoi)
	var out bytes.Buffer
	if _, _, err := Clean(&out, iotest.OneByteReader(bytes.NewReader(in)), 0); err != nil {
		t.Fatalf("Clean: %v", err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Fatalf("Clean wrote\n% x\nwant\n% x", out.Bytes(), want)
	}
}

func TestCleanPNG(t *testing.T) {
	orig := makePNG(t, 23, 17)
	gama := chunk("gAMA", []byte{0, 0, 0xB1, 0x8F})
	phys := chunk("pHYs", []byte{0, 0, 0x0B, 0x13, 0, 0, 0x0B, 0x13, 1})
	srgb := chunk("sRGB", []byte{0})
	meta := [][]byte{
		chunk("tEXt", []byte("Author\x00"+marker)),
		chunk("zTXt", []byte("Comment\x00\x00"+marker)),
		chunk("iTXt", []byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00"+marker)),
		chunk("eXIf", []byte("MM\x00\x2A"+marker)),
		chunk("tIME", []byte{0x07, 0xE8, 1, 2, 3, 4, 5}),
		chunk("prVt", []byte(marker)),
	}
	tests := []struct {
		name     string
		in, want []byte
	}{
		{"plain", orig, orig},
		{"safe ancillary kept", insert(orig, pngAfterIHDR, gama, srgb, phys), insert(orig, pngAfterIHDR, gama, srgb, phys)},
		{"text and exif dropped", insert(orig, pngAfterIHDR, gama, cat(meta...), phys), insert(orig, pngAfterIHDR, gama, phys)},
		{"text after image data dropped", insert(orig, len(orig)-12, meta[0]), orig},
		{"trailing data dropped", cat(orig, []byte(marker)), orig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			kind, n, err := Clean(&out, bytes.NewReader(tt.in), 0)
			if err != nil || kind != PNG || n != int64(out.Len()) {
				t.Fatalf("Clean = %q, %d, %v (wrote %d)", kind, n, err, out.Len())
			}
			if bytes.Contains(out.Bytes(), []byte(marker)) {
				t.Fatal("the marker survived Clean")
			}
			if !bytes.Equal(out.Bytes(), tt.want) {
				t.Fatalf("Clean wrote %d bytes, want %d (not the expected bytes)", out.Len(), len(tt.want))
			}
			mustDecode(t, out.Bytes(), "png", 23, 17)
		})
	}
}

func TestCleanPDF(t *testing.T) {
	in := []byte("%PDF-1.4\n1 0 obj << /Author (" + marker + ") >> endobj\n%%EOF\ntrailing")
	var out bytes.Buffer
	kind, n, err := Clean(&out, iotest.HalfReader(bytes.NewReader(in)), 0)
	if err != nil || kind != PDF || n != int64(len(in)) {
		t.Fatalf("Clean = %q, %d, %v", kind, n, err)
	}
	if !bytes.Equal(out.Bytes(), in) {
		t.Fatal("a PDF is not passed through unchanged")
	}
}

func TestCleanRefused(t *testing.T) {
	jpg := makeJPEG(t, 8, 8)
	pngb := makePNG(t, 8, 8)
	badCRC := bytes.Clone(pngb)
	badCRC[pngAfterIHDR+10] ^= 0x01 // inside the IDAT data
	badTextCRC := insert(pngb, pngAfterIHDR, chunk("tEXt", []byte("a\x00b")))
	badTextCRC[pngAfterIHDR+9] ^= 0x01
	tests := []struct {
		name string
		in   []byte
		msg  string
	}{
		{"html named x.pdf", []byte("<html><body onload=alert(1)>%PDF-1.7</body></html>"), MsgType},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), MsgType},
		{"zip", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"), MsgType},
		{"empty", nil, MsgType},
		{"png signature only", magicPNG, MsgCorrupt},
		{"truncated png", pngb[:len(pngb)-20], MsgCorrupt},
		{"png cut before IEND", pngb[:len(pngb)-12], MsgCorrupt},
		{"png bad crc", badCRC, MsgCorrupt},
		{"png bad crc in dropped chunk", badTextCRC, MsgCorrupt},
		{"png without IHDR first", insert(pngb, 8, chunk("gAMA", []byte{0, 0, 0xB1, 0x8F})), MsgCorrupt},
		{"png unknown critical chunk", insert(pngb, pngAfterIHDR, chunk("CgBI", []byte{0, 0, 0, 0})), MsgCorrupt},
		{"png bad chunk type", insert(pngb, pngAfterIHDR, chunk("t\x00Xt", nil)), MsgCorrupt},
		{"png huge chunk length", cat(pngb[:pngAfterIHDR], []byte{0x80, 0, 0, 0}, []byte("IDAT")), MsgCorrupt},
		{"png without IDAT", cat(pngb[:pngAfterIHDR], chunk("IEND", nil)), MsgCorrupt},
		{"jpeg soi only", []byte{0xFF, 0xD8, 0xFF}, MsgCorrupt},
		{"truncated jpeg", jpg[:len(jpg)-10], MsgCorrupt},
		{"jpeg without EOI", jpg[:len(jpg)-2], MsgCorrupt},
		{"jpeg without scan", []byte{0xFF, 0xD8, 0xFF, 0xD9}, MsgCorrupt},
		{"jpeg segment length 1", cat(jpg[:2], []byte{0xFF, 0xDB, 0x00, 0x01}, jpg[2:]), MsgCorrupt},
		{"jpeg segment past the end", cat(jpg[:2], []byte{0xFF, 0xE1, 0xFF, 0xFF}, []byte(marker)), MsgCorrupt},
		{"jpeg garbage between segments", insert(jpg, jpegFirstSegmentEnd(jpg), []byte("xx")), MsgCorrupt},
		{"jpeg second SOI", insert(jpg, 2, []byte{0xFF, 0xD8}), MsgCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Clean(io.Discard, bytes.NewReader(tt.in), 0)
			mustAppErr(t, err, apperr.Invalid, tt.msg)
		})
	}
}
