package web_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/register"
	"github.com/avgloket/avgloket/internal/staff"
)

// walkAccess takes access case ref through the steps before its decision
// as an officer does on the case page: an activity chosen (the client file
// of the Dutch template register, put in by the owner when the register
// lacks it), then the drafted statement approved.
func (a *testApp) walkAccess(tb testing.TB, officer *staffBrowser, ref string) {
	tb.Helper()
	const key = "client-file"
	if _, err := a.store.Activity(tb.Context(), key); err != nil {
		i := slices.IndexFunc(register.Template(practice.Netherlands), func(r register.Activity) bool { return r.Key == key })
		if _, err := a.store.AddActivity(tb.Context(), register.Template(practice.Netherlands)[i],
			audit.Entry{At: a.clock.Now(), Actor: audit.Staff(1)}); err != nil {
			tb.Fatal(err)
		}
	}
	path := "/staff/cases/" + ref
	officer.fill(officer.get(path), path+"/activities", "activities.activities", key).location()
	draft := officer.get(path).fieldValue("statement.text")
	officer.submit(path+"/access-statement", "statement.text", draft, "statement.approve", "yes").location()
}

// pathStep is one step section of the case page as a person reads it.
type pathStep struct {
	node  *html.Node
	title string // the step's label, without its number
	state string // where it stands, in words
}

// pathSteps reads the step sections of a case page in order, by key.
func pathSteps(t *testing.T, p *page) (keys []string, steps map[string]pathStep) {
	t.Helper()
	steps = map[string]pathStep{}
	for _, s := range p.find(func(n *html.Node) bool {
		return n.Data == "section" && strings.HasPrefix(attr(n, "aria-labelledby"), "step-")
	}) {
		key := strings.TrimPrefix(attr(s, "aria-labelledby"), "step-")
		var st pathStep
		st.node = s
		for n := range s.Descendants() {
			switch {
			case n.Type == html.ElementNode && attr(n, "id") == "step-"+key:
				words := strings.Fields(textContent(n))
				st.title = strings.Join(words[1:], " ")
			case n.Type == html.ElementNode && attr(n, "class") == "step-state":
				var words []string
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					switch {
					case c.Type == html.TextNode:
						words = append(words, strings.Fields(c.Data)...)
					case attr(c, "class") != "visually-hidden": // not the words that say what follows
						words = append(words, strings.Fields(textContent(c))...)
					}
				}
				st.state = strings.Join(words, " ")
			}
		}
		keys = append(keys, key)
		steps[key] = st
	}
	if len(keys) == 0 {
		t.Fatalf("no steps on the page:\n%s", p.text())
	}
	return keys, steps
}

// formIn reports whether section s holds a form posting to action.
func formIn(s *html.Node, action string) bool {
	for n := range s.Descendants() {
		if n.Type == html.ElementNode && n.Data == "form" && attr(n, "action") == action {
			return true
		}
	}
	return false
}

// outcomesOffered lists the outcomes the page's decision form offers.
func outcomesOffered(p *page) []string {
	var out []string
	for _, n := range p.find(func(n *html.Node) bool { return n.Data == "input" && attr(n, "name") == "decision.outcome" }) {
		out = append(out, attr(n, "value"))
	}
	return out
}

