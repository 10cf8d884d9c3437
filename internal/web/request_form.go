package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/representation"
)

// requestForm holds the public form's values as typed, so a page with
// errors shows everything again. Field names in the HTML are the API's JSON
// paths (requester.name, specifics.correct, …), shared with the errors.
type requestForm struct {
	Name, Email, Phone, Relation, SelfBirthDate     string
	SubjectName, BirthDate                          string
	Branch, Details, Language, Idem                 string
	Wrong, Correct, ErasureScope, ErasurePart       string
	Format, Destination, OtherController            string
	Processing, Grounds, SharingParty, OtherConsent string
	DirectMarketing                                 string // "yes", "no" or not chosen
	RestrictionData, RestrictionGround              string
	Consents                                        []string
}

// HasConsent reports whether consent c was ticked.
func (f requestForm) HasConsent(c string) bool {
	for _, x := range f.Consents {
		if x == c {
			return true
		}
	}
	return false
}

func readRequestForm(c echo.Context) requestForm {
	v := func(k string) string { return clean(c.FormValue(k)) }
	f := requestForm{
		Name: v("requester.name"), Email: v("requester.email"), Phone: v("requester.phone"), SelfBirthDate: v(fieldSelfBirthDate),
		Relation: v("requester.relation"), SubjectName: v("subject.name"), BirthDate: v("subject.birth_date"),
		Branch: v("branch"), Details: v("details"), Language: v("language"), Idem: v("_idem"),
		Wrong: v("specifics.wrong"), Correct: v("specifics.correct"), ErasureScope: v("specifics.erasure_scope"),
		ErasurePart: v("specifics.erasure_part"), Format: v("specifics.format"),
		Destination: v("specifics.destination"), OtherController: v("specifics.other_controller"),
		Processing: v("specifics.processing"), Grounds: v("specifics.grounds"),
		SharingParty: v("specifics.sharing_party"), OtherConsent: v("specifics.other_consent"),
		DirectMarketing: v("specifics.direct_marketing"), RestrictionData: v("specifics.restriction_data"),
		RestrictionGround: v("specifics.restriction_ground"),
	}
	if form, err := c.FormParams(); err == nil {
		for _, x := range form["specifics.consents"] {
			if len(f.Consents) < len(casework.Consents) {
				f.Consents = append(f.Consents, clean(x))
			}
		}
	}
	return f
}

// fieldSelfBirthDate is the form's field for the birth date of a requester
// who asks for themselves; the submission holds it as the subject's.
const fieldSelfBirthDate = "requester.birth_date"

// asksOwnBirthDate reports whether the requester's own birth date is the
// data subject's: a practice that serves minors asks it of a requester who
// asks for themselves (a child under 12 needs a parent, BW 7:465(1)).
func (f requestForm) asksOwnBirthDate(servesMinors bool) bool {
	return servesMinors && casework.Relation(f.Relation) == casework.Self
}

func (f requestForm) submission(t casework.RequestType, servesMinors bool) casework.Submission {
	s := casework.Submission{
		Type:      t,
		Requester: casework.Requester{Name: f.Name, Email: f.Email, Phone: f.Phone, Relation: casework.Relation(f.Relation)},
		Branch:    f.Branch, Details: f.Details, Language: casework.ParseLanguage(f.Language),
		Specifics: casework.Specifics{
			Wrong: f.Wrong, Correct: f.Correct, ErasureScope: f.ErasureScope, ErasurePart: f.ErasurePart,
			Format: f.Format, Destination: f.Destination, OtherController: f.OtherController,
			Processing: f.Processing, Grounds: f.Grounds, Consents: f.Consents,
			SharingParty: f.SharingParty, OtherConsent: f.OtherConsent,
			RestrictionData: f.RestrictionData, RestrictionGround: f.RestrictionGround,
		},
		SpecificsRequired: true, AskDirectMarketing: true,
	}
	s.Subject.Name, s.Subject.BirthDate = f.SubjectName, f.BirthDate
	if f.DirectMarketing == "yes" || f.DirectMarketing == "no" {
		dm := f.DirectMarketing == "yes"
		s.Specifics.DirectMarketing = &dm
	}
	if f.asksOwnBirthDate(servesMinors) {
		s.Subject.BirthDate, s.SelfBirthDateRequired = f.SelfBirthDate, true
	}
	return s
}

// fieldError is one problem, linked from the summary at the top of the form
// to the field it concerns.
type fieldError struct {
	Field   string // form name, e.g. requester.email
	ID      string // HTML id of the input
	Message string
}

