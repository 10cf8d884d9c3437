package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/identity"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/representation"
	"github.com/avgloket/avgloket/internal/staff"
)

// casePage is everything an officer sees of one case, with the forms for
// the next steps. When a step's form had problems, Action names it and
// Values holds what was typed.
type casePage struct {
	base
	formState
	Case       casework.Case
	Branch     string
	Received   string
	TimeLeft   string
	Late       bool
	Events     []caseEvent
	NextStatus []string
	Assignees  []casework.Assignee
	CanExtend  bool
	ExtendBy   deadline.Date
	// RunningDue is the due date if a pause ended today.
	RunningDue     deadline.Date
	UndueDelayDays int
	// NoExtension is why the deadline cannot be extended (a message), when
	// the case is open.
	NoExtension string
	// Grounds are the grounds this right allows, each labelled with its
	// article: the only place staff pick one (DOMAIN.md §8).
	Grounds []groundOption
	// Details are the choices some of those grounds ask for, grouped by
	// ground; Retention tells whether legal retention (with its statute and
	// end date) is among the grounds.
	Details       []detailGroup
	Retention     bool
	WithdrawnHows []string
	// DecidedLate marks a refusal decided after the deadline in force.
	DecidedLate bool
	Action      string
	Values      map[string]string
	Unconfirmed bool
	AuditLines  []auditLine // owners only: who did what with this case, repeated looks folded
	ID          *identity.View
	Purposes    []string
	Loc         *time.Location

	// Letters are what to print and post for a case by post.
	Letters []printLetter
	// Consents is the consent section of a consent withdrawal (consents.go).
	Consents *caseConsents
	// Rectification is the rectification section (rectification.go).
	Rectification *caseRectification
	// Objection is the objection section of an objection (objection.go).
	Objection *caseObjection
	// Restriction is the section of a restriction case (restriction.go).
	Restriction *caseRestriction
	// Portability is the section of a portability case (portability.go).
	Portability *casePortability
	// Erasure is the erasure section of an erasure case (case_erasure.go).
	Erasure *caseErasure
	// SentLetter is the decision letter as sent; nil before the decision.
	SentLetter *sentLetter
	// Answers are the activities that concern the person and the access
	// statement (case_answers.go).
	Answers caseAnswers
	// Documents are the answer documents (package delivery).
	Documents *caseDocuments
	// Plan is the guided path of the case's right (case_plan.go): the
	// rail, the steps in order and what each offers.
	Plan *casePlan
	// Notices are the art. 19 notices of the decision (notices.go).
	Notices *caseNotices
}

// receivedText is when case k was received as people read it: the day
// only when the time of day was not given.
func receivedText(l lang.Code, k casework.Case, loc *time.Location) string {
	if k.ReceivedDateOnly {
		return lang.Date(l, k.ReceivedOn)
	}
	return lang.DateTime(l, k.ReceivedAt, loc)
}

// MethodText is a verification method's label or explanation in the page's
// language.
func (p casePage) MethodText(labels map[string]string) string {
	return representation.Text(labels, casework.Language(p.Lang))
}

// caseEvent is a timeline entry as staff read it. Ground is a decision's
// ground with its article.
type caseEvent struct {
	casework.Event
	When   string
	Ground string
	Kept   string
}

// groundOption is a ground the decision form offers, labelled with the
// article it rests on for this right.
type groundOption struct {
	Value, Label string
}

// keptText says under which statute and until when the data a refusal
// keeps are kept; empty when the decision names none.
func keptText(t tr, data map[string]string) string {
	until, err := deadline.ParseDate(data["until"])
	if data["statute"] == "" || err != nil {
		return ""
	}
	return t.T("decision.kept", "Statute", data["statute"], "Until", t.Date(until))
}

// detailGroup is the choices one ground asks for.
type detailGroup struct {
	Label   string
	Options []groundOption
}

// groundLabel names ground g of case k for staff, with its article.
func groundLabel(t tr, k casework.Case, g string) string {
	label := t.T("ground_label." + g)
	if r, ok := k.GroundRule(casework.Ground(g)); ok && r.Basis.NL != "" {
		return label + " — " + r.Basis.In(casework.Language(t.Lang))
	}
	return label
}

