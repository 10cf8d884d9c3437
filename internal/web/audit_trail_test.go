package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/staff"
)

// TestEveryAuditActionHasWords: every action the code base can write (the
// audit package refuses any other, and TestEveryActionIsListed ties the
// list to its constants) has a word in both languages.
func TestEveryAuditActionHasWords(t *testing.T) {
	a := newApp(t)
	for _, action := range audit.Actions() {
		id := "audit.action." + string(action)
		if !a.cat.Has(id) {
			t.Errorf("no message %s", id)
			continue
		}
		for _, l := range []lang.Code{lang.NL, lang.EN} {
			if got := a.cat.T(l, id, nil); got == id || got == "" {
				t.Errorf("%s: no %s text", id, l)
			}
		}
		if a.nl(id) == a.en(id) {
			t.Errorf("%s: the English is the Dutch %q", id, a.nl(id))
		}
	}
}

// rawCode is what the trail used to show: "staff:2", "case_view".
var rawCode = regexp.MustCompile(`^([a-z]+:[0-9]+|[a-z]+_[a-z_]+)$`)

// auditLinks returns the links in the audit tables of p.
func auditLinks(p *page) []string {
	var out []string
	for _, table := range p.find(func(n *html.Node) bool { return n.Data == "table" && hasClass(n, "audit") }) {
		for n := range table.Descendants() {
			if n.Type == html.ElementNode && n.Data == "a" {
				out = append(out, attr(n, "href"))
			}
		}
	}
	return out
}

// TestAuditTrailInWords: the owner reads who by name, what in words, the
// case as a link to it, in Dutch and in English; no raw codes.
func TestAuditTrailInWords(t *testing.T) {
	a := newTestServer(t)
	a.addMember(t, "eigenaar@praktijk.example", staff.Owner)
	m := a.addMember(t, "fenna@praktijk.example", staff.Officer)
	ref := a.fileRequest(t, "Bram Visser", "bram@example.nl", "")
	officer := a.signIn(t, "fenna@praktijk.example")
	if p := officer.get("/staff/cases/" + ref); p.Status != http.StatusOK {
		t.Fatalf("case: status %d", p.Status)
	}
	if res := a.api(t, http.MethodGet, "/api/v1/cases/"+ref, a.addToken(t, m), nil); res.Status != http.StatusOK {
		t.Fatalf("API case: %d %s", res.Status, res.Body)
	}
	if p, _ := passwordStep(a.browser(t), "fenna@praktijk.example", "niet-het-wachtwoord"); p.Status == http.StatusSeeOther {
		t.Fatal("a wrong password signed in")
	}
	owner := a.signIn(t, "eigenaar@praktijk.example")

	for _, l := range []struct {
		query string
		code  lang.Code
		msg   func(string) string
	}{{"", lang.NL, a.nl}, {"?lang=en", lang.EN, a.en}} {
		p := owner.get("/staff/audit" + l.query)
		if p.Status != http.StatusOK {
			t.Fatalf("audit%s: status %d", l.query, p.Status)
		}
		rows := auditRows(p)
		view := l.msg("audit.action.case_view")
		for _, want := range [][2]string{
			{m.Name, view},
			{m.Name, l.msg("audit.action.sign_in")},
			{l.msg("audit.actor.anonymous"), l.msg("audit.action.case_create")},
			{a.cat.T(l.code, "audit.actor.api", map[string]any{"Name": m.Name}), view},
		} {
			if !rows.has(want[0], want[1]) {
				t.Errorf("audit%s lacks %q by %q; rows %v", l.query, want[1], want[0], rows)
			}
		}
		refused := a.cat.T(l.code, "audit.detail.reason", nil) + ": " + l.msg("signin.failed")
		if !rows.has(l.msg("audit.actor.anonymous"), l.msg("audit.action.sign_in_failed")) || !strings.Contains(rows.String(), refused) {
			t.Errorf("audit%s lacks the refused sign-in with %q; rows %v", l.query, refused, rows)
		}
		for _, r := range rows {
			for _, cell := range r[1:] {
				if rawCode.MatchString(cell) {
					t.Errorf("audit%s shows the raw code %q in %v", l.query, cell, r)
				}
			}
		}
		if links := auditLinks(p); !contains(links, "/staff/cases/"+ref) {
			t.Errorf("audit%s: the case is no link to its page; links %v", l.query, links)
		}
	}
}

