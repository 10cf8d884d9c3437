package web_test

import (
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/staff"
)

// benchDocumentSize is the largest answer document: 200 MB.
const benchDocumentSize = 200 << 20

// patternPDF yields a PDF header and then n bytes of a repeating pattern,
// without holding them.
type patternPDF struct {
	n, off int64
}

func (p *patternPDF) Read(b []byte) (int, error) {
	const head = "%PDF-1.7\n"
	if p.off >= p.n {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), p.n-p.off)]
	for i := range b {
		if pos := p.off + int64(i); pos < int64(len(head)) {
			b[i] = head[pos]
		} else {
			b[i] = byte('a' + pos%26)
		}
	}
	p.off += int64(len(b))
	return len(b), nil
}

// heapPeak samples the heap in use until stop is called and returns its
// largest value.
func heapPeak() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak.Load()
	}
}

// BenchmarkDocument200MB uploads a 200 MB document through the case page's
// form (multipart, streamed from a pipe), then downloads it as staff,
// discarding it. It reports the bytes moved per operation and the peak heap
// in use (runtime.MemStats.HeapInuse, sampled every 5 ms, server and
// client together) and the process's peak resident set: bounded memory
// means the peak stays a few MB whatever the file size.
func BenchmarkDocument200MB(b *testing.B) {
	a := newTestServer(b, withBranches("utrecht"))
	a.addMember(b, "officer@praktijk.example", staff.Officer, "utrecht")
	ref := a.fileRequest(b, "Sanne Voorbeeld", "sanne@example.nl", "utrecht")
	officer := a.signIn(b, "officer@praktijk.example")
	client := &http.Client{Jar: officer.jar}
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	b.SetBytes(2 * benchDocumentSize) // up and down
	b.ReportAllocs()
	var peak uint64
	b.ResetTimer()
	for range b.N {
		stop := heapPeak()
		id := uploadPattern(b, a, client, officer.csrf, ref, benchDocumentSize)
		res, err := client.Get(a.ts.URL + "/staff/cases/" + ref + "/documents/" + id)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if err != nil || n != benchDocumentSize {
			b.Fatalf("download: %d bytes, %v", n, err)
		}
		peak = max(peak, stop())
	}
	b.StopTimer()
	b.ReportMetric(float64(peak), "peak-heap-B")
	b.ReportMetric(float64(peak-min(peak, base.HeapInuse)), "peak-heap-growth-B")
	// The process's peak resident set, setup and test binary included.
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		b.ReportMetric(float64(ru.Maxrss), "max-RSS-kB")
	}
}

// uploadPattern uploads a PDF of n pattern bytes to case ref through the
// case page's form (multipart, streamed from a pipe) and returns its id.
func uploadPattern(b *testing.B, a *testApp, client *http.Client, csrf, ref string, n int64) string {
	b.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		fw, err := mw.CreateFormFile("file", "dossier.pdf")
		if err == nil {
			_, err = io.Copy(fw, &patternPDF{n: n})
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequestWithContext(b.Context(), http.MethodPost,
		a.ts.URL+"/staff/cases/"+ref+"/documents?_csrf="+url.QueryEscape(csrf), pr)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		b.Fatalf("upload: status %d", res.StatusCode)
	}
	docs := a.documentsOf(b, ref)
	return docs[len(docs)-1].ID
}

// BenchmarkDownload downloads a 200 MB answer document as staff through
// the portal's whole path (a real net/http server on loopback: session,
// audit, decryption, response) and, in the same run, the same bytes
// unencrypted from http.ServeFile, the limit a plain file server sets on
// this machine. Each operation is one download of each, alternating, so
// both see the same load; it reports both rates in MB/s, their ratio
// (portal/plain; the target is >= 0.7), and the peak heap in use: constant
// memory means a few MB whatever the file size.
func BenchmarkDownload(b *testing.B) {
	a := newTestServer(b, withBranches("utrecht"))
	a.addMember(b, "officer@praktijk.example", staff.Officer, "utrecht")
	ref := a.fileRequest(b, "Sanne Voorbeeld", "sanne@example.nl", "utrecht")
	officer := a.signIn(b, "officer@praktijk.example")
	client := &http.Client{Jar: officer.jar}
	id := uploadPattern(b, a, client, officer.csrf, ref, benchDocumentSize)
	portal := a.ts.URL + "/staff/cases/" + ref + "/documents/" + id

	plainPath := filepath.Join(b.TempDir(), "dossier.pdf")
	f, err := os.Create(plainPath)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(f, &patternPDF{n: benchDocumentSize}); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	plainServer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, plainPath)
	}))
	b.Cleanup(plainServer.Close)
	plainClient := &http.Client{}

	// get downloads url and returns the wall time it took, the time to
	// the response's header (for the portal: session, audit and counter
	// written durably) and the CPU time (user and system, client and server
	// together) the process spent: on a shared machine the CPU time is the
	// steadier figure.
	get := func(c *http.Client, url string) (wall, header, cpu time.Duration) {
		cpu0 := processCPU(b)
		start := time.Now()
		res, err := c.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		header = time.Since(start)
		n, err := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if err != nil || n != benchDocumentSize || res.StatusCode != http.StatusOK {
			b.Fatalf("download %s: status %d, %d bytes, %v", url, res.StatusCode, n, err)
		}
		return time.Since(start), header, processCPU(b) - cpu0
	}
	get(client, portal) // warm the page cache and the connections alike
	get(plainClient, plainServer.URL)

	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var portalTime, plainTime, portalHeader, portalCPU, plainCPU time.Duration
	var peak uint64
	b.SetBytes(benchDocumentSize)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		wall, _, cpu := get(plainClient, plainServer.URL)
		plainTime, plainCPU = plainTime+wall, plainCPU+cpu
		b.StartTimer()
		stop := heapPeak()
		wall, header, cpu := get(client, portal)
		portalTime, portalHeader, portalCPU = portalTime+wall, portalHeader+header, portalCPU+cpu
		peak = max(peak, stop())
	}
	b.StopTimer()
	mbps := func(d time.Duration) float64 { return float64(b.N) * benchDocumentSize / 1e6 / d.Seconds() }
	b.ReportMetric(mbps(portalTime), "portal-MB/s")
	b.ReportMetric(mbps(plainTime), "plain-MB/s")
	b.ReportMetric(mbps(portalTime)/mbps(plainTime), "ratio")
	b.ReportMetric(portalHeader.Seconds()*1e3/float64(b.N), "portal-header-ms/op")
	b.ReportMetric(portalCPU.Seconds()*1e3/float64(b.N), "portal-cpu-ms/op")
	b.ReportMetric(plainCPU.Seconds()*1e3/float64(b.N), "plain-cpu-ms/op")
	b.ReportMetric(float64(peak-min(peak, base.HeapInuse)), "peak-heap-growth-B")
}

// processCPU is the CPU time, user and system, the process has used.
func processCPU(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
