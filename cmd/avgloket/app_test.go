package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	netmail "net/mail"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/clock"
	"github.com/avgloket/avgloket/internal/mail"
)

var allScope = casework.Scope{All: true}

// parentRequest is filed by a parent about a child, so that the subject's
// name, birth date and the details are all case content that no e-mail may
// carry.
func parentRequest() request {
	return request{
		Type:      "access",
		Requester: requester{Name: "Petra Jansen", Email: "petra@example.org", Relation: "parent"},
		Subject:   &requestPerson{Name: "Sanne Bakker", BirthDate: "2015-04-12"},
		Details:   "Graag een kopie van het logopedieverslag over stotteren",
		Language:  "nl",
	}
}

// readMail decodes a received message as a mail client would: the subject
// header and the body text.
func readMail(tb testing.TB, m smtpMessage) (subject, body string) {
	tb.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		tb.Fatalf("read message: %v\n%s", err, m.Data)
	}
	var r io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		tb.Fatalf("read body: %v", err)
	}
	subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		tb.Fatalf("decode subject %q: %v", msg.Header.Get("Subject"), err)
	}
	return subject, strings.ReplaceAll(string(b), "\r\n", "\n")
}

var trackingLink = regexp.MustCompile(`https?://\S+/volg/[A-Za-z0-9_-]+`)

func TestAppDeliversAcknowledgementWithoutCaseContent(t *testing.T) {
	t.Parallel()
	relay := startSMTP(t, "")
	app := startApp(t, appOptions{smtp: relay.config()})
	sent := app.logs.expect("mail: sent")

	req := parentRequest()
	ref := mustFile(t, app.URL, req)

	m := relay.next(t)
	if len(m.To) != 1 || m.To[0] != req.Requester.Email {
		t.Errorf("envelope recipients = %q, want just %q", m.To, req.Requester.Email)
	}
	if m.From != "noreply@example.org" {
		t.Errorf("envelope sender = %q", m.From)
	}
	subject, body := readMail(t, m)
	if !strings.Contains(body, ref) {
		t.Errorf("mail body does not give the reference %s:\n%s", ref, body)
	}
	link := trackingLink.FindString(body)
	if link == "" || !strings.HasPrefix(link, app.URL+"/volg/") {
		t.Errorf("mail body has no tracking link on %s/volg/:\n%s", app.URL, body)
	}
	// E-mails carry references and links, never the content of a case
	// (SECURITY.md item 13).
	for _, secret := range []string{req.Subject.Name, "Sanne", req.Subject.BirthDate, "12 april 2015", req.Details, "logopedie", "stotteren"} {
		if strings.Contains(body, secret) || strings.Contains(subject, secret) {
			t.Errorf("mail carries case content %q:\nSubject: %s\n%s", secret, subject, body)
		}
	}

	waitLog(t, sent, "mail: sent", app.logs)
	if queued, nsent := app.outbox(t); queued != 0 || nsent != 1 {
		t.Errorf("outbox: %d queued, %d sent; want 0 and 1", queued, nsent)
	}

	// The link in the mail opens the requester's page.
	if link != "" {
		status, page := get(t, &http.Client{Timeout: failsafe}, link)
		if status != http.StatusOK || !strings.Contains(page, ref) {
			t.Errorf("GET tracking link: status %d, reference shown: %v", status, strings.Contains(page, ref))
		}
	}
	if strings.Contains(app.logs.String(), req.Requester.Email) {
		t.Errorf("the log holds the requester's address:\n%s", app.logs)
	}
}

// Without AVGLOKET_SMTP_* the running worker sends through the server saved
// on the settings page, from the moment it is saved: no restart.
func TestAppSendsThroughServerSavedInThePortal(t *testing.T) {
	t.Parallel()
	relay := startSMTP(t, "")
	app := startApp(t, appOptions{})
	ref := mustFile(t, app.URL, selfRequest(1))
	if queued, sent := app.outbox(t); queued != 1 || sent != 0 {
		t.Fatalf("outbox without a server: %d queued, %d sent; want 1 and 0", queued, sent)
	}
	saved := mail.SettingsOf(*relay.config())
	if err := app.store.SaveMailSettingsAudited(t.Context(), saved, audit.Entry{At: time.Now(), Actor: audit.System}); err != nil {
		t.Fatal(err)
	}
	app.worker.Notify() // as the settings page does after saving
	if _, body := readMail(t, relay.next(t)); !strings.Contains(body, ref) {
		t.Errorf("the mail does not give the reference %s:\n%s", ref, body)
	}
}

