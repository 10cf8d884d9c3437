package mail

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// t0 is where the fake clocks of these tests start.
var t0 = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

// failsafe bounds every wait for another goroutine, so that a bug fails the
// test instead of hanging it. Nothing waits for it in a passing run.
const failsafe = 10 * time.Second

// ---- an in-memory Queue ----

type memRow struct {
	Queued
	next     time.Time
	sent     bool
	sentAt   time.Time
	lastErr  string
	failures int // MarkFailed calls that counted

	claimedBy    string
	claimedUntil time.Time
}

type memQueue struct {
	mu       sync.Mutex
	rows     []*memRow // in id order
	dueCalls int       // Claim calls
}

var _ Queue = (*memQueue)(nil)

func (q *memQueue) add(tb testing.TB, m Message) int64 {
	tb.Helper()
	q.mu.Lock()
	defer q.mu.Unlock()
	id := int64(len(q.rows) + 1)
	q.rows = append(q.rows, &memRow{Queued: Queued{ID: id, Message: m}})
	return id
}

// row returns a copy of row id.
func (q *memQueue) row(tb testing.TB, id int64) memRow {
	tb.Helper()
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, r := range q.rows {
		if r.ID == id {
			return *r
		}
	}
	tb.Fatalf("no outbox row %d", id)
	return memRow{}
}

func (q *memQueue) Claim(_ context.Context, holder string, now, until time.Time, limit int) ([]Queued, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.dueCalls++
	var due []Queued
	for _, r := range q.rows {
		if len(due) == limit {
			break
		}
		free := r.claimedBy == "" || !r.claimedUntil.After(now) || r.claimedBy == holder
		if !r.sent && !r.next.After(now) && free {
			r.claimedBy, r.claimedUntil = holder, until
			due = append(due, r.Queued)
		}
	}
	return due, nil
}

func (q *memQueue) NextDue(context.Context) (time.Time, bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var next time.Time
	found := false
	for _, r := range q.rows {
		due := r.next
		if r.claimedBy != "" {
			due = r.claimedUntil
		}
		if !r.sent && (!found || due.Before(next)) {
			next, found = due, true
		}
	}
	return next, found, nil
}

func (q *memQueue) MarkSent(_ context.Context, id int64, at time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, r := range q.rows {
		if r.ID == id {
			if r.sent {
				return ErrSentTwice
			}
			r.sent, r.sentAt, r.claimedBy = true, at, ""
			return nil
		}
	}
	return fmt.Errorf("no outbox row %d", id)
}

func (q *memQueue) MarkFailed(_ context.Context, holder string, id int64, attempts int, next time.Time, lastErr string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, r := range q.rows {
		if r.ID == id {
			if r.sent || r.claimedBy != holder {
				return nil
			}
			r.Attempts, r.next, r.lastErr, r.claimedBy = attempts, next, lastErr, ""
			r.failures++
			return nil
		}
	}
	return fmt.Errorf("no outbox row %d", id)
}

// ---- a real SMTP server (emersion/go-smtp) in the test process ----

// received is one message as the server got it.
type received struct {
	From string
	To   []string
	Data []byte
	TLS  bool
	Helo string // the name the client gave in EHLO or HELO
}

type serverOptions struct {
	addr       string      // default "127.0.0.1:0"
	user, pass string      // if set, AUTH PLAIN is required before MAIL
	tls        *tls.Config // if set, STARTTLS is offered and AUTH needs it
	implicit   bool        // with tls: TLS from the first byte (SMTPS) instead
	rejectRcpt func(to string) error
}

type testServer struct {
	Host string
	Port int
	got  chan received
}

