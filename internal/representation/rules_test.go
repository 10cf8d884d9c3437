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
	band, reqs := representation.Needs(r, casework.Parent, date(t, "2010-03-10"), date(t, "2026-03-10"))
	if band.Key != "12-17" || !reflect.DeepEqual(keys(t, reqs), []string{id, gezag, agree, inform}) {
		t.Fatalf("16-year-old in Belgium: band %s, %v", band.Key, keys(t, reqs))
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
		{"self configured", func(r *representation.Rules) {
			r.Bands[0].ByRelation[casework.Self] = r.Bands[0].ByRelation[casework.Parent]
		}, "relation self cannot be configured"},
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
