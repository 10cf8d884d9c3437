package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/avgloket/avgloket/internal/store"
)

// Bounds of a submit run.
const (
	maxClients     = 256
	maxDuration    = 10 * time.Minute
	maxSubmissions = 500_000 // over all clients
	idleSettle     = 500 * time.Millisecond
	// mailWait bounds the wait for the mails after the load: the outbox
	// retries a failed mail after 1 minute (internal/mail Backoff, not
	// configurable), so a mail that failed while the sink was down arrives
	// a little over a minute after its failure.
	mailWait   = 100 * time.Second
	mailSettle = 2 * time.Second // after the last expected mail, for late duplicates
)

type submitConfig struct {
	clients  int
	duration time.Duration
	crash    bool
	smtpDown bool
}

// submitResult is what a submit run measured and found.
type submitResult struct {
	cfg        submitConfig
	ready      time.Duration
	elapsed    time.Duration // load time (until the kill, with --crash)
	acked      int
	throughput float64 // acknowledged submissions a second
	lat        latencies
	errors     map[string]int
	cut        int // requests in flight at the kill
	idleRSS    int64
	peakRSS    int64
	verdict    verdict
	// --crash
	restartReady time.Duration
	afterKill    string // integrity_check after the kill, before the restart
	// --smtp-down
	downFor time.Duration
	mail    mailVerdict
	// integrity_check after the portal stopped at the end
	integrity string
}

func (r submitResult) errorCount() int {
	n := 0
	for _, v := range r.errors {
		n += v
	}
	return n
}

// failed says what went wrong that is a bug rather than a missed target:
// lost or doubled submissions, errors, a damaged database, mail missing or
// doubled.
func (r submitResult) failed() []string {
	var out []string
	if !r.verdict.ok() {
		out = append(out, "submissions: "+r.verdict.String())
	}
	if n := r.errorCount(); n > 0 {
		out = append(out, fmt.Sprintf("%d requests failed", n))
	}
	if r.cfg.crash && r.afterKill != "ok" {
		out = append(out, "integrity after the kill: "+r.afterKill)
	}
	if r.integrity != "ok" {
		out = append(out, "integrity at the end: "+r.integrity)
	}
	if r.cfg.smtpDown && !r.mail.ok() {
		out = append(out, "mail: "+r.mail.String())
	}
	return out
}

func submitCmd(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("submit", flag.ContinueOnError)
	var c common
	c.register(fs)
	var cfg submitConfig
	fs.IntVar(&cfg.clients, "clients", 8, "concurrent clients (1 to 256)")
	fs.DurationVar(&cfg.duration, "duration", 10*time.Second, "how long the clients submit (at most 10m)")
	fs.BoolVar(&cfg.crash, "crash", false, "SIGKILL the portal half-way, restart it and check that nothing acknowledged was lost")
	fs.BoolVar(&cfg.smtpDown, "smtp-down", false, "the mail server is down for the first third, then up; every acknowledgement must arrive once")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	res, err := runSubmit(ctx, c, cfg)
	if err != nil {
		return err
	}
	printSubmit(out, res)
	if bad := res.failed(); len(bad) > 0 {
		return errors.New("submit: " + strings.Join(bad, "; "))
	}
	return nil
}

func (cfg submitConfig) check() error {
	switch {
	case cfg.clients < 1 || cfg.clients > maxClients:
		return fmt.Errorf("--clients %d: want 1 to %d", cfg.clients, maxClients)
	case cfg.duration <= 0 || cfg.duration > maxDuration:
		return fmt.Errorf("--duration %s: want more than 0 and at most %s", cfg.duration, maxDuration)
	case cfg.crash && cfg.smtpDown:
		// A mail sent just before a kill, before the portal could record
		// it, is sent again after the restart: at least once, not once.
		return errors.New("--crash and --smtp-down go in separate runs: across a kill a mail arrives at least once, not exactly once")
	}
	return nil
}

