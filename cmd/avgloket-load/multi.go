package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Bounds and settings of a multi run.
const (
	maxInstances        = 8
	maxMultiSubmissions = 100_000
	// killAfter is the mail of the instance to be killed, counted from
	// the end of the load, during whose answer it is killed: by then every
	// instance is sending from the queue the slow mail server let build up.
	killAfter = 2
	// leaseVar is the portal's setting for how long an instance's claim on
	// a queued mail holds; after it, another instance sends the mail.
	leaseVar = "AVGLOKET_MAIL_LEASE"
	// databaseVar is the portal's setting for its database (a postgres://
	// URL; unset: SQLite in the data folder).
	databaseVar = "AVGLOKET_DATABASE_URL"
)

type multiConfig struct {
	instances   int
	submissions int
	clients     int
	databaseURL string // "" : SQLite, one file in the shared data folder
	kill        bool
	mailDelay   time.Duration // with kill: each mail's answer waits this long
	lease       time.Duration // with kill: passed as leaseVar (0: the portal's default)
	mailWait    time.Duration // at most this long for the mails after the load
	baseline    bool          // first the same submissions through one instance on SQLite, for the ratio
}

func (cfg multiConfig) check() error {
	switch {
	case cfg.instances < 1 || cfg.instances > maxInstances:
		return fmt.Errorf("--instances %d: want 1 to %d", cfg.instances, maxInstances)
	case cfg.kill && cfg.instances < 2:
		return errors.New("--kill-while-sending needs at least 2 instances: one to kill, one to finish the queue")
	case cfg.submissions < 1 || cfg.submissions > maxMultiSubmissions:
		return fmt.Errorf("--submissions %d: want 1 to %d", cfg.submissions, maxMultiSubmissions)
	case cfg.clients < 1 || cfg.clients > maxClients:
		return fmt.Errorf("--clients %d: want 1 to %d", cfg.clients, maxClients)
	case cfg.mailDelay < 0 || cfg.mailDelay > time.Second:
		return fmt.Errorf("--mail-delay %s: want 0 to 1s", cfg.mailDelay)
	case cfg.lease < 0 || cfg.lease > 10*time.Minute:
		return fmt.Errorf("--lease %s: want 0 to 10m", cfg.lease)
	case cfg.mailWait <= 0 || cfg.mailWait > maxDuration:
		return fmt.Errorf("--mail-wait %s: want more than 0 and at most %s", cfg.mailWait, maxDuration)
	}
	return checkDatabaseURL(cfg.databaseURL)
}

// checkDatabaseURL accepts "" and a postgres:// URL of a server on this
// machine's loopback interface or its Unix socket.
func checkDatabaseURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return errors.New("--database-url: want postgres://user@127.0.0.1:5432/name")
	}
	if u.Host == "" {
		return nil // the Unix socket, on this machine
	}
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	if err := checkLoopback(net.JoinHostPort(u.Hostname(), port)); err != nil {
		return fmt.Errorf("--database-url: %w", err)
	}
	return nil
}

// instance is one running portal of a multi run.
type instance struct {
	name string // portal-N; its EHLO name is name.localhost
	*portal
	dead bool // killed by the run
}

func (in *instance) helo() string { return in.name + ".localhost" }

// multiResult is what a multi run measured and found.
type multiResult struct {
	cfg        multiConfig
	ready      []time.Duration
	elapsed    time.Duration
	acked      int
	throughput float64
	lat        latencies
	errors     map[string]int
	verdict    verdict    // the listing against the submissions
	sequence   seqVerdict // the references' numbers
	reads      readVerdict
	mail       refMailVerdict
	mailTook   time.Duration // from the end of the load until every mail had arrived (or mailWait)
	// --baseline: the same submissions through one instance on SQLite
	baseline *multiResult
	// --kill-while-sending
	killed   string // the instance killed, "" if the kill did not come
	inFlight string // the reference whose final dot it had sent when it died
	audit    string // avgloket audit verify's answer, or its failure
	storage  string // SQLite: integrity check; PostgreSQL: that the portal did not fall back to SQLite
}

func (r multiResult) errorCount() int {
	n := 0
	for _, v := range r.errors {
		n += v
	}
	return n
}

