package web_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/avgloket/avgloket/internal/staff"
)

// printLinks returns the addresses of the letters the case page offers to
// print.
func printLinks(p *page) []string {
	var out []string
	for _, l := range p.links() {
		// The decision letter is linked from the print box and from its own
		// section: one letter to print.
		if strings.Contains(l, "/letters/") || strings.HasSuffix(l, "/letter.pdf") && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// A letter by post from a requester without e-mail is registered with a
// postal address: no mail is queued, to anyone, at registration or at any
// later step that would mail the requester; the case page says "Per post"
// and offers each letter to print as a PDF with the address on top.
func TestPostalCaseWithoutEmail(t *testing.T) {
	a := newTestServer(t, withBranches("utrecht"))
	a.addMember(t, "ineke@praktijk.example", staff.Officer, "utrecht")
	officer := a.signIn(t, "ineke@praktijk.example")
	fields := []string{"type", "access", "received_at", "2026-11-20",
		"requester.relation", "self", "requester.name", "Gerrit Postma", "requester.email", "",
		"details", "Mijn dossier graag per post."}
	byPost := append([]string{"channel", "post"}, fields...)

	// Neither an e-mail address nor a postal address: both fields say so.
	form := officer.get("/staff/cases/new")
	p := officer.fill(form, "/staff/cases/new", byPost...)
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("without e-mail and address: status %d, want 422", p.Status)
	}
	if got := p.summary()["#f-requester-email"]; got != a.nl("field.email_or_address") {
		t.Errorf("e-mail problem %q, want %q", got, a.nl("field.email_or_address"))
	}
	// An e-mail request cannot do without the address.
	p = officer.fill(form, "/staff/cases/new", append([]string{"channel", "email"}, append(fields,
		"requester.address.street", "Dorpsstraat 4", "requester.address.postcode", "3511 AB", "requester.address.city", "Utrecht")...)...)
	if p.Status != http.StatusUnprocessableEntity || p.summary()["#f-requester-email"] != a.nl("field.required") {
		t.Errorf("e-mail channel without e-mail: status %d, problems %v", p.Status, p.summary())
	}
	// A bad postcode is named next to its field.
	p = officer.fill(form, "/staff/cases/new", append(byPost,
		"requester.address.street", "Dorpsstraat 4", "requester.address.postcode", "?", "requester.address.city", "Utrecht")...)
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.textOf("f-requester-address-postcode-error"), a.nl("field.postcode")) {
		t.Errorf("bad postcode: status %d, error %q", p.Status, p.textOf("f-requester-address-postcode-error"))
	}
	a.assertNothingStored(t)

	casePath := officer.fill(form, "/staff/cases/new", append(byPost,
		"requester.address.street", "Dorpsstraat 4", "requester.address.postcode", "3511 ab", "requester.address.city", "Utrecht")...).location()
	if n := len(a.outbox(t)); n != 0 {
		t.Fatalf("%d mail(s) queued for a requester without e-mail, want none", n)
	}
	p = officer.get(casePath)
	assertShows(t, p, a.nl("case.by_post"), a.nl("case.print_title"), "Dorpsstraat 4", "3511 AB", a.nl("case.letter.acknowledgement"))
	assertLacks(t, p, a.nl("case.resend_title"), a.nl("case.unconfirmed"))
	links := printLinks(p)
	if len(links) != 1 || !strings.HasSuffix(links[0], "/letters/acknowledgement") {
		t.Fatalf("letters to print %v, want the acknowledgement only", links)
	}
	ack := officer.get(links[0])
	if ack.Status != http.StatusOK || ack.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(ack.Body, "%PDF") {
		t.Fatalf("acknowledgement: status %d, type %q", ack.Status, ack.Header.Get("Content-Type"))
	}
	if text, ok := pdfText(t, ack); ok {
		for _, want := range []string{"Gerrit Postma", "Dorpsstraat 4", "3511 AB Utrecht", "AVG-2026-0001", "Wij antwoorden u per post"} {
			if !strings.Contains(text, want) {
				t.Errorf("acknowledgement PDF lacks %q:\n%s", want, text)
			}
		}
	}

	// A message, an extension, a question and a decision: each becomes a
	// letter to print, none a mail.
	const message = "Wij zoeken uw dossier op in het archief."
	officer.fill(p, casePath+"/message", "message.text", message).location()
	p = officer.get(casePath)
	officer.fill(p, casePath+"/extension", "extension.reason", "Het archief is groot.").location()
	officer.submit(casePath+"/ask", "ask.method", "in_person", "ask.text", "Wilt u langskomen met uw paspoort?").location()
	officer.submit(casePath+"/question/withdraw", "withdraw.reason", "Niet meer nodig.").location()
	officer.submit(casePath+"/identity", "identity.method", "in_person", "identity.outcome", "verified",
		"identity.note", "Paspoort gezien aan de balie").location()
	a.walkAccess(t, officer, strings.TrimPrefix(casePath, "/staff/cases/"))
	p = officer.get(casePath)
	if d := officer.fill(p, casePath+"/decision", "decision.outcome", "granted", "decision.reasons", "Het dossier gaat per post mee."); d.Status != http.StatusSeeOther {
		t.Fatalf("decision: status %d: %s", d.Status, d.textOf("f-decision-form"))
	}
	if n := len(a.outbox(t)); n != 0 {
		t.Fatalf("%d mail(s) queued after the steps, want none", n)
	}
	p = officer.get(casePath)
	links = printLinks(p)
	if len(links) != 6 {
		t.Fatalf("letters to print %v, want the acknowledgement, the message, the extension, the question, its withdrawal and the decision", links)
	}
	assertShows(t, p, a.nl("case.letter.message"), a.nl("case.letter.extended"), a.nl("case.letter.info_requested"),
		a.nl("case.letter.info_withdrawn"), a.nl("case.letter.decided"))
	letter := officer.get(links[1])
	if letter.Status != http.StatusOK {
		t.Fatalf("message letter: status %d", letter.Status)
	}
	if text, ok := pdfText(t, letter); ok && (!strings.Contains(text, message) || !strings.Contains(text, "Dorpsstraat 4")) {
		t.Errorf("message letter lacks the message or the address:\n%s", text)
	}
	if got := officer.get(casePath + "/letters/999999"); got.Status != http.StatusNotFound {
		t.Errorf("a letter for no event: status %d, want 404", got.Status)
	}
	// Weeks later the queue does not ask for an e-mail confirmation an
	// open case by post cannot have.
	open := officer.fill(officer.get("/staff/cases/new"), "/staff/cases/new", append(byPost,
		"requester.address.street", "Kerkpad 1", "requester.address.postcode", "2000", "requester.address.city", "Antwerpen")...).location()
	a.clock.Advance(30 * 24 * time.Hour)
	queue := a.signIn(t, "ineke@praktijk.example").get("/staff/cases")
	assertShows(t, queue, strings.TrimPrefix(open, "/staff/cases/"))
	assertLacks(t, queue, a.nl("queue.unconfirmed"))
}

