package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/breach"
)

// countBody is a count as the API reads and writes it: exact, or min and
// max (API.md).
type countBody struct {
	Exact *int `json:"exact,omitempty"`
	Min   *int `json:"min,omitempty"`
	Max   *int `json:"max,omitempty"`
}

// countView is a count as the API shows it; null when unknown.
func countView(c breach.Count) *countBody {
	if !c.Known() {
		return nil
	}
	v := countBody(c)
	return &v
}

// measuresBody is the protection before a breach as the API reads and
// writes it; a question nobody answered is null.
type measuresBody struct {
	Encrypted               *bool  `json:"encrypted"`
	Hashed                  *bool  `json:"hashed"`
	OtherwiseUnintelligible *bool  `json:"otherwise_unintelligible"`
	Text                    string `json:"text"`
}

func (m measuresBody) measures() breach.MeasuresBefore {
	return breach.MeasuresBefore{Encrypted: answerOf(m.Encrypted), Hashed: answerOf(m.Hashed),
		OtherwiseUnintelligible: answerOf(m.OtherwiseUnintelligible), Text: m.Text}
}

func measuresView(m breach.MeasuresBefore) measuresBody {
	return measuresBody{Encrypted: answerView(m.Encrypted), Hashed: answerView(m.Hashed),
		OtherwiseUnintelligible: answerView(m.OtherwiseUnintelligible), Text: m.Text}
}

// answerOf reads a yes-or-no answer of the API: true, false, or null (or
// left out) for unknown.
func answerOf(b *bool) breach.Answer {
	if b == nil {
		return breach.Unanswered
	}
	return breach.AnswerOf(*b)
}

// answerView writes a yes-or-no answer for the API: null when unknown.
func answerView(a breach.Answer) *bool {
	if a == breach.Unanswered {
		return nil
	}
	yes := a == breach.Yes
	return &yes
}

// breachBody is a new breach as the API takes it. Only these fields are
// read; anything else is refused (no mass assignment): the assessment, the
// decision and the submissions have their own steps.
type breachBody struct {
	Title                      string        `json:"title"`
	Branch                     string        `json:"branch"`
	AwareAt                    string        `json:"aware_at"`
	StartedAt                  string        `json:"started_at"`
	EndedAt                    string        `json:"ended_at"`
	Ongoing                    *bool         `json:"ongoing"`
	HowDiscovered              string        `json:"how_discovered"`
	ReportedBy                 string        `json:"reported_by"`
	Kinds                      []breach.Kind `json:"kinds"`
	IncidentType               string        `json:"incident_type"`
	IncidentOther              string        `json:"incident_other"`
	Description                string        `json:"description"`
	DataCategories             []string      `json:"data_categories"`
	DataOther                  string        `json:"data_other"`
	SpecialCategories          []string      `json:"special_categories"`
	Records                    *countBody    `json:"records"`
	AffectedGroups             []string      `json:"affected_groups"`
	PeopleDescription          string        `json:"people_description"`
	People                     *countBody    `json:"people"`
	PeopleInOtherCountries     *bool         `json:"people_in_other_countries"`
	Countries                  string        `json:"countries"`
	OtherAuthoritiesInformed   string        `json:"other_authorities_informed"`
	ForeignAuthoritiesInformed string        `json:"foreign_authorities_informed"`
	MeasuresBefore             *measuresBody `json:"measures_before"`
	Consequences               string        `json:"consequences"`
	MeasuresTaken              string        `json:"measures_taken"`
	MeasuresPlanned            string        `json:"measures_planned"`
	Processors                 string        `json:"processors"`
}

// moment reads an optional RFC 3339 timestamp of the body.
func moment(field, v string, p map[string]string) *time.Time {
	if v == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		p[field] = "field.datetime"
		return nil
	}
	return &t
}

func (b breachBody) breach(p map[string]string) breach.Breach {
	out := breach.Breach{
		Title: b.Title, Branch: b.Branch, Ongoing: answerOf(b.Ongoing), HowDiscovered: b.HowDiscovered, ReportedBy: b.ReportedBy,
		Kinds: b.Kinds, Incident: breach.IncidentType(b.IncidentType), IncidentOther: b.IncidentOther,
		Description: b.Description, DataCategories: b.DataCategories, DataOther: b.DataOther,
		SpecialCategories: b.SpecialCategories, AffectedGroups: b.AffectedGroups, PeopleDescription: b.PeopleDescription,
		PeopleInOtherCountries: answerOf(b.PeopleInOtherCountries), Countries: b.Countries,
		OtherAuthoritiesInformed: b.OtherAuthoritiesInformed, ForeignAuthoritiesInformed: b.ForeignAuthoritiesInformed,
		Consequences: b.Consequences, MeasuresTaken: b.MeasuresTaken, MeasuresPlanned: b.MeasuresPlanned,
		Processors: b.Processors,
	}
	if t := moment("aware_at", b.AwareAt, p); t != nil {
		out.AwareAt = *t
	}
	out.StartedAt, out.EndedAt = moment("started_at", b.StartedAt, p), moment("ended_at", b.EndedAt, p)
	if b.Records != nil {
		out.Records = breach.Count(*b.Records)
	}
	if b.People != nil {
		out.People = breach.Count(*b.People)
	}
	if m := b.MeasuresBefore; m != nil {
		out.MeasuresBefore = m.measures()
	}
	return out
}