// failed says what went wrong: anything lost, doubled, unreadable or
// unverifiable.
func (r multiResult) failed() []string {
	var out []string
	if n := r.errorCount(); n > 0 {
		out = append(out, fmt.Sprintf("%d submissions failed", n))
	}
	if r.acked != r.cfg.submissions {
		out = append(out, fmt.Sprintf("%d of %d submissions acknowledged", r.acked, r.cfg.submissions))
	}
	if !r.verdict.ok() {
		out = append(out, "submissions: "+r.verdict.String())
	}
	if r.baseline != nil {
		for _, b := range r.baseline.failed() {
			out = append(out, "baseline: "+b)
		}
	}
	if !r.sequence.ok(r.cfg.submissions) {
		out = append(out, "references: "+r.sequence.String())
	}
	if !r.reads.ok() {
		out = append(out, "reads: "+r.reads.String())
	}
	if !r.mail.ok() {
		out = append(out, "mail: "+r.mail.String())
	}
	if r.cfg.kill && r.killed == "" {
		out = append(out, fmt.Sprintf("kill: no instance was killed (the last one sent fewer than %d mails after the load: raise --mail-delay)", killAfter))
	}
	if !strings.HasPrefix(r.audit, "audit trail intact") {
		out = append(out, "audit: "+r.audit)
	}
	if r.storage != "ok" {
		out = append(out, "storage: "+r.storage)
	}
	return out
}

