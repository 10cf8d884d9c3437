package web_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/register"
	"github.com/avgloket/avgloket/internal/staff"
)

// registerEntries returns the audit entries with action, oldest first.
func registerEntries(tb testing.TB, a *breachApp, action audit.Action) []audit.Entry {
	tb.Helper()
	var out []audit.Entry
	for _, e := range a.auditTrail(tb) {
		if e.Action == action {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(x, y audit.Entry) int { return int(x.ID - y.ID) })
	return out
}

// TestRegisterPagesByRole: the practice set up, its register holds the
// template; an officer reads the list and an activity but finds no way to
// change them (no links, 404 on the forms and posts); an owner sees the
// links. A signed-out visitor is sent to sign in.
func TestRegisterPagesByRole(t *testing.T) {
	a := newBreachApp(t)
	a.breachMember(t, "u@delinde.example", "Uri Utrecht", staff.Officer, "utrecht")
	owner := a.breachSignIn(t, "els@delinde.example")
	officer := a.breachSignIn(t, "u@delinde.example")

	for _, b := range []*breachBrowser{owner, officer} {
		list := b.get("/staff/register")
		wantStatus(t, list, http.StatusOK)
		for _, act := range register.Template(practice.Netherlands) {
			if !slices.Contains(list.links(), "/staff/register/activities/"+act.Key) || !strings.Contains(list.text(), act.Name) {
				t.Errorf("the list lacks %s (%s)", act.Name, act.Key)
			}
		}
		if !strings.Contains(list.text(), "20 jaar") || !strings.Contains(list.text(), "Jeugdwet art. 7.3.8") {
			t.Errorf("the list does not show the client file's retention:\n%s", list.text())
		}
		page := b.get("/staff/register/activities/newsletter")
		wantStatus(t, page, http.StatusOK)
		for _, want := range []string{"Nieuwsbrief", "Toestemming (art. 6 lid 1 sub a AVG)", "Verzenddienst voor de nieuwsbrief",
			"buiten de EU/EER", "Data Privacy Framework", "privacy@verzenddienst.example"} {
			if !strings.Contains(page.text(), want) {
				t.Errorf("the newsletter's page lacks %q", want)
			}
		}
		isOwner := b == owner
		if got := slices.Contains(page.links(), "/staff/register/activities/newsletter/edit"); got != isOwner {
			t.Errorf("owner %v: edit link shown %v", isOwner, got)
		}
		if got := slices.Contains(list.links(), "/staff/register/new"); got != isOwner {
			t.Errorf("owner %v: new link shown %v", isOwner, got)
		}
	}
	for _, path := range []string{"/staff/register/new", "/staff/register/activities/newsletter/edit"} {
		wantStatus(t, officer.get(path), http.StatusNotFound)
	}
	before, _ := a.store.Activity(t.Context(), "newsletter")
	wantStatus(t, officer.postForm("/staff/register/activities/newsletter/edit", "name", "Gekaapt"), http.StatusNotFound)
	wantStatus(t, officer.postForm("/staff/register/new", "key", "gekaapt", "name", "Gekaapt"), http.StatusNotFound)
	if after, _ := a.store.Activity(t.Context(), "newsletter"); after.Name != before.Name {
		t.Errorf("the officer changed the newsletter: %q", after.Name)
	}
	if _, err := a.store.Activity(t.Context(), "gekaapt"); err == nil {
		t.Error("the officer added an activity")
	}
	wantStatus(t, owner.get("/staff/register/activities/bestaat-niet"), http.StatusNotFound)
	if p := a.browser(t).get("/staff/register"); p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/staff/signin" {
		t.Errorf("signed out: %d %s", p.Status, p.Header.Get("Location"))
	}
	if nav := owner.get("/staff/cases"); !slices.Contains(nav.links(), "/staff/register") {
		t.Error("the staff navigation has no link to the register")
	}
}

