package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/staff"
)

// registerCase registers a request that came in by post through the staff
// API and returns its reference.
func (a *testApp) registerCase(tb testing.TB, token, typ, branch, receivedOn, name string) string {
	tb.Helper()
	email := strings.ToLower(strings.Fields(name)[0]) + "@example.nl"
	res := a.api(tb, http.MethodPost, "/api/v1/cases", token, object{
		"type": typ, "branch": branch, "received_at": receivedOn, "channel": "post",
		"requester": object{"name": name, "email": email, "relation": "self"},
	})
	if res.Status != http.StatusCreated {
		tb.Fatalf("register case: %d %s", res.Status, res.Body)
	}
	return res.object()["reference"].(string)
}

// queueRow is a row of the queue as an officer reads it.
type queueRow struct {
	ref, subject, due string
	late, unconfirmed bool
}

func queueRows(p *page) []queueRow {
	var out []queueRow
	for _, table := range p.find(func(n *htmlNode) bool { return n.Data == "table" && hasClass(n, "cases") }) {
		for tr := range table.Descendants() {
			if tr.Data != "tr" {
				continue
			}
			var cells []*htmlNode
			for td := range tr.ChildNodes() {
				if td.Data == "td" {
					cells = append(cells, td)
				}
			}
			if len(cells) < 6 {
				continue
			}
			r := queueRow{subject: textContent(cells[2])}
			for n := range cells[0].Descendants() {
				if n.Data == "a" && r.ref == "" {
					r.ref = textContent(n)
				}
				r.unconfirmed = r.unconfirmed || hasClass(n, "flag")
			}
			due := cells[len(cells)-2]
			r.due = textContent(due)
			for n := range due.Descendants() {
				r.late = r.late || hasClass(n, "late")
			}
			out = append(out, r)
		}
	}
	return out
}

func refsOf(rows []queueRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.ref)
	}
	return out
}

// quickFilters returns the queue's quick filters: label → link and count.
func quickFilters(tb testing.TB, p *page) map[string]struct {
	url   string
	count int
} {
	tb.Helper()
	out := map[string]struct {
		url   string
		count int
	}{}
	for _, ul := range p.find(func(n *htmlNode) bool { return n.Data == "ul" && hasClass(n, "quick") }) {
		for a := range ul.Descendants() {
			if a.Data != "a" {
				continue
			}
			var count string
			var label strings.Builder
			for c := range a.ChildNodes() {
				if c.Data == "strong" {
					count = textContent(c)
				} else if c.Type == html.TextNode {
					label.WriteString(c.Data)
				}
			}
			n, err := strconv.Atoi(count)
			if err != nil {
				tb.Fatalf("quick filter %q: count %q", label.String(), count)
			}
			out[strings.TrimSpace(label.String())] = struct {
				url   string
				count int
			}{attr(a, "href"), n}
		}
	}
	return out
}

