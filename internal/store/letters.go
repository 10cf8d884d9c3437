package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/casework"
)

type caseLetterRow struct {
	CaseID int64 `gorm:"primaryKey"`
	Letter []byte
	SentAt time.Time
}

func (caseLetterRow) TableName() string { return "case_letters" }

// insertLetter stores the decision letter of case caseID as it was sent, at
// now; sealed, bound to the case id.
func (s *Cases) insertLetter(tx *gorm.DB, caseID int64, l casework.Letter, now time.Time) error {
	l.SentAt = time.Time{}
	b, err := s.sealJSON("case_letters", "letter", idString(caseID), l)
	if err != nil {
		return internal(err, "seal letter")
	}
	if err := tx.Create(&caseLetterRow{CaseID: caseID, Letter: b, SentAt: now.UTC()}).Error; err != nil {
		return internal(err, "record letter")
	}
	return nil
}

// CaseLetter returns the decision letter of case caseID as it was sent, and
// false before the case was decided (or after it was anonymised). The
// caller has read the case through a scoped or tracking-link read.
func (s *Cases) CaseLetter(ctx context.Context, caseID int64) (casework.Letter, bool, error) {
	var row caseLetterRow
	err := s.db.WithContext(ctx).Where("case_id = ?", caseID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return casework.Letter{}, false, nil
	}
	if err != nil {
		return casework.Letter{}, false, internal(err, "read letter")
	}
	var l casework.Letter
	if err := s.openJSON("case_letters", "letter", idString(caseID), row.Letter, &l); err != nil {
		return casework.Letter{}, false, internal(err, "open letter")
	}
	l.SentAt = row.SentAt
	return l, true, nil
}
