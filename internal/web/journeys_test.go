package web_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	netmail "net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/avgloket/avgloket/internal/mail"
)

// journeyWidths are a phone's and a laptop's screen; every journey is
// walked at both.
var journeyWidths = []int64{390, 1280}

// TestBrowserJourneys walks each role's journey through the real pages in
// a real browser without JavaScript, at a phone's width and at a laptop's:
// the parent who files for a child, follows the tracking link from the
// mail the test's SMTP server received and answers a question with a file;
// the officer who signs in with the second factor, verifies, asks,
// extends, decides and sends the letter; the owner who logs a breach,
// scores it, decides and prints the authority's draft. On every page
// reached, nothing is wider than the screen and axe-core finds no
// violation of WCAG 2.1 A/AA; each page is kept as a PNG in
// $AVGLOKET_ARTEFACTS. One chromium serves each width, each journey in a
// tab of its own browser context (cookies apart) over a portal of its own.
func TestBrowserJourneys(t *testing.T) {
	axe := axeScript(t)
	dir := artefactDir(t)
	for _, width := range journeyWidths {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			t.Parallel()
			// Scripts are on in the browser and off in each tab (see
			// newJourney): axe-core, a script, is let run for its check
			// only.
			browser, _ := newChromium(t, 6*time.Minute, chromedp.Flag("blink-settings", "scriptEnabled=true"))
			t.Run("checks", func(t *testing.T) { checksFind(newJourney(t, browser, "checks", width, axe, dir)) })
			for _, jr := range []struct {
				name string
				walk func(*journey)
			}{{"parent", parentJourney}, {"officer", officerJourney}, {"owner", ownerJourney}} {
				t.Run(jr.name, func(t *testing.T) {
					began := time.Now()
					jr.walk(newJourney(t, browser, jr.name, width, axe, dir))
					t.Logf("%s at %d px took %s", jr.name, width, time.Since(began).Round(time.Millisecond))
				})
			}
		})
	}
}

// checksFind proves that the checks of every page can fail: on a page with
// an image without a text and a block wider than any screen, axe-core
// reports the image and the width is measured as too wide.
func checksFind(j *journey) {
	const faulty = `<!doctype html><html lang="nl"><title>Fout</title><main><img src="foto.png"><div style="width:3000px">breed</div></main></html>`
	j.do("a faulty page", chromedp.Navigate("data:text/html,"+url.PathEscape(faulty)))
	content, screen, violations := j.measure("a faulty page")
	if content <= screen {
		j.t.Errorf("a page with a 3000 px block measured %d px on a %d px screen", content, screen)
	}
	if !slices.ContainsFunc(violations, func(v string) bool { return strings.HasPrefix(v, "image-alt:") }) {
		j.t.Errorf("axe-core found %q on a page with an image without a text, want image-alt", violations)
	}
}

// artefactDir is where the journeys keep their screenshots: the folder
// $AVGLOKET_ARTEFACTS names (made if missing; CI keeps it), else the
// test's temporary folder.
func artefactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("AVGLOKET_ARTEFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("artefacts folder: %v", err)
	}
	return dir
}

// journey is one role's walk in a browser tab at one width. Every page it
// loads is checked and photographed (see check).
type journey struct {
	t     *testing.T
	tab   context.Context
	name  string
	width int64
	axe   string
	dir   string
	n     int // pages seen so far
	do    func(string, ...chromedp.Action[chromedp.Void])
	get   func(string, chromedp.Action[string]) string
}

// newJourney opens a tab in browser, in a browser context of its own so
// that its cookies are its own, at width × 900 with scripts off.
func newJourney(t *testing.T, browser context.Context, name string, width int64, axe, dir string) *journey {
	t.Helper()
	tab, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	j := &journey{t: t, tab: tab, name: name, width: width, axe: axe, dir: dir}
	j.do, j.get = tabSteps(t, tab)
	j.do("a screen "+fmt.Sprint(width)+" px wide", chromedp.EmulateViewport(width, 900))
	j.scripts(false)
	j.do("the tab runs no scripts", chromedp.Navigate(`data:text/html,<title>off</title><script>document.title="on"</script>`))
	if title := j.get("the tab runs no scripts", chromedp.Title()); title != "off" {
		t.Fatalf("chromium ran a script (title %q): JavaScript is not off", title)
	}
	return j
}

// scripts lets the tab's pages run scripts, or not.
func (j *journey) scripts(on bool) {
	j.t.Helper()
	if _, err := chromedp.Call(j.tab, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on}); err != nil {
		j.t.Fatalf("scripts on=%v: %v", on, err)
	}
}

