package mail

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const (
	testUser = "avgloket"
	testPass = "correct horse battery staple"
	testFrom = "Praktijk De Linde <noreply@delinde.example>"
)

// newTestSender returns a sender for ts without STARTTLS (go-smtp's test
// server has no certificate unless given one).
func newTestSender(tb testing.TB, ts *testServer) *SMTPSender {
	tb.Helper()
	s, err := NewSMTPSender(SMTPConfig{
		Host: ts.Host, Port: ts.Port,
		Username: testUser, Password: testPass,
		From:     testFrom,
		Insecure: true,
		Timeout:  failsafe,
	})
	if err != nil {
		tb.Fatalf("NewSMTPSender: %v", err)
	}
	return s
}

func TestSMTPConfigValidate(t *testing.T) {
	valid := SMTPConfig{Host: "smtp.example.nl", Port: 587, Username: "u", Password: "p", From: testFrom, Timeout: time.Second}
	tests := []struct {
		name   string
		change func(*SMTPConfig)
		ok     bool
	}{
		{"valid", func(*SMTPConfig) {}, true},
		{"no auth", func(c *SMTPConfig) { c.Username, c.Password = "", "" }, true},
		{"bare from", func(c *SMTPConfig) { c.From = "noreply@delinde.example" }, true},
		{"zero timeout", func(c *SMTPConfig) { c.Timeout = 0 }, true},
		{"no host", func(c *SMTPConfig) { c.Host = "" }, false},
		{"host with port", func(c *SMTPConfig) { c.Host = "smtp.example.nl:587" }, false},
		{"IPv6 literal", func(c *SMTPConfig) { c.Host = "::1" }, false},
		{"host with CRLF", func(c *SMTPConfig) { c.Host = "smtp.example.nl\r\n" }, false},
		{"port 0", func(c *SMTPConfig) { c.Port = 0 }, false},
		{"port too high", func(c *SMTPConfig) { c.Port = 65536 }, false},
		{"password without user", func(c *SMTPConfig) { c.Username = "" }, false},
		{"no from", func(c *SMTPConfig) { c.From = "" }, false},
		{"from with CRLF in name", func(c *SMTPConfig) { c.From = "Praktijk\r\nBcc: x@y.z <a@b.c>" }, false},
		{"two froms", func(c *SMTPConfig) { c.From = "a@b.c, d@e.f" }, false},
		{"negative timeout", func(c *SMTPConfig) { c.Timeout = -time.Second }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid
			tt.change(&c)
			err := c.Validate()
			if tt.ok != (err == nil) {
				t.Fatalf("Validate() = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("Validate() = %v, want ErrInvalidConfig", err)
			}
			if _, nerr := NewSMTPSender(c); (nerr == nil) != tt.ok {
				t.Errorf("NewSMTPSender error = %v, want ok=%v", nerr, tt.ok)
			}
		})
	}
}

func TestSMTPSenderDelivers(t *testing.T) {
	ts := startServer(t, serverOptions{user: testUser, pass: testPass})
	s := newTestSender(t, ts)
	long := validMessage()
	// Folded and encoded over several header lines; a body line longer than
	// quoted-printable allows; a lone dot line (SMTP's end of data).
	long.Subject = strings.TrimSpace(strings.Repeat("Inzage één ", 18)) // 197 characters
	long.Text = strings.Repeat("https://avgloket.example/v/", 10) + "\n.\nEinde\n"

	for name, m := range map[string]Message{"short": validMessage(), "long": long} {
		if err := s.Send(context.Background(), m); err != nil {
			t.Fatalf("%s: Send: %v", name, err)
		}
		r := ts.next(t)
		checkDelivered(t, r, m)
		if r.TLS {
			t.Errorf("%s: plain test server reported TLS", name)
		}
	}
}

