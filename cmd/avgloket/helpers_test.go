package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/avgloket/avgloket/internal/clock"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/store"
	"github.com/avgloket/avgloket/internal/store/dbtest"
	"github.com/avgloket/avgloket/internal/vault"
)

// failsafe bounds every wait for another goroutine or process, so that a bug
// fails the test instead of hanging it. A passing run never waits for it.
const failsafe = 20 * time.Second

// mapEnv is a getenv for run and loadConfig that reads AVGLOKET_* settings
// from m (keys with the prefix) and nothing from the real environment.
func mapEnv(m map[string]string) env {
	return func(name string) string { return m["AVGLOKET_"+name] }
}

// testDatabases maps a data folder to the database the tests give it: its
// own SQLite file, or a PostgreSQL database of its own when the run is on
// PostgreSQL (dbtest.Target), made the first time the folder is asked for.
var testDatabases sync.Map

// databaseFor returns what the program opens for dataDir: "" when the run
// is on SQLite (the file in the folder), else the PostgreSQL URL, which the
// tests pass as AVGLOKET_DATABASE_URL.
func databaseFor(tb testing.TB, dataDir string) string {
	tb.Helper()
	if !dbtest.OnPostgres() {
		return ""
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		tb.Fatal(err)
	}
	if u, ok := testDatabases.Load(abs); ok {
		return u.(string)
	}
	u := dbtest.Target(tb, "")
	testDatabases.Store(abs, u)
	tb.Cleanup(func() { testDatabases.Delete(abs) })
	return u
}

// withDatabase returns envs with AVGLOKET_DATABASE_URL set to the data
// folder's database (databaseFor), the folder being --data in args or else
// AVGLOKET_DATA_DIR in envs; envs itself is not changed.
func withDatabase(tb testing.TB, envs map[string]string, args []string) map[string]string {
	tb.Helper()
	dir := envs["AVGLOKET_DATA_DIR"]
	for i, a := range args {
		if v, ok := strings.CutPrefix(a, "--data="); ok {
			dir = v
		} else if a == "--data" && i+1 < len(args) {
			dir = args[i+1]
		}
	}
	if dir == "" || envs["AVGLOKET_DATABASE_URL"] != "" {
		return envs
	}
	u := databaseFor(tb, dir)
	if u == "" {
		return envs
	}
	out := maps.Clone(envs)
	out["AVGLOKET_DATABASE_URL"] = u
	return out
}

// lockedBuffer collects output written from several goroutines.
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

// ---- the log, with waiting for a line ----

// logSink is where a test App's slog text handler writes. The handler writes
// each record with one Write call, so a Write is one log line. A test can
// ask to be told (on a channel) about the first line containing a text.
type logSink struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	watches []logWatch
}

type logWatch struct {
	text string
	ch   chan string
}

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf.Write(p)
	line := string(p)
	kept := s.watches[:0]
	for _, w := range s.watches {
		if strings.Contains(line, w.text) {
			w.ch <- line // buffered, and each watch fires once
		} else {
			kept = append(kept, w)
		}
	}
	s.watches = kept
	return len(p), nil
}

func (s *logSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// expect returns a channel that receives the first line, logged after this
// call, that contains text. Call it before the action that logs.
func (s *logSink) expect(text string) <-chan string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan string, 1)
	s.watches = append(s.watches, logWatch{text: text, ch: ch})
	return ch
}

// waitLog waits for a line from expect.
func waitLog(tb testing.TB, ch <-chan string, what string, logs *logSink) string {
	tb.Helper()
	select {
	case line := <-ch:
		return line
	case <-time.After(failsafe):
		tb.Fatalf("no log line %q within %v; log so far:\n%s", what, failsafe, logs)
		return ""
	}
}

// ---- an SMTP server (emersion/go-smtp) in the test process ----

// smtpMessage is one message as the server got it.
type smtpMessage struct {
	From string
	To   []string
	Data []byte
}

// smtpServer records the messages it receives on got.
type smtpServer struct {
	Addr string // 127.0.0.1:port
	Host string
	Port int
	got  chan smtpMessage

	tb       testing.TB
	stopOnce sync.Once
	stopFn   func()
}

