package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/textpdf"
)

// breachDraftPage shows the draft notification to the AP question by
// question, each answer in a read-only text box that is easy to select and
// copy into the AP's form (no script: the CSP allows none), with the form to
// record the submission.
type breachDraftPage struct {
	base
	formState
	R        breach.Record
	Draft    breach.Draft
	Clock    breachClock
	Owner    bool
	Notified bool
	formValues
	FollowUps []string
}

// Num numbers question i (from 0) of chapter ch as the text does: 4.2.
func (p breachDraftPage) Num(ch, i int) string { return fmt.Sprintf("%d.%d", ch, i+1) }

// Rows is a text box's height for an answer: its lines, wrapped.
func (p breachDraftPage) Rows(answer string) int { return textRows(answer) }

func textRows(s string) int {
	n := strings.Count(s, "\n") + 1
	for _, line := range strings.Split(s, "\n") {
		n += len([]rune(line)) / 90 // long lines wrap
	}
	return min(max(n, 1), 30)
}

var submissionFields = []string{"kind", "submitted_at", "ap_reference", "late_reason", "form"}

// submissionValues are the submission form's defaults: now, and the reason
// for a delay already on record.
func (s *Server) submissionValues(c echo.Context, r breach.Record, kind breach.NotificationKind) url.Values {
	now := s.Clock.Now().In(s.location(c))
	v := url.Values{"kind": {string(kind)}, "submitted_at": {now.Format("2006-01-02")}, "submitted_at_time": {now.Format("15:04")}}
	if r.LateReason != "" {
		v.Set("late_reason", r.LateReason)
	}
	return v
}

func (s *Server) renderDraft(c echo.Context, status int, r breach.Record, v url.Values, problems map[string]string) error {
	a := breachActorOf(c)
	d, err := s.Breaches.Draft(c.Request().Context(), a, r)
	if err != nil {
		return err
	}
	k, err := s.breachClock(c, r)
	if err != nil {
		return err
	}
	b := s.staffBase(c, "breach.draft.title", "breaches")
	b.Title = r.Reference + " · " + b.Title
	_, notified := r.FirstNotification()
	if v == nil {
		v = s.submissionValues(c, r, breach.NotifyInitial)
	}
	p := breachDraftPage{base: b, formState: newFormState(b.Tr, submissionFields, problems), R: r, Draft: d, Clock: k,
		Owner: a.Owner, Notified: notified, formValues: formValues{v}, FollowUps: strs(breach.NotificationKinds[1:])}
	return s.render(c, status, "staff_breach_draft", p)
}

func (s *Server) breachDraft(c echo.Context) error {
	r, err := s.Breaches.Get(c.Request().Context(), breachActorOf(c), c.Param("ref"))
	if err != nil {
		return err
	}
	return s.renderDraft(c, http.StatusOK, r, nil, nil)
}

// breachDraftText sends the draft as plain text, as the API does.
func (s *Server) breachDraftText(c echo.Context) error {
	a := breachActorOf(c)
	r, err := s.Breaches.ExportOne(c.Request().Context(), a, c.Param("ref"), "ap_draft_text")
	if err != nil {
		return err
	}
	d, err := s.Breaches.Draft(c.Request().Context(), a, r)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `inline; filename="`+r.Reference+`-melding-`+s.authority(c).Code+`.txt"`)
	return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(d.Text()))
}

// draftDocument lays the draft out for paper: the same text as Draft.Text,
// with the chapters and questions set apart.
func draftDocument(d breach.Draft, practice string, r breach.Record) textpdf.Document {
	doc := textpdf.Document{Title: "Concept-melding datalek " + d.Reference, Author: practice,
		Footer: d.Reference + " · concept-melding aan de " + d.Authority, Created: r.UpdatedAt}
	head, _, _ := strings.Cut(d.Text(), "\n\n")
	lines := strings.Split(head, "\n")
	doc.Blocks = append(doc.Blocks, textpdf.Block{Kind: textpdf.Title, Text: lines[0]})
	doc.Blocks = append(doc.Blocks, textpdf.Block{Kind: textpdf.Note, Text: strings.Join(lines[1:], "\n")})
	for _, ch := range d.Chapters {
		doc.Blocks = append(doc.Blocks, textpdf.Block{Kind: textpdf.Heading, Text: fmt.Sprintf("%d. %s", ch.Number, ch.Title)})
		for i, q := range ch.Questions {
			doc.Blocks = append(doc.Blocks,
				textpdf.Block{Kind: textpdf.Label, Text: fmt.Sprintf("%d.%d %s", ch.Number, i+1, q.Text)},
				textpdf.Block{Kind: textpdf.Text, Text: q.Answer})
		}
	}
	return doc
}

// breachDraftPDF sends the draft as a PDF to print or file.
func (s *Server) breachDraftPDF(c echo.Context) error {
	ctx := c.Request().Context()
	a := breachActorOf(c)
	r, err := s.Breaches.ExportOne(ctx, a, c.Param("ref"), "ap_draft_pdf")
	if err != nil {
		return err
	}
	d, err := s.Breaches.Draft(ctx, a, r)
	if err != nil {
		return err
	}
	return s.sendPDF(c, r.Reference+"-melding-"+s.authority(c).Code+".pdf", draftDocument(d, s.practiceName(c), r))
}

