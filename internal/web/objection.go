package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/register"
)

// objectionStore reads the register of marketing stops (AVG art. 21(3));
// internal/store implements it.
type objectionStore interface {
	// ActivityStops returns the stops of the activity key, oldest first;
	// with address set, only those for that e-mail address.
	ActivityStops(ctx context.Context, key, address string) ([]casework.MarketingStop, error)
}

// objectionView is the objection record as the API reads it (PUT
// …/objection): from is the day a stop of direct marketing took effect,
// left out otherwise.
type objectionView struct {
	Activities       []string `json:"activities"`
	DirectMarketing  bool     `json:"direct_marketing"`
	From             string   `json:"from,omitempty"`
	RequesterGrounds string   `json:"requester_grounds"`
	PracticeGrounds  string   `json:"practice_grounds"`
	Outcome          string   `json:"outcome"`
}

// objectionViewOf is the record of k for the API; nil without one.
func objectionViewOf(k casework.Case) *objectionView {
	o := k.Objection
	if k.Type != casework.Objection || o == nil {
		return nil
	}
	v := &objectionView{Activities: o.Keys(), DirectMarketing: o.DirectMarketing, RequesterGrounds: o.RequesterGrounds,
		PracticeGrounds: o.PracticeGrounds, Outcome: string(o.Outcome)}
	if !o.From.IsZero() {
		v.From = o.From.String()
	}
	return v
}

// objectedActivities describes the activities keys as the register has
// them now; a key it does not have keeps only its key (the validation
// refuses it as not chosen).
func objectedActivities(all []register.Activity, keys []string) []casework.ObjectedActivity {
	out := make([]casework.ObjectedActivity, len(keys))
	for i, k := range keys {
		out[i] = casework.ObjectedActivity{Key: k}
		if j := slices.IndexFunc(all, func(a register.Activity) bool { return a.Key == k }); j >= 0 {
			a := all[j]
			out[i] = casework.ObjectedActivity{Key: k, Name: a.Name, DirectMarketing: a.DirectMarketing, Objectable: a.LegalBasis.Objectable()}
		}
	}
	return out
}

// saveObjection records the objection o (its activities by key) on the
// case ref, with the activities as the register has them now.
func (s *Server) saveObjection(ctx context.Context, a casework.Actor, ref string, keys []string, o casework.ObjectionRecord) (casework.Case, error) {
	all, err := s.Store.Activities(ctx)
	if err != nil {
		return casework.Case{}, err
	}
	o.Activities = objectedActivities(all, keys)
	return s.Cases.Apply(ctx, a, ref, casework.SaveObjection(o))
}