// startSMTP runs an SMTP server on addr ("" for a free port) until Stop or
// the end of the test.
func startSMTP(tb testing.TB, addr string) *smtpServer {
	tb.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		tb.Fatalf("SMTP server: listen on %s: %v", addr, err)
	}
	tl := &trackingListener{Listener: l}
	ss := &smtpServer{Addr: l.Addr().String(), got: make(chan smtpMessage, 16), tb: tb}
	host, port, _ := net.SplitHostPort(ss.Addr)
	ss.Host = host
	ss.Port, _ = strconv.Atoi(port)

	s := smtp.NewServer(smtpBackend{got: ss.got})
	s.Domain = "localhost"
	s.ReadTimeout = failsafe
	s.WriteTimeout = failsafe
	s.ErrorLog = log.New(io.Discard, "", 0)
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = s.Serve(tl) // returns once the listener is closed
	}()
	ss.stopFn = func() {
		// go-smtp's Close does not wait for its connection goroutines and
		// Shutdown does not close connections: stop accepting, close the
		// connections, then let Shutdown wait for the handlers.
		tl.Listener.Close()
		<-served
		tl.closeAll()
		ctx, cancel := context.WithTimeout(context.Background(), failsafe)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil && !errors.Is(err, net.ErrClosed) {
			tb.Errorf("SMTP server shutdown: %v", err)
		}
	}
	tb.Cleanup(ss.Stop)
	return ss
}

// Stop stops the server and waits until it has stopped. It may be called
// more than once.
func (ss *smtpServer) Stop() { ss.stopOnce.Do(ss.stopFn) }

// config is how avgloket reaches this server: plain SMTP, no log-in.
func (ss *smtpServer) config() *mail.SMTPConfig {
	return &mail.SMTPConfig{Host: ss.Host, Port: ss.Port, From: "avgloket <noreply@example.org>",
		Insecure: true, Timeout: failsafe}
}

