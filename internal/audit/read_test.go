package audit

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"testing"
	"time"
)

// TestEveryActionIsListed reads this package's source for every constant of
// type Action and checks that Actions lists it: the list is what the
// owners' filter offers and what each language must have a word for
// (web.TestEveryAuditActionHasWords), and Validate refuses any action
// missing from it.
func TestEveryActionIsListed(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "audit.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var declared []Action
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok {
			return true
		}
		if id, ok := vs.Type.(*ast.Ident); ok && id.Name == "Action" {
			for _, v := range vs.Values {
				if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					declared = append(declared, Action(lit.Value[1:len(lit.Value)-1]))
				}
			}
		}
		return true
	})
	if len(declared) < 30 {
		t.Fatalf("found %d Action constants in audit.go; the parse is wrong", len(declared))
	}
	if got := Actions(); !slices.Equal(declared, got) {
		t.Errorf("Actions() = %v,\nconstants %v", got, declared)
	}
}

func TestParseRef(t *testing.T) {
	for _, tt := range []struct {
		in   string
		kind string
		id   int64
		ok   bool
	}{
		{"staff:3", "staff", 3, true},
		{"case:120", "case", 120, true},
		{System, "", 0, false},
		{"", "", 0, false},
		{"case:0", "", 0, false},
		{"case:01", "", 0, false},
	} {
		kind, id, ok := ParseRef(tt.in)
		if kind != tt.kind || id != tt.id || ok != tt.ok {
			t.Errorf("ParseRef(%q) = %q, %d, %v; want %q, %d, %v", tt.in, kind, id, ok, tt.kind, tt.id, tt.ok)
		}
	}
}

func TestWords(t *testing.T) {
	got := Words("result=ok entries=12 all")
	want := []Word{{"result", "ok"}, {"entries", "12"}, {"", "all"}}
	if !slices.Equal(got, want) {
		t.Errorf("Words = %v, want %v", got, want)
	}
	if Words("") != nil {
		t.Error("an empty detail has words")
	}
}

func TestFold(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	e := func(id int64, m int, actor string, a Action) Entry {
		return Entry{ID: id, At: at(m), Actor: actor, Action: a, Object: Case(1)}
	}
	ann, bo := Staff(1), Staff(2)
	// Newest first.
	entries := []Entry{
		e(12, 60, ann, CaseView), e(11, 50, ann, CaseView), e(10, 40, ann, CaseView), // three looks: one run
		e(9, 35, bo, CaseView),                               // someone else between
		e(8, 30, ann, CaseView),                              // a look of one
		e(7, 25, ann, CaseStatus), e(6, 20, ann, CaseStatus), // changes never fold
		e(5, 15, Requester(1), RequestTrack), e(4, 10, Requester(1), RequestTrack), // the requester's looks fold too
		e(3, 5, ann, CaseView), e(2, 4, ann, CaseExport), e(1, 3, ann, CaseView), // an export breaks a run
	}
	type run struct {
		id    int64
		count int
		first time.Time
	}
	var got []run
	for _, r := range Fold(entries) {
		got = append(got, run{r.ID, r.Count, r.First})
	}
	want := []run{{12, 3, at(40)}, {9, 1, at(35)}, {8, 1, at(30)}, {7, 1, at(25)}, {6, 1, at(20)},
		{5, 2, at(10)}, {3, 1, at(5)}, {2, 1, at(4)}, {1, 1, at(3)}}
	if !slices.Equal(got, want) {
		t.Errorf("Fold = %v,\nwant %v", got, want)
	}
	if Fold(nil) != nil {
		t.Error("Fold(nil) is not empty")
	}
}