// POST /api/v1/cases takes a request by post or phone without e-mail when
// requester.address is given (201, the address in the answer, no mail),
// and refuses one with neither (422 naming both fields) or with an address
// it cannot read.
func TestAPIPostalCase(t *testing.T) {
	a := newTestServer(t, withBranches("utrecht"))
	_, owner := a.addStaff(t, "eigenaar@praktijk.example", staff.Owner)
	letter := with(newRequest("Gerrit Postma", ""), "received_at", "2026-11-20", "channel", "post")
	withAddress := func(o object, address string) object {
		return with(o, "requester", object{"name": "Gerrit Postma", "relation": "self", "address": address})
	}

	res := a.api(t, http.MethodPost, "/api/v1/cases", owner, withAddress(letter, "Dorpsstraat 4\n3511 AB  Utrecht"))
	if res.Status != http.StatusCreated {
		t.Fatalf("status %d, want 201\n%s", res.Status, res.Body)
	}
	req, _ := res.object()["requester"].(map[string]any)
	if req["address"] != "Dorpsstraat 4\n3511 AB  Utrecht" || req["email"] != "" {
		t.Errorf("requester in the answer %v, want the address and no e-mail", req)
	}
	if n := len(a.outbox(t)); n != 0 {
		t.Errorf("%d mail(s) queued, want none", n)
	}
	if res := a.api(t, http.MethodPost, "/api/v1/cases", owner, withAddress(with(letter, "channel", "phone"), "Kerkpad 1\n2000 Antwerpen\nBelgië")); res.Status != http.StatusCreated {
		t.Errorf("by phone with a Belgian address: status %d\n%s", res.Status, res.Body)
	}

	for _, tt := range []struct {
		name   string
		body   object
		fields map[string]string
	}{
		{"neither e-mail nor address", letter, map[string]string{"requester.email": "field.email_or_address", "requester.address": "field.email_or_address"}},
		{"by e-mail without e-mail", withAddress(with(letter, "channel", "email"), "Dorpsstraat 4\n3511 AB Utrecht"), map[string]string{"requester.email": "field.required"}},
		{"an address without postcode", withAddress(letter, "Dorpsstraat 4\nUtrecht"), map[string]string{"requester.address": "field.address"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := a.api(t, http.MethodPost, "/api/v1/cases", owner, tt.body)
			if res.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%s", res.Status, res.Body)
			}
			fields := res.errorFields()
			for f, id := range tt.fields {
				if fields[f] != a.en(id) {
					t.Errorf("fields[%q] = %q, want %q (all: %v)", f, fields[f], a.en(id), fields)
				}
			}
		})
	}
}