// apiCaseObjection records the objection of an objection case: 409 for
// another request type or a completed case, 422 with the fields at fault.
// An objection to direct marketing marks the activities for the person at
// once (GET /api/v1/activities/{key}/stops).
func (s *Server) apiCaseObjection(c echo.Context) error {
	var body struct {
		Activities       *[]string `json:"activities"`
		RequesterGrounds string    `json:"requester_grounds"`
		PracticeGrounds  string    `json:"practice_grounds"`
		Outcome          string    `json:"outcome"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	if body.Activities == nil {
		return apperr.InvalidFields(map[string]string{"activities": "field.required"})
	}
	k, err := s.saveObjection(c.Request().Context(), actorOf(c), c.Param("reference"), *body.Activities, casework.ObjectionRecord{
		RequesterGrounds: body.RequesterGrounds, PracticeGrounds: body.PracticeGrounds, Outcome: casework.ObjectionOutcome(body.Outcome)})
	if err != nil {
		return err
	}
	return s.respondCase(c, http.StatusOK, k)
}

// stopView is a marketing stop as the API lists it: who must not be
// approached, from when, and through which request.
type stopView struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	From  string `json:"from"`
	Case  string `json:"case"`
}

// apiActivityStops lists the people who must not be approached for the
// activity (art. 21(3)), for a mailing tool to leave out; ?email= asks
// about one address. 404 for an activity the register does not have.
func (s *Server) apiActivityStops(c echo.Context) error {
	ctx := c.Request().Context()
	a, err := s.Store.Activity(ctx, c.Param("key"))
	if err != nil {
		return err
	}
	address := strings.TrimSpace(c.QueryParam("email"))
	stops, err := s.Store.ActivityStops(ctx, a.Key, address)
	if err != nil {
		return err
	}
	if err := s.recordStopsView(c, a, len(stops), address != ""); err != nil {
		return err
	}
	out := struct {
		Activity string     `json:"activity"`
		Stops    []stopView `json:"stops"`
	}{Activity: a.Key, Stops: make([]stopView, 0, len(stops))}
	for _, st := range stops {
		out.Stops = append(out.Stops, stopView{Name: st.Name, Email: st.Email, From: st.From.String(), Case: st.Case})
	}
	return c.JSON(http.StatusOK, out)
}

// recordStopsView audits that the people activity a must not approach
// were read (audit.StopsView): how many, and whether one address was
// looked up.
func (s *Server) recordStopsView(c echo.Context, a register.Activity, found int, byEmail bool) error {
	detail := "key=" + a.Key + " found=" + strconv.Itoa(found)
	if byEmail {
		detail += " by=email"
	}
	return s.record(c, audit.StopsView, "", detail)
}

// activityStops are the people a direct-marketing activity must not
// approach, for the register's activity page (audited); nil for another
// activity.
func (s *Server) activityStops(c echo.Context, a register.Activity) ([]casework.MarketingStop, error) {
	if !a.DirectMarketing {
		return nil, nil
	}
	stops, err := s.Store.ActivityStops(c.Request().Context(), a.Key, "")
	if err != nil {
		return nil, err
	}
	if stops == nil {
		stops = []casework.MarketingStop{}
	}
	return stops, s.recordStopsView(c, a, len(stops), false)
}

// caseObjection is the objection section of an objection case: the form
// while the case is open, the record once it is completed.
type caseObjection struct {
	Open bool
	// DirectMarketing: the intake says the objection is to direct
	// marketing, which stops from From, the day of receipt, with no
	// balancing.
	DirectMarketing bool
	From            deadline.Date
	// NoActivities: no activity is chosen on the case yet; NoMarketing:
	// on an objection to direct marketing, none of those chosen is direct
	// marketing in the register.
	NoActivities, NoMarketing bool
	Activities                choiceData
	Requester                 fieldData
	Practice                  fieldData
	Outcome                   choiceData
	Record                    *casework.ObjectionRecord
}

// caseObjectionOf returns the objection section of case k; nil for a case
// that is not an objection. The activities offered are those chosen on the
// case; before anything is recorded, on an objection to direct marketing,
// its direct-marketing activities come ticked, and only those are offered.
// After a refused save the form shows what was typed.
func (s *Server) caseObjectionOf(ctx context.Context, f formState, t tr, k casework.Case, action string, values map[string]string) (*caseObjection, error) {
	if k.Type != casework.Objection {
		return nil, nil
	}
	all, err := s.Store.Activities(ctx)
	if err != nil {
		return nil, err
	}
	p := &caseObjection{Open: k.Status != casework.Completed, DirectMarketing: k.ImmediateEffect(), From: k.EffectiveFrom(),
		NoActivities: len(k.Activities) == 0, Record: k.Objection}
	chosen, requester, practice, outcome := []string(nil), k.Specifics.Grounds, "", ""
	switch {
	case action == "objection":
		chosen = checkedKeys(values["activities"])
		requester, practice, outcome = values["requester_grounds"], values["practice_grounds"], values["outcome"]
	case k.Objection != nil:
		chosen = k.Objection.Keys()
		requester, practice, outcome = k.Objection.RequesterGrounds, k.Objection.PracticeGrounds, string(k.Objection.Outcome)
	case p.DirectMarketing:
		for _, a := range objectedActivities(all, k.Activities) {
			if a.DirectMarketing {
				chosen = append(chosen, a.Key)
			}
		}
	}
	p.Activities = choiceData{Name: "objection.activities", ID: inputID("objection.activities"), Label: t.T("objection.case.activities"),
		Hint: t.T("objection.case.activities_hint"), Type: "checkbox", Error: f.Errors["objection.activities"]}
	for _, a := range all {
		if !slices.Contains(k.Activities, a.Key) || (p.DirectMarketing && !a.DirectMarketing) {
			continue
		}
		label := a.Name + " — " + t.T("activities.basis."+string(a.LegalBasis))
		if a.DirectMarketing {
			label = a.Name + " — " + t.T("objection.case.marketing_mark")
		}
		p.Activities.Options = append(p.Activities.Options, option{Value: a.Key, Label: label, Checked: slices.Contains(chosen, a.Key)})
	}
	p.NoMarketing = p.DirectMarketing && !p.NoActivities && len(p.Activities.Options) == 0
	// The requester's grounds are needed for the balancing, never for
	// direct marketing.
	p.Requester = f.ConditionalField("objection.requester_grounds", "objection.case.requester_grounds", "textarea", requester,
		"objection.case.requester_grounds_weighed")
	if p.DirectMarketing {
		p.Requester = f.Field("objection.requester_grounds", "objection.case.requester_grounds", "textarea", requester,
			"objection.case.requester_grounds_hint", "", false)
	}
	p.Practice = f.ConditionalField("objection.practice_grounds", "objection.case.practice_grounds", "textarea", practice,
		"objection.case.practice_grounds_hint")
	p.Outcome = f.Radio("objection.outcome", "objection.case.outcome", "objection.outcome", casework.ObjectionOutcomes, outcome)
	return p, nil
}

// caseSaveObjection records the objection from the case page.
func (s *Server) caseSaveObjection() echo.HandlerFunc {
	read := func(c echo.Context, action string) map[string]string {
		return map[string]string{"activities": caseChecked(c, action, "activities"), "outcome": clean(c.FormValue(action + ".outcome")),
			"requester_grounds": clean(c.FormValue(action + ".requester_grounds")),
			"practice_grounds":  clean(c.FormValue(action + ".practice_grounds"))}
	}
	return s.caseStep("objection", "flash.objection_saved", read, func(c echo.Context, a casework.Actor, ref string, v map[string]string) error {
		_, err := s.saveObjection(c.Request().Context(), a, ref, checkedKeys(v["activities"]), casework.ObjectionRecord{
			RequesterGrounds: v["requester_grounds"], PracticeGrounds: v["practice_grounds"], Outcome: casework.ObjectionOutcome(v["outcome"])})
		return err
	})
}
