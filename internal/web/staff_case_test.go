package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/avgloket/avgloket/internal/staff"
)

// assertShows fails for every text in want that the page does not show.
func assertShows(tb testing.TB, p *page, want ...string) {
	tb.Helper()
	text := p.text()
	for _, w := range want {
		if !strings.Contains(text, w) {
			tb.Errorf("page lacks %q:\n%s", w, text)
		}
	}
}

// TestCaseWorkflowThroughThePages follows a letter from its registration to
// the decision as an officer of the branch does it, through the forms the
// pages show, and what the requester sees of it on the tracking page.
func TestCaseWorkflowThroughThePages(t *testing.T) {
	a := newTestServer(t, withBranches("amsterdam", "utrecht"))
	a.addMember(t, "eigenaar@praktijk.example", staff.Owner)
	a.addMember(t, "utr@praktijk.example", staff.Officer, "utrecht")
	officer := a.signIn(t, "utr@praktijk.example")
	const requester = "karin@example.nl"

	// A letter that arrived on 28 October: the month runs to Saturday
	// 28 November, so the answer is due on Monday 30 November, three
	// working days after today (Wednesday 25 November).
	form := officer.get("/staff/cases/new")
	if form.Status != http.StatusOK {
		t.Fatalf("GET /staff/cases/new: status %d", form.Status)
	}
	if got := form.fieldValue("branch"); got != "utrecht" {
		t.Errorf("branch preset to %q, want the officer's only branch utrecht", got)
	}
	p := officer.fill(form, "/staff/cases/new", "type", "access", "channel", "post", "received_at", "2026-10-28",
		"requester.relation", "self", "requester.name", "Karin Brief", "requester.email", requester,
		"details", "Mijn hele dossier, per post gestuurd.")
	casePath := p.location()
	if casePath != "/staff/cases/AVG-2026-0001" {
		t.Fatalf("registered case at %s, want /staff/cases/AVG-2026-0001", casePath)
	}
	p = officer.get(casePath)
	assertShows(t, p, a.nl("flash.registered"), "maandag 30 november 2026", "nog 3 werkdagen", "28 oktober 2026",
		a.nl("channel.post"), a.nl("status.received"), "Karin Brief")

	// In progress.
	p = officer.fill(p, casePath+"/status", "status.to", "in_progress")
	if got := p.location(); got != casePath {
		t.Fatalf("status: to %s", got)
	}
	p = officer.get(casePath)
	assertShows(t, p, a.nl("flash.status"), a.nl("status.in_progress"))

	// A message: the requester reads it on the tracking page; the e-mail
	// only links there.
	const message = "Wij sturen u het dossier binnen twee weken."
	officer.fill(p, casePath+"/message", "message.text", message).location()
	mails := a.mailsTo(t, requester)
	if last := mails[len(mails)-1]; strings.Contains(last, message) || !trackingLink.MatchString(last) {
		t.Errorf("message mail should link to the tracking page without the text:\n%s", last)
	}
	requesterBrowser := a.browser(t)
	track := requesterBrowser.get("/volg/" + a.latestTrackingToken(t, requester))
	if track.Status != http.StatusOK {
		t.Fatalf("tracking page: status %d", track.Status)
	}
	assertShows(t, track, message, "maandag 30 november 2026")

	// An extension, with its reason: the new date is 28 January 2027.
	const reason = "Het dossier is omvangrijk en ligt deels in het archief."
	p = officer.get(casePath)
	officer.fill(p, casePath+"/extension", "extension.reason", reason).location()
	track = requesterBrowser.get("/volg/" + a.latestTrackingToken(t, requester))
	assertShows(t, track, reason, "donderdag 28 januari 2027", a.nl("track.extended"))
	p = officer.get(casePath)
	assertShows(t, p, a.nl("flash.extended"), "donderdag 28 januari 2027", a.nl("case.already_extended"))

	// A refusal needs its legal ground: the page says so next to the field
	// and keeps what was typed.
	const reasons = "Het dossier bevat ook gegevens over uw broer."
	p = officer.fill(p, casePath+"/decision", "decision.outcome", "refused", "decision.reasons", reasons)
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("decision without ground: status %d, want 422\n%s", p.Status, p.text())
	}
	if got, want := p.textOf("f-decision-ground-error"), a.nl("case.ground_required"); got != want {
		t.Errorf("error next to the ground: %q, want %q", got, want)
	}
	if got := p.fieldValue("decision.reasons"); got != reasons {
		t.Errorf("reasons shown again as %q, want what was typed", got)
	}
	if got := a.caseOf(t, "AVG-2026-0001").Status; got != "in_progress" {
		t.Errorf("status %s after a refused decision, want in_progress", got)
	}
	// The requester's identity is established (a refusal's ground and
	// reasons are shown to a confirmed requester only, DOMAIN.md §8).
	officer.submit(casePath+"/identity", "identity.method", "in_person", "identity.outcome", "verified").location()
	p = officer.get(casePath)
	p = officer.fill(p, casePath+"/decision", "decision.outcome", "refused", "decision.ground", "rights_of_others",
		"decision.reasons", reasons)
	if got := p.location(); got != casePath {
		t.Fatalf("decision: to %s", got)
	}
	p = officer.get(casePath)
	assertShows(t, p, a.nl("flash.decided"), a.nl("status.completed"), a.nl("outcome_label.refused"), a.nl("case.closed_title"))
	track = requesterBrowser.get("/volg/" + a.latestTrackingToken(t, requester))
	assertShows(t, track, reasons, a.nl("outcome.refused"), a.nl("ground.rights_of_others"),
		a.nlWith("track.complaint", "AuthorityName", "Autoriteit Persoonsgegevens", "AuthoritySite", "www.autoriteitpersoonsgegevens.nl", "Via", "de praktijk"))

	// The timeline tells it all, newest first.
	var kinds []string
	for _, li := range p.find(func(n *htmlNode) bool { return n.Data == "li" && hasClass(n, "event") }) {
		kinds = append(kinds, strings.TrimPrefix(strings.Fields(attr(li, "class"))[1], "event-"))
	}
	if want := []string{"decided", "extended", "email_confirmed", "message", "status", "created"}; !subsequence(want, kinds) {
		t.Errorf("timeline %v, want %v in this order", kinds, want)
	}
	assertShows(t, p, message, reason, reasons, a.nl("event.created"), a.nl("event.status"), a.nl("event.message"),
		a.nl("event.extended"), a.nl("event.decided"))
	if p.byID("h-audit") != nil {
		t.Error("an officer sees the case's audit section, which is for owners")
	}

	// The owner sees who did what with the case.
	owner := a.signIn(t, "eigenaar@praktijk.example")
	p = owner.get(casePath)
	if p.byID("h-audit") == nil {
		t.Fatalf("owner sees no audit section on the case:\n%s", p.text())
	}
	// By name and in words (issue 10), no longer "staff:2" and "case_view".
	actor := officer.member.Name
	rows := auditRows(p)
	for _, code := range []string{"case_create", "case_view", "case_status", "case_message", "case_extend", "case_decide"} {
		if action := a.nl("audit.action." + code); !rows.has(actor, action) {
			t.Errorf("case audit lacks %s by %s; rows %v", action, actor, rows)
		}
	}
	for _, r := range rows {
		if strings.Contains(strings.Join(r, " "), "Karin") || strings.Contains(strings.Join(r, " "), "@") {
			t.Errorf("audit row holds personal data: %v", r)
		}
	}

	// The whole trail, and its check.
	p = owner.get("/staff/audit")
	if p.Status != http.StatusOK {
		t.Fatalf("GET /staff/audit: status %d", p.Status)
	}
	rows = auditRows(p)
	for _, want := range [][2]string{{actor, "sign_in"}, {actor, "case_decide"}, {owner.member.Name, "case_view"}} {
		if !rows.has(want[0], a.nl("audit.action."+want[1])) {
			t.Errorf("audit trail lacks %s by %s", want[1], want[0])
		}
	}
	p = owner.fill(p, "/staff/audit/verify")
	if p.Status != http.StatusOK {
		t.Fatalf("verify: status %d", p.Status)
	}
	if !strings.Contains(p.text(), "ongeschonden") {
		t.Errorf("verify does not say the trail is intact:\n%s", p.text())
	}
}

// auditTable is the rows of an audit table: id, time, actor, action,
// object, address, detail.
type auditTable [][]string

func auditRows(p *page) auditTable {
	var out auditTable
	for _, table := range p.find(func(n *htmlNode) bool { return n.Data == "table" && hasClass(n, "audit") }) {
		for tr := range table.Descendants() {
			if tr.Type != html.ElementNode || tr.Data != "tr" {
				continue
			}
			var cells []string
			for td := range tr.ChildNodes() {
				if td.Data == "td" {
					cells = append(cells, textContent(td))
				}
			}
			if len(cells) == 7 {
				out = append(out, cells)
			}
		}
	}
	return out
}

func (t auditTable) has(actor, action string) bool {
	for _, r := range t {
		if r[2] == actor && r[3] == action {
			return true
		}
	}
	return false
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// subsequence reports whether want appears in got in order, perhaps with
// other items between.
func subsequence(want, got []string) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	return i == len(want)
}