// TestCasePathPerRight: for each of the seven rights the case page at
// receipt draws the path of that right — the identity first and the step
// to take, the right's own step listed, the decision waiting for the
// activities — and after the identity is recorded the next step (the
// activities) is the one to take with its form in its section, while the
// decision, still blocked, offers no grant: only an early end (a refusal
// or a withdrawn request) folded under the reason it waits.
func TestCasePathPerRight(t *testing.T) {
	a := newBreachApp(t)
	a.breachMember(t, "u@delinde.example", "Uri Utrecht", staff.Officer, "utrecht")
	officer := a.signIn(t, "u@delinde.example")
	for _, tc := range []struct {
		right string
		own   []string // the right's own steps, in order
	}{
		{"access", []string{"statement", "documents"}},
		{"rectification", []string{"rectification"}},
		{"erasure", []string{"erasure"}},
		{"restriction", []string{"restriction"}},
		{"portability", []string{"portability"}},
		{"objection", []string{"objection"}},
		{"consent_withdrawal", []string{"consents"}},
	} {
		t.Run(tc.right, func(t *testing.T) {
			res := a.api(t, http.MethodPost, "/api/v1/requests", "",
				with(newRequest("Tessa Proef", "tessa-"+tc.right+"@example.nl"), "type", tc.right, "branch", "utrecht"))
			if res.Status != http.StatusCreated {
				t.Fatalf("file: %d %s", res.Status, res.Body)
			}
			ref := res.object()["reference"].(string)
			path := "/staff/cases/" + ref

			p := officer.get(path)
			wantStatus(t, p, http.StatusOK)
			keys, steps := pathSteps(t, p)
			want := append(append([]string{"identity", "activities"}, tc.own...), "decision", "letter")
			if got := slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return k == "notices" || k == "destruction" }); !slices.Equal(got, want) {
				t.Fatalf("steps %v, want %v", keys, want)
			}
			for _, k := range keys {
				if got, want := steps[k].title, a.nl("plan.step."+k); got != want {
					t.Errorf("step %s titled %q, want %q", k, got, want)
				}
			}
			if got := steps["identity"].state; got != a.nl("plan.state.current") {
				t.Errorf("identity at receipt: %q, want %q", got, a.nl("plan.state.current"))
			}
			if !formIn(steps["identity"].node, path+"/identity") || !formIn(steps["identity"].node, path+"/ask") {
				t.Error("the identity step lacks the forms to record the identity and to ask a question")
			}
			if got := steps["decision"].state; got != a.nl("plan.blocked.identity") {
				t.Errorf("decision at receipt: %q, want %q", got, a.nl("plan.blocked.identity"))
			}
			steps0, _ := planRail(t, p)
			for _, own := range tc.own {
				if !slices.ContainsFunc(steps0, func(s string) bool { return strings.HasPrefix(s, a.nl("plan.step."+own)) }) {
					t.Errorf("the rail %q does not list the right's step %s", steps0, own)
				}
			}
			if ids := p.find(func(n *html.Node) bool { return n.Data == "section" && attr(n, "aria-labelledby") == "h-verify" }); len(ids) != 1 {
				t.Errorf("%d identity forms on the page, want 1", len(ids))
			}

			officer.fill(p, path+"/identity", "identity.method", "email_on_file", "identity.outcome", "verified").location()
			p = officer.get(path)
			_, steps = pathSteps(t, p)
			if got := steps["identity"].state; got != a.nl("plan.state.done") {
				t.Errorf("identity after the check: %q", got)
			}
			if got := steps["activities"].state; got != a.nl("plan.state.current") {
				t.Errorf("activities after the check: %q, want %q", got, a.nl("plan.state.current"))
			}
			if !formIn(steps["activities"].node, path+"/activities") {
				t.Errorf("the activities step offers no form:\n%s", textContent(steps["activities"].node))
			}
			if got := steps["decision"].state; got != a.nl("plan.blocked.activities") {
				t.Errorf("decision after the check: %q, want %q", got, a.nl("plan.blocked.activities"))
			}
			if got := outcomesOffered(p); !slices.Equal(got, []string{"refused", "withdrawn"}) {
				t.Errorf("the blocked decision offers %v, want only an early end", got)
			}
			if len(p.find(func(n *html.Node) bool { return n.Data == "details" && attr(n, "open") == "" && hasAttr(n, "open") })) != 0 {
				t.Error("the early end is drawn open before anyone asked for it")
			}
			for _, k := range tc.own {
				if k == "consents" {
					continue // no step waits before the consents are chosen
				}
				if got := steps[k].state; got != a.nl("plan.blocked.activities") && got != a.nl("plan.blocked.statement") {
					t.Errorf("step %s after the check: %q, want it blocked", k, got)
				}
				if len(html2forms(steps[k].node)) != 0 {
					t.Errorf("the blocked step %s offers a form", k)
				}
			}
		})
	}
}

// html2forms returns the forms inside n.
func html2forms(n *html.Node) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && d.Data == "form" {
			out = append(out, d)
		}
	}
	return out
}

