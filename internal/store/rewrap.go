package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/vault"
)

// SealedColumn is a column that holds vault blobs, and how the associated
// data of its values is built: vault.AAD(Table, Column, <Row evaluated on the
// value's row>).
type SealedColumn struct {
	Table  string
	Column string
	// Row is an SQL expression over the table's own columns that gives the
	// row part of the associated data exactly as the code sealing the column
	// builds it (idString(id) is CAST(id AS TEXT)).
	Row string
}

func (c SealedColumn) String() string { return c.Table + "." + c.Column }

// sealedColumns is every column holding vault blobs: the one list the
// rewrap command walks. A sealed column missing here would stay on an old
// key version and become unreadable once that version is retired, so
// TestSealedColumnsCoverEveryBlobColumn fails when the schema has a BLOB
// column that is not listed. Add a new sealed column here together with the
// code that seals it.
var sealedColumns = []SealedColumn{
	// caseRow: bound to the reference, which exists before the insert.
	{Table: "cases", Column: "requester", Row: "reference"},
	{Table: "cases", Column: "subject", Row: "reference"},
	{Table: "cases", Column: "details", Row: "reference"},
	// enqueue: bound to the row id, sealed right after the insert.
	{Table: "outbox", Column: "message", Row: "CAST(id AS TEXT)"},
	// insertEvents: bound to the row id; NULL for events without text.
	{Table: "case_events", Column: "body", Row: "CAST(id AS TEXT)"},
	// writeRecords: bound to "<case id>/<key>", the primary key.
	{Table: "case_requirements", Column: "reason", Row: `CAST(case_id AS TEXT) || '/' || "key"`},
	{Table: "info_requests", Column: "text", Row: "CAST(id AS TEXT)"},
	{Table: "info_requests", Column: "answer", Row: "CAST(id AS TEXT)"},
	// insertLetter: the decision letter, bound to the case id (its key).
	{Table: "case_letters", Column: "letter", Row: "CAST(case_id AS TEXT)"},
	// writeAnswers: the access statement, bound to its case's id.
	{Table: "access_statements", Column: "body", Row: "CAST(case_id AS TEXT)"},
	// writeRestriction: the restriction's words, bound to its case's id.
	{Table: "case_restrictions", Column: "body", Row: "CAST(case_id AS TEXT)"},
	// totpAAD: bound to the staff id.
	{Table: "staff", Column: "totp_secret", Row: "CAST(id AS TEXT)"},
	// verifierAAD: bound to the state hash (the id is not known before the insert).
	{Table: "oidc_attempts", Column: "verifier", Row: "state_hash"},
	// The breach register (breaches.go): the body bound to the reference,
	// the others to the row id (the settings' one row is id 1).
	{Table: "breaches", Column: "body", Row: "reference"},
	{Table: "breach_notifications", Column: "draft", Row: "CAST(id AS TEXT)"},
	{Table: "breach_recipients", Column: "contact", Row: "CAST(id AS TEXT)"},
	{Table: "breach_settings", Column: "contacts", Row: "CAST(id AS TEXT)"},
	// mailPasswordAAD: the SMTP password, bound to the one row's id; NULL
	// without a login.
	{Table: "mail_settings", Column: "password", Row: "CAST(id AS TEXT)"},
	// AddConsent: bound to the row id, sealed right after the insert.
	{Table: "consents", Column: "person", Row: "CAST(id AS TEXT)"},
	// deliveries.go: an answer document's name, bound to its id (the
	// file's id, known before the insert).
	{Table: "case_documents", Column: "name", Row: "id"},
	// writeNotices: an art. 19 notice's letter, bound to the row id,
	// sealed right after the insert; NULL once the case is anonymised.
	{Table: "case_notices", Column: "letter", Row: "CAST(id AS TEXT)"},
	// writeRectification: bound to "<case id>/<position>", the primary
	// key; new_value, reason and statement are NULL where an item has none.
	{Table: "case_rectification_items", Column: "old_value", Row: `CAST(case_id AS TEXT) || '/' || CAST(position AS TEXT)`},
	{Table: "case_rectification_items", Column: "new_value", Row: `CAST(case_id AS TEXT) || '/' || CAST(position AS TEXT)`},
	{Table: "case_rectification_items", Column: "reason", Row: `CAST(case_id AS TEXT) || '/' || CAST(position AS TEXT)`},
	{Table: "case_rectification_items", Column: "statement", Row: `CAST(case_id AS TEXT) || '/' || CAST(position AS TEXT)`},
	// writeObjection: the balancing's grounds, bound to the case id; a
	// marketing stop's person, bound to the row id, sealed after the insert.
	{Table: "case_objections", Column: "grounds", Row: "CAST(case_id AS TEXT)"},
	{Table: "marketing_stops", Column: "person", Row: "CAST(id AS TEXT)"},
	// writePortability: a portability case's data and transfers, bound to
	// the case id (its key).
	{Table: "case_portability", Column: "body", Row: "CAST(case_id AS TEXT)"},
	// keycheck.go: the key check value, the one row id 1.
	{Table: "key_check", Column: "value", Row: "CAST(id AS TEXT)"},
}

