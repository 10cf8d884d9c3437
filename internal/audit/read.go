package audit

import (
	"strconv"
	"strings"
	"time"
)

// ParseRef splits an actor or object "<kind>:<id>" into its kind and id;
// ok is false for anything else ("system", "anonymous", "").
func ParseRef(s string) (kind string, id int64, ok bool) {
	kind, ok = parseRef(s)
	if !ok {
		return "", 0, false
	}
	id, _ = strconv.ParseInt(s[len(kind)+1:], 10, 64)
	return kind, id, true
}

// Actor kinds for Filter.Actor: every actor of that kind.
const (
	ActorStaff     = "staff"
	ActorRequester = "requester"
	ActorAPI       = "api"
)

// Filter selects entries for the owners' view of the trail. Zero fields
// select everything.
type Filter struct {
	// Actor is one actor ("staff:3", System, Anonymous) or every actor of
	// a kind (ActorStaff, ActorRequester, ActorAPI).
	Actor  string
	Action Action
	// Object is one object ("case:12").
	Object string
	// From and Until bound At: From <= At < Until.
	From, Until time.Time
	// Before and After are the keyset: only entries with an ID below
	// Before (newest first), or above After (the page just newer than
	// After). At most one is set.
	Before, After int64
	// Limit is the page size.
	Limit int
}

// ActorKind reports whether f.Actor names a kind of actor rather than one
// actor.
func (f Filter) ActorKind() bool {
	return f.Actor == ActorStaff || f.Actor == ActorRequester || f.Actor == ActorAPI
}

// Page is one page of the trail, newest first, with whether there are
// newer and older entries that match the same filter.
type Page struct {
	Entries      []Entry
	Newer, Older bool
}

// Word is one word of a Detail: "key=value", or a bare value with Key "".
type Word struct{ Key, Value string }

// Words splits a Detail into its space-separated words.
func Words(detail string) []Word {
	var out []Word
	for _, w := range strings.Fields(detail) {
		k, v, found := strings.Cut(w, "=")
		if !found {
			k, v = "", w
		}
		out = append(out, Word{Key: k, Value: v})
	}
	return out
}

// A Look is an action that only shows something: repeated, it says
// nothing new.
func (a Action) Look() bool {
	return a == CaseView || a == BreachView || a == RequestTrack
}

// Run is an entry that stands for Count consecutive entries of the same
// look: the same actor, action and object. Entry is the newest of them;
// First is the time of the oldest.
type Run struct {
	Entry
	Count int
	First time.Time
}

// Fold folds entries, newest first, into runs: consecutive looks (see
// Action.Look) by the same actor at the same object become one Run with
// their count; every other entry is a Run of one.
func Fold(entries []Entry) []Run {
	var out []Run
	for _, e := range entries {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if e.Action.Look() && e.Action == last.Action && e.Actor == last.Actor && e.Object == last.Object {
				last.Count++
				last.First = e.At
				continue
			}
		}
		out = append(out, Run{Entry: e, Count: 1, First: e.At})
	}
	return out
}
