package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/breach"
)

type breachNotificationRow struct {
	ID          int64 `gorm:"primaryKey"`
	BreachID    int64
	Kind        string
	SubmittedAt time.Time
	APReference string `gorm:"column:ap_reference"`
	Draft       []byte
	RecordedBy  *int64
	RecordedAt  time.Time
}

func (breachNotificationRow) TableName() string { return "breach_notifications" }

// notificationsOf reads the submissions of the breaches ids, without their
// drafts, oldest first.
func notificationsOf(db *gorm.DB, ids []int64) (map[int64][]breach.Notification, error) {
	out := map[int64][]breach.Notification{}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		var rows []breachNotificationRow
		err := db.Table("breach_notifications").Select("id, breach_id, kind, submitted_at, ap_reference").
			Where("breach_id IN ?", chunk).Order("breach_id, id").Find(&rows).Error
		if err != nil {
			return nil, internal(err, "read breach notifications")
		}
		for _, n := range rows {
			out[n.BreachID] = append(out[n.BreachID], breach.Notification{Kind: breach.NotificationKind(n.Kind),
				SubmittedAt: n.SubmittedAt, APReference: n.APReference})
		}
	}
	return out, nil
}

// AddSubmission implements breach.Store.
func (s *Breaches) AddSubmission(ctx context.Context, ref string, a breach.Actor, at time.Time, submit func(*breach.Record) (breach.Submission, error)) (breach.Record, error) {
	return s.changeBreach(ctx, ref, a, "step=submission", at, func(tx *gorm.DB, r *breach.Record) (string, error) {
		sub, err := submit(r)
		if err != nil {
			return "", err
		}
		row := breachNotificationRow{BreachID: r.ID, Kind: string(sub.Kind), SubmittedAt: sub.SubmittedAt.UTC(),
			APReference: sub.APReference, Draft: []byte{}, RecordedBy: ref64(a.ID), RecordedAt: at.UTC()}
		if err := tx.Create(&row).Error; err != nil {
			return "", internal(err, "insert breach notification")
		}
		blob, err := s.sealJSON("breach_notifications", "draft", idString(row.ID), sub.Draft)
		if err != nil {
			return "", internal(err, "seal draft")
		}
		if err := tx.Model(&breachNotificationRow{}).Where("id = ?", row.ID).Update("draft", blob).Error; err != nil {
			return "", internal(err, "insert breach notification")
		}
		return "kind=" + string(sub.Kind), nil
	})
}

// Submissions implements breach.Store.
func (s *Breaches) Submissions(ctx context.Context, breachID int64) ([]breach.Submission, error) {
	var rows []breachNotificationRow
	if err := s.db.WithContext(ctx).Where("breach_id = ?", breachID).Order("id").Find(&rows).Error; err != nil {
		return nil, internal(err, "read breach notifications")
	}
	out := make([]breach.Submission, 0, len(rows))
	for _, r := range rows {
		sub := breach.Submission{Notification: breach.Notification{Kind: breach.NotificationKind(r.Kind),
			SubmittedAt: r.SubmittedAt, APReference: r.APReference}, RecordedAt: r.RecordedAt}
		if err := s.openJSON("breach_notifications", "draft", idString(r.ID), r.Draft, &sub.Draft); err != nil {
			return nil, internal(err, "open draft")
		}
		out = append(out, sub)
	}
	return out, nil
}