func (t auditTable) String() string {
	var b strings.Builder
	for _, r := range t {
		b.WriteString(strings.Join(r, " | ") + "\n")
	}
	return b.String()
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// seedTrail appends n looks at object by actor, a minute apart from at.
func seedTrail(tb testing.TB, a *testApp, n int, actor string, action audit.Action, object string, at time.Time) {
	tb.Helper()
	for i := range n {
		if err := a.store.AppendAudit(tb.Context(), audit.Entry{At: at.Add(time.Duration(i) * time.Minute), Actor: actor,
			Action: action, Object: object, Address: "192.0.2.8"}); err != nil {
			tb.Fatal(err)
		}
	}
}

// TestAuditTrailFilters filters by who, what, when and which case, through
// the GET form, and refuses a bad date or an unknown reference next to the
// field.
func TestAuditTrailFilters(t *testing.T) {
	a := newTestServer(t)
	a.addMember(t, "eigenaar@praktijk.example", staff.Owner)
	fenna := a.addMember(t, "fenna@praktijk.example", staff.Officer)
	joris := a.addMember(t, "joris@praktijk.example", staff.Officer)
	one := a.fileRequest(t, "Bram Visser", "bram@example.nl", "")
	two := a.fileRequest(t, "Sanne Bos", "sanne@example.nl", "")
	k1, k2 := a.caseOf(t, one), a.caseOf(t, two)
	day1 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	day2 := time.Date(2026, 11, 9, 10, 0, 0, 0, time.UTC)
	seedTrail(t, a, 3, audit.Staff(fenna.ID), audit.CaseView, audit.Case(k1.ID), day1)
	seedTrail(t, a, 2, audit.Staff(joris.ID), audit.CaseStatus, audit.Case(k2.ID), day2)
	seedTrail(t, a, 1, audit.System, audit.CaseDelete, audit.Case(k1.ID), day2)
	owner := a.signIn(t, "eigenaar@praktijk.example")

	get := func(kv ...string) (*page, auditTable) {
		t.Helper()
		q := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			q.Set(kv[i], kv[i+1])
		}
		p := owner.get("/staff/audit?" + q.Encode())
		return p, auditRows(p)
	}
	for _, tt := range []struct {
		name  string
		query []string
		cell  int    // the column every row must show want in
		want  string // "" checks only the count
		rows  int
	}{
		{"who", []string{"who", audit.Staff(fenna.ID)}, 2, fenna.Name, 3},
		{"what", []string{"what", string(audit.CaseStatus)}, 3, a.nl("audit.action.case_status"), 2},
		{"system", []string{"who", audit.System}, 2, a.nl("audit.actor.system"), 1},
		{"which case", []string{"ref", one, "what", string(audit.CaseView)}, 4, one, 3},
		{"which case, lower case", []string{"ref", strings.ToLower(two)}, 4, two, 3}, // registered, and two changes
		{"from", []string{"from", "2026-11-09", "until", "2026-11-09", "who", audit.Staff(joris.ID)}, 2, joris.Name, 2},
		{"until", []string{"until", "2026-11-08", "what", string(audit.CaseView)}, 1, "november 2026", 3},
		{"nothing before", []string{"until", "2026-11-01"}, 0, "", 0},
		{"who and what", []string{"who", audit.Staff(fenna.ID), "what", string(audit.CaseStatus)}, 0, "", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, rows := get(tt.query...)
			if p.Status != http.StatusOK {
				t.Fatalf("status %d", p.Status)
			}
			if len(rows) != tt.rows {
				t.Errorf("%d rows, want %d: %v", len(rows), tt.rows, rows)
			}
			for _, r := range rows {
				if tt.want != "" && !strings.Contains(r[tt.cell], tt.want) {
					t.Errorf("row %v: column %d is not %q", r, tt.cell, tt.want)
				}
			}
			// The form shows what was asked.
			for i := 0; i+1 < len(tt.query); i += 2 {
				if tt.query[i] == "ref" {
					continue
				}
				if got := p.fieldValue(tt.query[i]); got != tt.query[i+1] {
					t.Errorf("field %s = %q, want %q", tt.query[i], got, tt.query[i+1])
				}
			}
			if tt.rows == 0 {
				assertShows(t, p, a.nl("audit.empty"))
			}
		})
	}
	// Owners only, filtered or not (the route matrix checks the bare page).
	officer := a.signIn(t, "fenna@praktijk.example")
	if p := officer.get("/staff/audit?who=system&ref=" + one); p.Status != http.StatusNotFound {
		t.Errorf("an officer asking for the filtered trail: status %d, want 404", p.Status)
	}

	// Nothing from the first week, or from before the second.
	_, rows := get("from", "2026-11-09", "what", string(audit.CaseView))
	if len(rows) != 0 {
		t.Errorf("from 9 November: views of 2 November shown: %v", rows)
	}
	_, rows = get("until", "2026-11-02", "ref", two)
	if len(rows) != 0 {
		t.Errorf("until 2 November: the second case's later entries shown: %v", rows)
	}

	for _, tt := range []struct {
		name  string
		query []string
		field string
		msg   string
	}{
		{"bad date", []string{"from", "2026-13-45"}, "from", "audit.error_date"},
		{"reversed", []string{"from", "2026-11-09", "until", "2026-11-02"}, "until", "audit.error_range"},
		{"unknown reference", []string{"ref", "AVG-1999-0042"}, "ref", "audit.error_ref"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, rows := get(tt.query...)
			if p.Status != http.StatusUnprocessableEntity {
				t.Errorf("status %d, want 422", p.Status)
			}
			if got := p.textOf("f-" + tt.field + "-error"); !strings.Contains(got, a.nl(tt.msg)) {
				t.Errorf("error next to %s = %q, want %q", tt.field, got, a.nl(tt.msg))
			}
			if len(rows) != 0 {
				t.Errorf("a refused filter still shows rows: %v", rows)
			}
		})
	}
}