// runSubmit sets up a site, starts the portal and runs the load.
func runSubmit(ctx context.Context, c common, cfg submitConfig) (submitResult, error) {
	res := submitResult{cfg: cfg}
	if err := cfg.check(); err != nil {
		return res, err
	}
	s, err := newSite(ctx, c)
	if err != nil {
		return res, err
	}
	defer s.remove()
	var sink *mailSink
	var env []string
	if cfg.smtpDown {
		if sink, err = newMailSink(); err != nil {
			return res, err
		}
		defer sink.close()
		env = sink.env()
	}
	p, err := s.start(ctx, c.addr, env)
	if err != nil {
		return res, err
	}
	running := true
	defer func() {
		if running {
			p.kill()
		}
	}()
	res.ready = p.ready
	time.Sleep(idleSettle)
	res.idleRSS = p.rss()

	marker := newMarker()
	client := newClient(cfg.clients)
	loadCtx, cutLoad := context.WithCancel(ctx)
	defer cutLoad()
	var killing atomic.Bool
	var killOnce sync.Once
	kill := func() {
		killOnce.Do(func() {
			killing.Store(true)
			p.kill()
			cutLoad()
		})
	}
	if cfg.crash {
		go func() {
			select {
			case <-time.After(cfg.duration / 2):
				kill()
			case <-loadCtx.Done():
			}
		}()
	}
	if cfg.smtpDown {
		res.downFor = cfg.duration / 3
		go func() {
			select {
			case <-time.After(res.downFor):
				if err := sink.up(); err != nil {
					fmt.Fprintf(os.Stderr, "avgloket-load: mail sink: %v\n", err)
				}
			case <-loadCtx.Done():
			}
		}()
	}
	sampler := sampleRSS(p)
	load := drive(loadCtx, client, p.url(""), marker, cfg.clients, cfg.duration, &killing)
	res.peakRSS = sampler.stop()
	res.elapsed, res.errors, res.cut = load.elapsed, load.errors, load.cut
	res.lat = summarize(load.latencies)
	for _, f := range load.sent {
		if f.Reference != "" {
			res.acked++
		}
	}
	res.throughput = float64(res.acked) / res.elapsed.Seconds()

	if cfg.crash {
		kill() // done already, unless the clients reached their bound first
		running = false
		res.afterKill = integrityOf(ctx, s.dbPath())
		if p, err = s.start(ctx, c.addr, env); err != nil {
			return res, fmt.Errorf("restart after the kill: %w", err)
		}
		running = true
		res.restartReady = p.ready
	}
	listing, err := listCases(ctx, client, p.url(""), s.token)
	if err != nil {
		return res, err
	}
	res.verdict = check(load.sent, listing, marker)
	if cfg.smtpDown {
		res.mail = awaitMail(ctx, sink, load.sent)
	}
	running = false
	if err := p.stop(); err != nil {
		return res, err
	}
	res.integrity = integrityOf(ctx, s.dbPath())
	return res, nil
}

// integrityOf runs the store's integrity and foreign-key checks
// (store.CheckFile, as `avgloket backup` does) on the database file of a
// portal that is not running, and returns "ok" or the problem found.
func integrityOf(ctx context.Context, path string) string {
	if err := store.CheckFile(ctx, path); err != nil {
		return err.Error()
	}
	return "ok"
}

// newMarker is the run's own mark in every address it files, so that its
// cases are told apart from any other.
func newMarker() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "load" + hex.EncodeToString(b)
}

// load is what the clients did.
type load struct {
	sent      []filed
	latencies []time.Duration // of acknowledged submissions
	errors    map[string]int
	cut       int // in flight at the kill
	elapsed   time.Duration
}

