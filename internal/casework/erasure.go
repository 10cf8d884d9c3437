package casework

import (
	"slices"
	"strconv"
	"strings"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/deadline"
)

// The actions of an erasure item: the data of the activity were erased, or
// they are kept on a ground the law allows (AVG art. 17(3)).
const (
	ErasureErased = "erased"
	ErasureKept   = "kept"
)

// ErasureActions lists the actions in the order the UI offers them.
var ErasureActions = []string{ErasureErased, ErasureKept}

// EventErasure: the officer recorded, per chosen activity, what was erased
// and what is kept. Data: erased and kept (activity keys, comma-separated).
const EventErasure EventKind = "erasure"

// ErasureItem is what an erasure case (AVG art. 17) did with one of the
// activities chosen on it: erased, or kept by a law that forbids
// destruction until a date (DOMAIN.md §5, §8). Ground and System name a
// statute and a system, never the person.
type ErasureItem struct {
	Activity string // the register activity's key
	// Name is the activity's name in the register when the item was
	// recorded, as the decision letter names it; the caller fills it.
	Name   string
	Action string // ErasureErased or ErasureKept
	// System is where the data were erased ("client file"); optional.
	System string
	// Ground and Until go with ErasureKept only, and are required there:
	// the statute that forbids destruction ("AWR art. 52") and the last day
	// the data are kept (YYYY-MM-DD).
	Ground string
	Until  string
}

// Kept reports whether the item keeps the activity's data.
func (i ErasureItem) Kept() bool { return i.Action == ErasureKept }

// AnyKept reports whether one of items keeps data: the erasure is then
// granted in part at most.
func AnyKept(items []ErasureItem) bool { return slices.ContainsFunc(items, ErasureItem.Kept) }

// ValidateErasure returns the problems of items as the answer of the
// erasure case c on today, keyed by JSON path ("items", "items.0.ground"):
// exactly one item per activity chosen on c and none for another; an
// action of ErasureActions; a kept item names a statute other than the
// dossier term alone (Jeugdwet 7.3.8, BW 7:454(3) — a destruction request is
// carried out within three months, BW 7:455(1), Jeugdwet 7.3.9) and a valid
// end date after today; an erased item names neither.
func ValidateErasure(c Case, items []ErasureItem, today deadline.Date) Problems {
	p := Problems{}
	if len(c.Activities) == 0 {
		p.add("items", "erasure.no_activities")
		return p
	}
	seen := map[string]bool{}
	for n, it := range items {
		at := "items." + strconv.Itoa(n) + "."
		switch {
		case !slices.Contains(c.Activities, it.Activity):
			p.add(at+"activity", "erasure.activity_not_chosen")
		case seen[it.Activity]:
			p.add(at+"activity", "erasure.activity_twice")
		}
		seen[it.Activity] = true
		choice(p, at+"action", it.Action, ErasureActions, true)
		text(p, at+"system", strings.TrimSpace(it.System), false, MaxShort)
		ground, until := strings.TrimSpace(it.Ground), strings.TrimSpace(it.Until)
		if !it.Kept() {
			if ground != "" {
				p.add(at+"ground", "erasure.kept_only")
			}
			if until != "" {
				p.add(at+"until", "erasure.kept_only")
			}
			continue
		}
		if msg := keptGround(ground); msg != "" {
			p.add(at+"ground", msg)
		} else {
			text(p, at+"ground", ground, true, MaxShort)
		}
		if msg := keptUntil(until, today); msg != "" {
			p.add(at+"until", msg)
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

// SaveErasure is the step that records the erasure items of an erasure
// case, replacing earlier ones (Change.Erasure). It is Conflict for
// another request type ("erasure.not_erasure") and for a completed case,
// and Invalid with the problems of ValidateErasure.
func SaveErasure(items []ErasureItem) func(c *Case, env Env) (Change, error) {
	return func(c *Case, env Env) (Change, error) {
		switch {
		case c.Type != Erasure:
			return Change{}, apperr.New(apperr.Conflict, "erasure.not_erasure")
		case c.Status == Completed:
			return Change{}, apperr.New(apperr.Conflict, "case.completed")
		}
		if p := ValidateErasure(*c, items, env.Today); len(p) > 0 {
			return Change{}, apperr.InvalidFields(p)
		}
		saved := make([]ErasureItem, 0, len(items))
		var erased, kept []string
		for _, a := range c.Activities { // the register's order
			i := slices.IndexFunc(items, func(it ErasureItem) bool { return it.Activity == a })
			it := items[i]
			it.System, it.Ground, it.Until = strings.TrimSpace(it.System), strings.TrimSpace(it.Ground), strings.TrimSpace(it.Until)
			saved = append(saved, it)
			if it.Kept() {
				kept = append(kept, a)
			} else {
				erased = append(erased, a)
			}
		}
		c.Erasure = saved
		return Change{Erasure: &saved, Events: []Event{{Kind: EventErasure,
			Data: map[string]string{"erased": strings.Join(erased, ","), "kept": strings.Join(kept, ",")}}}}, nil
	}
}