func TestQueue(t *testing.T) {
	a := newTestServer(t, withBranches("amsterdam", "utrecht"))
	ownerMember := a.addMember(t, "eigenaar@praktijk.example", staff.Owner)
	owner := a.addToken(t, ownerMember)
	a.addMember(t, "utr@praktijk.example", staff.Officer, "utrecht")
	officer := a.signIn(t, "utr@praktijk.example")
	boss := casework.Actor{ID: ownerMember.ID, Scope: casework.Scope{All: true}}

	// Today is Wednesday 25 November 2026.
	late := a.registerCase(t, owner, "access", "utrecht", "2026-10-23", "Lotte Laat")     // due Mon 23 Nov
	soon := a.registerCase(t, owner, "access", "utrecht", "2026-10-28", "Sam Snel")       // due Mon 30 Nov
	later := a.registerCase(t, owner, "erasure", "utrecht", "2026-11-20", "Eva Vergeten") // due Mon 21 Dec
	done := a.registerCase(t, owner, "access", "utrecht", "2026-11-02", "Dirk Klaar")
	elsewhere := a.registerCase(t, owner, "access", "amsterdam", "2026-10-23", "Adam Elders")
	ctx := t.Context()
	if _, err := a.svc.Assign(ctx, boss, soon, officer.member.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.Move(ctx, boss, later, casework.InProgress); err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.Decide(ctx, boss, done, casework.Decision{Outcome: casework.Withdrawn, WithdrawnHow: "phone", Reasons: "Ingetrokken."}); err != nil {
		t.Fatal(err)
	}

	p := officer.get("/staff/cases")
	if p.Status != http.StatusOK {
		t.Fatalf("queue: status %d", p.Status)
	}
	rows := queueRows(p)
	if got, want := refsOf(rows), []string{late, soon, later}; !slices.Equal(got, want) {
		t.Fatalf("queue %v, want the open cases of utrecht by due date %v", got, want)
	}
	t.Run("unconfirmed addresses flagged after two weeks", func(t *testing.T) {
		if !rows[0].unconfirmed || rows[2].unconfirmed {
			t.Errorf("flags: late case %v (want true, received over two weeks ago), later case %v (want false)", rows[0].unconfirmed, rows[2].unconfirmed)
		}
	})
	t.Run("time left in words", func(t *testing.T) {
		if r := rows[0]; !strings.Contains(r.due, "2 dagen te laat") || !r.late {
			t.Errorf("late case: %q (marked late %v), want \"2 dagen te laat\" marked late", r.due, r.late)
		}
		if r := rows[1]; !strings.Contains(r.due, "nog 3 werkdagen") || r.late {
			t.Errorf("case due Monday: %q (marked late %v), want \"nog 3 werkdagen\"", r.due, r.late)
		}
		if r := rows[2]; !strings.Contains(r.due, "maandag 21 december 2026") {
			t.Errorf("erasure case: due %q, want Monday 21 December", r.due)
		}
	})

	t.Run("quick filters count what they show", func(t *testing.T) {
		quick := quickFilters(t, p)
		want := map[string]int{a.nl("queue.open"): 3, a.nl("queue.mine"): 1, a.nl("queue.overdue"): 1, a.nl("queue.due_soon"): 2,
			a.nl("status.awaiting_identity"): 0}
		for label, n := range want {
			if got, ok := quick[label]; !ok || got.count != n {
				t.Errorf("quick filter %q: count %d (present %v), want %d", label, got.count, ok, n)
			}
		}
		for label, q := range quick {
			shown := queueRows(officer.get(q.url))
			if len(shown) != q.count {
				t.Errorf("quick filter %q says %d but its page %s lists %v", label, q.count, q.url, refsOf(shown))
			}
		}
	})

	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"status=in_progress", []string{later}},
		{"status=received", []string{late, soon}},
		{"status=completed", []string{done}},
		{"type=erasure", []string{later}},
		{"type=access", []string{late, soon}},
		{"mine=1", []string{soon}},
		{"overdue=1", []string{late}},
		{"due_soon=1", []string{late, soon}},
		{"q=" + url.QueryEscape("Sam Snel"), []string{soon}},
		{"q=" + strings.ToLower(later), []string{later}},
		{"all=1", []string{late, soon, done, later}},
		{"type=access&mine=1", []string{soon}},
		{"branch=amsterdam", nil},
		{"q=" + elsewhere, nil},
		{"q=" + url.QueryEscape("Adam Elders") + "&all=1", nil},
	} {
		t.Run("filter "+tt.query, func(t *testing.T) {
			p := officer.get("/staff/cases?" + tt.query)
			if p.Status != http.StatusOK {
				t.Fatalf("status %d", p.Status)
			}
			if got := refsOf(queueRows(p)); !slices.Equal(got, tt.want) {
				t.Errorf("shows %v, want %v", got, tt.want)
			}
			// The search box shows what was typed; the rest must not.
			if text := p.text(); strings.Contains(text, elsewhere) || strings.Contains(text, "Adam Elders") {
				t.Errorf("an officer of utrecht sees the amsterdam case %s", elsewhere)
			}
			if len(tt.want) == 0 && !strings.Contains(p.text(), a.nl("queue.empty")) {
				t.Errorf("empty result does not say so:\n%s", p.text())
			}
		})
	}

	t.Run("the owner sees every branch", func(t *testing.T) {
		ownerPage := a.signIn(t, "eigenaar@praktijk.example").get("/staff/cases?overdue=1")
		if got, want := refsOf(queueRows(ownerPage)), []string{late, elsewhere}; !slices.Equal(got, want) {
			t.Errorf("owner's overdue cases %v, want %v", got, want)
		}
	})
}

func TestQueuePaging(t *testing.T) {
	a := newTestServer(t, withBranches("amsterdam", "utrecht"))
	_, owner := a.addStaff(t, "eigenaar@praktijk.example", staff.Owner)
	a.addMember(t, "utr@praktijk.example", staff.Officer, "utrecht")
	var all []string
	for i := range 55 {
		// Different receipt days, some sharing a due date, so that the
		// order is by due date and then reference.
		day := fmt.Sprintf("2026-11-%02d", 1+i%20)
		all = append(all, a.registerCase(t, owner, "access", "utrecht", day, fmt.Sprintf("Persoon Nummer%d", i)))
	}
	a.registerCase(t, owner, "access", "amsterdam", "2026-11-01", "Adam Elders")
	officer := a.signIn(t, "utr@praktijk.example")

	var seen []string
	path := "/staff/cases"
	for page := 1; path != ""; page++ {
		if page > 3 {
			t.Fatal("more pages than there are cases")
		}
		p := officer.get(path)
		if p.Status != http.StatusOK {
			t.Fatalf("page %d (%s): status %d", page, path, p.Status)
		}
		rows := refsOf(queueRows(p))
		if page == 1 && len(rows) != 50 {
			t.Errorf("first page has %d cases, want 50", len(rows))
		}
		seen = append(seen, rows...)
		path = ""
		for _, pager := range p.find(func(n *htmlNode) bool { return n.Data == "p" && hasClass(n, "pager") }) {
			for l := range pager.Descendants() {
				if l.Data == "a" {
					path = attr(l, "href")
				}
			}
		}
		if path != "" && !strings.Contains(path, "cursor=") {
			t.Fatalf("next link %q has no cursor", path)
		}
	}
	if len(seen) != len(all) {
		t.Errorf("paged through %d cases, want %d", len(seen), len(all))
	}
	if len(slices.Compact(slices.Sorted(slices.Values(seen)))) != len(seen) {
		t.Errorf("a case was shown twice: %v", seen)
	}
	for _, ref := range all {
		if !slices.Contains(seen, ref) {
			t.Errorf("case %s never shown", ref)
		}
	}

	t.Run("a forged cursor is no error page", func(t *testing.T) {
		p := officer.get("/staff/cases?cursor=" + url.QueryEscape("not a cursor"))
		if p.Status >= 500 {
			t.Errorf("status %d", p.Status)
		}
	})
}
