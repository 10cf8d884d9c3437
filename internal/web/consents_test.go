package web_test

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/staff"
)

// consentBody is a consent as the API takes it: a parent's consent for
// their child of nine unless changed.
func consentBody(activity, child, address, by, representative string) object {
	return object{"activity": activity, "subject": object{"name": child, "birth_date": "2017-03-09"}, "email": address,
		"given_at": "2026-01-10", "given_by": by, "representative": representative}
}

// addConsentAPI records a consent through the API and returns its id.
func (a *breachApp) addConsentAPI(tb testing.TB, token string, body object) int64 {
	tb.Helper()
	res := a.api(tb, http.MethodPost, "/api/v1/consents", token, body)
	if res.Status != http.StatusCreated {
		tb.Fatalf("POST /api/v1/consents: %d %s", res.Status, res.Body)
	}
	return int64(res.object()["id"].(float64))
}

// consentsOf returns the API's consents of address by id.
func (a *breachApp) consentsOf(tb testing.TB, token, address string) map[int64]map[string]any {
	tb.Helper()
	res := a.api(tb, http.MethodGet, "/api/v1/consents?email="+address, token, nil)
	if res.Status != http.StatusOK {
		tb.Fatalf("GET consents: %d %s", res.Status, res.Body)
	}
	out := map[int64]map[string]any{}
	for _, x := range res.object()["consents"].([]any) {
		k := x.(map[string]any)
		out[int64(k["id"].(float64))] = k
	}
	return out
}

func ids(vs ...int64) []string {
	var out []string
	for _, v := range vs {
		out = append(out, strconv.FormatInt(v, 10))
	}
	return out
}

// TestConsentPages: an officer records a consent on the form (only the
// register's activities on consent to choose from), finds it by e-mail
// address and by name with its state; a child under 16 consenting alone,
// a missing representative and a date in the future come back as 422 with
// the message next to the field; the recording is audited.
func TestConsentPages(t *testing.T) {
	a := newBreachApp(t)
	a.breachMember(t, "u@delinde.example", "Uri Utrecht", staff.Officer, "utrecht")
	officer := a.breachSignIn(t, "u@delinde.example")

	form := officer.get("/staff/consents/new")
	wantStatus(t, form, http.StatusOK)
	var options []string
	for _, o := range form.find(func(n *htmlNode) bool { return n.Data == "option" && attr(n, "value") != "" }) {
		options = append(options, attr(o, "value"))
	}
	if !slices.Equal(options, []string{"newsletter", "research-recordings"}) {
		t.Errorf("activities offered %v, want the two on consent (newsletter, research)", options)
	}

	bad := officer.postForm("/staff/consents/new", "activity", "newsletter", "subject.name", "Mees Oosterbroek",
		"subject.birth_date", "2017-03-09", "email", "joris@example.org", "given_at", "2027-01-01", "given_by", "self")
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	if got := bad.textOf("f-given_at-error"); !strings.Contains(got, a.nl("field.date_future")) {
		t.Errorf("given_at error %q", got)
	}
	if got := bad.summary()["#f-given_by"]; got != a.nl("consents.under_16") {
		t.Errorf("given_by in the summary: %q, want %q", got, a.nl("consents.under_16"))
	}
	if bad.fieldValue("subject.name") != "Mees Oosterbroek" {
		t.Error("the form lost what was typed")
	}
	noName := officer.postForm("/staff/consents/new", "activity", "newsletter", "subject.name", "Mees Oosterbroek",
		"subject.birth_date", "2017-03-09", "email", "joris@example.org", "given_at", "2026-01-10", "given_by", "parent")
	wantStatus(t, noName, http.StatusUnprocessableEntity)
	if got := noName.textOf("f-representative-error"); !strings.Contains(got, a.nl("field.required")) {
		t.Errorf("representative error %q", got)
	}

	done := officer.postForm("/staff/consents/new", "activity", "newsletter", "subject.name", "Mees Oosterbroek",
		"subject.birth_date", "2017-03-09", "email", "Joris@Example.org", "given_at", "2026-01-10", "given_by", "parent",
		"representative", "Joris Oosterbroek")
	wantStatus(t, done, http.StatusSeeOther)
	list := officer.get(done.location())
	wantStatus(t, list, http.StatusOK)
	assertShows(t, list, a.nl("flash.consent_saved"), "Nieuwsbrief", "Mees Oosterbroek", "joris@example.org",
		"10 januari 2026", a.nl("consents.given_by.parent")+" (Joris Oosterbroek)", a.nl("consents.status.active"))
	byName := officer.get("/staff/consents?q=mees+oosterbroek")
	assertShows(t, byName, "joris@example.org", "Nieuwsbrief")
	none := officer.get("/staff/consents?q=lotte%40example.org")
	if strings.Contains(none.text(), "Mees") || !strings.Contains(none.text(), "lotte@example.org") {
		t.Errorf("another address shows:\n%s", none.text())
	}
	// Every search is audited, newest first: how and how many, never the
	// address or name searched for.
	if got := a.auditedDetails(t, audit.ConsentSearch); !slices.Equal(got, []string{"by=email found=0", "by=name found=1", "by=email found=1"}) {
		t.Errorf("searches audited as %v", got)
	}
	created := registerEntries(t, a, audit.ConsentCreate)
	if len(created) != 1 || created[0].Actor != audit.Staff(officer.member.ID) || created[0].Detail != "activity=newsletter" {
		t.Errorf("audit: %+v", created)
	}
	if !slices.Contains(officer.get("/staff/cases").links(), "/staff/consents") {
		t.Error("the staff navigation has no link to the consents")
	}
}

