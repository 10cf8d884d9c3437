package web_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/staff"
	"github.com/avgloket/avgloket/internal/store/dbtest"
)

// idCopyPNG makes a small PNG as a phone's photo of a masked ID copy
// would be: metadata in a tEXt chunk, which the upload cleaner drops, and
// pixels, a row of grey values spelling that text, stored uncompressed so
// that the text stands in clear in the image data, which the cleaner keeps
// byte for byte. So pixels is in the file the store gets, and is on disk in
// clear unless the store encrypts it.
func idCopyPNG(tb testing.TB, metadata, pixels string) []byte {
	tb.Helper()
	img := image.NewGray(image.Rect(0, 0, len(pixels), 1))
	copy(img.Pix, pixels)
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.NoCompression}).Encode(&buf, img); err != nil {
		tb.Fatal(err)
	}
	b := buf.Bytes()
	if !bytes.Contains(b, []byte(pixels)) {
		tb.Fatal("the uncompressed PNG does not hold its pixels as they are")
	}
	data := []byte("Comment\x00" + metadata)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	chunk = append(append(chunk, "tEXt"...), data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	return append(append(append([]byte{}, b[:33]...), chunk...), b[33:]...)
}

// assertNotAtRest fails unless the data folder holds a stored file under
// files/, the database and its write-ahead log, and marker is in none of
// the data folder's files nor in the log.
func (a *testApp) assertNotAtRest(tb testing.TB, marker string) {
	tb.Helper()
	dir := filepath.Dir(a.filesDir)
	if entries, err := os.ReadDir(a.filesDir); err != nil || len(entries) == 0 {
		tb.Fatalf("nothing stored under files/: %v", err)
	}
	for _, name := range []string{"avgloket.db", "avgloket.db-wal"} {
		if dbtest.OnPostgres() {
			break // the database is not in the folder; the files are
		}
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			tb.Fatalf("the data folder lacks %s: %v", name, err)
		}
	}
	assertNotOnDisk(tb, dir, marker)
	if strings.Contains(a.logs.String(), marker) {
		tb.Errorf("the log holds %q", marker)
	}
}

// answerForm posts the tracking page's answer form as a browser does: a
// multipart body to the form's action (which carries the CSRF token).
func answerForm(tb testing.TB, b *browser, action, answer, purpose, filename string, file []byte) *page {
	tb.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("answer", answer)
	if purpose != "" {
		_ = w.WriteField("purpose", purpose)
		fw, err := w.CreateFormFile("file", filename)
		if err != nil {
			tb.Fatal(err)
		}
		_, _ = fw.Write(file)
	}
	_ = w.Close()
	req, err := http.NewRequestWithContext(tb.Context(), http.MethodPost, b.base+action, &body)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(req)
}

func formAction(tb testing.TB, p *page) string {
	tb.Helper()
	i := strings.Index(p.Body, `action="/volg/`)
	if i < 0 {
		tb.Fatalf("no answer form on the tracking page:\n%s", p.Body)
	}
	rest := p.Body[i+len(`action="`):]
	return strings.ReplaceAll(rest[:strings.IndexByte(rest, '"')], "&amp;", "&")
}

