package main

import (
	"bytes"
	"context"
	"io"
	"log"
	"maps"
	"mime"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// mailSink is an SMTP server in this process that counts the mails it
// accepts per recipient, and per case reference (the first one in the
// subject, else in the text) with the EHLO name of each sender. It starts
// down: nothing listens on its address (connections are refused) until up
// is called. Its methods may be called from any goroutine; set delay and
// afterData before up.
type mailSink struct {
	addr   string
	mu     sync.Mutex
	counts map[string]int
	byRef  map[string][]string // reference → the EHLO name of each sender, in order of arrival
	noRef  int                 // mails without a reference
	cut    map[string]int      // per EHLO name: DATA cut off before the final dot
	server *smtp.Server        // nil while down
	served chan struct{}       // closed when Serve has returned
	closed bool
	// delay is how long each mail's answer waits after its final dot, so
	// that a queue builds up behind a slow server.
	delay     time.Duration
	afterData func(helo, ref string) // see onData
}

// onData has f called after each mail's final dot has been read and
// counted, before the mail is answered, with the sender's EHLO name and the
// reference.
func (m *mailSink) onData(f func(helo, ref string)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.afterData = f
}

// newMailSink reserves a free loopback port for the sink, still down.
func newMailSink() (*mailSink, error) {
	addr, err := freeAddr("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	return &mailSink{addr: addr, counts: map[string]int{}, byRef: map[string][]string{}, cut: map[string]int{}}, nil
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

// receipts returns, per reference, the EHLO names of the senders of its
// mails in order of arrival; the count of mails without a reference; and,
// per EHLO name, the mails cut off before their final dot.
func (m *mailSink) receipts() (byRef map[string][]string, noRef int, cut map[string]int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	byRef = make(map[string][]string, len(m.byRef))
	for k, v := range m.byRef {
		byRef[k] = slices.Clone(v)
	}
	return byRef, m.noRef, maps.Clone(m.cut)
}

// referenceRE matches a case reference (casework.FormatReference).
var referenceRE = regexp.MustCompile(`AVG-[0-9]{4}-[0-9]{4,}`)

// referenceIn returns the first case reference in a mail's subject, else in
// its text (quoted-printable decoded when so encoded), or "".
func referenceIn(data []byte) string {
	msg, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return ""
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err == nil {
		if ref := referenceRE.FindString(subject); ref != "" {
			return ref
		}
	}
	var body io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	text, _ := io.ReadAll(body)
	return referenceRE.FindString(string(text))
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

func (b sinkBackend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &sinkSession{m: b.m, conn: c}, nil
}

type sinkSession struct {
	m    *mailSink
	conn *smtp.Conn
	to   []string
}

func (s *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }

func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, strings.ToLower(to))
	return nil
}

// Data counts the mail once it has been read whole, up to its final dot:
// from then on the sender cannot take it back. A connection that drops
// before the final dot is counted as cut, per sender.
func (s *sinkSession) Data(r io.Reader) error {
	helo := s.conn.Hostname()
	data, err := io.ReadAll(r)
	m := s.m
	m.mu.Lock()
	if err != nil {
		m.cut[helo]++
		m.mu.Unlock()
		return err
	}
	for _, to := range s.to {
		m.counts[to]++
	}
	ref := referenceIn(data)
	if ref == "" {
		m.noRef++
	} else {
		m.byRef[ref] = append(m.byRef[ref], helo)
	}
	hook := m.afterData
	m.mu.Unlock()
	if hook != nil {
		hook(helo, ref)
	}
	if m.delay > 0 {
		time.Sleep(m.delay) // the slow server itself, not a wait for something
	}
	return nil
}

func (s *sinkSession) Reset()        { s.to = nil }
func (s *sinkSession) Logout() error { return nil }