func (s *Server) sendPDF(c echo.Context, name string, doc textpdf.Document) error {
	var buf bytes.Buffer
	if err := textpdf.Write(&buf, doc); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Blob(http.StatusOK, "application/pdf", buf.Bytes())
}

// authority is the practice's supervisory authority (the AP when the
// settings cannot be read).
func (s *Server) authority(c echo.Context) practice.Authority {
	settings, err := s.Store.Settings(c.Request().Context())
	if err != nil {
		return practice.AP
	}
	return settings.Authority()
}

func (s *Server) practiceName(c echo.Context) string {
	settings, err := s.Store.Settings(c.Request().Context())
	if err != nil {
		return ""
	}
	return settings.Name
}

// readSubmission reads the submission form; problems of reading go in p.
func (s *Server) readSubmission(c echo.Context, p map[string]string) (url.Values, breach.SubmissionInput) {
	v := url.Values{}
	for _, k := range []string{"kind", "submitted_at", "submitted_at_time", "ap_reference"} {
		v.Set(k, clean(c.FormValue(k)))
	}
	v.Set("late_reason", cleanText(c.FormValue("late_reason")))
	in := breach.SubmissionInput{Kind: breach.NotificationKind(v.Get("kind")), APReference: v.Get("ap_reference"),
		LateReason: v.Get("late_reason")}
	switch at, ok := localTime(v.Get("submitted_at"), v.Get("submitted_at_time"), s.location(c)); {
	case v.Get("submitted_at") == "":
		p["submitted_at"] = "field.required"
	case !ok:
		p["submitted_at"] = "breach.moment"
	default:
		in.SubmittedAt = at
	}
	return v, in
}

// submit records a submission from the draft page (the initial
// notification) or the follow-up page; on a problem that page comes back.
func (s *Server) submit(c echo.Context, kinds []breach.NotificationKind, again func(r breach.Record, v url.Values, status int, p map[string]string) error) error {
	ctx := c.Request().Context()
	a := breachActorOf(c)
	p := map[string]string{}
	v, in := s.readSubmission(c, p)
	if !slices.Contains(kinds, in.Kind) {
		p["kind"] = "field.choose"
	}
	var err error
	if len(p) == 0 {
		_, err = s.Breaches.Submit(ctx, a, c.Param("ref"), in)
	}
	if status, p, back := formProblems(p, err); back {
		r, gerr := s.Breaches.Get(ctx, a, c.Param("ref"))
		if gerr != nil {
			return gerr
		}
		return again(r, v, status, p)
	}
	if err != nil {
		return err
	}
	s.setFlash(c, "breach.flash.submitted")
	return c.Redirect(http.StatusSeeOther, "/staff/breaches/"+c.Param("ref"))
}

// breachSubmitInitial records the initial notification to the AP.
func (s *Server) breachSubmitInitial(c echo.Context) error {
	return s.submit(c, breach.NotificationKinds[:1], func(r breach.Record, v url.Values, status int, p map[string]string) error {
		return s.renderDraft(c, status, r, v, p)
	})
}

// breachFollowUpPage is a follow-up to the AP: the answers that changed
// since the last submission, as text to copy, with the form to record it.
type breachFollowUpPage struct {
	base
	formState
	R       breach.Record
	Kind    string
	Kinds   []string
	Text    string
	Changes []breach.Change
	formValues
	Owner bool
}

// Rows is the text box's height for the follow-up text.
func (p breachFollowUpPage) Rows() int { return textRows(p.Text) }

func (s *Server) renderFollowUp(c echo.Context, status int, r breach.Record, kind breach.NotificationKind, v url.Values, problems map[string]string) error {
	text, changes, err := s.Breaches.FollowUp(c.Request().Context(), breachActorOf(c), r, kind)
	if apperr.CodeOf(err) == apperr.Conflict {
		s.setFlash(c, apperr.As(err).Message)
		return c.Redirect(http.StatusSeeOther, "/staff/breaches/"+r.Reference+"/ap-draft")
	}
	if err != nil {
		return err
	}
	b := s.staffBase(c, "breach.followup.title", "breaches")
	b.Title = r.Reference + " · " + b.Title
	if v == nil {
		v = s.submissionValues(c, r, kind)
	}
	p := breachFollowUpPage{base: b, formState: newFormState(b.Tr, submissionFields, problems), R: r, Kind: string(kind),
		Kinds: strs(breach.NotificationKinds[1:]), Text: text, Changes: changes, formValues: formValues{v}, Owner: breachActorOf(c).Owner}
	return s.render(c, status, "staff_breach_followup", p)
}

func followUpKind(s string) breach.NotificationKind {
	k := breach.NotificationKind(s)
	if !slices.Contains(breach.NotificationKinds[1:], k) {
		return breach.NotifySupplement
	}
	return k
}

func (s *Server) breachFollowUp(c echo.Context) error {
	r, err := s.Breaches.Get(c.Request().Context(), breachActorOf(c), c.Param("ref"))
	if err != nil {
		return err
	}
	return s.renderFollowUp(c, http.StatusOK, r, followUpKind(c.QueryParam("kind")), nil, nil)
}

// breachSubmitFollowUp records a follow-up submission to the AP.
func (s *Server) breachSubmitFollowUp(c echo.Context) error {
	return s.submit(c, breach.NotificationKinds[1:], func(r breach.Record, v url.Values, status int, p map[string]string) error {
		return s.renderFollowUp(c, status, r, followUpKind(v.Get("kind")), v, p)
	})
}
