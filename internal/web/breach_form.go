package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/practice"
)

// The steps in which a breach's register entry is edited. A new breach
// starts with the facts.
const (
	stepFacts    = "facts"    // what happened and when
	stepData     = "data"     // which data, whose, how many
	stepMeasures = "measures" // protection before, consequences, measures
)

var breachSteps = []string{stepFacts, stepData, stepMeasures}

// stepFields lists each step's form fields in the order of the page, for the
// error summary. The names are the API's JSON keys, as the problems of
// breach.Breach.Validate are.
var stepFields = map[string][]string{
	stepFacts: {"title", "branch", "aware_at", "started_at", "ended_at", "ongoing", "how_discovered", "reported_by",
		"kinds", "incident_type", "incident_other", "description", "late_reason"},
	stepData: {"data_categories", "data_other", "special_categories", "records.exact", "records.min", "records.max",
		"affected_groups", "people_description", "people.exact", "people.min", "people.max",
		"people_in_other_countries", "countries", "other_authorities_informed", "foreign_authorities_informed"},
	stepMeasures: {"measures_before.encrypted", "measures_before.hashed", "measures_before.otherwise_unintelligible",
		"measures_before.text", "consequences", "measures_taken", "measures_planned",
		"processors", "not_informed_reason"},
}

// breachFormPage is one step of a breach's entry, or the form for a new one.
type breachFormPage struct {
	base
	formState
	Step      string
	Steps     []string
	New       bool
	Reference string
	Action    string
	formValues
	Branches  []practice.Branch
	Kinds     []string
	Incidents []string
	Cats      []string
	Specials  []string
	Groups    []string
	Late      bool // the 72 hours have passed: the delay needs a reason
}

// Moments lists the optional moments of the facts step.
func (p breachFormPage) Moments() []string { return []string{"started_at", "ended_at"} }

// Flags lists the protections a breach's data may have had.
func (p breachFormPage) Flags() []string {
	return []string{"encrypted", "hashed", "otherwise_unintelligible"}
}

// Answers are the choices of a yes-or-no question that may not have been
// answered yet (breach.Answer).
func (p breachFormPage) Answers() []string { return answerChoices }

var answerChoices = []string{"yes", "no", "unknown"}

// answerValue writes a as the value of its radio buttons.
func answerValue(a breach.Answer) string {
	if a == breach.Unanswered {
		return "unknown"
	}
	return string(a)
}

// readAnswer reads the radio buttons of field name: nothing chosen is
// unknown, never "no".
func readAnswer(v url.Values, name string, p map[string]string) breach.Answer {
	switch x := v.Get(name); x {
	case "", "unknown":
		return breach.Unanswered
	case "yes", "no":
		return breach.Answer(x)
	}
	p[name] = "field.choose"
	return breach.Unanswered
}

// countField is what the "breach_count" partial needs: a number known
// exactly or as a range, in three fields.
type countField struct {
	Name, Legend, Hint, Exact, Min, Max, Error string
	ExactLabel, MinLabel, MaxLabel, Or         string
}

