package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/staff"
)

// Every GET route answers HEAD as it answers GET (status and headers), with
// no body: link checkers and mail scanners use HEAD. The routes come from
// the route table's matrix, so a new GET route is covered too.
func TestHeadAnswersLikeGet(t *testing.T) {
	a := newTestServer(t, withBranches("amsterdam", "utrecht"))
	a.addMember(t, "eigenaar@praktijk.example", staff.Owner)
	owner := a.signIn(t, "eigenaar@praktijk.example")
	var css string
	for _, l := range a.browser(t).get("/").find(func(n *htmlNode) bool { return attr(n, "rel") == "stylesheet" }) {
		css = attr(l, "href")
	}
	checked := 0
	for route, want := range routeAccess {
		if !strings.HasPrefix(want.probe, "GET ") || strings.Contains(want.probe, "{victim}") ||
			strings.Contains(want.probe, "{token}") || strings.Contains(want.probe, "{officer}") {
			continue
		}
		t.Run(route, func(t *testing.T) {
			path := strings.TrimPrefix(want.probe, "GET ")
			if strings.Contains(path, "{ref}") {
				path = strings.ReplaceAll(path, "{ref}", a.fileRequest(t, "Hanna Hoofd", "hanna@example.nl", "utrecht"))
			}
			path = strings.ReplaceAll(path, "{css}", css)
			for who, b := range map[string]*browser{"signed-out visitor": a.browser(t), "owner": owner.browser} {
				// HEAD first: a GET may change what a later request sees.
				head := b.send(http.MethodHead, path, nil)
				get := b.get(path)
				if head.Status != get.Status {
					t.Errorf("%s: HEAD %s gave %d, GET %d", who, path, head.Status, get.Status)
				}
				if head.Body != "" {
					t.Errorf("%s: HEAD %s has a body of %d bytes", who, path, len(head.Body))
				}
				for _, h := range []string{"Content-Type", "Location", "Cache-Control", "Content-Security-Policy",
					"X-Content-Type-Options", "Content-Disposition"} {
					if head.Header.Get(h) != get.Header.Get(h) {
						t.Errorf("%s: HEAD %s: %s %q, GET %q", who, path, h, head.Header.Get(h), get.Header.Get(h))
					}
				}
			}
			checked++
		})
	}
	if checked < 30 {
		t.Errorf("only %d GET routes checked", checked)
	}
}

// A HEAD shows nothing, so it changes nothing: on a tracking link it does
// not confirm the e-mail address nor record a visit, and on a case page it
// is not recorded as a view. The GET after it does both.
func TestHeadChangesNothing(t *testing.T) {
	a := newTestServer(t)
	b := a.browser(t)
	csrf, idem := b.formTokens("/verzoek/access")
	if res := b.post("/verzoek/access", validForm(csrf, idem)); res.Status != http.StatusSeeOther {
		t.Fatalf("POST: status %d", res.Status)
	}
	mails := a.outbox(t)
	if len(mails) != 1 {
		t.Fatalf("%d mails", len(mails))
	}
	link := trackingLink.FindStringSubmatch(mails[0].Message.Text)
	if link == nil {
		t.Fatalf("no tracking link in %q", mails[0].Message.Text)
	}
	ref := a.cases(t)[0].Reference
	count := func(action audit.Action) int {
		n := 0
		for _, e := range a.auditTrail(t) {
			if e.Action == action {
				n++
			}
		}
		return n
	}

	scanner := a.browser(t)
	if p := scanner.send(http.MethodHead, "/volg/"+link[2], nil); p.Status != http.StatusOK || p.Body != "" {
		t.Fatalf("HEAD on the tracking link: %d, %d bytes", p.Status, len(p.Body))
	}
	if k := a.caseOf(t, ref); k.EmailConfirmedAt != nil || count(audit.RequestTrack) != 0 {
		t.Errorf("a HEAD confirmed the address (%v) or was recorded as a visit (%d)", k.EmailConfirmedAt, count(audit.RequestTrack))
	}
	if p := scanner.get("/volg/" + link[2]); p.Status != http.StatusOK {
		t.Fatalf("GET on the tracking link: %d", p.Status)
	}
	if k := a.caseOf(t, ref); k.EmailConfirmedAt == nil || count(audit.RequestTrack) != 1 {
		t.Errorf("the GET did not confirm (%v) or record the visit (%d)", k.EmailConfirmedAt, count(audit.RequestTrack))
	}

	a.addMember(t, "eigenaar@praktijk.example", staff.Owner)
	owner := a.signIn(t, "eigenaar@praktijk.example")
	views := count(audit.CaseView)
	if p := owner.send(http.MethodHead, "/staff/cases/"+ref, nil); p.Status != http.StatusOK || p.Body != "" {
		t.Fatalf("HEAD on the case page: %d, %d bytes", p.Status, len(p.Body))
	}
	if n := count(audit.CaseView); n != views {
		t.Errorf("a HEAD was recorded as a view: %d case_view entries, was %d", n, views)
	}
	owner.get("/staff/cases/" + ref)
	if n := count(audit.CaseView); n != views+1 {
		t.Errorf("the GET: %d case_view entries, want %d", n, views+1)
	}
}
