package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/practice"
)

// staffCaseForm is a request as staff register or correct it: the public
// form's fields plus the type, the channel, the real time of receipt and a
// postal address for a requester without e-mail.
type staffCaseForm struct {
	requestForm
	Type, Channel, ReceivedOn, ReceivedTime string
	Address                                 casework.PostalAddress
}

func readStaffCaseForm(c echo.Context) staffCaseForm {
	return staffCaseForm{requestForm: readRequestForm(c), Type: clean(c.FormValue("type")),
		Channel: clean(c.FormValue("channel")), ReceivedOn: clean(c.FormValue("received_at")),
		ReceivedTime: clean(c.FormValue("received_time")),
		Address: casework.PostalAddress{Street: clean(c.FormValue(casework.FieldStreet)), Postcode: clean(c.FormValue(casework.FieldPostcode)),
			City: clean(c.FormValue(casework.FieldCity)), Country: clean(c.FormValue(casework.FieldCountry))}}
}

// receivedAt reads the receipt day and optional time of day in the
// practice's time zone. Without a time, the start of the day counts, and
// the case shows the day only (ReceivedDateOnly).
func (f staffCaseForm) receivedAt(loc *time.Location) (time.Time, bool) {
	d, err := deadline.ParseDate(f.ReceivedOn)
	if err != nil {
		return time.Time{}, false
	}
	t := d.In(loc)
	if f.ReceivedTime != "" {
		hm, err := time.Parse("15:04", f.ReceivedTime)
		if err != nil {
			return time.Time{}, false
		}
		t = time.Date(d.Year, d.Month, d.Day, hm.Hour(), hm.Minute(), 0, 0, loc)
	}
	return t, true
}

type staffCaseFormPage struct {
	base
	formState
	Form      staffCaseForm
	Action    string
	Editing   bool
	Reference string
	Types     []string
	Channels  []string
	Relations []string
	Branches  []practice.Branch
	Languages []string
	YesNo     []string
}

var staffFormOrder = staffFieldOrder()

// staffFieldOrder is the public form's order with the receipt first and
// the postal address after the requester's e-mail address.
func staffFieldOrder() []string {
	out := []string{casework.FieldType, casework.FieldChannel, casework.FieldReceivedAt}
	for _, f := range formFieldOrder {
		out = append(out, f)
		if f == casework.FieldEmail {
			out = append(out, casework.FieldAddress, casework.FieldStreet, casework.FieldPostcode, casework.FieldCity, casework.FieldCountry)
		}
	}
	return out
}

func (s *Server) renderStaffCaseForm(c echo.Context, status int, form staffCaseForm, ref string, problems map[string]string) error {
	branches, err := s.Store.Branches(c.Request().Context())
	if err != nil {
		return err
	}
	title, action := "register.title", "/staff/cases/new"
	if ref != "" {
		title, action = "correct.title", "/staff/cases/"+ref+"/edit"
	}
	b := s.staffBase(c, title, "new")
	p := staffCaseFormPage{base: b, formState: newFormState(b.Tr, staffFormOrder, problems), Form: form, Action: action,
		Editing: ref != "", Reference: ref, Branches: branches,
		Languages: []string{string(casework.Dutch), string(casework.English)}, YesNo: casework.YesNo}
	for _, r := range casework.Relations {
		p.Relations = append(p.Relations, string(r))
	}
	for _, t := range casework.RequestTypes {
		p.Types = append(p.Types, string(t))
	}
	for _, ch := range casework.Channels {
		p.Channels = append(p.Channels, string(ch))
	}
	return s.render(c, status, "staff_case_form", p)
}

func (s *Server) staffCaseNew(c echo.Context) error {
	today, _, err := s.Cases.Today(c.Request().Context())
	if err != nil {
		return err
	}
	form := staffCaseForm{Type: string(casework.Access), Channel: string(casework.Post), ReceivedOn: today.String()}
	form.Relation, form.Language = string(casework.Self), string(langOf(c))
	if m := memberOf(c); len(m.Branches) == 1 {
		form.Branch = m.Branches[0]
	}
	return s.renderStaffCaseForm(c, http.StatusOK, form, "", nil)
}

// submission turns the form into the case service's input; problems with
// the receipt time are returned separately.
func (s *Server) staffSubmission(c echo.Context, form staffCaseForm) (casework.Submission, time.Time, map[string]string, error) {
	settings, err := s.Store.Settings(c.Request().Context())
	if err != nil {
		return casework.Submission{}, time.Time{}, nil, err
	}
	sub := form.submission(casework.RequestType(form.Type), false) // a letter's birth date goes in the subject's field
	sub.SpecificsRequired = false
	sub.Requester.Address = form.Address
	sub.EmailOptional = casework.Channel(form.Channel).EmailOptional()
	problems := map[string]string{}
	at, ok := form.receivedAt(settings.Location())
	if !ok {
		problems[casework.FieldReceivedAt] = "field.date"
	}
	if sub.Branch != "" && !memberOf(c).Scope().Allows(sub.Branch) {
		problems[casework.FieldBranch] = "field.branch_scope"
	}
	return sub, at, problems, nil
}

