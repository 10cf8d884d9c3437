package web_test

import (
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/staff"
)

// breachProbe is one request to a breach route and what each role gets
// from it. In path and bodies, {ref} is the breach's reference, {file} the
// id of its attachment, {otherfile} the id of the other breach's
// attachment and {branch} the breach's branch.
type breachProbe struct {
	route        string // the route's pattern as a.srv.Routes() names it
	method, path string
	form         []string // a page's form, pairs of name and value
	field        string   // a multipart upload's field, content its file
	content      []byte
	json         string // the API's body
	// owner, in, out and anon are what an owner, an officer of the
	// breach's branch, an officer of the other branch and a signed-out
	// visitor (no cookie, no token) get.
	owner, in, out, anon int
}

// matrixBreach is a real breach of the register, with everything its
// routes work on: an assessment, the decision to notify and to inform, the
// initial notification, a person to inform and an attachment.
type matrixBreach struct {
	ref, branch, secret, file string
}

// matrixBreach registers a breach of branch whose title holds secret.
func (a *breachApp) matrixBreach(tb testing.TB, branch, secret string) matrixBreach {
	tb.Helper()
	b := stolenLaptop(tb, a)
	b.Branch, b.Title = branch, "Laptop van "+secret
	r := a.registered(tb, b, breach.InformYes)
	owner, err := a.store.MemberByEmail(tb.Context(), "els@delinde.example")
	if err != nil {
		tb.Fatal(err)
	}
	actor := breach.Actor{ID: owner.ID, Name: owner.Name, Email: owner.Email, Owner: true, Scope: breach.Scope{All: true}}
	if _, err := a.breaches.Submit(tb.Context(), actor, r.Reference, breach.SubmissionInput{Kind: breach.NotifyInitial,
		SubmittedAt: a.clock.Now(), APReference: "M-" + branch}); err != nil {
		tb.Fatalf("Submit: %v", err)
	}
	if up, err := a.breaches.AddRecipients(tb.Context(), actor, r.Reference,
		strings.NewReader("naam;e-mail;taal\r\nAnna de Vries;anna."+branch+"@example.nl;nl\r\n")); err != nil || up.Added != 1 {
		tb.Fatalf("AddRecipients: %+v, %v", up, err)
	}
	f, err := a.breaches.Attach(tb.Context(), actor, r.Reference, strings.NewReader("%PDF-1.4\n% aangifte\n%%EOF\n"))
	if err != nil {
		tb.Fatalf("Attach: %v", err)
	}
	return matrixBreach{ref: r.Reference, branch: branch, secret: secret, file: f.ID}
}

