package upload

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"testing"
)

// bigSize is the size of the generated files in TestCleanBig.
const bigSize = 10 << 20

// TestCleanBig streams 10 MB files of each kind through Clean and checks
// that memory use stays far below the file size.
func TestCleanBig(t *testing.T) {
	jpg := makeJPEG(t, 16, 16)
	sos := bytes.Index(jpg, []byte{0xFF, 0xDA})
	scanStart := sos + 2 + int(binary.BigEndian.Uint16(jpg[sos+2:]))
	entropy := []byte{0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD3, 0x56}

	pngb := makePNG(t, 16, 16)
	text := []byte("comment " + marker)
	crc := crc32.ChecksumIEEE([]byte("zTXt"))
	for range bigSize / len(text) {
		crc = crc32.Update(crc, crc32.IEEETable, text)
	}
	zhead := binary.BigEndian.AppendUint32(nil, uint32(bigSize/len(text)*len(text)))

	tests := []struct {
		name    string
		src     func() io.Reader
		maxOut  int64
		atLeast int64
	}{
		{"jpeg", func() io.Reader {
			return io.MultiReader(bytes.NewReader(jpg[:scanStart]),
				&patternReader{pattern: entropy, n: bigSize / int64(len(entropy)) * int64(len(entropy))},
				bytes.NewReader([]byte{0xFF, 0xD9}))
		}, bigSize + int64(scanStart) + 2, bigSize},
		{"png with a big dropped chunk", func() io.Reader {
			return io.MultiReader(bytes.NewReader(pngb[:pngAfterIHDR]), bytes.NewReader(zhead), bytes.NewReader([]byte("zTXt")),
				&patternReader{pattern: text, n: bigSize / int64(len(text)) * int64(len(text))},
				bytes.NewReader(binary.BigEndian.AppendUint32(nil, crc)), bytes.NewReader(pngb[pngAfterIHDR:]))
		}, int64(len(pngb)), int64(len(pngb))},
		{"pdf", func() io.Reader {
			return io.MultiReader(bytes.NewReader([]byte("%PDF-1.7\n")), &patternReader{pattern: text, n: bigSize})
		}, bigSize + 9, bigSize + 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n int64
			var err error
			alloc := allocated(func() {
				_, n, err = Clean(io.Discard, tt.src(), 2*bigSize)
			})
			if err != nil {
				t.Fatalf("Clean: %v", err)
			}
			if n < tt.atLeast || n > tt.maxOut {
				t.Fatalf("Clean wrote %d bytes, want %d to %d", n, tt.atLeast, tt.maxOut)
			}
			if alloc > 1<<20 {
				t.Fatalf("Clean of a %d-byte file allocated %d bytes", bigSize, alloc)
			}
			t.Logf("%s: allocated %d bytes", tt.name, alloc)
		})
	}
}
