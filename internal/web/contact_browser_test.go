package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/avgloket/avgloket/internal/practice"
)

// TestBrowserFramedRequestForm files a request in a real browser through the
// form framed by another site's page: the practice's website at
// 127.0.0.1, the portal at localhost (two sites, so the browser keeps none
// of the portal's SameSite cookies in the frame). The form's own token and
// the confirmation in its address carry the request through.
func TestBrowserFramedRequestForm(t *testing.T) {
	a := newTestServer(t)
	portal := strings.Replace(a.ts.URL, "127.0.0.1", "localhost", 1)
	website := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>Praktijk</title><iframe src="%s/verzoek/access" title="Privacyverzoek" width="1000" height="3000"></iframe>`, portal)
	}))
	t.Cleanup(website.Close)
	// The test's website speaks plain http, which the settings page would
	// refuse; the header is the same for an https origin.
	st := a.setCountry(t, practice.Netherlands)
	st.FrameOrigins = []string{website.URL}
	if err := a.store.SaveSettings(t.Context(), st, a.clock.Now()); err != nil {
		t.Fatal(err)
	}
	tab, _ := newChromium(t, 60*time.Second)
	if err := chromedp.Do(tab, chromedp.Navigate(website.URL)); err != nil {
		t.Fatalf("website: %v", err)
	}
	for range 50 {
		infos, err := chromedp.Targets(tab)
		if err != nil {
			t.Fatal(err)
		}
		for _, info := range infos {
			if info.Type == "iframe" && strings.HasPrefix(info.URL, portal+"/verzoek/access") {
				ctx, cancel := chromedp.NewContext(tab, chromedp.WithTargetID(info.TargetID))
				t.Cleanup(cancel)
				run := func(step string, steps ...chromedp.Action[chromedp.Void]) {
					t.Helper()
					if err := chromedp.Do(ctx, steps...); err != nil {
						t.Fatalf("%s: %v", step, err)
					}
				}
				run("type the form",
					chromedp.Click(chromedp.CSS(`input[name="requester.relation"][value="parent"]`)),
					chromedp.SendKeys(chromedp.ID("f-requester-name"), "Anna de Vries"),
					chromedp.SendKeys(chromedp.ID("f-requester-email"), "anna@example.nl"),
					chromedp.SendKeys(chromedp.ID("f-subject-name"), "Sem de Vries"),
					chromedp.SendKeys(chromedp.ID("f-subject-birth_date"), "03152016"))
				run("submit", chromedp.Click(chromedp.CSS(`form button[type="submit"]`)))
				var text string
				for range 50 {
					text, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
					if strings.Contains(text, a.nl("received.heading")) {
						break
					}
					time.Sleep(100 * time.Millisecond)
				}
				ref := fmt.Sprintf("AVG-%d-0001", a.clock.Now().Year())
				if !strings.Contains(text, ref) {
					t.Fatalf("the framed confirmation lacks %s:\n%s", ref, text)
				}
				if n := len(a.cases(t)); n != 1 {
					t.Fatalf("%d cases stored, want 1", n)
				}
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the portal's form never loaded in the website's frame")
}
