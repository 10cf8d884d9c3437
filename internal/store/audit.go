package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/migrations"
)

// Audit reads and verifies the audit trail; changes write their entries
// through DB.appendAudit in their own transaction.
type Audit struct{ *DB }

type auditRow struct {
	ID      int64 `gorm:"primaryKey;autoIncrement:false"`
	At      string
	Actor   string
	Action  string
	Object  string
	Address string
	Detail  string
	Prev    string
	Hash    string
}

func (auditRow) TableName() string { return "audit_log" }

type auditHeadRow struct {
	ID       int `gorm:"primaryKey"`
	LastID   int64
	LastHash string
	Seal     string
}

func (auditHeadRow) TableName() string { return "audit_head" }

// auditTimeFormat stores At in UTC with a fixed nine fraction digits, so that
// the text sorts as the time does (RFC 3339 with trimmed zeros does not) and
// parses back to the same instant the chain value was computed over.
const auditTimeFormat = "2006-01-02T15:04:05.000000000Z07:00"

// auditLockKey is the PostgreSQL advisory lock that serialises appends to
// the audit trail (appendAudit); any fixed number no other lock uses.
const auditLockKey int64 = 0x61766c6b61756474 // "avlkaudt"

// Page sizes of AuditEntries and AuditEntriesBefore.
const (
	defaultAuditPage = 50
	maxAuditPage     = 500
)

// errAuditHead is logged when the head is not sealed by the key: the trail
// has been tampered with, and extending it would paper over that.
var errAuditHead = errors.New("audit head is not sealed by the key")

// auditMAC is the chain's MAC: the vault's keyed index (HMAC-SHA256 under a
// key held only in the key file) with its own purpose.
func (s *DB) auditMAC(v string) string { return s.vault.Index("audit", v) }

// AppendAudit adds e to the audit trail in a transaction of its own. Use it
// for events that change nothing else: views, sign-ins, denials. Changes
// write their entry with appendAudit inside their own transaction, so that
// the change and its entry commit together or not at all.
//
// The store sets e.ID, e.Prev and e.Hash. An entry that fails e.Validate, a
// head not sealed by the key (the trail was tampered with) or a failed write
// give an Internal error, and nothing is written: callers must then not
// carry out, or show, what they meant to audit.
func (s *DB) AppendAudit(ctx context.Context, e audit.Entry) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		return s.appendAudit(tx, e)
	})
}

// appendAudit writes e as the next entry inside tx: it reads the head,
// numbers e one past it, chains it to the head's hash, inserts it and moves
// the head on. Writes run one at a time (writer.go), so appends are
// serialised and the chain stays linear; the head is read inside tx, so an
// append rolled back to its job's savepoint takes its link with it and the
// next job chains to the entry before.
//
// On PostgreSQL writes run concurrently, on several instances too: an
// append reads the head FOR UPDATE, so appends queue on the head's row
// until the transaction before commits, then read what it left, and the
// chain stays one chain. Before the first entry there is no row to lock:
// the first appends queue on the advisory lock auditLockKey instead and
// read again.
func (s *DB) appendAudit(tx *gorm.DB, e audit.Entry) error {
	if err := e.Validate(); err != nil {
		return apperr.Wrap(err, "error.internal")
	}
	var head auditHeadRow
	exists, err := lockAuditHead(tx, &head)
	if err == nil && !exists && s.dialect == migrations.Postgres {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", auditLockKey).Error; err != nil {
			return internal(err, "lock audit trail")
		}
		exists, err = lockAuditHead(tx, &head)
	}
	if err != nil {
		return err
	}
	if exists && head.Seal != audit.SealHead(s.auditMAC, head.LastID, head.LastHash) {
		s.log.Error("audit trail: the head is not sealed by the key; refusing to extend the trail until it is verified",
			"head_last_id", head.LastID)
		return apperr.Wrap(errAuditHead, "error.internal")
	}
	e.At = e.At.UTC()
	e.ID = head.LastID + 1
	e.Prev = head.LastHash
	e.Hash = audit.ChainHash(s.auditMAC, e.Prev, e)
	row := auditRow{ID: e.ID, At: e.At.Format(auditTimeFormat), Actor: e.Actor, Action: string(e.Action),
		Object: e.Object, Address: e.Address, Detail: e.Detail, Prev: e.Prev, Hash: e.Hash}
	if err := tx.Create(&row).Error; err != nil {
		return internal(err, "append audit entry")
	}
	next := auditHeadRow{ID: 1, LastID: e.ID, LastHash: e.Hash, Seal: audit.SealHead(s.auditMAC, e.ID, e.Hash)}
	if !exists {
		if err := tx.Create(&next).Error; err != nil {
			return internal(err, "write audit head")
		}
		return nil
	}
	res := tx.Model(&auditHeadRow{}).Where("id = 1 AND last_id = ?", head.LastID).
		Updates(map[string]any{"last_id": next.LastID, "last_hash": next.LastHash, "seal": next.Seal})
	if res.Error != nil {
		return internal(res.Error, "move audit head")
	}
	if res.RowsAffected != 1 {
		return internal(errors.New("head changed during the transaction"), "move audit head")
	}
	return nil
}

