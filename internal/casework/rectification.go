package casework

import (
	"slices"
	"strconv"
	"strings"

	"github.com/avgloket/avgloket/internal/apperr"
)

// EventRectification: the officer recorded the items of a rectification
// case. Data: corrected and kept, the number of items of each (never the
// values, which are the person's data).
const EventRectification EventKind = "rectification"

// MaxRectificationItems is the most items one rectification case records.
const MaxRectificationItems = 50

// RectificationItem is one piece of data a rectification case (AVG art. 16)
// is about: corrected from Old to New in Systems, or kept as it is (Kept)
// for a Reason — the data are correct, or they are a professional
// judgement rather than a fact (DOMAIN.md §8). To a kept item the
// requester's own Statement can be added to the file (BW 7:454(2)). Field
// names what the data are ("adres", "diagnose"); Old, New, Reason and
// Statement are the person's data and sealed at rest.
type RectificationItem struct {
	Field   string
	Old     string
	New     string   // the corrected value; empty when kept
	Systems []string // where the value was corrected; none when kept
	Kept    bool
	// Reason says why a kept item stays as it is; required there, and only
	// there.
	Reason string
	// Statement is the requester's own statement added to the file beside a
	// kept item (BW 7:454(2)); optional, and only with a kept item.
	Statement string
}

// AnyRectificationKept reports whether one of items is kept: the
// rectification is then granted in part at most.
func AnyRectificationKept(items []RectificationItem) bool {
	return slices.ContainsFunc(items, func(it RectificationItem) bool { return it.Kept })
}

// AllRectificationKept reports whether items has items and keeps every one:
// nothing was corrected, which a refusal on GroundDataCorrect fits.
func AllRectificationKept(items []RectificationItem) bool {
	return len(items) > 0 && !slices.ContainsFunc(items, func(it RectificationItem) bool { return !it.Kept })
}

// trimmed is it with its text trimmed and its systems trimmed, empty ones
// left out.
func (it RectificationItem) trimmed() RectificationItem {
	out := RectificationItem{Field: strings.TrimSpace(it.Field), Old: strings.TrimSpace(it.Old), New: strings.TrimSpace(it.New),
		Kept: it.Kept, Reason: strings.TrimSpace(it.Reason), Statement: strings.TrimSpace(it.Statement)}
	for _, s := range it.Systems {
		if s = strings.TrimSpace(s); s != "" {
			out.Systems = append(out.Systems, s)
		}
	}
	return out
}

// ValidateRectification returns the problems of items as the answer of a
// rectification case, keyed by JSON path ("items", "items.0.new"): at most
// MaxRectificationItems; each names the field and its old value; a
// corrected item has a new value that differs from the old one and at
// least one system, and neither reason nor statement; a kept item has a
// reason, and neither new value nor systems.
func ValidateRectification(items []RectificationItem) Problems {
	p := Problems{}
	if len(items) > MaxRectificationItems {
		p.add("items", "rectification.too_many")
		return p
	}
	for n, it := range items {
		it = it.trimmed()
		at := "items." + strconv.Itoa(n) + "."
		text(p, at+"field", it.Field, true, MaxName)
		text(p, at+"old", it.Old, true, MaxShort)
		if it.Kept {
			if it.New != "" {
				p.add(at+"new", "rectification.corrected_only")
			}
			if len(it.Systems) > 0 {
				p.add(at+"systems", "rectification.corrected_only")
			}
			text(p, at+"reason", it.Reason, true, MaxText)
			text(p, at+"statement", it.Statement, false, MaxText)
			continue
		}
		text(p, at+"new", it.New, true, MaxShort)
		if it.New != "" && it.New == it.Old {
			p.add(at+"new", "rectification.same_value")
		}
		if len(it.Systems) == 0 {
			p.add(at+"systems", "rectification.systems_required")
		}
		for _, s := range it.Systems {
			text(p, at+"systems", s, true, MaxName)
		}
		if it.Reason != "" {
			p.add(at+"reason", "rectification.kept_only")
		}
		if it.Statement != "" {
			p.add(at+"statement", "rectification.kept_only")
		}
	}
	return p
}

// SaveRectification is the step that records the items of a rectification
// case, replacing earlier ones (Change.Rectification). It is Conflict for
// another request type ("rectification.not_rectification") and for a
// completed case, and Invalid with the problems of ValidateRectification.
// The event counts the items corrected and kept; the values stay out of it.
func SaveRectification(items []RectificationItem) func(c *Case, env Env) (Change, error) {
	return func(c *Case, _ Env) (Change, error) {
		switch {
		case c.Type != Rectification:
			return Change{}, apperr.New(apperr.Conflict, "rectification.not_rectification")
		case c.Status == Completed:
			return Change{}, apperr.New(apperr.Conflict, "case.completed")
		}
		if p := ValidateRectification(items); len(p) > 0 {
			return Change{}, apperr.InvalidFields(p)
		}
		saved := make([]RectificationItem, len(items))
		kept := 0
		for i, it := range items {
			saved[i] = it.trimmed()
			if it.Kept {
				kept++
			}
		}
		c.Rectification = saved
		return Change{Rectification: &saved, Events: []Event{{Kind: EventRectification,
			Data: map[string]string{"corrected": strconv.Itoa(len(saved) - kept), "kept": strconv.Itoa(kept)}}}}, nil
	}
}

// AddRectification is the step that adds item to the items a rectification
// case recorded (SaveRectification), with the problems of the item alone
// keyed by its own fields ("new", "reason").
func AddRectification(item RectificationItem) func(c *Case, env Env) (Change, error) {
	return func(c *Case, env Env) (Change, error) {
		n := len(c.Rectification)
		ch, err := SaveRectification(append(slices.Clone(c.Rectification), item))(c, env)
		if !apperr.Is(err, apperr.Invalid) {
			return ch, err
		}
		at := "items." + strconv.Itoa(n) + "."
		own := map[string]string{}
		for k, v := range apperr.As(err).Fields {
			if rest, ok := strings.CutPrefix(k, at); ok {
				own[rest] = v
			} else {
				own[k] = v
			}
		}
		return Change{}, apperr.InvalidFields(own)
	}
}

// RemoveRectification is the step that removes the item at index n (from
// 0) of a rectification case; NotFound when there is none such.
func RemoveRectification(n int) func(c *Case, env Env) (Change, error) {
	return func(c *Case, env Env) (Change, error) {
		items := slices.Clone(c.Rectification)
		if c.Type == Rectification && c.Status != Completed && (n < 0 || n >= len(items)) {
			return Change{}, apperr.New(apperr.NotFound, "error.not_found")
		}
		if n >= 0 && n < len(items) {
			items = slices.Delete(items, n, n+1)
		}
		return SaveRectification(items)(c, env)
	}
}
