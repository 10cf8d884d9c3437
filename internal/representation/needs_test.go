package representation_test

import (
	"slices"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/representation"
)

// keys returns the keys of reqs in order.
func keys(tb testing.TB, reqs []representation.Requirement) []string {
	tb.Helper()
	out := []string{}
	for _, r := range reqs {
		out = append(out, r.Key)
	}
	return out
}

const (
	id       = representation.KeyRequesterIdentity
	gezag    = representation.KeyParentalAuthority
	voogd    = representation.KeyGuardianAuthority
	machtig  = representation.KeyRepresentativeAuthority
	agree    = representation.KeyChildAgreement
	consent  = representation.KeyChildWrittenConsent
	inform   = representation.KeyInformOtherParent
	interest = representation.KeyChildInterestCheck
)

func TestNeedsDefaultNL(t *testing.T) {
	const received = "2026-03-10"
	born := map[string]string{ // birth dates giving each age band on the day of receipt
		"0-11": "2020-06-01", "12-15": "2014-03-10" /* 12 on the day */, "16+": "2010-03-10", /* 16 on the day */
		"11": "2014-03-11" /* 12 tomorrow */, "15": "2010-03-11", /* 16 tomorrow */
	}
	cases := []struct {
		age      string
		relation casework.Relation
		band     string
		want     []string
	}{
		{"0-11", casework.Parent, "0-11", []string{id, gezag, inform, interest}},
		{"0-11", casework.Guardian, "0-11", []string{id, voogd, interest}},
		{"0-11", casework.Representative, "0-11", []string{id, machtig, inform, interest}},
		{"0-11", casework.Self, "0-11", []string{id}},
		{"11", casework.Parent, "0-11", []string{id, gezag, inform, interest}},
		{"12-15", casework.Parent, "12-15", []string{id, gezag, agree, inform}},
		{"12-15", casework.Guardian, "12-15", []string{id, voogd, agree}},
		{"12-15", casework.Representative, "12-15", []string{id, machtig, agree, inform}},
		{"12-15", casework.Self, "12-15", []string{id}},
		{"15", casework.Parent, "12-15", []string{id, gezag, agree, inform}},
		{"16+", casework.Parent, "16+", []string{id, consent}},
		{"16+", casework.Guardian, "16+", []string{id, consent}},
		{"16+", casework.Representative, "16+", []string{id, machtig}},
		{"16+", casework.Self, "16+", []string{id}},
	}
	rules := representation.DefaultNL()
	covered := map[string]bool{}
	for _, tc := range cases {
		t.Run(tc.age+"/"+string(tc.relation), func(t *testing.T) {
			band, reqs := representation.Needs(rules, tc.relation, date(t, born[tc.age]), date(t, received))
			if band.Key != tc.band {
				t.Fatalf("band %q, want %q", band.Key, tc.band)
			}
			if got := keys(t, reqs); !slices.Equal(got, tc.want) {
				t.Fatalf("requirements %v, want %v", got, tc.want)
			}
			covered[tc.band+"/"+string(tc.relation)] = true
		})
	}
	t.Run("every band and relation is tested", func(t *testing.T) {
		for _, b := range rules.Bands {
			for _, rel := range casework.Relations {
				if !covered[b.Key+"/"+string(rel)] {
					t.Errorf("no case for band %s, relation %s", b.Key, rel)
				}
			}
		}
	})
}

