package representation_test

import (
	"slices"
	"strings"
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
	acts     = representation.KeyParentActs
	noAuth   = representation.KeyNoParentalAuthority

	access   = casework.Access
	withdraw = casework.ConsentWithdrawal
	selfRel  = casework.Self
	parent   = casework.Parent
	noGezag  = casework.ParentWithoutAuthority
	guardian = casework.Guardian
	repr     = casework.Representative
)

// The Dutch table by band × relation × request type (DOMAIN.md §4 and §8
// "Minors by request"). A key in brackets applies only while the
// requirement it depends on is waived; see TestConditionalRequirements.
func TestNeedsDefaultNL(t *testing.T) {
	const received = "2026-03-10"
	born := map[string]string{ // birth dates giving each age band on the day of receipt
		"0-11": "2020-06-01", "12-15": "2014-03-10" /* 12 on the day */, "16+": "2010-03-10", /* 16 on the day */
		"11": "2014-03-11" /* 12 tomorrow */, "14": "2012-01-15", "15": "2010-03-11", /* 16 tomorrow */
		"17": "2008-06-01",
	}
	cases := []struct {
		age      string
		relation casework.Relation
		typ      casework.RequestType
		band     string
		want     []string
	}{
		{"0-11", parent, access, "0-11", []string{id, gezag, inform, interest}},
		{"0-11", guardian, access, "0-11", []string{id, voogd, interest}},
		{"0-11", repr, access, "0-11", []string{id, machtig, inform, interest}},
		// WGBO 7:465(1): a child under 12 cannot exercise the rights alone.
		{"0-11", selfRel, access, "0-11", []string{id, acts, interest}},
		{"11", selfRel, casework.Erasure, "0-11", []string{id, acts, interest}},
		{"0-11", noGezag, access, "0-11", []string{id, noAuth}},
		{"11", parent, access, "0-11", []string{id, gezag, inform, interest}},
		// BW 7:465(4) is no check on withdrawing a consent.
		{"0-11", parent, withdraw, "0-11", []string{id, gezag, inform}},
		{"0-11", guardian, withdraw, "0-11", []string{id, voogd}},
		{"0-11", repr, withdraw, "0-11", []string{id, machtig, inform}},
		{"0-11", selfRel, withdraw, "0-11", []string{id, acts}},
		{"0-11", noGezag, withdraw, "0-11", []string{id, noAuth}},

		{"12-15", parent, access, "12-15", []string{id, gezag, agree, interest, inform}},
		{"12-15", guardian, access, "12-15", []string{id, voogd, agree, interest}},
		{"12-15", repr, access, "12-15", []string{id, machtig, agree, interest, inform}},
		{"12-15", selfRel, access, "12-15", []string{id}},
		{"12-15", noGezag, access, "12-15", []string{id, noAuth}},
		{"15", parent, casework.Rectification, "12-15", []string{id, gezag, agree, interest, inform}},
		// UAVG art. 5: a parent withdraws a consent they gave for a child
		// under 16 without the child's agreement.
		{"14", parent, withdraw, "12-15", []string{id, gezag, inform}},
		{"14", guardian, withdraw, "12-15", []string{id, voogd}},
		{"14", repr, withdraw, "12-15", []string{id, machtig, inform}},
		{"14", selfRel, withdraw, "12-15", []string{id}},
		{"14", noGezag, withdraw, "12-15", []string{id, noAuth}},

		// BW 7:465(2): without capacity the parents' authority is a
		// requirement (it applies once the consent is waived).
		{"16+", parent, access, "16+", []string{id, consent, gezag, interest}},
		{"17", guardian, access, "16+", []string{id, consent, voogd, interest}},
		{"16+", repr, access, "16+", []string{id, machtig}},
		{"16+", selfRel, access, "16+", []string{id}},
		{"16+", noGezag, access, "16+", []string{id, consent, noAuth, interest}},
		{"16+", parent, withdraw, "16+", []string{id, consent, gezag}},
		{"16+", guardian, withdraw, "16+", []string{id, consent, voogd}},
		{"16+", repr, withdraw, "16+", []string{id, machtig}},
		{"16+", selfRel, withdraw, "16+", []string{id}},
		{"16+", noGezag, withdraw, "16+", []string{id, consent, noAuth}},
	}
	rules := representation.DefaultNL()
	covered := map[string]bool{}
	for _, tc := range cases {
		t.Run(tc.age+"/"+string(tc.relation)+"/"+string(tc.typ), func(t *testing.T) {
			band, reqs := representation.Needs(rules, representation.Facts{Type: tc.typ, Relation: tc.relation,
				BirthDate: date(t, born[tc.age]), Received: date(t, received)})
			if band.Key != tc.band {
				t.Fatalf("band %q, want %q", band.Key, tc.band)
			}
			if got := keys(t, reqs); !slices.Equal(got, tc.want) {
				t.Fatalf("requirements %v, want %v", got, tc.want)
			}
			covered[tc.band+"/"+string(tc.relation)+"/"+string(tc.typ)] = true
		})
	}
	t.Run("every band, relation and kind of request is tested", func(t *testing.T) {
		for _, b := range rules.Bands {
			for _, rel := range casework.Relations {
				for _, typ := range []casework.RequestType{access, withdraw} {
					if !covered[b.Key+"/"+string(rel)+"/"+string(typ)] {
						t.Errorf("no case for band %s, relation %s, type %s", b.Key, rel, typ)
					}
				}
			}
		}
	})
}

