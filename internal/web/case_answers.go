package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/answer"
	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/register"
)

// answerStore reads what the officer recorded for a case's answer.
type answerStore interface {
	// AccessStatement returns the access statement the officer edited for
	// case caseID; the zero Statement while the draft stands unedited.
	AccessStatement(ctx context.Context, caseID int64) (casework.Statement, error)
}

// caseAnswers is the case page's section on what the answer derives from:
// the register activities that concern the person and, on an access case,
// the statement of AVG art. 15(1)(a)–(h) drafted from them.
type caseAnswers struct {
	Activities choiceData
	// Chosen names the chosen activities, for a completed case.
	Chosen []string
	// NoneConcern: the officer recorded that none of the register's
	// activities concern the person (casework.Case.NoActivities).
	NoneConcern bool
	// NoRegister: the register has no activities to choose from.
	NoRegister bool
	Open       bool
	Access     bool
	// Statement is the text in the text area: as typed (a 422), as edited
	// and stored, or as drafted; Drafted says it is the draft.
	Statement  string
	Drafted    bool
	Approved   bool
	ApprovedBy string
	ApprovedAt string
}

// accessStatement returns the access statement of case k as it stands: the
// officer's approved text (approved true), or else their edited text, or
// else the draft from the chosen activities, the practice's settings and
// the case's language. The decision letter includes it.
func (s *Server) accessStatement(ctx context.Context, k casework.Case) (text string, approved bool, err error) {
	st, err := s.Store.AccessStatement(ctx, k.ID)
	if err != nil {
		return "", false, err
	}
	if st.Text != "" {
		return st.Text, st.Approved(), nil
	}
	text, err = s.draftStatement(ctx, k)
	return text, false, err
}

// draftStatement drafts the access statement of case k from the register.
func (s *Server) draftStatement(ctx context.Context, k casework.Case) (string, error) {
	settings, err := s.Store.Settings(ctx)
	if err != nil {
		return "", err
	}
	all, err := s.Store.Activities(ctx)
	if err != nil {
		return "", err
	}
	text, err := s.answers.Draft(answer.Input{Activities: answer.Chosen(all, k.Activities), Practice: settings, Language: k.Language})
	if err != nil {
		return "", apperr.Wrap(err, "error.internal")
	}
	return text, nil
}

// caseAnswers builds the section for case k; action and values are those
// of a step that failed (422), so typed input comes back as typed.
func (s *Server) caseAnswers(ctx context.Context, f formState, t tr, k casework.Case, action string, values map[string]string, loc *time.Location) (caseAnswers, error) {
	all, err := s.Store.Activities(ctx)
	if err != nil {
		return caseAnswers{}, err
	}
	chosen := k.Activities
	if action == "activities" {
		chosen = strings.Split(values["activities"], ",")
	}
	p := caseAnswers{NoRegister: len(all) == 0, Open: k.Status != casework.Completed && !k.Answered(), Access: k.Type == casework.Access,
		Activities: activityChoices(f, t, all, chosen), NoneConcern: k.NoActivities}
	for _, a := range answer.Chosen(all, k.Activities) {
		p.Chosen = append(p.Chosen, a.Name)
	}
	if !p.Access {
		return p, nil
	}
	st, err := s.Store.AccessStatement(ctx, k.ID)
	if err != nil {
		return caseAnswers{}, err
	}
	p.Statement, p.Approved, p.ApprovedBy = st.Text, st.Approved(), st.ApprovedBy
	if st.ApprovedAt != nil {
		p.ApprovedAt = lang.DateTime(t.Lang, *st.ApprovedAt, loc)
	}
	if st.Text == "" {
		if p.Statement, err = s.draftStatement(ctx, k); err != nil {
			return caseAnswers{}, err
		}
		p.Drafted = true
	}
	if action == "statement" {
		p.Statement = values["text"]
	}
	return p, nil
}

// activityChoices are the check boxes of the register's activities, each
// labelled with its name and legal basis.
func activityChoices(f formState, t tr, all []register.Activity, chosen []string) choiceData {
	d := choiceData{Name: "activities.activities", ID: inputID("activities.activities"), Label: t.T("answers.activities_label"),
		Hint: t.T("answers.activities_hint"), Type: "checkbox", Error: f.Errors["activities.activities"]}
	for _, a := range all {
		o := option{Value: a.Key, Label: a.Name + " — " + t.T("activities.basis."+string(a.LegalBasis))}
		for _, c := range chosen {
			o.Checked = o.Checked || c == a.Key
		}
		d.Options = append(d.Options, o)
	}
	return d
}

