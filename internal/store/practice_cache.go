package store

import (
	"slices"
	"sync"

	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/practice"
)

// practiceCache keeps what nearly every request reads from the practice's
// tables — the settings, the branches and the SMTP server — so that a
// public submission reads none of them from the database, and never inside
// its write transaction. Every write to those tables goes through this
// package (practice.go, setup.go, mail_settings.go) and calls invalidate
// once its transaction has returned, committed or not: the next read loads
// what the database then holds, so a change is seen at once, and a write
// that failed leaves nothing of itself behind.
//
// The cache is per process. A change made by another process on the same
// database — the `avgloket practice set` and `branch add` commands while
// the portal runs — reaches the portal at its next start. Several
// instances on one database (issue 14) must add a shared signal: a version
// number bumped in the same transaction as each change and compared on
// read (or PostgreSQL's LISTEN/NOTIFY), or no cache there.
type practiceCache struct {
	settings cached[practice.Settings]
	branches cached[[]practice.Branch]
	mail     cached[mail.Settings]
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
