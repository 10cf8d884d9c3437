package casework

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/practice"
)

// The actions of an erasure item: the data of the activity were erased,
// they are kept on a ground the law allows (AVG art. 17(3)), or their
// destruction is promised for a later day within the three months the law
// gives (BW 7:455(1), Jeugdwet 7.3.9).
const (
	ErasureErased    = "erased"
	ErasureKept      = "kept"
	ErasureScheduled = "scheduled"
)

// ErasureActions lists the actions in the order the UI offers them.
var ErasureActions = []string{ErasureErased, ErasureKept, ErasureScheduled}

// DestructionMonths is how long after receipt a destruction of a youth-care
// or medical dossier may be promised for: three months (BW 7:455(1),
// Jeugdwet 7.3.9).
const DestructionMonths = 3

// The events of an erasure case.
const (
	// EventErasure: the officer recorded, per chosen activity, what was
	// erased, kept and scheduled. Data: erased, kept and scheduled
	// (activity keys, comma-separated).
	EventErasure EventKind = "erasure"
	// EventDestructionConfirmed: a destruction promised for a later day was
	// carried out. Data: activity, on (the day).
	EventDestructionConfirmed EventKind = "destruction_confirmed"
	// EventDestroyed: the last promised destruction was confirmed; the
	// requester is told (a mail, or a letter for a case by post).
	EventDestroyed EventKind = "destroyed"
)

// ErasureItem is what an erasure case (AVG art. 17) did with one of the
// activities chosen on it: erased, or kept by a law that forbids
// destruction until a date (DOMAIN.md §5, §8). Ground and System name a
// statute and a system, never the person.
type ErasureItem struct {
	Activity string // the register activity's key
	// Name is the activity's name in the register when the item was
	// recorded, as the decision letter names it; the caller fills it.
	Name   string
	Action string // one of ErasureActions
	// System is where the data were (or will be) erased ("client file");
	// optional when erased, required when scheduled.
	System string
	// Ground and Until go with ErasureKept only, and are required there:
	// the statute that forbids destruction ("AWR art. 52") and the last day
	// the data are kept (YYYY-MM-DD).
	Ground string
	Until  string
	// Due goes with ErasureScheduled only, and is required there: the day
	// the destruction is promised for (YYYY-MM-DD).
	Due string
	// ErasedOn is the day the data were erased (YYYY-MM-DD): for an erased
	// item when it was recorded (today when not given), for a scheduled one
	// when the destruction was confirmed ("" until then).
	ErasedOn string
	// ErasedBy is the staff member who recorded the erasure or confirmed
	// the destruction (the signed-in officer, set by the service), and
	// ErasedByName their name, filled when read.
	ErasedBy     int64
	ErasedByName string
}

// Kept reports whether the item keeps the activity's data.
func (i ErasureItem) Kept() bool { return i.Action == ErasureKept }

// Pending reports whether the item promises a destruction not yet
// confirmed.
func (i ErasureItem) Pending() bool { return i.Action == ErasureScheduled && i.ErasedOn == "" }

// PendingDestructions is how many of items promise a destruction not yet
// confirmed: while there are, a decided erasure case stays open.
func PendingDestructions(items []ErasureItem) int {
	n := 0
	for _, it := range items {
		if it.Pending() {
			n++
		}
	}
	return n
}

// AnyKept reports whether one of items keeps data: the erasure is then
// granted in part at most.
func AnyKept(items []ErasureItem) bool { return slices.ContainsFunc(items, ErasureItem.Kept) }

