package web_test

import (
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/avgloket/avgloket/internal/breach"
)

// reflowWidths are a phone's width (WCAG 1.4.10 asks for 320 CSS pixels at
// 400 % zoom; 390 is a common phone) and a laptop's.
var reflowWidths = []int64{390, 1280}

// staffPages are the staff pages an owner opens without parameters, and a
// case's and a breach's pages (ref fills in the case's reference, breach the
// breach's).
func staffPages(ref, br string) []string {
	return []string{
		"/staff/cases", "/staff/cases/new", "/staff/cases/" + ref, "/staff/cases/" + ref + "/edit",
		"/staff/breaches", "/staff/breaches/summary", "/staff/breaches/new", "/staff/breaches/settings",
		"/staff/breaches/" + br, "/staff/breaches/" + br + "/edit/data", "/staff/breaches/" + br + "/assessment",
		"/staff/breaches/" + br + "/decision", "/staff/breaches/" + br + "/ap-draft", "/staff/breaches/" + br + "/followup",
		"/staff/breaches/" + br + "/letter",
		"/staff/team", "/staff/settings", "/staff/audit", "/staff/account",
	}
}

// TestBrowserStaffPagesReflow opens every staff page as an owner in a real
// browser at a phone's width and at a laptop's, and asserts that none is
// wider than the screen (WCAG 1.4.10): the content's width the browser laid
// out is at most the viewport's. Chromium measures; no script runs.
func TestBrowserStaffPagesReflow(t *testing.T) {
	a := newBreachApp(t)
	owner := a.breachSignIn(t, "els@delinde.example")
	ref := a.fileRequest(t, "Anna de Vries-van Oudenhoven", "anna.devries-vanoudenhoven@voorbeeld.example", "utrecht")
	br := a.registered(t, stolenLaptop(t, a), breach.InformYes).Reference

	tab, consoleErrors := newChromium(t, 120*time.Second)
	base, err := url.Parse(a.ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	// The owner's session, copied from the signed-in test browser.
	if _, err := chromedp.Call(tab, network.SetCookie, network.SetCookieParams{Name: sessionCookie, Value: owner.cookie(sessionCookie),
		Domain: base.Hostname(), Path: "/"}); err != nil {
		t.Fatalf("set the session cookie: %v", err)
	}

	for _, width := range reflowWidths {
		if err := chromedp.Do(tab, chromedp.EmulateViewport(width, 900)); err != nil {
			t.Fatalf("viewport %d: %v", width, err)
		}
		for _, path := range staffPages(ref, br) {
			res, err := chromedp.RunResponse(tab, chromedp.Navigate(a.ts.URL+path))
			if err != nil {
				t.Fatalf("%s at %d px: %v", path, width, err)
			}
			if res.Status != http.StatusOK {
				t.Errorf("%s at %d px answered %d, want 200", path, width, res.Status)
				continue
			}
			m, err := chromedp.Call(tab, cdppage.GetLayoutMetrics, cdp.Empty{})
			if err != nil {
				t.Fatalf("%s at %d px: layout metrics: %v", path, width, err)
			}
			content, viewport := m.CSSContentSize.Width, float64(m.CSSLayoutViewport.ClientWidth)
			if os.Getenv("REFLOW_LOG") != "" {
				t.Logf("%4d px  %-40s %5.0f", width, path, content)
			}
			if content > viewport {
				t.Errorf("%s at %d px is %.0f px wide, wider than the %.0f px screen", path, width, content, viewport)
			}
		}
	}
	for _, m := range consoleErrors() {
		t.Errorf("browser console: %s (%s)", m, m.URL)
	}
}