// registerKeys are the keys of the register's activities, in its order.
func (s *Server) registerKeys(ctx context.Context) ([]string, error) {
	all, err := s.Store.Activities(ctx)
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(all))
	for i, a := range all {
		keys[i] = a.Key
	}
	return keys, nil
}

// caseChooseActivities saves the ticked activities as one change; the
// button none (activities.none=yes) records instead that none of them
// concern the person, which goes with no activity ticked.
func (s *Server) caseChooseActivities() echo.HandlerFunc {
	read := func(c echo.Context, action string) map[string]string {
		return map[string]string{"activities": caseChecked(c, action, "activities"), "none": clean(c.FormValue(action + ".none"))}
	}
	return s.caseStep("activities", "flash.activities", read, func(c echo.Context, a casework.Actor, ref string, v map[string]string) error {
		var keys []string
		if v["activities"] != "" {
			keys = strings.Split(v["activities"], ",")
		}
		if v["none"] != "yes" {
			return s.chooseActivities(c.Request().Context(), a, ref, keys)
		}
		if len(keys) > 0 {
			return apperr.InvalidFields(map[string]string{"activities": "answers.none_and_chosen"})
		}
		c.Set(keyStepFlash, "flash.activities_none")
		_, err := s.Cases.ChooseNoActivities(c.Request().Context(), a, ref)
		return err
	})
}

func (s *Server) chooseActivities(ctx context.Context, a casework.Actor, ref string, keys []string) error {
	known, err := s.registerKeys(ctx)
	if err != nil {
		return err
	}
	_, err = s.Cases.ChooseActivities(ctx, a, ref, keys, known)
	return err
}

// caseSaveStatement stores the officer's text of the access statement;
// the approve button approves it too.
func (s *Server) caseSaveStatement() echo.HandlerFunc {
	read := func(c echo.Context, action string) map[string]string {
		// Not clean: a statement may be longer than the short fields' cap.
		return map[string]string{"text": strings.TrimSpace(c.FormValue(action + ".text")), "approve": c.FormValue(action + ".approve")}
	}
	return s.caseStep("statement", "flash.statement_saved", read, func(c echo.Context, a casework.Actor, ref string, v map[string]string) error {
		approve := v["approve"] == "yes"
		if _, err := s.Cases.SaveStatement(c.Request().Context(), a, ref, v["text"], approve); err != nil {
			return err
		}
		if approve {
			c.Set(keyStepFlash, "flash.statement_approved")
		}
		return nil
	})
}

// apiCaseActivities records the activities that concern the person:
// {"activities": ["client-file", "invoicing"]}; 422 with
// fields.activities for a key the register does not have. With
// {"activities": [], "none": true} it records that none of them do (422
// when activities are named too).
func (s *Server) apiCaseActivities(c echo.Context) error {
	var body struct {
		Activities []string `json:"activities"`
		None       bool     `json:"none"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	ctx := c.Request().Context()
	known, err := s.registerKeys(ctx)
	if err != nil {
		return err
	}
	var k casework.Case
	switch {
	case body.None && len(body.Activities) > 0:
		err = apperr.InvalidFields(map[string]string{"activities": "answers.none_and_chosen"})
	case body.None:
		k, err = s.Cases.ChooseNoActivities(ctx, actorOf(c), c.Param("reference"))
	default:
		k, err = s.Cases.ChooseActivities(ctx, actorOf(c), c.Param("reference"), body.Activities, known)
	}
	if err != nil {
		return err
	}
	return s.respondCase(c, http.StatusOK, k)
}

// apiAccessStatement answers with the access statement of an access case
// (409 for another right) as plain text in the case's language: the
// approved text, or else the current draft.
func (s *Server) apiAccessStatement(c echo.Context) error {
	ctx := c.Request().Context()
	k, err := s.Cases.Case(ctx, actorOf(c), c.Param("reference"))
	if err != nil {
		return err
	}
	if k.Type != casework.Access {
		return apperr.New(apperr.Conflict, "case.not_access")
	}
	text, _, err := s.accessStatement(ctx, k)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(text))
}
