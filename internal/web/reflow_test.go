package web_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"golang.org/x/net/html"

	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/staff"
)

// reflowWidths are the widths of a small and a common phone (WCAG 1.4.10
// asks for 320 CSS pixels, a 1280 px screen at 400 % zoom) and a laptop's.
// Below phoneWidth (52rem, app.css) tables stack and columns fold.
var reflowWidths = []int64{320, 390, 1280}

const phoneWidth = 832

// staffPages are the staff pages an owner opens without parameters (but
// /staff, which sends them on to /staff/cases), a case's and a breach's
// pages (ref is the case's reference, br the breach's), the register
// of processing activities with two of its template's activities, and the
// consent registry (a search that finds seedStaffPages' consent, and the
// form).
func staffPages(ref, br string) []string {
	return []string{
		"/staff/cases", "/staff/cases/new", "/staff/cases/" + ref, "/staff/cases/" + ref + "/edit",
		"/staff/breaches", "/staff/breaches/summary", "/staff/breaches/new", "/staff/breaches/settings",
		"/staff/breaches/" + br, "/staff/breaches/" + br + "/edit/data", "/staff/breaches/" + br + "/assessment",
		"/staff/breaches/" + br + "/decision", "/staff/breaches/" + br + "/ap-draft", "/staff/breaches/" + br + "/followup?kind=supplement",
		"/staff/breaches/" + br + "/letter",
		"/staff/team", "/staff/settings", "/staff/audit", "/staff/audit?what=case_create&ref=" + ref, "/staff/account", "/staff/account/totp", "/staff/outbox",
		"/staff/register", "/staff/register/print", "/staff/register/new", "/staff/register/activities/newsletter",
		"/staff/register/activities/client-file/edit",
		"/staff/consents?q=anna.devries-vanoudenhoven%40voorbeeld.example", "/staff/consents/new",
		"/staff/report",
	}
}

// seedStaffPages gives the staff pages rows to show: a case, a consent, and a breach
// assessed, decided, notified to the authority and changed since, so that
// its follow-up page lists the change. It returns the case's and the
// breach's references.
func seedStaffPages(t *testing.T, a *breachApp, owner *breachBrowser) (ref, br string) {
	t.Helper()
	ref = a.fileRequest(t, "Anna de Vries-van Oudenhoven", "anna.devries-vanoudenhoven@voorbeeld.example", "utrecht")
	br = a.registered(t, stolenLaptop(t, a), breach.InformYes).Reference
	amsterdam, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	now := a.clock.Now().In(amsterdam)
	breachAt(t, owner.postForm("/staff/breaches/"+br+"/ap-draft", "kind", "initial",
		"submitted_at", now.Format(time.DateOnly), "submitted_at_time", now.Format("15:04"), "ap_reference", "M-2026-48213"))
	breachAt(t, owner.postForm("/staff/breaches/"+br+"/edit/measures",
		"consequences", "Onbekenden kunnen gevoelige gegevens over kinderen en gezinnen lezen.",
		"measures_taken", "Aangifte gedaan; wachtwoorden gewijzigd.", "measures_planned", "Alle laptops krijgen schijfversleuteling."))
	breachAt(t, owner.postForm("/staff/consents/new", "activity", "newsletter", "subject.name", "Anna de Vries-van Oudenhoven",
		"subject.birth_date", "2014-03-09", "email", "anna.devries-vanoudenhoven@voorbeeld.example", "given_at", "2026-01-10",
		"given_by", "guardian", "representative", "Gerarda Wilhelmina van Oudenhoven-Scholten"))
	return ref, br
}

// TestBrowserStaffPagesReflow opens every staff page as an owner in a real
// browser at a phone's width and at a laptop's, and asserts that none is
// wider than the screen (WCAG 1.4.10): the content's width the browser laid
// out is at most the viewport's. Chromium measures; no script runs.
func TestBrowserStaffPagesReflow(t *testing.T) {
	a := newBreachApp(t)
	owner := a.breachSignIn(t, "els@delinde.example")
	ref, br := seedStaffPages(t, a, owner)

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

	// On a phone the queue's cells stack and the case page's actions come
	// below its facts; on a laptop the cells stand in a row and the actions
	// beside the facts.
	layoutChecks := map[string]func(*testing.T, context.Context, int64){
		"/staff/cases": func(t *testing.T, tab context.Context, width int64) {
			first, second := box(t, tab, "table.cases tbody tr td:nth-child(1)"), box(t, tab, "table.cases tbody tr td:nth-child(2)")
			stacked(t, "queue: the first row's second cell", first, second, width)
		},
		"/staff/cases/" + ref: func(t *testing.T, tab context.Context, width int64) {
			facts, actions := box(t, tab, ".case-grid > div:nth-child(1)"), box(t, tab, ".case-grid > div:nth-child(2)")
			stacked(t, "case page: the actions", facts, actions, width)
		},
		"/staff/breaches/" + br: func(t *testing.T, tab context.Context, width int64) {
			facts, actions := box(t, tab, ".case-grid > div:nth-child(1)"), box(t, tab, ".case-grid > div:nth-child(2)")
			stacked(t, "breach page: the side column", facts, actions, width)
		},
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
			if check := layoutChecks[path]; check != nil {
				check(t, tab, width)
			}
		}
	}
	for _, m := range consoleErrors() {
		t.Errorf("browser console: %s (%s)", m, m.URL)
	}
}

