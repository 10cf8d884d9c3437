package store

import (
	"slices"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/register"
	"github.com/avgloket/avgloket/internal/staff"
)

var registerNow = time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)

// registerAudit returns the trail's entries with action.
func registerAudit(tb testing.TB, s *Store, action audit.Action) []audit.Entry {
	tb.Helper()
	all, err := s.AuditEntries(tb.Context(), "", 0, maxAuditPage)
	if err != nil {
		tb.Fatal(err)
	}
	var out []audit.Entry
	for _, e := range all {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

func keysOf(acts []register.Activity) []string {
	var out []string
	for _, a := range acts {
		out = append(out, a.Key)
	}
	return out
}

// TestRegisterSeededOnce: a practice gets its country's template once —
// at setup, or at the first start for a practice set up before — and never
// again, not when the settings are saved nor at the next start.
func TestRegisterSeededOnce(t *testing.T) {
	env := newTestStore(t)
	s := env.s
	ctx := t.Context()
	// Before the setup there is no practice to seed for.
	if n, err := s.SeedRegister(ctx, registerNow); err != nil || n != 0 {
		t.Fatalf("SeedRegister before setup = %d, %v; want 0", n, err)
	}
	p := practice.Defaults()
	p.Name, p.Country = "Jeugdpraktijk De Linde", practice.Belgium
	// A practice set up before the register existed: settings only.
	if err := s.SaveSettings(ctx, p, registerNow); err != nil {
		t.Fatal(err)
	}
	if acts, _ := s.Activities(ctx); len(acts) != 0 {
		t.Fatalf("register before the first start: %v", keysOf(acts))
	}
	n, err := s.SeedRegister(ctx, registerNow)
	want := keysOf(register.Template(practice.Belgium))
	if err != nil || n != len(want) {
		t.Fatalf("SeedRegister = %d, %v; want %d", n, err, len(want))
	}
	acts, err := s.Activities(ctx)
	if err != nil || !slices.Equal(keysOf(acts), want) {
		t.Fatalf("Activities = %v, %v; want %v", keysOf(acts), err, want)
	}
	if got := registerAudit(t, s, audit.ActivityCreate); len(got) != len(want) || got[0].Actor != audit.System ||
		got[0].Detail != "key=client-file source=template" {
		t.Errorf("audit of the seed: %+v", got)
	}
	// Again at the next start, and after saving the settings: nothing.
	if n, err := s.SeedRegister(ctx, registerNow.Add(time.Hour)); err != nil || n != 0 {
		t.Errorf("second SeedRegister = %d, %v; want 0", n, err)
	}
	if err := s.SaveSettingsAudited(ctx, p, audit.Entry{At: registerNow, Actor: audit.System}); err != nil {
		t.Fatal(err)
	}
	if acts, _ := s.Activities(ctx); len(acts) != len(want) {
		t.Errorf("after saving the settings: %d activities, want %d", len(acts), len(want))
	}
}

// TestSetupSeedsRegister: the first-run setup puts in the template of the
// practice's country in its own transaction.
func TestSetupSeedsRegister(t *testing.T) {
	env := newTestStore(t)
	s := env.s
	ctx := t.Context()
	if err := s.AddSetupToken(ctx, "hash", registerNow.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	p := practice.Defaults()
	p.Name = "Jeugdpraktijk De Linde"
	if _, err := s.CompleteSetup(ctx, "hash", p, mail.Settings{}, staff.NewMember{Email: "els@delinde.example", Name: "Els", Role: staff.Owner}, registerNow); err != nil {
		t.Fatal(err)
	}
	acts, err := s.Activities(ctx)
	if err != nil || !slices.Equal(keysOf(acts), keysOf(register.Template(practice.Netherlands))) {
		t.Fatalf("after setup: %v, %v", keysOf(acts), err)
	}
	if n, err := s.SeedRegister(ctx, registerNow); err != nil || n != 0 {
		t.Errorf("SeedRegister after setup = %d, %v; want 0", n, err)
	}
}

// TestActivityRoundTrip: an activity comes back as it went in (normalised),
// a second one with its key is a conflict, an invalid one is refused with
// its fields, and an update changes it, audits the changed fields and
// keeps the key.
func TestActivityRoundTrip(t *testing.T) {
	env := newTestStore(t)
	s := env.s
	ctx := t.Context()
	who := audit.Entry{At: registerNow, Actor: audit.Staff(7), Address: "192.0.2.1"}
	a := register.Template(practice.Netherlands)[2] // the newsletter, with a transfer to the US
	a.Key = "nieuwsbrief-ouders"
	a.Recipients[0].Country = "us"
	stored, err := s.AddActivity(ctx, a, who)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Recipients[0].Country != "US" {
		t.Errorf("stored country %q, want US", stored.Recipients[0].Country)
	}
	got, err := s.Activity(ctx, "nieuwsbrief-ouders")
	if err != nil || len(register.Changed(got, stored)) > 0 || got.Recipients[0].Safeguards == "" {
		t.Fatalf("Activity = %+v, %v; changed %v", got, err, register.Changed(got, stored))
	}
	if _, err := s.AddActivity(ctx, a, who); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("second AddActivity: %v, want a conflict", err)
	}
	bad := a
	bad.Key, bad.Retention.Months = "andere", 0
	if _, err := s.AddActivity(ctx, bad, who); !apperr.Is(err, apperr.Invalid) || apperr.As(err).Fields["retention.months"] == "" {
		t.Errorf("invalid AddActivity: %v", err)
	}
	if _, err := s.Activity(ctx, "andere"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("the invalid activity was stored: %v", err)
	}

	got.Purpose = "Ouders informeren over cursussen."
	got.Recipients = append(got.Recipients, register.Recipient{Name: "Drukker", Kind: register.Processor, Country: "NL", Agreement: true})
	if _, err := s.UpdateActivity(ctx, "nieuwsbrief-ouders", got, who); err != nil {
		t.Fatal(err)
	}
	again, err := s.Activity(ctx, "nieuwsbrief-ouders")
	if err != nil || again.Purpose != got.Purpose || len(again.Recipients) != 2 {
		t.Errorf("after update: %+v, %v", again, err)
	}
	updates := registerAudit(t, s, audit.ActivityUpdate)
	if len(updates) != 1 || updates[0].Detail != "fields=purpose,recipients" || updates[0].Actor != who.Actor {
		t.Errorf("update audit: %+v", updates)
	}
	// Nothing changed: nothing written.
	if _, err := s.UpdateActivity(ctx, "nieuwsbrief-ouders", again, who); err != nil || len(registerAudit(t, s, audit.ActivityUpdate)) != 1 {
		t.Errorf("an update that changes nothing: %v, %d entries", err, len(registerAudit(t, s, audit.ActivityUpdate)))
	}
	renamed := again
	renamed.Key = "anders"
	if _, err := s.UpdateActivity(ctx, "nieuwsbrief-ouders", renamed, who); apperr.As(err).Fields["key"] != "activities.key_fixed" {
		t.Errorf("a new key: %v", err)
	}
	if _, err := s.UpdateActivity(ctx, "bestaat-niet", register.Activity{Key: "bestaat-niet"}, who); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("an invalid update of a missing activity: %v", err)
	}
	missing := again
	missing.Key = "bestaat-niet"
	if _, err := s.UpdateActivity(ctx, "bestaat-niet", missing, who); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("update of a missing activity: %v", err)
	}
}