// checkDelivered checks r against m as the recipient would see it.
func checkDelivered(tb testing.TB, r received, m Message) {
	tb.Helper()
	if r.From != "noreply@delinde.example" {
		tb.Errorf("envelope from = %q", r.From)
	}
	if len(r.To) != 1 || r.To[0] != m.To {
		tb.Errorf("envelope recipients = %q, want just %q", r.To, m.To)
	}
	p := parse(tb, r)
	h := p.Header
	if got, err := h.AddressList("To"); err != nil || len(got) != 1 || got[0].Address != m.To {
		tb.Errorf("To: = %q (%v), want %q", h.Get("To"), err, m.To)
	}
	if from, err := h.AddressList("From"); err != nil || len(from) != 1 ||
		from[0].Address != "noreply@delinde.example" || from[0].Name != "Praktijk De Linde" {
		tb.Errorf("From: = %q (%v)", h.Get("From"), err)
	}
	if got := decodeHeader(tb, h.Get("Subject")); got != m.Subject {
		tb.Errorf("Subject: = %q, want %q", got, m.Subject)
	}
	if got := h.Get("Auto-Submitted"); got != "auto-generated" {
		tb.Errorf("Auto-Submitted: = %q, want auto-generated", got)
	}
	if id := h.Get("Message-Id"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@delinde.example>") {
		tb.Errorf("Message-ID: = %q", id)
	}
	if _, err := h.Date(); err != nil {
		tb.Errorf("Date: %q: %v", h.Get("Date"), err)
	}
	if ct := h.Get("Content-Type"); ct != "text/plain; charset=UTF-8" {
		tb.Errorf("Content-Type: = %q", ct)
	}
	if len(h["Bcc"])+len(h["Cc"]) != 0 {
		tb.Errorf("unexpected Cc/Bcc headers: %v", h)
	}
	if p.Body != m.Text {
		tb.Errorf("body = %q, want %q", p.Body, m.Text)
	}
}

func TestSMTPSenderRequiresStartTLS(t *testing.T) {
	ts := startServer(t, serverOptions{user: testUser, pass: testPass}) // offers no STARTTLS
	s, err := NewSMTPSender(SMTPConfig{
		Host: ts.Host, Port: ts.Port, Username: testUser, Password: testPass,
		From: testFrom, Timeout: failsafe, // Insecure: false
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), validMessage())
	if !errors.Is(err, ErrStartTLSRequired) {
		t.Fatalf("Send = %v, want ErrStartTLSRequired", err)
	}
	ts.none(t)
}

func TestSMTPSenderUsesStartTLS(t *testing.T) {
	serverTLS, roots := selfSigned(t)
	// AUTH is only offered after STARTTLS here, so delivery proves both.
	ts := startServer(t, serverOptions{user: testUser, pass: testPass, tls: serverTLS})
	for _, insecure := range []bool{false, true} {
		s, err := NewSMTPSender(SMTPConfig{
			Host: ts.Host, Port: ts.Port, Username: testUser, Password: testPass,
			From: testFrom, Timeout: failsafe, Insecure: insecure,
		})
		if err != nil {
			t.Fatal(err)
		}
		s.tlsConfig.RootCAs = roots
		m := validMessage()
		if err := s.Send(context.Background(), m); err != nil {
			t.Fatalf("Insecure=%v: Send: %v", insecure, err)
		}
		r := ts.next(t)
		if !r.TLS {
			t.Errorf("Insecure=%v: message was not sent over TLS", insecure)
		}
		checkDelivered(t, r, m)
	}
}