// caseFieldOrder lists the fields of the case page's forms, for the summary.
// A step refused for the case's state (409) shows its message at the top of
// its form ("<action>.form").
var caseFieldOrder = []string{"status.form", "status.to", "assign.assignee", "requirement.state", "requirement.reason",
	"identity.method", "identity.outcome", "identity.checks", "identity.note", "identity.reason",
	"ask.form", "ask.method", "ask.upload", "ask.text", "withdraw.form", "withdraw.reason", "message.text", "note.text",
	"extension.form", "extension.reason", "decision.form", "decision.outcome", "decision.withdrawn_how", "decision.ground",
	"decision.detail", "decision.statute", "decision.until", "decision.reasons", "decision.letter", "consents.form", "consents.consents", "notices.form",
	"activities.form", "activities.activities", "statement.form", "statement.text", "documents.form", "documents.file",
	"rectification.form", "rectification.items", "rectification.field", "rectification.old", "rectification.action", "rectification.new",
	"rectification.systems", "rectification.reason", "rectification.statement",
	"objection.form", "objection.activities", "objection.requester_grounds", "objection.practice_grounds", "objection.outcome",
	"restriction.form", "restriction.activities", "restriction.data", "restriction.ground", "restriction.from", "restriction.until",
	"restriction.until_event", "lifting.form", "lifting.on", "lifting.reason",
	"portability.form", "portability.items", "transfer.form", "transfer.organisation", "transfer.email"}

func (s *Server) staffCase(c echo.Context) error {
	return s.renderCase(c, http.StatusOK, "", nil, nil)
}

