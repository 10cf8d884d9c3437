package main

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/clock"
	"github.com/avgloket/avgloket/internal/metrics/metricstest"
)

var metricsAddr = regexp.MustCompile(`metrics_addr=(\S+)`)

// getMetrics GETs url without a token and returns the status and body.
func getMetrics(tb testing.TB, url string) (int, string) {
	tb.Helper()
	res, err := (&http.Client{Timeout: failsafe}).Get(url)
	if err != nil {
		tb.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatalf("GET %s: %v", url, err)
	}
	return res.StatusCode, string(b)
}

func wantMetric(tb testing.TB, s metricstest.Scrape, value float64, name string, labels ...string) {
	tb.Helper()
	if got, ok := s.Value(name, labels...); !ok || got != value {
		tb.Errorf("%s%v = %v (present %v), want %v", name, labels, got, ok, value)
	}
}

// The portal serves its metrics without a token on a listen address of
// their own (AVGLOKET_METRICS_ADDR), and the outbox worker's sends are
// counted there: one refused while the relay is down, then sent; so are
// the background jobs' runs.
func TestAppServesMetricsOnItsOwnAddress(t *testing.T) {
	t.Parallel()
	relay := startSMTP(t, "")
	cfg := relay.config()
	relay.Stop() // down from the start
	clk := clock.NewFake(time.Now())
	app := startApp(t, appOptions{smtp: cfg, clock: clk, env: map[string]string{"AVGLOKET_METRICS_ADDR": "127.0.0.1:0"}})
	waitLog(t, app.ready, "listening", app.logs)
	m := metricsAddr.FindStringSubmatch(app.logs.String())
	if m == nil {
		t.Fatalf("no metrics address in the log:\n%s", app.logs)
	}
	own := "http://" + m[1]
	scrape := func() metricstest.Scrape {
		t.Helper()
		status, body := getMetrics(t, own+"/metrics")
		if status != http.StatusOK {
			t.Fatalf("GET %s/metrics: %d\n%s", own, status, body)
		}
		return metricstest.Parse(t, strings.NewReader(body))
	}

	mustFile(t, app.URL, selfRequest(1))
	// The worker's round at the start and the one the request woke have
	// both ended, the failure recorded, once each has set its timer; the
	// background jobs' runner sets one, after its first pass, till the
	// clock moves.
	clk.AwaitTimers(3)
	s := scrape()
	wantMetric(t, s, 1, "avgloket_mail_sends_total", "result", "failed")
	wantMetric(t, s, 1, "avgloket_outbox_queued")
	wantMetric(t, s, 1, "avgloket_outbox_failed")
	wantMetric(t, s, 1, "avgloket_cases_open", "status", "received")
	wantMetric(t, s, 1, "avgloket_http_requests_total", "method", "POST", "route", "/api/v1/requests", "status", "2xx")
	// The runner's first pass ran every background job once, without error.
	for _, j := range app.backgroundJobs() {
		wantMetric(t, s, 1, "avgloket_job_runs_total", "job", j.Name)
		if n, ok := s.Value("avgloket_job_errors_total", "job", j.Name); ok && n > 0 {
			t.Errorf("job %s: %v errors", j.Name, n)
		}
	}

	// The relay is back; the retry goes out once due.
	relay = startSMTP(t, relay.Addr)
	sent := app.logs.expect("mail: sent")
	clk.Advance(2 * time.Minute)
	app.worker.Notify()
	relay.next(t)
	waitLog(t, sent, "mail: sent", app.logs)
	s = scrape()
	wantMetric(t, s, 1, "avgloket_mail_sends_total", "result", "sent")
	wantMetric(t, s, 1, "avgloket_mail_sends_total", "result", "failed")
	wantMetric(t, s, 0, "avgloket_outbox_queued")
	wantMetric(t, s, 0, "avgloket_outbox_failed")

	// The main listener has no token configured: nothing there. The
	// metrics listener serves nothing else.
	if status, _ := getMetrics(t, app.URL+"/metrics"); status != http.StatusNotFound {
		t.Errorf("main listener /metrics without a token configured: %d, want 404", status)
	}
	if status, _ := getMetrics(t, own+"/healthz"); status != http.StatusNotFound {
		t.Errorf("metrics listener /healthz: %d, want 404", status)
	}
}

// With AVGLOKET_METRICS_TOKEN the main listener serves /metrics to its
// bearer only.
func TestAppServesMetricsToTheToken(t *testing.T) {
	t.Parallel()
	token := strings.Repeat("ab", 20)
	app := startApp(t, appOptions{env: map[string]string{"AVGLOKET_METRICS_TOKEN": token}})
	waitLog(t, app.ready, "listening", app.logs)
	if strings.Contains(app.logs.String(), "metrics_addr=") {
		t.Errorf("a metrics listener without AVGLOKET_METRICS_ADDR")
	}
	if status, body := getMetrics(t, app.URL+"/metrics"); status != http.StatusUnauthorized || strings.Contains(body, "avgloket_") {
		t.Errorf("without the token: %d, shows metrics %v", status, strings.Contains(body, "avgloket_"))
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, app.URL+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := (&http.Client{Timeout: failsafe}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("with the token: %d", res.StatusCode)
	}
	s := metricstest.Parse(t, res.Body)
	wantMetric(t, s, 0, "avgloket_outbox_queued")
	wantMetric(t, s, 1, "avgloket_http_requests_total", "method", "GET", "route", "/metrics", "status", "4xx")
}
