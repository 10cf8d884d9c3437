package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/register"
	"github.com/avgloket/avgloket/internal/staff"
	"github.com/avgloket/avgloket/internal/textpdf"
)

// registerStore keeps the register of processing activities (AVG art.
// 30(1)); internal/store implements it. Changes are audited as who in the
// change's own transaction.
type registerStore interface {
	Activities(ctx context.Context) ([]register.Activity, error)
	// Activity returns NotFound when there is no activity with key.
	Activity(ctx context.Context, key string) (register.Activity, error)
	// AddActivity returns Invalid with the fields at fault, or Conflict
	// when the key is in use.
	AddActivity(ctx context.Context, a register.Activity, who audit.Entry) (register.Activity, error)
	// UpdateActivity returns Invalid (also for a changed key) or NotFound.
	UpdateActivity(ctx context.Context, key string, a register.Activity, who audit.Entry) (register.Activity, error)
}

// auditWho is the signed-in member or API caller as a change's audit entry
// names them: when, who, from where.
func (s *Server) auditWho(c echo.Context) audit.Entry {
	m := memberOf(c)
	actor := audit.Staff(m.ID)
	if api, _ := c.Get(keyAPI).(bool); api {
		actor = audit.API(m.ID)
	}
	return audit.Entry{At: s.Clock.Now(), Actor: actor, Address: c.RealIP()}
}

// registerFact is one line of an activity or of the controller as the register
// shows, prints and exports it: a label and one or more lines of text.
type registerFact struct {
	Label string
	Lines []string
}

// retentionText writes a period of months in words: "20 jaar", "18
// maanden".
func (s *Server) retentionText(l lang.Code, months int) string {
	if months%12 == 0 {
		return s.Catalog.N(l, "activities.years", months/12, nil)
	}
	return s.Catalog.N(l, "activities.months_n", months, nil)
}

// recipientLine is a recipient in one line: name, kind, country, inside or
// outside the EU/EEA (with the safeguards), agreement and e-mail address.
func (s *Server) recipientLine(t tr, r register.Recipient) string {
	parts := []string{t.T("activities.kind." + string(r.Kind)), r.Country}
	if r.InsideEEA() {
		parts = append(parts, t.T("activities.inside_eea"))
	} else {
		parts = append(parts, t.T("activities.outside_eea")+" ("+r.Safeguards+")")
	}
	if r.Agreement {
		parts = append(parts, t.T("activities.agreement_yes"))
	} else {
		parts = append(parts, t.T("activities.agreement_no"))
	}
	if r.Email != "" {
		parts = append(parts, r.Email)
	}
	return r.Name + " — " + strings.Join(parts, ", ")
}

// registerYesNo is "ja" or "nee" in the page's language.
func registerYesNo(t tr, b bool) string {
	if b {
		return t.T("activities.yes")
	}
	return t.T("activities.no")
}

// activityFacts are an activity's facts in the order of art. 30(1); the
// recipients only withRecipients (the activity's page has a table of them).
func (s *Server) activityFacts(t tr, a register.Activity, withRecipients bool) []registerFact {
	var recipients []string
	for _, r := range a.Recipients {
		recipients = append(recipients, s.recipientLine(t, r))
	}
	if len(recipients) == 0 {
		recipients = []string{t.T("activities.no_recipients")}
	}
	source := a.Source
	if source == "" {
		source = t.T("activities.not_given")
	}
	security := a.Security
	if security == "" {
		security = t.T("activities.not_given")
	}
	facts := []registerFact{
		{t.T("activities.field.purpose"), []string{a.Purpose}},
		{t.T("activities.field.legal_basis"), []string{t.T("activities.basis." + string(a.LegalBasis))}},
		{t.T("activities.field.special_categories"), []string{registerYesNo(t, a.SpecialCategories)}},
		{t.T("activities.field.direct_marketing"), []string{registerYesNo(t, a.DirectMarketing)}},
		{t.T("activities.field.automated_decisions"), []string{registerYesNo(t, a.AutomatedDecisions)}},
		{t.T("activities.field.data_subjects"), a.DataSubjects},
		{t.T("activities.field.data_categories"), a.DataCategories},
	}
	if withRecipients {
		facts = append(facts, registerFact{t.T("activities.field.recipients"), recipients})
	}
	return append(facts, []registerFact{
		{t.T("activities.field.retention"), []string{t.T("activities.retention_line", "Period", s.retentionText(t.Lang, a.Retention.Months),
			"From", a.Retention.From, "Ground", a.Retention.Ground)}},
		{t.T("activities.field.source"), []string{source}},
		{t.T("activities.field.security"), []string{security}},
	}...)
}

