package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/migrations"
)

var auditT0 = time.Date(2026, time.November, 25, 9, 0, 0, 0, time.UTC)

// auditEntry is a valid entry; i varies actor, object and time.
func auditEntry(i int) audit.Entry {
	return audit.Entry{
		At:      auditT0.Add(time.Duration(i)*time.Second + time.Duration(i)*time.Nanosecond),
		Actor:   audit.Staff(int64(i%3 + 1)),
		Action:  audit.CaseView,
		Object:  audit.Case(int64(i%2 + 1)),
		Address: "192.0.2.1",
		Detail:  fmt.Sprintf("n=%d", i),
	}
}

func mustAppend(tb testing.TB, s *Store, e audit.Entry) {
	tb.Helper()
	if err := s.AppendAudit(context.Background(), e); err != nil {
		tb.Fatalf("AppendAudit: %v", err)
	}
}

// mustVerify fails the test unless the trail is intact with want entries.
func mustVerify(tb testing.TB, s *Store, want int) {
	tb.Helper()
	brk, n, err := s.VerifyAudit(context.Background())
	if err != nil {
		tb.Fatalf("VerifyAudit: %v", err)
	}
	if brk != nil {
		tb.Fatalf("VerifyAudit = %v, want intact", brk)
	}
	if n != want {
		tb.Fatalf("VerifyAudit checked %d entries, want %d", n, want)
	}
}

// wantBreak fails the test unless VerifyAudit reports a break at id.
func wantBreak(tb testing.TB, s *Store, id int64) *audit.Break {
	tb.Helper()
	brk, _, err := s.VerifyAudit(context.Background())
	if err != nil {
		tb.Fatalf("VerifyAudit: %v", err)
	}
	if brk == nil {
		tb.Fatalf("VerifyAudit found the trail intact, want a break at %d", id)
	}
	if brk.ID != id {
		tb.Fatalf("VerifyAudit = %v, want a break at %d", brk, id)
	}
	return brk
}

func rawExec(tb testing.TB, s *Store, q string, args ...any) {
	tb.Helper()
	if err := rawWrite(s).Exec(q, args...).Error; err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
}

// dropAuditTriggers is what someone with write access to the database file
// can do; the keyed chain must still show what they did next.
func dropAuditTriggers(tb testing.TB, s *Store) {
	tb.Helper()
	for _, name := range []string{"audit_log_no_update", "audit_log_no_delete", "audit_log_next_id",
		"audit_head_first", "audit_head_advance", "audit_head_no_delete"} {
		drop := "DROP TRIGGER " + name
		if s.dialect == migrations.Postgres {
			table, _, _ := strings.Cut(strings.TrimPrefix(name, "audit_"), "_")
			drop += " ON audit_" + table
		}
		rawExec(tb, s, drop)
	}
}