// TestConsentAPI: 201 with the consent (withdrawn_at null), 422 with
// fields for an activity that does not rest on consent and for a bad date,
// the address's consents (and only those) on GET.
func TestConsentAPI(t *testing.T) {
	a := newBreachApp(t)
	token := a.breachToken(t, "els@delinde.example")
	res := a.api(t, http.MethodPost, "/api/v1/consents", token, consentBody("newsletter", "Mees Oosterbroek", "joris@example.org", "parent", "Joris Oosterbroek"))
	if res.Status != http.StatusCreated {
		t.Fatalf("POST: %d %s", res.Status, res.Body)
	}
	got := res.object()
	if got["withdrawn_at"] != nil || got["activity"] != "newsletter" || got["given_by"] != "parent" || got["id"] == nil {
		t.Errorf("answer %s", res.Body)
	}
	res = a.api(t, http.MethodPost, "/api/v1/consents", token, consentBody("client-file", "Mees Oosterbroek", "joris@example.org", "parent", "Joris Oosterbroek"))
	if res.Status != http.StatusUnprocessableEntity || res.errorFields()["activity"] == "" {
		t.Errorf("an activity on another basis: %d %s", res.Status, res.Body)
	}
	body := consentBody("newsletter", "Mees Oosterbroek", "joris@example.org", "parent", "Joris Oosterbroek")
	body["given_at"] = "10-01-2026"
	if res := a.api(t, http.MethodPost, "/api/v1/consents", token, body); res.Status != http.StatusUnprocessableEntity || res.errorFields()["given_at"] == "" {
		t.Errorf("a bad date: %d %s", res.Status, res.Body)
	}
	a.addConsentAPI(t, token, consentBody("research-recordings", "Lotte Brandsma", "lotte@example.org", "parent", "Sanne Brandsma"))
	mine := a.consentsOf(t, token, "JORIS@example.org")
	if len(mine) != 1 {
		t.Fatalf("joris has %d consents, want 1: %v", len(mine), mine)
	}
	for _, k := range mine {
		if k["email"] != "joris@example.org" || k["withdrawn_at"] != nil || k["subject"].(map[string]any)["birth_date"] != "2017-03-09" {
			t.Errorf("consent %v", k)
		}
	}
	if res := a.api(t, http.MethodGet, "/api/v1/consents", token, nil); res.Status != http.StatusUnprocessableEntity {
		t.Errorf("no address: %d", res.Status)
	}
}

