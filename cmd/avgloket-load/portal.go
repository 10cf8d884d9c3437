package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The practice and the staff member every run sets up: invented, like all
// the people the harness files requests for.
const (
	practiceName  = "Praktijk Belasting"
	privacyEmail  = "privacy@belasting.example"
	officerEmail  = "officier@belasting.example"
	officerName   = "Olga Officier"
	startDeadline = 30 * time.Second // exec → ready, at most
	stopDeadline  = 25 * time.Second // SIGTERM → exit, at most (the portal drains for up to 20 s)
)

// common are the flags every command takes.
type common struct {
	portal string // the avgloket binary
	addr   string // the portal's listen address, loopback only
	keep   bool   // leave the data folder
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.portal, "portal", "", "the avgloket binary (default ./avgloket, or the one next to avgloket-load)")
	fs.StringVar(&c.addr, "addr", "127.0.0.1:0", "the portal's listen address, loopback only (port 0: a free one)")
	fs.BoolVar(&c.keep, "keep", false, "leave the data folder and the portal's log for a look afterwards")
}

// check completes and checks the flags: the address must be loopback and
// the binary must exist.
func (c *common) check() error {
	if err := checkLoopback(c.addr); err != nil {
		return err
	}
	bin, err := findPortal(c.portal)
	if err != nil {
		return err
	}
	c.portal = bin
	return nil
}

// findPortal returns the path of the avgloket binary: the one given, else
// ./avgloket, else avgloket next to this program.
func findPortal(given string) (string, error) {
	candidates := []string{given}
	if given == "" {
		candidates = []string{"./avgloket"}
		if self, err := os.Executable(); err == nil {
			candidates = append(candidates, filepath.Join(filepath.Dir(self), "avgloket"))
		}
	}
	for _, p := range candidates {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return filepath.Abs(p)
		}
	}
	return "", fmt.Errorf("no avgloket binary at %s: build one (go build -o avgloket ./cmd/avgloket) or give --portal PATH",
		strings.Join(candidates, " or "))
}

// site is a data folder set up for a run through the binary's own command
// line: the practice's settings and an officer of every branch with an API
// token.
type site struct {
	bin   string
	root  string // the temporary folder; data/ is inside
	data  string
	token string // the officer's API token
	keep  bool
	env   []string // AVGLOKET_* settings every command and instance gets (multi: the database, the key file)
}

// newSite makes a temporary data folder and sets it up with avgloket
// practice set, user add and token add.
func newSite(ctx context.Context, c common) (*site, error) {
	return newSiteIn(ctx, c, func(string) []string { return nil })
}

// newSiteIn is newSite with settings for every command and instance, made
// from the temporary folder's path.
func newSiteIn(ctx context.Context, c common, env func(root string) []string) (*site, error) {
	root, err := os.MkdirTemp("", "avgloket-load-*")
	if err != nil {
		return nil, err
	}
	s := &site{bin: c.portal, root: root, data: filepath.Join(root, "data"), keep: c.keep, env: env(root)}
	steps := [][]string{
		{"practice", "set", "--name", practiceName, "--address", "Proefstraat 1, 1234 AB Meetdorp",
			"--kvk", "12345678", "--country", "NL", "--privacy-email", privacyEmail},
		{"user", "add", "--email", officerEmail, "--name", officerName, "--role", "officer"},
		{"token", "add", "--email", officerEmail, "--label", "avgloket-load"},
	}
	for _, args := range steps {
		out, err := s.cli(ctx, args...)
		if err != nil {
			s.remove()
			return nil, err
		}
		s.token = lastLine(out)
	}
	return s, nil
}

