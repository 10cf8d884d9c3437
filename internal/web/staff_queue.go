package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/practice"
)

// queueFilter is the queue's filter as the URL carries it.
type queueFilter struct {
	Status, Type, Branch, Q, Cursor string
	Mine, DueSoon, Overdue, All     bool
}

func readQueueFilter(c echo.Context) queueFilter {
	on := func(k string) bool { return c.QueryParam(k) == "1" }
	return queueFilter{
		Status: c.QueryParam("status"), Type: c.QueryParam("type"), Branch: c.QueryParam("branch"),
		Q: clean(c.QueryParam("q")), Cursor: c.QueryParam("cursor"),
		Mine: on("mine"), DueSoon: on("due_soon"), Overdue: on("overdue"), All: on("all"),
	}
}

// query turns the filter into a case query. Unless "all" is asked for, the
// queue shows open cases only.
func (f queueFilter) query(me int64, today deadline.Date) casework.Query {
	q := casework.Query{Text: f.Q, Branch: f.Branch, Cursor: f.Cursor, Limit: 50, Open: !f.All}
	if st := casework.Status(f.Status); st.Valid() {
		q.Status, q.Open = st, st != casework.Completed && q.Open
	}
	if t := casework.RequestType(f.Type); t.Valid() {
		q.Type = t
	}
	if f.Mine {
		q.Assignee = me
	}
	if f.DueSoon {
		q.DueBefore = today.AddDays(casework.DueSoonDays + 1)
	}
	q.Overdue = f.Overdue
	return q
}

// url returns the queue's address for f with one change applied.
func (f queueFilter) url(change func(*queueFilter)) string {
	g := f
	g.Cursor = ""
	change(&g)
	on := func(b bool) string {
		if b {
			return "1"
		}
		return ""
	}
	return queryURL("/staff/cases", map[string]string{"status": g.Status, "type": g.Type, "branch": g.Branch, "q": g.Q,
		"cursor": g.Cursor, "mine": on(g.Mine), "due_soon": on(g.DueSoon), "overdue": on(g.Overdue), "all": on(g.All)})
}

// queueRow is one case in the queue.
type queueRow struct {
	Case        casework.Case
	Branch      string
	TimeLeft    string
	Late        bool
	Unconfirmed bool // the requester's address is not confirmed after two weeks
}

// quickFilter is a link to a standard filter with its count.
type quickFilter struct {
	Label   string
	URL     string
	Count   int
	Current bool
}

type queuePage struct {
	base
	Filter   queueFilter
	Quick    []quickFilter
	Rows     []queueRow
	NextURL  string
	Branches []practice.Branch
	Statuses []string
	Types    []string
}

func (s *Server) staffQueue(c echo.Context) error {
	ctx := c.Request().Context()
	f := readQueueFilter(c)
	today, cal, err := s.Cases.Today(ctx)
	if err != nil {
		return err
	}
	a := actorOf(c)
	page, err := s.Cases.List(ctx, f.query(a.ID, today), a.Scope)
	if err != nil {
		return err
	}
	counts, err := s.counts(c)
	if err != nil {
		return err
	}
	branches, err := s.Store.Branches(ctx)
	if err != nil {
		return err
	}
	b := s.staffBase(c, "queue.title", "queue")
	p := queuePage{base: b, Filter: f, Branches: branches, Types: strs(casework.RequestTypes), Statuses: strs(casework.Statuses)}
	plain := queueFilter{}
	p.Quick = []quickFilter{
		{s.Catalog.T(b.Lang, "queue.open", nil), plain.url(func(*queueFilter) {}), counts.Open, f == plain},
		{s.Catalog.T(b.Lang, "queue.mine", nil), plain.url(func(g *queueFilter) { g.Mine = true }), counts.Mine, f == queueFilter{Mine: true}},
		// The due-soon filter lists every open case due within the week,
		// the overdue ones too; its count must say as much.
		{s.Catalog.T(b.Lang, "queue.due_soon", nil), plain.url(func(g *queueFilter) { g.DueSoon = true }), counts.DueSoon + counts.Overdue, f == queueFilter{DueSoon: true}},
		{s.Catalog.T(b.Lang, "queue.overdue", nil), plain.url(func(g *queueFilter) { g.Overdue = true }), counts.Overdue, f == queueFilter{Overdue: true}},
		{s.Catalog.T(b.Lang, "status.awaiting_identity", nil), plain.url(func(g *queueFilter) { g.Status = string(casework.AwaitingIdentity) }), counts.Awaiting, f == queueFilter{Status: string(casework.AwaitingIdentity)}},
	}
	for _, k := range page.Cases {
		left, late := s.timeLeft(b.Lang, k, today, cal)
		p.Rows = append(p.Rows, queueRow{Case: k, Branch: k.BranchName, TimeLeft: left, Late: late,
			Unconfirmed: k.ConfirmationOverdue(today)})
	}
	if page.Next != "" {
		p.NextURL = f.url(func(g *queueFilter) { g.Cursor = page.Next })
	}
	return s.render(c, http.StatusOK, "staff_queue", p)
}

func (s *Server) staffHome(c echo.Context) error {
	return c.Redirect(http.StatusSeeOther, "/staff/cases")
}