func TestAppKeepsMailQueuedWhileRelayIsDown(t *testing.T) {
	t.Parallel()
	relay := startSMTP(t, "")
	cfg := relay.config()
	relay.Stop() // the relay is down from the start
	clk := clock.NewFake(time.Now())
	app := startApp(t, appOptions{smtp: cfg, clock: clk})

	failed := app.logs.expect("send failed")
	ref := mustFile(t, app.URL, selfRequest(1)) // 201 although no mail can go out
	waitLog(t, failed, "send failed", app.logs)
	if queued, sent := app.outbox(t); queued != 1 || sent != 0 {
		t.Fatalf("outbox with the relay down: %d queued, %d sent; want 1 and 0", queued, sent)
	}

	// The relay comes back; once the retry is due the mail goes out.
	relay = startSMTP(t, relay.Addr)
	clk.Advance(2 * time.Minute) // past the first back-off
	sent := app.logs.expect("mail: sent")
	app.worker.Notify()
	m := relay.next(t)
	if _, body := readMail(t, m); !strings.Contains(body, ref) {
		t.Errorf("the retried mail does not give the reference %s:\n%s", ref, body)
	}
	waitLog(t, sent, "mail: sent", app.logs)
	if queued, nsent := app.outbox(t); queued != 0 || nsent != 1 {
		t.Errorf("outbox after the retry: %d queued, %d sent; want 0 and 1", queued, nsent)
	}
}

// watchedListener tells when the server, having read at least want bytes
// from a connection, asks for more (the handler is then reading the body:
// net/http drops a request whose header it had not finished reading when
// Shutdown began), and when the listener is closed (Shutdown's first step).
type watchedListener struct {
	net.Listener
	want       int
	waitsMore  chan struct{}
	closed     chan struct{}
	waitsOnce  sync.Once
	closedOnce sync.Once
}

func watch(l net.Listener, want int) *watchedListener {
	return &watchedListener{Listener: l, want: want, waitsMore: make(chan struct{}), closed: make(chan struct{})}
}

func (l *watchedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &watchedConn{Conn: c, l: l}, nil
}

func (l *watchedListener) Close() error {
	err := l.Listener.Close()
	l.closedOnce.Do(func() { close(l.closed) })
	return err
}

type watchedConn struct {
	net.Conn
	l    *watchedListener
	read int // bytes read so far; Read is called from one goroutine at a time
}

func (c *watchedConn) Read(p []byte) (int, error) {
	if c.read >= c.l.want {
		c.l.waitsOnce.Do(func() { close(c.l.waitsMore) })
	}
	n, err := c.Conn.Read(p)
	c.read += n
	return n, err
}

func waitClosed(tb testing.TB, ch <-chan struct{}, what string) {
	tb.Helper()
	select {
	case <-ch:
	case <-time.After(failsafe):
		tb.Fatalf("%s did not happen within %v", what, failsafe)
	}
}

func TestAppGracefulShutdownFinishesRequestInFlight(t *testing.T) {
	t.Parallel()
	body, err := json.Marshal(selfRequest(7))
	if err != nil {
		t.Fatal(err)
	}
	half := len(body) / 2
	head := fmt.Sprintf("POST /api/v1/requests HTTP/1.1\r\nHost: avgloket.test\r\nContent-Type: application/json\r\n"+
		"Content-Length: %d\r\nConnection: close\r\n\r\n", len(body))
	var wl *watchedListener
	app := startApp(t, appOptions{wrap: func(l net.Listener) net.Listener { wl = watch(l, len(head)+half); return wl }})

	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(app.URL, "http://"), failsafe)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(2 * failsafe)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(conn, head+string(body[:half])); err != nil {
		t.Fatal(err)
	}
	waitClosed(t, wl.waitsMore, "the handler waiting for the rest of the body")

	// Shut down while the body is half sent.
	stopped := make(chan error, 1)
	go func() { stopped <- app.stop(t) }()
	waitClosed(t, wl.closed, "Shutdown closing the listener")
	select {
	case err := <-stopped:
		t.Fatalf("Run returned (%v) while a request was under way", err)
	default:
	}
	if c, err := net.DialTimeout("tcp", strings.TrimPrefix(app.URL, "http://"), time.Second); err == nil {
		c.Close()
		t.Errorf("the server still accepts connections while shutting down")
	}

	if _, err := conn.Write(body[half:]); err != nil {
		t.Fatalf("send the rest of the body: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read the answer: %v\nlog:\n%s", err, app.logs)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("request under way at shutdown: status %d, want 201; body %s", resp.StatusCode, answer)
	}
	ref := referenceOf(t, answer)

	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("Run returned %v, want nil", err)
		}
	case <-time.After(failsafe):
		t.Fatalf("Run did not return within %v of the last request", failsafe)
	}
	// The case was stored (and its mail queued) before the answer.
	if _, err := app.store.CaseByReference(context.Background(), ref, allScope); err != nil {
		t.Errorf("case %s after shutdown: %v", ref, err)
	}
	if queued, _ := app.outbox(t); queued != 1 {
		t.Errorf("outbox after shutdown: %d queued, want 1", queued)
	}
}

