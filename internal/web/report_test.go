package web_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/staff"
)

// The accountability report over cases filed and decided through the API
// on the test clock: five access requests received on Wednesday 25 November
// 2026 (due Monday 28 December), one filed in 2027 outside the period.
// Refused the same day (0 days), withdrawn on 30 November (5), refused late
// on 29 December (34), extended and refused on 4 January (40), one open:
// median by nearest rank 5, 90th percentile 40. The page and the CSV show
// the same figures; officers find no report.
func TestAccountabilityReport(t *testing.T) {
	a := newTestServer(t)
	owner := a.addMember(t, "eigenaar@praktijk.example", staff.Owner)
	token := a.addToken(t, owner)
	a.addMember(t, "functionaris@praktijk.example", staff.Officer)
	file := func(name, email string) string {
		t.Helper()
		res := a.api(t, http.MethodPost, "/api/v1/requests", "", newRequest(name, email))
		if res.Status != http.StatusCreated {
			t.Fatalf("file: %d %s", res.Status, res.Body)
		}
		return res.object()["reference"].(string)
	}
	call := func(ref, what string, body object) {
		t.Helper()
		if res := a.api(t, http.MethodPost, "/api/v1/cases/"+ref+"/"+what, token, body); res.Status != http.StatusOK {
			t.Fatalf("%s %s: %d %s", what, ref, res.Status, res.Body)
		}
	}
	sameDay, withdrawn, late, extended := file("Test Een", "een@example.nl"), file("Test Twee", "twee@example.nl"),
		file("Test Drie", "drie@example.nl"), file("Test Vier", "vier@example.nl")
	file("Test Vijf", "vijf@example.nl")
	call(sameDay, "decision", object{"outcome": "refused", "ground": "manifestly_unfounded", "reasons": "Het tiende verzoek deze maand."})
	call(extended, "extension", object{"reason": "Omvangrijk dossier"})
	a.clock.Advance(5 * 24 * time.Hour)
	call(withdrawn, "decision", object{"outcome": "withdrawn", "withdrawn_how": "email", "reasons": "Ingetrokken per e-mail."})
	a.clock.Set(time.Date(2026, time.December, 29, 9, 0, 0, 0, time.UTC))
	call(late, "decision", object{"outcome": "refused", "ground": "rights_of_others", "reasons": "Het dossier gaat ook over een ander."})
	a.clock.Set(time.Date(2027, time.January, 4, 9, 0, 0, 0, time.UTC))
	call(extended, "decision", object{"outcome": "refused", "ground": "rights_of_others", "reasons": "Het dossier gaat ook over een ander."})
	file("Test Zes", "zes@example.nl")

	b := a.signIn(t, owner.Email)
	const period = "from=2026-11-01&to=2026-12-31"
	p := b.get("/staff/report?" + period)
	if p.Status != http.StatusOK {
		t.Fatalf("report: %d", p.Status)
	}
	want := map[string]string{"received": "5", "decided": "4", "on_time": "3", "late": "1", "extended": "1", "open": "1",
		"paused": "0", "median": "5", "p90": "40", "right.access": "5", "right.erasure": "0", "channel.web": "5",
		"outcome.refused": "3", "outcome.withdrawn": "1", "outcome.granted": "0",
		"ground.rights_of_others": "2", "ground.manifestly_unfounded": "1"}
	for key, n := range want {
		rows := p.find(func(n *htmlNode) bool { return n.Data == "tr" && attr(n, "data-figure") == key })
		if len(rows) != 1 {
			t.Errorf("page: %d rows for %s, want 1", len(rows), key)
			continue
		}
		var cells []string
		for td := range rows[0].ChildNodes() {
			if td.Data == "td" {
				cells = append(cells, strings.TrimSpace(textContent(td)))
			}
		}
		if len(cells) != 2 || cells[1] != n {
			t.Errorf("page: %s = %v, want %s", key, cells, n)
		}
	}
	assertShows(t, p, "november 2026")
	// The chart: an image with its title, one bar (November's access
	// requests) at the plot's full height, named for a hover.
	svgs := p.find(func(n *htmlNode) bool { return n.Data == "svg" && attr(n, "role") == "img" })
	if len(svgs) != 1 || !strings.Contains(textContent(svgs[0]), a.nl("report.chart_title")) {
		t.Fatalf("chart: %d svg images, want 1 with its title", len(svgs))
	}
	var rects []*htmlNode
	for n := range svgs[0].Descendants() {
		if n.Data == "rect" {
			rects = append(rects, n)
		}
	}
	if len(rects) != 1 || attr(rects[0], "height") != "200" || textContent(rects[0]) != "nov – "+a.nl("type.access.title")+": 5" {
		t.Errorf("chart bars: %d, want one of height 200 titled for November's 5 access requests", len(rects))
	}

	res := b.get("/staff/report/report.csv?" + period)
	if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", res.Status, res.Header.Get("Content-Type"))
	}
	records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.Body, "\xEF\xBB\xBF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range records {
		if r[0] == "total" || r[0] == "days" {
			got[r[1]] = r[2]
		} else {
			got[r[0]+"."+r[1]] = r[2]
		}
	}
	for key, n := range want {
		if got[key] != n {
			t.Errorf("csv: %s = %q, want %s", key, got[key], n)
		}
	}
	if got["month.2026-11 access"] != "5" || got["month.2026-12 access"] != "0" {
		t.Errorf("csv months: November %q, December %q, want 5 and 0", got["month.2026-11 access"], got["month.2026-12 access"])
	}

	// 2027 holds the one filed in January, open.
	p = b.get("/staff/report?from=2027-01-01&to=2027-12-31")
	if rows := p.find(func(n *htmlNode) bool { return attr(n, "data-figure") == "received" }); len(rows) != 1 || !strings.Contains(textContent(rows[0]), "1") {
		t.Errorf("2027 received: %v", rows)
	}
	// Nothing decided there: days to answer are a dash, not 0, and empty
	// in the CSV.
	for _, key := range []string{"median", "p90"} {
		if rows := p.find(func(n *htmlNode) bool { return n.Data == "tr" && attr(n, "data-figure") == key }); len(rows) != 1 ||
			!strings.HasSuffix(strings.TrimSpace(textContent(rows[0])), "–") {
			t.Errorf("2027 %s with nothing decided: %v", key, rows)
		}
	}
	if csv2027 := b.get("/staff/report/report.csv?from=2027-01-01&to=2027-12-31").Body; !strings.Contains(csv2027, "days,median,\r\n") &&
		!strings.Contains(csv2027, "days,median,\n") {
		t.Errorf("2027 CSV: want an empty median:\n%s", csv2027)
	}

	// Bad dates: 422 with the message next to the field.
	bad := b.get("/staff/report?from=2026-13-01&to=2026-01-01")
	if bad.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad date: %d, want 422", bad.Status)
	}
	assertShows(t, bad, a.nl("report.error_date"))
	if bad = b.get("/staff/report?from=2026-06-01&to=2026-01-01"); bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.textOf("f-to-error"), a.nl("report.error_range")) {
		t.Errorf("reversed period: %d %q", bad.Status, bad.textOf("f-to-error"))
	}
	if res := b.get("/staff/report/report.csv?from=nope"); res.Status != http.StatusUnprocessableEntity {
		t.Errorf("csv with a bad date: %d, want 422", res.Status)
	}

	officer := a.signIn(t, "functionaris@praktijk.example")
	for _, path := range []string{"/staff/report?" + period, "/staff/report/report.csv?" + period} {
		if res := officer.get(path); res.Status != http.StatusNotFound {
			t.Errorf("officer %s: %d, want 404", path, res.Status)
		}
	}
	if strings.Contains(officer.get("/staff/cases").Body, `href="/staff/report"`) {
		t.Error("officers see the report in the navigation")
	}
	if !strings.Contains(b.get("/staff/cases").Body, `href="/staff/report"`) {
		t.Error("owners do not see the report in the navigation")
	}
}

