package upload

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"runtime"
	"testing"
)

// marker is the text the tests hide in metadata; it must not survive Clean.
const marker = "MARKER-jan-de-vries-1970"

// testImage is a w×h gradient.
func testImage(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{uint8(x * 7), uint8(y * 5), uint8(x + y), 255})
		}
	}
	return img
}

func makeJPEG(tb testing.TB, w, h int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, testImage(w, h), &jpeg.Options{Quality: 90}); err != nil {
		tb.Fatalf("jpeg.Encode: %v", err)
	}
	return buf.Bytes()
}

func makePNG(tb testing.TB, w, h int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, testImage(w, h)); err != nil {
		tb.Fatalf("png.Encode: %v", err)
	}
	return buf.Bytes()
}

// segment builds a JPEG marker segment with its length.
func segment(m byte, payload ...[]byte) []byte {
	p := bytes.Join(payload, nil)
	out := []byte{0xFF, m, 0, 0}
	binary.BigEndian.PutUint16(out[2:], uint16(len(p)+2))
	return append(out, p...)
}

// chunk builds a PNG chunk with a correct CRC.
func chunk(typ string, data []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	out = append(out, typ...)
	out = append(out, data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[4:]))
}

// pngAfterIHDR is the offset just past a PNG's signature and IHDR chunk.
const pngAfterIHDR = 8 + 8 + ihdrSize + 4

// insert returns b with parts inserted at off.
func insert(b []byte, off int, parts ...[]byte) []byte {
	out := append([]byte{}, b[:off]...)
	for _, p := range parts {
		out = append(out, p...)
	}
	return append(out, b[off:]...)
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// countingReader counts the bytes read from r.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// mustDecode decodes an image and checks its format and size.
func mustDecode(tb testing.TB, b []byte, format string, w, h int) {
	tb.Helper()
	img, got, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		tb.Fatalf("image.Decode: %v", err)
	}
	if got != format || img.Bounds().Dx() != w || img.Bounds().Dy() != h {
		tb.Fatalf("decoded %s %v, want %s %dx%d", got, img.Bounds(), format, w, h)
	}
}

// patternReader yields n bytes of a fixed pattern without holding them.
type patternReader struct {
	pattern []byte
	n, off  int64
}

func (p *patternReader) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), p.n-p.off)]
	for i := range b {
		b[i] = p.pattern[(p.off+int64(i))%int64(len(p.pattern))]
	}
	p.off += int64(len(b))
	return len(b), nil
}

// allocated runs f and returns the bytes allocated meanwhile.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// jpegFirstSegmentEnd is the offset just past the segment that follows SOI.
func jpegFirstSegmentEnd(b []byte) int {
	return 2 + 2 + int(binary.BigEndian.Uint16(b[4:]))
}