// auditPager returns the newer and older links of an audit page.
func auditPager(p *page) (newer, older string) {
	for _, n := range p.find(func(n *html.Node) bool { return n.Data == "a" && attr(n, "rel") != "" }) {
		switch attr(n, "rel") {
		case "prev":
			newer = attr(n, "href")
		case "next":
			older = attr(n, "href")
		}
	}
	return newer, older
}

// TestAuditTrailPaging pages through 120 entries 50 at a time, keeping the
// filters, and back; 50 entries make one page with no link to a second.
// The chain is still intact afterwards.
func TestAuditTrailPaging(t *testing.T) {
	a := newTestServer(t)
	a.addMember(t, "eigenaar@praktijk.example", staff.Owner)
	fenna := a.addMember(t, "fenna@praktijk.example", staff.Officer)
	joris := a.addMember(t, "joris@praktijk.example", staff.Officer)
	ref := a.fileRequest(t, "Bram Visser", "bram@example.nl", "")
	k := a.caseOf(t, ref)
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	seedTrail(t, a, 120, audit.Staff(fenna.ID), audit.CaseView, audit.Case(k.ID), at)
	seedTrail(t, a, 50, audit.Staff(joris.ID), audit.CaseView, audit.Case(k.ID), at)
	owner := a.signIn(t, "eigenaar@praktijk.example")

	first := "/staff/audit?who=" + url.QueryEscape(audit.Staff(fenna.ID)) + "&what=case_view"
	var pages [][]string
	var prevs []string
	for link := first; link != ""; {
		p := owner.get(link)
		if p.Status != http.StatusOK {
			t.Fatalf("%s: status %d", link, p.Status)
		}
		var ids []string
		for _, r := range auditRows(p) {
			if r[2] != fenna.Name {
				t.Errorf("%s: a row of %q; the filter was lost", link, r[2])
			}
			ids = append(ids, r[0])
		}
		pages = append(pages, ids)
		newer, older := auditPager(p)
		if (newer == "") != (len(pages) == 1) {
			t.Errorf("page %d: newer link %q", len(pages), newer)
		}
		for _, l := range []string{newer, older} {
			if l != "" && (!strings.Contains(l, "who=staff%3A") || !strings.Contains(l, "what=case_view")) {
				t.Errorf("page %d: link %q drops the filters", len(pages), l)
			}
		}
		prevs = append(prevs, newer)
		link = older
		if len(pages) > 5 {
			t.Fatal("no last page")
		}
	}
	if len(pages) != 3 || len(pages[0]) != 50 || len(pages[1]) != 50 || len(pages[2]) != 20 {
		t.Fatalf("pages of %d, %d, …; want 50, 50, 20 (%d pages)", len(pages[0]), len(pages[min(1, len(pages)-1)]), len(pages))
	}
	// Back from the last page to the second.
	p := owner.get(prevs[2])
	var back []string
	for _, r := range auditRows(p) {
		back = append(back, r[0])
	}
	if strings.Join(back, ",") != strings.Join(pages[1], ",") {
		t.Errorf("newer than the last page: %v, want the second %v", back, pages[1])
	}

	// An old link past the end leads back to the first page.
	p = owner.get(first + "&before=1")
	if newer, older := auditPager(p); newer != "/staff/audit?what=case_view&who="+url.QueryEscape(audit.Staff(fenna.ID)) || older != "" {
		t.Errorf("past the end: newer %q, older %q; want the first page", newer, older)
	}
	assertShows(t, p, a.nl("audit.empty"))

	// Exactly a page's worth: no second page.
	p = owner.get("/staff/audit?who=" + url.QueryEscape(audit.Staff(joris.ID)))
	if n := len(auditRows(p)); n != 50 {
		t.Errorf("%d rows, want 50", n)
	}
	if newer, older := auditPager(p); newer != "" || older != "" {
		t.Errorf("one full page links on: newer %q, older %q", newer, older)
	}

	p = owner.fill(p, "/staff/audit/verify")
	assertShows(t, p, "ongeschonden")
}

