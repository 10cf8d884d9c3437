package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/avgloket/avgloket/internal/delivery"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/avgloket/avgloket/internal/auth"
	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/clock"
	"github.com/avgloket/avgloket/internal/filestore"
	"github.com/avgloket/avgloket/internal/identity"
	"github.com/avgloket/avgloket/internal/jobs"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/letters"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/metrics"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/staff"
	"github.com/avgloket/avgloket/internal/store"
	"github.com/avgloket/avgloket/internal/upload"
	"github.com/avgloket/avgloket/internal/vault"
	"github.com/avgloket/avgloket/internal/web"
	"github.com/avgloket/avgloket/ui"
)

// App is the running portal: database, key ring, web server and outbox
// worker. Tests start it like main does.
type App struct {
	cfg    Config
	log    *slog.Logger
	clock  clock.Clock
	keys   *vault.KeyRing
	store  *store.Store
	web    *web.Server
	worker *mail.Worker
	auth   *auth.Service
	oidc   *auth.OIDC // nil without an OIDC provider
	holder string     // this process's name on job leases and outbox claims

	reminders *casework.Reminders
	cases     *casework.Service
	files     *filestore.Store
	identity  *identity.Service
	breaches  *breach.Service
	delivery  *delivery.Service
	metrics   *metrics.Metrics
}

// openStore opens the key ring and the database (applying migrations).
func openStore(ctx context.Context, cfg Config, log *slog.Logger) (*vault.KeyRing, *store.Store, error) {
	_, missing := os.Stat(cfg.KeyFile)
	keys, err := vault.LoadOrCreate(cfg.KeyFile)
	if err != nil {
		return nil, nil, fmt.Errorf("key file: %w", err)
	}
	st, err := store.Open(ctx, cfg.DBTarget(), keys, log)
	if err != nil {
		return nil, nil, keyMismatch(cfg, err, missing != nil)
	}
	return keys, st, nil
}

// NewApp wires the portal together.
func NewApp(ctx context.Context, cfg Config, log *slog.Logger, clk clock.Clock) (*App, error) {
	keys, st, err := openStore(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, log: log, clock: clk, keys: keys, store: st}
	// A practice set up before the register of processing activities
	// existed gets its template now, once (a new practice gets it at setup).
	if n, err := st.SeedRegister(ctx, clk.Now()); err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("register of processing activities: %w", err)
	} else if n > 0 {
		log.Info("register of processing activities: the template was put in; the owner should make it the practice's own", "activities", n)
	}
	if err := a.wire(ctx); err != nil {
		_ = st.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) wire(ctx context.Context) error {
	cat, err := lang.Load(ui.FS)
	if err != nil {
		return err
	}
	writer, err := letters.New(ui.FS, cat, a.practiceSettings)
	if err != nil {
		return err
	}
	// The environment's server wins; without one, the server saved on the
	// settings page is read for every round of the outbox.
	servers := mail.NewServers(a.cfg.SMTP, a.store.MailSettings, heloName(a.cfg.BaseURL))
	if a.cfg.SMTP != nil {
		if _, err := mail.NewSMTPSender(*a.cfg.SMTP); err != nil {
			return err
		}
	} else {
		a.log.Info("no SMTP server in the environment: the one set on the settings page is used; without one, e-mails wait in the outbox")
	}
	a.metrics = metrics.New(a.store, a.clock, a.log)
	a.worker = mail.NewWorker(a.store.Outbox, a.metrics.Senders(servers.Sender), a.clock, a.log)
	a.holder = jobs.NewHolder()
	a.worker.ClaimAs(a.holder, a.cfg.MailLease)
	cases := casework.NewService(a.store.Cases, writer, a.clock, a.cfg.BaseURL)
	a.cases = cases
	cases.UseNotifier(letters.NewNotices(writer, a.store.Activities, a.cfg.BaseURL, a.clock)) // art. 19: the register's recipients are told
	a.reminders = casework.NewReminders(a.store.Cases, writer, a.clock, a.cfg.BaseURL)
	if a.files, err = filestore.New(filepath.Join(a.cfg.DataDir, "files"), a.keys); err != nil {
		return fmt.Errorf("file store: %w", err)
	}
	if _, err := a.files.RemoveTemp(a.clock.Now().Add(-time.Hour)); err != nil {
		return fmt.Errorf("file store: %w", err)
	}
	a.identity = identity.New(identity.Config{
		Cases: cases, Store: a.store.Cases, Files: a.files, Message: writer.Message, Clock: a.clock,
		AAD:   fileAAD,
		Clean: cleanUpload,
	})
	// The decision gates: every decision passes each of them, in this order.
	cases.UseGate(
		a.identity, // a representative's proofs and consents (DOMAIN.md §4)
	)
	breachMails, err := letters.NewBreachReminders(ui.FS, cat, a.practiceName)
	if err != nil {
		return err
	}
	a.breaches = breach.NewService(a.store.Breaches, a.clock, breachMails, a.cfg.BaseURL)
	// Attachments share the case files' store and its binding to the id,
	// so that key rewrap moves them too.
	a.breaches.UseFiles(a.files, cleanUpload, fileAAD, 0)
	// Answer documents share the file store and its binding too.
	a.delivery = delivery.New(delivery.Config{Cases: cases, Store: a.store.Deliveries, Files: a.files, Check: checkDocument,
		AAD: fileAAD, Mails: writer, Hash: a.keys.Index, Clock: a.clock})
	// One password policy: it unpacks the list of common passwords once.
	passwords := auth.NewPolicy()
	a.auth = auth.NewService(a.store.Accounts, a.clock, passwords, auth.DefaultLimits(), auth.DefaultSessionPolicy(), a.keys.Index)
	var oidc *auth.OIDC
	if a.cfg.OIDC != nil {
		oc := *a.cfg.OIDC
		if oc.RedirectURL == "" {
			oc.RedirectURL = a.cfg.BaseURL + "/staff/oidc/callback"
		}
		// Only a wrong setting stops the start; a provider that does not
		// answer is retried in the background (Run), and meanwhile the
		// public form and password sign-in work.
		if oidc, err = a.auth.NewOIDC(ctx, oc, &http.Client{Timeout: 20 * time.Second}); err != nil {
			return fmt.Errorf("OIDC provider %s: %w", oc.Issuer, err)
		}
		a.oidc = oidc
	}
	a.web, err = web.New(web.Config{
		BaseURL: a.cfg.BaseURL, TrustedProxies: a.cfg.TrustedProxies, RequestsPerMinute: a.cfg.RatePerMinute,
		MetricsToken: a.cfg.MetricsToken,
	}, web.Deps{
		Store: a.store, Cases: cases, Catalog: cat, Clock: a.clock, Log: a.log, Signer: a.keys,
		Passwords: passwords, MailQueued: a.worker.Notify, Auth: a.auth, OIDC: oidc, Letters: writer, Identity: a.identity,
		Breaches: a.breaches, Mail: servers, Staff: staff.NewService(a.store.Staff, writer, a.clock, a.cfg.BaseURL, oidc != nil),
		Delivery: a.delivery, Metrics: a.metrics,
	})
	return err
}

