package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

const (
	maxCases = 200_000
	maxViews = 10_000
	warmup   = 10 // views before the timed ones
	// maxQueueTime bounds the views at one size; at least minViews are
	// timed even when they take longer.
	maxQueueTime = 30 * time.Second
	minViews     = 20
)

type queueConfig struct {
	small, large, views int
}

// queueResult is the queue page's time at two sizes of the register.
type queueResult struct {
	cfg          queueConfig
	small, large latencies
	seedTook     time.Duration
}

// ratio is the large register's p95 over the small one's.
func (r queueResult) ratio() float64 { return ratio(ms(r.large.P95), ms(r.small.P95)) }

func queueCmd(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("queue", flag.ContinueOnError)
	var c common
	c.register(fs)
	var cfg queueConfig
	fs.IntVar(&cfg.small, "small", 1000, "cases in the first measurement")
	fs.IntVar(&cfg.large, "large", 100_000, "cases in the second (at most 200000)")
	fs.IntVar(&cfg.views, "views", 200, "timed page views at each size")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	res, err := runQueue(ctx, c, cfg)
	if err != nil {
		return err
	}
	printQueue(out, res)
	return nil
}

func (cfg queueConfig) check() error {
	switch {
	case cfg.small < 1 || cfg.large <= cfg.small || cfg.large > maxCases:
		return fmt.Errorf("--small %d --large %d: want 1 ≤ small < large ≤ %d", cfg.small, cfg.large, maxCases)
	case cfg.views < 1 || cfg.views > maxViews:
		return fmt.Errorf("--views %d: want 1 to %d", cfg.views, maxViews)
	}
	return nil
}

// runQueue seeds the small register, times the queue page, seeds up to the
// large one and times it again, each time with the portal started afresh
// on the folder.
func runQueue(ctx context.Context, c common, cfg queueConfig) (queueResult, error) {
	res := queueResult{cfg: cfg}
	if err := cfg.check(); err != nil {
		return res, err
	}
	s, err := newSite(ctx, c)
	if err != nil {
		return res, err
	}
	defer s.remove()
	var cookie string
	have := 0
	for _, size := range []int{cfg.small, cfg.large} {
		sd, err := openSeeder(ctx, s)
		if err != nil {
			return res, err
		}
		began := time.Now()
		fmt.Fprintf(os.Stderr, "avgloket-load: seeding %d cases\n", size-have)
		err = sd.seedCases(ctx, have, size-have)
		res.seedTook += time.Since(began)
		if err == nil && cookie == "" {
			cookie, err = sd.session(ctx)
		}
		if cerr := sd.close(); err == nil {
			err = cerr
		}
		if err != nil {
			return res, err
		}
		have = size
		lat, err := timeQueue(ctx, s, c.addr, cookie, cfg.views)
		if err != nil {
			return res, err
		}
		if size == cfg.small {
			res.small = lat
		} else {
			res.large = lat
		}
	}
	return res, nil
}

// timeQueue starts the portal, views the queue page as the officer, one
// view after the other (views of them, or as many as maxQueueTime allows),
// and stops the portal.
func timeQueue(ctx context.Context, s *site, addr, cookie string, views int) (latencies, error) {
	p, err := s.start(ctx, addr, nil)
	if err != nil {
		return latencies{}, err
	}
	client := newClient(1)
	ds := make([]time.Duration, 0, views)
	until := time.Now().Add(maxQueueTime)
	for i := 0; i < warmup+views && (i < warmup+minViews || time.Now().Before(until)); i++ {
		t0 := time.Now()
		if err := viewQueue(ctx, client, p.url("/staff/cases"), cookie); err != nil {
			p.kill()
			return latencies{}, err
		}
		if i >= warmup {
			ds = append(ds, time.Since(t0))
		}
	}
	return summarize(ds), p.stop()
}

func viewQueue(ctx context.Context, client *http.Client, url, cookie string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return errors.New("queue page: HTTP " + resp.Status + " (is the officer signed in?)")
	}
	return nil
}

func printQueue(w io.Writer, r queueResult) {
	fmt.Fprintf(w, "queue: GET /staff/cases as a signed-in officer, one view after the other (seeding took %.1f s)\n", r.seedTook.Seconds())
	for _, x := range []struct {
		n int
		l latencies
	}{{r.cfg.small, r.small}, {r.cfg.large, r.large}} {
		fmt.Fprintf(w, "  %7d cases   %d views: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms\n", x.n, x.l.N, ms(x.l.P50), ms(x.l.P95), ms(x.l.P99))
	}
	fmt.Fprintf(w, "  p95 ratio       %.2f (large / small)\n", r.ratio())
}

// ratio is a/b, or 0 when b is 0.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
