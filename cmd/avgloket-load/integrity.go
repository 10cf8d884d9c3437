package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	_ "github.com/mattn/go-sqlite3" // the driver the portal uses
)

// integrityCheck opens the database file of a portal that is not running
// (SQLite recovers from the WAL on open, as the portal would) and runs
// PRAGMA integrity_check and foreign_key_check. It returns "ok" or the
// problems found.
func integrityCheck(ctx context.Context, path string) (string, error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		return "", err
	}
	defer db.Close()
	var problems []string
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return "", fmt.Errorf("integrity_check: %w", err)
	}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			_ = rows.Close()
			return "", err
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Close(); err != nil {
		return "", err
	}
	fk, err := db.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return "", fmt.Errorf("foreign_key_check: %w", err)
	}
	n := 0
	for fk.Next() {
		n++
	}
	if err := fk.Close(); err != nil {
		return "", err
	}
	if n > 0 {
		problems = append(problems, fmt.Sprintf("%d foreign key violations", n))
	}
	if len(problems) == 0 {
		return "ok", nil
	}
	return strings.Join(problems[:min(len(problems), 5)], "; "), nil
}