// TestRegisterOwnerEdits: the owner's edit form shows the activity; a
// recipient outside the EU/EEA without safeguards is refused with the
// message next to that row's field (422) and nothing changes; with them the
// change is saved and audited with the changed fields; a recipient can be
// removed; a new activity with a bad key (422) or a key in use (409) is
// refused next to the key, a good one is added and audited.
func TestRegisterOwnerEdits(t *testing.T) {
	a := newBreachApp(t)
	owner := a.breachSignIn(t, "els@delinde.example")
	const path = "/staff/register/activities/contact-form/edit"

	form := owner.get(path)
	wantStatus(t, form, http.StatusOK)
	orig, err := a.store.Activity(t.Context(), "contact-form")
	if err != nil {
		t.Fatal(err)
	}
	if form.fieldValue("purpose") != orig.Purpose || form.fieldValue("recipients.0.name") != orig.Recipients[0].Name ||
		form.fieldValue("data_categories") != strings.Join(orig.DataCategories, "\n") {
		t.Fatalf("the form does not show the activity: purpose %q", form.fieldValue("purpose"))
	}
	// One filled row, two empty ones to add to; no key field to change.
	if !form.hasField("recipients.2.name") || form.hasField("recipients.3.name") || form.hasField("key") {
		t.Error("want recipient rows 0–2 and no key field")
	}

	edit := []string{
		"name", orig.Name, "purpose", "Vragen van ouders beantwoorden.", "legal_basis", "legitimate_interests",
		"data_subjects", strings.Join(orig.DataSubjects, "\n"), "data_categories", "Naam\nE-mailadres\r\n\nDe vraag",
		"recipients.0.name", orig.Recipients[0].Name, "recipients.0.kind", "processor", "recipients.0.country", "NL",
		"recipients.0.email", orig.Recipients[0].Email, "recipients.0.agreement", "yes",
		"recipients.1.name", "", "recipients.1.kind", "processor", "recipients.1.country", "",
		"recipients.2.name", "Formulierendienst", "recipients.2.kind", "processor", "recipients.2.country", "us",
		"retention.months", "6", "retention.from", orig.Retention.From, "retention.ground", orig.Retention.Ground,
		"source", orig.Source, "security", orig.Security,
	}
	bad := owner.postForm(path, edit...)
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	if got := bad.textOf("f-recipients-2-safeguards-error"); !strings.Contains(got, a.nl("activities.safeguards_required")) {
		t.Errorf("no error next to row 3's safeguards: %q\n%s", got, bad.text())
	}
	if bad.fieldValue("recipients.2.name") != "Formulierendienst" || bad.fieldValue("purpose") != "Vragen van ouders beantwoorden." {
		t.Error("the refused form lost what was typed")
	}
	if now, _ := a.store.Activity(t.Context(), "contact-form"); len(register.Changed(orig, now)) > 0 {
		t.Fatalf("a refused edit changed %v", register.Changed(orig, now))
	}

	edit = append(edit, "recipients.2.safeguards", "Standaardcontractbepalingen")
	breachAt(t, owner.postForm(path, edit...))
	got, err := a.store.Activity(t.Context(), "contact-form")
	if err != nil {
		t.Fatal(err)
	}
	if got.Purpose != "Vragen van ouders beantwoorden." || got.Retention.Months != 6 || len(got.Recipients) != 2 ||
		got.Recipients[1].Country != "US" || !slices.Equal(got.DataCategories, []string{"Naam", "E-mailadres", "De vraag"}) {
		t.Fatalf("saved: %+v", got)
	}
	updates := registerEntries(t, a, audit.ActivityUpdate)
	if len(updates) != 1 || updates[0].Detail != "fields=purpose,data_categories,recipients,retention" ||
		updates[0].Actor != audit.Staff(owner.member.ID) || !strings.HasPrefix(updates[0].Object, "activity:") {
		t.Errorf("audit of the edit: %+v", updates)
	}
	// The owner's audit trail names the activity by its key and links to it.
	trail := owner.get("/staff/audit?what=activity_update")
	wantStatus(t, trail, http.StatusOK)
	if !strings.Contains(trail.Body, `href="/staff/register/activities/contact-form"`) ||
		!strings.Contains(trail.Body, "Verwerking in het register gewijzigd") {
		t.Errorf("audit trail does not name and link the changed activity:\n%s", trail.Body)
	}

	// The filled rows get a remove box; ticking it drops the recipient.
	form = owner.get(path)
	if !form.hasField("recipients.1.remove") || form.hasField("recipients.2.remove") {
		t.Error("want remove boxes on the two filled rows only")
	}
	edit = append(edit, "recipients.0.remove", "yes")
	breachAt(t, owner.postForm(path, edit...))
	if got, _ := a.store.Activity(t.Context(), "contact-form"); len(got.Recipients) != 1 || got.Recipients[0].Name != "Formulierendienst" {
		t.Errorf("after removing the first recipient: %+v", got.Recipients)
	}

	// A new activity.
	add := []string{"key", "Video Opnamen", "name", "Beeldbellen", "purpose", "Gesprekken op afstand.", "legal_basis", "contract",
		"data_subjects", "Cliënten", "data_categories", "Beeld en geluid", "retention.months", "0",
		"retention.from", "het gesprek", "retention.ground", "Wordt niet opgenomen", "special_categories", "yes"}
	p := owner.postForm("/staff/register/new", add...)
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if !strings.Contains(p.textOf("f-key-error"), a.nl("activities.key_format")) ||
		!strings.Contains(p.textOf("f-retention-months-error"), a.nl("activities.months")) {
		t.Errorf("errors next to key and months: %q %q", p.textOf("f-key-error"), p.textOf("f-retention-months-error"))
	}
	add[1], add[13] = "newsletter", "1"
	p = owner.postForm("/staff/register/new", add...)
	wantStatus(t, p, http.StatusConflict)
	if !strings.Contains(p.textOf("f-key-error"), a.nl("activities.key_taken")) {
		t.Errorf("no conflict next to the key: %q", p.textOf("f-key-error"))
	}
	add[1] = "beeldbellen"
	if loc := breachAt(t, owner.postForm("/staff/register/new", add...)); loc != "/staff/register/activities/beeldbellen" {
		t.Errorf("sent to %s", loc)
	}
	nieuw, err := a.store.Activity(t.Context(), "beeldbellen")
	if err != nil || nieuw.LegalBasis != register.Contract || !nieuw.SpecialCategories || len(nieuw.Recipients) != 0 {
		t.Errorf("added: %+v, %v", nieuw, err)
	}
	creates := registerEntries(t, a, audit.ActivityCreate)
	if last := creates[len(creates)-1]; last.Detail != "key=beeldbellen" || last.Actor != audit.Staff(owner.member.ID) {
		t.Errorf("audit of the new activity: %+v", last)
	}
	if len(creates) != len(register.Template(practice.Netherlands))+1 {
		t.Errorf("%d activity_create entries, want the template's and one", len(creates))
	}
}

