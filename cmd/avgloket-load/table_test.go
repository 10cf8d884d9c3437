package main

import (
	"strings"
	"testing"
	"time"
)

func TestWriteTable(t *testing.T) {
	var b strings.Builder
	err := writeTable(&b, []line{
		{figure: "submissions, 1 client", value: "2000/s", limit: "4000/s SQLite", ratio: "0.50", target: "≥ 0.5", verdict: pass},
		{figure: "queue p95", value: "20.00 ms", target: "≤ 15 ms", verdict: miss},
		{figure: "p50", value: "3.0 ms"},
	})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d lines, want a header, a rule and 3 rows:\n%s", len(lines), b.String())
	}
	for i, want := range [][]string{
		{"figure", "measured", "limit", "ratio", "target", "result"},
		nil,
		{"submissions, 1 client", "2000/s", "4000/s SQLite", "0.50", "≥ 0.5", "PASS"},
		{"queue p95", "20.00 ms", "—", "—", "≤ 15 ms", "MISS"},
		{"p50", "3.0 ms", "—", "—", "—", "—"},
	} {
		for _, cell := range want {
			if !strings.Contains(lines[i], cell) {
				t.Errorf("line %d %q lacks %q", i, lines[i], cell)
			}
		}
	}
	// Columns line up: every row's "measured" cell starts where the header's does.
	col := strings.Index(lines[0], "measured")
	if got := strings.Index(lines[2], "2000/s"); got != col {
		t.Errorf("measured column at %d in a row, %d in the header:\n%s", got, col, b.String())
	}
}

func TestVerdicts(t *testing.T) {
	tests := []struct{ got, want string }{
		{atLeast(0.5, 0.5), pass}, {atLeast(0.49, 0.5), miss},
		{atMost(15, 15), pass}, {atMost(15.1, 15), miss},
		{okOrFail(true), pass}, {okOrFail(false), fail},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d: %s, want %s", i, tt.got, tt.want)
		}
	}
}

// TestBenchLines holds the figures of a made-up run to the issue's
// targets: every target gets its verdict, a bug is FAIL, not MISS.
func TestBenchLines(t *testing.T) {
	lim := limitResult{inserts: 4000, plainMBps: 1000}
	sub := func(clients int, throughput float64, p99 time.Duration) submitResult {
		return submitResult{cfg: submitConfig{clients: clients}, throughput: throughput, lat: latencies{P99: p99},
			ready: 120 * time.Millisecond, idleRSS: 30 << 20, peakRSS: 130 << 20, afterKill: "ok", integrity: "ok",
			errors: map[string]int{}}
	}
	one, many := sub(1, 2400, 5*time.Millisecond), sub(64, 3000, 300*time.Millisecond)
	crash, smtp := sub(8, 1000, 0), sub(8, 1000, 0)
	crash.cfg.crash, smtp.cfg.smtpDown = true, true
	crash.verdict = verdict{Acknowledged: 10, Found: 9, Lost: 1}
	smtp.mail = mailVerdict{Expected: 5, Once: 5}
	q := queueResult{cfg: queueConfig{small: 1000, large: 100_000}, small: latencies{P95: 4 * time.Millisecond},
		large: latencies{P95: 8 * time.Millisecond}}
	dl := downloadResult{cfg: downloadConfig{sizeMB: 200}, portal: 800, plain: 1000, verified: true}
	lines := benchLines(lim, []submitResult{one, many, crash, smtp}, q, dl)
	want := map[string]string{
		"submissions, 1 client":         pass, // 0.6
		"submissions, 64 clients":       miss, // 0.75
		"p99, 64 clients":               miss,
		"errors, all submit runs":       pass,
		"kill -9 at 8 clients":          fail,
		"queue p95, 100000 cases":       pass,
		"queue p95, large / small":      miss, // 2.0
		"RSS idle":                      pass,
		"RSS peak, 64 clients":          miss,
		"download 200 MB":               pass, // 0.8
		"acknowledged but lost/doubled": fail,
	}
	seen := 0
	for _, l := range lines {
		if v, ok := want[l.figure]; ok {
			seen++
			if l.verdict != v {
				t.Errorf("%s: %s, want %s (%+v)", l.figure, l.verdict, v, l)
			}
		}
	}
	if seen != len(want) {
		t.Errorf("found %d of the %d figures", seen, len(want))
	}
}
