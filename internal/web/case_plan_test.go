package web_test

import (
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/staff"
)

// planRail reads the step rail of a case page: the text of each step in
// order and the steps marked aria-current="step".
func planRail(t *testing.T, p *page) (steps []string, current []*html.Node) {
	t.Helper()
	ols := p.find(func(n *html.Node) bool { return n.Data == "ol" && strings.Contains(attr(n, "class"), "plan-steps") })
	if len(ols) != 1 {
		t.Fatalf("%d step rails on the page:\n%s", len(ols), p.text())
	}
	for c := ols[0].FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || c.Data != "li" {
			continue
		}
		steps = append(steps, strings.Join(strings.Fields(textContent(c)), " "))
		if attr(c, "aria-current") == "step" {
			current = append(current, c)
		}
	}
	return steps, current
}

// TestCasePlanRail: the step rail of an access case moves as the officer
// works, in Dutch and in English: the identity first (the decision
// waiting on it), then the activities, then the statement (the decision
// waiting on the approved statement), then the decision. Exactly one step
// is marked aria-current="step" and links to the section of the page where
// it is taken, which the page has; the deadline is in view.
func TestCasePlanRail(t *testing.T) {
	a := newBreachApp(t)
	a.breachMember(t, "u@delinde.example", "Uri Utrecht", staff.Officer, "utrecht")
	officer := a.breachSignIn(t, "u@delinde.example")
	ref := a.fileRequest(t, "Tessa Proef", "tessa@example.nl", "utrecht")
	path := "/staff/cases/" + ref
	due := lang.Date(lang.NL, a.caseOf(t, ref).Deadlines.Due)

	check := func(step, anchor string, blocked map[string]string) {
		t.Helper()
		for _, l := range []lang.Code{lang.NL, lang.EN} {
			p := officer.get(path + "?lang=" + string(l))
			wantStatus(t, p, http.StatusOK)
			steps, current := planRail(t, p)
			if len(current) != 1 {
				t.Fatalf("%s: %d current steps in %q", l, len(current), steps)
			}
			cur := strings.Join(strings.Fields(textContent(current[0])), " ")
			if want := a.msg(l, "plan.step."+step) + " " + a.msg(l, "plan.state.current"); cur != want {
				t.Errorf("%s: current step %q, want %q", l, cur, want)
			}
			links := p.find(func(n *html.Node) bool { return n.Data == "a" && attr(n, "href") == anchor })
			if len(links) != 1 {
				t.Errorf("%s: %d links to %s", l, len(links), anchor)
			}
			if len(p.find(func(n *html.Node) bool { return "#"+attr(n, "id") == anchor })) != 1 {
				t.Errorf("%s: the page has no section %s", l, anchor)
			}
			for s, why := range blocked {
				want := a.msg(l, "plan.step."+s) + " " + a.msg(l, why)
				found := false
				for _, got := range steps {
					found = found || got == want
				}
				if !found {
					t.Errorf("%s: no step %q in %q", l, want, steps)
				}
			}
		}
		if p := officer.get(path + "?lang=nl"); !strings.Contains(p.text(), a.msg(lang.NL, "plan.title")) || !strings.Contains(p.text(), "Uiterlijk "+due) {
			t.Errorf("the rail does not show the deadline %s:\n%s", due, p.text())
		}
	}

	check("identity", "#h-identity", map[string]string{"decision": "plan.blocked.identity", "statement": "plan.blocked.activities"})

	wantStatus(t, officer.postForm(path+"/identity", "identity.method", "email_on_file", "identity.outcome", "verified"), http.StatusSeeOther)
	check("activities", "#h-activities", map[string]string{"identity": "plan.state.done", "decision": "plan.blocked.activities"})

	wantStatus(t, officer.postForm(path+"/activities", "activities.activities", "client-file"), http.StatusSeeOther)
	check("statement", "#h-statement", map[string]string{"activities": "plan.state.done", "decision": "plan.blocked.statement"})

	draft := officer.get(path + "?lang=nl").fieldValue("statement.text")
	wantStatus(t, officer.postForm(path+"/access-statement", "statement.text", draft, "statement.approve", "yes"), http.StatusSeeOther)
	check("decision", "#h-decision", map[string]string{"statement": "plan.state.done", "documents": "plan.state.done",
		"letter": "plan.blocked.decision"})
}

// TestCasePlanRailPaused: while a question to the requester is open, the
// current step says it waits for the answer, in Dutch and in English.
func TestCasePlanRailPaused(t *testing.T) {
	a := newBreachApp(t)
	a.breachMember(t, "u@delinde.example", "Uri Utrecht", staff.Officer, "utrecht")
	officer := a.breachSignIn(t, "u@delinde.example")
	ref := a.fileRequest(t, "Tessa Proef", "tessa@example.nl", "utrecht")
	path := "/staff/cases/" + ref
	wantStatus(t, officer.postForm(path+"/ask", "ask.method", "email_on_file", "ask.text", "Klopt uw adres nog?"), http.StatusSeeOther)
	if !a.caseOf(t, ref).Paused() {
		t.Fatal("the question did not pause the case")
	}
	for _, l := range []lang.Code{lang.NL, lang.EN} {
		_, current := planRail(t, officer.get(path+"?lang="+string(l)))
		if len(current) != 1 {
			t.Fatalf("%s: %d current steps", l, len(current))
		}
		want := a.msg(l, "plan.step.identity") + " " + a.msg(l, "plan.current.paused")
		if got := strings.Join(strings.Fields(textContent(current[0])), " "); got != want {
			t.Errorf("%s: current step %q, want %q", l, got, want)
		}
	}
}