func TestAppFirstRunSetupLink(t *testing.T) {
	t.Parallel()
	app := startApp(t, appOptions{})
	line := waitLog(t, app.setup, "setup_url=", app.logs)
	m := regexp.MustCompile(`setup_url=(\S+)`).FindStringSubmatch(line)
	if m == nil || !strings.HasPrefix(m[1], app.URL+"/setup/") {
		t.Fatalf("setup log line %q has no link on %s/setup/", line, app.URL)
	}
	client := &http.Client{Timeout: failsafe}
	status, page := get(t, client, m[1])
	if status != http.StatusOK || !strings.Contains(page, `name="practice.name"`) {
		t.Errorf("GET setup link: status %d, want 200 with the setup form", status)
	}
	if status, _ := get(t, client, app.URL+"/setup/"+strings.Repeat("A", 43)); status != http.StatusNotFound {
		t.Errorf("GET a made-up setup link: status %d, want 404", status)
	}

	// Once a staff account exists, a restart logs no setup link.
	dir := app.dataDir
	if err := app.stop(t); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := app.Close(); err != nil { // Cleanup closes it again, which is harmless
		t.Fatal(err)
	}
	mustRun(t, map[string]string{"AVGLOKET_DATA_DIR": dir},
		"user", "add", "--email", "owner@example.org", "--name", "Owner", "--role", "owner")
	again := startApp(t, appOptions{dataDir: dir})
	waitLog(t, again.ready, "msg=listening", again.logs)
	if strings.Contains(again.logs.String(), "setup_url") {
		t.Errorf("setup link logged although a staff account exists:\n%s", again.logs)
	}
	old := again.URL + strings.TrimPrefix(m[1], app.URL)
	if status, _ := get(t, client, old); status != http.StatusNotFound {
		t.Errorf("old setup link after a staff account exists: status %d, want 404", status)
	}
}

// An OIDC provider that does not answer at start stops nothing: the portal
// serves the public form and the password sign-in, the sign-in page says
// the organisation sign-in is temporarily unavailable, and the log says
// why; discovery is retried in the background.
func TestAppStartsWithOIDCProviderDown(t *testing.T) {
	t.Parallel()
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + dead.Addr().String()
	dead.Close() // nothing listens there now
	app := startApp(t, appOptions{env: map[string]string{
		"AVGLOKET_OIDC_ISSUER": issuer, "AVGLOKET_OIDC_CLIENT_ID": "avgloket", "AVGLOKET_OIDC_CLIENT_SECRET": "s3cret",
		"AVGLOKET_OIDC_REQUIRE_AMR": "mfa, otp,hwk",
	}})
	waitLog(t, app.ready, "msg=listening", app.logs)
	if got := app.cfg.OIDC.RequireAMR; !slices.Equal(got, []string{"mfa", "otp", "hwk"}) {
		t.Errorf("AVGLOKET_OIDC_REQUIRE_AMR read as %q", got)
	}
	client := &http.Client{Timeout: failsafe}
	if status, _ := get(t, client, app.URL+"/"); status != http.StatusOK {
		t.Errorf("the public form: status %d", status)
	}
	status, page := get(t, client, app.URL+"/staff/signin")
	if status != http.StatusOK || !strings.Contains(page, `id="oidc-unavailable"`) || strings.Contains(page, `action="/staff/signin/oidc"`) {
		t.Errorf("sign-in page with the provider down: status %d\n%s", status, page)
	}
	waitLog(t, app.logs.expect("OIDC provider unavailable"), "OIDC provider unavailable", app.logs)
}
