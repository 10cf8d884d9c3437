package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/consent"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/register"
)

// consentStore keeps the consent registry (AVG art. 7); internal/store
// implements it.
type consentStore interface {
	// AddConsent returns Invalid with the fields of consent.Validate,
	// checked against the activity in the register.
	AddConsent(ctx context.Context, c consent.Consent, who audit.Entry) (consent.Consent, error)
	ConsentsByEmail(ctx context.Context, address string) ([]consent.Consent, error)
	ConsentsByName(ctx context.Context, name string) ([]consent.Consent, error)
	PersonConsents(ctx context.Context, p consent.Person) ([]consent.Consent, error)
	// CaseConsents returns the ids of the consents chosen on case caseID.
	CaseConsents(ctx context.Context, caseID int64) ([]int64, error)
}

// consentFieldOrder lists the consent form's fields, for the summary.
var consentFieldOrder = []string{"activity", "subject.name", "subject.birth_date", "email", "given_at", "given_by", "representative"}

// consentLine is a consent as the staff pages show it.
type consentLine struct {
	C        consent.Consent
	Activity string // the activity's name, or its key when it is gone
	Given    string // "10 januari 2026, door een ouder (Joris Oosterbroek)"
	Status   string // holds, or withdrawn as of a day
	Chosen   bool   // on a consent withdrawal: chosen to be withdrawn
}

// consentLines writes consents for a page, with their activities' names.
func consentLines(t tr, acts []register.Activity, cs []consent.Consent, chosen []int64) []consentLine {
	out := make([]consentLine, 0, len(cs))
	for _, k := range cs {
		l := consentLine{C: k, Activity: k.Activity, Chosen: slices.Contains(chosen, k.ID)}
		if i := slices.IndexFunc(acts, func(a register.Activity) bool { return a.Key == k.Activity }); i >= 0 {
			l.Activity = acts[i].Name
		}
		by := t.T("consents.given_by." + string(k.GivenBy))
		if k.RepresentativeName != "" {
			by += " (" + k.RepresentativeName + ")"
		}
		l.Given = t.T("consents.given_line", "Date", t.Date(k.GivenAt), "By", by)
		l.Status = t.T("consents.status.active")
		if k.Withdrawn() {
			l.Status = t.T("consents.status.withdrawn", "Date", t.Date(k.WithdrawnAt))
		}
		out = append(out, l)
	}
	return out
}

type consentsPage struct {
	base
	Query    string
	Searched bool
	Lines    []consentLine
}

// consentList searches the registry: an e-mail address finds the consents
// given with it, anything else the consents about a person of that name.
func (s *Server) consentList(c echo.Context) error {
	ctx := c.Request().Context()
	q := clean(c.QueryParam("q"))
	b := s.staffBase(c, "consents.title", "consents")
	p := consentsPage{base: b, Query: q, Searched: q != ""}
	if q == "" {
		return s.render(c, http.StatusOK, "staff_consents", p)
	}
	var found []consent.Consent
	var err error
	if strings.Contains(q, "@") {
		found, err = s.Store.ConsentsByEmail(ctx, q)
	} else {
		found, err = s.Store.ConsentsByName(ctx, q)
	}
	if err != nil {
		return err
	}
	if err := s.recordConsentSearch(c, strings.Contains(q, "@"), len(found)); err != nil {
		return err
	}
	acts, err := s.Store.Activities(ctx)
	if err != nil {
		return err
	}
	p.Lines = consentLines(b.Tr, acts, found, nil)
	return s.render(c, http.StatusOK, "staff_consents", p)
}

type consentFormPage struct {
	base
	formState
	formValues
	// Activities are the register's activities on consent: the only ones
	// a consent can be recorded for.
	Activities []register.Activity
	Givers     []string
}

func (s *Server) consentNew(c echo.Context) error {
	return s.renderConsentForm(c, http.StatusOK, url.Values{}, nil)
}