// TestCaseHistoryFoldsRepeatedViews: on the case's own history, an
// officer's seven looks in a row are one line with the count, in both
// languages; a look by someone else between is its own line.
func TestCaseHistoryFoldsRepeatedViews(t *testing.T) {
	a := newTestServer(t)
	a.addMember(t, "eigenaar@praktijk.example", staff.Owner)
	fenna := a.addMember(t, "fenna@praktijk.example", staff.Officer)
	joris := a.addMember(t, "joris@praktijk.example", staff.Officer)
	ref := a.fileRequest(t, "Bram Visser", "bram@example.nl", "")
	k := a.caseOf(t, ref)
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	seedTrail(t, a, 1, audit.Staff(fenna.ID), audit.CaseView, audit.Case(k.ID), at.Add(-24*time.Hour))
	seedTrail(t, a, 2, audit.Staff(fenna.ID), audit.CaseView, audit.Case(k.ID), at)
	seedTrail(t, a, 1, audit.Staff(joris.ID), audit.CaseView, audit.Case(k.ID), at.Add(time.Hour))
	seedTrail(t, a, 7, audit.Staff(fenna.ID), audit.CaseView, audit.Case(k.ID), at.Add(2*time.Hour))
	owner := a.signIn(t, "eigenaar@praktijk.example")

	for _, l := range []struct {
		query, times, overDays string
		msg                    func(string) string
	}{{"", "7 keer op dinsdag 24 november 2026, van 12:00 tot 12:06",
		"3 keer, van maandag 23 november 2026, 10:00 tot dinsdag 24 november 2026, 10:01", a.nl},
		{"?lang=en", "7 times on Tuesday 24 November 2026, between 12:00 and 12:06",
			"3 times between Monday 23 November 2026, 10:00 and Tuesday 24 November 2026, 10:01", a.en}} {
		p := owner.get("/staff/cases/" + ref + l.query)
		view := l.msg("audit.action.case_view")
		var lines []string
		for _, r := range auditRows(p) {
			if r[3] == view && r[2] != owner.member.Name {
				lines = append(lines, r[2]+" | "+r[1])
			}
		}
		want := []string{fenna.Name + " | " + l.times, joris.Name + " | ", fenna.Name + " | " + l.overDays}
		if len(lines) != 3 || lines[0] != want[0] || !strings.HasPrefix(lines[1], want[1]) || lines[2] != want[2] {
			t.Errorf("views on the case%s:\n%s\nwant\n%s", l.query, strings.Join(lines, "\n"), strings.Join(want, "\n"))
		}
		if links := p.links(); !contains(links, "/staff/audit?ref="+ref) {
			t.Errorf("the case's history does not link to its whole trail; links %v", links)
		}
	}
}

// TestBreachHistoryInWords: a breach's own history, for owners, names the
// breach with a link, folds the owner's repeated looks, and leads to the
// trail filtered by the breach's reference.
func TestBreachHistoryInWords(t *testing.T) {
	a := newBreachApp(t)
	r := a.registered(t, stolenLaptop(t, a), breach.InformYes)
	owner := a.breachSignIn(t, "els@delinde.example")
	path := "/staff/breaches/" + r.Reference
	var p *page
	for range 3 {
		if p = owner.get(path); p.Status != http.StatusOK {
			t.Fatalf("%s: status %d", path, p.Status)
		}
	}
	var looks []string
	for _, row := range auditRows(p) {
		if row[3] == a.nl("audit.action.breach_view") {
			looks = append(looks, row[2]+" | "+row[1])
		}
	}
	if len(looks) != 1 || !strings.HasPrefix(looks[0], "Els Eigenaar | 3 keer op ") {
		t.Errorf("the owner's three looks: %v, want one line of 3", looks)
	}
	if links := auditLinks(p); !contains(links, path) {
		t.Errorf("the breach is no link to its page: %v", links)
	}
	if !contains(p.links(), "/staff/audit?ref="+r.Reference) {
		t.Error("the breach's history does not link to its whole trail")
	}
	p = owner.get("/staff/audit?ref=" + r.Reference)
	rows := auditRows(p)
	if len(rows) < 4 {
		t.Fatalf("the trail of %s has %d rows, want its registration and three looks: %v", r.Reference, len(rows), rows)
	}
	for _, row := range rows {
		if row[4] != r.Reference {
			t.Errorf("filtered on %s, a row about %q", r.Reference, row[4])
		}
	}
}
