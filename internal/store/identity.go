package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/casework"
)

type requirementRow struct {
	CaseID    int64  `gorm:"primaryKey"`
	Key       string `gorm:"primaryKey"`
	Satisfied bool
	Waived    bool
	Reason    []byte
	ByID      *int64
	At        time.Time
}

func (requirementRow) TableName() string { return "case_requirements" }

type infoRequestRow struct {
	ID          int64 `gorm:"primaryKey"`
	CaseID      int64
	Method      string
	UploadKind  string
	Text        []byte
	AskedBy     *int64
	AskedAt     time.Time
	Answer      []byte
	AnsweredAt  *time.Time
	WithdrawnAt *time.Time
}

func (infoRequestRow) TableName() string { return "info_requests" }

type caseFileRow struct {
	ID           string `gorm:"primaryKey"`
	CaseID       int64
	Purpose      string
	Kind         string
	Size         int64
	UploadedAt   time.Time
	DestroyAfter *time.Time
	DestroyedAt  *time.Time
}

func (caseFileRow) TableName() string { return "case_files" }

func ref(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// writeRecords stores the records a Change carries besides the case row.
func (s *Cases) writeRecords(tx *gorm.DB, caseID int64, ch casework.Change, now time.Time) error {
	if r := ch.Requirement; r != nil {
		row := requirementRow{CaseID: caseID, Key: r.Key, Satisfied: r.Satisfied, Waived: r.Waived, ByID: ref(r.ByID), At: r.At.UTC()}
		if r.Reason != "" {
			b, err := s.sealJSON("case_requirements", "reason", idString(caseID)+"/"+r.Key, r.Reason)
			if err != nil {
				return internal(err, "seal requirement")
			}
			row.Reason = b
		}
		if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&row).Error; err != nil {
			return internal(err, "record requirement")
		}
	}
	if q := ch.AskInfo; q != nil {
		row := infoRequestRow{CaseID: caseID, Method: q.Method, UploadKind: q.UploadKind, Text: []byte{}, AskedBy: ref(q.AskedByID), AskedAt: q.AskedAt.UTC()}
		if err := tx.Create(&row).Error; err != nil {
			return internal(err, "ask for information")
		}
		b, err := s.sealJSON("info_requests", "text", idString(row.ID), q.Text)
		if err != nil {
			return internal(err, "seal question")
		}
		if err := tx.Model(&infoRequestRow{}).Where("id = ?", row.ID).Update("text", b).Error; err != nil {
			return internal(err, "ask for information")
		}
	}
	if q := ch.AnswerInfo; q != nil {
		b, err := s.sealJSON("info_requests", "answer", idString(q.ID), q.Answer)
		if err != nil {
			return internal(err, "seal answer")
		}
		res := tx.Model(&infoRequestRow{}).Where("id = ? AND case_id = ? AND answered_at IS NULL AND withdrawn_at IS NULL", q.ID, caseID).
			Updates(map[string]any{"answer": b, "answered_at": now.UTC()})
		if res.Error != nil {
			return internal(res.Error, "record answer")
		}
		if res.RowsAffected == 0 {
			return conflict("identity.no_open_question")
		}
	}
	if d := ch.SendDocuments; d != nil {
		if err := sendDocuments(tx, caseID, *d); err != nil {
			return err
		}
	}
	if q := ch.WithdrawInfo; q != nil {
		res := tx.Model(&infoRequestRow{}).Where("id = ? AND case_id = ? AND answered_at IS NULL AND withdrawn_at IS NULL", q.ID, caseID).
			Update("withdrawn_at", now.UTC())
		if res.Error != nil {
			return internal(res.Error, "withdraw question")
		}
		if res.RowsAffected == 0 {
			return conflict("identity.no_open_question")
		}
	}
	if f := ch.AddFile; f != nil {
		row := caseFileRow{ID: f.ID, CaseID: caseID, Purpose: f.Purpose, Kind: f.Kind, Size: f.Size,
			UploadedAt: f.UploadedAt.UTC(), DestroyAfter: utc(f.DestroyAfter)}
		if err := tx.Create(&row).Error; err != nil {
			return internal(err, "record file")
		}
	}
	if l := ch.Letter; l != nil {
		if err := s.insertLetter(tx, caseID, *l, now); err != nil {
			return err
		}
	}
	if len(ch.DestroyFiles) > 0 {
		err := tx.Model(&caseFileRow{}).Where("case_id = ? AND id IN ? AND destroyed_at IS NULL", caseID, ch.DestroyFiles).
			Update("destroyed_at", now.UTC()).Error
		if err != nil {
			return internal(err, "destroy files")
		}
	}
	return s.writeAnswers(tx, caseID, ch)
}

