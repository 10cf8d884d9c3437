package main

import (
	"context"
	"flag"
	"log/slog"
	"time"

	"github.com/avgloket/avgloket/internal/clock"
	"github.com/avgloket/avgloket/internal/store"
	"github.com/avgloket/avgloket/internal/vault"
)

// admin is what a command-line command gets: the opened store and a clock.
type admin struct {
	store *store.Store
	clock clock.Clock
}

func (a *admin) now() time.Time { return a.clock.Now() }

// withStore parses the command's flags, opens the store (applying
// migrations), runs do and closes the store.
func withStore(ctx context.Context, name string, args []string, log *slog.Logger, getenv env, fs *flag.FlagSet, do func(*admin) error) error {
	if fs == nil {
		fs = flag.NewFlagSet(name, flag.ContinueOnError)
	}
	return withKeys(ctx, name, args, log, getenv, fs, func(_ Config, _ *vault.KeyRing, st *store.Store) error {
		return do(&admin{store: st, clock: clock.System{}})
	})
}