// Implicit TLS (the settings page's "TLS from the start") works on any
// port, not only 465; without it, the same server is not reached.
func TestSMTPSenderImplicitTLS(t *testing.T) {
	serverTLS, roots := selfSigned(t)
	ts := startServer(t, serverOptions{user: testUser, pass: testPass, tls: serverTLS, implicit: true})
	for _, implicit := range []bool{true, false} {
		s, err := NewSMTPSender(SMTPConfig{Host: ts.Host, Port: ts.Port, Username: testUser, Password: testPass,
			From: testFrom, Timeout: 2 * time.Second, ImplicitTLS: implicit})
		if err != nil {
			t.Fatal(err)
		}
		s.tlsConfig.RootCAs = roots
		m := validMessage()
		err = s.Send(context.Background(), m)
		if !implicit {
			if err == nil {
				t.Error("without ImplicitTLS the SMTPS server was reached")
			}
			continue
		}
		if err != nil {
			t.Fatalf("ImplicitTLS: Send: %v", err)
		}
		checkDelivered(t, ts.next(t), m)
	}
	ts.none(t)
}

func TestSMTPSenderRefusesUntrustedCertificate(t *testing.T) {
	serverTLS, _ := selfSigned(t)
	ts := startServer(t, serverOptions{user: testUser, pass: testPass, tls: serverTLS})
	s, err := NewSMTPSender(SMTPConfig{Host: ts.Host, Port: ts.Port, Username: testUser, Password: testPass, From: testFrom, Timeout: failsafe})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), validMessage()); err == nil {
		t.Fatal("Send to a relay with an untrusted certificate succeeded")
	}
	ts.none(t)
}

func TestSMTPSenderRefusesInvalidMessage(t *testing.T) {
	ts := startServer(t, serverOptions{})
	s := newTestSender(t, ts)
	for name, m := range map[string]Message{
		"CRLF in subject":        {To: "jan@example.nl", Subject: "Hoi\r\nBcc: x@y.z", Text: "x"},
		"header in recipient":    {To: "a@b.c\r\nBcc: x@y.z", Subject: "Hoi", Text: "x"},
		"display name recipient": {To: "x@y.z <a@b.c>", Subject: "Hoi", Text: "x"},
	} {
		if err := s.Send(context.Background(), m); !errors.Is(err, ErrInvalidMessage) {
			t.Errorf("%s: Send = %v, want ErrInvalidMessage", name, err)
		}
	}
	ts.none(t)
}

func TestSMTPSenderHonoursCancelledContext(t *testing.T) {
	ts := startServer(t, serverOptions{})
	s := newTestSender(t, ts)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Send(ctx, validMessage()); !errors.Is(err, context.Canceled) {
		t.Fatalf("Send = %v, want context.Canceled", err)
	}
	ts.none(t)
}

func TestSMTPSenderGivesUpOnSilentServer(t *testing.T) {
	// A relay that accepts the connection but never greets. go-mail alone
	// would wait for the greeting forever; the timeout must cover it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan net.Conn, 1)
	go func() {
		defer close(accepted)
		if c, err := l.Accept(); err == nil {
			accepted <- c // held open, silent
		}
	}()
	t.Cleanup(func() {
		l.Close()
		for c := range accepted {
			c.Close()
		}
	})

	s, err := NewSMTPSender(SMTPConfig{
		Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port,
		From: testFrom, Insecure: true, Timeout: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Send(context.Background(), validMessage()) }()
	select {
	case err := <-done:
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("Send = %v, want a time-out", err)
		}
	case <-time.After(failsafe):
		t.Fatal("Send to a silent server did not time out")
	}
}

