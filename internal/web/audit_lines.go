package web

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/deadline"
)

// auditLine is one line of an audit table in words: who by name, what in
// the page's language, the case or breach as a link to its page.
type auditLine struct {
	ID      int64
	When    string
	Actor   string
	Action  string
	Object  string
	Link    string // the object's page, "" when it has none
	Address string
	Detail  string
	Repeat  string // for a folded run of looks: how often, between when and when
}

// auditLines writes runs as lines, reading the names of every actor and
// object on them in one query.
func (s *Server) auditLines(ctx context.Context, t tr, loc *time.Location, runs []audit.Run) ([]auditLine, error) {
	var refs []string
	for _, r := range runs {
		refs = append(refs, r.Actor, r.Object)
		if r.Action == audit.CaseAssign {
			for _, w := range audit.Words(r.Detail) {
				if w.Key == "to" {
					refs = append(refs, "staff:"+w.Value)
				}
			}
		}
	}
	names, err := s.Store.AuditNames(ctx, refs)
	if err != nil {
		return nil, err
	}
	out := make([]auditLine, 0, len(runs))
	for _, r := range runs {
		l := auditLine{ID: r.ID, When: t.DateTime(r.At, loc), Actor: auditActorWords(t, names, r.Actor),
			Action: t.T("audit.action." + string(r.Action)), Address: r.Address,
			Detail: auditDetailWords(t, names, r.Entry)}
		l.Object, l.Link = auditObjectWords(t, names, r.Object)
		if r.Count > 1 {
			l.Repeat = auditRepeat(t, loc, r)
		}
		out = append(out, l)
	}
	return out, nil
}

// auditRepeat says how often a run of looks happened and between when:
// within one day the day once and the two times of day.
func auditRepeat(t tr, loc *time.Location, r audit.Run) string {
	first, last := r.First.In(loc), r.At.In(loc)
	day := deadline.DateOf(last, loc)
	if deadline.DateOf(first, loc) == day {
		return t.T("audit.repeat_day", "Count", r.Count, "Day", t.Date(day), "First", first.Format("15:04"), "Last", last.Format("15:04"))
	}
	return t.T("audit.repeat", "Count", r.Count, "First", t.DateTime(first, loc), "Last", t.DateTime(last, loc))
}

// auditActorWords names an actor: a staff member by name, an API token by
// its owner's name, the requester, the system or someone not signed in.
func auditActorWords(t tr, names map[string]string, actor string) string {
	switch actor {
	case audit.System:
		return t.T("audit.actor.system")
	case audit.Anonymous:
		return t.T("audit.actor.anonymous")
	}
	kind, id, _ := audit.ParseRef(actor)
	switch kind {
	case audit.ActorRequester:
		return t.T("audit.actor.requester")
	case audit.ActorAPI:
		return t.T("audit.actor.api", "Name", staffName(t, names, id))
	}
	return staffName(t, names, id)
}

func staffName(t tr, names map[string]string, id int64) string {
	if n, ok := names[audit.Staff(id)]; ok {
		return n
	}
	return t.T("audit.gone.staff", "ID", id)
}

// auditObjectWords names an object and links a case or breach to its page.
// A case or breach that is gone (retention) is named by its number.
func auditObjectWords(t tr, names map[string]string, object string) (words, link string) {
	kind, id, ok := audit.ParseRef(object)
	if !ok {
		return "", ""
	}
	name, known := names[object]
	switch {
	case kind == "staff":
		return staffName(t, names, id), ""
	case kind == "case" && known:
		return name, "/staff/cases/" + url.PathEscape(name)
	case kind == "breach" && known:
		return name, "/staff/breaches/" + url.PathEscape(name)
	case kind == "branch" && known:
		return name, ""
	case kind == "activity" && known:
		return name, "/staff/register/activities/" + url.PathEscape(name)
	}
	return t.T("audit.object."+kind, "ID", id), ""
}

// detailValues are the message families that already name a detail's
// values elsewhere on the staff pages.
var detailValues = map[string]string{"outcome": "outcome_label.", "channel": "channel.", "identity": "identity.status_", "method": "identity.method_"}

// auditDetailWords writes a Detail's key=value words as "label: value",
// each label and value in words where the catalogue has them.
func auditDetailWords(t tr, names map[string]string, e audit.Entry) string {
	var parts []string
	for _, w := range audit.Words(e.Detail) {
		value := w.Value
		family := detailValues[w.Key]
		switch {
		case e.Action == audit.CaseAssign && w.Key == "to":
			if id, err := strconv.ParseInt(w.Value, 10, 64); err == nil {
				value = staffName(t, names, id)
			}
		case e.Action == audit.CaseStatus && w.Key == "to":
			family = "status."
		}
		if value == w.Value {
			value = detailValueWords(t, family, w.Value)
		}
		switch {
		case w.Key == "":
			parts = append(parts, value)
		case t.s.Catalog.Has("audit.detail." + w.Key):
			parts = append(parts, t.T("audit.detail."+w.Key)+": "+value)
		default:
			parts = append(parts, w.Key+": "+value)
		}
	}
	return strings.Join(parts, "; ")
}

// detailValueWords writes a value, or each of a comma-separated list, in
// words where the catalogue has them (in family, else among the trail's
// own values, else as a message ID), and "–" for none.
func detailValueWords(t tr, family, value string) string {
	if value == "" {
		return "–"
	}
	items := strings.Split(value, ",")
	for i, v := range items {
		switch {
		case family != "" && t.s.Catalog.Has(family+v):
			items[i] = t.T(family + v)
		case t.s.Catalog.Has("audit.value." + v):
			items[i] = t.T("audit.value." + v)
		case strings.Contains(v, ".") && t.s.Catalog.Has(v):
			// A reason given as the message the person saw
			// ("reason=signin.failed").
			items[i] = t.T(v)
		}
	}
	return strings.Join(items, ", ")
}
