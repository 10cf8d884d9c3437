package web_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/staff"
)

// filterSelect is a drop-down of a filter form as a browser reads it.
type filterSelect struct {
	label    string   // the text of its <label for>
	values   []string // the options' values in order
	selected []string // the values of the options marked selected
}

func filterSelects(tb testing.TB, p *page) map[string]filterSelect {
	tb.Helper()
	labels := map[string]string{}
	for _, l := range p.find(func(n *html.Node) bool { return n.Data == "label" && attr(n, "for") != "" }) {
		labels[attr(l, "for")] = strings.TrimSpace(textContent(l))
	}
	out := map[string]filterSelect{}
	for _, s := range p.find(func(n *html.Node) bool { return n.Data == "select" }) {
		if attr(s, "id") != attr(s, "name") {
			tb.Errorf("select %q has id %q", attr(s, "name"), attr(s, "id"))
		}
		f := filterSelect{label: labels[attr(s, "id")]}
		for o := range s.Descendants() {
			if o.Data != "option" {
				continue
			}
			f.values = append(f.values, attr(o, "value"))
			if hasAttr(o, "selected") {
				f.selected = append(f.selected, attr(o, "value"))
			}
		}
		out[attr(s, "name")] = f
	}
	return out
}

// The queue's and the breach list's filter forms draw their drop-downs with
// one partial: labelled, "any" first, the chosen value selected, and the
// queue's statuses in casework.Statuses' order.
func TestFilterSelects(t *testing.T) {
	t.Run("queue", func(t *testing.T) {
		a := newTestServer(t, withBranches("amsterdam", "utrecht"))
		a.addMember(t, "eigenaar@praktijk.example", staff.Owner)
		owner := a.signIn(t, "eigenaar@praktijk.example")
		p := owner.get("/staff/cases?status=completed&type=erasure&branch=utrecht")
		if p.Status != http.StatusOK {
			t.Fatalf("queue: status %d", p.Status)
		}
		sel := filterSelects(t, p)
		want := map[string]filterSelect{
			"status": {label: "Status", values: append([]string{""}, strsOf(casework.Statuses)...), selected: []string{"completed"}},
			"type":   {label: "Soort", values: append([]string{""}, strsOf(casework.RequestTypes)...), selected: []string{"erasure"}},
			"branch": {label: "Vestiging", values: []string{"", "amsterdam", "utrecht"}, selected: []string{"utrecht"}},
		}
		checkSelects(t, sel, want)
		if p := owner.get("/staff/cases?status=closed"); !slices.Equal(filterSelects(t, p)["status"].selected, nil) {
			t.Errorf("an unknown status selected %v, want nothing (\"any\")", filterSelects(t, p)["status"].selected)
		}
	})
	t.Run("breach list", func(t *testing.T) {
		a := newBreachApp(t)
		owner := a.breachSignIn(t, "els@delinde.example")
		p := owner.get("/staff/breaches?state=notified&kind=confidentiality&band=high&branch=amsterdam&year=2026")
		if p.Status != http.StatusOK {
			t.Fatalf("breach list: status %d", p.Status)
		}
		want := map[string]filterSelect{
			"state":  {label: "Stand", values: append([]string{""}, breach.States...), selected: []string{"notified"}},
			"kind":   {label: "Soort inbreuk", values: append([]string{""}, strsOf(breach.Kinds)...), selected: []string{"confidentiality"}},
			"band":   {label: "Ernst", values: append([]string{""}, breach.Bands...), selected: []string{"high"}},
			"branch": {label: "Vestiging", values: []string{"", "amsterdam", "utrecht"}, selected: []string{"amsterdam"}},
		}
		checkSelects(t, filterSelects(t, p), want)
		export := "/staff/breaches/export.csv?band=high&branch=amsterdam&kind=confidentiality&state=notified&year=2026"
		if !slices.Contains(p.links(), export) {
			t.Errorf("links %v, want the export of the filtered list %q", p.links(), export)
		}
	})
}

func checkSelects(t *testing.T, got, want map[string]filterSelect) {
	t.Helper()
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("no select %q", name)
		case g.label != w.label || !slices.Equal(g.values, w.values) || !slices.Equal(g.selected, w.selected):
			t.Errorf("select %q = %+v, want %+v", name, g, w)
		}
	}
}

func strsOf[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}
