package store

import (
	"context"
	"fmt"

	"github.com/avgloket/avgloket/internal/vault"
)

// SealedVersions is how many sealed values, over every sealed column, each
// key version seals (Sealed), and how many values are not vault blobs at
// all (Unreadable: damaged; no key opens them).
type SealedVersions struct {
	Sealed     map[uint32]int64
	Unreadable int64
}

// CountSealedVersions counts the sealed values of every sealed column per
// key version, as key status shows them and key retire checks them. It
// reads the head of each value only (the version is in its first bytes), on
// the read pool, and does not authenticate. NULL and empty values are not
// sealed values, as for RewrapSealed.
func (s *Store) CountSealedVersions(ctx context.Context) (SealedVersions, error) {
	out := SealedVersions{Sealed: map[uint32]int64{}}
	for _, c := range sealedColumns {
		column := quoteIdent(c.Column)
		// StreamHeaderSize bytes hold a blob's key header, all KeyVersion
		// reads.
		q := fmt.Sprintf("SELECT substr(%s, 1, %d) FROM %s WHERE %s IS NOT NULL AND length(%s) > 0",
			column, vault.StreamHeaderSize, quoteIdent(c.Table), column, column)
		if err := s.countVersions(ctx, q, &out); err != nil {
			return out, fmt.Errorf("count %s: %w", c, err)
		}
	}
	return out, nil
}

func (s *Store) countVersions(ctx context.Context, q string, out *SealedVersions) error {
	rows, err := s.sql.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	var head []byte
	for rows.Next() {
		if err := rows.Scan(&head); err != nil {
			return err
		}
		if v, err := s.vault.KeyVersion(head); err == nil {
			out.Sealed[v]++
		} else {
			out.Unreadable++
		}
	}
	return rows.Err()
}
