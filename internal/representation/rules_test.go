package representation_test

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/representation"
)

func TestDefaultNL(t *testing.T) {
	r := representation.DefaultNL()
	t.Run("bands", func(t *testing.T) {
		var got []string
		for _, b := range r.Bands {
			got = append(got, b.Key)
		}
		if strings.Join(got, " ") != "0-11 12-15 16+" {
			t.Fatalf("bands %v", got)
		}
	})
	t.Run("round trip through JSON", func(t *testing.T) {
		back, err := representation.ParseRules(r.JSON())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, r) {
			t.Fatalf("round trip changed the table:\n%s", back.JSON())
		}
	})
	t.Run("the embedded file is in the form JSON writes", func(t *testing.T) {
		for name, rules := range map[string]representation.Rules{"rules_nl.json": r, "rules_be.json": representation.ExampleBE()} {
			file, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(file, rules.JSON()) {
				t.Errorf("%s differs from its JSON(); rewrite it from JSON()", name)
			}
		}
	})
	t.Run("each call is a fresh copy", func(t *testing.T) {
		r.Bands[0].ByRelation[casework.Parent][0].Key = "changed"
		if representation.DefaultNL().Bands[0].ByRelation[casework.Parent][0].Key != representation.KeyRequesterIdentity {
			t.Fatal("DefaultNL shares its table")
		}
	})
	t.Run("waivable only where the law leaves room", func(t *testing.T) {
		want := map[string]bool{agree: true, consent: true, inform: true}
		for _, b := range representation.DefaultNL().Bands {
			for rel, reqs := range b.ByRelation {
				for _, req := range reqs {
					if req.Waivable != want[req.Key] {
						t.Errorf("band %s, %s: %s waivable = %v", b.Key, rel, req.Key, req.Waivable)
					}
				}
			}
		}
	})
}

func TestExampleBE(t *testing.T) {
	r := representation.ExampleBE()
	var got []string
	for _, b := range r.Bands {
		got = append(got, b.Key)
		if !strings.Contains(b.Label["nl"], "Voorbeeld") || !strings.Contains(b.Label["en"], "Example") {
			t.Errorf("band %s does not say it is an example: %v", b.Key, b.Label)
		}
	}
	if strings.Join(got, " ") != "0-11 12-17 18+" {
		t.Fatalf("bands %v", got)
	}
	for _, tc := range []struct {
		name     string
		relation casework.Relation
		birth    string
		band     string
		want     []string
	}{
		{"16-year-old, parent", casework.Parent, "2010-03-10", "12-17", []string{id, gezag, agree, inform}},
		// Wet patiëntenrechten art. 12 §2: a capable minor acts alone.
		{"13-year-old, own request", casework.Self, "2013-01-01", "12-17", []string{id}},
		{"9-year-old, own request", casework.Self, "2016-09-01", "0-11", []string{id, acts}},
		{"13-year-old, parent without authority", casework.ParentWithoutAuthority, "2013-01-01", "12-17", []string{id, noAuth}},
		{"9-year-old, parent", casework.Parent, "2016-09-01", "0-11", []string{id, gezag, inform, interest}},
		{"9-year-old, parent withdrawing a consent", casework.Parent, "2016-09-01", "0-11", []string{id, gezag, inform}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			typ := casework.Access
			if strings.Contains(tc.name, "withdrawing") {
				typ = casework.ConsentWithdrawal
			}
			band, reqs := representation.Needs(r, representation.Facts{Type: typ, Relation: tc.relation,
				BirthDate: date(t, tc.birth), Received: date(t, "2026-03-10")})
			if band.Key != tc.band || !reflect.DeepEqual(keys(t, reqs), tc.want) {
				t.Fatalf("band %s, %v; want %s, %v", band.Key, keys(t, reqs), tc.band, tc.want)
			}
		})
	}
	t.Run("a capable child under 12 acts alone, on the counsellor's judgement", func(t *testing.T) {
		_, reqs := representation.Needs(r, representation.Facts{Type: casework.Access, Relation: casework.Self,
			BirthDate: date(t, "2016-09-01"), Received: date(t, "2026-03-10")})
		if !reqs[1].Waivable || !strings.Contains(reqs[1].Label["nl"], "art. 12 §2") {
			t.Fatalf("%+v", reqs[1])
		}
		if l := reqs[0].Label["en"]; l == "" {
			t.Fatal("no label")
		}
	})
	t.Run("a parent without authority is told the Belgian route", func(t *testing.T) {
		if l := r.WithoutAuthority["nl"]; !strings.Contains(l, "374") || strings.Contains(l, "1:377c") {
			t.Fatalf("label %q", l)
		}
	})
}