// Run serves on ln until ctx is cancelled, then shuts down gracefully:
// requests under way finish (up to 20 seconds), the outbox worker finishes
// its current mail, and Run returns nil.
func (a *App) Run(ctx context.Context, ln net.Listener) error {
	// The setup link is written even if a stop signal is already on its
	// way: a half-announced link would be worse than a clean start and stop.
	if err := a.announceSetup(context.WithoutCancel(ctx)); err != nil {
		_ = ln.Close()
		return err
	}
	stopMetrics, merr := a.serveMetrics()
	if merr != nil {
		_ = ln.Close()
		return merr
	}
	defer stopMetrics()
	srv := &http.Server{
		Handler:           a.web,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	workerCtx, stopWorker := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { a.worker.Run(workerCtx, a.cfg.MailInterval) })
	wg.Go(func() { a.housekeeping(workerCtx) })
	if a.oidc != nil {
		wg.Go(func() {
			a.oidc.KeepDiscovering(workerCtx, auth.DefaultBackoff(), sleep, func(err error) {
				a.log.Warn("OIDC provider unavailable; the organisation sign-in waits, password sign-in works", "err", err)
			})
		})
	}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	a.log.Info("listening", "addr", ln.Addr().String(), "base_url", a.cfg.BaseURL)

	var err error
	select {
	case err = <-served:
	case <-ctx.Done():
		a.log.Info("shutting down")
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		err = srv.Shutdown(shutdownCtx)
		cancel()
	}
	stopWorker()
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// announceSetup logs a one-time setup link while no staff account exists.
// The link is valid for an hour; a restart prints a fresh one.
func (a *App) announceSetup(ctx context.Context) error {
	n, err := a.store.CountMembers(ctx)
	if err != nil || n > 0 {
		return err
	}
	token, err := casework.NewToken()
	if err != nil {
		return err
	}
	if err := a.store.AddSetupToken(ctx, casework.HashToken(token), a.clock.Now().Add(time.Hour)); err != nil {
		return err
	}
	a.log.Info("first run: open this link within an hour to set up the practice",
		"setup_url", a.cfg.BaseURL+"/setup/"+token)
	return nil
}

// sleep waits d, or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// practiceSettings are the practice's current settings, for the e-mails'
// signature and the authority they name.
func (a *App) practiceSettings() (practice.Settings, error) {
	return a.store.Settings(context.Background())
}

// practiceName is the practice's current name, for the breach reminders'
// signature ("" when it cannot be read; they then say "de praktijk").
func (a *App) practiceName() string {
	s, err := a.practiceSettings()
	if err != nil {
		return ""
	}
	return s.Name
}

// cleanUpload checks an upload by its content, strips image metadata and
// enforces the size limit, in the form the identity and breach services take.
func cleanUpload(dst io.Writer, src io.Reader, limit int64) (string, int64, error) {
	kind, n, err := upload.Clean(dst, src, limit)
	return string(kind), n, err
}

// checkDocument checks an answer document by its content (upload.Document).
func checkDocument(dst io.Writer, src io.Reader, limit int64) (string, int64, error) {
	kind, n, err := upload.Document(dst, src, limit)
	return string(kind), n, err
}

// Close closes the database.
func (a *App) Close() error { return a.store.Close() }