// load runs steps that load a page (a link or a button clicked, an address
// typed), waits for it, wants the status of its answer, and checks the
// page it shows under the name page.
func (j *journey) load(page string, status int, steps ...chromedp.Action[chromedp.Void]) {
	j.t.Helper()
	res, err := chromedp.RunResponse(j.tab, steps...)
	if err != nil {
		j.t.Fatalf("%s: %v", page, err)
	}
	if res.Status != int64(status) {
		j.t.Fatalf("%s: %s answered %d, want %d", page, res.URL, res.Status, status)
	}
	j.check(page)
}

// check looks at the page the tab shows: nothing on it is wider than the
// screen (WCAG 1.4.10), axe-core finds no violation of WCAG 2.1 A or AA, and
// a full-page screenshot is kept as <journey>-<width>-<nn>-<page>.png.
func (j *journey) check(page string) {
	j.t.Helper()
	j.n++
	where := fmt.Sprintf("%s (page %d at %d px)", page, j.n, j.width)
	shot, err := chromedp.Run(j.tab, chromedp.FullScreenshot(100))
	if err != nil {
		j.t.Fatalf("%s: screenshot: %v", where, err)
	}
	file := filepath.Join(j.dir, fmt.Sprintf("%s-%d-%02d-%s.png", j.name, j.width, j.n, page))
	if err := os.WriteFile(file, shot, 0o644); err != nil {
		j.t.Fatalf("%s: %v", where, err)
	}
	content, screen, violations := j.measure(where)
	if content > screen {
		j.t.Errorf("%s is %d px wide on a %d px screen", where, content, screen)
	}
	for _, v := range violations {
		j.t.Errorf("%s: axe-core: %s", where, v)
	}
}

// measure returns how wide the page the tab shows is laid out, how wide
// the screen is, and axe-core's violations of WCAG 2.1 A and AA on the
// page, each as its rule and the elements. The measures are taken through
// the DevTools protocol, which evaluates even while the page's own scripts
// are off; axe-core waits on timers, so scripts are let run while it
// checks (the portal's pages have none).
func (j *journey) measure(where string) (content, screen int64, violations []string) {
	j.t.Helper()
	w, err := chromedp.Run(j.tab, chromedp.Evaluate[[]int64](`[document.documentElement.scrollWidth, window.innerWidth]`))
	if err != nil {
		j.t.Fatalf("%s: width: %v", where, err)
	}
	j.scripts(true)
	defer j.scripts(false)
	if _, err := chromedp.Run(j.tab, chromedp.Evaluate[chromedp.Void](j.axe)); err != nil {
		j.t.Fatalf("%s: load axe-core: %v", where, err)
	}
	found, err := chromedp.Run(j.tab, chromedp.Evaluate[string](`axe.run({runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'], resultTypes: ['violations']}).then(r => JSON.stringify(r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(' | '))))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		j.t.Fatalf("%s: axe-core: %v", where, err)
	}
	if err := json.Unmarshal([]byte(found), &violations); err != nil {
		j.t.Fatalf("%s: axe-core's answer %q: %v", where, found, err)
	}
	return w[0], w[1], violations
}

// printed checks the page the tab shows as it comes out of the printer:
// laid out for print media, photographed and checked as check does.
func (j *journey) printed(page string) {
	j.t.Helper()
	if _, err := chromedp.Call(j.tab, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		j.t.Fatalf("%s: print media: %v", page, err)
	}
	j.check(page)
	if _, err := chromedp.Call(j.tab, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
		j.t.Fatalf("%s: screen media: %v", page, err)
	}
}

// text returns the text of the first element that matches the CSS
// selector.
func (j *journey) text(selector string) string {
	j.t.Helper()
	return j.get("text of "+selector, chromedp.Text(chromedp.CSS(selector)))
}

// shows fails the test unless the page's main content holds each of want.
func (j *journey) shows(page string, want ...string) {
	j.t.Helper()
	text := j.text("main")
	for _, w := range want {
		if !strings.Contains(text, w) {
			j.t.Errorf("%s lacks %q:\n%s", page, w, text)
		}
	}
}

// signIn signs the staff member in as a person does: the address and the
// password typed on the sign-in page, then the code of the second factor
// from their authenticator (every account has one; a.signIn enrolled it
// before). It ends on the queue.
func (j *journey) signIn(a *testApp, email string) {
	j.t.Helper()
	m := a.memberByEmail(j.t, email)
	j.load("signin", http.StatusOK, chromedp.Navigate(a.ts.URL+"/staff/signin"))
	j.do("type the address and password",
		chromedp.SendKeys(chromedp.ID("f-email"), email),
		chromedp.SendKeys(chromedp.ID("f-password"), staffPassword))
	j.load("signin-code", http.StatusOK, chromedp.Click(chromedp.CSS(`form[action="/staff/signin"] button.primary`)))
	a.clock.Advance(30 * time.Second) // a code counts once: the next one
	j.do("type the code", chromedp.SendKeys(chromedp.ID("f-code"), a.totpCode(j.t, m.ID)))
	j.load("queue", http.StatusOK, chromedp.Click(chromedp.CSS(`form[action="/staff/signin/code"] button.primary`)))
	if u := j.get("after the code", chromedp.Location()); !strings.HasSuffix(u, "/staff/cases") {
		j.t.Fatalf("after the code the browser is at %s, want the queue", u)
	}
}

// download fetches path with the tab's cookies, as the browser does when a
// link to a file is followed, and returns the answer.
func (j *journey) download(a *testApp, path string) *page {
	j.t.Helper()
	cookies, err := chromedp.Call(j.tab, network.GetCookies, network.GetCookiesParams{URLs: []string{a.ts.URL}})
	if err != nil {
		j.t.Fatalf("cookies: %v", err)
	}
	b := a.browser(j.t)
	u, err := url.Parse(a.ts.URL)
	if err != nil {
		j.t.Fatal(err)
	}
	var jar []*http.Cookie
	for _, c := range cookies.Cookies {
		jar = append(jar, &http.Cookie{Name: c.Name, Value: c.Value, Path: "/"})
	}
	b.jar.SetCookies(u, jar)
	return b.get(path)
}

// deliverOutbox sends the queued mails to the SMTP server in, as the
// portal's outbox worker does, and returns those the server received, each
// as its recipient and plain text.
func deliverOutbox(t *testing.T, a *testApp, in *inbox) []receivedMail {
	t.Helper()
	sender, err := mail.NewSMTPSender(mail.SMTPConfig{Host: in.host, Port: in.port,
		From: "Jeugdpraktijk De Linde <noreply@delinde.example>", Insecure: true, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	n, err := mail.NewWorker(a.store, mail.Always(sender), a.clock, nil).RunOnce(t.Context())
	if err != nil {
		t.Fatalf("outbox worker: %v", err)
	}
	var out []receivedMail
	for range n {
		d := in.next(t)
		subject, text := plainText(t, d.Data)
		out = append(out, receivedMail{To: strings.Join(d.To, ","), Subject: subject, Text: text})
	}
	return out
}

// receivedMail is a mail as the test's SMTP server received it.
type receivedMail struct{ To, Subject, Text string }

// plainText returns the subject and the text/plain body of a raw message,
// its transfer encoding undone.
func plainText(t *testing.T, raw string) (subject, text string) {
	t.Helper()
	m, err := netmail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("read the mail: %v", err)
	}
	subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("subject: %v", err)
	}
	var walk func(contentType, encoding string, body io.Reader) string
	walk = func(contentType, encoding string, body io.Reader) string {
		media, params, err := mime.ParseMediaType(contentType)
		if err != nil {
			t.Fatalf("content type %q: %v", contentType, err)
		}
		if strings.HasPrefix(media, "multipart/") {
			r := multipart.NewReader(body, params["boundary"])
			for {
				p, err := r.NextPart() // undoes quoted-printable
				if err != nil {
					return ""
				}
				if s := walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); s != "" {
					return s
				}
			}
		}
		if media != "text/plain" {
			return ""
		}
		switch strings.ToLower(encoding) {
		case "quoted-printable":
			body = quotedprintable.NewReader(body)
		case "base64":
			body = base64.NewDecoder(base64.StdEncoding, body)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatalf("the mail's text: %v", err)
		}
		return string(b)
	}
	return subject, walk(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body)
}

// mailLink finds the address of the portal's page path (a regular
// expression) in a mail's text and points it at the test's server.
func mailLink(t *testing.T, a *testApp, text, path string) string {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(testBaseURL) + path).FindString(text)
	if m == "" {
		t.Fatalf("no link to %s in the mail:\n%s", path, text)
	}
	return a.ts.URL + strings.TrimPrefix(m, testBaseURL)
}