// CountField describes the count field name (records or people).
func (p breachFormPage) CountField(name string) countField {
	f := countField{Name: name, Legend: p.tr.T("breach.field." + name), Hint: p.tr.T("breach.hint.count"),
		Exact: p.V(name + ".exact"), Min: p.V(name + ".min"), Max: p.V(name + ".max"),
		ExactLabel: p.tr.T("breach.count.exact"), MinLabel: p.tr.T("breach.count.min"), MaxLabel: p.tr.T("breach.count.max"),
		Or: p.tr.T("breach.count.or")}
	for _, suffix := range []string{".exact", ".min", ".max"} {
		if e := p.Errors[name+suffix]; e != "" && f.Error == "" {
			f.Error = e
		}
	}
	return f
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// countValues writes a Count into the form's three fields.
func countValues(v url.Values, field string, c breach.Count) {
	for suffix, n := range map[string]*int{".exact": c.Exact, ".min": c.Min, ".max": c.Max} {
		if n != nil {
			v.Set(field+suffix, strconv.Itoa(*n))
		}
	}
}

// breachValues fills the form fields of every step from b.
func breachValues(b breach.Breach, loc *time.Location) url.Values {
	v := url.Values{}
	set := func(k, x string) {
		if x != "" {
			v.Set(k, x)
		}
	}
	set("title", b.Title)
	set("branch", b.Branch)
	day, tm := dayAndTime(&b.AwareAt, loc)
	set("aware_at", day)
	set("aware_at_time", tm)
	day, tm = dayAndTime(b.StartedAt, loc)
	set("started_at", day)
	set("started_at_time", tm)
	day, tm = dayAndTime(b.EndedAt, loc)
	set("ended_at", day)
	set("ended_at_time", tm)
	v.Set("ongoing", answerValue(b.Ongoing))
	set("how_discovered", b.HowDiscovered)
	set("reported_by", b.ReportedBy)
	v["kinds"] = strs(b.Kinds)
	set("incident_type", string(b.Incident))
	set("incident_other", b.IncidentOther)
	set("description", b.Description)
	set("late_reason", b.LateReason)
	v["data_categories"] = b.DataCategories
	set("data_other", b.DataOther)
	v["special_categories"] = b.SpecialCategories
	countValues(v, "records", b.Records)
	v["affected_groups"] = b.AffectedGroups
	set("people_description", b.PeopleDescription)
	countValues(v, "people", b.People)
	v.Set("people_in_other_countries", answerValue(b.PeopleInOtherCountries))
	set("countries", b.Countries)
	set("other_authorities_informed", b.OtherAuthoritiesInformed)
	set("foreign_authorities_informed", b.ForeignAuthoritiesInformed)
	v.Set("measures_before.encrypted", answerValue(b.MeasuresBefore.Encrypted))
	v.Set("measures_before.hashed", answerValue(b.MeasuresBefore.Hashed))
	v.Set("measures_before.otherwise_unintelligible", answerValue(b.MeasuresBefore.OtherwiseUnintelligible))
	set("measures_before.text", b.MeasuresBefore.Text)
	set("consequences", b.Consequences)
	set("measures_taken", b.MeasuresTaken)
	set("measures_planned", b.MeasuresPlanned)
	set("processors", b.Processors)
	set("not_informed_reason", b.NotInformedReason)
	return v
}

// readBreachValues reads the posted fields of step, as typed.
func readBreachValues(c echo.Context, step string) url.Values {
	form, _ := c.FormParams()
	v := url.Values{}
	names := append(slices.Clone(stepFields[step]), "aware_at_time", "started_at_time", "ended_at_time")
	for _, k := range names {
		for i, x := range form[k] {
			if i >= 20 { // more than any list of choices has
				break
			}
			v.Add(k, cleanText(x))
		}
	}
	return v
}

// readCount reads a Count from the form's three fields.
func readCount(v url.Values, field string, p map[string]string) breach.Count {
	var c breach.Count
	for suffix, into := range map[string]**int{".exact": &c.Exact, ".min": &c.Min, ".max": &c.Max} {
		s := v.Get(field + suffix)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			p[field+suffix] = "breach.number"
			continue
		}
		*into = &n
	}
	return c
}

// readMoment reads the day and time fields of name; nil when both are empty.
func readMoment(v url.Values, name string, loc *time.Location, p map[string]string) *time.Time {
	day, tm := v.Get(name), v.Get(name+"_time")
	if day == "" && tm == "" {
		return nil
	}
	t, ok := localTime(day, tm, loc)
	if !ok {
		p[name] = "breach.moment"
		return nil
	}
	return &t
}

// applyStep puts the form values of step into b; problems of reading (a
// malformed date or number) go into p.
func applyStep(step string, v url.Values, b *breach.Breach, loc *time.Location, p map[string]string) {
	switch step {
	case stepFacts:
		b.Title, b.Branch = v.Get("title"), v.Get("branch")
		if t := readMoment(v, "aware_at", loc, p); t != nil {
			b.AwareAt = *t
		} else if _, bad := p["aware_at"]; !bad {
			b.AwareAt = time.Time{}
		}
		b.StartedAt, b.EndedAt = readMoment(v, "started_at", loc, p), readMoment(v, "ended_at", loc, p)
		b.Ongoing = readAnswer(v, "ongoing", p)
		b.HowDiscovered, b.ReportedBy = v.Get("how_discovered"), v.Get("reported_by")
		b.Kinds = nil
		for _, k := range v["kinds"] {
			b.Kinds = append(b.Kinds, breach.Kind(k))
		}
		b.Incident, b.IncidentOther = breach.IncidentType(v.Get("incident_type")), v.Get("incident_other")
		b.Description, b.LateReason = v.Get("description"), v.Get("late_reason")
	case stepData:
		b.DataCategories, b.DataOther, b.SpecialCategories = v["data_categories"], v.Get("data_other"), v["special_categories"]
		b.Records = readCount(v, "records", p)
		b.AffectedGroups, b.PeopleDescription = v["affected_groups"], v.Get("people_description")
		b.People = readCount(v, "people", p)
		b.PeopleInOtherCountries, b.Countries = readAnswer(v, "people_in_other_countries", p), v.Get("countries")
		b.OtherAuthoritiesInformed, b.ForeignAuthoritiesInformed = v.Get("other_authorities_informed"), v.Get("foreign_authorities_informed")
	case stepMeasures:
		b.MeasuresBefore = breach.MeasuresBefore{Encrypted: readAnswer(v, "measures_before.encrypted", p),
			Hashed: readAnswer(v, "measures_before.hashed", p), OtherwiseUnintelligible: readAnswer(v, "measures_before.otherwise_unintelligible", p),
			Text: v.Get("measures_before.text")}
		b.Consequences, b.MeasuresTaken, b.MeasuresPlanned = v.Get("consequences"), v.Get("measures_taken"), v.Get("measures_planned")
		b.Processors, b.NotInformedReason = v.Get("processors"), v.Get("not_informed_reason")
	}
}