// A practice set up in Belgium starts with the Belgian table; a Dutch one
// with the Dutch default, which an empty setting means.
func TestInitial(t *testing.T) {
	if got := representation.Initial("NL"); got != "" {
		t.Fatalf("NL: %q, want empty (the Dutch default)", got)
	}
	be, err := representation.ParseRules([]byte(representation.Initial("BE")))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(be, representation.ExampleBE()) {
		t.Fatal("BE does not start with the Belgian table")
	}
}

func TestParseRules(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(r *representation.Rules)
		want   string // in the error
	}{
		{"gap", func(r *representation.Rules) { r.Bands[1].MinAge = 13 }, "ages 12–12 are in no band"},
		{"overlap", func(r *representation.Rules) { r.Bands[1].MinAge = 11 }, "overlaps the band before it"},
		{"first band above 0", func(r *representation.Rules) { r.Bands[0].MinAge = 1 }, "ages 0–0 are in no band"},
		{"upper bound on the oldest", func(r *representation.Rules) { r.Bands[2].MaxAge = 99 }, "ages from 100 up are in no band"},
		{"no upper bound before the oldest", func(r *representation.Rules) { r.Bands[1].MaxAge = -1 }, `band "16+": overlaps`},
		{"max below min", func(r *representation.Rules) { r.Bands[1].MaxAge = 10 }, "max_age 10 is below min_age 12"},
		{"negative min", func(r *representation.Rules) { r.Bands[0].MinAge = -2 }, "min_age -2 is negative"},
		{"no bands", func(r *representation.Rules) { r.Bands = nil }, "no bands"},
		{"no name", func(r *representation.Rules) { r.Name = " " }, "no name"},
		{"band without key", func(r *representation.Rules) { r.Bands[0].Key = "" }, "band 0–11 has no key"},
		{"band key twice", func(r *representation.Rules) { r.Bands[1].Key = "0-11" }, "key used twice"},
		{"band without en label", func(r *representation.Rules) { delete(r.Bands[0].Label, "en") }, `band "0-11": no "en" label`},
		{"unknown relation", func(r *representation.Rules) {
			r.Bands[0].ByRelation["grandparent"] = r.Bands[0].ByRelation[casework.Parent]
		}, `unknown relation "grandparent"`},
		{"parent without authority configured", func(r *representation.Rules) {
			r.Bands[0].ByRelation[casework.ParentWithoutAuthority] = r.Bands[0].ByRelation[casework.Parent]
		}, "relation parent_without_authority cannot be configured"},
		{"self without identity", func(r *representation.Rules) {
			r.Bands[0].ByRelation[casework.Self] = r.Bands[0].ByRelation[casework.Self][1:]
		}, `band "0-11", self: requester_identity is missing`},
		{"self with an empty list", func(r *representation.Rules) {
			r.Bands[1].ByRelation[casework.Self] = []representation.Requirement{}
		}, `band "12-15", self: no requirements`},
		{"unknown request type", func(r *representation.Rules) {
			r.Bands[0].ByRelation[casework.Parent][3].ExceptTypes = []casework.RequestType{"withdrawal"}
		}, `unknown request type "withdrawal"`},
		{"if_waived not in the list", func(r *representation.Rules) {
			r.Bands[0].ByRelation[casework.Parent][3].IfWaived = "child_written_consent"
		}, `if_waived "child_written_consent" is not in the list`},
		{"if_waived names itself", func(r *representation.Rules) {
			r.Bands[2].ByRelation[casework.Parent][2].IfWaived = "parental_authority"
		}, "if_waived names itself"},
		{"if_waived not waivable", func(r *representation.Rules) {
			r.Bands[2].ByRelation[casework.Parent][2].IfWaived = "requester_identity"
		}, `if_waived "requester_identity" is not waivable`},
		{"if_waived on a conditional one", func(r *representation.Rules) {
			l := r.Bands[2].ByRelation[casework.Parent]
			l[2].Waivable, l[3].IfWaived = true, l[2].Key
		}, `if_waived "parental_authority" applies only if waived itself`},
		{"without_authority in one language", func(r *representation.Rules) {
			r.WithoutAuthority = map[string]string{"nl": "BW 1:377c"}
		}, `without_authority: no "en" label`},
		{"relation missing", func(r *representation.Rules) { delete(r.Bands[2].ByRelation, casework.Guardian) }, `band "16+", guardian: no requirements`},
		{"requirement without key", func(r *representation.Rules) { r.Bands[0].ByRelation[casework.Parent][1].Key = "" }, `key "": want lower case`},
		{"requirement key with spaces", func(r *representation.Rules) { r.Bands[0].ByRelation[casework.Parent][1].Key = "Parental Authority" }, "want lower case"},
		{"requirement without nl label", func(r *representation.Rules) {
			r.Bands[1].ByRelation[casework.Guardian][2].Label = map[string]string{"en": "x"}
		}, `band "12-15", guardian, requirement "child_agreement": no "nl" label`},
		{"requirement with a blank en label", func(r *representation.Rules) {
			r.Bands[1].ByRelation[casework.Guardian][2].Label["en"] = "  "
		}, `requirement "child_agreement": no "en" label`},
		{"requirement twice", func(r *representation.Rules) {
			p := r.Bands[0].ByRelation[casework.Parent]
			r.Bands[0].ByRelation[casework.Parent] = append(p, p[1])
		}, `requirement "parental_authority" listed twice`},
		{"reserved key", func(r *representation.Rules) {
			r.Bands[0].ByRelation[casework.Parent][1].Key = representation.KeySubjectBirthDate
		}, "is reserved"},
		{"no identity", func(r *representation.Rules) {
			r.Bands[2].ByRelation[casework.Parent] = r.Bands[2].ByRelation[casework.Parent][1:]
		}, "requester_identity is missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := representation.DefaultNL()
			tc.change(&r)
			_, err := representation.ParseRules(r.JSON())
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, representation.ErrInvalidRules) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q, want ErrInvalidRules with %q", err, tc.want)
			}
			if !errors.Is(r.Validate(), representation.ErrInvalidRules) {
				t.Fatal("Validate accepts what ParseRules rejects")
			}
		})
	}
	for _, tc := range []struct{ name, json, want string }{
		{"not JSON", "bands: 0-11", "invalid character"},
		{"unknown field", `{"name":"x","bands":[],"waiveable":true}`, `unknown field "waiveable"`},
		{"data after the table", `{"name":"x","bands":[]} {}`, "data after the table"},
		{"wrong type", `{"name":"x","bands":[{"min_age":"0"}]}`, "cannot unmarshal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := representation.ParseRules([]byte(tc.json))
			if !errors.Is(err, representation.ErrInvalidRules) || err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want ErrInvalidRules with %q", err, tc.want)
			}
		})
	}
	t.Run("reports every problem at once", func(t *testing.T) {
		r := representation.DefaultNL()
		r.Name, r.Bands[1].MinAge = "", 13
		_, err := representation.ParseRules(r.JSON())
		if err == nil || !strings.Contains(err.Error(), "no name") || !strings.Contains(err.Error(), "in no band") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("bands in any order are sorted", func(t *testing.T) {
		r := representation.DefaultNL()
		r.Bands[0], r.Bands[2] = r.Bands[2], r.Bands[0]
		got, err := representation.ParseRules(r.JSON())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, representation.DefaultNL()) {
			t.Fatal("not sorted back into the default")
		}
	})
	t.Run("a practice's own requirement and language", func(t *testing.T) {
		r := representation.DefaultNL()
		extra := representation.Requirement{Key: "second_counsellor", Label: map[string]string{"nl": "Tweede hulpverlener", "en": "Second counsellor", "fr": "Second intervenant"}}
		r.Bands[0].ByRelation[casework.Parent] = append(r.Bands[0].ByRelation[casework.Parent], extra)
		got, err := representation.ParseRules(r.JSON())
		if err != nil {
			t.Fatal(err)
		}
		if l := got.Bands[0].ByRelation[casework.Parent]; l[len(l)-1].Label["fr"] != "Second intervenant" {
			t.Fatalf("lost: %v", l[len(l)-1])
		}
	})
}

func TestText(t *testing.T) {
	labels := map[string]string{"nl": "ouder", "en": "parent"}
	for _, tc := range []struct {
		lang casework.Language
		want string
	}{{casework.Dutch, "ouder"}, {casework.English, "parent"}, {"fr", "ouder"}} {
		t.Run(string(tc.lang), func(t *testing.T) {
			if got := representation.Text(labels, tc.lang); got != tc.want {
				t.Fatalf("Text(%s) = %q, want %q", tc.lang, got, tc.want)
			}
		})
	}
}