// Requirements returns what is on record for a case's requirements.
func (s *Cases) Requirements(ctx context.Context, caseID int64) ([]casework.RequirementStatus, error) {
	var rs []requirementRow
	if err := s.db.WithContext(ctx).Where("case_id = ?", caseID).Order("key").Find(&rs).Error; err != nil {
		return nil, internal(err, "read requirements")
	}
	out := make([]casework.RequirementStatus, 0, len(rs))
	for _, r := range rs {
		st := casework.RequirementStatus{Key: r.Key, Satisfied: r.Satisfied, Waived: r.Waived, At: r.At}
		if r.ByID != nil {
			st.ByID = *r.ByID
		}
		if len(r.Reason) > 0 {
			if err := s.openJSON("case_requirements", "reason", idString(caseID)+"/"+r.Key, r.Reason, &st.Reason); err != nil {
				return nil, internal(err, "open requirement")
			}
		}
		out = append(out, st)
	}
	return out, nil
}

// InfoRequests returns a case's questions to the requester, oldest first.
func (s *Cases) InfoRequests(ctx context.Context, caseID int64) ([]casework.InfoRequest, error) {
	var rs []infoRequestRow
	if err := s.db.WithContext(ctx).Where("case_id = ?", caseID).Order("id").Find(&rs).Error; err != nil {
		return nil, internal(err, "read questions")
	}
	out := make([]casework.InfoRequest, 0, len(rs))
	for _, r := range rs {
		q := casework.InfoRequest{ID: r.ID, Method: r.Method, UploadKind: r.UploadKind, AskedAt: r.AskedAt, AnsweredAt: r.AnsweredAt,
			WithdrawnAt: r.WithdrawnAt}
		if r.AskedBy != nil {
			q.AskedByID = *r.AskedBy
		}
		if err := s.openJSON("info_requests", "text", idString(r.ID), r.Text, &q.Text); err != nil {
			return nil, internal(err, "open question")
		}
		if len(r.Answer) > 0 {
			if err := s.openJSON("info_requests", "answer", idString(r.ID), r.Answer, &q.Answer); err != nil {
				return nil, internal(err, "open answer")
			}
		}
		out = append(out, q)
	}
	return out, nil
}

func fileFromRow(r caseFileRow) casework.File {
	return casework.File{ID: r.ID, Purpose: r.Purpose, Kind: r.Kind, Size: r.Size, UploadedAt: r.UploadedAt,
		DestroyAfter: r.DestroyAfter, DestroyedAt: r.DestroyedAt}
}

// Files returns the files of a case, destroyed ones included (their record
// stays: that an ID copy existed, and when it went).
func (s *Cases) Files(ctx context.Context, caseID int64) ([]casework.File, error) {
	var rs []caseFileRow
	if err := s.db.WithContext(ctx).Where("case_id = ?", caseID).Order("uploaded_at, seq").Find(&rs).Error; err != nil {
		return nil, internal(err, "read files")
	}
	out := make([]casework.File, len(rs))
	for i, r := range rs {
		out[i] = fileFromRow(r)
	}
	return out, nil
}

// File returns file id of case caseID, or NotFound (also once destroyed).
func (s *Cases) File(ctx context.Context, caseID int64, id string) (casework.File, error) {
	var r caseFileRow
	err := s.db.WithContext(ctx).Where("id = ? AND case_id = ? AND destroyed_at IS NULL", id, caseID).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return casework.File{}, notFound()
	}
	if err != nil {
		return casework.File{}, internal(err, "read file")
	}
	return fileFromRow(r), nil
}

// FilesDue returns the ids of files to remove from disk: those destroyed
// but not yet removed (also after a crash between the record and the
// removal) and those whose destroy_after has passed, which it marks
// destroyed.
func (s *Cases) FilesDue(ctx context.Context, now time.Time) ([]string, error) {
	var ids []string
	err := s.write(ctx, func(tx *gorm.DB) error {
		var expired []caseFileRow
		if err := tx.Where("destroyed_at IS NULL AND destroy_after IS NOT NULL AND destroy_after <= ?", now.UTC()).
			Find(&expired).Error; err != nil {
			return internal(err, "expire files")
		}
		for _, f := range expired {
			if err := tx.Model(&caseFileRow{}).Where("id = ?", f.ID).Update("destroyed_at", now.UTC()).Error; err != nil {
				return internal(err, "expire files")
			}
			ev := []casework.Event{{At: now, Kind: casework.EventFileDestroyed, Data: map[string]string{"purpose": f.Purpose, "reason": "expired"}}}
			if err := s.insertEvents(tx, f.CaseID, ev); err != nil {
				return err
			}
			if err := s.appendAudit(tx, audit.Entry{At: now, Actor: audit.System, Action: audit.FileDelete,
				Object: audit.Case(f.CaseID), Detail: "file=" + f.Purpose + " reason=expired"}); err != nil {
				return err
			}
		}
		return tx.Model(&caseFileRow{}).Where("destroyed_at IS NOT NULL AND removed_at IS NULL").Pluck("id", &ids).Error
	})
	return ids, err
}

// FilesRemoved records that the destroyed files ids are gone from disk.
func (s *Cases) FilesRemoved(ctx context.Context, ids []string, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	err := s.writeOne(ctx, func(tx *gorm.DB) *gorm.DB {
		return tx.Model(&caseFileRow{}).Where("id IN ? AND destroyed_at IS NOT NULL", ids).
			Update("removed_at", at.UTC())
	}).Error
	if err != nil {
		return internal(err, "record removed files")
	}
	return nil
}
