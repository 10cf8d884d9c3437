package store

import (
	"encoding/json"
	"strconv"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/casework"
)

// caseRectificationRow is one item of a rectification case. The old and new
// values, the reason and the statement are the person's data: sealed, bound
// to "<case id>/<position>", NULL where the item has none. Field and the
// systems (a JSON list) name data and systems, not the person: not sealed.
type caseRectificationRow struct {
	CaseID    int64 `gorm:"primaryKey"`
	Position  int   `gorm:"primaryKey"`
	Field     string
	OldValue  []byte
	NewValue  []byte
	Systems   string
	Kept      bool
	Reason    []byte
	Statement []byte
}

func (caseRectificationRow) TableName() string { return "case_rectification_items" }

// rectificationAAD is the row part of the associated data of the sealed
// columns of item position of case caseID.
func rectificationAAD(caseID int64, position int) string {
	return idString(caseID) + "/" + strconv.Itoa(position)
}

// caseRectification returns the items of rectification case caseID in the
// order recorded, opened; never nil, so a read case tells "none recorded"
// from "not read".
func (s *Cases) caseRectification(db *gorm.DB, caseID int64) ([]casework.RectificationItem, error) {
	var rows []caseRectificationRow
	if err := db.Where("case_id = ?", caseID).Order("position").Find(&rows).Error; err != nil {
		return nil, internal(err, "read rectification items")
	}
	items := make([]casework.RectificationItem, len(rows))
	for i, r := range rows {
		it := casework.RectificationItem{Field: r.Field, Kept: r.Kept}
		if err := json.Unmarshal([]byte(r.Systems), &it.Systems); r.Systems != "" && err != nil {
			return nil, internal(err, "read rectification systems")
		}
		row := rectificationAAD(caseID, r.Position)
		for _, v := range []struct {
			column string
			blob   []byte
			into   *string
		}{{"old_value", r.OldValue, &it.Old}, {"new_value", r.NewValue, &it.New},
			{"reason", r.Reason, &it.Reason}, {"statement", r.Statement, &it.Statement}} {
			if v.blob == nil {
				continue
			}
			if err := s.openJSON("case_rectification_items", v.column, row, v.blob, v.into); err != nil {
				return nil, internal(err, "open rectification item")
			}
		}
		items[i] = it
	}
	return items, nil
}

// writeRectification replaces the items of case caseID when ch carries
// them, inside tx.
func (s *Cases) writeRectification(tx *gorm.DB, caseID int64, ch casework.Change) error {
	if ch.Rectification == nil {
		return nil
	}
	if err := tx.Where("case_id = ?", caseID).Delete(&caseRectificationRow{}).Error; err != nil {
		return internal(err, "replace rectification items")
	}
	for n, it := range *ch.Rectification {
		r := caseRectificationRow{CaseID: caseID, Position: n, Field: it.Field, Kept: it.Kept}
		if len(it.Systems) > 0 {
			b, err := json.Marshal(it.Systems)
			if err != nil {
				return internal(err, "record rectification systems")
			}
			r.Systems = string(b)
		}
		row := rectificationAAD(caseID, n)
		for _, v := range []struct {
			column string
			value  string
			into   *[]byte
		}{{"old_value", it.Old, &r.OldValue}, {"new_value", it.New, &r.NewValue},
			{"reason", it.Reason, &r.Reason}, {"statement", it.Statement, &r.Statement}} {
			if v.value == "" {
				continue
			}
			b, err := s.sealJSON("case_rectification_items", v.column, row, v.value)
			if err != nil {
				return internal(err, "seal rectification item")
			}
			*v.into = b
		}
		if err := tx.Create(&r).Error; err != nil {
			return internal(err, "record rectification item")
		}
	}
	return nil
}