func auditIDs(es []audit.Entry) []int64 {
	out := make([]int64, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func TestAuditAppendConcurrentAndVerify(t *testing.T) {
	env := newTestStore(t)
	s := env.s
	mustVerify(t, s, 0) // empty trail, no head

	for i := range 10 {
		mustAppend(t, s, auditEntry(i))
	}
	const workers, each = 8, 5
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for j := range each {
				if err := s.AppendAudit(t.Context(), auditEntry(10+w*each+j)); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent AppendAudit: %v", err)
	}
	const total = 10 + workers*each

	all, err := s.AuditEntries(t.Context(), "", 0, 500)
	if err != nil {
		t.Fatalf("AuditEntries: %v", err)
	}
	want := make([]int64, total)
	for i := range want {
		want[i] = int64(i + 1)
	}
	if got := auditIDs(all); !slices.Equal(got, want) {
		t.Fatalf("ids = %v, want 1…%d without gaps or repeats", got, total)
	}
	details := map[string]bool{}
	for i, e := range all {
		details[e.Detail] = true
		if i > 0 && e.Prev != all[i-1].Hash {
			t.Errorf("entry %d links to %.8s…, want %.8s… (the chain forked)", e.ID, e.Prev, all[i-1].Hash)
		}
	}
	if len(details) != total {
		t.Errorf("%d distinct entries stored, want %d", len(details), total)
	}
	if all[0].Prev != "" {
		t.Errorf("first entry Prev = %q, want empty", all[0].Prev)
	}
	head, err := s.AuditHead(t.Context())
	if err != nil {
		t.Fatalf("AuditHead: %v", err)
	}
	if head.LastID != total || head.LastHash != all[total-1].Hash {
		t.Errorf("head = %d %.8s…, want %d %.8s…", head.LastID, head.LastHash, total, all[total-1].Hash)
	}
	mustVerify(t, s, total)

	// Entries read back equal what was written, time included to the
	// nanosecond (the chain value depends on it).
	first := auditEntry(0)
	got := all[0]
	if !got.At.Equal(first.At) || got.At.Location() != time.UTC || got.Actor != first.Actor ||
		got.Action != first.Action || got.Object != first.Object || got.Address != first.Address || got.Detail != first.Detail {
		t.Errorf("entry 1 = %+v, want the fields of %+v", got, first)
	}
}

// With the triggers in place, ordinary SQL cannot rewrite the trail.
func TestAuditTriggersRefuseChanges(t *testing.T) {
	env := newTestStore(t)
	s := env.s
	for i := range 3 {
		mustAppend(t, s, auditEntry(i))
	}
	tests := []struct{ name, sql, want string }{
		{"update a row", "UPDATE audit_log SET detail = 'x' WHERE id = 2", "append-only"},
		{"delete a row", "DELETE FROM audit_log WHERE id = 2", "append-only"},
		{"delete the last row", "DELETE FROM audit_log WHERE id = 3", "append-only"},
		{"delete every row", "DELETE FROM audit_log", "append-only"},
		{"insert out of turn", "INSERT INTO audit_log (id, at, actor, action, object, address, detail, prev, hash) " +
			"VALUES (10, 'x', 'system', 'sign_in', '', '', '', '', '')", "follow audit_head"},
		{"insert without an id", "INSERT INTO audit_log (at, actor, action, object, address, detail, prev, hash) " +
			"VALUES ('x', 'system', 'sign_in', '', '', '', '', '')", "follow audit_head"},
		{"move the head back", "UPDATE audit_head SET last_id = 2, last_hash = (SELECT hash FROM audit_log WHERE id = 2)", "moves on"},
		{"delete the head", "DELETE FROM audit_head", "cannot be deleted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := rawWrite(s).WithContext(t.Context()).Exec(tt.sql).Error
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: err = %v, want one containing %q", tt.sql, err, tt.want)
			}
		})
	}
	mustVerify(t, s, 3)
}