// A report of one branch counts that branch's cases only; an unknown
// branch is refused next to its field.
func TestAccountabilityReportPerBranch(t *testing.T) {
	a := newTestServer(t, withBranches("utrecht", "zeist"))
	owner := a.addMember(t, "eigenaar@praktijk.example", staff.Owner)
	a.fileRequest(t, "Test Utrecht", "utrecht@example.nl", "utrecht")
	a.fileRequest(t, "Test Zeist", "zeist@example.nl", "zeist")
	a.fileRequest(t, "Test Zeist Twee", "zeist2@example.nl", "zeist")
	b := a.signIn(t, owner.Email)
	received := func(p *page) string {
		rows := p.find(func(n *htmlNode) bool { return n.Data == "tr" && attr(n, "data-figure") == "received" })
		if len(rows) != 1 {
			return ""
		}
		return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(textContent(rows[0])), a.nl("report.received")))
	}
	for query, want := range map[string]string{"": "3", "?branch=utrecht": "1", "?branch=zeist": "2"} {
		if got := received(b.get("/staff/report" + query)); got != want {
			t.Errorf("/staff/report%s: received %q, want %s", query, got, want)
		}
	}
	bad := b.get("/staff/report?branch=nergens")
	if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.textOf("f-branch-error"), a.nl("report.error_branch")) {
		t.Errorf("unknown branch: %d %q", bad.Status, bad.textOf("f-branch-error"))
	}
}
