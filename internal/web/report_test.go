package web_test

import (
	"encoding/csv"
	"encoding/xml"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/breach"
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
	// Three charts, each an image named by its title that parses as XML,
	// with its table beside it.
	charts := reportCharts(t, p)
	if len(charts) != 3 {
		t.Fatalf("%d charts, want 3", len(charts))
	}
	// Requests per month by right: November's five access requests, one
	// bar at the plot's full height.
	if got := charts["chart-rights"]; len(got) != 1 || got[0].height != 200 || got[0].title != "november 2026 – "+a.nl("type.access.title")+": 5" {
		t.Errorf("rights chart bars = %+v, want one of height 200 for November's 5 access requests", got)
	}
	// On time: of November's four decided, two within the first term, one
	// on time after its extension, one late; the bar is 100 %.
	onTime := charts["chart-on-time"]
	if len(onTime) != 3 || onTime[0].height != 100 || onTime[1].height != 50 || onTime[2].height != 50 ||
		onTime[2].title != "november 2026 – "+a.nl("report.series.late")+": 1" {
		t.Errorf("on-time chart bars = %+v, want 100, 50 and 50 high, the late one last", onTime)
	}
	// Days to answer: a median of 5 beside a p90 of 40, the axis' top.
	if got := charts["chart-days"]; len(got) != 2 || got[0].height != 25 || got[1].height != 200 {
		t.Errorf("days chart bars = %+v, want 25 (5 days) and 200 (40 days) high", got)
	}
	for id, want := range map[string][][]string{
		"chart-on-time": {{"november 2026", "4", "3", "1", "1", "75%"}, {"december 2026", "0", "0", "0", "0", "–"}},
		"chart-days":    {{"november 2026", "4", "5", "40"}, {"december 2026", "0", "–", "–"}},
	} {
		if got := tableRows(p, id+"-caption"); !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("%s table = %v, want %v", id, got, want)
		}
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
	for key, want := range map[string]string{"month.2026-11 access": "5", "month.2026-12 access": "0", "month.2026-11 decided": "4",
		"month.2026-11 on_time": "3", "month.2026-11 on_time_extended": "1", "month.2026-11 late": "1", "month.2026-11 median": "5",
		"month.2026-11 p90": "40", "month.2026-12 median": "", "consent.withdrawn": "0", "breach.total": "0", "notice.sent": "0"} {
		if v, ok := got[key]; !ok || v != want {
			t.Errorf("csv %s = %q, want %q", key, v, want)
		}
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

	if res := b.get("/staff/report/report.pdf?from=2026-13-01"); res.Status != http.StatusUnprocessableEntity {
		t.Errorf("pdf with a bad date: %d, want 422", res.Status)
	}

	officer := a.signIn(t, "functionaris@praktijk.example")
	for _, path := range []string{"/staff/report?" + period, "/staff/report/report.csv?" + period, "/staff/report/report.pdf?" + period} {
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

// chartBar is a bar of a chart as drawn: its height and its title.
type chartBar struct {
	height int
	title  string
}

// reportCharts reads the charts of a report page as XML: each svg image
// must parse, carry role="img" and aria-labelledby naming its own title
// (its first child) and description; its bars (the rects filled with a
// series' pattern) are returned by the chart's id. Each chart's table must
// be on the page, captioned.
func reportCharts(tb testing.TB, p *page) map[string][]chartBar {
	tb.Helper()
	out := map[string][]chartBar{}
	for _, src := range regexp.MustCompile(`(?s)<svg role="img".*?</svg>`).FindAllString(p.Body, -1) {
		var svg struct {
			Role     string `xml:"role,attr"`
			Labelled string `xml:"aria-labelledby,attr"`
			ViewBox  string `xml:"viewBox,attr"`
			Inner    []byte `xml:",innerxml"`
			Title    struct {
				ID   string `xml:"id,attr"`
				Text string `xml:",chardata"`
			} `xml:"title"`
			Desc struct {
				ID string `xml:"id,attr"`
			} `xml:"desc"`
		}
		if err := xml.Unmarshal([]byte(src), &svg); err != nil {
			tb.Errorf("a chart is not XML: %v\n%s", err, src)
			continue
		}
		id := strings.TrimSuffix(svg.Title.ID, "-title")
		if svg.Role != "img" || svg.Labelled != svg.Title.ID+" "+svg.Desc.ID || svg.Title.Text == "" || svg.ViewBox == "" {
			tb.Errorf("chart %s: role %q, labelled by %q, title %q, viewBox %q", id, svg.Role, svg.Labelled, svg.Title.Text, svg.ViewBox)
		}
		if !strings.HasPrefix(strings.TrimSpace(string(svg.Inner)), "<title") {
			tb.Errorf("chart %s: the title is not its first child", id)
		}
		if tableRows(p, id+"-caption") == nil {
			tb.Errorf("chart %s has no table beside it", id)
		}
		d := xml.NewDecoder(strings.NewReader(src))
		var bar *chartBar
		for {
			tok, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				tb.Fatal(err)
			}
			switch el := tok.(type) {
			case xml.StartElement:
				attrs := map[string]string{}
				for _, a := range el.Attr {
					attrs[a.Name.Local] = a.Value
				}
				if el.Name.Local == "rect" && strings.HasPrefix(attrs["fill"], "url(#"+id+"-s") {
					h, _ := strconv.Atoi(attrs["height"])
					out[id] = append(out[id], chartBar{height: h})
					bar = &out[id][len(out[id])-1]
				}
			case xml.CharData:
				if bar != nil {
					bar.title += string(el)
				}
			case xml.EndElement:
				if el.Name.Local == "rect" {
					bar = nil
				}
			}
		}
	}
	return out
}

// tableRows returns the cells of the body rows of the table whose caption
// has the id caption, nil without such a table.
func tableRows(p *page, caption string) [][]string {
	var rows [][]string
	for _, c := range p.find(func(n *htmlNode) bool { return n.Data == "caption" && attr(n, "id") == caption }) {
		rows = [][]string{}
		for tr := range c.Parent.Descendants() {
			if tr.Data != "tr" || tr.Parent.Data != "tbody" {
				continue
			}
			var cells []string
			for td := range tr.ChildNodes() {
				if td.Data == "td" {
					cells = append(cells, strings.TrimSpace(textContent(td)))
				}
			}
			rows = append(rows, cells)
		}
	}
	return rows
}

// Beside the requests the report counts the consents withdrawn (the whole
// practice's, whatever the branch) and the breaches of the period as the
// breach register's summary does: here a consent-withdrawal case decided
// today withdraws two consents, and of two breaches of today, the Utrecht
// one was notified within the 72 hours and its people informed, the
// Amsterdam one neither. The page, the CSV and the PDF agree; a branch
// counts its own breaches only; the notices' row stays away while nothing
// counts them.
func TestAccountabilityReportBeside(t *testing.T) {
	a := newBreachApp(t)
	token := a.breachToken(t, "els@delinde.example")
	owner := a.breachSignIn(t, "els@delinde.example")
	news := a.addConsentAPI(t, token, consentBody("newsletter", "Test Kind", "ouder@example.org", "parent", "Test Ouder"))
	research := a.addConsentAPI(t, token, consentBody("research-recordings", "Test Kind", "ouder@example.org", "parent", "Test Ouder"))
	a.addConsentAPI(t, token, consentBody("newsletter", "Test Ander", "ander@example.org", "parent", "Test Anderouder"))
	res := a.api(t, http.MethodPost, "/api/v1/requests", "", with(newRequest("Test Ouder", "ouder@example.org"), "type", "consent_withdrawal",
		"branch", "utrecht", "requester", object{"name": "Test Ouder", "email": "ouder@example.org", "relation": "parent"},
		"subject", object{"name": "Test Kind", "birth_date": "2017-03-09"}))
	if res.Status != http.StatusCreated {
		t.Fatalf("request: %d %s", res.Status, res.Body)
	}
	ref := res.object()["reference"].(string)
	for _, step := range []struct {
		method, path string
		body         object
	}{
		{http.MethodPut, "/consents", object{"consents": []int64{news, research}}},
		{http.MethodPost, "/identity", object{"outcome": "verified", "method": "email_on_file"}},
	} {
		if res := a.api(t, step.method, "/api/v1/cases/"+ref+step.path, token, step.body); res.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", step.path, res.Status, res.Body)
		}
	}
	for _, key := range []string{"parental_authority", "inform_other_parent"} {
		wantStatus(t, owner.postForm("/staff/cases/"+ref+"/requirement", "requirement.key", key, "requirement.state", "satisfied"), http.StatusSeeOther)
	}
	if res := a.api(t, http.MethodPost, "/api/v1/cases/"+ref+"/decision", token, object{"outcome": "granted", "reasons": "Ingetrokken."}); res.Status != http.StatusOK {
		t.Fatalf("decision: %d %s", res.Status, res.Body)
	}
	var records [][]string

	utrecht := a.registered(t, stolenLaptop(t, a), breach.InformYes)
	amsterdam, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	now := a.clock.Now().In(amsterdam)
	breachAt(t, owner.postForm("/staff/breaches/"+utrecht.Reference+"/ap-draft", "kind", "initial", "submitted_at", now.Format(time.DateOnly),
		"submitted_at_time", now.Format("15:04"), "ap_reference", "M-2026-48213"))
	breachAt(t, owner.postForm("/staff/breaches/"+utrecht.Reference+"/informed", "informed_at", now.Format(time.DateOnly), "how", "per brief",
		"count.exact", "3"))
	lost := stolenLaptop(t, a)
	lost.Branch = "amsterdam"
	a.registered(t, lost, "")

	figure := func(p *page, key string) string {
		rows := p.find(func(n *htmlNode) bool { return n.Data == "tr" && attr(n, "data-figure") == key })
		if len(rows) != 1 {
			return "(none)"
		}
		var cells []string
		for td := range rows[0].ChildNodes() {
			if td.Data == "td" {
				cells = append(cells, strings.TrimSpace(textContent(td)))
			}
		}
		return cells[len(cells)-1]
	}
	whole := map[string]string{"consent.withdrawn": "2", "breach.total": "2", "breach.notified": "1", "breach.in_time": "1",
		"breach.late": "0", "breach.not_notified": "1", "breach.informed": "1", "notice.sent": "0"}
	p := owner.get("/staff/report")
	wantStatus(t, p, http.StatusOK)
	for key, want := range whole {
		if got := figure(p, key); got != want {
			t.Errorf("page: %s = %s, want %s", key, got, want)
		}
	}
	assertShows(t, p, a.nl("report.note_consents"), a.nl("report.note_breaches"))
	if len(p.find(func(n *htmlNode) bool { return n.Data == "a" && attr(n, "href") == "/staff/breaches/summary?year=2026" })) != 1 {
		t.Error("the report does not link the breach register's summary of 2026")
	}
	// The register's own summary of the year says the same.
	summary := owner.get("/staff/breaches/summary?year=2026")
	assertShows(t, summary, a.nl("breach.summary.informed"))

	for key, want := range map[string]string{"consent.withdrawn": "2", "breach.total": "1", "breach.notified": "1", "breach.informed": "1",
		"breach.not_notified": "0"} {
		if got := figure(owner.get("/staff/report?branch=utrecht"), key); got != want {
			t.Errorf("utrecht: %s = %s, want %s", key, got, want)
		}
	}
	if got := figure(owner.get("/staff/report?from=2025-01-01&to=2025-12-31"), "consent.withdrawn"); got != "0" {
		t.Errorf("2025: consents withdrawn = %s, want 0", got)
	}

	res2 := owner.get("/staff/report/report.csv")
	records, err = csv.NewReader(strings.NewReader(strings.TrimPrefix(res2.Body, "\xEF\xBB\xBF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range records {
		got[r[0]+"."+r[1]] = r[2]
	}
	for key, want := range whole {
		if v, ok := got[key]; want == "(none)" && ok || want != "(none)" && v != want {
			t.Errorf("csv: %s = %q, want %s", key, v, want)
		}
	}

	pdf := owner.get("/staff/report/report.pdf?branch=utrecht")
	if pdf.Status != http.StatusOK || pdf.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.Body, "%PDF-") {
		t.Fatalf("pdf: %d %s %.8q", pdf.Status, pdf.Header.Get("Content-Type"), pdf.Body)
	}
	if !strings.Contains(pdf.Header.Get("Content-Disposition"), `verantwoording-2026-01-01-2026-12-31.pdf`) {
		t.Errorf("pdf named %q", pdf.Header.Get("Content-Disposition"))
	}
	if text, ok := pdfText(t, pdf); ok {
		for _, want := range []string{a.nl("report.heading"), "Jeugdpraktijk De Linde", "1 januari 2026 tot en met 31 december 2026",
			a.nl("report.branch") + ": Utrecht", a.nl("report.pdf_charts"),
			a.nl("report.received") + " 1", a.nl("report.consents_withdrawn") + " 2",
			a.nl("report.breach.total") + " 1", a.nl("report.breach.informed") + " 1",
			a.nl("report.per_month"), "november 2026 1 " + a.nl("type.consent_withdrawal.title") + " 1",
			a.nl("report.on_time_title"), a.nl("report.days_title"), "november 2026 1 0 0"} {
			if !strings.Contains(text, want) {
				t.Errorf("PDF text lacks %q:\n%s", want, text)
			}
		}
		if !strings.Contains(text, a.nl("report.notices_sent")+" 0") {
			t.Errorf("PDF text lacks the notices sent:\n%s", text)
		}
	}
}