// What real servers and clients check: Reply-To is the practice's privacy
// address, EHLO names the portal's host, and the encoded words of a long
// accented name and subject keep every header line within 76 characters and
// the display name within the characters RFC 2047 §5(3) allows in a phrase.
func TestSMTPSenderHeaders(t *testing.T) {
	ts := startServer(t, serverOptions{})
	for _, name := range []string{
		"Praktijk voor Jeugd- en Gezinsbegeleiding ‘De Zonnebloem’ Één",
		"Praktijk 't Hofje & Zoon — Één", // ' and & pass Q encoding raw, a phrase forbids them
	} {
		s, err := NewSMTPSender(SMTPConfig{
			Host: ts.Host, Port: ts.Port, From: `"` + name + `" <noreply@zonnebloem.example>`,
			Insecure: true, Timeout: failsafe, HeloName: "avg.zonnebloem.example",
		})
		if err != nil {
			t.Fatal(err)
		}
		m := validMessage()
		m.ReplyTo = "privacy@zonnebloem.example"
		m.Subject = "Ontvangstbevestiging van uw verzoek — inzage (art. 15) bij ‘De Zonnebloem’ Één AVG-2026-0001"
		if err := s.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		r := ts.next(t)
		if r.Helo != "avg.zonnebloem.example" {
			t.Errorf("EHLO %q, want the portal's host", r.Helo)
		}
		head, _, _ := strings.Cut(string(r.Data), "\r\n\r\n")
		for _, line := range strings.Split(head, "\r\n") {
			if len(line) > 76 {
				t.Errorf("header line of %d characters: %q", len(line), line)
			}
		}
		p := parse(t, r)
		if got, err := p.Header.AddressList("Reply-To"); err != nil || len(got) != 1 || got[0].Address != m.ReplyTo || got[0].Name != "" {
			t.Errorf("Reply-To: %q (%v), want %s", p.Header.Get("Reply-To"), err, m.ReplyTo)
		}
		from, err := p.Header.AddressList("From")
		if err != nil || len(from) != 1 || from[0].Name != name || from[0].Address != "noreply@zonnebloem.example" {
			t.Errorf("From: %q reads as %v (%v)", p.Header.Get("From"), from, err)
		}
		display, _, _ := strings.Cut(p.Header.Get("From"), "<")
		for _, word := range strings.Fields(display) {
			if !phraseWord.MatchString(word) {
				t.Errorf("From's display name holds %q, not an encoded word of RFC 2047 §5(3)", word)
			}
		}
		if got := decodeHeader(t, p.Header.Get("Subject")); got != m.Subject {
			t.Errorf("Subject reads %q, want %q", got, m.Subject)
		}
	}
}

// phraseWord is an encoded word as RFC 2047 §5(3) allows it in a phrase:
// only letters, digits and ! * + - / = _ in the encoded text.
var phraseWord = regexp.MustCompile(`^=\?(?i:utf-8)\?[BbQq]\?[A-Za-z0-9!*+\-/=_]*\?=$`)

// A relay whose certificate comes from the practice's own CA is trusted with
// CAFile, in addition to the system roots, and refused without it.
func TestSMTPSenderTrustsCAFile(t *testing.T) {
	serverTLS, caPEM := privateCA(t)
	ts := startServer(t, serverOptions{user: testUser, pass: testPass, tls: serverTLS})
	caFile := filepath.Join(t.TempDir(), "relay-ca.pem")
	if err := os.WriteFile(caFile, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	c := SMTPConfig{Host: ts.Host, Port: ts.Port, Username: testUser, Password: testPass, From: testFrom, Timeout: failsafe}

	without, err := NewSMTPSender(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := without.Send(context.Background(), validMessage()); err == nil {
		t.Fatal("Send without the CA file succeeded")
	}
	ts.none(t)

	c.CAFile = caFile
	with, err := NewSMTPSender(c)
	if err != nil {
		t.Fatal(err)
	}
	m := validMessage()
	if err := with.Send(context.Background(), m); err != nil {
		t.Fatalf("Send with the CA file: %v", err)
	}
	r := ts.next(t)
	if !r.TLS {
		t.Error("not sent over TLS")
	}
	checkDelivered(t, r, m)

	for name, file := range map[string]string{"missing": filepath.Join(t.TempDir(), "none.pem"), "not PEM": writeFile(t, "garbage")} {
		c.CAFile = file
		if _, err := NewSMTPSender(c); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s CA file: NewSMTPSender = %v, want ErrInvalidConfig", name, err)
		}
	}
}

func writeFile(tb testing.TB, content string) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "file")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}
