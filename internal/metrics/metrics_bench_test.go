package metrics_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/clock"
	"github.com/avgloket/avgloket/internal/metrics"
)

// BenchmarkRequest is what counting one request adds to it (a counter and a
// histogram), against its limit measured in the same run: a plain file
// server answering a small file in process (no network), the cheapest
// answer a web server gives.
func BenchmarkRequest(b *testing.B) {
	m := metrics.New(&source{}, clock.NewFake(start), slog.New(slog.DiscardHandler))
	var counted, served time.Duration
	b.Run("count", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m.Request(http.MethodGet, "/volg/:token", http.StatusOK, 3*time.Millisecond)
		}
		counted = b.Elapsed() / time.Duration(b.N)
	})
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "app.css"), make([]byte, 2048), 0o600); err != nil {
		b.Fatal(err)
	}
	files := http.FileServer(http.Dir(dir))
	b.Run("fileserver", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			files.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/app.css", nil))
		}
		served = b.Elapsed() / time.Duration(b.N)
	})
	b.Logf("counting a request %v, a plain file server's answer %v: %.3f× of it", counted, served, float64(counted)/float64(served))
}
