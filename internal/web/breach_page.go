package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/lang"
)

// breachClock is the 72-hour clock of a breach as the pages show it.
type breachClock struct {
	Deadline  string // the AP deadline, in full
	Left      string // time left or past, while the decision is open
	Late      bool
	Open      bool
	OwnTarget string // the practice's own target, "" when it has none
	OwnHours  int
	OwnLeft   string
	OwnLate   bool
}

func (s *Server) breachClock(c echo.Context, r breach.Record) (breachClock, error) {
	settings, err := s.Breaches.Settings(c.Request().Context())
	if err != nil {
		return breachClock{}, err
	}
	l, loc, now := langOf(c), s.location(c), s.Clock.Now()
	deadline := breach.APDeadline(r.AwareAt)
	k := breachClock{Deadline: lang.DateTime(l, deadline, loc), Open: r.DecisionOpen()}
	if k.Open {
		k.Left, k.Late = s.countdown(l, now, deadline)
	}
	if own := breach.OwnTarget(r.AwareAt, settings.OwnTargetHours); !own.Equal(deadline) {
		k.OwnTarget, k.OwnHours = lang.DateTime(l, own, loc), settings.OwnTargetHours
		if k.Open {
			k.OwnLeft, k.OwnLate = s.countdown(l, now, own)
		}
	}
	return k, nil
}

// breachSubmissionRow is a submission to the AP as the page lists it.
type breachSubmissionRow struct {
	breach.Notification
	When string
	Late bool
}

// breachPage is everything staff see of one breach.
type breachPage struct {
	base
	R           breach.Record
	Branch      string
	Clock       breachClock
	Aware       string
	Started     string
	Ended       string
	Severity    *breach.Severity
	Score       string // the severity score as the page's language writes it
	Word        string // the AP form's severity word
	Decided     string
	Stale       bool // the decision departs from the current advice without a reason
	Submissions []breachSubmissionRow
	Informed    string
	Owner       bool
	Steps       []string
	AuditLines  []auditLine
	Tr2         countWords
	KeepsFiles  bool
	Files       []breachFileRow
}

// Said writes the answer to a yes-or-no question: yes, no, or not yet
// known, never "no" for a question nobody answered.
func (p breachPage) Said(a breach.Answer) string { return p.Tr.T("breach.answer." + answerValue(a)) }

// breachFileRow is an attachment as the breach page lists it.
type breachFileRow struct {
	breach.Attachment
	N    int
	When string
	KB   int64
}

// decimal writes x with two decimals: 5,25 in Dutch, 5.25 in English.
func decimal(l lang.Code, x float64) string {
	s := strconv.FormatFloat(x, 'f', 2, 64)
	if l == lang.EN {
		return s
	}
	return strings.Replace(s, ".", ",", 1)
}

// countWords writes the counts of a breach in the page's language.
type countWords struct{ tr tr }

// Count writes c: "12", "10–20", "≥ 10", or "" when unknown.
func (w countWords) Count(c breach.Count) string {
	switch {
	case c.Exact != nil:
		return strconv.Itoa(*c.Exact)
	case c.Min != nil && c.Max != nil:
		return strconv.Itoa(*c.Min) + "–" + strconv.Itoa(*c.Max)
	case c.Min != nil:
		return w.tr.T("breach.count_min", "N", *c.Min)
	case c.Max != nil:
		return w.tr.T("breach.count_max", "N", *c.Max)
	}
	return ""
}

func (s *Server) breachView(c echo.Context) error {
	ctx := c.Request().Context()
	a := breachActorOf(c)
	r, err := s.Breaches.Get(ctx, a, c.Param("ref"))
	if err != nil {
		return err
	}
	k, err := s.breachClock(c, r)
	if err != nil {
		return err
	}
	branches, err := s.Store.Branches(ctx)
	if err != nil {
		return err
	}
	b := s.staffBase(c, "breach.view.title", "breaches")
	b.Title = r.Reference
	l, loc := b.Lang, s.location(c)
	at := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return lang.DateTime(l, *t, loc)
	}
	p := breachPage{base: b, R: r, Clock: k, Aware: lang.DateTime(l, r.AwareAt, loc), Started: at(r.StartedAt),
		Ended: at(r.EndedAt), Word: r.APWord(), Owner: a.Owner, Steps: breachSteps, Tr2: countWords{b.Tr}}
	for _, br := range branches {
		if br.Code == r.Branch {
			p.Branch = br.Name
		}
	}
	if sev, ok := r.Severity(); ok {
		p.Severity, p.Score = &sev, decimal(l, sev.Score)
		if d := r.Decision; d != nil && d.Differs(sev.Advice) && d.Reason == "" {
			p.Stale = true
		}
	}
	if d := r.Decision; d != nil {
		p.Decided = lang.DateTime(l, d.DecidedAt, loc)
	}
	for _, n := range r.Notifications {
		p.Submissions = append(p.Submissions, breachSubmissionRow{Notification: n, When: lang.DateTime(l, n.SubmittedAt, loc),
			Late: n.Kind == breach.NotifyInitial && breach.Late(n.SubmittedAt, r.AwareAt)})
	}
	if r.Informed != nil {
		p.Informed = at(r.Informed.At)
	}
	if p.KeepsFiles = s.Breaches.KeepsFiles(); p.KeepsFiles {
		files, err := s.Breaches.Attachments(ctx, r)
		if err != nil {
			return err
		}
		for i, f := range files {
			p.Files = append(p.Files, breachFileRow{Attachment: f, N: i + 1, When: lang.DateTime(l, f.UploadedAt, loc), KB: (f.Size + 1023) / 1024})
		}
	}
	if a.Owner {
		page, err := s.Store.AuditSearch(ctx, audit.Filter{Object: audit.Breach(r.ID), Limit: objectAuditSize})
		if err != nil {
			return err
		}
		if p.AuditLines, err = s.auditLines(ctx, p.Tr, loc, audit.Fold(page.Entries)); err != nil {
			return err
		}
	}
	return s.render(c, http.StatusOK, "staff_breach", p)
}
