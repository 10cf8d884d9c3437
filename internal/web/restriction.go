package web

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/register"
)

// restrictionLine is an activity chosen on a restriction case, marked when
// its processing is restricted.
type restrictionLine struct {
	Name       string
	Restricted bool
}

// caseRestriction is the section of a restriction case (AVG art. 18): what
// is restricted, the form to record it while the case is open, and the
// announcement of its lifting (art. 18(3)).
type caseRestriction struct {
	// Record is the restriction as recorded; nil before.
	Record *casework.RestrictionRecord
	// Lines are the chosen activities, the restricted ones marked.
	Lines []restrictionLine
	// Ground, Period and State say in words what is recorded; Lifting is
	// the announced lifting ("" before), UntilPassed that the end day has
	// passed without a lifting announced, Outdated that the activities
	// were chosen anew since it was recorded.
	Ground, Period, State, Lifting string
	InForce, UntilPassed, Outdated bool
	// Open: the restriction can be recorded or changed; NoActivities:
	// there are no chosen activities to restrict yet.
	Open, NoActivities bool
	Activities         choiceData
	Data, From, Until  fieldData
	UntilEvent         fieldData
	GroundChoice       choiceData
	// CanLift: the lifting can be announced; Notice says how the requester
	// is told.
	CanLift         bool
	Notice          string
	LiftOn, LiftWhy fieldData
}

// activityNameMap maps register keys to the activities' names.
func activityNameMap(all []register.Activity) map[string]string {
	names := make(map[string]string, len(all))
	for _, a := range all {
		names[a.Key] = a.Name
	}
	return names
}

// caseRestrictionOf returns the restriction section of case k on today;
// nil for a case that is not a restriction. action and values are those of
// a step that failed (422), so what was typed comes back.
func (s *Server) caseRestrictionOf(ctx context.Context, f formState, t tr, k casework.Case, action string, values map[string]string, today deadline.Date) (*caseRestriction, error) {
	if k.Type != casework.Restriction {
		return nil, nil
	}
	all, err := s.Store.Activities(ctx)
	if err != nil {
		return nil, err
	}
	names := activityNameMap(all)
	r := k.Restriction
	p := &caseRestriction{Record: r, NoActivities: len(k.Activities) == 0, InForce: k.RestrictionInForce(today),
		Open: k.Status != casework.Completed && (r == nil || !r.Announced())}
	for _, key := range k.Activities {
		p.Lines = append(p.Lines, restrictionLine{Name: cmp.Or(names[key], key), Restricted: r != nil && r.Restricts(key)})
	}
	if r != nil {
		p.Ground = t.T("restriction.ground." + r.Ground)
		p.Period = restrictionPeriod(t, *r)
		p.State = t.T("restriction.state.recorded")
		switch {
		case r.Lifted(today):
			p.State = t.T("restriction.state.lifted", "Date", dateText(t, r.LiftOn))
		case p.InForce:
			p.State = t.T("restriction.state.in_force")
		}
		if r.Announced() {
			p.Lifting = t.T("restriction.lifting.announced", "Date", dateText(t, r.LiftOn))
		}
		if end, err := deadline.ParseDate(r.Until); err == nil && today.After(end) && !r.Announced() {
			p.UntilPassed = true
		}
		p.Outdated = !k.RestrictionRecorded() && k.Status != casework.Completed
		p.CanLift = !r.Announced() && k.Outcome != casework.Refused && k.Outcome != casework.Withdrawn
	}
	v := restrictionValues(k, r, today)
	if action == "restriction" {
		v = values
	}
	p.Activities = choiceData{Name: "restriction.activities", ID: inputID("restriction.activities"), Label: t.T("restriction.activities_label"),
		Hint: t.T("restriction.activities_hint"), Type: "checkbox", Error: f.Errors["restriction.activities"]}
	chosen := strings.Split(v["activities"], ",")
	for i, key := range k.Activities {
		p.Activities.Options = append(p.Activities.Options, option{Value: key, Label: p.Lines[i].Name, Checked: slices.Contains(chosen, key)})
	}
	p.Data = f.Field("restriction.data", "restriction.data_label", "textarea", v["data"], "restriction.data_hint", "", true)
	p.GroundChoice = f.Radio("restriction.ground", "restriction.ground_label", "restriction.ground", casework.RestrictionRecordGrounds, v["ground"])
	p.From = f.Field("restriction.from", "restriction.from_label", "date", v["from"], "", "", true)
	p.Until = f.ConditionalField("restriction.until", "restriction.until_label", "date", v["until"], "restriction.until_hint")
	p.UntilEvent = f.ConditionalField("restriction.until_event", "restriction.until_event_label", "text", v["until_event"], "restriction.until_event_hint")
	lift := map[string]string{}
	if action == "lifting" {
		lift = values
	}
	p.LiftOn = f.Field("lifting.on", "restriction.lifting.on_label", "date", lift["on"], "restriction.lifting.on_hint", "", true)
	p.LiftWhy = f.Field("lifting.reason", "restriction.lifting.reason_label", "textarea", lift["reason"], "restriction.lifting.reason_hint", "", true)
	p.Notice = t.T("restriction.lifting.notice_mail")
	if k.ByPost() {
		p.Notice = t.T("restriction.lifting.notice_post")
	}
	return p, nil
}