// TestConsentWithdrawalDecided: a parent withdraws consents for their
// child. The case page lists the person's consents — by the parent's
// address and by the child's name and birth date, never someone else's —
// as check boxes; the officer chooses two; the API refuses someone else's
// consent (422) and another request type (409). Deciding the case granted,
// days later, marks exactly the chosen consents withdrawn as of the
// receipt, through this case; a refused withdrawal marks none.
func TestConsentWithdrawalDecided(t *testing.T) {
	a := newBreachApp(t)
	token := a.breachToken(t, "els@delinde.example")
	owner := a.breachSignIn(t, "els@delinde.example")
	news := a.addConsentAPI(t, token, consentBody("newsletter", "Mees Oosterbroek", "joris@example.org", "parent", "Joris Oosterbroek"))
	research := a.addConsentAPI(t, token, consentBody("research-recordings", "Mees Oosterbroek", "joris@example.org", "parent", "Joris Oosterbroek"))
	byName := a.addConsentAPI(t, token, consentBody("research-recordings", "mees oosterbroek", "sanne@example.org", "parent", "Sanne Oosterbroek"))
	other := a.addConsentAPI(t, token, consentBody("newsletter", "Lotte Brandsma", "lotte@example.org", "parent", "Pim Brandsma"))

	request := with(newRequest("Joris Oosterbroek", "joris@example.org"), "type", "consent_withdrawal", "branch", "utrecht",
		"requester", object{"name": "Joris Oosterbroek", "email": "joris@example.org", "relation": "parent"},
		"subject", object{"name": "Mees Oosterbroek", "birth_date": "2017-03-09"})
	res := a.api(t, http.MethodPost, "/api/v1/requests", "", request)
	if res.Status != http.StatusCreated {
		t.Fatalf("request: %d %s", res.Status, res.Body)
	}
	ref := res.object()["reference"].(string)
	received := a.caseOf(t, ref).ReceivedOn

	page := owner.get("/staff/cases/" + ref)
	var boxes []string
	for _, n := range page.find(func(n *htmlNode) bool { return n.Data == "input" && attr(n, "name") == "consents.ids" }) {
		boxes = append(boxes, attr(n, "value"))
	}
	if want := ids(news, research, byName); !slices.Equal(boxes, want) {
		t.Errorf("check boxes %v, want the person's consents %v", boxes, want)
	}
	assertShows(t, page, a.nl("consents.case.title"), "Nieuwsbrief", "Onderzoek en video-opnamen")
	chose := owner.postForm("/staff/cases/"+ref+"/consents", "consents.ids", ids(news)[0], "consents.ids", ids(research)[0])
	wantStatus(t, chose, http.StatusSeeOther)
	if got := owner.get("/staff/cases/" + ref).checked("consents.ids"); !slices.Equal(got, ids(news, research)) {
		t.Errorf("ticked after saving: %v", got)
	}
	wrong := owner.postForm("/staff/cases/"+ref+"/consents", "consents.ids", ids(other)[0])
	wantStatus(t, wrong, http.StatusUnprocessableEntity)
	if !strings.Contains(wrong.text(), a.nl("consents.not_the_persons")) {
		t.Error("the page does not say the consent is not the person's")
	}

	put := func(ref string, chosen ...int64) apiResponse {
		return a.api(t, http.MethodPut, "/api/v1/cases/"+ref+"/consents", token, object{"consents": chosen})
	}
	if res := put(ref, news, other); res.Status != http.StatusUnprocessableEntity || res.errorFields()["consents"] == "" {
		t.Errorf("someone else's consent: %d %s", res.Status, res.Body)
	}
	access := a.fileRequest(t, "Joris Oosterbroek", "joris@example.org", "utrecht")
	if res := put(access, news); res.Status != http.StatusConflict {
		t.Errorf("an access request: %d %s", res.Status, res.Body)
	}
	res = put(ref, byName, news)
	if res.Status != http.StatusOK {
		t.Fatalf("PUT consents: %d %s", res.Status, res.Body)
	}
	var chosen []string
	for _, x := range res.object()["consents"].([]any) {
		chosen = append(chosen, strconv.FormatInt(int64(x.(float64)), 10))
	}
	if want := ids(news, byName); !slices.Equal(chosen, want) {
		t.Errorf("the case's consents %v, want %v", chosen, want)
	}

	// The identity and the parent's authority on record, the case is
	// decided three days after it arrived.
	if res := a.api(t, http.MethodPost, "/api/v1/cases/"+ref+"/identity", token, object{"outcome": "verified", "method": "email_on_file"}); res.Status != http.StatusOK {
		t.Fatalf("identity: %d %s", res.Status, res.Body)
	}
	for _, key := range []string{"parental_authority", "inform_other_parent"} {
		wantStatus(t, owner.postForm("/staff/cases/"+ref+"/requirement", "requirement.key", key, "requirement.state", "satisfied"), http.StatusSeeOther)
	}
	a.clock.Advance(72 * time.Hour)
	res = a.api(t, http.MethodPost, "/api/v1/cases/"+ref+"/decision", token, object{"outcome": "granted", "reasons": "Uw toestemmingen zijn ingetrokken."})
	if res.Status != http.StatusOK {
		t.Fatalf("decision: %d %s", res.Status, res.Body)
	}
	all := a.consentsOf(t, token, "joris@example.org")
	for id, k := range a.consentsOf(t, token, "sanne@example.org") {
		all[id] = k
	}
	for id, k := range a.consentsOf(t, token, "lotte@example.org") {
		all[id] = k
	}
	for id, k := range all {
		wantWithdrawn := id == news || id == byName
		switch {
		case wantWithdrawn && (k["withdrawn_at"] != received.String() || k["withdrawn_case"] != ref):
			t.Errorf("consent %d: withdrawn_at %v by %v, want %s (the receipt) by %s", id, k["withdrawn_at"], k["withdrawn_case"], received, ref)
		case !wantWithdrawn && k["withdrawn_at"] != nil:
			t.Errorf("consent %d, not chosen, was withdrawn: %v", id, k)
		}
	}
	if len(all) != 4 {
		t.Errorf("%d consents, want 4", len(all))
	}
	if n := len(registerEntries(t, a, audit.ConsentWithdraw)); n != 2 {
		t.Errorf("%d withdrawals audited, want 2", n)
	}
	owner = a.breachSignIn(t, "els@delinde.example")
	after := owner.get("/staff/cases/" + ref)
	assertShows(t, after, a.cat.T("nl", "consents.status.withdrawn", map[string]any{"Date": lang.Date(lang.NL, received)}))
	if after.hasField("consents.ids") {
		t.Error("a decided case still offers the choice")
	}
	search := owner.get("/staff/consents?q=joris%40example.org")
	if !slices.Contains(search.links(), "/staff/cases/"+ref) {
		t.Error("the registry does not link the withdrawn consent to its case")
	}

	// A refused withdrawal withdraws nothing.
	res = a.api(t, http.MethodPost, "/api/v1/requests", "", with(newRequest("Pim Brandsma", "lotte@example.org"), "type", "consent_withdrawal", "branch", "utrecht"))
	if res.Status != http.StatusCreated {
		t.Fatalf("request: %d %s", res.Status, res.Body)
	}
	refused := res.object()["reference"].(string)
	if res := put(refused, other); res.Status != http.StatusOK {
		t.Fatalf("PUT consents: %d %s", res.Status, res.Body)
	}
	res = a.api(t, http.MethodPost, "/api/v1/cases/"+refused+"/decision", token,
		object{"outcome": "refused", "ground": "identity_not_established", "reasons": "Wij konden uw identiteit niet vaststellen."})
	if res.Status != http.StatusOK {
		t.Fatalf("refusal: %d %s", res.Status, res.Body)
	}
	if k := a.consentsOf(t, token, "lotte@example.org")[other]; k["withdrawn_at"] != nil {
		t.Errorf("a refused withdrawal withdrew %v", k)
	}
}

