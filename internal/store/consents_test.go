package store

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/consent"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/register"
)

// consentStore is a store with a Dutch practice and its template register.
func consentStore(t *testing.T) *Store {
	t.Helper()
	s := newTestStore(t).s
	p := practice.Defaults()
	p.Name = "Jeugdpraktijk De Linde"
	if err := s.SaveSettings(t.Context(), p, registerNow); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SeedRegister(t.Context(), registerNow); err != nil {
		t.Fatal(err)
	}
	return s
}

func mustDate(t *testing.T, v string) deadline.Date {
	t.Helper()
	d, err := deadline.ParseDate(v)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func addConsent(t *testing.T, s *Store, activity, name, address string) consent.Consent {
	t.Helper()
	c, err := s.AddConsent(t.Context(), consent.Consent{Activity: activity, Subject: consent.Subject{Name: name, BirthDate: mustDate(t, "2015-04-02")},
		Email: address, GivenAt: mustDate(t, "2026-01-10"), GivenBy: consent.Parent, RepresentativeName: "Joris Oosterbroek"},
		audit.Entry{At: registerNow, Actor: audit.Staff(3), Address: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestConsentRoundTrip: a consent comes back as recorded, found by its
// e-mail address in any capitals and by the child's name; its personal data
// are not in clear in the row; its creation is audited.
func TestConsentRoundTrip(t *testing.T) {
	s := consentStore(t)
	ctx := t.Context()
	c := addConsent(t, s, register.KeyNewsletter, "Mees Oosterbroek", " Joris.Oosterbroek@Example.org ")
	if c.ID == 0 || c.Email != "joris.oosterbroek@example.org" {
		t.Fatalf("AddConsent = %+v", c)
	}
	byEmail, err := s.ConsentsByEmail(ctx, "JORIS.oosterbroek@example.org")
	if err != nil || len(byEmail) != 1 || byEmail[0] != c {
		t.Fatalf("ConsentsByEmail = %+v, %v; want %+v", byEmail, err, c)
	}
	byName, err := s.ConsentsByName(ctx, "mees  oosterbroek")
	if err != nil || len(byName) != 1 || byName[0].ID != c.ID {
		t.Fatalf("ConsentsByName = %+v, %v", byName, err)
	}
	if none, err := s.ConsentsByEmail(ctx, "sanne@example.org"); err != nil || len(none) != 0 {
		t.Errorf("another address finds %+v, %v", none, err)
	}
	var raw struct {
		Person      []byte
		EmailIndex  string
		ActivityKey string
	}
	if err := s.db.Raw("SELECT person, email_index, activity_key FROM consents WHERE id = ?", c.ID).Scan(&raw).Error; err != nil {
		t.Fatal(err)
	}
	for _, clear := range []string{"Mees", "Oosterbroek", "joris", "example.org", "2015-04-02"} {
		if bytes.Contains(bytes.ToLower(raw.Person), bytes.ToLower([]byte(clear))) || bytes.Contains([]byte(raw.EmailIndex), []byte(clear)) {
			t.Errorf("the row holds %q in clear", clear)
		}
	}
	if raw.ActivityKey != register.KeyNewsletter {
		t.Errorf("activity_key = %q", raw.ActivityKey)
	}
	created := registerAudit(t, s, audit.ConsentCreate)
	if len(created) != 1 || created[0].Object != audit.Consent(c.ID) || created[0].Detail != "activity=newsletter" || created[0].Actor != audit.Staff(3) {
		t.Errorf("audit: %+v", created)
	}
}

// TestAddConsentRefuses: an activity that does not rest on consent, or a
// consent that breaks its rules, is refused and nothing is stored.
func TestAddConsentRefuses(t *testing.T) {
	s := consentStore(t)
	ctx := t.Context()
	who := audit.Entry{At: registerNow, Actor: audit.Staff(3)}
	base := consent.Consent{Subject: consent.Subject{Name: "Mees Oosterbroek", BirthDate: mustDate(t, "2015-04-02")},
		Email: "joris@example.org", GivenAt: mustDate(t, "2026-01-10"), GivenBy: consent.Self}
	tests := []struct {
		activity string
		field    string
		want     string
	}{
		{register.KeyClientFile, "activity", "consents.basis_not_consent"},
		{"bestaat-niet", "activity", "field.choose"},
		{register.KeyNewsletter, "given_by", "consents.under_16"}, // a child of 10 alone
	}
	for _, tt := range tests {
		c := base
		c.Activity = tt.activity
		_, err := s.AddConsent(ctx, c, who)
		if !apperr.Is(err, apperr.Invalid) || apperr.As(err).Fields[tt.field] != tt.want {
			t.Errorf("%s: %v, want %s=%s", tt.activity, err, tt.field, tt.want)
		}
	}
	if all, _ := s.ConsentsByEmail(ctx, "joris@example.org"); len(all) != 0 {
		t.Errorf("refused consents stored: %+v", all)
	}
}

// TestCaseConsentsWithdrawn: the consents chosen on a consent withdrawal
// must be the person's; the withdrawing change marks exactly those withdrawn
// as of the case's receipt, and one already withdrawn keeps its first day.
func TestCaseConsentsWithdrawn(t *testing.T) {
	s := consentStore(t)
	ctx := t.Context()
	news := addConsent(t, s, register.KeyNewsletter, "Mees Oosterbroek", "joris@example.org")
	research := addConsent(t, s, register.KeyResearch, "Mees Oosterbroek", "joris@example.org")
	other := addConsent(t, s, register.KeyNewsletter, "Lotte Brandsma", "sanne@example.org")
	c := newCase(t, caseSpec{name: "Joris Oosterbroek", email: "joris@example.org", received: mustDate(t, "2026-12-01")})
	c.Type = casework.ConsentWithdrawal
	c.Requester.Relation, c.Subject = casework.Parent, casework.Subject{Name: "Mees Oosterbroek"}
	c = mustCreate(t, s, c, ackMail)
	actor := casework.Actor{ID: 3, Scope: casework.Scope{All: true}}
	choose := func(ids ...int64) error {
		_, err := s.UpdateCase(ctx, c.Reference, actor, func(*casework.Case) (casework.Change, error) {
			return casework.Change{ChooseConsents: &ids}, nil
		})
		return err
	}
	if err := choose(news.ID, other.ID); !apperr.Is(err, apperr.Invalid) || apperr.As(err).Fields["consents"] != "consents.not_the_persons" {
		t.Fatalf("choosing someone else's consent: %v", err)
	}
	if ids, _ := s.CaseConsents(ctx, c.ID); len(ids) != 0 {
		t.Fatalf("a refused choice was stored: %v", ids)
	}
	if err := choose(research.ID, news.ID); err != nil {
		t.Fatal(err)
	}
	if err := choose(news.ID); err != nil {
		t.Fatal(err)
	}
	if ids, _ := s.CaseConsents(ctx, c.ID); !slices.Equal(ids, []int64{news.ID}) {
		t.Fatalf("CaseConsents = %v, want the last choice %d", ids, news.ID)
	}
	_, err := s.UpdateCase(ctx, c.Reference, actor, func(k *casework.Case) (casework.Change, error) {
		k.UpdatedAt = registerNow.Add(time.Hour)
		return casework.Change{WithdrawConsents: true}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	mine, err := s.PersonConsents(ctx, consent.PersonOf(c))
	if err != nil || len(mine) != 2 {
		t.Fatalf("PersonConsents = %+v, %v", mine, err)
	}
	for _, k := range mine {
		switch {
		case k.ID == news.ID && (k.WithdrawnAt != c.ReceivedOn || k.WithdrawnCase != c.Reference):
			t.Errorf("chosen consent: withdrawn %v by %q, want %v by %s", k.WithdrawnAt, k.WithdrawnCase, c.ReceivedOn, c.Reference)
		case k.ID == research.ID && k.Withdrawn():
			t.Errorf("a consent not chosen was withdrawn: %+v", k)
		}
	}
	if o, _ := s.ConsentsByEmail(ctx, "sanne@example.org"); len(o) != 1 || o[0].Withdrawn() {
		t.Errorf("someone else's consent: %+v", o)
	}
	entries := registerAudit(t, s, audit.ConsentWithdraw)
	if len(entries) != 1 || entries[0].Object != audit.Consent(news.ID) || entries[0].Detail != "case="+c.Reference+" as_of=2026-12-01" {
		t.Errorf("withdraw audit: %+v", entries)
	}
	// A second withdrawing change moves nothing and audits nothing.
	if _, err := s.UpdateCase(ctx, c.Reference, actor, func(*casework.Case) (casework.Change, error) {
		return casework.Change{WithdrawConsents: true}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if n := len(registerAudit(t, s, audit.ConsentWithdraw)); n != 1 {
		t.Errorf("a second withdrawal audited %d entries, want 1", n)
	}
}