func TestNeedsUnknowns(t *testing.T) {
	rules := representation.DefaultNL()
	received := date(t, "2026-03-10")
	for _, tc := range []struct {
		name     string
		relation casework.Relation
		birth    deadline.Date
		band     string
		want     []string
	}{
		{"self without birth date", casework.Self, deadline.Date{}, "", []string{id}},
		{"parent without birth date", casework.Parent, deadline.Date{}, "", []string{id, representation.KeySubjectBirthDate}},
		{"guardian, birth after receipt", casework.Guardian, date(t, "2026-03-11"), "", []string{id, representation.KeySubjectBirthDate}},
		{"representative, invalid birth date", casework.Representative, deadline.Date{Year: 2020, Month: 2, Day: 30}, "", []string{id, representation.KeySubjectBirthDate}},
		{"unknown relation", "grandparent", date(t, "2020-01-01"), "0-11", []string{id, representation.KeyRequesterRelation}},
		{"empty relation", "", date(t, "2020-01-01"), "0-11", []string{id, representation.KeyRequesterRelation}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			band, reqs := representation.Needs(rules, tc.relation, tc.birth, received)
			if band.Key != tc.band {
				t.Fatalf("band %q, want %q", band.Key, tc.band)
			}
			if got := keys(t, reqs); !slices.Equal(got, tc.want) {
				t.Fatalf("requirements %v, want %v", got, tc.want)
			}
			if representation.CanGrant(representation.Check(reqs, nil)) {
				t.Fatal("granted with nothing recorded")
			}
		})
	}
	t.Run("a table without the relation", func(t *testing.T) {
		r := representation.DefaultNL()
		delete(r.Bands[0].ByRelation, casework.Guardian)
		_, reqs := representation.Needs(r, casework.Guardian, date(t, "2020-01-01"), received)
		if got, want := keys(t, reqs), []string{id, representation.KeyRequesterRelation}; !slices.Equal(got, want) {
			t.Fatalf("requirements %v, want %v", got, want)
		}
	})
	t.Run("the result is the caller's own", func(t *testing.T) {
		_, reqs := representation.Needs(rules, casework.Parent, date(t, "2020-01-01"), received)
		reqs[0].Key = "changed"
		_, again := representation.Needs(rules, casework.Parent, date(t, "2020-01-01"), received)
		if again[0].Key != id {
			t.Fatal("Needs returned the table's own slice")
		}
	})
}

func TestCheck(t *testing.T) {
	fixed := representation.Requirement{Key: gezag, Label: map[string]string{"nl": "x", "en": "x"}}
	waivable := representation.Requirement{Key: inform, Label: map[string]string{"nl": "x", "en": "x"}, Waivable: true}
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	ok := func(key string) representation.Status {
		return representation.Status{Key: key, Satisfied: true, By: "a@example.nl", At: at}
	}
	waive := func(key, reason string) representation.Status {
		return representation.Status{Key: key, Waived: true, Reason: reason, By: "a@example.nl", At: at}
	}
	reqs := []representation.Requirement{fixed, waivable}
	for _, tc := range []struct {
		name     string
		statuses []representation.Status
		missing  []string
	}{
		{"nothing recorded blocks", nil, []string{gezag, inform}},
		{"one unmet blocks", []representation.Status{ok(gezag)}, []string{inform}},
		{"all satisfied passes", []representation.Status{ok(inform), ok(gezag)}, nil},
		{"waived with reason passes when waivable", []representation.Status{ok(gezag), waive(inform, "court order of 2025-04-01")}, nil},
		{"waived with reason blocks when not waivable", []representation.Status{waive(gezag, "no register extract"), ok(inform)}, []string{gezag}},
		{"waived without reason blocks", []representation.Status{ok(gezag), waive(inform, "")}, []string{inform}},
		{"waived with a blank reason blocks", []representation.Status{ok(gezag), waive(inform, " \t\n")}, []string{inform}},
		{"a later withdrawal blocks", []representation.Status{ok(gezag), ok(inform), {Key: gezag}}, []string{gezag}},
		{"a later confirmation passes", []representation.Status{{Key: gezag}, ok(gezag), ok(inform)}, nil},
		{"a status for another key does not count", []representation.Status{ok("something_else"), ok(inform)}, []string{gezag}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			missing := representation.Check(reqs, tc.statuses)
			if got := keys(t, missing); !slices.Equal(got, tc.missing) {
				t.Fatalf("missing %v, want %v", got, tc.missing)
			}
			if got, want := representation.CanGrant(missing), len(tc.missing) == 0; got != want {
				t.Fatalf("CanGrant = %v, want %v", got, want)
			}
		})
	}
	t.Run("reserved keys are met by no status", func(t *testing.T) {
		_, reqs := representation.Needs(representation.DefaultNL(), casework.Parent, deadline.Date{}, date(t, "2026-03-10"))
		missing := representation.Check(reqs, []representation.Status{ok(id), ok(representation.KeySubjectBirthDate), waive(representation.KeySubjectBirthDate, "unknown")})
		if got := keys(t, missing); !slices.Equal(got, []string{representation.KeySubjectBirthDate}) {
			t.Fatalf("missing %v", got)
		}
	})
	t.Run("a 16-year-old's consent waived with the counsellor's decision", func(t *testing.T) {
		_, reqs := representation.Needs(representation.DefaultNL(), casework.Parent, date(t, "2010-01-01"), date(t, "2026-03-10"))
		statuses := []representation.Status{ok(id), waive(consent, "counsellor: cannot reasonably judge own interests (BW 7:465); parental authority shown by register extract")}
		if missing := representation.Check(reqs, statuses); !representation.CanGrant(missing) {
			t.Fatalf("missing %v", keys(t, missing))
		}
	})
}
