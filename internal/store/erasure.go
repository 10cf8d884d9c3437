package store

import (
	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/casework"
)

// caseErasureRow is one erasure item of a case. System and ground are a
// system's name and a statute, not the person's data: not sealed. ErasedBy
// is the staff member who erased or confirmed, by id as elsewhere.
type caseErasureRow struct {
	CaseID   int64  `gorm:"primaryKey"`
	Activity string `gorm:"primaryKey"`
	Name     string
	Action   string
	System   string
	Ground   string
	Until    string
	Due      string
	ErasedOn string
	ErasedBy *int64
}

func (caseErasureRow) TableName() string { return "case_erasure_items" }

// caseErasure returns the erasure items of case caseID in the register's
// order (activities no longer in the register last, alphabetically), with
// the names of the staff who erased; never nil, so a read case tells "none
// recorded" from "not read".
func caseErasure(db *gorm.DB, caseID int64) ([]casework.ErasureItem, error) {
	var rows []struct {
		Row          caseErasureRow `gorm:"embedded"`
		ErasedByName *string
	}
	err := db.Table("case_erasure_items").Select("case_erasure_items.*, staff.name AS erased_by_name").
		Joins("LEFT JOIN activities ON activities.key = case_erasure_items.activity").
		Joins("LEFT JOIN staff ON staff.id = case_erasure_items.erased_by").
		Where("case_erasure_items.case_id = ?", caseID).
		Order("activities.position IS NULL, activities.position, case_erasure_items.activity").
		Find(&rows).Error
	if err != nil {
		return nil, internal(err, "read erasure items")
	}
	items := make([]casework.ErasureItem, len(rows))
	for i, v := range rows {
		r := v.Row
		items[i] = casework.ErasureItem{Activity: r.Activity, Name: r.Name, Action: r.Action, System: r.System, Ground: r.Ground,
			Until: r.Until, Due: r.Due, ErasedOn: r.ErasedOn}
		if r.ErasedBy != nil {
			items[i].ErasedBy = *r.ErasedBy
		}
		if v.ErasedByName != nil {
			items[i].ErasedByName = *v.ErasedByName
		}
	}
	return items, nil
}

// writeErasure replaces the erasure items of case caseID when ch carries
// them, inside tx.
func writeErasure(tx *gorm.DB, caseID int64, ch casework.Change) error {
	if ch.Erasure == nil {
		return nil
	}
	if err := tx.Where("case_id = ?", caseID).Delete(&caseErasureRow{}).Error; err != nil {
		return internal(err, "replace erasure items")
	}
	for _, it := range *ch.Erasure {
		r := caseErasureRow{CaseID: caseID, Activity: it.Activity, Name: it.Name, Action: it.Action, System: it.System,
			Ground: it.Ground, Until: it.Until, Due: it.Due, ErasedOn: it.ErasedOn, ErasedBy: ref(it.ErasedBy)}
		if err := tx.Create(&r).Error; err != nil {
			return internal(err, "record erasure item")
		}
	}
	return nil
}
