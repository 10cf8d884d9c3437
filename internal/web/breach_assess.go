package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/breach"
)

// The ease-of-identification values as the form sends them.
var eiValues = []string{"0.25", "0.5", "0.75", "1"}

// The adjustments of the data processing context, as check box values.
var adjustValues = []string{"controller_nature", "vulnerable", "large_volume", "public", "outdated"}

var assessFields = []string{"base", "adjust", "ei", "confidentiality", "integrity", "availability", "malicious", "severity_word"}

// breachAssessPage guides the ENISA assessment: the base context proposed
// from the data categories, the adjustments, the ease of identification and
// the circumstances.
type breachAssessPage struct {
	base
	formState
	R breach.Record
	formValues
	Suggested string // the base context the data categories suggest
	Bases     []string
	EIs       []string
	Adjusts   []string
	Conf      []string
	Integ     []string
	Avail     []string
	Words     []string
	Severity  *breach.Severity
	Proposed  string // the AP word the current band proposes
	DPC       int    // the DPC the stored guidance gives
}

// ScoreText is the stored score as the page's language writes it.
func (p breachAssessPage) ScoreText() string {
	if p.Severity == nil {
		return ""
	}
	return decimal(p.Lang, p.Severity.Score)
}

// assessValues fills the form from r's assessment, or with the proposal.
func assessValues(r breach.Record) url.Values {
	v := url.Values{"base": {breach.SuggestDPCCategory(r.DataCategories, r.SpecialCategories)},
		"confidentiality": {breach.None}, "integrity": {breach.None}, "availability": {breach.None}}
	// Choice: the controller's nature is proposed for every new assessment:
	// the practices avgloket serves (youth care, therapy, coaching) are ones
	// whose client list reveals that someone receives care (DOMAIN.md §10).
	// The officer unticks it where that does not hold.
	v.Add("adjust", "controller_nature")
	if slices.Contains(r.AffectedGroups, breach.GroupChildren) {
		v.Add("adjust", "vulnerable")
	}
	if g := r.Guidance; g != nil {
		v.Set("base", g.Base)
		v.Del("adjust")
		for name, on := range map[string]bool{"controller_nature": g.Adjust.ControllerNature,
			"vulnerable": g.Adjust.Vulnerable, "large_volume": g.Adjust.LargeVolume,
			"public": g.Adjust.Public, "outdated": g.Adjust.Outdated} {
			if on {
				v.Add("adjust", name)
			}
		}
	}
	if as := r.Assessment; as != nil {
		v.Set("ei", strconv.FormatFloat(as.EI, 'f', -1, 64))
		v.Set("confidentiality", as.Confidentiality)
		v.Set("integrity", as.Integrity)
		v.Set("availability", as.Availability)
		if as.Malicious {
			v.Set("malicious", "1")
		}
	}
	if r.SeverityWord != "" {
		v.Set("severity_word", r.SeverityWord)
	}
	return v
}

func (s *Server) renderAssessment(c echo.Context, status int, r breach.Record, v url.Values, problems map[string]string) error {
	b := s.staffBase(c, "breach.assess.title", "breaches")
	b.Title = r.Reference + " · " + b.Title
	p := breachAssessPage{base: b, formState: newFormState(b.Tr, assessFields, problems), R: r, formValues: formValues{v},
		Suggested: breach.SuggestDPCCategory(r.DataCategories, r.SpecialCategories), Bases: breach.DPCCategories,
		EIs: eiValues, Adjusts: adjustValues, Conf: breach.ConfidentialityValues, Integ: breach.IntegrityValues,
		Avail: breach.AvailabilityValues, Words: breach.SeverityWords}
	if sev, ok := r.Severity(); ok {
		p.Severity, p.Proposed = &sev, breach.APSeverityWord(sev.Band)
	}
	if r.Guidance != nil {
		p.DPC = r.Guidance.DPC()
	}
	return s.render(c, status, "staff_breach_assessment", p)
}

func (s *Server) breachAssessment(c echo.Context) error {
	r, err := s.Breaches.Get(c.Request().Context(), breachActorOf(c), c.Param("ref"))
	if err != nil {
		return err
	}
	return s.renderAssessment(c, http.StatusOK, r, assessValues(r), nil)
}