// renderCase draws the case page; a failed step passes its name, the problems
// (field → message ID, without the step's prefix) and the values typed.
func (s *Server) renderCase(c echo.Context, status int, action string, problems map[string]string, values map[string]string) error {
	ctx := c.Request().Context()
	a := actorOf(c)
	k, events, err := s.Cases.Timeline(ctx, a, c.Param("ref"))
	if err != nil {
		return err
	}
	settings, err := s.Store.Settings(ctx)
	if err != nil {
		return err
	}
	today, cal, err := s.Cases.Today(ctx)
	if err != nil {
		return err
	}
	assignees, err := s.Cases.Assignees(ctx, k.Branch)
	if err != nil {
		return err
	}
	prefixed := map[string]string{}
	for f, m := range problems {
		prefixed[action+"."+f] = m
	}
	b := s.staffBase(c, "case.title", "queue")
	b.Title = k.Reference
	loc := settings.Location()
	p := casePage{
		base: b, formState: newFormState(b.Tr, slices.Concat(caseFieldOrder, erasureFieldOrder(len(k.Activities))), prefixed), Case: k, Loc: loc,
		Received: receivedText(b.Lang, k, loc), Assignees: assignees, Branch: k.BranchName,
		ExtendBy: k.RunningDeadlines(cal, today).ExtensionNoticeBy, RunningDue: k.RunningDeadlines(cal, today).Due,
		UndueDelayDays: casework.UndueDelayDays, Action: action, Values: values,
		Unconfirmed: k.EmailConfirmedAt == nil && !k.ByPost(),
	}
	if p.Answers, err = s.caseAnswers(ctx, p.formState, b.Tr, k, action, values, loc); err != nil {
		return err
	}
	if k.ByPost() {
		p.Letters = printLetters(b.Tr, k, events, func(e casework.Event) string { return lang.DateTime(b.Lang, e.At, loc) })
	}
	if err := s.caseLetterSection(ctx, &p, k); err != nil {
		return err
	}
	if why := k.ExtensionBlock(cal, today); why == "" {
		p.CanExtend = true
	} else if k.Status != casework.Completed {
		p.NoExtension = b.Tr.T(why)
	}
	p.TimeLeft, p.Late = s.timeLeft(b.Lang, k, today, cal)
	for _, st := range []casework.Status{casework.Received, casework.AwaitingIdentity, casework.InProgress} {
		if casework.CanMove(k.Status, st) && !k.Answered() {
			p.NextStatus = append(p.NextStatus, string(st))
		}
	}
	for _, r := range casework.GroundRules(k) {
		g := string(r.Ground)
		p.Grounds = append(p.Grounds, groundOption{Value: g, Label: groundLabel(b.Tr, k, g)})
		p.Retention = p.Retention || r.Ground == casework.GroundRetention
		if len(r.Details) > 0 {
			d := detailGroup{Label: b.Tr.T("ground_label." + g)}
			for _, v := range r.Details {
				d.Options = append(d.Options, groundOption{Value: v, Label: b.Tr.T("ground_detail." + g + "." + v)})
			}
			p.Details = append(p.Details, d)
		}
	}
	p.WithdrawnHows = casework.WithdrawnHows
	for i := len(events) - 1; i >= 0; i-- { // newest first
		e := caseEvent{Event: events[i], When: lang.DateTime(b.Lang, events[i].At, loc)}
		if g := e.Data["ground"]; g != "" {
			e.Ground = groundLabel(b.Tr, k, g)
		}
		e.Kept = keptText(b.Tr, e.Data)
		p.DecidedLate = p.DecidedLate || e.DecidedLate()
		p.Events = append(p.Events, e)
	}
	if s.Identity != nil {
		v, err := s.Identity.View(ctx, k)
		if err != nil {
			return err
		}
		p.ID, p.Purposes = &v, casework.FilePurposes
		// A failed identity check, or a parent without parental authority,
		// leads to a refusal: the decision form comes prefilled, for the
		// officer to review and send. The second names what such a parent
		// may have instead (BW 1:377c in the Netherlands).
		switch {
		case action != "":
		case k.Identity.Status == casework.IdentityFailed:
			p.Values = map[string]string{"outcome": string(casework.Refused), "ground": string(casework.GroundIdentity),
				"reasons": b.Tr.T("identity.refusal_draft", "Via", b.Contact.Via)}
		case k.Requester.Relation == casework.ParentWithoutAuthority:
			p.Values = map[string]string{"outcome": string(casework.Refused), "ground": string(casework.GroundNoRepresentation),
				"reasons": b.Tr.T("identity.refusal_without_authority."+string(settings.Country), "Via", b.Contact.Via)}
		}
	}
	if s.Delivery != nil {
		if p.Documents, err = s.caseDocumentsOf(ctx, b, k, loc, p.Errors["documents.form"]+p.Errors["documents.file"]); err != nil {
			return err
		}
	}
	if memberOf(c).Role == staff.Owner {
		page, err := s.Store.AuditSearch(ctx, audit.Filter{Object: audit.Case(k.ID), Limit: objectAuditSize})
		if err != nil {
			return err
		}
		if p.AuditLines, err = s.auditLines(ctx, b.Tr, loc, audit.Fold(page.Entries)); err != nil {
			return err
		}
	}
	if p.Consents, err = s.caseConsentsOf(ctx, b.Tr, k); err != nil {
		return err
	}
	if p.Notices, err = s.caseNoticesOf(ctx, b.Tr, k, loc); err != nil {
		return err
	}
	p.Rectification = caseRectificationOf(p.formState, k, action, values)
	if p.Objection, err = s.caseObjectionOf(ctx, p.formState, b.Tr, k, action, values); err != nil {
		return err
	}
	if p.Restriction, err = s.caseRestrictionOf(ctx, p.formState, b.Tr, k, action, values, today); err != nil {
		return err
	}
	if p.Portability, err = s.casePortabilityOf(c, b, k, loc); err != nil {
		return err
	}
	if p.Erasure, err = s.caseErasureOf(ctx, p.formState, k, today, action, values); err != nil {
		return err
	}
	if p.Values == nil {
		p.Values = map[string]string{}
	}
	p.Plan = casePlanOf(p)
	return s.render(c, status, "staff_case", p)
}

// keyStepFlash is where a step's run puts a message that says more than
// the step's usual one, for what it found to have done.
const keyStepFlash = "step_flash"

