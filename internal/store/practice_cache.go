package store

import (
	"context"
	"database/sql"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/practice"
)

// practiceCache keeps what nearly every request reads from the practice's
// tables — the settings, the branches and the SMTP server — so that a
// public submission reads none of them from the database, and never inside
// its write transaction.
//
// Whether it is still right is one number: practice_version (migration
// 0036), which triggers bump in the same transaction as every change to
// those tables, whoever makes it — this portal, `avgloket practice set` or
// `branch add` while it runs, or another portal on the same database. Each
// read first compares the number with the one seen last (fresh) and forgets
// everything when it moved: a change is seen at the next request, and a
// write that rolled back moved nothing.
type practiceCache struct {
	seen     atomic.Int64 // practice_version at the last look; 0 before the first
	settings cached[practice.Settings]
	branches cached[[]practice.Branch]
	mail     cached[mail.Settings]
}

// fresh forgets what is cached if practice_version is no longer the number
// seen last. One primary-key read on the read pool.
func (c *practiceCache) fresh(ctx context.Context, db *sql.DB) error {
	var n int64
	if err := db.QueryRowContext(ctx, "SELECT n FROM practice_version WHERE id = 1").Scan(&n); err != nil {
		return internal(err, "read practice version")
	}
	if c.seen.Swap(n) != n {
		c.invalidate()
	}
	return nil
}

// invalidate forgets everything cached; the next read of each loads it.
func (c *practiceCache) invalidate() {
	c.settings.invalidate()
	c.branches.invalidate()
	c.mail.invalidate()
}

// branchID returns the id of the branch with code if the branches are
// cached, without reading the database: a write transaction that needs it
// reads it itself otherwise. A branch's code and id never change and
// branches are not removed, so a cached pair is never wrong.
func (c *practiceCache) branchID(code string) (int64, bool) {
	branches, _ := c.branches.peek() // none while not cached
	for _, b := range branches {
		if b.Code == code {
			return b.ID, true
		}
	}
	return 0, false
}

// cached is one value loaded from the database on first use. It is safe for
// concurrent use.
type cached[T any] struct {
	mu    sync.RWMutex
	gen   uint64 // bumped by each invalidate
	ok    bool
	value T
}

// get returns the cached value, or loads it. A load that began before an
// invalidate may have read the old rows, so its value is returned to its
// caller but not kept. clone copies what the caller could change in place
// (slices), so no caller can alter the cached value.
func (c *cached[T]) get(load func() (T, error), clone func(T) T) (T, error) {
	c.mu.RLock()
	v, ok, gen := c.value, c.ok, c.gen
	c.mu.RUnlock()
	if ok {
		return clone(v), nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if c.gen == gen {
		c.value, c.ok = v, true
	}
	c.mu.Unlock()
	return clone(v), nil
}

// peek returns the cached value, if there is one, without loading it. The
// caller must not change it.
func (c *cached[T]) peek() (T, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.value, c.ok
}

func (c *cached[T]) invalidate() {
	var zero T
	c.mu.Lock()
	c.gen++
	c.value, c.ok = zero, false
	c.mu.Unlock()
}

func cloneSettings(s practice.Settings) practice.Settings {
	s.FrameOrigins, s.ExtraDays = slices.Clone(s.FrameOrigins), slices.Clone(s.ExtraDays)
	return s
}

func sameMail(m mail.Settings) mail.Settings { return m }
