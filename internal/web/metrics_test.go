package web_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/metrics/metricstest"
	"github.com/avgloket/avgloket/internal/staff"
)

// metricsToken is the scrape token of the tests: 32 characters and more.
const metricsToken = "4f1c0e5d8a7b6c9d2e3f405162738495a6b7c8d9e0f1"

// withMetricsToken opens /metrics to the bearer of token.
func withMetricsToken(token string) appOption {
	return func(c *appConfig) { c.web.MetricsToken = token }
}

// scrape reads /metrics with the scrape token and parses it.
func (a *testApp) scrape(tb testing.TB) metricstest.Scrape {
	tb.Helper()
	res := a.api(tb, http.MethodGet, "/metrics", metricsToken, nil)
	if res.Status != http.StatusOK {
		tb.Fatalf("GET /metrics: %d\n%s", res.Status, res.Body)
	}
	return metricstest.Parse(tb, bytes.NewReader(res.Body))
}

func wantSeries(tb testing.TB, s metricstest.Scrape, value float64, name string, labels ...string) {
	tb.Helper()
	got, ok := s.Value(name, labels...)
	if !ok {
		tb.Errorf("%s%v: no such series", name, labels)
	} else if got != value {
		tb.Errorf("%s%v = %v, want %v", name, labels, got, value)
	}
}

func TestMetricsProtection(t *testing.T) {
	// Without a token configured there is nothing at /metrics, whatever
	// the caller sends.
	closed := newTestServer(t)
	for _, token := range []string{"", metricsToken} {
		if res := closed.api(t, http.MethodGet, "/metrics", token, nil); res.Status != http.StatusNotFound {
			t.Errorf("no token configured, bearer %q: status %d, want 404", token, res.Status)
		}
	}

	a := newTestServer(t, withMetricsToken(metricsToken))
	for _, tt := range []struct {
		name   string
		header string
	}{
		{"no header", ""},
		{"wrong token", "Bearer " + strings.Repeat("0", len(metricsToken))},
		{"the token and more", "Bearer " + metricsToken + "0"},
		{"a prefix of the token", "Bearer " + metricsToken[:len(metricsToken)-1]},
		{"empty bearer", "Bearer "},
		{"another scheme", "Basic " + metricsToken},
		{"the bare token", metricsToken},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var hdr []string
			if tt.header != "" {
				hdr = []string{"Authorization", tt.header}
			}
			res := a.api(t, http.MethodGet, "/metrics", "", nil, hdr...)
			if res.Status != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", res.Status)
			}
			if !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate %q", res.Header.Get("WWW-Authenticate"))
			}
			for _, leak := range []string{"avgloket_", "# HELP", "go_goroutines", "promhttp"} {
				if bytes.Contains(res.Body, []byte(leak)) {
					t.Errorf("the refusal shows %q", leak)
				}
			}
		})
	}
	// A token in the query is no token.
	if res := a.api(t, http.MethodGet, "/metrics?token="+metricsToken, "", nil); res.Status != http.StatusUnauthorized {
		t.Errorf("token in the query: status %d, want 401", res.Status)
	}
	res := a.api(t, http.MethodGet, "/metrics", metricsToken, nil)
	if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("right token: status %d, Content-Type %q", res.Status, res.Header.Get("Content-Type"))
	}
	if res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", res.Header.Get("Cache-Control"))
	}
	s := metricstest.Parse(t, bytes.NewReader(res.Body))
	// The refusals above were counted, by the route's template.
	wantSeries(t, s, 8, "avgloket_http_requests_total", "method", "GET", "route", "/metrics", "status", "4xx")
}