func (s *Server) renderConsentForm(c echo.Context, status int, v url.Values, problems map[string]string) error {
	acts, err := s.Store.Activities(c.Request().Context())
	if err != nil {
		return err
	}
	b := s.staffBase(c, "consents.new.title", "consents")
	p := consentFormPage{base: b, formState: newFormState(b.Tr, consentFieldOrder, problems), formValues: formValues{Values: v}}
	for _, a := range acts {
		if a.LegalBasis == register.Consent {
			p.Activities = append(p.Activities, a)
		}
	}
	for _, g := range consent.Givers {
		p.Givers = append(p.Givers, string(g))
	}
	return s.render(c, status, "staff_consent_form", p)
}

// consentForm is a consent as a form or the API gives it: dates as typed.
type consentForm struct {
	Activity string `json:"activity"`
	Subject  struct {
		Name      string `json:"name"`
		BirthDate string `json:"birth_date"`
	} `json:"subject"`
	Email          string `json:"email"`
	GivenAt        string `json:"given_at"`
	GivenBy        string `json:"given_by"`
	Representative string `json:"representative"`
}

// consent reads f; a date that is not one is a problem of its field.
func (f consentForm) consent() (consent.Consent, map[string]string) {
	p := map[string]string{}
	date := func(field, v string) deadline.Date {
		v = strings.TrimSpace(v)
		if v == "" {
			return deadline.Date{}
		}
		d, err := deadline.ParseDate(v)
		if err != nil {
			p[field] = "field.date"
		}
		return d
	}
	return consent.Consent{Activity: f.Activity, Subject: consent.Subject{Name: f.Subject.Name, BirthDate: date("subject.birth_date", f.Subject.BirthDate)},
		Email: f.Email, GivenAt: date("given_at", f.GivenAt), GivenBy: consent.GivenBy(f.GivenBy), RepresentativeName: f.Representative}, p
}

// addConsent records the consent of f as the caller.
func (s *Server) addConsent(c echo.Context, f consentForm) (consent.Consent, error) {
	k, p := f.consent()
	if len(p) > 0 {
		return consent.Consent{}, apperr.InvalidFields(p)
	}
	return s.Store.AddConsent(c.Request().Context(), k, s.auditWho(c))
}

func (s *Server) consentCreate(c echo.Context) error {
	v, err := c.FormParams()
	if err != nil {
		return apperr.New(apperr.Malformed, "error.malformed")
	}
	var f consentForm
	f.Activity, f.Subject.Name, f.Subject.BirthDate = clean(v.Get("activity")), clean(v.Get("subject.name")), clean(v.Get("subject.birth_date"))
	f.Email, f.GivenAt, f.GivenBy, f.Representative = clean(v.Get("email")), clean(v.Get("given_at")), clean(v.Get("given_by")), clean(v.Get("representative"))
	k, err := s.addConsent(c, f)
	if status, p, again := formProblems(nil, err); again {
		return s.renderConsentForm(c, status, v, p)
	} else if err != nil {
		return err
	}
	s.setFlash(c, "flash.consent_saved")
	return c.Redirect(http.StatusSeeOther, "/staff/consents?q="+url.QueryEscape(k.Email))
}

// caseConsents is the consent section of a consent-withdrawal case: the
// person's consents, the chosen ones ticked, and the day the decision
// withdraws them as of (the receipt, DOMAIN.md §8).
type caseConsents struct {
	Lines []consentLine
	Open  bool // the case is open: the choice can change
	AsOf  deadline.Date
}

// caseConsentsOf returns the consent section of case k; nil for a case
// that is not a consent withdrawal.
func (s *Server) caseConsentsOf(ctx context.Context, t tr, k casework.Case) (*caseConsents, error) {
	if k.Type != casework.ConsentWithdrawal {
		return nil, nil
	}
	mine, err := s.Store.PersonConsents(ctx, consent.PersonOf(k))
	if err != nil {
		return nil, err
	}
	chosen, err := s.Store.CaseConsents(ctx, k.ID)
	if err != nil {
		return nil, err
	}
	acts, err := s.Store.Activities(ctx)
	if err != nil {
		return nil, err
	}
	return &caseConsents{Lines: consentLines(t, acts, mine, chosen), Open: k.Status != casework.Completed, AsOf: k.ReceivedOn}, nil
}

