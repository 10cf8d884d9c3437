package web_test

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/staff"
)

// The tracking page takes a file only for a question that asked for one,
// and only as the purpose that question named: otherwise 422 with a clear
// message, and nothing stored on disk or in the database.
func TestTrackingPageTakesOnlyTheFileAsked(t *testing.T) {
	for _, tc := range []struct {
		name, upload, sent, message string
	}{
		{"a question without a file", "", "other", "identity.no_upload_asked"},
		{"an ID copy sent as other", "id_copy", "other", "identity.upload_purpose"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newTestServer(t, withBranches("utrecht"))
			a.addMember(t, "officer@praktijk.example", staff.Officer, "utrecht")
			officer := a.signIn(t, "officer@praktijk.example")
			ref := a.fileRequest(t, "Test Ouder", "ouder@example.org", "utrecht")
			officer.submit("/staff/cases/"+ref+"/ask", "ask.method", "id_copy", "ask.upload", tc.upload,
				"ask.text", "Wilt u uw geboortedatum bevestigen?").location()
			parent := a.browser(t)
			token := a.latestTrackingToken(t, "ouder@example.org")
			action := formAction(t, parent.get("/volg/"+token))

			p := answerForm(t, parent, action, "Hierbij.", tc.sent, "kopie.png", idCopyPNG(t, "MARKER", "PIXELS"))
			if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, a.nl(tc.message)) {
				t.Fatalf("status %d, want 422 with %q:\n%s", p.Status, a.nl(tc.message), p.Body)
			}
			c := a.caseOf(t, ref)
			files, err := a.store.Files(t.Context(), c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(files) != 0 {
				t.Fatalf("a refused file was recorded: %+v", files)
			}
			if entries, _ := os.ReadDir(a.filesDir); len(entries) != 0 {
				t.Fatalf("a refused file left %d file(s) on disk", len(entries))
			}
			if c.Status != "awaiting_identity" {
				t.Fatalf("the refused answer moved the case to %s", c.Status)
			}
		})
	}
}
