package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The tests in this file build the real binary and run it as a separate
// process, as an operator would.

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// avgloketBinary builds the command once per test run (go build -o
// $tmp/avgloket ./cmd/avgloket) and returns its path.
func avgloketBinary(tb testing.TB) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("builds and runs the avgloket binary; skipped with -short")
	}
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "avgloket-e2e-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "avgloket")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		start := time.Now()
		out, err := exec.CommandContext(ctx, "go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		tb.Logf("go build took %v", time.Since(start).Round(time.Millisecond))
	})
	if binErr != nil {
		tb.Fatal(binErr)
	}
	return binPath
}

// childEnv is the test's environment without any AVGLOKET_* setting, plus
// the given ones.
func childEnv(extra map[string]string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AVGLOKET_") {
			out = append(out, kv)
		}
	}
	for k, v := range extra {
		out = append(out, k+"="+v)
	}
	return out
}

// runBinary runs an administration command and returns its standard
// output, failing the test if it fails.
func runBinary(tb testing.TB, bin string, args ...string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), failsafe)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = childEnv(withDatabase(tb, nil, args))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("avgloket %s: %v\nstderr:\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

var listeningLine = regexp.MustCompile(`msg=listening addr=(\S+)`)

// process is `avgloket serve` running as a child process.
type process struct {
	cmd     *exec.Cmd
	URL     string
	logs    *lockedBuffer // standard error, the log
	exited  chan struct{} // closed once the process has exited
	waitErr error         // what Wait returned; read after exited
	startup time.Duration // from start to the "listening" line
}

// startProcess runs `avgloket serve --addr 127.0.0.1:0 --data data` and
// reads its log until it says where it listens. The process is killed at
// the end of the test if it is still running.
func startProcess(tb testing.TB, bin, data string, envs map[string]string) *process {
	tb.Helper()
	p := &process{logs: &lockedBuffer{}, exited: make(chan struct{})}
	p.cmd = exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data", data)
	p.cmd.Env = childEnv(withDatabase(tb, envs, []string{"--data", data}))
	p.cmd.Stdout = p.logs
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		tb.Fatal(err)
	}
	start := time.Now()
	if err := p.cmd.Start(); err != nil {
		tb.Fatalf("start avgloket serve: %v", err)
	}
	addr := make(chan string, 1)
	go func() {
		// Read the whole log, so that the child never blocks writing it.
		found := false
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			fmt.Fprintln(p.logs, sc.Text())
			if m := listeningLine.FindStringSubmatch(sc.Text()); m != nil && !found {
				found = true
				addr <- m[1]
			}
		}
		_, _ = io.Copy(p.logs, stderr) // after a line too long for the scanner
		p.waitErr = p.cmd.Wait()
		close(p.exited)
	}()
	tb.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
	select {
	case a := <-addr:
		p.URL = "http://" + a
		p.startup = time.Since(start)
	case <-p.exited:
		tb.Fatalf("avgloket serve exited before listening: %v\n%s", p.waitErr, p.logs)
	case <-time.After(failsafe):
		tb.Fatalf("avgloket serve did not log where it listens within %v:\n%s", failsafe, p.logs)
	}
	return p
}

// stop sends sig and waits up to limit for the process to exit, returning
// Wait's result.
func (p *process) stop(tb testing.TB, sig syscall.Signal, limit time.Duration) error {
	tb.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		tb.Fatalf("send %v: %v", sig, err)
	}
	select {
	case <-p.exited:
		return p.waitErr
	case <-time.After(limit):
		tb.Fatalf("avgloket did not exit within %v of %v:\n%s", limit, sig, p.logs)
		return nil
	}
}

var hiddenField = regexp.MustCompile(`name="(_csrf|_idem)" value="([^"]+)"`)