// controllerFacts are the controller's details of art. 30(1)(a), from the
// practice's settings: name, address, registration number, the contact for
// privacy questions and the supervisory authority.
func controllerFacts(t tr, p practice.Settings) []registerFact {
	number := "activities.controller.kvk"
	if p.Country == practice.Belgium {
		number = "activities.controller.kbo"
	}
	au := p.Authority()
	return []registerFact{
		{t.T("activities.controller.name"), []string{p.Name}},
		{t.T("activities.controller.address"), strings.Split(p.Address, "\n")},
		{t.T(number), []string{p.KvK}},
		{t.T("activities.controller.contact"), []string{p.PrivacyEmail}},
		{t.T("activities.controller.authority"), []string{au.NameIn(string(t.Lang)) + ", " + au.Address}},
	}
}

// registerRow is an activity in the register's list.
type registerRow struct {
	A         register.Activity
	Retention string
	Outside   int // recipients outside the EU/EEA
}

type registerPage struct {
	base
	Rows  []registerRow
	Owner bool
}

func (s *Server) registerList(c echo.Context) error {
	acts, err := s.Store.Activities(c.Request().Context())
	if err != nil {
		return err
	}
	b := s.staffBase(c, "activities.title", "register")
	p := registerPage{base: b, Owner: memberOf(c).Role == staff.Owner}
	for _, a := range acts {
		p.Rows = append(p.Rows, registerRow{A: a, Retention: s.retentionText(b.Lang, a.Retention.Months), Outside: len(a.OutsideEEA())})
	}
	return s.render(c, http.StatusOK, "staff_register", p)
}

// activityPage shows one activity: its facts, its recipients as a table.
type activityPage struct {
	base
	A     register.Activity
	Facts []registerFact
	Owner bool
	// Stops are the people a direct-marketing activity must not approach
	// (objection.go); nil for another activity.
	Stops []casework.MarketingStop
}

func (s *Server) activityView(c echo.Context) error {
	a, err := s.Store.Activity(c.Request().Context(), c.Param("key"))
	if err != nil {
		return err
	}
	stops, err := s.activityStops(c, a)
	if err != nil {
		return err
	}
	b := s.staffBase(c, "activities.activity.title", "register")
	b.Title = a.Name
	return s.render(c, http.StatusOK, "staff_activity", activityPage{base: b, A: a, Facts: s.activityFacts(b.Tr, a, false),
		Owner: memberOf(c).Role == staff.Owner, Stops: stops})
}

// registerPrintPage is the whole register as one page to print: the
// controller, then every activity.
type registerPrintPage struct {
	base
	Controller []registerFact
	Activities []printedActivity
	Date       string
}

type printedActivity struct {
	Number int // from 1
	A      register.Activity
	Facts  []registerFact
}

// practiceDay is the practice's date now.
func (s *Server) practiceDay(p practice.Settings) deadline.Date {
	return deadline.DateOf(s.Clock.Now(), p.Location())
}

// registerDocument gathers what the printable view and the PDF show.
func (s *Server) registerDocument(c echo.Context, t tr) (practice.Settings, []printedActivity, error) {
	ctx := c.Request().Context()
	settings, err := s.Store.Settings(ctx)
	if err != nil {
		return practice.Settings{}, nil, err
	}
	acts, err := s.Store.Activities(ctx)
	if err != nil {
		return practice.Settings{}, nil, err
	}
	out := make([]printedActivity, len(acts))
	for i, a := range acts {
		out[i] = printedActivity{Number: i + 1, A: a, Facts: s.activityFacts(t, a, true)}
	}
	return settings, out, nil
}

func (s *Server) registerPrint(c echo.Context) error {
	b := s.staffBase(c, "activities.print.title", "register")
	settings, acts, err := s.registerDocument(c, b.Tr)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "staff_register_print", registerPrintPage{base: b, Controller: controllerFacts(b.Tr, settings),
		Activities: acts, Date: b.Tr.Date(s.practiceDay(settings))})
}