// score writes a severity score with at least one decimal, as API.md shows
// it: 4.0, 3.25.
type score float64

func (s score) MarshalJSON() ([]byte, error) {
	t := strconv.FormatFloat(float64(s), 'f', -1, 64)
	if !strings.Contains(t, ".") {
		t += ".0"
	}
	return []byte(t), nil
}

type severityView struct {
	Score  score         `json:"score"`
	Band   string        `json:"band"`
	Advice breach.Advice `json:"advice"`
}

type decisionView struct {
	NotifyAP     bool   `json:"notify_ap"`
	InformPeople string `json:"inform_people"`
	Reason       string `json:"reason"`
	DecidedAt    string `json:"decided_at"`
	DecidedBy    string `json:"decided_by"`
}

type notificationView struct {
	Kind        string `json:"kind"`
	SubmittedAt string `json:"submitted_at"`
	APReference string `json:"ap_reference"`
}

type informedView struct {
	At    *string    `json:"at"`
	How   string     `json:"how"`
	Count *countBody `json:"count"`
}

// breachView is a breach as the API shows it: the register's entry with its
// clock, assessment, severity, decision and submissions.
type breachView struct {
	Reference                  string             `json:"reference"`
	Title                      string             `json:"title"`
	Branch                     *string            `json:"branch"`
	AwareAt                    string             `json:"aware_at"`
	APDeadline                 string             `json:"ap_deadline"`
	OwnTarget                  *string            `json:"own_target"`
	DecisionOpen               bool               `json:"decision_open"`
	StartedAt                  *string            `json:"started_at"`
	EndedAt                    *string            `json:"ended_at"`
	Ongoing                    *bool              `json:"ongoing"`
	HowDiscovered              string             `json:"how_discovered"`
	ReportedBy                 string             `json:"reported_by"`
	Kinds                      []breach.Kind      `json:"kinds"`
	IncidentType               *string            `json:"incident_type"`
	IncidentOther              string             `json:"incident_other"`
	Description                string             `json:"description"`
	DataCategories             []string           `json:"data_categories"`
	DataOther                  string             `json:"data_other"`
	SpecialCategories          []string           `json:"special_categories"`
	Records                    *countBody         `json:"records"`
	AffectedGroups             []string           `json:"affected_groups"`
	PeopleDescription          string             `json:"people_description"`
	People                     *countBody         `json:"people"`
	PeopleInOtherCountries     *bool              `json:"people_in_other_countries"`
	Countries                  string             `json:"countries"`
	OtherAuthoritiesInformed   string             `json:"other_authorities_informed"`
	ForeignAuthoritiesInformed string             `json:"foreign_authorities_informed"`
	MeasuresBefore             measuresBody       `json:"measures_before"`
	Consequences               string             `json:"consequences"`
	MeasuresTaken              string             `json:"measures_taken"`
	MeasuresPlanned            string             `json:"measures_planned"`
	Processors                 string             `json:"processors"`
	Assessment                 *breach.Assessment `json:"assessment"`
	Severity                   *severityView      `json:"severity"`
	SeverityWord               *string            `json:"severity_word"`
	Decision                   *decisionView      `json:"decision"`
	Notifications              []notificationView `json:"notifications"`
	LateReason                 string             `json:"late_reason"`
	Informed                   *informedView      `json:"informed"`
	NotInformedReason          string             `json:"not_informed_reason"`
}