// TestIdentityAPI: the identity check is recorded once (200 with the
// case, then 409); a failed check needs a reason (422, fields.reason).
func TestIdentityAPI(t *testing.T) {
	a := newBreachApp(t)
	token := a.breachToken(t, "els@delinde.example")
	ref := a.fileRequest(t, "Fenna Oosterbroek", "fenna@example.org", "utrecht")
	path := "/api/v1/cases/" + ref + "/identity"
	res := a.api(t, http.MethodPost, path, token, object{"outcome": "failed", "method": "email_on_file"})
	if res.Status != http.StatusUnprocessableEntity || res.errorFields()["reason"] == "" {
		t.Errorf("failed without a reason: %d %s", res.Status, res.Body)
	}
	res = a.api(t, http.MethodPost, path, token, object{"outcome": "verified", "method": "counsellor_confirmed", "by": "Bram de Behandelaar", "note": "Bekende cliënt."})
	if res.Status != http.StatusOK {
		t.Fatalf("verified: %d %s", res.Status, res.Body)
	}
	id := res.object()["identity"].(map[string]any)
	if id["status"] != "verified" || id["method"] != "counsellor_confirmed" || id["verified_at"] == nil {
		t.Errorf("identity %v", id)
	}
	if res := a.api(t, http.MethodPost, path, token, object{"outcome": "verified", "method": "email_on_file"}); res.Status != http.StatusConflict {
		t.Errorf("a second check: %d %s", res.Status, res.Body)
	}
}