// TestMetricsAfterActivity files requests, opens the tracking page, fails a
// mail and registers breaches through the portal, and reads the numbers
// back from /metrics; a month and more later the same cases are overdue.
func TestMetricsAfterActivity(t *testing.T) {
	a := newTestServer(t, withBranches("utrecht"), withMetricsToken(metricsToken))
	owner := a.addMember(t, "eigenaar@praktijk.example", staff.Owner)
	apiToken := a.addToken(t, owner)

	ref := a.fileRequest(t, "Zeger Geheim", "zeger@example.nl", "utrecht")
	a.fileRequest(t, "Wies Verborgen", "wies@example.nl", "utrecht")
	tracking := a.trackingToken(t, "zeger@example.nl")
	if p := a.browser(t).get("/volg/" + tracking); p.Status != http.StatusOK {
		t.Fatalf("tracking page: %d", p.Status)
	}
	a.browser(t).get("/volg/" + strings.Repeat("A", 43))
	a.browser(t).get("/geheim-pad/" + tracking)

	// The first acknowledgement fails once (the relay refused it).
	claimed, err := a.store.Claim(t.Context(), "portal-1", a.clock.Now(), a.clock.Now().Add(time.Minute), 1)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("Claim: %d mails, %v", len(claimed), err)
	}
	if err := a.store.MarkFailed(t.Context(), "portal-1", claimed[0].ID, 1, a.clock.Now().Add(time.Minute), "451 try again later"); err != nil {
		t.Fatal(err)
	}
	queuedN, _, err := a.store.OutboxStats(t.Context())
	if err != nil {
		t.Fatal(err)
	}

	// A breach found an hour ago, and one found in March: open past the
	// 72 hours.
	for _, aware := range []string{a.clock.Now().Add(-time.Hour).Format(time.RFC3339), "2026-03-27T18:00:00+01:00"} {
		if res := a.api(t, http.MethodPost, "/api/v1/breaches", apiToken, with(laptopBody(), "aware_at", aware)); res.Status != http.StatusCreated {
			t.Fatalf("register breach: %d %s", res.Status, res.Body)
		}
	}

	status := string(a.caseOf(t, ref).Status)
	s := a.scrape(t)
	wantSeries(t, s, 2, "avgloket_cases_open", "status", status)
	wantSeries(t, s, 0, "avgloket_cases_overdue")
	wantSeries(t, s, float64(queuedN), "avgloket_outbox_queued")
	wantSeries(t, s, 1, "avgloket_outbox_failed")
	wantSeries(t, s, 0, "avgloket_outbox_oldest_queued_age_seconds")
	wantSeries(t, s, 2, "avgloket_breaches_decision_open")
	wantSeries(t, s, 1, "avgloket_breaches_decision_open_late")
	wantSeries(t, s, 2, "avgloket_http_requests_total", "method", "POST", "route", "/api/v1/requests", "status", "2xx")
	wantSeries(t, s, 2, "avgloket_http_requests_total", "method", "POST", "route", "/api/v1/breaches", "status", "2xx")
	wantSeries(t, s, 1, "avgloket_http_requests_total", "method", "GET", "route", "/volg/:token", "status", "2xx")
	wantSeries(t, s, 1, "avgloket_http_requests_total", "method", "GET", "route", "/volg/:token", "status", "4xx")
	wantSeries(t, s, 2, "avgloket_http_request_duration_seconds", "method", "GET", "route", "/volg/:token")
	if queuedN < 2 {
		t.Errorf("%d mails queued, want the two acknowledgements at least", queuedN)
	}

	// No label anywhere holds a token, a reference or a path that was asked.
	for name, f := range s {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				for _, secret := range []string{tracking, ref, apiToken, metricsToken, "geheim-pad", "AAAA"} {
					if strings.Contains(l.GetValue(), secret) {
						t.Errorf("%s{%s=%q} holds %q", name, l.GetName(), l.GetValue(), secret)
					}
				}
			}
		}
	}

	// Forty days on, both cases are past their month; the breach of an
	// hour ago is past its 72 hours too; the oldest mail waits as long.
	a.clock.Advance(40 * 24 * time.Hour)
	s = a.scrape(t)
	wantSeries(t, s, 2, "avgloket_cases_overdue")
	wantSeries(t, s, 2, "avgloket_breaches_decision_open_late")
	wantSeries(t, s, (40 * 24 * time.Hour).Seconds(), "avgloket_outbox_oldest_queued_age_seconds")
}