func TestE2EServeFormAndGracefulStop(t *testing.T) {
	t.Parallel()
	bin := avgloketBinary(t)
	data := filepath.Join(t.TempDir(), "data") // does not exist yet
	p := startProcess(t, bin, data, nil)
	t.Logf("avgloket serve on an empty data folder was listening after %v", p.startup.Round(time.Millisecond))

	if !strings.Contains(p.logs.String(), "setup_url=") {
		t.Errorf("first run logged no setup link:\n%s", p.logs)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar, Timeout: failsafe,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	if status, body := get(t, client, p.URL+"/healthz"); status != http.StatusOK {
		t.Fatalf("GET /healthz: status %d, body %s", status, body)
	}
	if status, body := get(t, client, p.URL+"/readyz"); status != http.StatusOK {
		t.Fatalf("GET /readyz: status %d, body %s", status, body)
	}

	// The public form, as a browser fills it in.
	status, page := get(t, client, p.URL+"/verzoek/access")
	if status != http.StatusOK {
		t.Fatalf("GET /verzoek/access: status %d", status)
	}
	form := url.Values{
		"requester.relation": {"self"}, "requester.birth_date": {"1979-08-30"}, "requester.name": {"Jan de Boer"},
		"requester.email": {"jan@example.org"}, "details": {"Alles graag"}, "language": {"nl"},
	}
	for _, m := range hiddenField.FindAllStringSubmatch(page, -1) {
		form.Set(m[1], m[2])
	}
	if form.Get("_csrf") == "" || form.Get("_idem") == "" {
		t.Fatalf("the form has no _csrf or _idem field:\n%s", page)
	}
	resp, err := client.PostForm(p.URL+"/verzoek/access", form)
	if err != nil {
		t.Fatalf("POST /verzoek/access: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/verzoek-ontvangen" {
		t.Fatalf("POST /verzoek/access: status %d, Location %q, want 303 to /verzoek-ontvangen; body:\n%s",
			resp.StatusCode, resp.Header.Get("Location"), body)
	}
	status, page = get(t, client, p.URL+"/verzoek-ontvangen")
	if status != http.StatusOK {
		t.Fatalf("GET /verzoek-ontvangen: status %d", status)
	}
	m := regexp.MustCompile(`AVG-(\d{4})-0001`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the confirmation page shows no reference AVG-YYYY-0001:\n%s", page)
	}
	if y, _ := strconv.Atoi(m[1]); y < time.Now().Year()-1 || y > time.Now().Year()+1 {
		t.Errorf("reference %s is not of this year", m[0])
	}

	start := time.Now()
	if err := p.stop(t, syscall.SIGTERM, 20*time.Second); err != nil {
		t.Fatalf("after SIGTERM: %v, want exit code 0\n%s", err, p.logs)
	}
	t.Logf("exited with code 0 %v after SIGTERM", time.Since(start).Round(time.Millisecond))
	if !strings.Contains(p.logs.String(), "shutting down") {
		t.Errorf("no shutdown in the log:\n%s", p.logs)
	}
}

// TestE2ECrashKeepsEveryAcknowledgedRequest is SECURITY.md item 10: after
// kill -9 during a stream of submissions, every submission that got a 2xx
// answer is there, and the database passes its integrity checks.
func TestE2ECrashKeepsEveryAcknowledgedRequest(t *testing.T) {
	t.Parallel()
	bin := avgloketBinary(t)
	data := filepath.Join(t.TempDir(), "data")
	envs := map[string]string{"AVGLOKET_RATE_LIMIT": "10000"} // 40 requests from one address
	p := startProcess(t, bin, data, envs)

	const total, killAfter, workers = 40, 20, 4
	type result struct {
		ref    string
		status int
		body   []byte
		err    error
	}
	jobs := make(chan int)
	results := make(chan result)
	go func() {
		defer close(jobs)
		for i := range total {
			jobs <- i
		}
	}()
	var wg sync.WaitGroup
	client := &http.Client{Timeout: failsafe}
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				status, body, err := postRequest(client, p.URL, selfRequest(i))
				r := result{status: status, body: body, err: err}
				if err == nil && status == http.StatusCreated {
					var receipt struct{ Reference string }
					if err := json.Unmarshal(body, &receipt); err != nil || receipt.Reference == "" {
						r.err = fmt.Errorf("201 without a reference: %s", body)
					}
					r.ref = receipt.Reference
				}
				results <- r
			}
		})
	}
	go func() { wg.Wait(); close(results) }()

	var acked []string
	failed, killed := 0, false
	for r := range results {
		switch {
		case r.ref != "":
			acked = append(acked, r.ref)
		case r.err != nil && killed:
			failed++ // the server is gone: no answer, no promise
		case r.err != nil:
			t.Errorf("before the kill: %v", r.err)
		default:
			t.Errorf("answer %d, want 201; body %s", r.status, r.body)
		}
		if len(acked) == killAfter && !killed {
			killed = true
			if err := p.stop(t, syscall.SIGKILL, failsafe); err == nil {
				t.Fatal("avgloket exited normally after SIGKILL")
			}
		}
	}
	t.Logf("%d requests got 201 before or while avgloket was killed; %d got no answer", len(acked), failed)
	if !killed {
		t.Fatal("the kill never happened")
	}
	if len(acked) == total {
		t.Errorf("all %d requests succeeded: the kill came after the stream instead of in the middle", total)
	}

	// Restart on the same data folder and read the cases back through the API.
	p = startProcess(t, bin, data, envs)
	t.Logf("restart after the crash was listening after %v", p.startup.Round(time.Millisecond))
	runBinary(t, bin, "user", "add", "--data", data, "--email", "auditor@example.org", "--name", "Auditor", "--role", "owner")
	token := lastLine(runBinary(t, bin, "token", "add", "--data", data, "--email", "auditor@example.org"))
	if !tokenPattern.MatchString(token) {
		t.Fatalf("token add: last line %q is not a token", token)
	}
	req, err := http.NewRequest(http.MethodGet, p.URL+"/api/v1/cases?limit=200", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET /api/v1/cases: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/cases: status %d, body %s", resp.StatusCode, body)
	}
	var list struct {
		Cases []struct {
			Reference string `json:"reference"`
		} `json:"cases"`
		NextCursor *string `json:"next_cursor"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatalf("case list: %v\n%s", err, body)
	}
	if list.NextCursor != nil {
		t.Errorf("more than one page of cases after %d requests", total)
	}
	var stored []string
	for _, c := range list.Cases {
		stored = append(stored, c.Reference)
	}
	slices.Sort(stored)
	if len(slices.Compact(slices.Clone(stored))) != len(stored) {
		t.Errorf("a reference was handed out twice: %v", stored)
	}
	for _, ref := range acked {
		if !slices.Contains(stored, ref) {
			t.Errorf("case %s got a 201 but is gone after the crash", ref)
		}
	}
	t.Logf("%d cases stored after the restart", len(stored))
	if len(stored) < len(acked) || len(stored) > total {
		t.Errorf("%d cases stored, want between %d and %d", len(stored), len(acked), total)
	}

	if err := p.stop(t, syscall.SIGTERM, 20*time.Second); err != nil {
		t.Fatalf("after SIGTERM: %v, want exit code 0", err)
	}
	st := openData(t, data)
	if err := st.IntegrityCheck(context.Background()); err != nil {
		t.Errorf("database after the crash: %v", err)
	}
	// Every stored case queued its acknowledgement in the same transaction.
	queued, sent, err := st.OutboxStats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if queued != int64(len(stored)) || sent != 0 {
		t.Errorf("outbox: %d queued, %d sent; want one queued mail per case (%d)", queued, sent, len(stored))
	}
}

// TestE2EAdminErrorExitCode checks what main adds to run: exit code 1 and
// the reason on standard error.
func TestE2EAdminErrorExitCode(t *testing.T) {
	t.Parallel()
	bin := avgloketBinary(t)
	data := filepath.Join(t.TempDir(), "data")
	runBinary(t, bin, "migrate", "--data", data)
	cmd := exec.Command(bin, "user", "add", "--data", data, "--email", "a@example.org", "--name", "A", "--role", "boss")
	cmd.Env = childEnv(withDatabase(t, nil, cmd.Args))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("user add with a bad role: %v, want exit code 1", err)
	}
	if got := stderr.String(); got != "avgloket: user add: --role \"boss\": want owner or officer\n" {
		t.Errorf("stderr = %q, want the one-line reason", got)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout = %q, want nothing", stdout.String())
	}
}
