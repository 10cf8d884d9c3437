package upload

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/apperr"
)

func makeZIP(tb testing.TB) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	f, err := zw.Create("dossier/verslag.txt")
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := f.Write([]byte("Intakeverslag van een verzonnen cliënt.")); err != nil {
		tb.Fatal(err)
	}
	if err := zw.SetComment("export"); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// TestDocument checks answer documents by content: each accepted kind is
// recognised whatever its name would say, and files that only look like
// one (an executable, HTML, a cut-off ZIP, broken JSON) are refused.
func TestDocument(t *testing.T) {
	zipFile := makeZIP(t)
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00"), bytes.Repeat([]byte{0}, 64)...)
	tests := []struct {
		name string
		in   []byte
		kind Kind
		msg  string // the refusal's message; "" when accepted
	}{
		{"pdf", []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"), PDF, ""},
		{"png", makePNG(t, 4, 4), PNG, ""},
		{"jpeg", makeJPEG(t, 4, 4), JPEG, ""},
		{"zip", zipFile, ZIP, ""},
		{"empty zip", func() []byte {
			var b bytes.Buffer
			zw := zip.NewWriter(&b)
			_ = zw.Close()
			return b.Bytes()
		}(), ZIP, ""},
		{"json object", []byte(`{"client": {"name": "Sanne Verzonnen", "sessions": [1, 2, 3]}}` + "\n"), JSON, ""},
		{"json array with bom", []byte("\xEF\xBB\xBF [{\"a\": 1}, {\"a\": 2}]"), JSON, ""},
		{"csv", []byte("datum;soort\n2026-01-05;intake\n2026-01-12;gesprek\n"), CSV, ""},
		{"csv quoted", []byte("naam,notitie\r\n\"Verzonnen, S.\",\"zei \"\"hallo\"\"\"\r\n"), CSV, ""},
		{"exe named pdf", exe, "", MsgDocumentType},
		{"html", []byte("<!doctype html><script>alert(1)</script>"), "", MsgDocumentType},
		{"html after spaces", []byte("  \n<html></html>"), "", MsgDocumentType},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "", MsgDocumentType},
		{"empty", nil, "", MsgDocumentType},
		{"blank", []byte(" \n\n "), "", MsgDocumentType},
		{"zip cut short", zipFile[:len(zipFile)-30], "", MsgDocumentType},
		{"zip header only", append([]byte("PK\x03\x04"), bytes.Repeat([]byte("x"), 100)...), "", MsgDocumentType},
		{"json broken", []byte(`{"a": [1, 2}`), "", MsgDocumentType},
		{"json with trailer", []byte(`{"a": 1} {"b": 2}`), "", MsgDocumentType},
		{"csv ragged", []byte("a,b,c\n1,2\n"), "", MsgDocumentType},
		{"csv bad quote", []byte("a,b\n\"1,2\n"), "", MsgDocumentType},
		{"text with nul", []byte("a,b\n1,\x002\n"), "", MsgDocumentType},
		{"latin-1 text", []byte("naam\nJos\xe9\n"), "", MsgDocumentType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			kind, n, err := Document(&out, bytes.NewReader(tt.in), 0)
			if tt.msg != "" {
				mustAppErr(t, err, apperr.Invalid, tt.msg)
				return
			}
			if err != nil {
				t.Fatalf("Document: %v", err)
			}
			if kind != tt.kind {
				t.Errorf("kind = %q, want %q", kind, tt.kind)
			}
			if n != int64(out.Len()) {
				t.Errorf("n = %d, but %d bytes written", n, out.Len())
			}
			if kind != PNG && kind != JPEG && !bytes.Equal(out.Bytes(), tt.in) {
				t.Errorf("a %s document changed on the way", kind)
			}
		})
	}
}

// TestDocumentLimit refuses a document over the limit with TooLarge,
// whatever its kind.
func TestDocumentLimit(t *testing.T) {
	for _, in := range []string{strings.Repeat("a,b\n", 100), "%PDF-" + strings.Repeat("x", 400)} {
		_, _, err := Document(&bytes.Buffer{}, strings.NewReader(in), 300)
		mustAppErr(t, err, apperr.TooLarge, MsgTooLarge)
	}
}

// TestDocumentKinds: the new kinds are served with their own type and
// extension.
func TestDocumentKinds(t *testing.T) {
	for k, want := range map[Kind][2]string{CSV: {"text/csv; charset=utf-8", ".csv"}, JSON: {"application/json", ".json"}, ZIP: {"application/zip", ".zip"}} {
		if k.ContentType() != want[0] || k.Extension() != want[1] {
			t.Errorf("%s: %s %s", k, k.ContentType(), k.Extension())
		}
	}
}