// Someone who drops the triggers can change rows, but VerifyAudit names the
// entry they touched.
func TestAuditVerifyFindsTampering(t *testing.T) {
	env := newTestStore(t)
	s := env.s
	const n = 50
	for i := range n {
		mustAppend(t, s, auditEntry(i))
	}
	mustVerify(t, s, n)
	dropAuditTriggers(t, s)

	var row auditRow
	if err := s.db.Where("id = 17").Take(&row).Error; err != nil {
		t.Fatalf("read row 17: %v", err)
	}

	t.Run("detail edited", func(t *testing.T) {
		rawExec(t, s, "UPDATE audit_log SET detail = 'n=0' WHERE id = 17")
		if brk := wantBreak(t, s, 17); brk.Kind != audit.Edited {
			t.Errorf("kind = %s, want %s", brk.Kind, audit.Edited)
		}
		rawExec(t, s, "UPDATE audit_log SET detail = ? WHERE id = 17", row.Detail)
		mustVerify(t, s, n)
	})
	t.Run("time edited", func(t *testing.T) {
		rawExec(t, s, "UPDATE audit_log SET at = ? WHERE id = 17", auditT0.Format(auditTimeFormat))
		wantBreak(t, s, 17)
		rawExec(t, s, "UPDATE audit_log SET at = 'not a time' WHERE id = 17")
		wantBreak(t, s, 17)
		rawExec(t, s, "UPDATE audit_log SET at = ? WHERE id = 17", row.At)
		mustVerify(t, s, n)
	})
	t.Run("hash edited", func(t *testing.T) {
		rawExec(t, s, "UPDATE audit_log SET hash = prev WHERE id = 17")
		wantBreak(t, s, 17)
		rawExec(t, s, "UPDATE audit_log SET hash = ? WHERE id = 17", row.Hash)
		mustVerify(t, s, n)
	})
	t.Run("middle row deleted", func(t *testing.T) {
		rawExec(t, s, "DELETE FROM audit_log WHERE id = 17")
		if brk := wantBreak(t, s, 17); brk.Kind != audit.Missing {
			t.Errorf("kind = %s, want %s", brk.Kind, audit.Missing)
		}
		if err := rawWrite(s).Create(&row).Error; err != nil {
			t.Fatalf("restore row 17: %v", err)
		}
		mustVerify(t, s, n)
	})
	t.Run("middle row deleted and later rows renumbered", func(t *testing.T) {
		rawExec(t, s, "DELETE FROM audit_log WHERE id = 17")
		rawExec(t, s, "UPDATE audit_log SET id = id - 1 WHERE id > 17")
		if brk := wantBreak(t, s, 17); brk.Kind != audit.Unlinked {
			t.Errorf("kind = %s, want %s", brk.Kind, audit.Unlinked)
		}
		rawExec(t, s, "UPDATE audit_log SET id = -id WHERE id >= 17")
		rawExec(t, s, "UPDATE audit_log SET id = 1 - id WHERE id < 0")
		if err := rawWrite(s).Create(&row).Error; err != nil {
			t.Fatalf("restore row 17: %v", err)
		}
		mustVerify(t, s, n)
	})

	var last auditRow
	if err := s.db.Where("id = ?", n).Take(&last).Error; err != nil {
		t.Fatalf("read last row: %v", err)
	}
	var head auditHeadRow
	if err := s.db.Take(&head).Error; err != nil {
		t.Fatalf("read head: %v", err)
	}
	t.Run("last row deleted", func(t *testing.T) {
		rawExec(t, s, "DELETE FROM audit_log WHERE id = ?", n)
		if brk := wantBreak(t, s, n); brk.Kind != audit.Missing {
			t.Errorf("kind = %s, want %s", brk.Kind, audit.Missing)
		}
		// Appending now continues after the head, so the hole stays.
		mustAppend(t, s, auditEntry(n))
		wantBreak(t, s, n)
		rawExec(t, s, "DELETE FROM audit_log WHERE id = ?", n+1)
		rawExec(t, s, "UPDATE audit_head SET last_id = ?, last_hash = ?, seal = ?", head.LastID, head.LastHash, head.Seal)
		if err := rawWrite(s).Create(&last).Error; err != nil {
			t.Fatalf("restore last row: %v", err)
		}
		mustVerify(t, s, n)
	})
	t.Run("last row deleted and the head pointed at the one before", func(t *testing.T) {
		rawExec(t, s, "DELETE FROM audit_log WHERE id = ?", n)
		rawExec(t, s, "UPDATE audit_head SET last_id = ?, last_hash = (SELECT hash FROM audit_log WHERE id = ?)", n-1, n-1)
		if brk := wantBreak(t, s, n); brk.Kind != audit.HeadMismatch {
			t.Errorf("kind = %s, want %s", brk.Kind, audit.HeadMismatch)
		}
		// The store will not extend a trail whose head it did not seal,
		// which would hide the deletion.
		err := s.AppendAudit(t.Context(), auditEntry(n))
		if !errors.Is(err, errAuditHead) || apperr.CodeOf(err) != apperr.Internal {
			t.Errorf("AppendAudit on a forged head = %v, want an internal error wrapping errAuditHead", err)
		}
		rawExec(t, s, "UPDATE audit_head SET last_id = ?, last_hash = ?, seal = ?", head.LastID, head.LastHash, head.Seal)
		if err := rawWrite(s).Create(&last).Error; err != nil {
			t.Fatalf("restore last row: %v", err)
		}
		mustVerify(t, s, n)
	})
	t.Run("head deleted", func(t *testing.T) {
		rawExec(t, s, "DELETE FROM audit_head")
		if brk := wantBreak(t, s, n); brk.Kind != audit.HeadMismatch {
			t.Errorf("kind = %s, want %s", brk.Kind, audit.HeadMismatch)
		}
		if err := s.AppendAudit(t.Context(), auditEntry(n)); err == nil {
			t.Error("AppendAudit without a head over an existing trail succeeded")
		}
	})
}

