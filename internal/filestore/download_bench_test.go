package filestore

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// downloadSize is the largest answer document: 200 MB.
const downloadSize = 200 << 20

// pattern yields n bytes of a repeating pattern without holding them.
type pattern struct{ n, off int64 }

func (p *pattern) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), p.n-p.off)]
	for i := range b {
		b[i] = byte('a' + (p.off+int64(i))%26)
	}
	p.off += int64(len(b))
	return len(b), nil
}

// sink accepts loopback connections and reads each to its end, sending
// the byte count on done: a receiver as cheap as it gets.
func sink(b *testing.B) (addr string, done <-chan int64) {
	b.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	ch := make(chan int64)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			n, _ := io.Copy(io.Discard, c)
			c.Close()
			ch <- n
		}
	}()
	return l.Addr().String(), ch
}

// BenchmarkDownload streams a stored 200 MB file, decrypted, into a
// loopback TCP connection, and in the same run the same bytes unencrypted
// from a plain file into such a connection as a file server does
// (io.Copy, which uses sendfile): it reports both rates in MB/s and their
// ratio. Bytes allocated per operation show the memory is constant.
func BenchmarkDownload(b *testing.B) {
	s := newStore(b)
	const id = "download-bench"
	if _, err := s.Put(b.Context(), id, &pattern{n: downloadSize}, aad(id)); err != nil {
		b.Fatal(err)
	}
	plainPath := filepath.Join(b.TempDir(), "plain")
	f, err := os.Create(plainPath)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(f, &pattern{n: downloadSize}); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	addr, done := sink(b)
	send := func(write func(c net.Conn) error) time.Duration {
		start := time.Now()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		if err := write(c); err != nil {
			b.Fatal(err)
		}
		c.Close()
		if n := <-done; n != downloadSize {
			b.Fatalf("received %d bytes", n)
		}
		return time.Since(start)
	}
	decrypted := func(c net.Conn) error {
		_, err := s.Open(b.Context(), id, c, aad(id))
		return err
	}
	plain := func(c net.Conn) error {
		f, err := os.Open(plainPath)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(c, f)
		return err
	}
	send(decrypted) // warm the page cache alike
	send(plain)

	var ours, theirs time.Duration
	b.SetBytes(downloadSize)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		ours += send(decrypted)
		b.StopTimer()
		theirs += send(plain)
		b.StartTimer()
	}
	b.StopTimer()
	mbps := func(d time.Duration) float64 { return float64(b.N) * downloadSize / 1e6 / d.Seconds() }
	b.ReportMetric(mbps(ours), "decrypted-MB/s")
	b.ReportMetric(mbps(theirs), "plain-MB/s")
	b.ReportMetric(mbps(ours)/mbps(theirs), "ratio")
}