// Issue 4's journey through the pages: the officer asks a parent for a
// masked ID copy, the parent uploads it on the tracking page (CSRF in the
// form's action, the file streamed, its metadata stripped), the officer
// downloads it as an attachment and records the verification, and the copy
// is gone.
func TestIdentityThroughThePages(t *testing.T) {
	a := newTestServer(t, withBranches("utrecht"))
	a.addMember(t, "officer@praktijk.example", staff.Officer, "utrecht")
	officer := a.signIn(t, "officer@praktijk.example")
	res := a.api(t, http.MethodPost, "/api/v1/requests", "", map[string]any{
		"type": "access", "requester": map[string]any{"name": "Test Ouder", "email": "ouder@example.org", "relation": "parent"},
		"subject": map[string]any{"name": "Test Kind", "birth_date": "2013-05-01"}, "branch": "utrecht"})
	if res.Status != http.StatusCreated {
		t.Fatalf("file: %d %s", res.Status, res.Body)
	}
	ref := res.object()["reference"].(string)

	page := officer.get("/staff/cases/" + ref)
	for _, want := range []string{"13 jaar", "ouderlijk gezag"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
	ask := officer.submit("/staff/cases/"+ref+"/ask", "ask.method", "id_copy", "ask.upload", "id_copy",
		"ask.text", "Wilt u een afgeschermde kopie van uw identiteitsbewijs sturen?")
	ask.location()

	parent := a.browser(t)
	token := a.latestTrackingToken(t, "ouder@example.org")
	track := parent.get("/volg/" + token)
	if !strings.Contains(track.Body, "afgeschermde kopie") || !strings.Contains(track.Body, "KopieID") {
		t.Fatalf("the tracking page does not ask for the copy or explain masking:\n%s", track.Body)
	}
	action := formAction(t, track)

	t.Run("without the CSRF token", func(t *testing.T) {
		bare, _, _ := strings.Cut(action, "?")
		if p := answerForm(t, parent, bare, "x", "", "", nil); p.Status != http.StatusForbidden {
			t.Fatalf("status %d, want 403", p.Status)
		}
	})
	t.Run("an HTML file named .pdf", func(t *testing.T) {
		p := answerForm(t, parent, action, "", "id_copy", "paspoort.pdf", []byte("<html><script>alert(1)</script></html>"))
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, a.nl("upload.type")) {
			t.Fatalf("status %d, want 422 with the type message", p.Status)
		}
	})
	t.Run("too large, said before the body is read", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, parent.base+action, io.LimitReader(zeros{}, 12<<20))
		req.ContentLength = 12 << 20
		req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
		if p := parent.do(req); p.Status != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413", p.Status)
		}
	})

	marker, content := "GPS-52.0907-5.1214", "PIXELS-PASPOORT-0815"
	sent := answerForm(t, parent, action, "Hierbij de kopie.", "id_copy", "kopie.png", idCopyPNG(t, marker, content))
	if loc := sent.location(); loc != "/volg/"+token {
		t.Fatalf("after the answer: %s", loc)
	}
	if after := parent.get("/volg/" + token); strings.Contains(after.Body, `enctype="multipart/form-data"`) {
		t.Fatal("the question is still open after the answer")
	}

	page = officer.get("/staff/cases/" + ref)
	i := strings.Index(page.Body, "/files/")
	if i < 0 {
		t.Fatalf("no download link on the case page")
	}
	link := page.Body[strings.LastIndex(page.Body[:i], `"`)+1 : i+len("/files/")+32]
	file := officer.get(link)
	if file.Status != http.StatusOK || file.Header.Get("Content-Type") != "image/png" ||
		!strings.HasPrefix(file.Header.Get("Content-Disposition"), "attachment; filename=\""+ref+"-id_copy.png") ||
		file.Header.Get("X-Content-Type-Options") != "nosniff" || file.Header.Get("Cache-Control") != "no-store" ||
		!strings.Contains(file.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("download: %d %v", file.Status, file.Header)
	}
	if strings.Contains(file.Body, marker) {
		t.Fatal("the image's metadata survived")
	}
	if !strings.Contains(file.Body, content) {
		t.Fatal("the download lacks the image's pixels")
	}
	a.assertNotAtRest(t, content)
	if _, err := png.Decode(strings.NewReader(file.Body)); err != nil {
		t.Fatalf("the download is not a PNG: %v", err)
	}

	verify := officer.submit("/staff/cases/"+ref+"/identity", "identity.method", "id_copy", "identity.outcome", "verified",
		"identity.note", "Naam vergeleken")
	verify.location()
	if gone := officer.get(link); gone.Status != http.StatusNotFound {
		t.Fatalf("the ID copy is still downloadable: %d", gone.Status)
	}
	if id := link[strings.LastIndex(link, "/")+1:]; a.files.Exists(id) {
		t.Fatal("the ID copy is still on disk")
	}
	page = officer.get("/staff/cases/" + ref)
	if !strings.Contains(page.Body, a.nl("identity.file_destroyed")) {
		t.Fatal("the case page does not say the copy was destroyed")
	}
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
