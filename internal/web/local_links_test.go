package web_test

import (
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// The language switch is built from the request's path: a path that
// starts with two slashes (or a slash and a backslash, which browsers read
// alike) must not become a protocol-relative link to another site. Every
// href and form action on the page stays a local path.
func TestLinksStayLocalWhateverThePath(t *testing.T) {
	a := newTestServer(t)
	b := a.browser(t)
	for _, raw := range []string{"//evil.example/", `/\evil.example/`, "//evil.example/?lang=nl&x=1",
		"/%2F%2Fevil.example/", "/%5Cevil.example/", "/%5C%5Cevil.example/", `/\/evil.example/?next=//x`, "///evil.example", "/?x=//evil.example"} {
		t.Run(raw, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, b.base+"/", nil)
			if err != nil {
				t.Fatal(err)
			}
			path, query, _ := strings.Cut(raw, "?")
			req.URL.Opaque, req.URL.RawQuery = path, query // sent as written, not cleaned by the client
			p := b.do(req)
			if p.Status >= 500 {
				t.Fatalf("status %d", p.Status)
			}
			n := 0
			for _, node := range p.find(func(n *html.Node) bool { return hasAttr(n, "href") || hasAttr(n, "action") }) {
				for _, key := range []string{"href", "action"} {
					if !hasAttr(node, key) {
						continue
					}
					v := attr(node, key)
					n++
					if v != "#main" && (!strings.HasPrefix(v, "/") || strings.HasPrefix(v, "//") || strings.HasPrefix(v, `/\`)) {
						t.Errorf("%s=%q on the page of %s is not a local path", key, v, raw)
					}
				}
			}
			if n == 0 {
				t.Fatalf("no links on the page of %s:\n%s", raw, p.Body)
			}
		})
	}
}