// requestFormPage is the data of the form for one request type.
type requestFormPage struct {
	base
	formState
	Type      casework.RequestType
	Form      requestForm
	Relations []string
	Branches  []practice.Branch
	Choices   formChoices
	Privacy   privacyNote
	Records   string // how long the practice keeps client files, in its words; "" if it did not say
	// ServesMinors: the form asks a requester who asks for themselves their
	// birth date.
	ServesMinors bool
	Country      practice.Country // which law the explanations for minors cite
}

type formChoices struct {
	ErasureScopes, Formats, Destinations, Consents, Languages []string
	RestrictionGrounds, YesNo                                 []string
}

// requestStartPage lists the rights, each with a plain explanation.
type requestStartPage struct {
	base
	Types []casework.RequestType
}

func (s *Server) requestStart(c echo.Context) error {
	return s.render(c, http.StatusOK, "request_start", requestStartPage{base: s.base(c, "start.title"), Types: casework.RequestTypes})
}

func requestType(c echo.Context) (casework.RequestType, error) {
	t := casework.RequestType(c.Param("type"))
	if !t.Valid() {
		return "", apperr.New(apperr.NotFound, "error.not_found")
	}
	return t, nil
}

func (s *Server) requestForm(c echo.Context) error {
	t, err := requestType(c)
	if err != nil {
		return err
	}
	idem, err := casework.NewToken()
	if err != nil {
		return err
	}
	form := requestForm{Relation: string(casework.Self), Language: string(langOf(c)), Idem: idem}
	return s.renderRequestForm(c, http.StatusOK, t, form, nil)
}

func (s *Server) renderRequestForm(c echo.Context, status int, t casework.RequestType, form requestForm, problems map[string]string) error {
	ctx := c.Request().Context()
	branches, err := s.Store.Branches(ctx)
	if err != nil {
		return err
	}
	settings, err := s.Store.Settings(ctx)
	if err != nil {
		return err
	}
	b := s.base(c, "type."+string(t)+".title")
	if framed(c) {
		b.CSRF = s.formToken()
	}
	p := requestFormPage{
		base: b, formState: newFormState(b.Tr, formFieldOrder, problems), Type: t, Form: form, Branches: branches,
		Choices: formChoices{casework.ErasureScopes, casework.Formats, casework.Destinations, casework.Consents,
			[]string{string(casework.Dutch), string(casework.English)}, casework.RestrictionGrounds, casework.YesNo},
		Privacy: s.privacyNote(b.Lang, settings), Records: settings.RecordsRetention.In(string(b.Lang)),
		ServesMinors: settings.ServesMinors, Country: settings.Country,
	}
	for _, r := range casework.Relations {
		p.Relations = append(p.Relations, string(r))
	}
	return s.render(c, status, "request_form", p)
}

// formFieldOrder is the order of the fields on the form, for the error
// summary.
var formFieldOrder = []string{
	casework.FieldType, casework.FieldRelation, casework.FieldName, casework.FieldEmail, casework.FieldPhone,
	fieldSelfBirthDate, casework.FieldSubjectName, casework.FieldBirthDate, casework.FieldBranch,
	"specifics.wrong", "specifics.correct", "specifics.erasure_scope", "specifics.erasure_part",
	"specifics.format", "specifics.destination", "specifics.other_controller",
	"specifics.restriction_data", "specifics.restriction_ground",
	"specifics.processing", "specifics.direct_marketing", "specifics.grounds", "specifics.consents", "specifics.sharing_party",
	"specifics.other_consent", casework.FieldDetails, "language",
}

// inputID is the HTML id of the input for a field name.
func inputID(field string) string { return "f-" + strings.ReplaceAll(field, ".", "-") }