// TestCaseEarlyEnd: while the decision waits for earlier steps, a request
// the requester withdraws is closed from the folded early end; a problem
// in it brings the page back with the early end open and the message next
// to the field.
func TestCaseEarlyEnd(t *testing.T) {
	a := newBreachApp(t)
	a.breachMember(t, "u@delinde.example", "Uri Utrecht", staff.Officer, "utrecht")
	officer := a.signIn(t, "u@delinde.example")
	ref := a.fileRequest(t, "Tessa Proef", "tessa@example.nl", "utrecht")
	path := "/staff/cases/" + ref
	p := officer.get(path)
	bad := officer.fill(p, path+"/decision", "decision.outcome", "withdrawn", "decision.reasons", "Ingetrokken.")
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	if got := bad.textOf("f-decision-withdrawn_how-error"); got != a.nl("case.withdrawn_how_required") {
		t.Errorf("error next to the field %q", got)
	}
	if open := bad.find(func(n *html.Node) bool {
		return n.Data == "details" && hasAttr(n, "open") && formIn(n, path+"/decision")
	}); len(open) != 1 {
		t.Error("the early end with the problem is not drawn open")
	}
	officer.fill(p, path+"/decision", "decision.outcome", "withdrawn", "decision.withdrawn_how", "phone",
		"decision.reasons", "De verzoeker belde om het verzoek in te trekken.").location()
	if k := a.caseOf(t, ref); k.Status != "completed" || k.Outcome != "withdrawn" {
		t.Fatalf("case %s/%s, want completed/withdrawn", k.Status, k.Outcome)
	}
	_, steps := pathSteps(t, officer.get(path))
	for k, want := range map[string]string{"identity": "plan.state.skipped", "statement": "plan.state.skipped",
		"decision": "plan.state.done", "letter": "plan.state.done"} {
		if got := steps[k].state; got != a.nl(want) {
			t.Errorf("step %s on the withdrawn case: %q, want %q", k, got, a.nl(want))
		}
		if len(html2forms(steps[k].node)) != 0 {
			t.Errorf("step %s offers a form on the completed case", k)
		}
	}
}

// TestAccessPathReceivedToCompleted walks an access request from receipt to
// the letter on the case page alone, in Dutch and in English: each step is
// taken from the form in its own section, the one to take next says so,
// the deadline stays on top, and once decided every step is done, no step
// offers a form and the letter is in the letter step.
func TestAccessPathReceivedToCompleted(t *testing.T) {
	a := newBreachApp(t)
	a.breachMember(t, "u@delinde.example", "Uri Utrecht", staff.Officer, "utrecht")
	officer := a.signIn(t, "u@delinde.example")
	ref := a.fileRequest(t, "Tessa Proef", "tessa@example.nl", "utrecht")
	path := "/staff/cases/" + ref
	due := lang.Date(lang.NL, a.caseOf(t, ref).Deadlines.Due)

	current := func(step string) *page {
		t.Helper()
		p := officer.get(path)
		if bar := p.find(func(n *html.Node) bool { return attr(n, "class") == "due-bar" }); len(bar) != 1 ||
			!strings.Contains(textContent(bar[0]), "Uiterlijk "+due) ||
			!strings.Contains(textContent(bar[0]), a.nl("plan.step."+step)) {
			t.Errorf("the bar on top does not show the deadline %s and the step %s", due, step)
		}
		_, steps := pathSteps(t, p)
		for k, s := range steps {
			if (k == step) != (s.state == a.nl("plan.state.current")) {
				t.Errorf("step %s: %q while %s is next", k, s.state, step)
			}
		}
		return p
	}
	p := current("identity")
	officer.fill(p, path+"/identity", "identity.method", "email_on_file", "identity.outcome", "verified").location()
	p = current("activities")
	officer.fill(p, path+"/activities", "activities.activities", "client-file").location()
	p = current("statement")
	officer.submit(path+"/access-statement", "statement.text", p.fieldValue("statement.text"), "statement.approve", "yes").location()
	p = current("decision")
	if got := outcomesOffered(p); !slices.Equal(got, []string{"granted", "partially_granted", "refused", "withdrawn"}) {
		t.Errorf("the decision to take offers %v", got)
	}
	officer.fill(p, path+"/decision", "decision.outcome", "granted", "decision.reasons", "Hierbij uw gegevens.").location()

	for _, l := range []lang.Code{lang.NL, lang.EN} {
		p = officer.get(path + "?lang=" + string(l))
		keys, steps := pathSteps(t, p)
		for _, k := range keys {
			if got := steps[k].state; got != a.msg(l, "plan.state.done") {
				t.Errorf("%s: step %s on the completed case: %q", l, k, got)
			}
		}
		if forms := html2forms(p.byID("step-identity").Parent.Parent); len(forms) != 0 {
			t.Errorf("%s: %d forms in the steps of a completed case", l, len(forms))
		}
		if !strings.Contains(textContent(steps["letter"].node), a.nl("letter.decision.access.granted")) { // the requester's language
			t.Errorf("%s: the letter step does not hold the letter:\n%s", l, textContent(steps["letter"].node))
		}
		if p.find(func(n *html.Node) bool { return attr(n, "class") == "due-bar" }) != nil {
			t.Errorf("%s: a completed case still shows a deadline bar", l)
		}
	}
	if k := a.caseOf(t, ref); k.Status != "completed" || k.Outcome != "granted" {
		t.Fatalf("case %s/%s", k.Status, k.Outcome)
	}
}

