package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/practice"
)

// requestBody is the JSON body of a new request (API.md). Only these fields
// are read; anything else is refused, so nothing reaches a stored model that
// was not meant to.
type requestBody struct {
	Type      casework.RequestType `json:"type"`
	Requester requesterBody        `json:"requester"`
	Subject   *struct {
		Name      string `json:"name"`
		BirthDate string `json:"birth_date"`
	} `json:"subject"`
	Branch    string              `json:"branch"`
	Details   string              `json:"details"`
	Specifics *casework.Specifics `json:"specifics"`
	Language  string              `json:"language"`
}

type requesterBody struct {
	Name     string            `json:"name"`
	Email    string            `json:"email"`
	Phone    string            `json:"phone"`
	Relation casework.Relation `json:"relation"`
}

// caseBody is a request registered by staff: a new request plus when and
// how it reached the practice. Its requester may have a postal address
// instead of an e-mail address (API.md): one text with line breaks.
type caseBody struct {
	requestBody
	Requester struct {
		requesterBody
		Address string `json:"address"`
	} `json:"requester"`
	ReceivedAt string           `json:"received_at"`
	Channel    casework.Channel `json:"channel"`
}

func (b requestBody) submission() casework.Submission {
	s := casework.Submission{
		Type: b.Type,
		Requester: casework.Requester{Name: b.Requester.Name, Email: b.Requester.Email,
			Phone: b.Requester.Phone, Relation: b.Requester.Relation},
		Branch: b.Branch, Details: b.Details, Language: casework.ParseLanguage(b.Language),
	}
	if b.Subject != nil {
		s.Subject.Name, s.Subject.BirthDate = b.Subject.Name, b.Subject.BirthDate
	}
	if b.Specifics != nil {
		s.Specifics = *b.Specifics
	}
	return s
}

// decodeJSON reads exactly one JSON object with only known fields into v.
func decodeJSON(c echo.Context, v any) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if !strings.HasPrefix(ct, echo.MIMEApplicationJSON) {
		return apperr.New(apperr.Malformed, "error.json_content_type")
	}
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if tooLarge(err) {
			return apperr.New(apperr.TooLarge, "error.too_large")
		}
		return &apperr.Error{Code: apperr.Malformed, Message: "error.malformed", Err: err}
	}
	// The body limit can strike only here: the read that crossed it may
	// still have completed the object.
	if _, err := dec.Token(); err != io.EOF {
		if tooLarge(err) {
			return apperr.New(apperr.TooLarge, "error.too_large")
		}
		return apperr.New(apperr.Malformed, "error.malformed")
	}
	return nil
}

func tooLarge(err error) bool {
	var maxBytes *http.MaxBytesError
	return errors.As(err, &maxBytes) || errors.Is(err, echo.ErrStatusRequestEntityTooLarge)
}

// receiptView is the public answer to a new request: no personal data and
// no tracking link (that goes only to the requester's address).
type receiptView struct {
	Reference  string `json:"reference"`
	Type       string `json:"type"`
	Status     string `json:"status"`
	ReceivedAt string `json:"received_at"`
	DueDate    string `json:"due_date"`
}

func (s *Server) apiSubmitRequest(c echo.Context) error {
	var body requestBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	k, replayed, err := s.Cases.Submit(c.Request().Context(), body.submission(), casework.Intake{
		Channel: casework.Web, IdempotencyKey: idempotencyKey(c), Actor: casework.Actor{Address: c.RealIP()},
	})
	if err != nil {
		return err
	}
	code := http.StatusCreated
	if replayed {
		code = http.StatusOK
	} else {
		s.notifyMail()
	}
	// A replayed case comes from the store in UTC; the answer must be the
	// same as the first one, in the practice's time zone.
	settings, err := s.Store.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(code, receiptView{Reference: k.Reference, Type: string(k.Type), Status: string(k.Status),
		ReceivedAt: k.ReceivedAt.In(settings.Location()).Format(time.RFC3339), DueDate: k.Deadlines.Due.String()})
}

