package consent_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/consent"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/register"
)

func date(t *testing.T, s string) deadline.Date {
	t.Helper()
	d, err := deadline.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestValidate(t *testing.T) {
	newsletter := register.Activity{Key: "newsletter", LegalBasis: register.Consent}
	clientFile := register.Activity{Key: "client-file", LegalBasis: register.LegalObligation}
	today := date(t, "2026-12-06")
	valid := func() consent.Consent {
		return consent.Consent{Activity: "newsletter", Subject: consent.Subject{Name: "Fenna Oosterbroek", BirthDate: date(t, "1990-05-01")},
			Email: "fenna@example.org", GivenAt: date(t, "2026-01-10"), GivenBy: consent.Self}
	}
	tests := []struct {
		name     string
		edit     func(c *consent.Consent)
		activity register.Activity
		country  practice.Country
		want     map[string]string
	}{
		{name: "adult for themselves", edit: func(*consent.Consent) {}, want: map[string]string{}},
		{name: "activity not on consent", edit: func(c *consent.Consent) { c.Activity = "client-file" }, activity: clientFile,
			want: map[string]string{"activity": "consents.basis_not_consent"}},
		{name: "unknown activity", edit: func(c *consent.Consent) { c.Activity = "nope" }, activity: register.Activity{},
			want: map[string]string{"activity": "field.choose"}},
		{name: "no activity", edit: func(c *consent.Consent) { c.Activity = "" }, activity: register.Activity{},
			want: map[string]string{"activity": "field.choose"}},
		{name: "nothing filled in", edit: func(c *consent.Consent) { *c = consent.Consent{Activity: "newsletter"} },
			want: map[string]string{"subject.name": "field.required", "subject.birth_date": "field.required", "email": "field.required",
				"given_at": "field.required", "given_by": "field.choose"}},
		{name: "bad e-mail", edit: func(c *consent.Consent) { c.Email = "fenna at example.org" }, want: map[string]string{"email": "field.email"}},
		{name: "given in the future", edit: func(c *consent.Consent) { c.GivenAt = date(t, "2026-12-07") },
			want: map[string]string{"given_at": "field.date_future"}},
		{name: "given today", edit: func(c *consent.Consent) { c.GivenAt = today }, want: map[string]string{}},
		{name: "born in the future", edit: func(c *consent.Consent) { c.Subject.BirthDate = date(t, "2027-01-01") },
			want: map[string]string{"subject.birth_date": "field.date_future", "given_at": "consents.given_before_birth"}},
		{name: "a child of 15 alone in the Netherlands", edit: func(c *consent.Consent) { c.Subject.BirthDate = date(t, "2010-01-11") },
			want: map[string]string{"given_by": "consents.under_16"}},
		{name: "a child on their 16th birthday", edit: func(c *consent.Consent) { c.Subject.BirthDate = date(t, "2010-01-10") },
			want: map[string]string{}},
		{name: "a child of 13 alone in Belgium", edit: func(c *consent.Consent) { c.Subject.BirthDate = date(t, "2013-01-10") },
			country: practice.Belgium, want: map[string]string{}},
		{name: "a child of 12 alone in Belgium", edit: func(c *consent.Consent) { c.Subject.BirthDate = date(t, "2013-01-11") },
			country: practice.Belgium, want: map[string]string{"given_by": "consents.under_13"}},
		{name: "a parent for a child of 9", edit: func(c *consent.Consent) {
			c.Subject.BirthDate, c.GivenBy, c.RepresentativeName = date(t, "2017-03-09"), consent.Parent, "Joris Oosterbroek"
		}, want: map[string]string{}},
		{name: "a guardian without a name", edit: func(c *consent.Consent) {
			c.Subject.BirthDate, c.GivenBy = date(t, "2017-03-09"), consent.Guardian
		}, want: map[string]string{"representative": "field.required"}},
		{name: "a representative name for a self consent", edit: func(c *consent.Consent) { c.RepresentativeName = "Joris Oosterbroek" },
			want: map[string]string{"representative": "consents.representative_only"}},
		{name: "unknown giver", edit: func(c *consent.Consent) { c.GivenBy = "neighbour" }, want: map[string]string{"given_by": "field.choose"}},
		{name: "a name on two lines", edit: func(c *consent.Consent) { c.Subject.Name = "Fenna\nOosterbroek" },
			want: map[string]string{"subject.name": "field.single_line"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.edit(&c)
			a := newsletter
			if tt.activity.Key != "" || c.Activity != "newsletter" {
				a = tt.activity
			}
			country := tt.country
			if country == "" {
				country = practice.Netherlands
			}
			got := c.Validate(a, country, today)
			if !maps.Equal(got, tt.want) {
				t.Errorf("Validate = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	c := consent.Consent{Activity: " newsletter ", Subject: consent.Subject{Name: "  Fenna   Oosterbroek "}, Email: " Fenna@Example.ORG ",
		RepresentativeName: " Joris  Oosterbroek"}.Normalize()
	if c.Activity != "newsletter" || c.Subject.Name != "Fenna Oosterbroek" || c.Email != "fenna@example.org" || c.RepresentativeName != "Joris Oosterbroek" {
		t.Errorf("Normalize = %+v", c)
	}
}

func TestWithdraw(t *testing.T) {
	first, later := date(t, "2026-11-02"), date(t, "2026-12-01")
	tests := []struct {
		name        string
		before      consent.Consent
		wantChanged bool
		wantAt      deadline.Date
		wantCase    string
	}{
		{name: "a consent that holds ends on the day given", before: consent.Consent{ID: 7},
			wantChanged: true, wantAt: later, wantCase: "AVG-2026-0009"},
		{name: "an already withdrawn consent keeps its first day and case",
			before:      consent.Consent{ID: 7, WithdrawnAt: first, WithdrawnCase: "AVG-2026-0003"},
			wantChanged: false, wantAt: first, wantCase: "AVG-2026-0003"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.before
			if got := c.Withdraw(later, "AVG-2026-0009"); got != tt.wantChanged {
				t.Errorf("Withdraw changed = %v, want %v", got, tt.wantChanged)
			}
			if c.WithdrawnAt != tt.wantAt || c.WithdrawnCase != tt.wantCase || !c.Withdrawn() {
				t.Errorf("after Withdraw: %v %q, want %v %q", c.WithdrawnAt, c.WithdrawnCase, tt.wantAt, tt.wantCase)
			}
		})
	}
}

func TestChoose(t *testing.T) {
	owned := []consent.Consent{{ID: 7}, {ID: 9}, {ID: 12}}
	tests := []struct {
		name   string
		ids    []int64
		want   []int64
		wantOK bool
	}{
		{name: "some of the person's", ids: []int64{9, 7}, want: []int64{9, 7}, wantOK: true},
		{name: "none", ids: nil, want: []int64{}, wantOK: true},
		{name: "repeats once", ids: []int64{7, 7}, want: []int64{7}, wantOK: true},
		{name: "someone else's", ids: []int64{7, 8}, wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := consent.Choose(owned, tt.ids)
			if ok != tt.wantOK || (ok && !slices.Equal(got, tt.want)) {
				t.Errorf("Choose(%v) = %v, %v; want %v, %v", tt.ids, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestAgeOfConsent(t *testing.T) {
	if consent.AgeOfConsent(practice.Netherlands) != 16 || consent.AgeOfConsent(practice.Belgium) != 13 {
		t.Error("age of consent: NL 16 (UAVG art. 5), BE 13")
	}
}

func TestPersonOwns(t *testing.T) {
	born := date(t, "2015-04-02")
	mine := consent.Consent{Email: "joris@example.org", Subject: consent.Subject{Name: "Mees Oosterbroek", BirthDate: born}}
	tests := []struct {
		name   string
		person consent.Person
		want   bool
	}{
		{name: "by e-mail", person: consent.Person{Email: "joris@example.org"}, want: true},
		{name: "another e-mail", person: consent.Person{Email: "sanne@example.org"}, want: false},
		{name: "by the child's name and birth date", person: consent.Person{Email: "sanne@example.org", Name: " mees  OOSTERBROEK", BirthDate: born}, want: true},
		{name: "by the child's name, birth date unknown", person: consent.Person{Name: "Mees Oosterbroek"}, want: true},
		{name: "same name, another birth date", person: consent.Person{Name: "Mees Oosterbroek", BirthDate: date(t, "2016-04-02")}, want: false},
		{name: "nobody", person: consent.Person{}, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.person.Owns(mine); got != tt.want {
				t.Errorf("Owns = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPersonOf(t *testing.T) {
	born := date(t, "2017-03-09")
	tests := []struct {
		name string
		c    casework.Case
		want consent.Person
	}{
		{name: "for oneself: the address only",
			c:    casework.Case{Requester: casework.Requester{Email: "Fenna@Example.org", Relation: casework.Self}, Subject: casework.Subject{Name: "Fenna Oosterbroek"}},
			want: consent.Person{Email: "fenna@example.org"}},
		{name: "a parent for a child: the address and the child",
			c: casework.Case{Requester: casework.Requester{Email: "joris@example.org", Relation: casework.Parent},
				Subject: casework.Subject{Name: "Mees Oosterbroek", BirthDate: born}},
			want: consent.Person{Email: "joris@example.org", Name: "Mees Oosterbroek", BirthDate: born}},
		{name: "by post, without an address: the child only",
			c:    casework.Case{Requester: casework.Requester{Relation: casework.Guardian}, Subject: casework.Subject{Name: "Mees Oosterbroek"}},
			want: consent.Person{Name: "Mees Oosterbroek"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := consent.PersonOf(tt.c); got != tt.want {
				t.Errorf("PersonOf = %+v, want %+v", got, tt.want)
			}
		})
	}
}