// TestConsentWithdrawalPathReceivedToCompleted walks a parent's consent
// withdrawal for a child from receipt to completion on the case page
// alone: the identity, the parent's authority in the representation step,
// the activities, the consents to withdraw chosen in their own step, the
// decision; the chosen consent is withdrawn and the other is not.
func TestConsentWithdrawalPathReceivedToCompleted(t *testing.T) {
	a := newBreachApp(t)
	token := a.breachToken(t, "els@delinde.example")
	owner := a.signIn(t, "els@delinde.example")
	news := a.addConsentAPI(t, token, consentBody("newsletter", "Mees Oosterbroek", "joris@example.org", "parent", "Joris Oosterbroek"))
	research := a.addConsentAPI(t, token, consentBody("research-recordings", "Mees Oosterbroek", "joris@example.org", "parent", "Joris Oosterbroek"))
	res := a.api(t, http.MethodPost, "/api/v1/requests", "", with(newRequest("Joris Oosterbroek", "joris@example.org"),
		"type", "consent_withdrawal", "branch", "utrecht",
		"requester", object{"name": "Joris Oosterbroek", "email": "joris@example.org", "relation": "parent"},
		"subject", object{"name": "Mees Oosterbroek", "birth_date": "2017-03-09"}))
	if res.Status != http.StatusCreated {
		t.Fatalf("request: %d %s", res.Status, res.Body)
	}
	ref := res.object()["reference"].(string)
	path := "/staff/cases/" + ref

	state := func(p *page, step string) string {
		t.Helper()
		_, steps := pathSteps(t, p)
		return steps[step].state
	}
	p := owner.get(path)
	keys, _ := pathSteps(t, p)
	if want := []string{"identity", "representation", "activities", "consents", "decision", "letter"}; !slices.Equal(keys, want) {
		t.Fatalf("steps %v, want %v", keys, want)
	}
	if state(p, "identity") != a.nl("plan.state.current") || state(p, "consents") != a.nl("plan.state.later") {
		t.Errorf("at receipt: identity %q, consents %q", state(p, "identity"), state(p, "consents"))
	}
	owner.fill(p, path+"/identity", "identity.method", "email_on_file", "identity.outcome", "verified").location()
	for _, key := range []string{"parental_authority", "inform_other_parent"} {
		p = owner.get(path)
		if got := state(p, "representation"); got != a.nl("plan.state.current") {
			t.Fatalf("representation before %s: %q", key, got)
		}
		_, steps := pathSteps(t, p)
		if !formIn(steps["representation"].node, path+"/requirement") {
			t.Fatal("the representation step offers no requirement to record")
		}
		owner.fillForm(requirementForm(t, p, ref, key), path+"/requirement", "requirement.state", "satisfied").location()
	}
	p = owner.get(path)
	owner.fill(p, path+"/activities", "activities.activities", "newsletter").location()
	p = owner.get(path)
	if got := state(p, "consents"); got != a.nl("plan.state.current") {
		t.Fatalf("consents after the activities: %q", got)
	}
	_, steps := pathSteps(t, p)
	if !formIn(steps["consents"].node, path+"/consents") {
		t.Fatal("the consents step offers no form")
	}
	owner.fill(p, path+"/consents", "consents.ids", ids(news)[0]).location()
	p = owner.get(path)
	if got := state(p, "decision"); got != a.nl("plan.state.current") {
		t.Fatalf("decision after the consents: %q", got)
	}
	owner.fill(p, path+"/decision", "decision.outcome", "granted", "decision.reasons", "Uw toestemming voor de nieuwsbrief is ingetrokken.").location()

	consents := a.consentsOf(t, token, "joris@example.org")
	if consents[news]["withdrawn_case"] != ref || consents[research]["withdrawn_at"] != nil {
		t.Errorf("after the decision: newsletter %v, research %v", consents[news], consents[research])
	}
	p = owner.get(path)
	keys, steps = pathSteps(t, p)
	for _, k := range keys {
		if got := steps[k].state; got != a.nl("plan.state.done") {
			t.Errorf("step %s on the completed case: %q", k, got)
		}
	}
	if p.hasField("consents.ids") || p.hasField("decision.outcome") || p.hasField("requirement.state") {
		t.Error("the completed case still offers the consents, the requirements or the decision")
	}
}