func multiCmd(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("multi", flag.ContinueOnError)
	var c common
	c.register(fs)
	var cfg multiConfig
	fs.IntVar(&cfg.instances, "instances", 2, "portal instances on the one database (1 to 8)")
	fs.IntVar(&cfg.submissions, "submissions", 500, "submissions, spread round robin over the instances")
	fs.IntVar(&cfg.clients, "clients", 8, "concurrent clients (1 to 256)")
	fs.StringVar(&cfg.databaseURL, "database-url", "", "postgres://… on loopback, given to every instance as "+databaseVar+" (default: SQLite, one file in the shared data folder)")
	fs.BoolVar(&cfg.kill, "kill-while-sending", false, "slow mail server; SIGKILL the last instance during its answer to a mail; the others finish the queue")
	fs.DurationVar(&cfg.mailDelay, "mail-delay", 50*time.Millisecond, "with --kill-while-sending: how long the mail server takes per mail")
	fs.DurationVar(&cfg.lease, "lease", 4*time.Second, "with --kill-while-sending: the mail claim's lease, given as "+leaseVar+" (0: the portal's default, 5m)")
	fs.DurationVar(&cfg.mailWait, "mail-wait", 2*time.Minute, "how long to wait for the mails after the load, at most")
	fs.BoolVar(&cfg.baseline, "baseline", false, "first the same submissions through one instance on SQLite, and the rate beside it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	res, err := runMulti(ctx, c, cfg)
	if err != nil {
		return err
	}
	printMulti(out, res)
	if bad := res.failed(); len(bad) > 0 {
		return errors.New("multi: " + strings.Join(bad, "; "))
	}
	return nil
}

// runMulti sets up one site (data folder, key file, database) shared by
// cfg.instances portals, each on its own loopback port and all mailing one
// sink, submits through all of them and checks what they stored and sent.
func runMulti(ctx context.Context, c common, cfg multiConfig) (multiResult, error) {
	res := multiResult{cfg: cfg}
	if err := cfg.check(); err != nil {
		return res, err
	}
	if cfg.baseline {
		one := multiConfig{instances: 1, submissions: cfg.submissions, clients: cfg.clients, mailWait: cfg.mailWait}
		b, err := runMulti(ctx, c, one)
		if err != nil {
			return res, fmt.Errorf("baseline: %w", err)
		}
		res.baseline = &b
	}
	_, port, err := net.SplitHostPort(c.addr)
	if err != nil {
		return res, err
	}
	if port != "0" && cfg.instances > 1 {
		return res, fmt.Errorf("--addr %s: give port 0 with several instances (each takes a free port)", c.addr)
	}
	sink, err := newMailSink()
	if err != nil {
		return res, err
	}
	defer sink.close()
	s, err := newSiteIn(ctx, c, func(root string) []string {
		env := []string{"AVGLOKET_KEY_FILE=" + filepath.Join(root, "keys.json")}
		if cfg.databaseURL != "" {
			env = append(env, databaseVar+"="+cfg.databaseURL)
		}
		if cfg.kill && cfg.lease > 0 {
			env = append(env, leaseVar+"="+cfg.lease.String())
		}
		return env
	})
	if err != nil {
		return res, err
	}
	defer s.remove()

	instances := make([]*instance, cfg.instances)
	for i := range instances {
		instances[i] = &instance{name: "portal-" + strconv.Itoa(i+1)}
	}
	if cfg.kill {
		sink.delay = cfg.mailDelay
	}
	if err := sink.up(); err != nil {
		return res, err
	}
	defer func() {
		for _, in := range instances {
			if in.portal != nil && !in.dead {
				select {
				case <-in.done:
				default:
					in.kill()
				}
			}
		}
	}()
	for _, in := range instances {
		addr, err := freeAddr(c.addr) // port 0 with several instances, checked above
		if err != nil {
			return res, err
		}
		_, p, _ := net.SplitHostPort(addr)
		env := append(sink.env(), "AVGLOKET_BASE_URL=http://"+in.helo()+":"+p)
		if in.portal, err = s.startAs(ctx, in.name, "/readyz", addr, env); err != nil {
			return res, fmt.Errorf("%s: %w", in.name, err)
		}
		res.ready = append(res.ready, in.ready)
	}
	killed := make(chan string, 1) // the reference in flight at the kill
	var loaded atomic.Bool
	if cfg.kill {
		victim := instances[len(instances)-1]
		var after atomic.Int32
		sink.onData(func(helo, ref string) {
			if !loaded.Load() || helo != victim.helo() || after.Add(1) != killAfter {
				return
			}
			// The final dot is in, the answer not yet out: the portal
			// cannot know the mail went, so another instance sends it
			// again after the lease. That is the one duplicate allowed.
			victim.kill()
			killed <- ref
		})
	}

	bases := make([]string, len(instances))
	for i, in := range instances {
		bases[i] = in.url("")
	}
	marker := newMarker()
	client := newClient(cfg.clients)
	load := driveMulti(ctx, client, bases, marker, cfg.submissions, cfg.clients)
	res.elapsed, res.errors = load.elapsed, load.errors
	res.lat = summarize(load.latencies)
	var acked []string
	for _, f := range load.sent {
		if f.Reference != "" {
			acked = append(acked, f.Reference)
		}
	}
	res.acked = len(acked)
	res.throughput = float64(res.acked) / res.elapsed.Seconds()

	loadEnd := time.Now()
	loaded.Store(true)
	if cfg.kill {
		victim := instances[len(instances)-1]
		res.inFlight, res.killed = awaitKill(ctx, killed, victim, sink, acked, cfg.mailWait)
	}
	awaitMails(ctx, sink, acked, res.inFlight, loadEnd.Add(cfg.mailWait))
	res.mailTook = time.Since(loadEnd)

	var live []string
	for _, in := range instances {
		if !in.dead {
			live = append(live, in.url(""))
		}
	}
	listing, err := listCases(ctx, client, live[0], s.token)
	if err != nil {
		return res, err
	}
	res.verdict = check(load.sent, listing, marker)
	res.sequence = checkSequence(listing)
	res.reads = readEverywhere(ctx, client, live, s.token, load.sent, cfg.clients)

	// Stopped, every instance has finished the mail it was sending: the
	// sink's counts are final.
	if err := stopAll(instances); err != nil {
		return res, err
	}
	byRef, noRef, cut := sink.receipts()
	victimHelo := ""
	if cfg.kill {
		victimHelo = instances[len(instances)-1].helo()
	}
	res.mail = checkRefMail(acked, byRef, noRef, res.inFlight, victimHelo, cut[victimHelo])

	if out, err := s.cli(ctx, "audit", "verify"); err != nil {
		res.audit = err.Error()
	} else {
		res.audit = strings.TrimSpace(out)
	}
	res.storage = storageCheck(ctx, s, cfg.databaseURL)
	return res, nil
}

// awaitKill waits until the victim has been killed during a mail's answer,
// or every mail has arrived without that (the kill did not come), or until
// wait has passed.
func awaitKill(ctx context.Context, killed <-chan string, victim *instance, sink *mailSink, acked []string, wait time.Duration) (inFlight, name string) {
	deadline := time.After(wait)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case ref := <-killed:
			victim.dead = true
			return ref, victim.name
		case <-deadline:
			return "", ""
		case <-ctx.Done():
			return "", ""
		case <-tick.C:
			if byRef, _, _ := sink.receipts(); missing(acked, byRef) == 0 {
				// Poll once more: the kill may have come with the last mail.
				select {
				case ref := <-killed:
					victim.dead = true
					return ref, victim.name
				default:
					return "", ""
				}
			}
		}
	}
}