// registerPDF sends the whole register as a PDF, as the printable view
// shows it.
func (s *Server) registerPDF(c echo.Context) error {
	b := s.base(c, "activities.print.title")
	settings, acts, err := s.registerDocument(c, b.Tr)
	if err != nil {
		return err
	}
	date := b.Tr.Date(s.practiceDay(settings))
	doc := textpdf.Document{Title: b.Title + " — " + settings.Name, Author: settings.Name, Created: s.Clock.Now(),
		Footer: settings.Name + " · " + b.Title + " · " + date}
	doc.Blocks = append(doc.Blocks, textpdf.Block{Kind: textpdf.Title, Text: b.Title},
		textpdf.Block{Kind: textpdf.Note, Text: b.Tr.T("activities.print.intro", "Date", date)},
		textpdf.Block{Kind: textpdf.Heading, Text: b.Tr.T("activities.controller.heading")})
	addFacts := func(facts []registerFact) {
		for _, f := range facts {
			doc.Blocks = append(doc.Blocks, textpdf.Block{Kind: textpdf.Label, Text: f.Label},
				textpdf.Block{Kind: textpdf.Text, Text: strings.Join(f.Lines, "\n")})
		}
	}
	addFacts(controllerFacts(b.Tr, settings))
	for _, a := range acts {
		doc.Blocks = append(doc.Blocks, textpdf.Block{Kind: textpdf.Heading, Text: fmt.Sprintf("%d. %s", a.Number, a.A.Name)})
		addFacts(a.Facts)
	}
	return s.sendPDF(c, "register-verwerkingen-"+s.practiceDay(settings).String()+".pdf", doc)
}

// activityColumns is the header row of the register's CSV: the API's JSON
// keys, so scripts can read both alike.
var activityColumns = []string{"key", "name", "purpose", "legal_basis", "special_categories", "direct_marketing",
	"automated_decisions", "data_subjects", "data_categories", "recipients", "retention_months", "retention_from",
	"retention_ground", "source", "security"}