// The tracking page shows the open question once — in its box, not again
// among the messages — and never what only staff read: notes, status and
// event codes, the branch's code, who works on the case.
func TestTrackingPageShowsNoInternals(t *testing.T) {
	a := newTestServer(t, withBranches("utrecht"))
	officerMember := a.addMember(t, "ineke@praktijk.example", staff.Officer, "utrecht")
	officer := a.signIn(t, "ineke@praktijk.example")
	res := a.api(t, http.MethodPost, "/api/v1/requests", "", map[string]any{
		"type": "access", "requester": map[string]any{"name": "Test Ouder", "email": "ouder@example.org", "relation": "parent"},
		"subject": map[string]any{"name": "Test Kind", "birth_date": "2013-05-01"}, "branch": "utrecht"})
	if res.Status != http.StatusCreated {
		t.Fatalf("file: %d %s", res.Status, res.Body)
	}
	casePath := "/staff/cases/" + res.object()["reference"].(string)
	const note, question = "Interne notitie: eerst met de behandelaar overleggen.", "Kunt u langskomen met uw paspoort?"
	p := officer.get(casePath)
	officer.fill(p, casePath+"/note", "note.text", note).location()
	p = officer.get(casePath)
	officer.fill(p, casePath+"/assign", "assign.assignee", itoa(officerMember.ID)).location()
	officer.submit(casePath+"/ask", "ask.method", "in_person", "ask.text", question).location()

	parent := a.browser(t)
	track := parent.get("/volg/" + a.latestTrackingToken(t, "ouder@example.org"))
	if track.Status != http.StatusOK {
		t.Fatalf("tracking page: status %d", track.Status)
	}
	if n := strings.Count(track.text(), question); n != 1 {
		t.Errorf("the open question is shown %d times, want once:\n%s", n, track.text())
	}
	internals := []string{note, "utrecht", officerMember.Name, "ineke@praktijk.example", "awaiting_identity", "info_requested",
		"in_person", "status.", "track.kind", "event.", a.nl("case.visible")}
	assertLacks(t, track, internals...)

	// Withdrawn, the question is history: shown once, among the messages.
	p = officer.get(casePath)
	officer.fill(p, casePath+"/question/withdraw", "withdraw.reason", "Niet meer nodig.").location()
	track = parent.get("/volg/" + a.latestTrackingToken(t, "ouder@example.org"))
	if n := strings.Count(track.text(), question); n != 1 {
		t.Errorf("the withdrawn question is shown %d times, want once", n)
	}
	assertLacks(t, track, internals...)
	for _, n := range track.find(func(n *html.Node) bool { return n.Type == html.TextNode }) {
		if s := strings.TrimSpace(n.Data); strings.Contains(s, "_") && !strings.Contains(s, "http") {
			t.Errorf("the tracking page shows the code-like text %q", s)
		}
	}
}

// "ID copies destroyed" is said only when there were ID copies.
func TestIdentityFlashOnlyWithCopies(t *testing.T) {
	a := newTestServer(t, withBranches("utrecht"))
	a.addMember(t, "ineke@praktijk.example", staff.Officer, "utrecht")
	officer := a.signIn(t, "ineke@praktijk.example")
	res := a.api(t, http.MethodPost, "/api/v1/requests", "", map[string]any{
		"type": "access", "requester": map[string]any{"name": "Test Ouder", "email": "ouder@example.org", "relation": "self"},
		"subject": map[string]any{"birth_date": "1980-05-01"}, "branch": "utrecht"})
	if res.Status != http.StatusCreated {
		t.Fatalf("file: %d %s", res.Status, res.Body)
	}
	casePath := "/staff/cases/" + res.object()["reference"].(string)
	officer.submit(casePath+"/identity", "identity.method", "email_on_file", "identity.outcome", "verified",
		"identity.note", "Adres uit het dossier").location()
	p := officer.get(casePath)
	assertShows(t, p, a.nl("flash.identity"))
	assertLacks(t, p, a.nl("flash.identity_destroyed"), "vernietigd")
}