// allProblems adds the submission's own problems to those of the receipt,
// so that a form with a bad date also shows every other mistake at once.
func (s *Server) allProblems(c echo.Context, sub casework.Submission, problems map[string]string) map[string]string {
	ctx := c.Request().Context()
	branches, err := s.Store.Branches(ctx)
	if err != nil {
		return problems
	}
	codes := make([]string, len(branches))
	for i, b := range branches {
		codes[i] = b.Code
	}
	today, _, err := s.Cases.Today(ctx)
	if err != nil {
		return problems
	}
	_, more := sub.Validate(codes, today)
	for f, m := range more {
		if _, ok := problems[f]; !ok {
			problems[f] = m
		}
	}
	return problems
}

// withProblems merges the service's field problems into those found here.
func (s *Server) staffCaseCreate(c echo.Context) error {
	form := readStaffCaseForm(c)
	sub, at, problems, err := s.staffSubmission(c, form)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return s.renderStaffCaseForm(c, http.StatusUnprocessableEntity, form, "", s.allProblems(c, sub, problems))
	}
	k, _, err := s.Cases.Submit(c.Request().Context(), sub, casework.Intake{
		Channel: casework.Channel(form.Channel), ReceivedAt: at, IdempotencyKey: form.Idem, Actor: actorOf(c),
		DateOnly: form.ReceivedTime == ""})
	if p, invalid := withProblems(err, problems); invalid {
		return s.renderStaffCaseForm(c, http.StatusUnprocessableEntity, form, "", p)
	}
	if err != nil {
		return err
	}
	s.notifyMail()
	s.setFlash(c, "flash.registered")
	return c.Redirect(http.StatusSeeOther, "/staff/cases/"+k.Reference)
}

func (s *Server) staffCaseEdit(c echo.Context) error {
	ctx := c.Request().Context()
	k, err := s.Cases.Case(ctx, actorOf(c), c.Param("ref"))
	if err != nil {
		return err
	}
	settings, err := s.Store.Settings(ctx)
	if err != nil {
		return err
	}
	local := k.ReceivedAt.In(settings.Location())
	form := staffCaseForm{Type: string(k.Type), Channel: string(k.Channel), ReceivedOn: deadline.DateOf(local, settings.Location()).String(),
		ReceivedTime: local.Format("15:04"), Address: k.Requester.Address}
	if k.ReceivedDateOnly {
		form.ReceivedTime = ""
	}
	form.Name, form.Email, form.Phone, form.Relation = k.Requester.Name, k.Requester.Email, k.Requester.Phone, string(k.Requester.Relation)
	form.SubjectName, form.Branch, form.Details, form.Language = k.Subject.Name, k.Branch, k.Details, string(k.Language)
	if !k.Subject.BirthDate.IsZero() {
		form.BirthDate = k.Subject.BirthDate.String()
	}
	if dm := k.Specifics.DirectMarketing; dm != nil {
		form.DirectMarketing = map[bool]string{true: "yes", false: "no"}[*dm]
	}
	return s.renderStaffCaseForm(c, http.StatusOK, form, k.Reference, nil)
}

func (s *Server) staffCaseUpdate(c echo.Context) error {
	ref := c.Param("ref")
	if _, err := s.Cases.Case(c.Request().Context(), actorOf(c), ref); err != nil {
		return err
	}
	form := readStaffCaseForm(c)
	sub, at, problems, err := s.staffSubmission(c, form)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return s.renderStaffCaseForm(c, http.StatusUnprocessableEntity, form, ref, s.allProblems(c, sub, problems))
	}
	_, err = s.Cases.Correct(c.Request().Context(), actorOf(c), ref, casework.Correction{
		Submission: sub, ReceivedAt: at, Channel: casework.Channel(form.Channel), DateOnly: form.ReceivedTime == ""})
	if p, invalid := withProblems(err, problems); invalid {
		return s.renderStaffCaseForm(c, http.StatusUnprocessableEntity, form, ref, p)
	}
	if apperr.CodeOf(err) == apperr.Conflict {
		return s.renderStaffCaseForm(c, statusOf(apperr.Conflict), form, ref, map[string]string{casework.FieldType: apperr.As(err).Message})
	}
	if err != nil {
		return err
	}
	s.notifyMail()
	s.setFlash(c, "flash.corrected")
	return c.Redirect(http.StatusSeeOther, "/staff/cases/"+ref)
}