// rewrapKeys are the primary keys of the sealed columns' tables that are
// not "id": RewrapSealed pages through a table in key order (keyset
// paging), which both databases do from the key's index.
var rewrapKeys = map[string][]string{
	"case_requirements":        {"case_id", "key"},
	"case_letters":             {"case_id"},
	"access_statements":        {"case_id"},
	"case_restrictions":        {"case_id"},
	"case_rectification_items": {"case_id", "position"},
	"case_objections":          {"case_id"},
	"case_portability":         {"case_id"},
}

// keyOf returns the primary key columns of table.
func keyOf(table string) []string {
	if k, ok := rewrapKeys[table]; ok {
		return k
	}
	return []string{"id"}
}

// SealedColumns returns every column that holds vault blobs, in the order
// RewrapSealed walks them.
func SealedColumns() []SealedColumn { return slices.Clone(sealedColumns) }

// RewrapCount is what RewrapSealed did to one sealed column. Sealed counts
// the values present (NULL and empty are not sealed values); of those,
// Current were already on the current key version, Rewrapped were moved to
// it and Failed could not be opened and were left as they are. The rest
// (Left minus Failed) changed while the command ran and were left to the
// writer that changed them.
type RewrapCount struct {
	Column                             SealedColumn
	Sealed, Current, Rewrapped, Failed int64
}

// Left is how many values are still on another key version.
func (c RewrapCount) Left() int64 { return c.Sealed - c.Current - c.Rewrapped }

// RewrapFailure names a sealed value that could not be rewrapped: its column
// and its row's primary key (the key's values joined by "/"), never its
// content.
type RewrapFailure struct {
	Column SealedColumn
	Key    string
	Err    error
}

func (f RewrapFailure) Error() string {
	return fmt.Sprintf("%s key %s: %v", f.Column, f.Key, f.Err)
}

// RewrapResult is what RewrapSealed did, per column, and the first failures
// (at most maxRewrapFailures; the counts have them all).
type RewrapResult struct {
	Version  uint32 // the key version values were moved to
	Columns  []RewrapCount
	Failures []RewrapFailure
}

const maxRewrapFailures = 10

// Totals adds up the columns.
func (r RewrapResult) Totals() (t RewrapCount) {
	for _, c := range r.Columns {
		t.Sealed += c.Sealed
		t.Current += c.Current
		t.Rewrapped += c.Rewrapped
		t.Failed += c.Failed
	}
	return t
}

// RewrapSealed moves every sealed value that is not on the key ring's
// current KEK version to it (vault Rewrap: the data key is wrapped again, the
// ciphertext stays), column by column, batch rows at a time in key order,
// so memory use does not grow with the table. A batch is read and rewrapped
// outside any transaction, then written in one write transaction with a
// compare-and-set (the row still holds the blob that was read), so the
// portal may keep running and a value it changed meanwhile is left alone.
// Values that do not open (tampered, unknown key version) are counted and
// reported, and left as they are; a value on a newer version than the ring's
// current one (the key file was rotated meanwhile) counts as a failure too,
// rather than being moved back. Running it again after a complete run
// changes nothing. The error is for a database failure or ctx ending; what
// was committed before stays committed, which is harmless, since each value
// opens with either version.
func (s *Store) RewrapSealed(ctx context.Context, batch int) (RewrapResult, error) {
	if batch < 1 {
		return RewrapResult{}, errors.New("rewrap: batch size must be positive")
	}
	res := RewrapResult{Version: s.vault.CurrentVersion()}
	for _, c := range sealedColumns {
		n, err := s.rewrapColumn(ctx, c, batch, res.Version, &res)
		res.Columns = append(res.Columns, n)
		if err != nil {
			return res, fmt.Errorf("rewrap %s: %w", c, err)
		}
	}
	return res, nil
}

func quoteIdent(s string) string { return `"` + s + `"` }