// startServer runs an SMTP server until the test ends. Cleanup stops it and
// waits until its accept loop and every connection handler have returned.
func startServer(tb testing.TB, opt serverOptions) *testServer {
	tb.Helper()
	if opt.addr == "" {
		opt.addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", opt.addr)
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	if opt.implicit {
		l = tls.NewListener(l, opt.tls)
	}
	tl := &trackingListener{Listener: l}
	ts := &testServer{got: make(chan received, 16)}
	host, port, _ := net.SplitHostPort(l.Addr().String())
	ts.Host = host
	ts.Port, _ = strconv.Atoi(port)

	s := smtp.NewServer(&testBackend{srv: ts, opt: opt})
	s.Domain = "localhost"
	s.AllowInsecureAuth = opt.tls == nil || opt.implicit
	if !opt.implicit {
		s.TLSConfig = opt.tls
	}
	s.ReadTimeout = failsafe
	s.WriteTimeout = failsafe
	s.ErrorLog = log.New(io.Discard, "", 0)

	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = s.Serve(tl) // returns when the listener is closed
	}()
	tb.Cleanup(func() {
		// go-smtp's Close does not wait for its connection goroutines and its
		// Shutdown does not close connections, so: stop accepting, close the
		// connections ourselves, then let Shutdown wait for the handlers.
		tl.Listener.Close()
		<-served
		tl.closeAll()
		ctx, cancel := context.WithTimeout(context.Background(), failsafe)
		defer cancel()
		// Shutdown closes the listener again; that error is expected.
		if err := s.Shutdown(ctx); err != nil && !errors.Is(err, net.ErrClosed) {
			tb.Errorf("SMTP server shutdown: %v", err)
		}
	})
	return ts
}

// next waits for the next message the server receives.
func (ts *testServer) next(tb testing.TB) received {
	tb.Helper()
	select {
	case r := <-ts.got:
		return r
	case <-time.After(failsafe):
		tb.Fatal("no message reached the SMTP server")
		return received{}
	}
}

// none checks that the server has received nothing (more). Callers make sure
// any send has returned first.
func (ts *testServer) none(tb testing.TB) {
	tb.Helper()
	select {
	case r := <-ts.got:
		tb.Errorf("SMTP server received a message it should not have, to %q:\n%s", r.To, r.Data)
	default:
	}
}

type trackingListener struct {
	net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.mu.Lock()
		l.conns = append(l.conns, c)
		l.mu.Unlock()
	}
	return c, err
}

func (l *trackingListener) closeAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		c.Close()
	}
}

type testBackend struct {
	srv *testServer
	opt serverOptions
}

func (b *testBackend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &testSession{b: b, conn: c}, nil
}

type testSession struct {
	b      *testBackend
	conn   *smtp.Conn
	authed bool
	from   string
	to     []string
}

var _ smtp.AuthSession = (*testSession)(nil)

func (s *testSession) AuthMechanisms() []string {
	if s.b.opt.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *testSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.b.opt.user || pass != s.b.opt.pass {
			return smtp.ErrAuthFailed
		}
		s.authed = true
		return nil
	}), nil
}

func (s *testSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.b.opt.user != "" && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *testSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.b.opt.rejectRcpt != nil {
		if err := s.b.opt.rejectRcpt(to); err != nil {
			return err
		}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *testSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := s.conn.TLSConnectionState()
	select {
	case s.b.srv.got <- received{From: s.from, To: slices.Clone(s.to), Data: data, TLS: isTLS, Helo: s.conn.Hostname()}:
		return nil
	default:
		return errors.New("test server inbox full")
	}
}

func (s *testSession) Reset()        { s.from, s.to = "", nil }
func (s *testSession) Logout() error { return nil }

// parsed is a received message read back as a person's mail client would.
type parsed struct {
	Header netmail.Header
	Body   string // decoded, with LF line ends
}

func parse(tb testing.TB, r received) parsed {
	tb.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(r.Data))
	if err != nil {
		tb.Fatalf("read message: %v\n%s", err, r.Data)
	}
	var body io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		tb.Fatalf("read body: %v", err)
	}
	return parsed{Header: msg.Header, Body: strings.ReplaceAll(string(b), "\r\n", "\n")}
}

func decodeHeader(tb testing.TB, v string) string {
	tb.Helper()
	s, err := new(mime.WordDecoder).DecodeHeader(v)
	if err != nil {
		tb.Fatalf("decode header %q: %v", v, err)
	}
	return s
}

// closedPort returns a local port nothing listens on (it was free a moment ago).
func closedPort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// selfSigned returns a server certificate for 127.0.0.1 and a pool that
// trusts it.
func selfSigned(tb testing.TB) (*tls.Config, *x509.CertPool) {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "test relay"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true,

		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, pool
}

// privateCA returns a server certificate for 127.0.0.1 signed by a CA of
// its own, and that CA's certificate as PEM (what AVGLOKET_SMTP_CA_FILE
// holds).
func privateCA(tb testing.TB) (*tls.Config, []byte) {
	tb.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "Praktijk test CA"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageCertSign,
		IsCA:         true,

		BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		tb.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		tb.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "relay"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		tb.Fatal(err)
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der, caDER}, PrivateKey: key}}}, caPEM
}

// lockedBuffer collects log output from several goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
