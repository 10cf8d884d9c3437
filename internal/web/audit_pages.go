package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
)

// auditPage is the owners' view of the audit trail, newest first, a page
// at a time, filtered by who, what, when and which case or breach.
type auditPage struct {
	base
	formState
	Filter     auditFilterForm
	Actors     []auditOption
	Actions    []auditOption
	AuditLines []auditLine
	Newer      string // link to the newer page, "" on the first
	Older      string // link to the older page, "" on the last
	Verdict    string
	Broken     bool
}

// auditFilterForm is the filter form's values as the owner typed them.
type auditFilterForm struct {
	Who, What, From, Until, Ref string
}

// auditOption is one choice of a filter's select.
type auditOption struct {
	Value, Label string
	Selected     bool
}

// auditPageSize is the number of entries on a page of the trail;
// objectAuditSize the number read for a case's or breach's own history,
// before repeated looks are folded.
const (
	auditPageSize   = 50
	objectAuditSize = 200
)

// auditFields is the order of the filter form's fields, for its errors.
var auditFields = []string{"from", "until", "ref"}

func (s *Server) auditTrail(c echo.Context) error {
	ctx := c.Request().Context()
	settings, err := s.Store.Settings(ctx)
	if err != nil {
		return err
	}
	loc := settings.Location()
	b := s.staffBase(c, "audit.title", "audit")
	form := auditFilterForm{Who: clean(c.QueryParam("who")), What: clean(c.QueryParam("what")),
		From: clean(c.QueryParam("from")), Until: clean(c.QueryParam("until")), Ref: clean(c.QueryParam("ref"))}
	f, problems, err := s.auditFilter(c, form, loc)
	if err != nil {
		return err
	}
	p := auditPage{base: b, formState: newFormState(b.Tr, auditFields, problems), Filter: form}
	if p.Actors, err = s.auditActorOptions(c, b.Tr, form.Who); err != nil {
		return err
	}
	for _, a := range audit.Actions() {
		p.Actions = append(p.Actions, auditOption{Value: string(a), Label: b.Tr.T("audit.action." + string(a)), Selected: string(a) == form.What})
	}
	if len(problems) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, "staff_audit", p)
	}
	// Looking at the trail is itself recorded, before it is shown.
	if err := s.record(c, audit.AuditView, "", ""); err != nil {
		return err
	}
	page, err := s.Store.AuditSearch(ctx, f)
	if err != nil {
		return err
	}
	runs := make([]audit.Run, len(page.Entries))
	for i, e := range page.Entries {
		runs[i] = audit.Run{Entry: e, Count: 1, First: e.At}
	}
	if p.AuditLines, err = s.auditLines(ctx, b.Tr, loc, runs); err != nil {
		return err
	}
	switch n := len(page.Entries); {
	case n == 0 && page.Newer:
		// Past the end (an old link): back to the first page.
		p.Newer = form.link("", 0)
	case n > 0:
		if page.Newer {
			p.Newer = form.link("after", page.Entries[0].ID)
		}
		if page.Older {
			p.Older = form.link("before", page.Entries[n-1].ID)
		}
	}
	return s.render(c, http.StatusOK, "staff_audit", p)
}

// link is the trail's address with the form's filters and one cursor
// (none for "").
func (f auditFilterForm) link(cursor string, id int64) string {
	q := url.Values{}
	for k, v := range map[string]string{"who": f.Who, "what": f.What, "from": f.From, "until": f.Until, "ref": f.Ref} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if cursor != "" {
		q.Set(cursor, strconv.FormatInt(id, 10))
	}
	return "/staff/audit?" + q.Encode()
}

// auditFilter reads the filter form and the cursor. Dates are days in the
// practice's time zone; "until" includes its day. A reference must name a
// case or breach. An unknown who or what selects nothing more than the
// select offers, so it is ignored.
func (s *Server) auditFilter(c echo.Context, form auditFilterForm, loc *time.Location) (audit.Filter, map[string]string, error) {
	f := audit.Filter{Limit: auditPageSize}
	problems := map[string]string{}
	f.Before, _ = strconv.ParseInt(c.QueryParam("before"), 10, 64)
	if f.Before <= 0 {
		f.After, _ = strconv.ParseInt(c.QueryParam("after"), 10, 64)
	}
	if a := audit.Action(form.What); a.Known() {
		f.Action = a
	}
	if kind, _, ok := audit.ParseRef(form.Who); (ok && (kind == audit.ActorStaff || kind == audit.ActorAPI)) ||
		form.Who == audit.System || form.Who == audit.Anonymous || form.Who == audit.ActorRequester || form.Who == audit.ActorAPI {
		f.Actor = form.Who
	}
	day := func(field, v string) time.Time {
		if v == "" {
			return time.Time{}
		}
		d, err := time.ParseInLocation(time.DateOnly, v, loc)
		if err != nil {
			problems[field] = "audit.error_date"
		}
		return d
	}
	f.From = day("from", form.From)
	if u := day("until", form.Until); !u.IsZero() {
		f.Until = u.AddDate(0, 0, 1)
		if !f.From.IsZero() && !f.Until.After(f.From) {
			problems["until"] = "audit.error_range"
		}
	}
	if form.Ref != "" {
		obj, err := s.Store.AuditObject(c.Request().Context(), strings.ToUpper(form.Ref))
		switch {
		case apperr.Is(err, apperr.NotFound):
			problems["ref"] = "audit.error_ref"
		case err != nil:
			return f, nil, err
		}
		f.Object = obj
	}
	return f, problems, nil
}

// auditActorOptions are the choices for "who": every staff member and
// their API tokens, the requesters, the system, and those not signed in.
func (s *Server) auditActorOptions(c echo.Context, t tr, who string) ([]auditOption, error) {
	members, err := s.Store.Members(c.Request().Context())
	if err != nil {
		return nil, err
	}
	var out []auditOption
	add := func(value, label string) {
		out = append(out, auditOption{Value: value, Label: label, Selected: value == who})
	}
	for _, m := range members {
		add(audit.Staff(m.ID), m.Name)
	}
	for _, m := range members {
		add(audit.API(m.ID), t.T("audit.actor.api", "Name", m.Name))
	}
	add(audit.ActorAPI, t.T("audit.who_api"))
	add(audit.ActorRequester, t.T("audit.who_requesters"))
	add(audit.System, t.T("audit.actor.system"))
	add(audit.Anonymous, t.T("audit.actor.anonymous"))
	return out, nil
}

func (s *Server) auditVerify(c echo.Context) error {
	brk, n, err := s.Store.VerifyAudit(c.Request().Context())
	if err != nil {
		return err
	}
	if err := s.record(c, audit.AuditVerify, "", ""); err != nil {
		return err
	}
	b := s.staffBase(c, "audit.title", "audit")
	p := auditPage{base: b, formState: newFormState(b.Tr, auditFields, nil), Verdict: b.Tr.T("audit.intact", "Count", n)}
	if brk != nil {
		p.Broken = true
		p.Verdict = b.Tr.T("audit.broken", "ID", brk.ID, "Reason", brk.Reason)
	}
	return s.render(c, http.StatusOK, "staff_audit", p)
}