func idempotencyKey(c echo.Context) string {
	k := strings.TrimSpace(c.Request().Header.Get("Idempotency-Key"))
	if len(k) > 200 {
		k = k[:200]
	}
	return k
}

func (s *Server) apiCreateCase(c echo.Context) error {
	var body caseBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	ctx := c.Request().Context()
	m := memberOf(c)
	body.requestBody.Requester = body.Requester.requesterBody
	sub := body.submission()
	if strings.TrimSpace(body.Requester.Address) != "" {
		a, ok := casework.ParseAddress(body.Requester.Address)
		if !ok {
			return apperr.InvalidFields(map[string]string{casework.FieldAddress: "field.address"})
		}
		sub.Requester.Address = a
	}
	if sub.Branch == "" && !m.Scope().All && len(m.Branches) == 1 {
		sub.Branch = m.Branches[0]
	}
	if sub.Branch != "" && !m.Scope().Allows(sub.Branch) {
		return apperr.InvalidFields(map[string]string{casework.FieldBranch: "field.branch_scope"})
	}
	settings, err := s.Store.Settings(ctx)
	if err != nil {
		return err
	}
	received, ok := parseReceivedAt(body.ReceivedAt, settings)
	if !ok {
		msg := "field.datetime"
		if body.ReceivedAt == "" {
			msg = "field.required"
		}
		return apperr.InvalidFields(map[string]string{casework.FieldReceivedAt: msg})
	}
	k, replayed, err := s.Cases.Submit(ctx, sub, casework.Intake{
		Channel: body.Channel, ReceivedAt: received, IdempotencyKey: idempotencyKey(c), Actor: actorOf(c),
		DateOnly: isDate(body.ReceivedAt),
	})
	if err != nil {
		return addressFields(err)
	}
	code := http.StatusCreated
	if replayed {
		code = http.StatusOK
	} else {
		s.notifyMail()
	}
	return c.JSON(code, s.caseView(k, settings))
}

// addressFields names the problems with the parts of a postal address by
// the one field the API takes it in.
func addressFields(err error) error {
	ae := apperr.As(err)
	if ae.Code != apperr.Invalid {
		return err
	}
	fields := map[string]string{}
	for f, m := range ae.Fields {
		if strings.HasPrefix(f, casework.FieldAddress+".") {
			f = casework.FieldAddress
		}
		if _, ok := fields[f]; !ok {
			fields[f] = m
		}
	}
	return apperr.InvalidFields(fields)
}

// isDate reports whether a receipt was given as a day without a time.
func isDate(v string) bool {
	_, err := deadline.ParseDate(v)
	return err == nil
}

// parseReceivedAt accepts a date (the start of that day in the practice's
// time zone) or an RFC 3339 timestamp.
func parseReceivedAt(v string, settings practice.Settings) (time.Time, bool) {
	if d, err := deadline.ParseDate(v); err == nil {
		return d.In(settings.Location()), true
	}
	t, err := time.Parse(time.RFC3339, v)
	return t, err == nil
}

func (s *Server) apiGetCase(c echo.Context) error {
	ctx := c.Request().Context()
	k, err := s.Cases.Case(ctx, actorOf(c), c.Param("reference"))
	if err != nil {
		return err
	}
	return s.respondCase(c, http.StatusOK, k)
}

// respondCase answers with the case as the API shows it, times in the
// practice's time zone.
func (s *Server) respondCase(c echo.Context, status int, k casework.Case) error {
	ctx := c.Request().Context()
	settings, err := s.Store.Settings(ctx)
	if err != nil {
		return err
	}
	v := s.caseView(k, settings)
	if k.Type == casework.ConsentWithdrawal {
		ids, err := s.Store.CaseConsents(ctx, k.ID)
		if err != nil {
			return err
		}
		v.Consents = &ids
	}
	return c.JSON(status, v)
}

func (s *Server) apiExtendCase(c echo.Context) error {
	var body struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	ctx := c.Request().Context()
	k, err := s.Cases.Extend(ctx, actorOf(c), c.Param("reference"), body.Reason)
	if err != nil {
		return err
	}
	s.notifyMail()
	return s.respondCase(c, http.StatusOK, k)
}