func (s *Server) requestSubmit(c echo.Context) error {
	t, err := requestType(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	settings, err := s.Store.Settings(ctx)
	if err != nil {
		return err
	}
	form := readRequestForm(c)
	k, _, err := s.Cases.Submit(ctx, form.submission(t, settings.ServesMinors),
		casework.Intake{Channel: casework.Web, IdempotencyKey: form.Idem, Actor: casework.Actor{Address: c.RealIP()}})
	if err != nil {
		if problems, invalid := withProblems(err, nil); invalid {
			if msg, ok := problems[casework.FieldBirthDate]; ok && form.asksOwnBirthDate(settings.ServesMinors) {
				delete(problems, casework.FieldBirthDate)
				problems[fieldSelfBirthDate] = msg
			}
			return s.renderRequestForm(c, http.StatusUnprocessableEntity, t, form, problems)
		}
		return err
	}
	s.notifyMail()
	r := receipt{Reference: k.Reference, Due: k.Deadlines.Due}
	if k.ImmediateEffect() {
		r.Effective = k.EffectiveFrom()
	}
	if s.Identity != nil {
		must, waivable, err := s.Identity.ParentMustAct(ctx, k)
		if err != nil {
			return err
		}
		r.Parent = parentNotice(must, waivable)
	}
	if framed(c) {
		return c.Redirect(http.StatusSeeOther, s.receiptURL(c, r))
	}
	s.setReceipt(c, r)
	return c.Redirect(http.StatusSeeOther, "/verzoek-ontvangen")
}

// parentNotice is what the confirmation tells a child whose own request a
// parent must confirm: "must" (the Dutch BW 7:465(1)), "may" (when the
// counsellor may find the child able to act alone, as in Belgium), or
// nothing.
func parentNotice(must, waivable bool) string {
	switch {
	case must && waivable:
		return "may"
	case must:
		return "must"
	}
	return ""
}

// receipt is what the confirmation page shows after a redirect. It travels
// in a short-lived cookie signed with a server key, so the page cannot be
// made to show another case's reference.
type receipt struct {
	Reference string
	Due       deadline.Date
	// Effective is the day a request with immediate effect took effect;
	// zero for the others, which are answered by Due.
	Effective deadline.Date
	Parent    string // see parentNotice
}

const receiptCookie = "avg_receipt"

func (s *Server) setReceipt(c echo.Context, r receipt) {
	value := receiptValue(r)
	c.SetCookie(&http.Cookie{
		Name: receiptCookie, Value: value + "|" + s.Signer.Index("receipt", value), Path: "/verzoek-ontvangen",
		MaxAge: 600, Secure: s.secure, HttpOnly: true, SameSite: http.SameSiteStrictMode,
	})
}

// receiptValue writes r as the fields that are signed.
func receiptValue(r receipt) string {
	value := r.Reference + "|" + r.Due.String() + "|"
	if !r.Effective.IsZero() {
		value += r.Effective.String()
	}
	return value + "|" + r.Parent
}

func (s *Server) readReceipt(c echo.Context) (receipt, bool) {
	ck, err := c.Cookie(receiptCookie)
	if err != nil {
		return receipt{}, false
	}
	value, mac, ok := cutLast(ck.Value, "|")
	if !ok || s.Signer.Index("receipt", value) != mac {
		return receipt{}, false
	}
	return parseReceipt(value)
}

// cutLast slices v around the last sep.
func cutLast(v, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(v, sep); i >= 0 {
		return v[:i], v[i+len(sep):], true
	}
	return v, "", false
}

// parseReceipt reads receiptValue's fields.
func parseReceipt(value string) (receipt, bool) {
	parts := strings.Split(value, "|")
	if len(parts) != 4 {
		return receipt{}, false
	}
	r := receipt{Reference: parts[0]}
	var err error
	if r.Due, err = deadline.ParseDate(parts[1]); err != nil {
		return receipt{}, false
	}
	if parts[2] != "" {
		if r.Effective, err = deadline.ParseDate(parts[2]); err != nil {
			return receipt{}, false
		}
	}
	r.Parent = parts[3]
	return r, true
}

// requestReceivedPage confirms a filed request.
type requestReceivedPage struct {
	base
	receipt
	Keeping string // how long the request's data are kept
}

func (s *Server) requestReceived(c echo.Context) error {
	r, ok := s.receiptFromURL(c)
	if !ok {
		r, ok = s.readReceipt(c)
	}
	if !ok {
		return c.Redirect(http.StatusSeeOther, "/verzoek")
	}
	settings, err := s.Store.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	b := s.base(c, "received.title")
	return s.render(c, http.StatusOK, "request_received",
		requestReceivedPage{base: b, receipt: r, Keeping: s.keeping(b.Lang, settings)})
}

// trackPage is the requester's view of their case.
type trackPage struct {
	base
	Case casework.Case
	// NoAuthority is the message a refusal for want of authority adds for
	// a parent: what a parent without authority may have instead (BW
	// 1:377c in the Netherlands); empty for other requesters.
	NoAuthority string
	Received    string
	Events      []trackEvent
	Question    *casework.InfoRequest // the open question, if any
	Problem     string                // what was wrong with the answer sent
	Action      string                // where the answer form posts, with its CSRF token
	Methods     map[string]string     // method key → its label in the page's language
	Keeping     string                // how long the request's data are kept
	// Letter is the decision letter as sent, LetterPDF its download; nil
	// before the decision.
	Letter    *casework.Letter
	LetterPDF string
	Documents *trackDocuments // the answer documents sent, if any
	Told      *trackTold      // the art. 19 notices, if any (notices.go)
}

// trackEvent is a message, extension or decision as the requester reads it.
// A refusal's Because is the sentence naming its ground and article, Detail
// what the ground's choice was, and Kept the statute and end date of what is
// kept; Withheld replaces them all (and the reasons) with a neutral text
// while the requester is not confirmed.
type trackEvent struct {
	Kind     string
	At       string
	Text     string
	Outcome  string
	Ground   string // the ground of a refusal the requester may read
	Because  string
	Detail   string
	Kept     string
	Withheld bool
	Due      deadline.Date
	File     string
	LiftOn   deadline.Date // the day an announced restriction is lifted
}

// decisionFor fills in what the requester reads of a decided event.
func decisionFor(t tr, k casework.Case, te *trackEvent, data map[string]string) {
	te.Withheld = data["withheld"] == "true"
	g := data["ground"]
	if g == "" || !casework.Outcome(te.Outcome).Refuses() {
		return
	}
	te.Ground = g
	ground := t.T("ground." + g)
	if r, ok := k.GroundRule(casework.Ground(g)); ok && r.Basis.NL != "" {
		ground += " (" + r.Basis.In(casework.Language(t.Lang)) + ")"
	}
	te.Because = t.T("track.because_"+te.Outcome, "Ground", ground)
	if d := data["detail"]; d != "" {
		te.Detail = t.T("ground_detail." + g + "." + d)
	}
	te.Kept = keptText(t, data)
}

// withoutOpenQuestion drops the latest question from a tracking page's
// messages: it is the open one, which the page shows in its own box above
// them, with the answer form.
func withoutOpenQuestion(events []trackEvent) []trackEvent {
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Kind == string(casework.EventInfoRequested) {
			return slices.Delete(events, i, i+1)
		}
	}
	return events
}

