package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/avgloket/avgloket/internal/store"
)

// limitResult is what the machine does without the portal: the floors the
// portal's figures are divided by.
type limitResult struct {
	inserts   float64 // one-row durable transactions a second, one writer
	insertsN  int
	plainMBps float64 // http.FileServer, one client
	sizeMB    int
}

func limitCmd(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("limit", flag.ContinueOnError)
	d := fs.Duration("duration", 3*time.Second, "how long to insert (at most 1m)")
	size := fs.Int("size-mb", 64, "size of the file the plain server serves (at most 1024)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	res, err := runLimit(ctx, *d, *size)
	if err != nil {
		return err
	}
	printLimit(out, res)
	return nil
}

func runLimit(ctx context.Context, d time.Duration, sizeMB int) (limitResult, error) {
	res := limitResult{sizeMB: sizeMB}
	if d <= 0 || d > time.Minute || sizeMB < 1 || sizeMB > maxSizeMB {
		return res, fmt.Errorf("--duration %s --size-mb %d: want up to 1m and 1 to %d MB", d, sizeMB, maxSizeMB)
	}
	dir, err := os.MkdirTemp("", "avgloket-limit-*")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	if res.insertsN, err = rawInserts(ctx, filepath.Join(dir, "floor.db"), d); err != nil {
		return res, err
	}
	res.inserts = float64(res.insertsN) / d.Seconds()
	res.plainMBps, err = plainThroughput(ctx, filepath.Join(dir, "plain", "file.bin"), sizeMB)
	return res, err
}

// rawInserts commits one-row transactions into a new database at path for
// d, with the portal's own connection string (store.DSN: WAL,
// synchronous=FULL, immediate transactions) and one connection, and
// returns how many committed.
func rawInserts(ctx context.Context, path string, d time.Duration) (int, error) {
	db, err := sql.Open("sqlite3", store.DSN(path))
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, "CREATE TABLE floor (id INTEGER PRIMARY KEY, at TEXT NOT NULL, body BLOB NOT NULL)"); err != nil {
		return 0, err
	}
	body := make([]byte, 512) // about a sealed request's size
	n := 0
	for end := time.Now().Add(d); time.Now().Before(end); n++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return n, err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO floor (at, body) VALUES (?, ?)", time.Now().UTC().Format(time.RFC3339Nano), body); err != nil {
			_ = tx.Rollback()
			return n, err
		}
		if err := tx.Commit(); err != nil {
			return n, err
		}
	}
	return n, nil
}

// plainThroughput writes a file of sizeMB, serves it with http.FileServer
// and returns the median MB/s of three downloads.
func plainThroughput(ctx context.Context, path string, sizeMB int) (float64, error) {
	if _, err := writePlain(path, int64(sizeMB)<<20); err != nil {
		return 0, err
	}
	url, stop, err := servePlain(filepath.Dir(path))
	if err != nil {
		return 0, err
	}
	defer stop()
	client := newClient(1)
	var runs []float64
	for range 3 {
		t0 := time.Now()
		if _, err := fetch(ctx, client, url+"/"+filepath.Base(path), "", nil); err != nil {
			return 0, err
		}
		runs = append(runs, float64(sizeMB)/time.Since(t0).Seconds())
	}
	return median(runs), nil
}

func printLimit(w io.Writer, r limitResult) {
	fmt.Fprintln(w, "limit: the machine without the portal")
	fmt.Fprintf(w, "  SQLite          %.0f one-row durable transactions/s (store.DSN pragmas, 1 writer, %d in all)\n", r.inserts, r.insertsN)
	fmt.Fprintf(w, "  plain server    %.1f MB/s (http.FileServer, %d MB file, median of 3)\n", r.plainMBps, r.sizeMB)
}
