package web

import (
	"net/url"
	"reflect"
	"slices"
	"testing"

	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/ui"
)

func TestFormValues(t *testing.T) {
	f := formValues{Values: url.Values{"title": {"Laptop kwijt", "tweede"}, "kinds": {"loss", "theft"}, "empty": {}}}
	for _, tc := range []struct {
		name string
		v    string
		all  []string
	}{
		{"title", "Laptop kwijt", []string{"Laptop kwijt", "tweede"}},
		{"kinds", "loss", []string{"loss", "theft"}},
		{"empty", "", []string{}},
		{"missing", "", nil},
	} {
		if got := f.V(tc.name); got != tc.v {
			t.Errorf("V(%q) = %q, want %q", tc.name, got, tc.v)
		}
		if got := f.All(tc.name); !slices.Equal(got, tc.all) {
			t.Errorf("All(%q) = %q, want %q", tc.name, got, tc.all)
		}
	}
	if (formValues{}).V("title") != "" || (formValues{}).All("kinds") != nil {
		t.Error("a page without values must read every field as empty")
	}
}

func TestQueryURL(t *testing.T) {
	for _, tc := range []struct {
		name   string
		params map[string]string
		want   string
	}{
		{"no parameters", nil, "/staff/cases"},
		{"all empty", map[string]string{"status": "", "q": ""}, "/staff/cases"},
		{"empty ones left out, sorted", map[string]string{"status": "completed", "q": "", "branch": "utrecht", "all": "1"},
			"/staff/cases?all=1&branch=utrecht&status=completed"},
		{"escaped", map[string]string{"q": "De Vries & zn", "cursor": "a/b=="}, "/staff/cases?cursor=a%2Fb%3D%3D&q=De+Vries+%26+zn"},
	} {
		if got := queryURL("/staff/cases", tc.params); got != tc.want {
			t.Errorf("%s: queryURL = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestSelect(t *testing.T) {
	cat, err := lang.Load(ui.FS)
	if err != nil {
		t.Fatal(err)
	}
	nl := tr{s: &Server{Deps: Deps{Catalog: cat}}, Lang: lang.NL}
	for _, tc := range []struct {
		name string
		got  selectData
		want selectData
	}{
		{"nothing chosen", nl.Select("status", "queue.status", "status.%s", []string{"received", "completed"}, ""),
			selectData{Name: "status", Label: "Status", Any: "Alle", Options: []option{
				{Value: "received", Label: "Ontvangen"}, {Value: "completed", Label: "Afgehandeld"}}}},
		{"one chosen, format in the middle", nl.Select("type", "queue.type", "type.%s.title", []string{"access", "erasure"}, "access"),
			selectData{Name: "type", Label: nl.T("queue.type"), Any: "Alle", Options: []option{
				{Value: "access", Label: "Inzage", Checked: true}, {Value: "erasure", Label: nl.T("type.erasure.title")}}}},
		{"unknown choice selects nothing", nl.Select("status", "queue.status", "status.%s", []string{"received"}, "closed"),
			selectData{Name: "status", Label: "Status", Any: "Alle", Options: []option{{Value: "received", Label: "Ontvangen"}}}},
		{"branches by name", nl.BranchSelect([]practice.Branch{{Code: "utrecht", Name: "Utrecht Centrum"}, {Code: "gent", Name: "Gent"}}, "gent"),
			selectData{Name: "branch", Label: "Vestiging", Any: "Alle", Options: []option{
				{Value: "utrecht", Label: "Utrecht Centrum"}, {Value: "gent", Label: "Gent", Checked: true}}}},
	} {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, tc.got, tc.want)
		}
	}
}