// What the statuses on record make of the requirements that apply only
// while another is waived, and of the requirements nothing meets.
func TestConditionalRequirements(t *testing.T) {
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	ok := func(key string) representation.Status {
		return representation.Status{Key: key, Satisfied: true, By: "a@example.nl", At: at}
	}
	waive := func(key string) representation.Status {
		return representation.Status{Key: key, Waived: true, Reason: "counsellor: cannot reasonably judge own interests", By: "a@example.nl", At: at}
	}
	rules := representation.DefaultNL()
	needs := func(t *testing.T, rel casework.Relation, typ casework.RequestType, birth string) []representation.Requirement {
		t.Helper()
		_, reqs := representation.Needs(rules, representation.Facts{Type: typ, Relation: rel, BirthDate: date(t, birth), Received: date(t, "2026-03-10")})
		return reqs
	}
	const (
		nine, fourteen, sixteen = "2016-09-01", "2012-01-15", "2009-11-20"
	)
	for _, tc := range []struct {
		name     string
		relation casework.Relation
		typ      casework.RequestType
		birth    string
		statuses []representation.Status
		missing  []string
	}{
		{"under 12, own request, nothing recorded", selfRel, access, nine, nil, []string{id, acts, interest}},
		{"under 12, own request, no parent recorded", selfRel, access, nine, []representation.Status{ok(id), ok(interest)}, []string{acts}},
		{"under 12, own request, a parent with authority recorded", selfRel, access, nine, []representation.Status{ok(id), ok(acts), ok(interest)}, nil},
		{"under 12, parent acting is not waivable", selfRel, access, nine,
			[]representation.Status{ok(id), waive(acts), ok(interest)}, []string{acts}},

		{"16, consent given: no authority needed", parent, access, sixteen, []representation.Status{ok(id), ok(consent)}, nil},
		{"16-17 without capacity: authority required", parent, access, sixteen,
			[]representation.Status{ok(id), waive(consent)}, []string{gezag, interest}},
		{"16-17 without capacity, authority shown", parent, access, sixteen,
			[]representation.Status{ok(id), waive(consent), ok(gezag), ok(interest)}, nil},
		{"16-17 without capacity, guardian", guardian, access, sixteen,
			[]representation.Status{ok(id), waive(consent)}, []string{voogd, interest}},
		{"16-17 without capacity, consent withdrawal: authority, no interest check", parent, withdraw, sixteen,
			[]representation.Status{ok(id), waive(consent)}, []string{gezag}},
		{"a waiver later withdrawn takes the authority out again", parent, access, sixteen,
			[]representation.Status{ok(id), waive(consent), {Key: consent}, ok(consent)}, nil},

		{"14, child objects and cannot judge: the interest check applies", parent, access, fourteen,
			[]representation.Status{ok(id), ok(gezag), waive(agree), ok(inform)}, []string{interest}},
		{"14, child agrees: no interest check", parent, access, fourteen,
			[]representation.Status{ok(id), ok(gezag), ok(agree), ok(inform)}, nil},
		{"14, parent withdraws a consent without the child", parent, withdraw, fourteen,
			[]representation.Status{ok(id), ok(gezag), ok(inform)}, nil},

		{"parent without authority, 14: never grantable", noGezag, access, fourteen,
			[]representation.Status{ok(id), ok(noAuth), waive(noAuth)}, []string{noAuth}},
		{"parent without authority, 9, consent withdrawal: never grantable", noGezag, withdraw, nine,
			[]representation.Status{ok(id), ok(gezag)}, []string{noAuth}},
		{"parent without authority, 16, with the young person's consent", noGezag, access, sixteen,
			[]representation.Status{ok(id), ok(consent)}, nil},
		{"parent without authority, 16, without capacity: never grantable", noGezag, access, sixteen,
			[]representation.Status{ok(id), waive(consent), ok(noAuth), ok(interest)}, []string{noAuth}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			missing := representation.Check(needs(t, tc.relation, tc.typ, tc.birth), tc.statuses)
			if got := keys(t, missing); !slices.Equal(got, tc.missing) {
				t.Fatalf("missing %v, want %v", got, tc.missing)
			}
			if representation.CanGrant(missing) != (len(tc.missing) == 0) {
				t.Fatal("CanGrant disagrees with what is missing")
			}
		})
	}
	t.Run("Assess says what applies", func(t *testing.T) {
		got := representation.Assess(needs(t, parent, access, sixteen), []representation.Status{ok(id)})
		applies := map[string]bool{}
		for _, a := range got {
			applies[a.Key] = a.Applies
		}
		if !applies[consent] || applies[gezag] || applies[interest] {
			t.Fatalf("applies %v: the authority and the interest check apply only once the consent is waived", applies)
		}
	})
	t.Run("the parent without authority hears of BW 1:377c", func(t *testing.T) {
		reqs := needs(t, noGezag, access, fourteen)
		if l := reqs[1].Label; !strings.Contains(l["nl"], "1:377c") || !strings.Contains(l["en"], "1:377c") || strings.Contains(l["en"], "gezag") {
			t.Fatalf("label %v", l)
		}
		old := representation.DefaultNL()
		old.WithoutAuthority = nil // a table stored before the field existed
		_, reqs = representation.Needs(old, representation.Facts{Type: access, Relation: noGezag, BirthDate: date(t, fourteen), Received: date(t, "2026-03-10")})
		if !strings.Contains(reqs[1].Label["nl"], "1:377c") {
			t.Fatalf("fallback label %v", reqs[1].Label)
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
		{"self with a birth date after receipt", casework.Self, date(t, "2026-03-11"), "", []string{id}},
		{"parent without authority, no birth date", casework.ParentWithoutAuthority, deadline.Date{}, "", []string{id, representation.KeySubjectBirthDate}},
		{"parent without birth date", casework.Parent, deadline.Date{}, "", []string{id, representation.KeySubjectBirthDate}},
		{"guardian, birth after receipt", casework.Guardian, date(t, "2026-03-11"), "", []string{id, representation.KeySubjectBirthDate}},
		{"representative, invalid birth date", casework.Representative, deadline.Date{Year: 2020, Month: 2, Day: 30}, "", []string{id, representation.KeySubjectBirthDate}},
		{"unknown relation", "grandparent", date(t, "2020-01-01"), "0-11", []string{id, representation.KeyRequesterRelation}},
		{"empty relation", "", date(t, "2020-01-01"), "0-11", []string{id, representation.KeyRequesterRelation}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			band, reqs := representation.Needs(rules, representation.Facts{Type: access, Relation: tc.relation, BirthDate: tc.birth, Received: received})
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
		_, reqs := representation.Needs(r, representation.Facts{Type: access, Relation: casework.Guardian, BirthDate: date(t, "2020-01-01"), Received: received})
		if got, want := keys(t, reqs), []string{id, representation.KeyRequesterRelation}; !slices.Equal(got, want) {
			t.Fatalf("requirements %v, want %v", got, want)
		}
	})
	t.Run("the result is the caller's own", func(t *testing.T) {
		_, reqs := representation.Needs(rules, representation.Facts{Type: access, Relation: casework.Parent, BirthDate: date(t, "2020-01-01"), Received: received})
		reqs[0].Key = "changed"
		_, again := representation.Needs(rules, representation.Facts{Type: access, Relation: casework.Parent, BirthDate: date(t, "2020-01-01"), Received: received})
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
		_, reqs := representation.Needs(representation.DefaultNL(), representation.Facts{Type: access, Relation: casework.Parent, Received: date(t, "2026-03-10")})
		missing := representation.Check(reqs, []representation.Status{ok(id), ok(representation.KeySubjectBirthDate), waive(representation.KeySubjectBirthDate, "unknown")})
		if got := keys(t, missing); !slices.Equal(got, []string{representation.KeySubjectBirthDate}) {
			t.Fatalf("missing %v", got)
		}
	})
	t.Run("a 16-year-old's consent waived with the counsellor's decision", func(t *testing.T) {
		_, reqs := representation.Needs(representation.DefaultNL(), representation.Facts{Type: access, Relation: casework.Parent, BirthDate: date(t, "2010-01-01"), Received: date(t, "2026-03-10")})
		statuses := []representation.Status{ok(id), waive(consent, "counsellor: cannot reasonably judge own interests (BW 7:465(2))"), ok(gezag), ok(interest)}
		if missing := representation.Check(reqs, statuses); !representation.CanGrant(missing) {
			t.Fatalf("missing %v", keys(t, missing))
		}
	})
}