func (s *Server) track(c echo.Context) error { return s.renderTrack(c, http.StatusOK, "") }

func (s *Server) renderTrack(c echo.Context, status int, problem string) error {
	ctx := c.Request().Context()
	k, events, err := s.Cases.Track(ctx, c.Param("token"), c.RealIP())
	if err != nil {
		return err
	}
	settings, err := s.Store.Settings(ctx)
	if err != nil {
		return err
	}
	if _, chosen := c.Get(keyLang).(lang.Code); !chosen {
		c.Set(keyLang, lang.Parse(string(k.Language))) // the language of the request, unless the reader chose
	}
	l := langOf(c)
	b := s.base(c, "track.title")
	p := trackPage{base: b, Case: k, Received: receivedText(l, k, settings.Location()), Methods: map[string]string{},
		Keeping: s.keeping(l, settings)}
	if problem != "" {
		p.Problem = s.message(l, problem)
	}
	if k.Requester.Relation == casework.Parent || k.Requester.Relation == casework.ParentWithoutAuthority {
		p.NoAuthority = b.Tr.T("track.without_authority." + string(settings.Country))
	}
	for _, e := range events {
		te := trackEvent{Kind: string(e.Kind), At: lang.DateTime(l, e.At, settings.Location()), Text: e.Text,
			Outcome: e.Data["outcome"], File: e.Data["file"]}
		if e.Kind == casework.EventDecided {
			decisionFor(b.Tr, k, &te, e.Data)
		}
		if d, err := deadline.ParseDate(e.Data["due"]); err == nil {
			te.Due = d
		}
		if d, err := deadline.ParseDate(e.Data["on"]); err == nil && e.Kind == casework.EventRestrictionLifting {
			te.LiftOn = d
		}
		p.Events = append(p.Events, te)
	}
	if l, ok, err := s.Store.CaseLetter(ctx, k.ID); err != nil {
		return err
	} else if ok {
		p.Letter, p.LetterPDF = &l, "/volg/"+c.Param("token")+"/letter.pdf"
	}
	if p.Told, err = s.trackToldOf(c, k); err != nil {
		return err
	}
	if s.Identity != nil {
		if q, err := s.Identity.OpenQuestion(ctx, k); err != nil {
			return err
		} else if q != nil {
			p.Question = q
			p.Action = "/volg/" + c.Param("token") + "/answer?_csrf=" + url.QueryEscape(b.CSRF)
			p.Events = withoutOpenQuestion(p.Events)
		}
		for _, m := range representation.Methods() {
			p.Methods[m.Key] = representation.Text(m.Label, casework.Language(l))
		}
	}
	if s.Delivery != nil {
		problem := ""
		if id, _ := c.Get(keyDocumentsProblem).(string); id != "" {
			problem = s.message(l, id)
		}
		if p.Documents, err = s.trackDocumentsOf(c, b, k, settings.Location(), problem); err != nil {
			return err
		}
	}
	return s.render(c, status, "track", p)
}
