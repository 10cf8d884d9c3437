package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/casework"
)

type caseActivityRow struct {
	CaseID   int64  `gorm:"primaryKey"`
	Activity string `gorm:"primaryKey"`
}

func (caseActivityRow) TableName() string { return "case_activities" }

type accessStatementRow struct {
	CaseID     int64 `gorm:"primaryKey"`
	Body       []byte
	EditedBy   *int64
	EditedAt   time.Time
	ApprovedBy *int64
	ApprovedAt *time.Time
}

func (accessStatementRow) TableName() string { return "access_statements" }

// statementView is a statement row with the name of who approved it.
type statementView struct {
	Row          accessStatementRow `gorm:"embedded"`
	ApproverName *string
}

// caseActivities returns the keys of the register activities chosen for
// case caseID, in the register's order (keys no longer in the register
// last, alphabetically); never nil, so a read case tells "none chosen"
// from "not read".
func caseActivities(db *gorm.DB, caseID int64) ([]string, error) {
	keys := []string{}
	err := db.Table("case_activities").Select("case_activities.activity").
		Joins("LEFT JOIN activities ON activities.key = case_activities.activity").
		Where("case_activities.case_id = ?", caseID).
		Order("activities.position IS NULL, activities.position, case_activities.activity").
		Pluck("case_activities.activity", &keys).Error
	if err != nil {
		return nil, internal(err, "read case activities")
	}
	return keys, nil
}

// noActivities reports whether the last choice of activities on case
// caseID recorded that none of them concern the person: the event says so
// (casework.ChooseNoActivities), the choice itself is empty.
func noActivities(db *gorm.DB, caseID int64) (bool, error) {
	var rows []caseEventRow
	err := db.Where("case_id = ? AND kind = ?", caseID, string(casework.EventActivities)).
		Order("id DESC").Limit(1).Find(&rows).Error
	if err != nil {
		return false, internal(err, "read case activities")
	}
	if len(rows) == 0 {
		return false, nil
	}
	var data map[string]string
	if err := json.Unmarshal([]byte(rows[0].Data), &data); err != nil {
		return false, internal(err, "read case activities")
	}
	return data["none"] == "yes", nil
}

// writeAnswers stores the chosen activities, the erasure and rectification
// items and the
// access statement a Change carries, inside tx.
func (s *Cases) writeAnswers(tx *gorm.DB, caseID int64, ch casework.Change) error {
	if ch.Activities != nil {
		if err := tx.Where("case_id = ?", caseID).Delete(&caseActivityRow{}).Error; err != nil {
			return internal(err, "replace case activities")
		}
		for _, k := range *ch.Activities {
			if err := tx.Create(&caseActivityRow{CaseID: caseID, Activity: k}).Error; err != nil {
				return internal(err, "record case activity")
			}
		}
	}
	if err := writeErasure(tx, caseID, ch); err != nil {
		return err
	}
	if err := s.writeRectification(tx, caseID, ch); err != nil {
		return err
	}
	if err := s.writeRestriction(tx, caseID, ch); err != nil {
		return err
	}
	if err := s.writePortability(tx, caseID, ch); err != nil {
		return err
	}
	if ch.ResetStatement {
		if err := tx.Where("case_id = ?", caseID).Delete(&accessStatementRow{}).Error; err != nil {
			return internal(err, "reset access statement")
		}
	}
	if st := ch.Statement; st != nil {
		body, err := s.sealJSON("access_statements", "body", idString(caseID), st.Text)
		if err != nil {
			return internal(err, "seal access statement")
		}
		row := accessStatementRow{CaseID: caseID, Body: body, EditedBy: ref(st.EditedByID), EditedAt: st.EditedAt.UTC(),
			ApprovedBy: ref(st.ApprovedByID), ApprovedAt: utc(st.ApprovedAt)}
		if err := tx.Save(&row).Error; err != nil {
			return internal(err, "record access statement")
		}
	}
	return nil
}

// AccessStatement returns the access statement the officer edited for case
// caseID, with who approved it; the zero Statement when the drafted text
// stands unedited (then the caller drafts it, see internal/answer).
func (s *Cases) AccessStatement(ctx context.Context, caseID int64) (casework.Statement, error) {
	var v statementView
	err := s.db.WithContext(ctx).Table("access_statements").
		Select("access_statements.*, staff.name AS approver_name").
		Joins("LEFT JOIN staff ON staff.id = access_statements.approved_by").
		Where("access_statements.case_id = ?", caseID).Take(&v).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return casework.Statement{}, nil
	}
	if err != nil {
		return casework.Statement{}, internal(err, "read access statement")
	}
	r := v.Row
	st := casework.Statement{EditedAt: r.EditedAt, ApprovedAt: r.ApprovedAt}
	if r.EditedBy != nil {
		st.EditedByID = *r.EditedBy
	}
	if r.ApprovedBy != nil {
		st.ApprovedByID = *r.ApprovedBy
	}
	if v.ApproverName != nil {
		st.ApprovedBy = *v.ApproverName
	}
	if err := s.openJSON("access_statements", "body", idString(caseID), r.Body, &st.Text); err != nil {
		return casework.Statement{}, internal(err, "open access statement")
	}
	return st, nil
}

// withActivities is the case of v with what its answer records besides
// the case row (readParts), read through db: for reads of one case, not
// lists.
func (s *Cases) withActivities(db *gorm.DB, v caseView) (casework.Case, error) {
	c, err := s.caseFromView(v)
	if err != nil {
		return c, err
	}
	return c, s.readParts(db, &c)
}

// readParts fills in the records of case c that one case is read with:
// its chosen activities and each right's own record (erasure items,
// rectification items, objection, …).
func (s *Cases) readParts(db *gorm.DB, c *casework.Case) (err error) {
	if c.Activities, err = caseActivities(db, c.ID); err != nil {
		return err
	}
	if len(c.Activities) == 0 {
		if c.NoActivities, err = noActivities(db, c.ID); err != nil {
			return err
		}
	}
	if c.Erasure, err = caseErasure(db, c.ID); err != nil {
		return err
	}
	if c.Rectification, err = s.caseRectification(db, c.ID); err != nil {
		return err
	}
	if c.Objection, err = s.caseObjection(db, c.ID); err != nil {
		return err
	}
	if c.Restriction, err = s.caseRestriction(db, c.ID); err != nil {
		return err
	}
	c.Portability, err = s.casePortability(db, c.ID)
	return err
}
