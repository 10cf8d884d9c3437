package store

import (
	"context"
	"slices"
	"strconv"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/audit"
)

// AuditSearch returns one page of the entries that match f, newest first,
// and whether newer and older matching entries exist. Paging is by keyset
// (f.Before, f.After), so a page deep in a long trail costs what the first
// does; each filter has an index that leads with its column and ends with
// the ID (migration 0020).
func (s *Audit) AuditSearch(ctx context.Context, f audit.Filter) (audit.Page, error) {
	switch {
	case f.Limit <= 0:
		f.Limit = defaultAuditPage
	case f.Limit > maxAuditPage:
		f.Limit = maxAuditPage
	}
	db := s.db.WithContext(ctx)
	var rows []auditRow
	if err := auditPageQuery(db, f).Find(&rows).Error; err != nil {
		return audit.Page{}, internal(err, "search audit trail")
	}
	more := len(rows) > f.Limit
	if more {
		rows = rows[:f.Limit]
	}
	if f.After > 0 {
		slices.Reverse(rows)
	}
	var p audit.Page
	for _, r := range rows {
		p.Entries = append(p.Entries, r.entry())
	}
	// The other direction: is there a matching entry beyond the cursor?
	var err error
	switch {
	case f.After > 0:
		p.Newer = more
		p.Older, err = auditAny(auditFiltered(db, f).Where("id <= ?", f.After))
	case f.Before > 0:
		p.Older = more
		p.Newer, err = auditAny(auditFiltered(db, f).Where("id >= ?", f.Before))
	default:
		p.Older = more
	}
	if err != nil {
		return audit.Page{}, internal(err, "search audit trail")
	}
	return p, nil
}

// auditPageQuery reads the page f asks for, one entry more than its
// limit to tell whether there are more: newest first, or after f.After
// oldest first (the caller turns that page round).
func auditPageQuery(db *gorm.DB, f audit.Filter) *gorm.DB {
	q := auditFiltered(db, f)
	if f.After > 0 {
		return q.Where("id > ?", f.After).Order("id").Limit(f.Limit + 1)
	}
	if f.Before > 0 {
		q = q.Where("id < ?", f.Before)
	}
	return q.Order("id DESC").Limit(f.Limit + 1)
}

// auditFiltered is the audit_log restricted by f's filters (not its keyset).
func auditFiltered(db *gorm.DB, f audit.Filter) *gorm.DB {
	q := db.Model(&auditRow{})
	switch {
	case f.ActorKind():
		// A range on the actor index: every "<kind>:<id>".
		q = q.Where("actor > ? AND actor < ?", f.Actor+":", f.Actor+";")
	case f.Actor != "":
		q = q.Where("actor = ?", f.Actor)
	}
	if f.Action != "" {
		q = q.Where("action = ?", string(f.Action))
	}
	if f.Object != "" {
		q = q.Where("object = ?", f.Object)
	}
	if !f.From.IsZero() {
		q = q.Where("at >= ?", f.From.UTC().Format(auditTimeFormat))
	}
	if !f.Until.IsZero() {
		q = q.Where("at < ?", f.Until.UTC().Format(auditTimeFormat))
	}
	return q
}

func auditAny(q *gorm.DB) (bool, error) {
	var ids []int64
	if err := q.Limit(1).Pluck("id", &ids).Error; err != nil {
		return false, err
	}
	return len(ids) > 0, nil
}

// AuditNames returns what the people and things that refs name ("staff:3",
// "api:3", "case:12", "breach:4", "branch:2", "activity:5") are called
// now: a staff member's name (for "staff" and "api" alike, under the
// "staff:<id>" key), a case's or breach's reference, a branch's name, a
// processing activity's key. It reads them in one
// query however many refs there are. A ref whose row is gone (a deleted
// case) is not in the map; other kinds are ignored.
func (s *Audit) AuditNames(ctx context.Context, refs []string) (map[string]string, error) {
	ids := map[string][]int64{}
	for _, r := range refs {
		kind, id, ok := audit.ParseRef(r)
		if !ok {
			continue
		}
		if kind == "api" {
			kind = "staff"
		}
		if !slices.Contains(ids[kind], id) {
			ids[kind] = append(ids[kind], id)
		}
	}
	out := map[string]string{}
	if len(ids["staff"])+len(ids["case"])+len(ids["breach"])+len(ids["branch"])+len(ids["activity"]) == 0 {
		return out, nil
	}
	// An empty IN list is harmless: gorm writes it as IN (NULL).
	var rows []struct {
		Kind string
		ID   int64
		Name string
	}
	err := s.db.WithContext(ctx).Raw(
		`SELECT 'staff' AS kind, id, name FROM staff WHERE id IN ?
		 UNION ALL SELECT 'case', id, reference FROM cases WHERE id IN ?
		 UNION ALL SELECT 'breach', id, reference FROM breaches WHERE id IN ?
		 UNION ALL SELECT 'branch', id, name FROM branches WHERE id IN ?
		 UNION ALL SELECT 'activity', id, key FROM activities WHERE id IN ?`,
		ids["staff"], ids["case"], ids["breach"], ids["branch"], ids["activity"]).Scan(&rows).Error
	if err != nil {
		return nil, internal(err, "read audit names")
	}
	for _, r := range rows {
		out[r.Kind+":"+strconv.FormatInt(r.ID, 10)] = r.Name
	}
	return out, nil
}

// AuditObject returns the audit object ("case:12", "breach:4") of the case
// or breach with reference ref, or a NotFound error.
func (s *Audit) AuditObject(ctx context.Context, ref string) (string, error) {
	db := s.db.WithContext(ctx)
	var ids []int64
	if err := db.Table("cases").Where("reference = ?", ref).Limit(1).Pluck("id", &ids).Error; err != nil {
		return "", internal(err, "find case for audit")
	}
	if len(ids) == 1 {
		return audit.Case(ids[0]), nil
	}
	if err := db.Table("breaches").Where("reference = ?", ref).Limit(1).Pluck("id", &ids).Error; err != nil {
		return "", internal(err, "find breach for audit")
	}
	if len(ids) == 1 {
		return audit.Breach(ids[0]), nil
	}
	return "", notFound()
}