// TestStaffTableCellsNamedByColumn: on a phone a table's rows stack and each
// cell shows the name of its column, which it carries in data-label. Every
// cell of every staff table carries its column's header, in the column's
// order, so no stacked cell goes unnamed or misnamed; the tables keep their
// header row and scope="col" for screen readers.
func TestStaffTableCellsNamedByColumn(t *testing.T) {
	a := newBreachApp(t)
	owner := a.breachSignIn(t, "els@delinde.example")
	a.breachMember(t, "u@delinde.example", "Uri Utrecht", staff.Officer, "utrecht")
	a.breachToken(t, "els@delinde.example")
	ref, br := seedStaffPages(t, a, owner)

	cells := map[string]int{} // labelled cells per page
	for _, path := range staffPages(ref, br) {
		p := owner.get(path)
		if p.Status != http.StatusOK {
			t.Fatalf("%s answered %d, want 200 (%s)", path, p.Status, p.Header.Get("Location"))
		}
		for i, table := range p.find(func(n *html.Node) bool { return n.Data == "table" }) {
			var cols []string
			for n := range table.Descendants() {
				if n.Type == html.ElementNode && n.Data == "th" {
					if attr(n, "scope") != "col" {
						t.Errorf("%s table %d: header %q lacks scope=col", path, i, textContent(n))
					}
					cols = append(cols, textContent(n))
				}
			}
			for n := range table.Descendants() {
				if n.Type != html.ElementNode || n.Data != "tr" || n.Parent.Data != "tbody" {
					continue
				}
				col := 0
				for td := range n.ChildNodes() {
					if td.Type != html.ElementNode || td.Data != "td" {
						continue
					}
					if col >= len(cols) {
						t.Errorf("%s table %d: a row has more cells than the %d columns", path, i, len(cols))
						break
					}
					if got := attr(td, "data-label"); got != cols[col] {
						t.Errorf("%s table %d column %d: cell %q labelled %q, want %q", path, i, col, textContent(td), got, cols[col])
					}
					col++
					cells[path]++
				}
			}
		}
	}
	for _, path := range []string{"/staff/cases", "/staff/breaches", "/staff/breaches/summary", "/staff/team", "/staff/audit", "/staff/account", "/staff/outbox",
		"/staff/audit?what=case_create&ref=" + ref, "/staff/cases/" + ref, "/staff/breaches/" + br + "/followup?kind=supplement", "/staff/register", "/staff/register/activities/newsletter", "/staff/report"} {
		if cells[path] == 0 {
			t.Errorf("%s: no table cells checked, want the rows of its table", path)
		}
	}
}

// rect is an element's border box in CSS pixels.
type rect struct{ x, y, w, h float64 }

// box returns the border box of the first element that matches selector.
func box(t *testing.T, tab context.Context, selector string) rect {
	t.Helper()
	m, err := chromedp.Run(tab, chromedp.Dimensions(chromedp.CSS(selector)))
	if err != nil {
		t.Fatalf("box of %s: %v", selector, err)
	}
	q := m.Border // x1 y1 (top left) … x3 y3 (bottom right)
	return rect{x: q[0], y: q[1], w: q[4] - q[0], h: q[5] - q[1]}
}

// stacked asserts that second lies below first at a phone's width (below
// phoneWidth) and beside it, to its right, on a wider screen.
func stacked(t *testing.T, what string, first, second rect, width int64) {
	t.Helper()
	if width < phoneWidth {
		if second.y < first.y+first.h || second.x+second.w > float64(width) {
			t.Errorf("%s at %d px: %+v, want below %+v and within the screen", what, width, second, first)
		}
		return
	}
	if second.x < first.x+first.w || second.y >= first.y+first.h {
		t.Errorf("%s at %d px: %+v, want beside %+v", what, width, second, first)
	}
}
