package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/audit"
)

// AnonymiseClosedCases removes the personal data of every completed case
// whose last change is before cutoff: requester, subject, details, every
// text on its timeline, its questions and answers, its access statement,
// its decision letter, its rectification items, its objection record (the
// marketing stops it marked stay: the person is still not to be approached),
// its tracking links and idempotency keys; its files
// are marked destroyed for the sweep to remove, and its answer documents
// due for theirs.
// The reference, type, dates and outcome stay, for accountability and the
// year's figures. Each case is done in its own transaction with an audit
// entry. It returns how many cases it anonymised.
func (s *Cases) AnonymiseClosedCases(ctx context.Context, cutoff, now time.Time) (int, error) {
	var rows []struct {
		ID        int64
		Reference string
	}
	err := s.db.WithContext(ctx).Table("cases").Select("id, reference").
		Where("status = ? AND anonymised_at IS NULL AND updated_at < ?", "completed", cutoff.UTC()).
		Order("id").Scan(&rows).Error
	if err != nil {
		return 0, internal(err, "find cases to anonymise")
	}
	for _, r := range rows {
		if err := s.anonymise(ctx, r.ID, r.Reference, now); err != nil {
			return 0, err
		}
	}
	return len(rows), nil
}

func (s *Cases) anonymise(ctx context.Context, id int64, ref string, now time.Time) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		blank := map[string]any{}
		for _, col := range []string{"requester", "subject", "details"} {
			b, err := s.sealJSON("cases", col, ref, struct{}{})
			if err != nil {
				return internal(err, "seal anonymised case")
			}
			blank[col] = b
		}
		blank["requester_index"], blank["subject_index"], blank["anonymised_at"] = "", "", now.UTC()
		steps := []struct {
			what string
			run  func() error
		}{
			{"case", func() error { return tx.Table("cases").Where("id = ?", id).Updates(blank).Error }},
			{"events", func() error {
				return tx.Table("case_events").Where("case_id = ?", id).Update("body", nil).Error
			}},
			{"questions", func() error { return s.blankQuestions(tx, id) }},
			{"requirements", func() error {
				return tx.Table("case_requirements").Where("case_id = ?", id).Update("reason", nil).Error
			}},
			{"letter", func() error { return tx.Exec("DELETE FROM case_letters WHERE case_id = ?", id).Error }},
			{"notices", func() error {
				return tx.Table("case_notices").Where("case_id = ?", id).Update("letter", nil).Error
			}},
			{"notice links", func() error { return tx.Exec("DELETE FROM notice_links WHERE case_id = ?", id).Error }},
			{"access statement", func() error { return tx.Exec("DELETE FROM access_statements WHERE case_id = ?", id).Error }},
			{"rectification", func() error { return tx.Exec("DELETE FROM case_rectification_items WHERE case_id = ?", id).Error }},
			{"objection", func() error { return tx.Exec("DELETE FROM case_objections WHERE case_id = ?", id).Error }},
			{"restriction", func() error { return tx.Exec("DELETE FROM case_restrictions WHERE case_id = ?", id).Error }},
			{"portability", func() error { return tx.Exec("DELETE FROM case_portability WHERE case_id = ?", id).Error }},
			{"portability links", func() error { return tx.Exec("DELETE FROM portability_links WHERE case_id = ?", id).Error }},
			{"tracking links", func() error { return tx.Exec("DELETE FROM tracking_tokens WHERE case_id = ?", id).Error }},
			{"idempotency keys", func() error { return tx.Exec("DELETE FROM idempotency_keys WHERE case_id = ?", id).Error }},
			{"documents", func() error {
				return tx.Table("case_documents").Where("case_id = ? AND destroyed_at IS NULL", id).Update("destroy_after", now.UTC()).Error
			}},
			{"files", func() error {
				return tx.Table("case_files").Where("case_id = ? AND destroyed_at IS NULL", id).Update("destroyed_at", now.UTC()).Error
			}},
		}
		for _, st := range steps {
			if err := st.run(); err != nil {
				return internal(err, "anonymise "+st.what)
			}
		}
		return s.appendAudit(tx, audit.Entry{At: now, Actor: audit.System, Action: audit.CaseDelete,
			Object: audit.Case(id), Detail: "anonymised=retention"})
	})
}

// blankQuestions replaces the sealed texts of a case's questions (NOT NULL)
// by sealed empty ones and drops the answers.
func (s *Cases) blankQuestions(tx *gorm.DB, caseID int64) error {
	var ids []int64
	if err := tx.Table("info_requests").Where("case_id = ?", caseID).Pluck("id", &ids).Error; err != nil {
		return err
	}
	for _, q := range ids {
		b, err := s.sealJSON("info_requests", "text", idString(q), "")
		if err != nil {
			return err
		}
		if err := tx.Table("info_requests").Where("id = ?", q).Updates(map[string]any{"text": b, "answer": nil}).Error; err != nil {
			return err
		}
	}
	return nil
}