// breachTables is everything a change to the register writes: every row
// of every breach table and of the outbox (letters), and the names of the
// stored files, one line each, sorted.
func (a *breachApp) breachTables(tb testing.TB) string {
	tb.Helper()
	db, onPG := a.rawDB(tb)
	list := `SELECT name FROM sqlite_master WHERE type = 'table' AND (name LIKE 'breach%' OR name = 'outbox') ORDER BY name`
	if onPG {
		list = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()
			AND (table_name LIKE 'breach%' OR table_name = 'outbox') ORDER BY table_name`
	}
	var tables []string
	rows, err := db.QueryContext(tb.Context(), list)
	if err != nil {
		tb.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			tb.Fatal(err)
		}
		tables = append(tables, n)
	}
	if err := rows.Close(); err != nil || len(tables) < 6 {
		tb.Fatalf("breach tables %v: %v", tables, err)
	}
	var lines []string
	for _, t := range tables {
		rows, err := db.QueryContext(tb.Context(), `SELECT * FROM "`+t+`"`)
		if err != nil {
			tb.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				tb.Fatal(err)
			}
			line := t
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = hex.EncodeToString(b)
				}
				line += fmt.Sprintf(" %s=%v", cols[i], v)
			}
			lines = append(lines, line)
		}
		if err := rows.Close(); err != nil {
			tb.Fatal(err)
		}
	}
	entries, err := os.ReadDir(a.files)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range entries {
		lines = append(lines, "file "+e.Name())
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// Every breach route, on a real breach of utrecht and on one of amsterdam,
// gives each role its decision (SECURITY.md item 1): owners everything, the
// officer of the breach's branch the register's work but not the owners'
// steps, the officer of the other branch nothing (404, or 422 where a
// branch is chosen), a signed-out visitor the sign-in page, a 403 without
// CSRF token or a 401 without API token. A refused call shows nothing of
// the breach and changes no breach table, no outbox row and no stored file.
func TestBreachRoutesOnRealBreaches(t *testing.T) {
	a := newBreachApp(t)
	a.breachMember(t, "u@delinde.example", "Uri Utrecht", staff.Officer, "utrecht")
	a.breachMember(t, "a@delinde.example", "Ada Amsterdam", staff.Officer, "amsterdam")
	breaches := []matrixBreach{a.matrixBreach(t, "utrecht", "Zeger Geheim"), a.matrixBreach(t, "amsterdam", "Wim Verborgen")}
	type role struct {
		name    string
		browser *breachBrowser // nil: signed out
		token   string
	}
	owner := role{"owner", a.breachSignIn(t, "els@delinde.example"), a.breachToken(t, "els@delinde.example")}
	officers := map[string]role{
		"utrecht":   {"officer of utrecht", a.breachSignIn(t, "u@delinde.example"), a.breachToken(t, "u@delinde.example")},
		"amsterdam": {"officer of amsterdam", a.breachSignIn(t, "a@delinde.example"), a.breachToken(t, "a@delinde.example")},
	}
	anon := role{name: "signed out"}
	anonBrowser := a.browser(t)

	csv := []byte("naam;e-mail;taal\r\nBram Bakker;bram.{branch}@example.nl;nl\r\n")
	badCSV := []byte("naam;e-mail;taal\r\nBram Bakker;geen-adres;nl\r\n")
	pdf := []byte("%PDF-1.4\n% foto\n%%EOF\n")
	assessment := `{"dpc":4,"ei":1,"confidentiality":"none","integrity":"none","availability":"none","malicious":false}`
	const p = "/staff/breaches/{ref}"
	// In the order that changes the least first; each owner's step leaves
	// the breach ready for the next one.
	probes := []breachProbe{
		{route: "GET /staff/breaches", method: "GET", path: "/staff/breaches", owner: 200, in: 200, out: 200, anon: 303},
		{route: "GET /staff/breaches/export.csv", method: "GET", path: "/staff/breaches/export.csv", owner: 200, in: 200, out: 200, anon: 303},
		{route: "GET /staff/breaches/summary", method: "GET", path: "/staff/breaches/summary", owner: 200, in: 200, out: 200, anon: 303},
		{route: "GET /staff/breaches/new", method: "GET", path: "/staff/breaches/new", owner: 200, in: 200, out: 200, anon: 303},
		{route: "GET /staff/breaches/settings", method: "GET", path: "/staff/breaches/settings", owner: 200, in: 404, out: 404, anon: 303},
		{route: "GET /staff/breaches/:ref", method: "GET", path: p, owner: 200, in: 200, out: 404, anon: 303},
		{route: "GET /staff/breaches/:ref/edit/:step", method: "GET", path: p + "/edit/data", owner: 200, in: 200, out: 404, anon: 303},
		{route: "GET /staff/breaches/:ref/assessment", method: "GET", path: p + "/assessment", owner: 200, in: 200, out: 404, anon: 303},
		{route: "GET /staff/breaches/:ref/decision", method: "GET", path: p + "/decision", owner: 200, in: 404, out: 404, anon: 303},
		{route: "GET /staff/breaches/:ref/ap-draft", method: "GET", path: p + "/ap-draft", owner: 200, in: 200, out: 404, anon: 303},
		{route: "GET /staff/breaches/:ref/ap-draft.txt", method: "GET", path: p + "/ap-draft.txt", owner: 200, in: 200, out: 404, anon: 303},
		{route: "GET /staff/breaches/:ref/ap-draft.pdf", method: "GET", path: p + "/ap-draft.pdf", owner: 200, in: 200, out: 404, anon: 303},
		{route: "GET /staff/breaches/:ref/followup", method: "GET", path: p + "/followup?kind=supplement", owner: 200, in: 200, out: 404, anon: 303},
		{route: "GET /staff/breaches/:ref/letter", method: "GET", path: p + "/letter", owner: 200, in: 200, out: 404, anon: 303},
		{route: "GET /staff/breaches/:ref/letter.pdf", method: "GET", path: p + "/letter.pdf?what=letter&language=nl", owner: 200, in: 200, out: 404, anon: 303},
		{route: "GET /staff/breaches/:ref/files/:id", method: "GET", path: p + "/files/{file}", owner: 200, in: 200, out: 404, anon: 303},
		// The other breach's attachment is not this breach's, whoever asks.
		{route: "GET /staff/breaches/:ref/files/:id", method: "GET", path: p + "/files/{otherfile}", owner: 404, in: 404, out: 404, anon: 303},
		{route: "GET /api/v1/breaches/:reference", method: "GET", path: "/api/v1/breaches/{ref}", owner: 200, in: 200, out: 404, anon: 401},
		{route: "GET /api/v1/breaches/:reference/ap-draft", method: "GET", path: "/api/v1/breaches/{ref}/ap-draft", owner: 200, in: 200, out: 404, anon: 401},

		// Bodies the step would refuse: outside the scope that is not said.
		{route: "POST /staff/breaches/:ref/assessment", method: "POST", path: p + "/assessment", form: []string{"ei", "9"},
			owner: 422, in: 422, out: 404, anon: 403},
		{route: "PUT /api/v1/breaches/:reference/assessment", method: "PUT", path: "/api/v1/breaches/{ref}/assessment", json: `{"dpc":0}`,
			owner: 422, in: 422, out: 404, anon: 401},
		{route: "POST /staff/breaches/:ref/recipients", method: "POST", path: p + "/recipients", field: "csv", content: badCSV, owner: 422, in: 404, out: 404, anon: 403},
		// Empty forms to the owners' steps: an officer meets the owners'
		// door before the form is read.
		{route: "POST /staff/breaches/:ref/recipients", method: "POST", path: p + "/recipients", field: "bijlage", content: csv,
			owner: 422, in: 404, out: 404, anon: 403},
		{route: "POST /staff/breaches/:ref/decision", method: "POST", path: p + "/decision", owner: 422, in: 404, out: 404, anon: 403},
		{route: "POST /staff/breaches/:ref/informed", method: "POST", path: p + "/informed", owner: 422, in: 404, out: 404, anon: 403},
		{route: "POST /staff/breaches/:ref/ap-draft", method: "POST", path: p + "/ap-draft", owner: 422, in: 404, out: 404, anon: 403},
		{route: "POST /staff/breaches/:ref/followup", method: "POST", path: p + "/followup", owner: 422, in: 404, out: 404, anon: 403},
		{route: "POST /staff/breaches/:ref/ap-draft", method: "POST", path: p + "/ap-draft", form: []string{"kind", "initial",
			"submitted_at", "2026-11-25", "submitted_at_time", "10:00", "ap_reference", "M-2"}, owner: 409, in: 404, out: 404, anon: 403},

		// The register's work, the branch's officers' too.
		{route: "POST /staff/breaches/new", method: "POST", path: "/staff/breaches/new", form: []string{"title", "Map kwijt", "branch", "{branch}",
			"aware_at", "2026-11-25", "aware_at_time", "09:00", "description", "Een map met namen is kwijt."}, owner: 303, in: 303, out: 422, anon: 403},
		{route: "POST /api/v1/breaches", method: "POST", path: "/api/v1/breaches", json: `{"title":"Map kwijt","aware_at":"2026-11-25T10:00:00+01:00",` +
			`"description":"Een map met namen is kwijt.","branch":"{branch}"}`, owner: 201, in: 201, out: 422, anon: 401},
		{route: "POST /staff/breaches/:ref/edit/:step", method: "POST", path: p + "/edit/measures", form: []string{"consequences", "Gevolgen"},
			owner: 303, in: 303, out: 404, anon: 403},
		{route: "POST /staff/breaches/:ref/assessment", method: "POST", path: p + "/assessment", form: []string{"base", "sensitive", "ei", "1",
			"confidentiality", "unknown_recipients", "integrity", "none", "availability", "none"}, owner: 303, in: 303, out: 404, anon: 403},
		{route: "PUT /api/v1/breaches/:reference/assessment", method: "PUT", path: "/api/v1/breaches/{ref}/assessment", json: assessment,
			owner: 200, in: 200, out: 404, anon: 401},
		{route: "POST /staff/breaches/:ref/files", method: "POST", path: p + "/files", field: "file", content: pdf, owner: 303, in: 303, out: 404, anon: 403},

		// The owners' steps.
		{route: "POST /staff/breaches/:ref/decision", method: "POST", path: p + "/decision", form: []string{"notify_ap", "yes", "inform_people", "yes"},
			owner: 303, in: 404, out: 404, anon: 403},
		{route: "POST /staff/breaches/:ref/letter", method: "POST", path: p + "/letter", form: []string{"letter_nl", "Beste lezer, er is een laptop gestolen."},
			owner: 303, in: 404, out: 404, anon: 403},
		{route: "POST /staff/breaches/:ref/recipients", method: "POST", path: p + "/recipients", field: "csv", content: csv, owner: 200, in: 404, out: 404, anon: 403},
		{route: "POST /staff/breaches/:ref/send", method: "POST", path: p + "/send", owner: 303, in: 404, out: 404, anon: 403},
		{route: "POST /staff/breaches/:ref/informed", method: "POST", path: p + "/informed", form: []string{"informed_at", "2026-11-25", "how", "per brief",
			"count.exact", "3"}, owner: 303, in: 404, out: 404, anon: 403},
		{route: "POST /staff/breaches/:ref/followup", method: "POST", path: p + "/followup", form: []string{"kind", "supplement",
			"submitted_at", "2026-11-25", "submitted_at_time", "10:31"}, owner: 303, in: 404, out: 404, anon: 403},
		{route: "POST /staff/breaches/settings", method: "POST", path: "/staff/breaches/settings", form: []string{"own_target_hours", "48"},
			owner: 303, in: 404, out: 404, anon: 403},
	}

	// Every breach route is probed here; a new one must be added.
	for _, r := range a.srv.Routes() {
		if !strings.Contains(r, "/breaches") || strings.HasPrefix(r, "echo_route_not_found") {
			continue
		}
		if !slices.ContainsFunc(probes, func(pr breachProbe) bool { return pr.route == r }) {
			t.Errorf("breach route %q is not probed: add it with each role's decision", r)
		}
	}

	for _, pr := range probes {
		for i, b := range breaches {
			other := breaches[1-i]
			expand := strings.NewReplacer("{ref}", b.ref, "{file}", b.file, "{otherfile}", other.file, "{branch}", b.branch).Replace
			path := expand(pr.path)
			outBranch := other.branch
			roles := []struct {
				role
				status int
			}{{anon, pr.anon}, {officers[outBranch], pr.out}, {officers[b.branch], pr.in}, {owner, pr.owner}}
			t.Run(pr.method+" "+pr.path+" of "+b.branch, func(t *testing.T) {
				for _, r := range roles {
					refused := r.status == 401 || r.status == 403 || r.status == 404 || r.browser == nil || r.browser == officers[outBranch].browser
					before := a.breachTables(t)
					res := a.probeBreach(t, pr, r.browser, anonBrowser, r.token, path, expand)
					if res.Status != r.status {
						t.Errorf("%s: %s %s = %d, want %d\n%.1500s", r.name, pr.method, path, res.Status, r.status, res.shown)
					}
					if !refused {
						continue
					}
					if after := a.breachTables(t); after != before {
						t.Errorf("%s: %s %s (%d) changed the register:\n%s", r.name, pr.method, path, res.Status, lineDiff(before, after))
					}
					for _, leak := range []string{b.secret, b.ref} {
						if strings.Contains(res.shown, leak) {
							t.Errorf("%s: %s %s (%d) shows %q", r.name, pr.method, path, res.Status, leak)
						}
					}
				}
			})
		}
	}
}

// probeResult is a probe's status and what it shows: a page's text, an
// API's or a download's body.
type probeResult struct {
	Status int
	shown  string
}

// probeBreach sends pr to path as the role with browser sb and API token
// token; a nil sb is a signed-out visitor, who sends no CSRF token.
func (a *breachApp) probeBreach(tb testing.TB, pr breachProbe, sb *breachBrowser, anon *browser, token, path string,
	expand func(string) string) probeResult {
	tb.Helper()
	if strings.HasPrefix(path, "/api/") {
		var body any
		if pr.json != "" {
			body = expand(pr.json)
		}
		res := a.api(tb, pr.method, path, token, body)
		return probeResult{res.Status, string(res.Body)}
	}
	var res *page
	switch {
	case sb == nil && pr.method == http.MethodGet:
		res = anon.get(path)
	case sb == nil:
		v := url.Values{}
		for i := 0; i+1 < len(pr.form); i += 2 {
			v.Add(pr.form[i], expand(pr.form[i+1]))
		}
		res = anon.post(path, v)
	case pr.method == http.MethodGet:
		res = sb.get(path)
	case pr.field != "":
		res = sb.upload(path, pr.field, "upload", []byte(expand(string(pr.content))))
	default:
		form := make([]string, len(pr.form))
		for i, s := range pr.form {
			form[i] = expand(s)
		}
		res = sb.postForm(path, form...)
	}
	shown := res.Body
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		shown = res.text()
	}
	return probeResult{res.Status, shown}
}

// lineDiff lists the lines only in before (-) and only in after (+).
func lineDiff(before, after string) string {
	b, f := strings.Split(before, "\n"), strings.Split(after, "\n")
	var out []string
	for _, l := range b {
		if !slices.Contains(f, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range f {
		if !slices.Contains(b, l) {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}