// restrictionValues are the form's values for record r of case k: the
// record's, or before one is recorded, what the requester asked for on the
// form, from today.
func restrictionValues(k casework.Case, r *casework.RestrictionRecord, today deadline.Date) map[string]string {
	if r == nil {
		return map[string]string{"activities": strings.Join(k.Activities, ","), "data": k.Specifics.RestrictionData,
			"ground": k.Specifics.RequestedRestriction(), "from": today.String()}
	}
	return map[string]string{"activities": strings.Join(r.Keys(), ","), "data": r.Data, "ground": r.Ground, "from": r.From,
		"until": r.Until, "until_event": r.UntilEvent}
}

// restrictionPeriod says from when until when r holds.
func restrictionPeriod(t tr, r casework.RestrictionRecord) string {
	if r.Until != "" {
		return t.T("restriction.period.until", "From", dateText(t, r.From), "Until", dateText(t, r.Until))
	}
	return t.T("restriction.period.until_event", "From", dateText(t, r.From), "Event", r.UntilEvent)
}

// dateText is day s (YYYY-MM-DD) as people read it; s itself when it is
// no day.
func dateText(t tr, s string) string {
	if d, err := deadline.ParseDate(s); err == nil {
		return t.Date(d)
	}
	return s
}

// restrictionOf is r as typed, each activity named as the register names
// it now.
func (s *Server) restrictionOf(ctx context.Context, keys []string, r casework.RestrictionRecord) (casework.RestrictionRecord, error) {
	all, err := s.Store.Activities(ctx)
	if err != nil {
		return r, err
	}
	names := activityNameMap(all)
	for _, k := range keys {
		if k = strings.TrimSpace(k); k != "" {
			r.Activities = append(r.Activities, casework.RestrictedActivity{Key: k, Name: names[k]})
		}
	}
	return r, nil
}

// caseSaveRestriction records the restriction from the case page's form.
func (s *Server) caseSaveRestriction() echo.HandlerFunc {
	read := func(c echo.Context, action string) map[string]string {
		v := caseFields("data", "ground", "from", "until", "until_event")(c, action)
		v["activities"] = caseChecked(c, action, "activities")
		return v
	}
	return s.caseStep("restriction", "flash.restriction_saved", read, func(c echo.Context, a casework.Actor, ref string, v map[string]string) error {
		ctx := c.Request().Context()
		r, err := s.restrictionOf(ctx, strings.Split(v["activities"], ","), casework.RestrictionRecord{Data: v["data"], Ground: v["ground"],
			From: v["from"], Until: v["until"], UntilEvent: v["until_event"]})
		if err != nil {
			return err
		}
		_, err = s.Cases.Apply(ctx, a, ref, casework.SaveRestriction(r))
		return err
	})
}

// caseAnnounceLifting announces the lifting of the restriction to the
// requester (AVG art. 18(3)) in one transaction with the mail that tells
// them; a case by post gets the letter to print instead.
func (s *Server) caseAnnounceLifting() echo.HandlerFunc {
	return s.caseStep("lifting", "flash.restriction_lifting", caseFields("on", "reason"), func(c echo.Context, a casework.Actor, ref string, v map[string]string) error {
		announce := casework.AnnounceLifting(v["on"], v["reason"])
		_, err := s.Cases.Apply(c.Request().Context(), a, ref, func(k *casework.Case, env casework.Env) (casework.Change, error) {
			ch, err := announce(k, env)
			if err != nil {
				return ch, err
			}
			return s.Cases.WithMail(ch, *k, s.Letters.RestrictionLifting)
		})
		return err
	})
}

// restrictionInput is a restriction as the API takes it (API.md, PUT
// …/restriction).
type restrictionInput struct {
	Activities []string `json:"activities"`
	Data       string   `json:"data"`
	Ground     string   `json:"ground"`
	From       string   `json:"from"`
	Until      string   `json:"until"`
	UntilEvent string   `json:"until_event"`
}

// restrictionView is a restriction as the API shows it: the input, and
// the day its lifting was announced for.
type restrictionView struct {
	Activities []string `json:"activities"`
	Data       string   `json:"data"`
	Ground     string   `json:"ground"`
	From       string   `json:"from"`
	Until      string   `json:"until,omitempty"`
	UntilEvent string   `json:"until_event,omitempty"`
	LiftOn     string   `json:"lift_on,omitempty"`
}

func viewOfRestriction(r *casework.RestrictionRecord) *restrictionView {
	if r == nil {
		return nil
	}
	return &restrictionView{Activities: r.Keys(), Data: r.Data, Ground: r.Ground, From: r.From, Until: r.Until,
		UntilEvent: r.UntilEvent, LiftOn: r.LiftOn}
}

// apiCaseRestriction records the restriction of a restriction case: 409
// for another request type, a completed case or an announced lifting, 422
// with the fields at fault.
func (s *Server) apiCaseRestriction(c echo.Context) error {
	var body restrictionInput
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	ctx := c.Request().Context()
	r, err := s.restrictionOf(ctx, body.Activities, casework.RestrictionRecord{Data: body.Data, Ground: body.Ground,
		From: body.From, Until: body.Until, UntilEvent: body.UntilEvent})
	if err != nil {
		return err
	}
	k, err := s.Cases.Apply(ctx, actorOf(c), c.Param("reference"), casework.SaveRestriction(r))
	if err != nil {
		return err
	}
	return s.respondCase(c, http.StatusOK, k)
}
