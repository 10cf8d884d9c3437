package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"
)

// The targets of issue 13.
const (
	floorShareOne   = 0.5 // submissions at 1 client, of the SQLite floor
	floorShareMany  = 1.0 // at 64 clients
	manyClients     = 64
	p99Many         = 250.0 // ms, at 64 clients
	queueP95        = 15.0  // ms at the large register
	queueRatio      = 1.5   // large p95 / small p95
	idleRSSTarget   = 40.0  // MB
	loadRSSTarget   = 120.0 // MB, under 64 clients
	readyTarget     = 300.0 // ms
	downloadShare   = 0.7   // of the plain file server
	checkClients    = 8     // the --crash and --smtp-down runs
	benchLimitAfter = 3 * time.Second
)

type benchConfig struct {
	duration time.Duration // each submit run
	large    int
	sizeMB   int
	strict   bool
}

func benchCmd(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	var c common
	c.register(fs)
	var cfg benchConfig
	fs.DurationVar(&cfg.duration, "duration", 10*time.Second, "each submit run")
	fs.IntVar(&cfg.large, "large", 100_000, "cases in the large register of the queue test")
	fs.IntVar(&cfg.sizeMB, "size-mb", 200, "size of the downloaded document")
	fs.BoolVar(&cfg.strict, "strict", false, "exit 3 when a target is missed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	return runBench(ctx, c, cfg, out)
}

// runBench runs every measurement, each in its own data folder, printing
// each part's own report as it finishes and then the table.
func runBench(ctx context.Context, c common, cfg benchConfig, out io.Writer) error {
	began := time.Now()
	step := func(name string) {
		fmt.Fprintf(os.Stderr, "avgloket-load: %s (%.0f s in)\n", name, time.Since(began).Seconds())
	}
	step("limit")
	lim, err := runLimit(ctx, benchLimitAfter, 64)
	if err != nil {
		return fmt.Errorf("limit: %w", err)
	}
	printLimit(out, lim)
	var subs []submitResult
	for _, sc := range []submitConfig{
		{clients: 1, duration: cfg.duration},
		{clients: manyClients, duration: cfg.duration},
		{clients: checkClients, duration: cfg.duration / 2, crash: true},
		{clients: checkClients, duration: cfg.duration / 2, smtpDown: true},
	} {
		step(fmt.Sprintf("submit, %d clients", sc.clients))
		r, err := runSubmit(ctx, c, sc)
		if err != nil {
			return fmt.Errorf("submit with %d clients: %w", sc.clients, err)
		}
		printSubmit(out, r)
		subs = append(subs, r)
	}
	step("queue")
	q, err := runQueue(ctx, c, queueConfig{small: 1000, large: cfg.large, views: 200})
	if err != nil {
		return fmt.Errorf("queue: %w", err)
	}
	printQueue(out, q)
	step("download")
	dl, err := runDownload(ctx, c, downloadConfig{sizeMB: cfg.sizeMB, rounds: 3})
	if err != nil {
		return fmt.Errorf("download: %w", err)
	}
	printDownload(out, dl)

	lines := benchLines(lim, subs, q, dl)
	fmt.Fprintf(out, "\navgloket-load bench, %s, %d CPU, %s/%s, in %.0f s\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, time.Since(began).Seconds())
	if err := writeTable(out, lines); err != nil {
		return err
	}
	var bugs []string
	for _, r := range subs {
		for _, b := range r.failed() {
			bugs = append(bugs, fmt.Sprintf("submit %d clients: %s", r.cfg.clients, b))
		}
	}
	if !dl.verified {
		bugs = append(bugs, "download: the portal's bytes differ from the document's")
	}
	if len(bugs) > 0 {
		return errors.New("bench: " + strings.Join(bugs, "; "))
	}
	if n := count(lines, miss); cfg.strict && n > 0 {
		return errMissed{n: n}
	}
	return nil
}

// benchLines turns the results into the table's lines. subs are the
// submit runs in runBench's order: 1 client, 64 clients, --crash,
// --smtp-down.
func benchLines(lim limitResult, subs []submitResult, q queueResult, dl downloadResult) []line {
	one, many, crash, smtp := subs[0], subs[1], subs[2], subs[3]
	floor := fmt.Sprintf("%.0f/s SQLite", lim.inserts)
	rOne, rMany := ratio(one.throughput, lim.inserts), ratio(many.throughput, lim.inserts)
	errs := 0
	for _, r := range subs {
		errs += r.errorCount()
	}
	ready := 0.0
	for _, r := range subs {
		ready = max(ready, ms(r.ready))
	}
	lost := 0
	for _, r := range subs {
		lost += r.verdict.Lost + r.verdict.Duplicated + r.verdict.WrongRef
	}
	return []line{
		{figure: "submissions, 1 client", value: fmt.Sprintf("%.0f/s", one.throughput), limit: floor,
			ratio: fmt.Sprintf("%.2f", rOne), target: fmt.Sprintf("≥ %.1f", floorShareOne), verdict: atLeast(rOne, floorShareOne)},
		{figure: fmt.Sprintf("submissions, %d clients", manyClients), value: fmt.Sprintf("%.0f/s", many.throughput), limit: floor,
			ratio: fmt.Sprintf("%.2f", rMany), target: fmt.Sprintf("≥ %.1f", floorShareMany), verdict: atLeast(rMany, floorShareMany)},
		{figure: fmt.Sprintf("p99, %d clients", manyClients), value: fmt.Sprintf("%.1f ms", ms(many.lat.P99)),
			target: fmt.Sprintf("≤ %.0f ms", p99Many), verdict: atMost(ms(many.lat.P99), p99Many)},
		{figure: "p50 / p95, 1 client", value: fmt.Sprintf("%.1f / %.1f ms", ms(one.lat.P50), ms(one.lat.P95))},
		{figure: fmt.Sprintf("p50 / p95, %d clients", manyClients), value: fmt.Sprintf("%.1f / %.1f ms", ms(many.lat.P50), ms(many.lat.P95))},
		{figure: "errors, all submit runs", value: fmt.Sprint(errs), target: "0", verdict: okOrFail(errs == 0)},
		{figure: "acknowledged but lost/doubled", value: fmt.Sprint(lost), target: "0", verdict: okOrFail(lost == 0)},
		{figure: fmt.Sprintf("kill -9 at %d clients", crash.cfg.clients),
			value:  fmt.Sprintf("%d ack, %d lost, integrity %s", crash.acked, crash.verdict.Lost, crash.afterKill),
			target: "0 lost, ok", verdict: okOrFail(crash.verdict.ok() && crash.afterKill == "ok" && crash.integrity == "ok")},
		{figure: fmt.Sprintf("mail server down %s", smtp.downFor.Round(time.Millisecond)),
			value: fmt.Sprintf("%d/%d once", smtp.mail.Once, smtp.mail.Expected), target: "each once", verdict: okOrFail(smtp.mail.ok())},
		{figure: fmt.Sprintf("queue p95, %d cases", q.cfg.small), value: fmt.Sprintf("%.2f ms", ms(q.small.P95))},
		{figure: fmt.Sprintf("queue p95, %d cases", q.cfg.large), value: fmt.Sprintf("%.2f ms", ms(q.large.P95)),
			target: fmt.Sprintf("≤ %.0f ms", queueP95), verdict: atMost(ms(q.large.P95), queueP95)},
		{figure: "queue p95, large / small", value: fmt.Sprintf("%.2f ms", ms(q.large.P95)), limit: fmt.Sprintf("%.2f ms", ms(q.small.P95)),
			ratio: fmt.Sprintf("%.2f", q.ratio()), target: fmt.Sprintf("≤ %.1f", queueRatio), verdict: atMost(q.ratio(), queueRatio)},
		{figure: "RSS idle", value: fmt.Sprintf("%.1f MB", mb(many.idleRSS)),
			target: fmt.Sprintf("≤ %.0f MB", idleRSSTarget), verdict: atMost(mb(many.idleRSS), idleRSSTarget)},
		{figure: fmt.Sprintf("RSS peak, %d clients", manyClients), value: fmt.Sprintf("%.1f MB", mb(many.peakRSS)),
			target: fmt.Sprintf("≤ %.0f MB", loadRSSTarget), verdict: atMost(mb(many.peakRSS), loadRSSTarget)},
		{figure: "ready (exec → /healthz), worst", value: fmt.Sprintf("%.1f ms", ready),
			target: fmt.Sprintf("≤ %.0f ms", readyTarget), verdict: atMost(ready, readyTarget)},
		{figure: fmt.Sprintf("download %d MB", dl.cfg.sizeMB), value: fmt.Sprintf("%.0f MB/s", dl.portal),
			limit: fmt.Sprintf("%.0f MB/s plain", dl.plain), ratio: fmt.Sprintf("%.2f", dl.ratio()),
			target: fmt.Sprintf("≥ %.1f", downloadShare), verdict: atLeast(dl.ratio(), downloadShare)},
		{figure: "RSS peak, download", value: fmt.Sprintf("%.1f MB", mb(dl.peak)), limit: fmt.Sprintf("%.1f MB idle", mb(dl.idleRSS))},
	}
}