func orEmpty[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

func (s *Server) breachJSON(c echo.Context, r breach.Record) (breachView, error) {
	settings, err := s.Breaches.Settings(c.Request().Context())
	if err != nil {
		return breachView{}, err
	}
	loc := s.location(c)
	at := func(t *time.Time) *string {
		if t == nil || t.IsZero() {
			return nil
		}
		return optional(t.In(loc).Format(time.RFC3339))
	}
	deadline := breach.APDeadline(r.AwareAt)
	v := breachView{
		Reference: r.Reference, Title: r.Title, Branch: optional(r.Branch), AwareAt: r.AwareAt.In(loc).Format(time.RFC3339),
		APDeadline: deadline.In(loc).Format(time.RFC3339), DecisionOpen: r.DecisionOpen(),
		StartedAt: at(r.StartedAt), EndedAt: at(r.EndedAt), Ongoing: answerView(r.Ongoing), HowDiscovered: r.HowDiscovered,
		ReportedBy: r.ReportedBy, Kinds: orEmpty(r.Kinds), IncidentType: optional(string(r.Incident)),
		IncidentOther: r.IncidentOther, Description: r.Description, DataCategories: orEmpty(r.DataCategories),
		DataOther: r.DataOther, SpecialCategories: orEmpty(r.SpecialCategories), Records: countView(r.Records),
		AffectedGroups: orEmpty(r.AffectedGroups), PeopleDescription: r.PeopleDescription, People: countView(r.People),
		PeopleInOtherCountries: answerView(r.PeopleInOtherCountries), Countries: r.Countries,
		OtherAuthoritiesInformed: r.OtherAuthoritiesInformed, ForeignAuthoritiesInformed: r.ForeignAuthoritiesInformed,
		MeasuresBefore: measuresView(r.MeasuresBefore), Consequences: r.Consequences, MeasuresTaken: r.MeasuresTaken,
		MeasuresPlanned: r.MeasuresPlanned, Processors: r.Processors, Assessment: r.Assessment,
		SeverityWord: optional(r.APWord()), Notifications: []notificationView{}, LateReason: r.LateReason,
		NotInformedReason: r.NotInformedReason,
	}
	if own := breach.OwnTarget(r.AwareAt, settings.OwnTargetHours); !own.Equal(deadline) {
		v.OwnTarget = at(&own)
	}
	if sev, ok := r.Severity(); ok {
		v.Severity = &severityView{Score: score(sev.Score), Band: sev.Band, Advice: sev.Advice}
	}
	if d := r.Decision; d != nil {
		v.Decision = &decisionView{NotifyAP: d.NotifyAP, InformPeople: d.InformPeople, Reason: d.Reason,
			DecidedAt: d.DecidedAt.In(loc).Format(time.RFC3339), DecidedBy: d.DecidedBy}
	}
	for _, n := range r.Notifications {
		v.Notifications = append(v.Notifications, notificationView{Kind: string(n.Kind),
			SubmittedAt: n.SubmittedAt.In(loc).Format(time.RFC3339), APReference: n.APReference})
	}
	if in := r.Informed; in != nil {
		v.Informed = &informedView{At: at(in.At), How: in.How, Count: countView(in.Count)}
	}
	return v, nil
}

// apiCreateBreach registers a breach (API.md): 201 with the breach, its
// reference and its AP deadline.
func (s *Server) apiCreateBreach(c echo.Context) error {
	var body breachBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	p := map[string]string{}
	b := body.breach(p)
	if len(p) > 0 {
		return apperr.InvalidFields(merged(p, b.Validate(s.Clock.Now())))
	}
	r, err := s.Breaches.Create(c.Request().Context(), breachActorOf(c), b)
	if err != nil {
		return err
	}
	v, err := s.breachJSON(c, r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, v)
}

func (s *Server) apiGetBreach(c echo.Context) error {
	r, err := s.Breaches.Get(c.Request().Context(), breachActorOf(c), c.Param("reference"))
	if err != nil {
		return err
	}
	v, err := s.breachJSON(c, r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// apiBreachDraft answers the draft notification to the AP as plain Dutch
// text, the same the page and the PDF hold.
func (s *Server) apiBreachDraft(c echo.Context) error {
	a := breachActorOf(c)
	r, err := s.Breaches.ExportOne(c.Request().Context(), a, c.Param("reference"), "ap_draft_text")
	if err != nil {
		return err
	}
	d, err := s.Breaches.Draft(c.Request().Context(), a, r)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(d.Text()))
}

// assessmentBody is the ENISA assessment as API.md gives it. The numbers
// are json.Number so that a value of the wrong kind is a field problem (422)
// rather than an unreadable body.
type assessmentBody struct {
	DPC             json.Number `json:"dpc"`
	EI              json.Number `json:"ei"`
	Confidentiality string      `json:"confidentiality"`
	Integrity       string      `json:"integrity"`
	Availability    string      `json:"availability"`
	Malicious       bool        `json:"malicious"`
}

// apiAssessBreach records the assessment and answers the breach with its
// severity: score, band and advice.
func (s *Server) apiAssessBreach(c echo.Context) error {
	var body assessmentBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	as := breach.Assessment{Confidentiality: body.Confidentiality, Integrity: body.Integrity,
		Availability: body.Availability, Malicious: body.Malicious}
	p := map[string]string{}
	if n, err := body.DPC.Int64(); err == nil && n >= 1 && n <= 4 {
		as.DPC = int(n)
	} else {
		p["dpc"] = "field.choose"
	}
	if x, err := body.EI.Float64(); err == nil {
		as.EI = x
	}
	for f, m := range as.Validate() {
		if _, ok := p[f]; !ok {
			p[f] = m
		}
	}
	ctx := c.Request().Context()
	a := breachActorOf(c)
	if len(p) > 0 {
		// Outside the caller's scope the breach does not exist, whatever
		// the body.
		if err := s.Breaches.Exists(ctx, a, c.Param("reference")); err != nil {
			return err
		}
		return apperr.InvalidFields(p)
	}
	// The API gives the DPC without the guided answers; the AP word goes
	// back to the proposal for the new band.
	r, err := s.Breaches.Assess(ctx, a, c.Param("reference"), as, nil, "")
	if err != nil {
		return err
	}
	v, err := s.breachJSON(c, r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}