func (s *Store) rewrapColumn(ctx context.Context, c SealedColumn, batch int, cur uint32, res *RewrapResult) (RewrapCount, error) {
	n := RewrapCount{Column: c}
	table, column := quoteIdent(c.Table), quoteIdent(c.Column)
	key := make([]string, len(keyOf(c.Table)))
	for i, k := range keyOf(c.Table) {
		key[i] = quoteIdent(k)
	}
	keyList := strings.Join(key, ", ")
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(key)), ", ")
	// The row part is named, or PostgreSQL would call CAST(id AS TEXT) "id"
	// too and find ORDER BY id ambiguous.
	first := fmt.Sprintf("SELECT %s, %s AS aad_row, %s FROM %s WHERE %s IS NOT NULL ORDER BY %s LIMIT ?",
		keyList, c.Row, column, table, column, keyList)
	next := fmt.Sprintf("SELECT %s, %s AS aad_row, %s FROM %s WHERE (%s) > (%s) AND %s IS NOT NULL ORDER BY %s LIMIT ?",
		keyList, c.Row, column, table, keyList, marks, column, keyList)
	upd := fmt.Sprintf("UPDATE %s SET %s = ? WHERE (%s) = (%s) AND %s = ?", table, column, keyList, marks, column)
	type change struct {
		key      []any
		old, new []byte
	}
	var after []any
	todo := make([]change, 0, batch)
	for {
		todo = todo[:0]
		sel, args := first, []any{batch}
		if after != nil {
			sel, args = next, append(slices.Clone(after), batch)
		}
		read, err := s.rewrapBatch(ctx, sel, args, len(key), func(k []any, row string, blob []byte) {
			after = k
			if len(blob) == 0 {
				return
			}
			n.Sealed++
			ver, err := s.vault.KeyVersion(blob)
			if err == nil && ver == cur {
				n.Current++
				return
			}
			if err == nil && ver > cur {
				err = fmt.Errorf("key version %d is newer than the key file's current version %d", ver, cur)
			}
			var out []byte
			if err == nil {
				out, _, err = s.vault.Rewrap(blob, vault.AAD(c.Table, c.Column, row))
			}
			if err != nil {
				n.Failed++
				if len(res.Failures) < maxRewrapFailures {
					res.Failures = append(res.Failures, RewrapFailure{Column: c, Key: keyString(k), Err: err})
				}
				return
			}
			todo = append(todo, change{key: k, old: blob, new: out})
		})
		if err != nil {
			return n, err
		}
		if len(todo) > 0 {
			// Counted per attempt: on PostgreSQL the write may run again.
			var rewrapped int64
			err := s.write(ctx, func(tx *gorm.DB) error {
				rewrapped = 0
				for _, ch := range todo {
					args := append(append([]any{ch.new}, ch.key...), ch.old)
					r := tx.Exec(upd, args...)
					if r.Error != nil {
						return r.Error
					}
					if r.RowsAffected == 1 {
						rewrapped++
					}
				}
				return nil
			})
			n.Rewrapped += rewrapped
			if err != nil {
				return n, err
			}
		}
		if read < batch {
			return n, nil
		}
	}
}

// rewrapBatch reads rows with sel and args, each row being its keyLen key
// columns, the row part of the associated data and the blob, and hands
// each to fn, returning how many it read. The rows are read and closed
// before anything is written, so the read never holds up the write
// transaction.
func (s *Store) rewrapBatch(ctx context.Context, sel string, args []any, keyLen int, fn func(key []any, row string, blob []byte)) (int, error) {
	rows, err := s.db.WithContext(ctx).Raw(sel, args...).Rows()
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	read := 0
	for rows.Next() {
		var (
			row  string
			blob []byte
		)
		key := make([]any, keyLen)
		dest := make([]any, 0, keyLen+2)
		for i := range key {
			dest = append(dest, &key[i])
		}
		if err := rows.Scan(append(dest, &row, &blob)...); err != nil {
			return read, err
		}
		for i, v := range key {
			if b, ok := v.([]byte); ok {
				key[i] = string(b)
			}
		}
		read++
		fn(key, row, blob)
	}
	return read, rows.Err()
}

// keyString shows a row's key as its values joined by "/".
func keyString(key []any) string {
	parts := make([]string, len(key))
	for i, v := range key {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, "/")
}

// FileDestroyed reports whether the file with this id is recorded as
// destroyed. An id without a record (an upload whose case change is not
// committed yet) is not destroyed. The rewrap command leaves destroyed files
// alone: the sweep removes them, and once their old key version is retired
// nothing can open a copy that survived anyway.
func (s *Store) FileDestroyed(ctx context.Context, id string) (bool, error) {
	var destroyed bool
	err := s.db.WithContext(ctx).Raw("SELECT destroyed_at IS NOT NULL FROM case_files WHERE id = ?", id).Row().Scan(&destroyed)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, internal(err, "read file record")
	}
	return destroyed, nil
}
