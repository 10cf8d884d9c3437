package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/delivery"
	"github.com/avgloket/avgloket/internal/filestore"
	"github.com/avgloket/avgloket/internal/vault"
)

const (
	maxSizeMB = 1024
	maxRounds = 20
)

type downloadConfig struct {
	sizeMB, rounds int
}

// downloadResult is an answer document's download through the portal
// against the same bytes from a plain file server, in the same run.
type downloadResult struct {
	cfg           downloadConfig
	portal, plain float64 // MB/s, median of the rounds
	idleRSS, peak int64   // the portal's
	verified      bool    // the portal's bytes are the plaintext's
	portalRuns    []float64
	plainRuns     []float64
}

func (r downloadResult) ratio() float64 { return ratio(r.portal, r.plain) }

func downloadCmd(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("download", flag.ContinueOnError)
	var c common
	c.register(fs)
	var cfg downloadConfig
	fs.IntVar(&cfg.sizeMB, "size-mb", 200, "size of the document in MB (at most 1024)")
	fs.IntVar(&cfg.rounds, "rounds", 3, "downloads of each kind; the median counts")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	res, err := runDownload(ctx, c, cfg)
	if err != nil {
		return err
	}
	printDownload(out, res)
	if !res.verified {
		return errors.New("download: the portal's bytes differ from the document's")
	}
	return nil
}

func runDownload(ctx context.Context, c common, cfg downloadConfig) (downloadResult, error) {
	res := downloadResult{cfg: cfg}
	if cfg.sizeMB < 1 || cfg.sizeMB > maxSizeMB || cfg.rounds < 1 || cfg.rounds > maxRounds {
		return res, fmt.Errorf("--size-mb %d --rounds %d: want 1 to %d MB and 1 to %d rounds", cfg.sizeMB, cfg.rounds, maxSizeMB, maxRounds)
	}
	s, err := newSite(ctx, c)
	if err != nil {
		return res, err
	}
	defer s.remove()
	size := int64(cfg.sizeMB) << 20
	plainPath := filepath.Join(s.root, "plain", "document.zip")
	sum, err := writePlain(plainPath, size)
	if err != nil {
		return res, err
	}
	docPath, cookie, err := seedDocument(ctx, s, plainPath)
	if err != nil {
		return res, err
	}
	plainURL, stopPlain, err := servePlain(filepath.Dir(plainPath))
	if err != nil {
		return res, err
	}
	defer stopPlain()
	p, err := s.start(ctx, c.addr, nil)
	if err != nil {
		return res, err
	}
	time.Sleep(idleSettle)
	res.idleRSS = p.rss()
	client := newClient(1)
	portalURL := p.url(docPath)
	// One untimed download through the portal checks the bytes.
	got, err := fetch(ctx, client, portalURL, cookie, sha256.New())
	if err != nil {
		p.kill()
		return res, err
	}
	res.verified = got == sum
	sampler := sampleRSS(p)
	for range cfg.rounds {
		for _, k := range []struct {
			url, cookie string
			into        *[]float64
		}{{plainURL + "/document.zip", "", &res.plainRuns}, {portalURL, cookie, &res.portalRuns}} {
			t0 := time.Now()
			if _, err := fetch(ctx, client, k.url, k.cookie, nil); err != nil {
				sampler.stop()
				p.kill()
				return res, err
			}
			*k.into = append(*k.into, float64(cfg.sizeMB)/time.Since(t0).Seconds())
		}
	}
	res.peak = sampler.stop()
	res.portal, res.plain = median(res.portalRuns), median(res.plainRuns)
	return res, p.stop()
}

// writePlain writes size pseudo-random bytes (incompressible, like a ZIP)
// to path and returns their SHA-256.
func writePlain(path string, size int64) (string, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	var seed [32]byte
	_, _ = rand.Read(seed[:])
	h := sha256.New()
	if _, err := io.CopyN(io.MultiWriter(f, h), mrand.NewChaCha8(seed), size); err != nil {
		_ = f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// seedDocument puts the file into the site as an answer document of a new
// case, encrypted by the file store as an upload would be but without the
// upload's size limit, and signs the officer in. It returns the document's
// staff download path and the session cookie.
func seedDocument(ctx context.Context, s *site, plainPath string) (path, cookie string, err error) {
	sd, err := openSeeder(ctx, s)
	if err != nil {
		return "", "", err
	}
	defer func() {
		if cerr := sd.close(); err == nil {
			err = cerr
		}
	}()
	var sub casework.Submission
	sub.Type, sub.Language = casework.Access, casework.Dutch
	sub.Requester = casework.Requester{Name: "Dirk Downloader", Email: "dirk@belasting.example", Relation: casework.Self}
	k, _, err := sd.cases.Submit(ctx, sub, casework.Intake{Channel: casework.Web})
	if err != nil {
		return "", "", err
	}
	files, err := filestore.New(filepath.Join(s.data, "files"), sd.keys)
	if err != nil {
		return "", "", err
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	docID := hex.EncodeToString(id)
	src, err := os.Open(plainPath)
	if err != nil {
		return "", "", err
	}
	defer src.Close()
	// The portal binds a case file's content to its id (cmd/avgloket fileAAD).
	n, err := files.Put(ctx, docID, src, vault.AAD("case_files", "content", docID))
	if err != nil {
		return "", "", err
	}
	m, err := sd.st.MemberByEmail(ctx, officerEmail)
	if err != nil {
		return "", "", err
	}
	doc := delivery.Document{ID: docID, CaseID: k.ID, Name: "dossier.zip", Kind: "zip", Size: n, UploadedAt: time.Now()}
	if err := sd.st.AddDocument(ctx, casework.Actor{ID: m.ID}, doc); err != nil {
		return "", "", err
	}
	cookie, err = sd.session(ctx)
	return "/staff/cases/" + k.Reference + "/documents/" + docID, cookie, err
}

// servePlain serves dir with http.FileServer on a loopback port: the
// limit a download through the portal is measured against.
func servePlain(dir string) (url string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir(dir)), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

// fetch downloads url whole into h (or nowhere) and returns h's sum.
func fetch(ctx context.Context, client *http.Client, url, cookie string, h interface {
	io.Writer
	Sum([]byte) []byte
}) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: HTTP %d", url, resp.StatusCode)
	}
	var dst io.Writer = io.Discard
	if h != nil {
		dst = h
	}
	if _, err := io.Copy(dst, resp.Body); err != nil {
		return "", fmt.Errorf("GET %s: %w", url, err)
	}
	if h == nil {
		return "", nil
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// median of xs (which it sorts); 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	if len(xs)%2 == 1 {
		return xs[len(xs)/2]
	}
	return (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
}

func printDownload(w io.Writer, r downloadResult) {
	fmt.Fprintf(w, "download: a %d MB answer document, %d rounds, median\n", r.cfg.sizeMB, r.cfg.rounds)
	fmt.Fprintf(w, "  portal          %.1f MB/s (bytes %s)\n", r.portal, map[bool]string{true: "verified", false: "DIFFER"}[r.verified])
	fmt.Fprintf(w, "  plain server    %.1f MB/s (http.FileServer, same file)\n", r.plain)
	fmt.Fprintf(w, "  ratio           %.2f\n", r.ratio())
	fmt.Fprintf(w, "  server RSS      idle %.1f MB, peak during downloads %.1f MB\n", mb(r.idleRSS), mb(r.peak))
}
