package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/staff"
)

// axeScript reads axe-core (axe.min.js), the accessibility checker the
// browser tests run in the page: from $AXE_CORE, which .ci/run sets after
// installing the npm package, else from a local npm install under /tmp/axe.
// Outside CI a missing axe-core skips the test.
func axeScript(t *testing.T) string {
	t.Helper()
	path := os.Getenv("AXE_CORE")
	if path == "" {
		path = "/tmp/axe/node_modules/axe-core/axe.min.js"
	}
	b, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("axe-core: %v (.ci/run installs it and sets AXE_CORE)", err)
		}
		t.Skipf("axe-core not found (%v); npm install axe-core and set AXE_CORE to its axe.min.js", err)
	}
	return string(b)
}

// TestBrowserErasureWithKeptItem: an officer on a phone (390 px wide, no
// JavaScript) walks an erasure with one item kept by law: the identity
// verified, the activities chosen, one erased from a system and one kept
// under AWR art. 52 until a date, decided as partially granted; the letter
// as sent names the statute and the date. The case page has nothing wider
// than the screen, and axe-core finds no violation of WCAG 2.1 A/AA on it.
func TestBrowserErasureWithKeptItem(t *testing.T) {
	a := newBreachApp(t)
	a.breachMember(t, "u@delinde.example", "Uri Utrecht", staff.Officer, "utrecht")
	officer := a.breachSignIn(t, "u@delinde.example")
	res := a.api(t, http.MethodPost, "/api/v1/requests", "", with(newRequest("Wim Wissen", "wim@example.nl"), "type", "erasure",
		"specifics", object{"erasure_scope": "all"}, "branch", "utrecht"))
	if res.Status != http.StatusCreated {
		t.Fatalf("file erasure: %d %s", res.Status, res.Body)
	}
	ref := res.object()["reference"].(string)
	// The requester confirms the address, so the letter may say what is
	// kept and why (DOMAIN.md §8).
	wantStatus(t, a.browser(t).get("/volg/"+a.latestTrackingToken(t, "wim@example.nl")), http.StatusOK)
	axe := axeScript(t)

	// One browser for both: scripts off through the journey (the portal
	// works without them), on for axe-core, a script, at the end.
	tab, consoleErrors := newChromium(t, 90*time.Second, chromedp.Flag("blink-settings", "scriptEnabled=true"))
	scripts := func(on bool) {
		t.Helper()
		if _, err := chromedp.Call(tab, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on}); err != nil {
			t.Fatal(err)
		}
	}
	u, err := url.Parse(a.ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	for _, ck := range officer.jar.Cookies(u) {
		if _, err := chromedp.Call(tab, network.SetCookie, network.SetCookieParams{Name: ck.Name, Value: ck.Value, Domain: u.Hostname(), Path: "/"}); err != nil {
			t.Fatal(err)
		}
	}
	do, get := tabSteps(t, tab)
	// load runs steps that load a page and waits for it; the page must
	// answer status.
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
	path := "/staff/cases/" + ref
	submit := func(action string) chromedp.Action[chromedp.Void] {
		return chromedp.Click(chromedp.CSS(`form[action="` + path + action + `"] button.primary`))
	}

	do("a phone's screen", chromedp.EmulateViewport(390, 844))
	scripts(false)
	do("the browser runs no scripts", chromedp.Navigate(`data:text/html,<title>off</title><script>document.title="on"</script>`))
	if title := get("the browser runs no scripts", chromedp.Title()); title != "off" {
		t.Fatalf("chromium ran a script (title %q)", title)
	}
	load("the case", http.StatusOK, chromedp.Navigate(a.ts.URL+path))

	// Identity: verified with the e-mail address on file. The select takes
	// the option's label typed, as a keyboard user would.
	do("identity", chromedp.SendKeys(chromedp.ID("f-identity-method"), a.nl("identity.method_email_on_file")),
		chromedp.Click(chromedp.CSS(`input[name="identity.outcome"][value="verified"]`)))
	load("verify", http.StatusOK, submit("/identity"))

	load("activities", http.StatusOK,
		chromedp.Click(chromedp.CSS(`input[name="activities.activities"][value="client-file"]`)),
		chromedp.Click(chromedp.CSS(`input[name="activities.activities"][value="invoicing"]`)),
		chromedp.Click(chromedp.CSS(`form[action="`+path+`/activities"] button[type="submit"]`)))
	if k := a.caseOf(t, ref); len(k.Activities) != 2 || k.Identity.Status != casework.IdentityVerified {
		t.Fatalf("after identity and activities: %v, identity %s", k.Activities, k.Identity.Status)
	}

	// The erasure items: the client file erased from the dossier system
	// today, the invoices kept by the tax law until the end of 2033.
	do("erasure items",
		chromedp.Click(chromedp.CSS(`input[name="erasure.items.0.action"][value="erased"]`)),
		chromedp.SendKeys(chromedp.ID("f-erasure-items-0-system"), "Dossierix"),
		chromedp.Click(chromedp.CSS(`input[name="erasure.items.1.action"][value="kept"]`)),
		chromedp.SendKeys(chromedp.ID("f-erasure-items-1-ground"), "AWR art. 52"),
		chromedp.SendKeys(chromedp.ID("f-erasure-items-1-until"), "12312033")) // mm dd yyyy: see newChromium
	load("save the items", http.StatusOK, submit("/erasure"))
	k := a.caseOf(t, ref)
	if len(k.Erasure) != 2 || k.Erasure[0].ErasedOn != "2026-11-25" || k.Erasure[0].ErasedByName != "Uri Utrecht" ||
		k.Erasure[1].Ground != "AWR art. 52" || k.Erasure[1].Until != "2033-12-31" {
		t.Fatalf("stored items %+v", k.Erasure)
	}

	do("decision",
		chromedp.Click(chromedp.CSS(`input[name="decision.outcome"][value="partially_granted"]`)),
		chromedp.SendKeys(chromedp.ID("f-decision-ground"), a.nl("ground_label.legal_retention")),
		chromedp.SendKeys(chromedp.ID("f-decision-statute"), "AWR art. 52"),
		chromedp.SendKeys(chromedp.ID("f-decision-until"), "12312033"),
		chromedp.SendKeys(chromedp.ID("f-decision-reasons"), "Uw dossier is gewist. Facturen bewaren wij zolang de belastingwet dat eist."))
	load("decide", http.StatusOK, submit("/decision"))
	if k := a.caseOf(t, ref); k.Status != casework.Completed || k.Outcome != casework.PartiallyGranted {
		t.Fatalf("decided: %s %s", k.Status, k.Outcome)
	}
	sent := get("the letter as sent", chromedp.Text(chromedp.CSS(`section[aria-labelledby="h-letter"]`)))
	for _, want := range []string{"AWR art. 52", "31 december 2033", "Cliëntdossier: gewist uit Dossierix."} {
		if !strings.Contains(sent, want) {
			t.Errorf("the letter lacks %q:\n%s", want, sent)
		}
	}

	width, err := chromedp.Run(tab, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if width > 390 {
		t.Errorf("the case page is %d px wide on a 390 px screen", width)
	}
	for _, m := range consoleErrors() {
		t.Errorf("browser console: %s (%s)", m, m.URL)
	}

	// axe-core is a script: the case page is read again with scripts on.
	scripts(true)
	load("the case, for axe-core", http.StatusOK, chromedp.Navigate(a.ts.URL+path))
	if _, err := chromedp.Run(tab, chromedp.Evaluate[chromedp.Void](axe)); err != nil {
		t.Fatalf("load axe-core: %v", err)
	}
	found, err := chromedp.Run(tab, chromedp.Evaluate[string](`axe.run({runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}).then(r => JSON.stringify(r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(' | '))))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe: %v", err)
	}
	var violations []string
	if err := json.Unmarshal([]byte(found), &violations); err != nil {
		t.Fatal(err)
	}
	if len(violations) > 0 {
		t.Errorf("axe-core on the case page: %v", violations)
	}
}
