package web_test

import (
	"io/fs"
	"regexp"
	"testing"

	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/ui"
)

// Every message a template names literally must be in the catalogue: a
// missing one would show its ID to a parent.
func TestTemplatesUseKnownMessages(t *testing.T) {
	cat, err := lang.Load(ui.FS)
	if err != nil {
		t.Fatal(err)
	}
	literal := regexp.MustCompile(`(?:\.T|\.Select "[a-z_]+") "([a-z_0-9.]+)"`)
	files, err := fs.Glob(ui.FS, "templates/*/*.html")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := fs.Glob(ui.FS, "templates/*.html")
	seen := 0
	for _, f := range append(files, more...) {
		b, err := fs.ReadFile(ui.FS, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
			seen++
			if !cat.Has(m[1]) {
				t.Errorf("%s uses unknown message %q", f, m[1])
			}
		}
	}
	if seen < 100 {
		t.Fatalf("found only %d message uses: the pattern no longer matches the templates", seen)
	}
}
