package main

import (
	"context"
	"flag"
	"log/slog"
	"time"

	"github.com/avgloket/avgloket/internal/clock"
	"github.com/avgloket/avgloket/internal/store"
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
	data, err := parseFlags(name, fs, args, getenv)
	if err != nil {
		return err
	}
	cfg, err := loadConfig("", *data, "", getenv)
	if err != nil {
		return err
	}
	_, st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	return do(&admin{store: st, clock: clock.System{}})
}