// ValidateErasure returns the problems of items as the answer of the
// erasure case c on today, keyed by JSON path ("items", "items.0.ground"):
// exactly one item per activity chosen on c and none for another; an
// action of ErasureActions; a kept item names a statute other than the
// dossier term alone (Jeugdwet 7.3.8, BW 7:454(3) — a destruction request is
// carried out within three months, BW 7:455(1), Jeugdwet 7.3.9) and a valid
// end date after today; an erased item may name the day it was erased, not
// after today; a scheduled item names the system and the day promised,
// after today and at most DestructionMonths after receipt. Each field
// belongs to its action only.
func ValidateErasure(c Case, items []ErasureItem, today deadline.Date) Problems {
	p := Problems{}
	if len(c.Activities) == 0 {
		p.add("items", "erasure.no_activities")
		return p
	}
	seen := map[string]bool{}
	for n, it := range items {
		at := "items." + strconv.Itoa(n) + "."
		if msg := activityNamed(c, seen, it.Activity, "erasure"); msg != "" {
			p.add(at+"activity", msg)
		}
		choice(p, at+"action", it.Action, ErasureActions, true)
		text(p, at+"system", strings.TrimSpace(it.System), it.Action == ErasureScheduled, MaxShort)
		ground, until := strings.TrimSpace(it.Ground), strings.TrimSpace(it.Until)
		due, on := strings.TrimSpace(it.Due), strings.TrimSpace(it.ErasedOn)
		for _, f := range []struct{ key, v, action, msg string }{
			{"ground", ground, ErasureKept, "erasure.kept_only"}, {"until", until, ErasureKept, "erasure.kept_only"},
			{"due", due, ErasureScheduled, "erasure.scheduled_only"}, {"erased_on", on, ErasureErased, "erasure.erased_only"},
		} {
			if f.v != "" && it.Action != f.action {
				p.add(at+f.key, f.msg)
			}
		}
		switch it.Action {
		case ErasureKept:
			if msg := keptGround(ground); msg != "" {
				p.add(at+"ground", msg)
			} else {
				text(p, at+"ground", ground, true, MaxShort)
			}
			if msg := keptUntil(until, today); msg != "" {
				p.add(at+"until", msg)
			}
		case ErasureScheduled:
			if msg := scheduledDue(due, c.ReceivedOn, today); msg != "" {
				p.add(at+"due", msg)
			}
		case ErasureErased:
			if msg := erasedOn(on, c.ReceivedOn, today, false); msg != "" {
				p.add(at+"erased_on", msg)
			}
		}
	}
	for _, a := range c.Activities {
		if !seen[a] {
			p.add("items", "erasure.activity_missing")
		}
	}
	return p
}

// keptGround is the message ID of what is wrong with the statute a kept
// item names, or "".
func keptGround(ground string) string {
	switch {
	case ground == "":
		return "case.statute_required"
	case dossierTerm.MatchString(ground):
		return "case.statute_dossier_term"
	}
	return ""
}

// keptUntil is the message ID of what is wrong with a kept item's end
// date, or "".
func keptUntil(until string, today deadline.Date) string {
	if until == "" {
		return "case.until_required"
	}
	end, err := deadline.ParseDate(until)
	switch {
	case err != nil:
		return "field.date"
	case !end.After(today):
		return "case.until_future"
	}
	return ""
}

// scheduledDue is the message ID of what is wrong with the day a
// destruction is promised for, or "": a date after today and no later than
// DestructionMonths after receipt (BW 7:455(1), Jeugdwet 7.3.9).
func scheduledDue(due string, received, today deadline.Date) string {
	if due == "" {
		return "erasure.due_required"
	}
	d, err := deadline.ParseDate(due)
	switch {
	case err != nil:
		return "field.date"
	case !d.After(today):
		return "erasure.due_future"
	case d.After(deadline.AddMonths(received, DestructionMonths)):
		return "erasure.due_within"
	}
	return ""
}

// erasedOn is the message ID of what is wrong with the day data were
// erased, or "": a date not after today nor before receipt; required when
// asked (a destruction confirmed), today otherwise.
func erasedOn(on string, received, today deadline.Date, required bool) string {
	if on == "" {
		if required {
			return "erasure.erased_on_required"
		}
		return ""
	}
	d, err := deadline.ParseDate(on)
	switch {
	case err != nil:
		return "field.date"
	case d.After(today):
		return "erasure.erased_on_future"
	case d.Before(received):
		return "erasure.erased_on_before_receipt"
	}
	return ""
}