func (s *Server) breachAssess(c echo.Context) error {
	ctx := c.Request().Context()
	a := breachActorOf(c)
	form, _ := c.FormParams()
	v := url.Values{}
	for _, k := range assessFields {
		for i, x := range form[k] {
			if i < len(adjustValues) {
				v.Add(k, clean(x))
			}
		}
	}
	g := breach.Guidance{Base: v.Get("base")}
	for _, x := range v["adjust"] {
		switch x {
		case "controller_nature":
			g.Adjust.ControllerNature = true
		case "vulnerable":
			g.Adjust.Vulnerable = true
		case "large_volume":
			g.Adjust.LargeVolume = true
		case "public":
			g.Adjust.Public = true
		case "outdated":
			g.Adjust.Outdated = true
		}
	}
	as := breach.Assessment{DPC: g.DPC(), Confidentiality: v.Get("confidentiality"), Integrity: v.Get("integrity"),
		Availability: v.Get("availability"), Malicious: v.Get("malicious") == "1"}
	if slices.Contains(eiValues, v.Get("ei")) {
		as.EI, _ = strconv.ParseFloat(v.Get("ei"), 64)
	}
	_, err := s.Breaches.Assess(ctx, a, c.Param("ref"), as, &g, v.Get("severity_word"))
	if ae := apperr.As(err); err != nil && ae.Code == apperr.Invalid {
		r, err := s.Breaches.Get(ctx, a, c.Param("ref"))
		if err != nil {
			return err
		}
		problems := ae.Fields
		if _, ok := problems["dpc"]; ok { // the DPC comes from the base
			problems["base"] = problems["dpc"]
			delete(problems, "dpc")
		}
		return s.renderAssessment(c, http.StatusUnprocessableEntity, r, v, problems)
	} else if err != nil {
		return err
	}
	s.setFlash(c, "breach.flash.assessed")
	return c.Redirect(http.StatusSeeOther, "/staff/breaches/"+c.Param("ref"))
}

// breachDecisionPage is the owner's decision on notifying the AP and
// informing the people, against the assessment's advice.
type breachDecisionPage struct {
	base
	formState
	R        breach.Record
	Severity breach.Severity
	formValues
	Informs []string
}

// ScoreText is the score as the page's language writes it.
func (p breachDecisionPage) ScoreText() string { return decimal(p.Lang, p.Severity.Score) }

// YesNo are the values of the question whether to notify the AP.
func (p breachDecisionPage) YesNo() []string { return []string{"yes", "no"} }

var decisionFields = []string{"notify_ap", "inform_people", "reason", "form"}

func yesNoValue(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func (s *Server) renderDecision(c echo.Context, status int, r breach.Record, v url.Values, problems map[string]string) error {
	sev, ok := r.Severity()
	if !ok {
		s.setFlash(c, "breach.assess_first")
		return c.Redirect(http.StatusSeeOther, "/staff/breaches/"+r.Reference+"/assessment")
	}
	b := s.staffBase(c, "breach.decide.title", "breaches")
	b.Title = r.Reference + " · " + b.Title
	p := breachDecisionPage{base: b, formState: newFormState(b.Tr, decisionFields, problems), R: r, Severity: sev,
		formValues: formValues{v}, Informs: breach.InformChoices}
	return s.render(c, status, "staff_breach_decision", p)
}

func (s *Server) breachDecisionForm(c echo.Context) error {
	r, err := s.Breaches.Get(c.Request().Context(), breachActorOf(c), c.Param("ref"))
	if err != nil {
		return err
	}
	v := url.Values{}
	if d := r.Decision; d != nil {
		v.Set("notify_ap", yesNoValue(d.NotifyAP))
		v.Set("inform_people", d.InformPeople)
		v.Set("reason", d.Reason)
	} else if sev, ok := r.Severity(); ok {
		// The advice is the starting point.
		v.Set("notify_ap", yesNoValue(sev.Advice.NotifyAP))
		v.Set("inform_people", map[bool]string{true: breach.InformYes, false: breach.InformNo}[sev.Advice.InformPeople])
	}
	return s.renderDecision(c, http.StatusOK, r, v, nil)
}

func (s *Server) breachDecide(c echo.Context) error {
	ctx := c.Request().Context()
	a := breachActorOf(c)
	v := url.Values{"notify_ap": {clean(c.FormValue("notify_ap"))}, "inform_people": {clean(c.FormValue("inform_people"))},
		"reason": {cleanText(c.FormValue("reason"))}}
	p := map[string]string{}
	if n := v.Get("notify_ap"); n != "yes" && n != "no" {
		p["notify_ap"] = "field.choose"
	}
	d := breach.Decision{NotifyAP: v.Get("notify_ap") == "yes", InformPeople: v.Get("inform_people"), Reason: v.Get("reason")}
	var err error
	if len(p) == 0 {
		_, err = s.Breaches.Decide(ctx, a, c.Param("ref"), d)
	}
	if status, p, again := formProblems(p, err); again {
		r, gerr := s.Breaches.Get(ctx, a, c.Param("ref"))
		if gerr != nil {
			return gerr
		}
		if sev, ok := r.Severity(); ok && err == nil {
			p = merged(p, d.Validate(sev.Advice))
		}
		return s.renderDecision(c, status, r, v, p)
	} else if err != nil {
		return err
	}
	s.setFlash(c, "breach.flash.decided")
	return c.Redirect(http.StatusSeeOther, "/staff/breaches/"+c.Param("ref"))
}