// awaitMails polls the sink until every acknowledged submission's mail has
// arrived and, after a kill, the mail in flight has come a second time
// (sent again after its lease), or until the deadline.
func awaitMails(ctx context.Context, sink *mailSink, acked []string, inFlight string, deadline time.Time) {
	fmt.Fprintf(os.Stderr, "avgloket-load: waiting up to %s for %d mails\n", time.Until(deadline).Round(time.Second), len(acked))
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for time.Now().Before(deadline) && ctx.Err() == nil {
		byRef, _, _ := sink.receipts()
		if missing(acked, byRef) == 0 && (inFlight == "" || len(byRef[inFlight]) >= 2) {
			return
		}
		select {
		case <-ctx.Done():
		case <-tick.C:
		}
	}
}

func missing(acked []string, byRef map[string][]string) int {
	n := 0
	for _, ref := range acked {
		if len(byRef[ref]) == 0 {
			n++
		}
	}
	return n
}

// stopAll stops the instances still running, all at once.
func stopAll(instances []*instance) error {
	errs := make([]error, len(instances))
	var wg sync.WaitGroup
	for i, in := range instances {
		if in.dead {
			continue
		}
		wg.Go(func() {
			if err := in.stop(); err != nil {
				errs[i] = fmt.Errorf("%s: %w", in.name, err)
			}
			in.dead = true
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// storageCheck is, on SQLite, the store's integrity and foreign-key check
// of the shared file; on PostgreSQL, that the data folder holds no SQLite
// file, which a portal that ignored the database URL would have made.
func storageCheck(ctx context.Context, s *site, databaseURL string) string {
	if databaseURL == "" {
		return integrityOf(ctx, s.dbPath())
	}
	if _, err := os.Stat(s.dbPath()); err == nil {
		return "an SQLite database appeared in the data folder: the portal did not use " + databaseVar
	}
	return "ok"
}

// driveMulti files total submissions with n concurrent clients, submission
// k going to bases[k mod len(bases)].
func driveMulti(ctx context.Context, client *http.Client, bases []string, marker string, total, n int) load {
	var next atomic.Int64
	results := make([]load, n)
	began := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r := &results[i]
			r.errors = map[string]int{}
			for seq := 0; ctx.Err() == nil; seq++ {
				k := int(next.Add(1) - 1)
				if k >= total {
					return
				}
				email := submissionEmail(marker, i, seq)
				t0 := time.Now()
				ref, err := submitOne(ctx, client, bases[k%len(bases)], email, clientAddress(i, seq), fmt.Sprintf("%s-%d", marker, k), k)
				took := time.Since(t0)
				r.sent = append(r.sent, filed{Email: email, Reference: ref})
				if err != nil {
					r.errors[errorKind(err)]++
					continue
				}
				r.latencies = append(r.latencies, took)
			}
		})
	}
	wg.Wait()
	all := load{errors: map[string]int{}, elapsed: time.Since(began)}
	for _, r := range results {
		all.sent = append(all.sent, r.sent...)
		all.latencies = append(all.latencies, r.latencies...)
		for k, v := range r.errors {
			all.errors[k] += v
		}
	}
	return all
}

// readVerdict is what reading every case through every instance found.
type readVerdict struct {
	Instances, Reads, Failed int
	Examples                 []string
}

func (v readVerdict) ok() bool { return v.Failed == 0 }

func (v readVerdict) String() string {
	s := fmt.Sprintf("%d reads, every case through each of %s running, %d failed", v.Reads, instanceCount(v.Instances), v.Failed)
	if len(v.Examples) > 0 {
		s += " (e.g. " + strings.Join(v.Examples, "; ") + ")"
	}
	return s
}

// readEverywhere reads every acknowledged case through every base (GET
// /api/v1/cases/{reference} with the staff token), n at a time, and checks
// that each answer is the case with the requester filed.
func readEverywhere(ctx context.Context, client *http.Client, bases []string, token string, sent []filed, n int) readVerdict {
	type job struct {
		base string
		f    filed
	}
	jobs := make(chan job)
	go func() {
		defer close(jobs)
		for _, f := range sent {
			for _, b := range bases {
				if f.Reference == "" {
					continue
				}
				select {
				case jobs <- job{b, f}:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	v := readVerdict{Instances: len(bases)}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for j := range jobs {
				err := readCase(ctx, client, j.base, token, j.f)
				mu.Lock()
				v.Reads++
				if err != nil {
					v.Failed++
					if len(v.Examples) < maxExamples {
						v.Examples = append(v.Examples, err.Error())
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return v
}

// readCase reads one case and checks its reference and requester.
func readCase(ctx context.Context, client *http.Client, base, token string, f filed) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/cases/"+url.PathEscape(f.Reference), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s via %s: %s", f.Reference, base, errorKind(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s via %s: HTTP %d", f.Reference, base, resp.StatusCode)
	}
	var c struct {
		Reference string `json:"reference"`
		Requester struct {
			Email string `json:"email"`
		} `json:"requester"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&c); err != nil {
		return fmt.Errorf("%s via %s: %w", f.Reference, base, err)
	}
	if c.Reference != f.Reference || c.Requester.Email != f.Email {
		return fmt.Errorf("%s via %s: answered %s for %s", f.Reference, base, c.Reference, c.Requester.Email)
	}
	return nil
}

// instanceCount is "1 instance", "2 instances", ….
func instanceCount(n int) string {
	if n == 1 {
		return "1 instance"
	}
	return strconv.Itoa(n) + " instances"
}

func printMulti(w io.Writer, r multiResult) {
	db := "SQLite (one file in the shared data folder)"
	if r.cfg.databaseURL != "" {
		db = "PostgreSQL"
	}
	mode := ""
	if r.cfg.kill {
		mode = fmt.Sprintf(", mail server %s a mail, one instance killed while sending", r.cfg.mailDelay)
	}
	fmt.Fprintf(w, "multi: %s on %s, %d submissions by %d clients%s\n", instanceCount(r.cfg.instances), db, r.cfg.submissions, r.cfg.clients, mode)
	var ready []string
	for _, d := range r.ready {
		ready = append(ready, fmt.Sprintf("%.1f", ms(d)))
	}
	fmt.Fprintf(w, "  ready           %s ms (exec → /readyz 200: database, migrations, key; per instance)\n", strings.Join(ready, ", "))
	fmt.Fprintf(w, "  acknowledged    %d in %.2f s: %.1f/s\n", r.acked, r.elapsed.Seconds(), r.throughput)
	fmt.Fprintf(w, "  latency         p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms\n", ms(r.lat.P50), ms(r.lat.P95), ms(r.lat.P99), ms(r.lat.Max))
	if b := r.baseline; b != nil {
		fmt.Fprintf(w, "  baseline        1 instance on SQLite, same run: %.1f/s, p50 %.1f ms, p99 %.1f ms; ratio %.2f\n",
			b.throughput, ms(b.lat.P50), ms(b.lat.P99), r.throughput/b.throughput)
	}
	fmt.Fprintf(w, "  errors          %d%s\n", r.errorCount(), errorList(r.errors))
	fmt.Fprintf(w, "  check           %s\n", r.verdict)
	fmt.Fprintf(w, "  references      %s\n", r.sequence)
	fmt.Fprintf(w, "  readable        %s\n", r.reads)
	if r.cfg.kill {
		switch r.killed {
		case "":
			fmt.Fprintln(w, "  kill            did not come")
		default:
			fmt.Fprintf(w, "  kill            %s SIGKILLed after the final dot of %s (its mail %d after the load), lease %s (%s)\n",
				r.killed, r.inFlight, killAfter, r.cfg.lease, leaseVar)
		}
	}
	fmt.Fprintf(w, "  mail            %s; all in %.1f s after the load\n", r.mail, r.mailTook.Seconds())
	fmt.Fprintf(w, "  audit           %s\n", r.audit)
	fmt.Fprintf(w, "  storage         %s (after every instance stopped)\n", r.storage)
}
