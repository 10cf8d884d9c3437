package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/avgloket/avgloket/internal/auth"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/clock"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/letters"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/store"
	"github.com/avgloket/avgloket/internal/vault"
	"github.com/avgloket/avgloket/ui"
)

// seeder is the site's database opened as the portal opens it (the key
// file in the data folder, store.Open), while the portal is stopped. Cases
// are made as the case service makes them and written by the store's own
// code, sealed and indexed as the product writes them.
type seeder struct {
	keys  *vault.KeyRing
	st    *store.Store
	cases *casework.Service
}

func openSeeder(ctx context.Context, s *site) (*seeder, error) {
	keys, err := vault.LoadOrCreate(s.keyFile())
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	st, err := store.Open(ctx, s.dbPath(), keys, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	cat, err := lang.Load(ui.FS)
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	writer, err := letters.New(ui.FS, cat, func() (practice.Settings, error) { return st.Settings(context.Background()) })
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	return &seeder{keys: keys, st: st, cases: casework.NewService(st.Cases, writer, clock.System{}, "http://127.0.0.1")}, nil
}

func (sd *seeder) close() error { return sd.st.Close() }

// seedChunk is how many cases the seeder builds in memory before handing
// them to the store.
const seedChunk = 10_000

// seedCases files n requests by post (no e-mail address, so no mail),
// numbered from first, received over the last 25 days, as the case service
// would make them (deadlines from the practice's calendar), and stores
// them in bulk with store.Cases.SeedCases.
func (sd *seeder) seedCases(ctx context.Context, first, n int) error {
	address, ok := casework.ParseAddress("Proefstraat 2\n1234 AB Meetdorp")
	if !ok {
		return fmt.Errorf("seed: the postal address does not parse")
	}
	settings, err := sd.st.Settings(ctx)
	if err != nil {
		return err
	}
	cal, err := settings.HolidayCalendar()
	if err != nil {
		return err
	}
	loc := settings.Location()
	birth, err := deadline.ParseDate("2014-03-09")
	if err != nil {
		return err
	}
	now := time.Now()
	for start := first; start < first+n; start += seedChunk {
		chunk := make([]casework.Case, 0, min(seedChunk, first+n-start))
		for i := start; i < start+cap(chunk); i++ {
			at := now.Add(-time.Duration(i%25) * 24 * time.Hour).In(loc)
			on := deadline.DateOf(at, loc)
			chunk = append(chunk, casework.Case{
				Type: casework.Access, Status: casework.Received, Channel: casework.Post,
				ReceivedAt: at, ReceivedOn: on, ReceivedDateOnly: true,
				Deadlines: deadline.Compute(cal, on, 0, false), Language: casework.Dutch,
				Requester: casework.Requester{Name: fmt.Sprintf("Ouder %d", i), Relation: casework.Parent, Address: address},
				Subject:   casework.Subject{Name: fmt.Sprintf("Kind %d", i), BirthDate: birth},
				Details:   "Graag een kopie.",
				Identity:  casework.Identity{Status: casework.IdentityUnverified},
				CreatedAt: now, UpdatedAt: now,
			})
		}
		if err := sd.st.SeedCases(ctx, chunk); err != nil {
			return fmt.Errorf("seed cases: %w", err)
		}
	}
	return nil
}

// session signs the officer in as the product does after a complete
// sign-in (auth.Service.StartSession with the second factor done): a random
// id, stored as its hash. It returns the raw id, the cookie's value.
func (sd *seeder) session(ctx context.Context) (string, error) {
	m, err := sd.st.MemberByEmail(ctx, officerEmail)
	if err != nil {
		return "", fmt.Errorf("officer: %w", err)
	}
	raw, err := auth.NewSessionID()
	if err != nil {
		return "", err
	}
	now := time.Now()
	policy := auth.DefaultSessionPolicy()
	sess := auth.Session{StaffID: m.ID, CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(policy.Absolute), SecondFactor: true}
	if err := sd.st.CreateSession(ctx, auth.HashID(raw), sess); err != nil {
		return "", err
	}
	return raw, nil
}

// sessionCookie is the portal's session cookie on plain HTTP
// (internal/web: __Host-session needs HTTPS).
const sessionCookie = "avg_session"