// consentIDs reads ids of consents; false when one is not a number.
func consentIDs(vs []string) ([]int64, bool) {
	ids := make([]int64, 0, len(vs))
	for _, v := range vs {
		id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return nil, false
		}
		ids = append(ids, id)
	}
	return ids, true
}

// caseChooseConsents saves the consents a consent withdrawal withdraws,
// from the check boxes of the case page.
func (s *Server) caseChooseConsents() echo.HandlerFunc {
	return s.caseStep("consents", "flash.consents_chosen", func(c echo.Context, action string) map[string]string {
		form, _ := c.FormParams()
		return map[string]string{"ids": strings.Join(form[action+".ids"], " ")}
	}, func(c echo.Context, a casework.Actor, ref string, v map[string]string) error {
		ids, ok := consentIDs(strings.Fields(v["ids"]))
		if !ok {
			return apperr.InvalidFields(map[string]string{"consents": "field.choose"})
		}
		_, err := s.Cases.Apply(c.Request().Context(), a, ref, casework.ChooseConsents(ids))
		return err
	})
}

// consentView is a consent as the API shows it (API.md).
type consentView struct {
	ID       int64  `json:"id"`
	Activity string `json:"activity"`
	Subject  struct {
		Name      string `json:"name"`
		BirthDate string `json:"birth_date"`
	} `json:"subject"`
	Email          string  `json:"email"`
	GivenAt        string  `json:"given_at"`
	GivenBy        string  `json:"given_by"`
	Representative *string `json:"representative"`
	WithdrawnAt    *string `json:"withdrawn_at"`
	// WithdrawnCase is the reference of the case that withdrew it.
	WithdrawnCase *string `json:"withdrawn_case"`
}

func viewOfConsent(k consent.Consent) consentView {
	v := consentView{ID: k.ID, Activity: k.Activity, Email: k.Email, GivenAt: k.GivenAt.String(), GivenBy: string(k.GivenBy),
		Representative: optional(k.RepresentativeName), WithdrawnCase: optional(k.WithdrawnCase)}
	v.Subject.Name, v.Subject.BirthDate = k.Subject.Name, k.Subject.BirthDate.String()
	if k.Withdrawn() {
		v.WithdrawnAt = optional(k.WithdrawnAt.String())
	}
	return v
}

type consentsView struct {
	Consents []consentView `json:"consents"`
}

func (s *Server) apiConsents(c echo.Context) error {
	address := strings.TrimSpace(c.QueryParam("email"))
	if address == "" {
		return apperr.InvalidFields(map[string]string{"email": "field.required"})
	}
	found, err := s.Store.ConsentsByEmail(c.Request().Context(), address)
	if err != nil {
		return err
	}
	if err := s.recordConsentSearch(c, true, len(found)); err != nil {
		return err
	}
	out := consentsView{Consents: make([]consentView, 0, len(found))}
	for _, k := range found {
		out.Consents = append(out.Consents, viewOfConsent(k))
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiCreateConsent(c echo.Context) error {
	var f consentForm
	if err := decodeJSON(c, &f); err != nil {
		return err
	}
	k, err := s.addConsent(c, f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, viewOfConsent(k))
}

// apiCaseConsents chooses the consents a consent withdrawal withdraws:
// 409 for another request type or a completed case, 422 for an id that is
// not one of the person's consents.
func (s *Server) apiCaseConsents(c echo.Context) error {
	var body struct {
		Consents *[]int64 `json:"consents"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	if body.Consents == nil {
		return apperr.InvalidFields(map[string]string{"consents": "field.required"})
	}
	k, err := s.Cases.Apply(c.Request().Context(), actorOf(c), c.Param("reference"), casework.ChooseConsents(*body.Consents))
	if err != nil {
		return err
	}
	return s.respondCase(c, http.StatusOK, k)
}

// recordConsentSearch audits a search of the consent registry
// (audit.ConsentSearch): by e-mail address or by name, and how many
// consents it found; never what was searched for.
func (s *Server) recordConsentSearch(c echo.Context, byEmail bool, found int) error {
	by := "name"
	if byEmail {
		by = "email"
	}
	return s.record(c, audit.ConsentSearch, "", "by="+by+" found="+strconv.Itoa(found))
}