// A change and its audit entry commit together, or neither does.
func TestAuditAppendInsideTransaction(t *testing.T) {
	env := newTestStore(t)
	s := env.s
	mustAppend(t, s, auditEntry(0))
	boom := errors.New("the change failed")
	err := s.write(t.Context(), func(tx *gorm.DB) error {
		if err := s.appendAudit(tx, auditEntry(1)); err != nil {
			return err
		}
		if err := s.appendAudit(tx, auditEntry(2)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("transaction = %v, want %v", err, boom)
	}
	mustVerify(t, s, 1)
	err = s.write(t.Context(), func(tx *gorm.DB) error {
		if err := s.appendAudit(tx, auditEntry(1)); err != nil {
			return err
		}
		return s.appendAudit(tx, auditEntry(2))
	})
	if err != nil {
		t.Fatalf("transaction: %v", err)
	}
	mustVerify(t, s, 3)
}

func TestAuditAppendRejectsInvalidEntries(t *testing.T) {
	env := newTestStore(t)
	s := env.s
	mustAppend(t, s, auditEntry(0))
	for name, change := range map[string]func(*audit.Entry){
		"e-mail in detail": func(e *audit.Entry) { e.Detail = "to=jan@example.nl" },
		"name as actor":    func(e *audit.Entry) { e.Actor = "Jan de Vries" },
		"long detail":      func(e *audit.Entry) { e.Detail = strings.Repeat("x", audit.MaxDetail+1) },
		"unknown action":   func(e *audit.Entry) { e.Action = "case_peek" },
		"no time":          func(e *audit.Entry) { e.At = time.Time{} },
		"hostname, not IP": func(e *audit.Entry) { e.Address = "pc-receptie" },
		"reference object": func(e *audit.Entry) { e.Object = "case:AVG-2026-0001" },
	} {
		t.Run(name, func(t *testing.T) {
			e := auditEntry(1)
			change(&e)
			err := s.AppendAudit(t.Context(), e)
			if !errors.Is(err, audit.ErrInvalid) || apperr.CodeOf(err) != apperr.Internal {
				t.Errorf("AppendAudit = %v, want an internal error wrapping audit.ErrInvalid", err)
			}
		})
	}
	mustVerify(t, s, 1)

	// The store numbers and chains entries; whatever the caller put there
	// is overwritten.
	e := auditEntry(1)
	e.ID, e.Prev, e.Hash = 99, "forged", "forged"
	mustAppend(t, s, e)
	got, err := s.AuditEntries(t.Context(), "", 1, 10)
	if err != nil || len(got) != 1 || got[0].ID != 2 || got[0].Prev == "forged" || got[0].Hash == "forged" {
		t.Errorf("AuditEntries after a preset id = %+v, %v; want entry 2 chained by the store", got, err)
	}
	mustVerify(t, s, 2)
}

func TestAuditEntriesPaging(t *testing.T) {
	env := newTestStore(t)
	s := env.s
	// Odd i → case:2, even i → case:1; every third is a sign-in without object.
	var want1, want2 []int64
	for i := range 30 {
		e := auditEntry(i)
		if i%3 == 0 {
			e.Object, e.Action = "", audit.SignIn
		}
		mustAppend(t, s, e)
		switch e.Object {
		case audit.Case(1):
			want1 = append(want1, int64(i+1))
		case audit.Case(2):
			want2 = append(want2, int64(i+1))
		}
	}

	pageAll := func(t *testing.T, object string, limit int, newestFirst bool) ([]int64, int) {
		t.Helper()
		var ids []int64
		var cursor int64
		pages := 0
		for {
			var page []audit.Entry
			var err error
			if newestFirst {
				var p audit.Page
				p, err = s.AuditSearch(t.Context(), audit.Filter{Object: object, Before: cursor, Limit: limit})
				page = p.Entries
			} else {
				page, err = s.AuditEntries(t.Context(), object, cursor, limit)
			}
			if err != nil {
				t.Fatalf("page: %v", err)
			}
			if len(page) > limit {
				t.Fatalf("page of %d entries, limit %d", len(page), limit)
			}
			if len(page) == 0 {
				return ids, pages
			}
			pages++
			for _, e := range page {
				if object != "" && e.Object != object {
					t.Errorf("entry %d has object %q, want %q", e.ID, e.Object, object)
				}
			}
			ids = append(ids, auditIDs(page)...)
			cursor = page[len(page)-1].ID
		}
	}
	tests := []struct {
		name        string
		object      string
		limit       int
		newestFirst bool
		want        []int64
		pages       int
	}{
		{"case 1 oldest first", audit.Case(1), 3, false, want1, 4},
		{"case 2 oldest first", audit.Case(2), 4, false, want2, 3},
		{"case 2 newest first", audit.Case(2), 4, true, reversed(want2), 3},
		{"everything oldest first", "", 7, false, seqIDs(1, 30), 5},
		{"everything newest first", "", 7, true, reversed(seqIDs(1, 30)), 5},
		{"an object without entries", audit.Breach(1), 5, false, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, pages := pageAll(t, tt.object, tt.limit, tt.newestFirst)
			if !slices.Equal(got, tt.want) {
				t.Errorf("ids = %v, want %v", got, tt.want)
			}
			if pages != tt.pages {
				t.Errorf("%d pages, want %d", pages, tt.pages)
			}
		})
	}

	t.Run("limits", func(t *testing.T) {
		for _, tt := range []struct{ limit, want int }{{0, 30}, {-1, 30}, {10_000, 30}, {2, 2}} {
			page, err := s.AuditEntries(t.Context(), "", 0, tt.limit)
			if err != nil || len(page) != tt.want {
				t.Errorf("AuditEntries(limit %d) = %d entries, %v; want %d", tt.limit, len(page), err, tt.want)
			}
		}
	})
}

func seqIDs(from, to int64) []int64 {
	var out []int64
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

func reversed(s []int64) []int64 {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

// Verification reads a snapshot: appends going on meanwhile neither fail it
// nor wait for it.
func TestAuditVerifyWhileAppending(t *testing.T) {
	env := newTestStore(t)
	s := env.s
	for i := range 20 {
		mustAppend(t, s, auditEntry(i))
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 20; ctx.Err() == nil; i++ {
			if err := s.AppendAudit(ctx, auditEntry(i)); err != nil && ctx.Err() == nil {
				t.Errorf("AppendAudit: %v", err)
				return
			}
		}
	})
	for range 10 {
		brk, n, err := s.VerifyAudit(t.Context())
		if err != nil || brk != nil || n < 20 {
			t.Errorf("VerifyAudit during appends = %v, %d, %v", brk, n, err)
		}
	}
	cancel()
	wg.Wait()
	brk, _, err := s.VerifyAudit(t.Context())
	if err != nil || brk != nil {
		t.Errorf("VerifyAudit after appends = %v, %v", brk, err)
	}
}

func BenchmarkAppendAudit(b *testing.B) {
	env := newTestStore(b)
	e := auditEntry(1)
	b.ReportAllocs()
	for b.Loop() {
		if err := env.s.AppendAudit(b.Context(), e); err != nil {
			b.Fatal(err)
		}
	}
}