// TestRegisterPrintPDFAndCSV: the printable view, the PDF and the CSV hold
// the controller's details from the settings and every activity; the CSV
// neutralises a cell that a spreadsheet would run as a formula. Officers
// download them too.
func TestRegisterPrintPDFAndCSV(t *testing.T) {
	a := newBreachApp(t)
	a.breachMember(t, "u@delinde.example", "Uri Utrecht", staff.Officer, "utrecht")
	officer := a.breachSignIn(t, "u@delinde.example")
	evil, err := a.store.Activity(t.Context(), "invoicing")
	if err != nil {
		t.Fatal(err)
	}
	evil.Security = "=HYPERLINK(\"http://evil.example\";\"klik\")"
	if _, err := a.store.UpdateActivity(t.Context(), "invoicing", evil, audit.Entry{At: a.clock.Now(), Actor: audit.System}); err != nil {
		t.Fatal(err)
	}

	printed := officer.get("/staff/register/print")
	wantStatus(t, printed, http.StatusOK)
	controller := []string{"Jeugdpraktijk De Linde", "Lindelaan 12, 3512 AB Utrecht", "12345678", "privacy@delinde.example",
		"Autoriteit Persoonsgegevens"}
	for _, want := range append(controller, "Cliëntdossier", "Verwijsindex risicojongeren", "Jeugdwet art. 7.3.8",
		"Verwerker", "Data Privacy Framework") {
		if !strings.Contains(printed.text(), want) {
			t.Errorf("the printable register lacks %q", want)
		}
	}

	pdf := officer.get("/staff/register/register.pdf")
	wantStatus(t, pdf, http.StatusOK)
	if ct := pdf.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Errorf("Content-Type %q", ct)
	}
	if text, ok := pdfText(t, pdf); ok {
		for _, want := range append(controller, "Register van verwerkingsactiviteiten", "1. Cliëntdossier", "Verwijsindex risicojongeren",
			"Jeugdwet art. 7.3.8", "Algemene wet inzake rijksbelastingen art. 52", "buiten de EU/EER") {
			if !strings.Contains(text, want) {
				t.Errorf("the PDF lacks %q:\n%s", want, text)
			}
		}
	}

	file := officer.get("/staff/register/register.csv")
	wantStatus(t, file, http.StatusOK)
	if !strings.HasPrefix(file.Body, "\xEF\xBB\xBF") || !strings.Contains(file.Header.Get("Content-Disposition"), ".csv") {
		t.Error("want a UTF-8 byte order mark and an attachment")
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(file.Body, "\xEF\xBB\xBF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	template := register.Template(practice.Netherlands)
	if len(rows) != len(template)+1 || rows[0][0] != "key" || rows[0][3] != "legal_basis" {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	col := func(name string) int { return slices.Index(rows[0], name) }
	for i, act := range template {
		if rows[i+1][0] != act.Key || rows[i+1][col("retention_months")] != strconv.Itoa(act.Retention.Months) {
			t.Errorf("row %d: %v", i+1, rows[i+1][:3])
		}
	}
	if got := rows[2][col("security")]; !strings.HasPrefix(got, "'=HYPERLINK") {
		t.Errorf("the formula is not neutralised: %q", got)
	}
	if got := rows[3][col("recipients")]; !strings.Contains(got, "outside_eea: Adequaatheidsbesluit") {
		t.Errorf("the newsletter's recipients: %q", got)
	}
}

// TestRegisterAPI: any staff token reads the register; an officer's token
// cannot write (403); an owner's adds (201), is refused a key in use (409)
// and an invalid activity with its fields (422), and replaces an activity
// (200), not its key (422); every change is audited as the API caller's.
func TestRegisterAPI(t *testing.T) {
	a := newBreachApp(t)
	a.breachMember(t, "u@delinde.example", "Uri Utrecht", staff.Officer, "utrecht")
	ownerToken := a.breachToken(t, "els@delinde.example")
	officerToken := a.breachToken(t, "u@delinde.example")
	owner, err := a.store.MemberByEmail(t.Context(), "els@delinde.example")
	if err != nil {
		t.Fatal(err)
	}

	res := a.api(t, http.MethodGet, "/api/v1/activities", officerToken, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("GET: %d %s", res.Status, res.Body)
	}
	var list struct {
		Activities []map[string]any `json:"activities"`
	}
	if err := json.Unmarshal(res.Body, &list); err != nil || len(list.Activities) != len(register.Template(practice.Netherlands)) {
		t.Fatalf("GET: %v, %s", err, res.Body)
	}
	first := list.Activities[0]
	for _, k := range []string{"key", "name", "purpose", "legal_basis", "special_categories", "direct_marketing", "automated_decisions",
		"data_subjects", "data_categories", "recipients", "retention", "source", "security"} {
		if _, ok := first[k]; !ok {
			t.Errorf("an activity lacks %q: %v", k, first)
		}
	}
	if r := first["recipients"].([]any)[0].(map[string]any); r["kind"] != "processor" || r["country"] != "NL" || r["agreement"] != true {
		t.Errorf("recipient: %v", r)
	}
	if ret := first["retention"].(map[string]any); ret["months"] != float64(240) || ret["ground"] == "" {
		t.Errorf("retention: %v", ret)
	}

	act := map[string]any{"key": "huiswerkbegeleiding", "name": "Huiswerkbegeleiding", "purpose": "Begeleiding na schooltijd.",
		"legal_basis": "contract", "special_categories": false, "direct_marketing": false, "automated_decisions": false,
		"data_subjects": []string{"Leerlingen"}, "data_categories": []string{"Naam", "Rooster"},
		"recipients": []map[string]any{{"name": "School", "kind": "controller", "country": "NL", "email": "mentor@school.example", "agreement": true}},
		"retention":  map[string]any{"months": 24, "from": "het einde van de begeleiding", "ground": "Eigen termijn"},
		"source":     "De ouders", "security": "Alleen de begeleider"}
	if res := a.api(t, http.MethodPost, "/api/v1/activities", officerToken, act); res.Status != http.StatusForbidden || res.errorCode() != "forbidden" {
		t.Errorf("officer POST: %d %s", res.Status, res.Body)
	}
	res = a.api(t, http.MethodPost, "/api/v1/activities", ownerToken, act)
	if res.Status != http.StatusCreated || res.object()["key"] != "huiswerkbegeleiding" {
		t.Fatalf("owner POST: %d %s", res.Status, res.Body)
	}
	if res := a.api(t, http.MethodPost, "/api/v1/activities", ownerToken, act); res.Status != http.StatusConflict || res.errorCode() != "conflict" {
		t.Errorf("second POST: %d %s", res.Status, res.Body)
	}
	bad := map[string]any{"key": "Slecht", "name": "x", "purpose": "x", "legal_basis": "gevoel", "data_subjects": []string{},
		"data_categories": []string{"Naam"}, "recipients": []map[string]any{{"name": "Ergens", "kind": "processor", "country": "ZZ"}},
		"retention": map[string]any{"months": 0, "from": "", "ground": ""}}
	res = a.api(t, http.MethodPost, "/api/v1/activities", ownerToken, bad)
	fields := res.errorFields()
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid POST: %d %s", res.Status, res.Body)
	}
	for _, f := range []string{"key", "legal_basis", "data_subjects", "recipients.0.country", "retention.months", "retention.from", "retention.ground"} {
		if fields[f] == "" {
			t.Errorf("422 lacks fields.%s: %v", f, fields)
		}
	}
	if res := a.api(t, http.MethodPost, "/api/v1/activities", ownerToken, `{"key":"x","owner":"me"}`); res.Status != http.StatusBadRequest {
		t.Errorf("unknown field: %d", res.Status)
	}

	delete(act, "key")
	act["purpose"] = "Begeleiding na schooltijd, ook in de vakanties."
	res = a.api(t, http.MethodPut, "/api/v1/activities/huiswerkbegeleiding", ownerToken, act)
	if res.Status != http.StatusOK || res.object()["purpose"] != act["purpose"] || res.object()["key"] != "huiswerkbegeleiding" {
		t.Fatalf("PUT: %d %s", res.Status, res.Body)
	}
	if res := a.api(t, http.MethodPut, "/api/v1/activities/huiswerkbegeleiding", officerToken, act); res.Status != http.StatusForbidden {
		t.Errorf("officer PUT: %d", res.Status)
	}
	act["key"] = "andere-sleutel"
	if res := a.api(t, http.MethodPut, "/api/v1/activities/huiswerkbegeleiding", ownerToken, act); res.Status != http.StatusUnprocessableEntity ||
		res.errorFields()["key"] == "" {
		t.Errorf("PUT with another key: %d %s", res.Status, res.Body)
	}
	delete(act, "key")
	if res := a.api(t, http.MethodPut, "/api/v1/activities/bestaat-niet", ownerToken, act); res.Status != http.StatusNotFound {
		t.Errorf("PUT of an unknown activity: %d", res.Status)
	}
	if got, _ := a.store.Activity(t.Context(), "huiswerkbegeleiding"); got.Purpose != act["purpose"] {
		t.Errorf("stored purpose %q", got.Purpose)
	}

	creates := registerEntries(t, a, audit.ActivityCreate)
	updates := registerEntries(t, a, audit.ActivityUpdate)
	if last := creates[len(creates)-1]; last.Actor != audit.API(owner.ID) || last.Detail != "key=huiswerkbegeleiding" {
		t.Errorf("audit of the POST: %+v", last)
	}
	if len(updates) != 1 || updates[0].Actor != audit.API(owner.ID) || updates[0].Detail != "fields=purpose" {
		t.Errorf("audit of the PUT: %+v", updates)
	}
	for _, e := range append(creates, updates...) {
		if !strings.HasPrefix(e.Object, "activity:") {
			t.Errorf("audit entry %d names object %q, want an activity", e.ID, e.Object)
		}
	}
}
