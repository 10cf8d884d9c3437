package web_test

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/staff"
)

func tinyPNG(tb testing.TB) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// Attachments are kept encrypted, checked by content, downloaded only as
// attachments by staff who may see the breach, and audited (SECURITY.md
// items 2, 3 and 11).
func TestBreachAttachments(t *testing.T) {
	a := newBreachApp(t)
	a.breachMember(t, "u@delinde.example", "Uri Utrecht", staff.Officer, "utrecht")
	a.breachMember(t, "a@delinde.example", "Ada Amsterdam", staff.Officer, "amsterdam")
	r := a.registered(t, stolenLaptop(t, a), "")
	path := "/staff/breaches/" + r.Reference
	owner := a.breachSignIn(t, "els@delinde.example")
	officer := a.breachSignIn(t, "u@delinde.example")
	other := a.breachSignIn(t, "a@delinde.example")

	marker := "Qzaangifte-proces-verbaal-4711"
	pdf := []byte("%PDF-1.4\n% " + marker + "\n%%EOF\n")
	breachAt(t, owner.upload(path+"/files", "file", "aangifte.pdf", pdf))
	breachAt(t, officer.upload(path+"/files", "file", "foto.png", tinyPNG(t)))

	tests := []struct {
		name    string
		b       *breachBrowser
		file    string
		content []byte
		status  int
	}{
		{"a script renamed to .pdf", owner, "x.pdf", []byte("<script>alert(1)</script>"), http.StatusUnprocessableEntity},
		{"an empty file", owner, "leeg.png", nil, http.StatusUnprocessableEntity},
		{"a broken PNG", owner, "kapot.png", tinyPNG(t)[:30], http.StatusUnprocessableEntity},
		{"another branch's officer", other, "x.pdf", pdf, http.StatusNotFound},
		{"over 10 MB", owner, "groot.pdf", append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 10<<20)...), http.StatusRequestEntityTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.b.upload(path+"/files", "file", tc.file, tc.content); got.Status != tc.status {
				t.Errorf("status %d, want %d\n%s", got.Status, tc.status, got.text())
			}
		})
	}

	files, err := a.breaches.Attachments(t.Context(), mustRecord(t, a, r.Reference))
	if err != nil || len(files) != 2 || files[0].Kind != "pdf" || files[1].Kind != "png" {
		t.Fatalf("attachments = %+v, %v; want the PDF and the PNG only", files, err)
	}
	view := owner.get(path)
	if links := view.find(func(n *htmlNode) bool { return n.Data == "a" && strings.Contains(attr(n, "href"), "/files/") }); len(links) != 2 {
		t.Errorf("the breach page links %d attachments, want 2", len(links))
	}

	// The PDF is not on disk in clear.
	stored, err := filepath.Glob(filepath.Join(a.files, "*"))
	if err != nil || len(stored) != 2 {
		t.Errorf("files on disk %v, %v; want the two kept", stored, err)
	}
	for _, f := range stored {
		if b, _ := os.ReadFile(f); bytes.Contains(b, []byte(marker)) {
			t.Errorf("%s holds the attachment in clear", f)
		}
	}

	dl := officer.get(path + "/files/" + files[0].ID)
	if dl.Status != http.StatusOK || !bytes.Equal([]byte(dl.Body), pdf) {
		t.Fatalf("download: %d, %d bytes", dl.Status, len(dl.Body))
	}
	for h, want := range map[string]string{"Content-Type": "application/pdf", "X-Content-Type-Options": "nosniff",
		"Cache-Control": "no-store", "Content-Security-Policy": "sandbox; default-src 'none'"} {
		if got := dl.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if cd := dl.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="`+r.Reference+"-bijlage-") || strings.Contains(cd, "aangifte") {
		t.Errorf("Content-Disposition %q: want a name we make", cd)
	}
	for _, probe := range []string{path + "/files/" + files[0].ID, path + "/files/0123456789abcdef0123456789abcdef"} {
		if got := other.get(probe); got.Status != http.StatusNotFound || strings.Contains(got.Body, marker) {
			t.Errorf("%s for another branch: %d", probe, got.Status)
		}
	}
	if got := owner.get(path + "/files/0123456789abcdef0123456789abcdef"); got.Status != http.StatusNotFound {
		t.Errorf("an unknown attachment: %d", got.Status)
	}

	var actions []string
	for _, e := range breachAudit(t, a) {
		if e.Object == "breach:"+strconv.FormatInt(r.ID, 10) && strings.HasPrefix(string(e.Action), "file_") {
			actions = append(actions, string(e.Action)+" "+e.Detail)
		}
	}
	if want := []string{"file_upload kind=pdf", "file_upload kind=png", "file_view kind=pdf"}; !slices.Equal(actions, want) {
		t.Errorf("audit %q, want %q", actions, want)
	}
}