// next waits for the next message the server receives.
func (ss *smtpServer) next(tb testing.TB) smtpMessage {
	tb.Helper()
	select {
	case m := <-ss.got:
		return m
	case <-time.After(failsafe):
		tb.Fatalf("no message reached the SMTP server within %v", failsafe)
		return smtpMessage{}
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

type smtpBackend struct{ got chan smtpMessage }

func (b smtpBackend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &smtpSession{got: b.got}, nil
}

type smtpSession struct {
	got  chan smtpMessage
	from string
	to   []string
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	select {
	case s.got <- smtpMessage{From: s.from, To: slices.Clone(s.to), Data: data}:
		return nil
	default:
		return errors.New("test server inbox full")
	}
}

func (s *smtpSession) Reset()        { s.from, s.to = "", nil }
func (s *smtpSession) Logout() error { return nil }

// ---- the App in the test process ----

type appOptions struct {
	dataDir string                          // default: a new temporary folder
	smtp    *mail.SMTPConfig                // nil: no mail server
	clock   clock.Clock                     // default: the system clock
	wrap    func(net.Listener) net.Listener // to watch the listener
	env     map[string]string               // more AVGLOKET_* settings
}

// testApp is an App running in the test process.
type testApp struct {
	*App
	URL     string
	dataDir string
	logs    *logSink
	setup   <-chan string // the first-run setup log line, if any
	ready   <-chan string // the "listening" log line

	cancel   context.CancelFunc
	done     chan error
	stopOnce sync.Once
	runErr   error
}

// startApp wires an App like serve does and runs it on 127.0.0.1:0 until
// stop or the end of the test.
func startApp(tb testing.TB, opt appOptions) *testApp {
	tb.Helper()
	if opt.dataDir == "" {
		opt.dataDir = filepath.Join(tb.TempDir(), "data")
	}
	if opt.clock == nil {
		opt.clock = clock.System{}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	url := "http://" + ln.Addr().String()
	settings := map[string]string{"AVGLOKET_RATE_LIMIT": "10000", "AVGLOKET_DATABASE_URL": databaseFor(tb, opt.dataDir)}
	maps.Copy(settings, opt.env)
	cfg, err := loadConfig(ln.Addr().String(), opt.dataDir, url, mapEnv(settings))
	if err != nil {
		ln.Close()
		tb.Fatalf("loadConfig: %v", err)
	}
	cfg.SMTP = opt.smtp
	cfg.MailInterval = time.Hour // only Notify wakes the worker in these tests

	logs := &logSink{}
	lg := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, cancel := context.WithCancel(context.Background())
	app, err := NewApp(ctx, cfg, lg, opt.clock)
	if err != nil {
		cancel()
		ln.Close()
		tb.Fatalf("NewApp: %v\n%s", err, logs)
	}
	ta := &testApp{App: app, URL: url, dataDir: opt.dataDir, logs: logs, cancel: cancel, done: make(chan error, 1)}
	ta.setup = logs.expect("setup_url=")
	ta.ready = logs.expect("msg=listening")
	var l net.Listener = ln
	if opt.wrap != nil {
		l = opt.wrap(ln)
	}
	go func() { ta.done <- app.Run(ctx, l) }()
	tb.Cleanup(func() {
		if err := ta.stop(tb); err != nil {
			tb.Errorf("App.Run: %v", err)
		}
		if err := app.Close(); err != nil {
			tb.Errorf("App.Close: %v", err)
		}
	})
	return ta
}

// stop cancels Run's context and returns what Run returned. It may be
// called more than once.
func (ta *testApp) stop(tb testing.TB) error {
	tb.Helper()
	ta.stopOnce.Do(func() {
		ta.cancel()
		select {
		case ta.runErr = <-ta.done:
		case <-time.After(failsafe + 25*time.Second): // Run may wait 20 s for requests
			ta.runErr = errors.New("Run did not return after its context was cancelled")
		}
	})
	return ta.runErr
}

// outbox returns the outbox counts.
func (ta *testApp) outbox(tb testing.TB) (queued, sent int64) {
	tb.Helper()
	queued, sent, err := ta.store.OutboxStats(context.Background())
	if err != nil {
		tb.Fatalf("OutboxStats: %v", err)
	}
	return queued, sent
}

// ---- HTTP ----

// request is a public request as API.md describes it.
type request struct {
	Type      string         `json:"type"`
	Requester requester      `json:"requester"`
	Subject   *requestPerson `json:"subject,omitempty"`
	Details   string         `json:"details,omitempty"`
	Language  string         `json:"language,omitempty"`
}

type requester struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Relation string `json:"relation"`
}

type requestPerson struct {
	Name      string `json:"name"`
	BirthDate string `json:"birth_date"`
}

// selfRequest is an access request filed by the person themselves.
func selfRequest(i int) request {
	return request{Type: "access", Language: "nl",
		Requester: requester{Name: "Aanvrager " + strconv.Itoa(i), Email: "aanvrager" + strconv.Itoa(i) + "@example.org", Relation: "self"}}
}

// postRequest files r through the API and returns the status and body.
func postRequest(client *http.Client, baseURL string, r request) (int, []byte, error) {
	body, err := json.Marshal(r)
	if err != nil {
		return 0, nil, err
	}
	resp, err := client.Post(baseURL+"/api/v1/requests", "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// mustFile files r and returns the new case's reference; it must get 201.
func mustFile(tb testing.TB, baseURL string, r request) string {
	tb.Helper()
	status, body, err := postRequest(&http.Client{Timeout: failsafe}, baseURL, r)
	if err != nil {
		tb.Fatalf("POST /api/v1/requests: %v", err)
	}
	if status != http.StatusCreated {
		tb.Fatalf("POST /api/v1/requests: status %d, want 201; body %s", status, body)
	}
	return referenceOf(tb, body)
}

func referenceOf(tb testing.TB, body []byte) string {
	tb.Helper()
	var receipt struct {
		Reference string `json:"reference"`
	}
	if err := json.Unmarshal(body, &receipt); err != nil || receipt.Reference == "" {
		tb.Fatalf("receipt %s: no reference (%v)", body, err)
	}
	return receipt.Reference
}

// get fetches url and returns the status and body.
func get(tb testing.TB, client *http.Client, url string) (int, string) {
	tb.Helper()
	resp, err := client.Get(url)
	if err != nil {
		tb.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("GET %s: read body: %v", url, err)
	}
	return resp.StatusCode, string(b)
}

// openData opens the store in a data folder the way the program does.
func openData(tb testing.TB, dataDir string) *store.Store {
	tb.Helper()
	keys, err := vault.LoadOrCreate(filepath.Join(dataDir, "keys.json"))
	if err != nil {
		tb.Fatalf("key file: %v", err)
	}
	target := databaseFor(tb, dataDir)
	if target == "" {
		target = filepath.Join(dataDir, "avgloket.db")
	}
	st, err := store.Open(context.Background(), target, keys, slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatalf("store.Open: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}
