package main

import (
	"context"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// mailSink is an SMTP server in this process that counts the mails it
// accepts per recipient. It starts down: nothing listens on its address
// (connections are refused) until up is called. Its methods may be called
// from any goroutine.
type mailSink struct {
	addr   string
	mu     sync.Mutex
	counts map[string]int
	server *smtp.Server  // nil while down
	served chan struct{} // closed when Serve has returned
	closed bool
}

// newMailSink reserves a free loopback port for the sink, still down.
func newMailSink() (*mailSink, error) {
	addr, err := freeAddr("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	return &mailSink{addr: addr, counts: map[string]int{}}, nil
}

// env is what the portal needs to send through the sink.
func (m *mailSink) env() []string {
	_, port, _ := net.SplitHostPort(m.addr)
	return []string{"AVGLOKET_SMTP_HOST=127.0.0.1", "AVGLOKET_SMTP_PORT=" + port, "AVGLOKET_SMTP_INSECURE=1",
		"AVGLOKET_SMTP_FROM=" + practiceName + " <" + privacyEmail + ">"}
}

// up starts accepting mail; after close it does nothing.
func (m *mailSink) up() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed || m.server != nil {
		return nil
	}
	ln, err := net.Listen("tcp", m.addr)
	if err != nil {
		return err
	}
	srv := smtp.NewServer(sinkBackend{m})
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 30*time.Second, 30*time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(ln)
	}()
	m.server, m.served = srv, served
	return nil
}

// close stops the sink for good.
func (m *mailSink) close() {
	m.mu.Lock()
	srv, served := m.server, m.served
	m.closed = true
	m.mu.Unlock()
	if srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
	<-served
}

// received returns the count of accepted mails per recipient.
func (m *mailSink) received() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]int, len(m.counts))
	for k, v := range m.counts {
		out[k] = v
	}
	return out
}

type sinkBackend struct{ m *mailSink }

func (b sinkBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{m: b.m}, nil }

type sinkSession struct {
	m  *mailSink
	to []string
}

func (s *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }

func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, strings.ToLower(to))
	return nil
}

// Data counts the mail once it has been read whole: that is when the
// server accepts it, and when the portal may mark it sent.
func (s *sinkSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	s.m.mu.Lock()
	for _, to := range s.to {
		s.m.counts[to]++
	}
	s.m.mu.Unlock()
	return nil
}

func (s *sinkSession) Reset()        { s.to = nil }
func (s *sinkSession) Logout() error { return nil }
