package web

import "testing"

// Pages are parsed when first shown; this parses every one, so a template
// error fails here rather than in front of a visitor.
func TestEveryPageParses(t *testing.T) {
	static, err := loadStatic()
	if err != nil {
		t.Fatal(err)
	}
	p, err := loadPages(static)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.sets) != len(pageNames) {
		t.Fatalf("%d pages loaded, want %d", len(p.sets), len(pageNames))
	}
	for _, name := range pageNames {
		tpl, err := p.sets[name]()
		if err != nil {
			t.Errorf("page %s: %v", name, err)
			continue
		}
		if tpl.Lookup("content") == nil {
			t.Errorf("page %s defines no content", name)
		}
	}
}
