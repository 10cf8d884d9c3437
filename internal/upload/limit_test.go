package upload

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/avgloket/avgloket/internal/apperr"
)

func TestCleanLimit(t *testing.T) {
	jpg := makeJPEG(t, 64, 64)
	pngb := makePNG(t, 64, 64)
	pdf := []byte("%PDF-1.4\n" + strings.Repeat("0123456789", 200))
	tests := []struct {
		name   string
		in     []byte
		limit  int64
		tooBig bool
	}{
		{"pdf at the limit", pdf, int64(len(pdf)), false},
		{"pdf one over", pdf, int64(len(pdf)) - 1, true},
		{"pdf far over", pdf, 100, true},
		{"limit below the head", pdf, 3, true},
		{"jpeg at the limit", jpg, int64(len(jpg)), false},
		{"jpeg over", jpg, int64(len(jpg)) / 2, true},
		{"jpeg trailing data past the limit is not read", cat(jpg, make([]byte, 1000)), int64(len(jpg)), false},
		{"png at the limit", pngb, int64(len(pngb)), false},
		{"png over", pngb, int64(len(pngb)) - 1, true},
	}
	readers := map[string]func(io.Reader) io.Reader{
		"whole":    func(r io.Reader) io.Reader { return r },
		"one byte": iotest.OneByteReader,
		"half":     iotest.HalfReader,
	}
	for _, tt := range tests {
		for rname, wrap := range readers {
			t.Run(tt.name+"/"+rname, func(t *testing.T) {
				cr := &countingReader{r: wrap(bytes.NewReader(tt.in))}
				_, _, err := Clean(io.Discard, cr, tt.limit)
				if cr.n > tt.limit+1 {
					t.Fatalf("Clean read %d bytes with a limit of %d", cr.n, tt.limit)
				}
				if !tt.tooBig {
					if err != nil {
						t.Fatalf("Clean: %v", err)
					}
					return
				}
				mustAppErr(t, err, apperr.TooLarge, MsgTooLarge)
				if cr.n != tt.limit+1 {
					t.Fatalf("Clean read %d bytes before refusing, want %d", cr.n, tt.limit+1)
				}
			})
		}
	}
}

// TestCleanWriteError checks that a failing writer stops Clean.
func TestCleanWriteError(t *testing.T) {
	for name, in := range map[string][]byte{"jpeg": makeJPEG(t, 200, 200), "png": makePNG(t, 200, 200), "pdf": []byte("%PDF-1.4 x")} {
		t.Run(name, func(t *testing.T) {
			want := errors.New("disk full")
			_, _, err := Clean(failWriter{want}, bytes.NewReader(in), 0)
			if !errors.Is(err, want) {
				t.Fatalf("Clean error = %v, want %v", err, want)
			}
		})
	}
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }
