package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/avgloket/avgloket/internal/casework"
)

// chromiumPath finds Debian's chromium: on the PATH, else where the package
// puts it. "" when there is none.
func chromiumPath() string {
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	return ""
}

// newChromium starts a headless chromium with JavaScript switched off and a
// fresh profile. It returns a tab's context, which timeout bounds along with
// the browser, and a func that returns the console errors and exceptions the
// tab has had so far. CI installs chromium (.ci/run), so there a missing
// browser fails the test; elsewhere it skips it. extra options come after
// the defaults and win over them.
// tabSteps returns two helpers over tab that stop the test at the first
// failure, naming the step: do runs actions, get runs one that reads a
// string.
func tabSteps(t *testing.T, tab context.Context) (do func(string, ...chromedp.Action[chromedp.Void]), get func(string, chromedp.Action[string]) string) {
	do = func(step string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(tab, steps...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	get = func(step string, a chromedp.Action[string]) string {
		t.Helper()
		v, err := chromedp.Run(tab, a)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		return v
	}
	return do, get
}

func newChromium(t *testing.T, timeout time.Duration, extra ...chromedp.ExecAllocatorOption) (context.Context, func() []chromedp.ConsoleMessage) {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium not found: CI must install it (.ci/run: apt-get install -y chromium)")
		}
		t.Skip("chromium not found on PATH or at /usr/bin/chromium; install Debian's chromium package to run the browser test")
	}
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	t.Cleanup(cancel)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// The portal works without JavaScript; this browser has none.
		chromedp.Flag("blink-settings", "scriptEnabled=false"),
		// The browser in American English, the one language the chromium
		// package always has (chromium-l10n brings the others), so a date
		// field takes month, day, year in that order on every machine.
		chromedp.Flag("lang", "en-US"),
		chromedp.Env("LANGUAGE=en_US", "LC_ALL=C.UTF-8"),
		chromedp.UserDataDir(t.TempDir()),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, append(opts, extra...)...)
	t.Cleanup(cancelAlloc)
	tab, cancelTab := chromedp.NewContext(alloc)

	// Console starts the browser, opens the tab and subscribes at once; a
	// goroutine collects the errors until the tab closes.
	messages := chromedp.Console(tab)
	var (
		mu     sync.Mutex
		errs   []chromedp.ConsoleMessage
		closed = make(chan struct{})
	)
	go func() {
		defer close(closed)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
				mu.Lock()
				errs = append(errs, m)
				mu.Unlock()
			}
		}
	}()
	// Registered last, so it runs first: the browser is closed before the
	// profile folder is removed and before the portal stops.
	t.Cleanup(func() {
		cancelTab()
		<-closed
	})
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("start chromium (%s): %v", path, err)
	}
	return tab, func() []chromedp.ConsoleMessage {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(errs)
	}
}

// TestBrowserParentAccessRequest is a parent's journey in a real browser,
// without JavaScript: from the start page to "Inzage", the form typed in for
// their child, the confirmation with reference and due date; then a second
// try with a mistyped e-mail address, whose message stands next to the field
// and in the summary, whose link takes the focus to the field.
func TestBrowserParentAccessRequest(t *testing.T) {
	began := time.Now()
	a := newTestServer(t)
	tab, consoleErrors := newChromium(t, 60*time.Second)
	do, get := tabSteps(t, tab)
	// matching returns the attribute attr of the elements that match the CSS
	// selector now, without waiting for any.
	matching := func(step, selector, attr string) []string {
		t.Helper()
		nodes, err := chromedp.Run(tab, chromedp.Nodes(chromedp.CSSAll(selector), chromedp.AtLeast(0)))
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		var out []string
		for _, n := range nodes {
			out = append(out, n.AttributeValue(attr))
		}
		return out
	}
	// load runs steps that load a page (a click on a link or a button) and
	// waits for it; status is the status of the page's response.
	load := func(step string, status int, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		res, err := chromedp.RunResponse(tab, steps...)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if res.Status != int64(status) {
			t.Fatalf("%s: %s answered %d, want %d", step, res.URL, res.Status, status)
		}
	}

	// The browser really runs no scripts.
	do("JavaScript check", chromedp.Navigate(`data:text/html,<title>off</title><script>document.title="on"</script>`))
	if title := get("JavaScript check", chromedp.Title()); title != "off" {
		t.Fatalf("chromium ran a script (title %q): JavaScript is not disabled", title)
	}

	// fillAccessForm goes from the start page to the access form and types
	// a parent's request for their child.
	fillAccessForm := func(email string) {
		t.Helper()
		load("start page", http.StatusOK, chromedp.Navigate(a.ts.URL+"/"))
		if scripts := matching("start page", "script", "src"); len(scripts) != 0 {
			t.Errorf("start page has %d <script> element(s), want none", len(scripts))
		}
		load("choose Inzage", http.StatusOK, chromedp.Click(chromedp.CSS(`a[href="/verzoek/access"]`)))
		if h, want := get("form heading", chromedp.Text(chromedp.CSS("h1"))), a.nl("type.access.title"); !strings.Contains(h, want) {
			t.Errorf("form heading %q, want %q", h, want)
		}
		do("type the form",
			chromedp.Click(chromedp.CSS(`input[name="requester.relation"][value="parent"]`)),
			chromedp.SendKeys(chromedp.ID("f-requester-name"), "Anna de Vries"),
			chromedp.SendKeys(chromedp.ID("f-requester-email"), email),
			chromedp.SendKeys(chromedp.ID("f-subject-name"), "Sem de Vries"),
			chromedp.SendKeys(chromedp.ID("f-subject-birth_date"), "03152016")) // mm dd yyyy: see newChromium
		if birth := get("birth date", chromedp.Value(chromedp.ID("f-subject-birth_date"))); birth != "2016-03-15" {
			t.Fatalf("birth date field holds %q after typing 03/15/2016, want 2016-03-15", birth)
		}
	}
	submit := chromedp.Click(chromedp.CSS(`form button[type="submit"]`))

	// A complete request: the confirmation shows the reference and due date.
	fillAccessForm("anna@example.nl")
	load("submit", http.StatusOK, submit)
	receipt := get("confirmation", chromedp.Text(chromedp.CSS("main")))
	ref := fmt.Sprintf("AVG-%d-0001", a.clock.Now().Year())
	for _, want := range []string{a.nl("received.heading"), ref, dueNL} {
		if !strings.Contains(receipt, want) {
			t.Errorf("confirmation lacks %q:\n%s", want, receipt)
		}
	}
	cases := a.cases(t)
	if len(cases) != 1 {
		t.Fatalf("%d cases stored, want 1", len(cases))
	}
	if k := cases[0]; k.Reference != ref || k.Requester.Name != "Anna de Vries" || k.Requester.Email != "anna@example.nl" ||
		k.Requester.Relation != casework.Parent || k.Subject.Name != "Sem de Vries" || k.Subject.BirthDate.String() != "2016-03-15" {
		t.Errorf("stored case %+v", k)
	}

	// A mistyped e-mail address: the form comes back with the message next
	// to the field and in a summary whose link focuses the field.
	fillAccessForm("anna@voorbeeld")
	load("submit with a bad e-mail", http.StatusUnprocessableEntity, submit)
	msg := a.nl("field.email")
	if got := get("message next to the field", chromedp.Text(chromedp.ID("f-requester-email-error"))); !strings.Contains(got, msg) {
		t.Errorf("message next to the e-mail field is %q, want %q", got, msg)
	}
	summaryLink := chromedp.CSS(`.error-summary a[href="#f-requester-email"]`)
	if got := get("summary", chromedp.Text(summaryLink)); strings.TrimSpace(got) != msg {
		t.Errorf("summary link says %q, want %q", got, msg)
	}
	attrs, err := chromedp.Run(tab, chromedp.Attributes(chromedp.ID("f-requester-email")))
	if err != nil {
		t.Fatalf("e-mail field: %v", err)
	}
	if attrs["aria-invalid"] != "true" || !strings.Contains(attrs["aria-describedby"], "f-requester-email-error") {
		t.Errorf("e-mail field aria-invalid %q, aria-describedby %q: not marked, or not pointing to the message",
			attrs["aria-invalid"], attrs["aria-describedby"])
	}
	if got := get("child's name", chromedp.Value(chromedp.ID("f-subject-name"))); got != "Sem de Vries" {
		t.Errorf("child's name not kept: %q", got)
	}
	if ids := matching("the parent choice is kept", `input[name="requester.relation"]:checked`, "value"); !slices.Equal(ids, []string{"parent"}) {
		t.Errorf("relation ticked after the error: %v, want [parent]", ids)
	}
	do("follow the summary link", chromedp.Click(summaryLink))
	if ids := matching("focus", ":focus", "id"); !slices.Equal(ids, []string{"f-requester-email"}) {
		t.Errorf("after the summary link the focus is on %v, want the e-mail field f-requester-email", ids)
	}
	if n := len(a.cases(t)); n != 1 {
		t.Errorf("%d cases stored after the bad e-mail, want still 1", n)
	}

	for _, m := range consoleErrors() {
		if !expectedLoadError(m) {
			t.Errorf("browser console: %s (%s)", m, m.URL)
		}
	}
	t.Logf("browser journey took %s", time.Since(began).Round(time.Millisecond))
}

// expectedLoadError reports whether m is the one console error the journey
// causes by design: the form answers 422 when it comes back with errors (so
// scripts and tools see the failure).
func expectedLoadError(m chromedp.ConsoleMessage) bool {
	if m.Source != "network" {
		return false
	}
	u, err := url.Parse(m.URL)
	if err != nil {
		return false
	}
	switch {
	case u.Path == "/verzoek/access":
		return strings.Contains(m.Text, "status of 422 ")
	}
	return false
}