// registerCSV sends the register as CSV for a spreadsheet: a UTF-8 byte
// order mark, a header row, a row per activity; lists are joined with " | ",
// a recipient is "name (kind, country, inside_eea|outside_eea: safeguards,
// agreement|no_agreement, e-mail)"; every cell is neutralised against
// formulas (breach.CSVCell).
func (s *Server) registerCSV(c echo.Context) error {
	ctx := c.Request().Context()
	acts, err := s.Store.Activities(ctx)
	if err != nil {
		return err
	}
	settings, err := s.Store.Settings(ctx)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("\xEF\xBB\xBF")
	w := csv.NewWriter(&buf)
	if err := w.Write(activityColumns); err != nil {
		return err
	}
	for _, a := range acts {
		var recipients []string
		for _, r := range a.Recipients {
			where := "inside_eea"
			if !r.InsideEEA() {
				where = "outside_eea: " + r.Safeguards
			}
			agreement := "no_agreement"
			if r.Agreement {
				agreement = "agreement"
			}
			recipients = append(recipients, fmt.Sprintf("%s (%s, %s, %s, %s, %s)", r.Name, r.Kind, r.Country, where, agreement, r.Email))
		}
		row := []string{a.Key, a.Name, a.Purpose, string(a.LegalBasis), strconv.FormatBool(a.SpecialCategories),
			strconv.FormatBool(a.DirectMarketing), strconv.FormatBool(a.AutomatedDecisions), strings.Join(a.DataSubjects, " | "),
			strings.Join(a.DataCategories, " | "), strings.Join(recipients, " | "), strconv.Itoa(a.Retention.Months),
			a.Retention.From, a.Retention.Ground, a.Source, a.Security}
		for i := range row {
			row[i] = breach.CSVCell(row[i])
		}
		if err := w.Write(row); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="register-verwerkingen-`+s.practiceDay(settings).String()+`.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// activityFormPage is the form to add or edit an activity. Field names are
// the API's JSON paths; lists are one item per line; recipients are rows
// recipients.<n>.<field>, with two empty rows to add more (save to get
// more) and a remove box on every filled one.
type activityFormPage struct {
	base
	formState
	New    bool
	Key    string // the activity's key when editing
	Action string
	Values url.Values
	Rows   []formRow
	Bases  []string
	Kinds  []string
}

// formRow is a recipient row of the form: I numbers its fields (from 0),
// N its legend (from 1).
type formRow struct{ I, N int }

// V returns the value of field name.
func (p activityFormPage) V(name string) string { return p.Values.Get(name) }

// R is the name of field of recipient row i: recipients.<i>.<field>.
func (p activityFormPage) R(i int, field string) string {
	return "recipients." + strconv.Itoa(i) + "." + field
}

// Filled reports whether recipient row i holds a recipient (it gets a
// remove box).
func (p activityFormPage) Filled(i int) bool { return p.V(p.R(i, "name")) != "" }

// emptyRecipientRows are the blank rows under the filled ones.
const emptyRecipientRows = 2

// activityFields are the form's fields in the order they appear, for the
// error summary.
func activityFields(rows int) []string {
	out := []string{"key", "name", "purpose", "legal_basis", "data_subjects", "data_categories"}
	for i := range rows {
		for _, f := range []string{"name", "kind", "country", "email", "safeguards"} {
			out = append(out, "recipients."+strconv.Itoa(i)+"."+f)
		}
	}
	return append(out, "recipients", "retention.months", "retention.from", "retention.ground", "source", "security")
}

// activityValues is a as the form shows it.
func activityValues(a register.Activity) url.Values {
	v := url.Values{}
	v.Set("key", a.Key)
	v.Set("name", a.Name)
	v.Set("purpose", a.Purpose)
	v.Set("legal_basis", string(a.LegalBasis))
	for name, on := range map[string]bool{"special_categories": a.SpecialCategories, "direct_marketing": a.DirectMarketing,
		"automated_decisions": a.AutomatedDecisions} {
		if on {
			v.Set(name, "yes")
		}
	}
	v.Set("data_subjects", strings.Join(a.DataSubjects, "\n"))
	v.Set("data_categories", strings.Join(a.DataCategories, "\n"))
	for i, r := range a.Recipients {
		p := "recipients." + strconv.Itoa(i) + "."
		v.Set(p+"name", r.Name)
		v.Set(p+"kind", string(r.Kind))
		v.Set(p+"country", r.Country)
		v.Set(p+"email", r.Email)
		v.Set(p+"safeguards", r.Safeguards)
		if r.Agreement {
			v.Set(p+"agreement", "yes")
		}
	}
	if a.Retention.Months > 0 {
		v.Set("retention.months", strconv.Itoa(a.Retention.Months))
	}
	v.Set("retention.from", a.Retention.From)
	v.Set("retention.ground", a.Retention.Ground)
	v.Set("source", a.Source)
	v.Set("security", a.Security)
	return v
}

// recipientRows counts the form's recipient rows: up to the last that was
// posted, at most MaxRecipients plus the empty ones.
func recipientRows(v url.Values) int {
	n := 0
	for i := range register.MaxRecipients + emptyRecipientRows {
		if _, ok := v["recipients."+strconv.Itoa(i)+".name"]; ok {
			n = i + 1
		}
	}
	return n
}

// activityOfForm reads an activity from the posted form. A recipient row
// left blank (no name, country, e-mail or safeguards) or marked for removal
// is left out; rowOf maps the activity's recipients to their rows, so that
// a problem shows next to the row it is in.
func activityOfForm(v url.Values) (a register.Activity, rowOf []int) {
	get := func(name string) string { return clean(v.Get(name)) }
	a = register.Activity{Key: get("key"), Name: get("name"), Purpose: get("purpose"),
		LegalBasis: register.LegalBasis(get("legal_basis")), SpecialCategories: get("special_categories") == "yes",
		DirectMarketing: get("direct_marketing") == "yes", AutomatedDecisions: get("automated_decisions") == "yes",
		DataSubjects: register.Lines(get("data_subjects")), DataCategories: register.Lines(get("data_categories")),
		Source: get("source"), Security: get("security")}
	a.Retention.Months, _ = strconv.Atoi(get("retention.months"))
	a.Retention.From, a.Retention.Ground = get("retention.from"), get("retention.ground")
	for i := range recipientRows(v) {
		p := "recipients." + strconv.Itoa(i) + "."
		r := register.Recipient{Name: get(p + "name"), Kind: register.RecipientKind(get(p + "kind")), Country: get(p + "country"),
			Email: get(p + "email"), Safeguards: get(p + "safeguards"), Agreement: get(p+"agreement") == "yes"}
		if get(p+"remove") == "yes" || (r.Name == "" && r.Country == "" && r.Email == "" && r.Safeguards == "") {
			continue
		}
		a.Recipients = append(a.Recipients, r)
		rowOf = append(rowOf, i)
	}
	return a, rowOf
}

// onRows moves the recipients' problems from the activity's numbering to
// the form's rows.
func onRows(problems map[string]string, rowOf []int) map[string]string {
	out := map[string]string{}
	for f, m := range problems {
		if rest, ok := strings.CutPrefix(f, "recipients."); ok {
			if n, field, ok := strings.Cut(rest, "."); ok {
				if i, err := strconv.Atoi(n); err == nil && i < len(rowOf) {
					f = "recipients." + strconv.Itoa(rowOf[i]) + "." + field
				}
			}
		}
		out[f] = m
	}
	return out
}

func (s *Server) renderActivityForm(c echo.Context, status int, key string, v url.Values, problems map[string]string) error {
	title := "activities.new.title"
	if key != "" {
		title = "activities.edit.title"
	}
	b := s.staffBase(c, title, "register")
	rows := recipientRows(v)
	// Two blank rows under the last filled one.
	last := 0
	for i := range rows {
		if v.Get("recipients."+strconv.Itoa(i)+".name") != "" {
			last = i + 1
		}
	}
	rows = min(max(rows, last+emptyRecipientRows), register.MaxRecipients+emptyRecipientRows)
	p := activityFormPage{base: b, formState: newFormState(b.Tr, activityFields(rows), problems), New: key == "", Key: key,
		Action: "/staff/register/new", Values: v}
	if key != "" {
		p.Action = "/staff/register/activities/" + key + "/edit"
		p.Title = b.Tr.T("activities.edit.title_of", "Name", v.Get("name"))
	}
	for i := range rows {
		p.Rows = append(p.Rows, formRow{I: i, N: i + 1})
	}
	for _, x := range register.LegalBases {
		p.Bases = append(p.Bases, string(x))
	}
	for _, x := range register.RecipientKinds {
		p.Kinds = append(p.Kinds, string(x))
	}
	return s.render(c, status, "staff_activity_form", p)
}

func (s *Server) activityNew(c echo.Context) error {
	return s.renderActivityForm(c, http.StatusOK, "", url.Values{}, nil)
}

func (s *Server) activityEdit(c echo.Context) error {
	a, err := s.Store.Activity(c.Request().Context(), c.Param("key"))
	if err != nil {
		return err
	}
	return s.renderActivityForm(c, http.StatusOK, a.Key, activityValues(a), nil)
}

// activityProblems re-renders the form for an invalid activity (422) or a
// key in use (409), each problem next to its field.
func (s *Server) activityProblems(c echo.Context, key string, v url.Values, rowOf []int, err error) error {
	ae := apperr.As(err)
	switch ae.Code {
	case apperr.Invalid:
		return s.renderActivityForm(c, http.StatusUnprocessableEntity, key, v, onRows(ae.Fields, rowOf))
	case apperr.Conflict:
		return s.renderActivityForm(c, http.StatusConflict, key, v, ae.Fields)
	}
	return err
}

func (s *Server) activityCreate(c echo.Context) error {
	v, err := c.FormParams()
	if err != nil {
		return apperr.New(apperr.Malformed, "error.malformed")
	}
	a, rowOf := activityOfForm(v)
	stored, err := s.Store.AddActivity(c.Request().Context(), a, s.auditWho(c))
	if err != nil {
		return s.activityProblems(c, "", v, rowOf, err)
	}
	s.setFlash(c, "flash.activity_saved")
	return c.Redirect(http.StatusSeeOther, "/staff/register/activities/"+stored.Key)
}

func (s *Server) activityUpdate(c echo.Context) error {
	key := c.Param("key")
	if _, err := s.Store.Activity(c.Request().Context(), key); err != nil {
		return err
	}
	v, err := c.FormParams()
	if err != nil {
		return apperr.New(apperr.Malformed, "error.malformed")
	}
	v.Set("key", key)
	a, rowOf := activityOfForm(v)
	if _, err := s.Store.UpdateActivity(c.Request().Context(), key, a, s.auditWho(c)); err != nil {
		return s.activityProblems(c, key, v, rowOf, err)
	}
	s.setFlash(c, "flash.activity_saved")
	return c.Redirect(http.StatusSeeOther, "/staff/register/activities/"+key)
}
