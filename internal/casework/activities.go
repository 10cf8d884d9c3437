package casework

import "slices"

// keyed is an answer's entry about one of the activities chosen on a
// case: a restricted or objected activity, an erasure item.
type keyed interface{ activityKey() string }

func (a RestrictedActivity) activityKey() string { return a.Key }
func (a ObjectedActivity) activityKey() string   { return a.Key }
func (it ErasureItem) activityKey() string       { return it.Activity }

// keysOf returns the activity key of each of entries, in their order.
func keysOf[T keyed](entries []T) []string {
	keys := make([]string, len(entries))
	for i, e := range entries {
		keys[i] = e.activityKey()
	}
	return keys
}

// inRegisterOrder returns the entries of the activities chosen, in the
// order of chosen (the register's order), each the first entry naming it;
// a chosen activity no entry names is left out.
func inRegisterOrder[T keyed](chosen []string, entries []T) []T {
	var out []T
	for _, k := range chosen {
		if i := slices.IndexFunc(entries, func(e T) bool { return e.activityKey() == k }); i >= 0 {
			out = append(out, entries[i])
		}
	}
	return out
}

// activityNamed is the message ID of what is wrong with an answer of kind
// domain ("restriction", "objection", "erasure") naming activity key:
// domain+".activity_not_chosen" when c did not choose it,
// domain+".activity_twice" when seen holds it already; "" otherwise. It
// adds key to seen.
func activityNamed(c Case, seen map[string]bool, key, domain string) string {
	defer func() { seen[key] = true }()
	switch {
	case !slices.Contains(c.Activities, key):
		return domain + ".activity_not_chosen"
	case seen[key]:
		return domain + ".activity_twice"
	}
	return ""
}