// lockAuditHead reads the head into head inside tx, locking its row on
// PostgreSQL; exists is false before the first entry.
func lockAuditHead(tx *gorm.DB, head *auditHeadRow) (exists bool, err error) {
	err = forUpdate(tx, "audit_head").Where("id = 1").Take(head).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, nil
	}
	if err != nil {
		return false, internal(err, "read audit head")
	}
	return true, nil
}

// AuditEntries returns up to limit entries with an ID above afterID, oldest
// first: a case's history reads as it happened, and the last ID of a page is
// the afterID of the next. object "" means every object; otherwise only
// entries whose Object equals it (e.g. audit.Case(12)). limit <= 0 gives 50,
// and more than 500 gives 500. An empty slice means there are no more.
func (s *Audit) AuditEntries(ctx context.Context, object string, afterID int64, limit int) ([]audit.Entry, error) {
	q := s.db.WithContext(ctx).Where("id > ?", afterID).Order("id")
	return s.auditPage(q, object, limit)
}

func (s *Audit) auditPage(q *gorm.DB, object string, limit int) ([]audit.Entry, error) {
	switch {
	case limit <= 0:
		limit = defaultAuditPage
	case limit > maxAuditPage:
		limit = maxAuditPage
	}
	if object != "" {
		q = q.Where("object = ?", object)
	}
	var rows []auditRow
	if err := q.Limit(limit).Find(&rows).Error; err != nil {
		return nil, internal(err, "read audit trail")
	}
	out := make([]audit.Entry, len(rows))
	for i, r := range rows {
		out[i] = r.entry()
	}
	return out, nil
}

// entry converts a row. An unreadable time becomes the zero time, which
// cannot match the chain value, so Verify reports the row as edited.
func (r auditRow) entry() audit.Entry {
	at, err := time.Parse(auditTimeFormat, r.At)
	if err != nil {
		at = time.Time{}
	}
	return audit.Entry{ID: r.ID, At: at, Actor: r.Actor, Action: audit.Action(r.Action), Object: r.Object,
		Address: r.Address, Detail: r.Detail, Prev: r.Prev, Hash: r.Hash}
}

// AuditHead returns the head of the trail: the ID and chain value of the
// last entry (zero for an empty trail). Writing it down outside the
// database, e.g. in the log of the verify command, lets a later
// verification show that the trail was not replaced by an older copy.
func (s *Audit) AuditHead(ctx context.Context) (audit.Head, error) {
	h, err := readAuditHead(ctx, s.sql)
	if err != nil {
		return audit.Head{}, internal(err, "read audit head")
	}
	return h, nil
}

// VerifyAudit walks the whole trail in ID order and returns the first broken
// link (nil if it is intact) and the number of entries found intact; see
// audit.Verify. Tampering is a Break, not an error; the error is for a
// database that cannot be read.
//
// It reads the head and the entries in one read transaction, so appends
// made meanwhile neither disturb nor wait for it (WAL), and it streams the
// rows one at a time, so the trail's length does not matter for memory.
func (s *Audit) VerifyAudit(ctx context.Context) (*audit.Break, int, error) {
	conn, err := s.sql.Conn(ctx)
	if err != nil {
		return nil, 0, internal(err, "verify audit trail")
	}
	defer conn.Close()
	// BEGIN DEFERRED, never IMMEDIATE (the write connection's), which would
	// hold the write lock, and so stop the portal, for the whole walk. A
	// deferred transaction reads one consistent snapshot and blocks nobody.
	// On PostgreSQL a repeatable-read transaction does the same.
	begin := "BEGIN DEFERRED"
	if s.dialect == migrations.Postgres {
		begin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
	}
	if _, err := conn.ExecContext(ctx, begin); err != nil {
		return nil, 0, internal(err, "verify audit trail")
	}
	defer func() {
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); err != nil {
			// Never hand a connection that may still be inside a
			// transaction back to the pool.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	head, err := readAuditHead(ctx, conn)
	if err != nil {
		return nil, 0, internal(err, "verify audit trail")
	}
	entries := func(yield func(audit.Entry, error) bool) {
		rows, err := conn.QueryContext(ctx,
			"SELECT id, at, actor, action, object, address, detail, prev, hash FROM audit_log ORDER BY id")
		if err != nil {
			yield(audit.Entry{}, err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var r auditRow
			if err := rows.Scan(&r.ID, &r.At, &r.Actor, &r.Action, &r.Object, &r.Address, &r.Detail, &r.Prev, &r.Hash); err != nil {
				yield(audit.Entry{}, err)
				return
			}
			if !yield(r.entry(), nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(audit.Entry{}, err)
		}
	}
	brk, n, err := audit.Verify(entries, head, s.auditMAC)
	if err != nil {
		return nil, n, internal(err, "verify audit trail")
	}
	return brk, n, nil
}

// queryRower is *sql.DB or *sql.Conn.
type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// readAuditHead reads the head; no row gives the zero Head.
func readAuditHead(ctx context.Context, db queryRower) (audit.Head, error) {
	var h audit.Head
	err := db.QueryRowContext(ctx, "SELECT last_id, last_hash, seal FROM audit_head WHERE id = 1").
		Scan(&h.LastID, &h.LastHash, &h.Seal)
	if errors.Is(err, sql.ErrNoRows) {
		return audit.Head{}, nil
	}
	if err != nil {
		return audit.Head{}, fmt.Errorf("audit head: %w", err)
	}
	return h, nil
}