// apiDecideCase completes a case with a decision (an extension of API.md
// v1): 409 when the case is completed, or when granting before the proofs
// and consents a child's case needs are on record; 422 with fields for a
// ground the right does not allow (fields.ground), a ground's missing
// choice (detail), a legal retention without its statute or end date
// (statute, until), "other" without an article in the reasons, and a
// withdrawal without how the requester withdrew (withdrawn_how). The
// optional letter is the decision letter's own text; without it the letter
// drafted from the decision is sent (GET …/letter.pdf).
func (s *Server) apiDecideCase(c echo.Context) error {
	var body struct {
		Outcome      casework.Outcome `json:"outcome"`
		Ground       casework.Ground  `json:"ground"`
		Detail       string           `json:"detail"`
		Statute      string           `json:"statute"`
		Until        string           `json:"until"`
		Reasons      string           `json:"reasons"`
		WithdrawnHow string           `json:"withdrawn_how"`
		Letter       string           `json:"letter"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	ctx := c.Request().Context()
	k, err := s.Cases.Decide(ctx, actorOf(c), c.Param("reference"), casework.Decision{
		Outcome: body.Outcome, Ground: body.Ground, Detail: body.Detail, Statute: body.Statute, Until: body.Until,
		Reasons: body.Reasons, WithdrawnHow: body.WithdrawnHow, Letter: body.Letter})
	if err != nil {
		return err
	}
	s.notifyMail()
	return s.respondCase(c, http.StatusOK, k)
}

type caseList struct {
	Cases      []caseView `json:"cases"`
	NextCursor *string    `json:"next_cursor"`
}

func (s *Server) apiListCases(c echo.Context) error {
	q, problems := listQuery(c)
	if len(problems) > 0 {
		return apperr.InvalidFields(problems)
	}
	ctx := c.Request().Context()
	page, err := s.Cases.List(ctx, q, actorOf(c).Scope)
	if err != nil {
		return err
	}
	settings, err := s.Store.Settings(ctx)
	if err != nil {
		return err
	}
	out := caseList{Cases: make([]caseView, 0, len(page.Cases))}
	for _, k := range page.Cases {
		out.Cases = append(out.Cases, s.caseView(k, settings))
	}
	if page.Next != "" {
		out.NextCursor = &page.Next
	}
	return c.JSON(http.StatusOK, out)
}

func listQuery(c echo.Context) (casework.Query, map[string]string) {
	p := map[string]string{}
	q := casework.Query{
		Status: casework.Status(c.QueryParam("status")), Type: casework.RequestType(c.QueryParam("type")),
		Branch: c.QueryParam("branch"), Text: c.QueryParam("q"), Cursor: c.QueryParam("cursor"),
	}
	if q.Status != "" && !q.Status.Valid() {
		p["status"] = "field.choose"
	}
	if q.Type != "" && !q.Type.Valid() {
		p["type"] = "field.choose"
	}
	switch c.QueryParam("overdue") {
	case "", "false":
	case "true":
		q.Overdue = true
	default:
		p["overdue"] = "field.boolean"
	}
	if v := c.QueryParam("due_before"); v != "" {
		d, err := deadline.ParseDate(v)
		if err != nil {
			p["due_before"] = "field.date"
		}
		q.DueBefore = d
	}
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			p["limit"] = "field.limit"
		}
		q.Limit = n
	}
	return q, p
}

// caseView is a case as the API shows it (API.md).
type caseView struct {
	Reference       string        `json:"reference"`
	Type            string        `json:"type"`
	Status          string        `json:"status"`
	Outcome         *string       `json:"outcome"`
	Branch          *string       `json:"branch"`
	Channel         string        `json:"channel"`
	ReceivedAt      string        `json:"received_at"`
	DueDate         string        `json:"due_date"`
	Extended        bool          `json:"extended"`
	OriginalDueDate string        `json:"original_due_date"`
	Requester       requesterView `json:"requester"`
	Subject         subjectView   `json:"subject"`
	Details         string        `json:"details"`
	Specifics       any           `json:"specifics,omitempty"`
	Language        string        `json:"language"`
	Identity        identityView  `json:"identity"`
	Assignee        *string       `json:"assignee"`
	EmailConfirmed  bool          `json:"email_confirmed"`
	// Consents are the ids of the consents a consent withdrawal withdraws
	// (PUT …/consents); left out for other request types.
	Consents *[]int64 `json:"consents,omitempty"`
	// Activities are the register activities that concern the person; only
	// where one case is read (lists leave them out).
	Activities *[]string `json:"activities,omitempty"`
	// NoActivities: it is recorded that none of them concern the person;
	// only where one case is read, and only when true.
	NoActivities bool `json:"no_activities,omitempty"`
	// Erasure is what an erasure case did with each chosen activity (PUT
	// …/erasure); only on an erasure case where one case is read.
	Erasure *[]erasureItemView `json:"erasure,omitempty"`
	// Rectification is what a rectification case corrected and kept (PUT
	// …/rectification); only on a rectification case where one case is read.
	Rectification *[]rectificationItemView `json:"rectification,omitempty"`
	// Objection is the objection record (PUT …/objection); only on an
	// objection case where it is recorded.
	Objection *objectionView `json:"objection,omitempty"`
	// Restriction is what a restriction case restricts (PUT
	// …/restriction); only on a restriction case, once recorded.
	Restriction *restrictionView `json:"restriction,omitempty"`
}

type requesterView struct {
	Name     string  `json:"name"`
	Email    string  `json:"email"`
	Phone    *string `json:"phone"`
	Relation string  `json:"relation"`
	// Address is the postal address, one text with line breaks, of a
	// requester registered without e-mail; left out otherwise.
	Address string `json:"address,omitempty"`
}

type subjectView struct {
	Name      string  `json:"name"`
	BirthDate *string `json:"birth_date"`
}

type identityView struct {
	Status     string  `json:"status"`
	Method     *string `json:"method"`
	VerifiedAt *string `json:"verified_at"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *Server) caseView(k casework.Case, settings practice.Settings) caseView {
	loc := settings.Location()
	v := caseView{
		Reference: k.Reference, Type: string(k.Type), Status: string(k.Status), Outcome: optional(string(k.Outcome)),
		Branch: optional(k.Branch), Channel: string(k.Channel), ReceivedAt: k.ReceivedAt.In(loc).Format(time.RFC3339),
		DueDate: k.Deadlines.Due.String(), Extended: k.Extended, OriginalDueDate: k.Deadlines.OriginalDue.String(),
		Requester: requesterView{Name: k.Requester.Name, Email: k.Requester.Email, Phone: optional(k.Requester.Phone),
			Relation: string(k.Requester.Relation), Address: k.Requester.Address.String()},
		Subject:  subjectView{Name: k.Subject.Name},
		Details:  k.Details,
		Language: string(k.Language),
		Identity: identityView{Status: string(k.Identity.Status), Method: optional(k.Identity.Method)},
		Assignee: optional(k.Assignee), EmailConfirmed: k.EmailConfirmedAt != nil,
	}
	if !k.Subject.BirthDate.IsZero() {
		v.Subject.BirthDate = optional(k.Subject.BirthDate.String())
	}
	if k.Identity.VerifiedAt != nil {
		v.Identity.VerifiedAt = optional(k.Identity.VerifiedAt.In(loc).Format(time.RFC3339))
	}
	if !k.Specifics.IsEmpty() {
		v.Specifics = k.Specifics
	}
	if k.Activities != nil {
		v.Activities, v.NoActivities = &k.Activities, k.NoActivities
	}
	if k.Type == casework.Erasure && k.Erasure != nil {
		v.Erasure = erasureViews(k.Erasure)
	}
	if k.Type == casework.Rectification && k.Rectification != nil {
		v.Rectification = rectificationViews(k.Rectification)
	}
	v.Objection = objectionViewOf(k)
	if k.Type == casework.Restriction {
		v.Restriction = viewOfRestriction(k.Restriction)
	}
	return v
}

func (s *Server) health(c echo.Context) error {
	if err := s.Store.Ping(c.Request().Context()); err != nil {
		s.Log.Error("health check: database", "err", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}