// cli runs one avgloket command on the site's data folder and returns its
// standard output.
func (s *site) cli(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, s.bin, append(args, "--data", s.data)...)
	cmd.Env = portalEnv(s.env)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("avgloket %s: %w: %s", strings.Join(args[:2], " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

func (s *site) dbPath() string  { return filepath.Join(s.data, "avgloket.db") }
func (s *site) keyFile() string { return filepath.Join(s.data, "keys.json") }

// remove deletes the temporary folder unless --keep asked to leave it.
func (s *site) remove() {
	if s.keep {
		fmt.Fprintf(os.Stderr, "avgloket-load: data folder and portal log left in %s\n", s.root)
		return
	}
	_ = os.RemoveAll(s.root)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// portalEnv is the environment the binary runs in: this process's without
// any AVGLOKET_* variable, plus extra ones (NAME=value).
func portalEnv(extra []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AVGLOKET_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// freeAddr returns addr with a free port when its port is 0.
func freeAddr(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", err
	}
	if port != "0" {
		return addr, nil
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// portal is the running binary.
type portal struct {
	addr  string
	cmd   *exec.Cmd
	done  chan struct{} // closed when the process has exited
	ready time.Duration // exec → /healthz answered 200
	log   *os.File
}

// loadEnv lets the harness's clients past the per-address rate limit: the
// portal believes X-Forwarded-For from loopback, and each client address
// stays far below the highest limit the portal accepts (see client.go).
var loadEnv = []string{"AVGLOKET_RATE_LIMIT=10000", "AVGLOKET_TRUSTED_PROXIES=127.0.0.1/32"}

// start execs avgloket serve on the site and waits until /healthz answers
// 200; the time that took is p.ready.
func (s *site) start(ctx context.Context, addr string, extraEnv []string) (*portal, error) {
	return s.startAs(ctx, "portal", "/healthz", addr, extraEnv)
}

// startAs is start with the log in name.log, waiting for ready (a path)
// to answer 200, for several instances on one site.
func (s *site) startAs(ctx context.Context, name, ready, addr string, extraEnv []string) (*portal, error) {
	addr, err := freeAddr(addr)
	if err != nil {
		return nil, err
	}
	logFile, err := os.OpenFile(filepath.Join(s.root, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	p := &portal{addr: addr, done: make(chan struct{}), log: logFile}
	p.cmd = exec.Command(s.bin, "serve", "--addr", addr, "--data", s.data)
	p.cmd.Env = portalEnv(slices.Concat(loadEnv, s.env, extraEnv))
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	began := time.Now()
	if err := p.cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("start %s: %w", s.bin, err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	if err := p.waitReady(ctx, began, ready); err != nil {
		p.kill()
		return nil, fmt.Errorf("%w (log: %s)", err, p.tail())
	}
	return p, nil
}

// waitReady polls path every millisecond until it answers 200.
func (p *portal) waitReady(ctx context.Context, began time.Time, path string) error {
	client := &http.Client{Timeout: time.Second}
	url := p.url(path)
	for {
		select {
		case <-p.done:
			return errors.New("the portal stopped before it was ready")
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if time.Since(began) > startDeadline {
			return fmt.Errorf("the portal was not ready after %s", startDeadline)
		}
		if resp, err := client.Get(url); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				p.ready = time.Since(began)
				return nil
			}
		}
		time.Sleep(time.Millisecond)
	}
}

func (p *portal) url(path string) string { return "http://" + p.addr + path }

// rss returns the process's resident set size in bytes (VmRSS), or 0 once
// it has exited.
func (p *portal) rss() int64 { return readRSS(p.cmd.Process.Pid) }

func readRSS(pid int) int64 {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

// kill ends the portal with SIGKILL, as a power cut or the OOM killer
// would, and waits for it to be gone.
func (p *portal) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
	_ = p.log.Close()
}

// stop asks the portal to shut down (SIGTERM) and waits; after
// stopDeadline it is killed.
func (p *portal) stop() error {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		_ = p.log.Close()
		if st, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); ok && st.ExitStatus() != 0 {
			return fmt.Errorf("the portal exited with status %d (log: %s)", st.ExitStatus(), p.tail())
		}
		return nil
	case <-time.After(stopDeadline):
		p.kill()
		return fmt.Errorf("the portal did not stop within %s of SIGTERM", stopDeadline)
	}
}

// tail is the end of the portal's log, for error messages.
func (p *portal) tail() string {
	b, err := os.ReadFile(p.log.Name())
	if err != nil {
		return "unreadable"
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-5):], " | ")
}

// rssSampler records the portal's peak RSS while it runs.
type rssSampler struct {
	stopped chan struct{}
	wg      sync.WaitGroup
	peak    int64
}

// sampleRSS samples p's VmRSS every 10 ms until the sampler is stopped.
func sampleRSS(p *portal) *rssSampler {
	s := &rssSampler{stopped: make(chan struct{})}
	s.wg.Go(func() {
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			s.peak = max(s.peak, p.rss())
			select {
			case <-s.stopped:
				return
			case <-t.C:
			}
		}
	})
	return s
}

// stop ends the sampling and returns the peak.
func (s *rssSampler) stop() int64 {
	close(s.stopped)
	s.wg.Wait()
	return s.peak
}

// mb is bytes in MB (2^20), for tables.
func mb(n int64) float64 { return float64(n) / (1 << 20) }