// drive runs n clients that each submit one request after the other until
// d has passed, ctx ends or the run's bound is reached. A request that
// fails once killing is set was cut by the kill: it is neither an error nor
// acknowledged.
func drive(ctx context.Context, client *http.Client, base, marker string, n int, d time.Duration, killing *atomic.Bool) load {
	perClient := maxSubmissions / n
	results := make([]load, n)
	began := time.Now()
	deadline := began.Add(d)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r := &results[i]
			r.errors = map[string]int{}
			for seq := 0; seq < perClient && time.Now().Before(deadline) && ctx.Err() == nil && !killing.Load(); seq++ {
				email := submissionEmail(marker, i, seq)
				t0 := time.Now()
				ref, err := submitOne(ctx, client, base, email, clientAddress(i, seq), fmt.Sprintf("%s-%d-%d", marker, i, seq), seq)
				took := time.Since(t0)
				r.sent = append(r.sent, filed{Email: email, Reference: ref})
				switch {
				case err == nil:
					r.latencies = append(r.latencies, took)
				case killing.Load() || ctx.Err() != nil:
					r.cut++
				default:
					r.errors[errorKind(err)]++
				}
			}
		})
	}
	wg.Wait()
	all := load{errors: map[string]int{}, elapsed: min(time.Since(began), d)}
	for _, r := range results {
		all.sent = append(all.sent, r.sent...)
		all.latencies = append(all.latencies, r.latencies...)
		all.cut += r.cut
		for k, v := range r.errors {
			all.errors[k] += v
		}
	}
	if killing.Load() {
		all.elapsed = min(time.Since(began), d/2)
	}
	return all
}

// awaitMail waits until every acknowledged submission has had a mail, at
// most mailWait, then a moment for late duplicates, and counts.
func awaitMail(ctx context.Context, sink *mailSink, sent []filed) mailVerdict {
	fmt.Fprintf(os.Stderr, "avgloket-load: waiting up to %s for the mails (the outbox retries a failed mail after 1 minute)\n", mailWait)
	until := time.Now().Add(mailWait)
	for time.Now().Before(until) && ctx.Err() == nil {
		if checkMail(sent, sink.received()).Missing == 0 {
			time.Sleep(mailSettle)
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	return checkMail(sent, sink.received())
}

func printSubmit(w io.Writer, r submitResult) {
	mode := ""
	if r.cfg.crash {
		mode = ", killed half-way"
	}
	if r.cfg.smtpDown {
		mode = fmt.Sprintf(", mail server down for the first %s", r.downFor.Round(time.Millisecond))
	}
	fmt.Fprintf(w, "submit: %d clients for %s%s\n", r.cfg.clients, r.cfg.duration, mode)
	fmt.Fprintf(w, "  ready           %.1f ms (exec → /healthz 200)\n", ms(r.ready))
	fmt.Fprintf(w, "  acknowledged    %d in %.2f s: %.1f/s\n", r.acked, r.elapsed.Seconds(), r.throughput)
	fmt.Fprintf(w, "  latency         p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms\n", ms(r.lat.P50), ms(r.lat.P95), ms(r.lat.P99), ms(r.lat.Max))
	fmt.Fprintf(w, "  errors          %d%s\n", r.errorCount(), errorList(r.errors))
	fmt.Fprintf(w, "  server RSS      idle %.1f MB, peak under load %.1f MB\n", mb(r.idleRSS), mb(r.peakRSS))
	fmt.Fprintf(w, "  check           %s\n", r.verdict)
	if r.cfg.crash {
		fmt.Fprintf(w, "  crash           SIGKILL with %d requests in flight; integrity after the kill: %s; restarted, ready in %.1f ms\n",
			r.cut, r.afterKill, ms(r.restartReady))
	}
	if r.cfg.smtpDown {
		fmt.Fprintf(w, "  mail            %s\n", r.mail)
	}
	fmt.Fprintf(w, "  integrity       %s (after the portal stopped)\n", r.integrity)
}

func errorList(m map[string]int) string {
	if len(m) == 0 {
		return ""
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s ×%d", k, m[k]))
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