func (s *Server) renderBreachForm(c echo.Context, status int, step, ref string, v url.Values, problems map[string]string, late bool) error {
	branches, err := s.Store.Branches(c.Request().Context())
	if err != nil {
		return err
	}
	title, action := "breach.new.title", "/staff/breaches/new"
	if ref != "" {
		title, action = "breach.step."+step, "/staff/breaches/"+ref+"/edit/"+step
	}
	// Problems with fields of other steps are listed too, after this step's.
	order := slices.Clone(stepFields[step])
	for f := range problems {
		if !slices.Contains(order, f) {
			order = append(order, f)
		}
	}
	slices.Sort(order[len(stepFields[step]):])
	b := s.staffBase(c, title, "breaches")
	if ref != "" {
		b.Title = ref + " · " + b.Title
	}
	p := breachFormPage{base: b, formState: newFormState(b.Tr, order, problems), Step: step, Steps: breachSteps,
		New: ref == "", Reference: ref, Action: action, formValues: formValues{v}, Branches: branches, Late: late,
		Kinds: strs(breach.Kinds), Incidents: strs(breach.IncidentTypes), Cats: breach.DataCategories,
		Specials: breach.SpecialCategories, Groups: breach.Groups}
	return s.render(c, status, "staff_breach_form", p)
}

func (s *Server) breachNew(c echo.Context) error {
	now := s.Clock.Now().In(s.location(c))
	v := url.Values{"aware_at": {now.Format("2006-01-02")}, "aware_at_time": {now.Format("15:04")}}
	if m := memberOf(c); len(m.Branches) == 1 {
		v.Set("branch", m.Branches[0])
	}
	return s.renderBreachForm(c, http.StatusOK, stepFacts, "", v, nil, false)
}

func (s *Server) breachCreate(c echo.Context) error {
	v := readBreachValues(c, stepFacts)
	p := map[string]string{}
	var b breach.Breach
	applyStep(stepFacts, v, &b, s.location(c), p)
	if len(p) > 0 {
		// The form could not be read whole: show every problem, store nothing.
		return s.renderBreachForm(c, http.StatusUnprocessableEntity, stepFacts, "", v, merged(p, b.Validate(s.Clock.Now())), false)
	}
	r, err := s.Breaches.Create(c.Request().Context(), breachActorOf(c), b)
	if p, invalid := withProblems(err, nil); invalid {
		return s.renderBreachForm(c, http.StatusUnprocessableEntity, stepFacts, "", v, p, false)
	} else if err != nil {
		return err
	}
	s.setFlash(c, "breach.flash.created")
	return c.Redirect(http.StatusSeeOther, "/staff/breaches/"+r.Reference)
}

// merged returns p with the problems of q added where p has none.
func merged(p, q map[string]string) map[string]string {
	for f, m := range q {
		if _, ok := p[f]; !ok {
			p[f] = m
		}
	}
	return p
}

func breachStep(c echo.Context) (string, error) {
	step := c.Param("step")
	if !slices.Contains(breachSteps, step) {
		return "", apperr.New(apperr.NotFound, "error.not_found")
	}
	return step, nil
}

func (s *Server) breachEdit(c echo.Context) error {
	step, err := breachStep(c)
	if err != nil {
		return err
	}
	r, err := s.Breaches.Get(c.Request().Context(), breachActorOf(c), c.Param("ref"))
	if err != nil {
		return err
	}
	late := r.DecisionOpen() && s.Clock.Now().After(breach.APDeadline(r.AwareAt))
	return s.renderBreachForm(c, http.StatusOK, step, r.Reference, breachValues(r.Breach, s.location(c)), nil, late)
}

func (s *Server) breachUpdate(c echo.Context) error {
	step, err := breachStep(c)
	if err != nil {
		return err
	}
	ref := c.Param("ref")
	v := readBreachValues(c, step)
	loc := s.location(c)
	_, err = s.Breaches.Edit(c.Request().Context(), breachActorOf(c), ref, step, func(b *breach.Breach) map[string]string {
		p := map[string]string{}
		applyStep(step, v, b, loc, p)
		return p
	})
	if p, invalid := withProblems(err, nil); invalid {
		return s.renderBreachForm(c, http.StatusUnprocessableEntity, step, ref, v, p, false)
	} else if err != nil {
		return err
	}
	s.setFlash(c, "breach.flash.saved")
	return c.Redirect(http.StatusSeeOther, "/staff/breaches/"+ref)
}
