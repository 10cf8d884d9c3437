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
// (connections are refused) until up is called.
type mailSink struct {
	addr   string
	mu     sync.Mutex
	counts map[string]int
	server *smtp.Server
	served chan struct{}
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

// up starts accepting mail.
func (m *mailSink) up() error {
	ln, err := net.Listen("tcp", m.addr)
	if err != nil {
		return err
	}
	m.server = smtp.NewServer(sinkBackend{m})
	m.server.Domain = "localhost"
	m.server.AllowInsecureAuth = true
	m.server.ReadTimeout, m.server.WriteTimeout = 30*time.Second, 30*time.Second
	m.server.ErrorLog = log.New(io.Discard, "", 0)
	m.served = make(chan struct{})
	go func() {
		defer close(m.served)
		_ = m.server.Serve(ln)
	}()
	return nil
}

// close stops a sink that is up.
func (m *mailSink) close() {
	if m.server == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = m.server.Shutdown(ctx)
	<-m.served
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