// SaveErasure is the step that records the erasure items of an erasure
// case, replacing earlier ones (Change.Erasure). An erased item without a
// day was erased today; one recorded as before keeps who recorded it, a
// new one is the acting officer's (the service sets ErasedBy). It is
// Conflict for another request type ("erasure.not_erasure"), for a
// decided case (the letter named the items) and for a completed one, and
// Invalid with the problems of ValidateErasure.
func SaveErasure(items []ErasureItem) func(c *Case, env Env) (Change, error) {
	return func(c *Case, env Env) (Change, error) {
		switch {
		case c.Type != Erasure:
			return Change{}, apperr.New(apperr.Conflict, "erasure.not_erasure")
		case c.Status == Completed:
			return Change{}, apperr.New(apperr.Conflict, "case.completed")
		case c.Answered():
			return Change{}, apperr.New(apperr.Conflict, "case.decided")
		}
		if p := ValidateErasure(*c, items, env.Today); len(p) > 0 {
			return Change{}, apperr.InvalidFields(p)
		}
		saved := make([]ErasureItem, 0, len(items))
		byAction := map[string][]string{}
		for _, it := range inRegisterOrder(c.Activities, items) {
			a := it.Activity
			it.System, it.Ground, it.Until = strings.TrimSpace(it.System), strings.TrimSpace(it.Ground), strings.TrimSpace(it.Until)
			it.Due, it.ErasedOn, it.ErasedBy, it.ErasedByName = strings.TrimSpace(it.Due), strings.TrimSpace(it.ErasedOn), 0, ""
			if it.Action == ErasureErased && it.ErasedOn == "" {
				it.ErasedOn = env.Today.String()
			}
			if j := slices.IndexFunc(c.Erasure, func(o ErasureItem) bool { return o.Activity == a }); j >= 0 {
				if o := c.Erasure[j]; o.Action == it.Action && o.ErasedOn == it.ErasedOn && o.System == it.System {
					it.ErasedBy = o.ErasedBy
				}
			}
			saved = append(saved, it)
			byAction[it.Action] = append(byAction[it.Action], a)
		}
		c.Erasure = saved
		data := map[string]string{}
		for _, a := range ErasureActions {
			data[a] = strings.Join(byAction[a], ",")
		}
		return Change{Erasure: &saved, Events: []Event{{Kind: EventErasure, Data: data}}}, nil
	}
}

// stampErasure names actor as the one who erased the items of ch that were
// erased or confirmed in this change (ErasedOn set, ErasedBy not yet).
func stampErasure(ch Change, actor int64) {
	if ch.Erasure == nil {
		return
	}
	for i, it := range *ch.Erasure {
		if it.ErasedOn != "" && it.ErasedBy == 0 {
			(*ch.Erasure)[i].ErasedBy = actor
		}
	}
}

// ConfirmDestruction records that the destruction promised for activity
// on erasure case ref was carried out on day on (YYYY-MM-DD), in system
// (the system named when it was promised, if empty). When it was the last
// one promised, the case is completed and the requester told: by mail, or
// by a letter to print for a case by post (EventDestroyed). It is Conflict
// for another request type, before the decision ("erasure.not_decided"),
// for a completed case, and for an activity with no destruction pending
// ("erasure.not_pending"); Invalid for a wrong day ("erased_on") or system.
func (s *Service) ConfirmDestruction(ctx context.Context, a Actor, ref, activity, on, system string) (Case, error) {
	return s.update(ctx, a, ref, func(c *Case, today deadline.Date, _ deadline.Calendar, _ practice.Settings) (Change, error) {
		switch {
		case c.Type != Erasure:
			return Change{}, apperr.New(apperr.Conflict, "erasure.not_erasure")
		case c.Status == Completed:
			return Change{}, apperr.New(apperr.Conflict, "case.completed")
		case !c.Answered():
			return Change{}, apperr.New(apperr.Conflict, "erasure.not_decided")
		}
		i := slices.IndexFunc(c.Erasure, func(it ErasureItem) bool { return it.Activity == activity && it.Pending() })
		if i < 0 {
			return Change{}, apperr.New(apperr.Conflict, "erasure.not_pending")
		}
		p := Problems{}
		on, system = strings.TrimSpace(on), strings.TrimSpace(system)
		if msg := erasedOn(on, c.ReceivedOn, today, true); msg != "" {
			p.add("erased_on", msg)
		}
		text(p, "system", system, false, MaxShort)
		if len(p) > 0 {
			return Change{}, apperr.InvalidFields(p)
		}
		items := slices.Clone(c.Erasure)
		items[i].ErasedOn = on
		if system != "" {
			items[i].System = system
		}
		c.Erasure = items
		ch := Change{Erasure: &items, Events: []Event{{Kind: EventDestructionConfirmed,
			Data: map[string]string{"activity": activity, "on": on}}}}
		if PendingDestructions(items) > 0 {
			return ch, nil
		}
		from := c.Status
		c.Status = Completed
		ch.Events = append(ch.Events, Event{Kind: EventStatus, Data: map[string]string{"from": string(from), "to": string(Completed)}},
			Event{Kind: EventDestroyed, Visible: true})
		return s.withMail(ch, *c, s.letters.Destroyed)
	})
}