// caseStep runs one step of the workflow from a form on the case page: on
// invalid input the page comes back with the problems next to the step's
// fields (422); otherwise the browser goes back to the case with a message.
func (s *Server) caseStep(action, done string, values func(echo.Context, string) map[string]string,
	run func(c echo.Context, a casework.Actor, ref string, v map[string]string) error) echo.HandlerFunc {
	return func(c echo.Context) error {
		v := values(c, action)
		err := run(c, actorOf(c), c.Param("ref"), v)
		if status, p, again := formProblems(nil, err); again {
			return s.renderCase(c, status, action, p, v)
		} else if err != nil {
			return err
		}
		s.notifyMail()
		flash := done
		if id, ok := c.Get(keyStepFlash).(string); ok {
			flash = id
		}
		s.setFlash(c, flash)
		return c.Redirect(http.StatusSeeOther, "/staff/cases/"+c.Param("ref"))
	}
}

// caseFields reads a step's fields. On the case page they are named
// "<action>.<key>" (as the field IDs and problems are), since one page holds
// the forms of every step; the result is keyed by key.
func caseFields(keys ...string) func(echo.Context, string) map[string]string {
	return func(c echo.Context, action string) map[string]string {
		out := map[string]string{}
		for _, k := range keys {
			out[k] = clean(c.FormValue(action + "." + k))
		}
		return out
	}
}

// caseChecked reads the ticked boxes action.key of the step action, their
// values joined with ","; "" when none is ticked.
func caseChecked(c echo.Context, action, key string) string {
	form, err := c.FormParams()
	if err != nil {
		return ""
	}
	return strings.Join(form[action+"."+key], ",")
}

// checkedKeys are the values caseChecked joined, without empty ones.
func checkedKeys(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' })
}

func (s *Server) caseMove() echo.HandlerFunc {
	return s.caseStep("status", "flash.status", caseFields("to"), func(c echo.Context, a casework.Actor, ref string, v map[string]string) error {
		_, err := s.Cases.Move(c.Request().Context(), a, ref, casework.Status(v["to"]))
		return err
	})
}

func (s *Server) caseAssign() echo.HandlerFunc {
	return s.caseStep("assign", "flash.assigned", caseFields("assignee"), func(c echo.Context, a casework.Actor, ref string, v map[string]string) error {
		id, err := strconv.ParseInt(v["assignee"], 10, 64)
		if err != nil && v["assignee"] != "" {
			return apperr.InvalidFields(map[string]string{"assignee": "field.choose"})
		}
		_, err = s.Cases.Assign(c.Request().Context(), a, ref, id)
		return err
	})
}

func (s *Server) caseNote() echo.HandlerFunc {
	return s.caseStep("note", "flash.note", caseFields("text"), func(c echo.Context, a casework.Actor, ref string, v map[string]string) error {
		_, err := s.Cases.AddNote(c.Request().Context(), a, ref, v["text"])
		return err
	})
}

func (s *Server) caseMessage() echo.HandlerFunc {
	return s.caseStep("message", "flash.message", caseFields("text"), func(c echo.Context, a casework.Actor, ref string, v map[string]string) error {
		_, err := s.Cases.SendMessage(c.Request().Context(), a, ref, v["text"])
		return err
	})
}

func (s *Server) caseExtend() echo.HandlerFunc {
	return s.caseStep("extension", "flash.extended", caseFields("reason"), func(c echo.Context, a casework.Actor, ref string, v map[string]string) error {
		_, err := s.Cases.Extend(c.Request().Context(), a, ref, v["reason"])
		return err
	})
}

func (s *Server) caseDecide() echo.HandlerFunc {
	return s.caseStep("decision", "flash.decided", caseDecisionFields,
		func(c echo.Context, a casework.Actor, ref string, v map[string]string) error {
			_, err := s.Cases.Decide(c.Request().Context(), a, ref, decisionOf(v))
			return err
		})
}

func (s *Server) caseResend() echo.HandlerFunc {
	return s.caseStep("resend", "flash.resent", caseFields(), func(c echo.Context, a casework.Actor, ref string, _ map[string]string) error {
		_, err := s.Cases.ResendConfirmation(c.Request().Context(), a, ref)
		return err
	})
}
