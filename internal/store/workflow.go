package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/casework"
)

type caseEventRow struct {
	ID      int64 `gorm:"primaryKey"`
	CaseID  int64
	At      time.Time
	Kind    string
	ActorID *int64
	Visible bool
	Data    string
	Body    []byte
}

func (caseEventRow) TableName() string { return "case_events" }

// eventView is an event row with the name of the staff member who acted.
type eventView struct {
	Row       caseEventRow `gorm:"embedded"` // named: gorm skips unexported embedded fields
	ActorName *string
}

// UpdateCase implements casework.Store. The case is read inside the write
// transaction (which SQLite starts immediately; on PostgreSQL the read locks
// the case's row), so two officers acting at once are serialised and
// neither update is lost.
func (s *Cases) UpdateCase(ctx context.Context, ref string, actor casework.Actor, step func(c *casework.Case) (casework.Change, error)) (casework.Case, error) {
	scope := actor.Scope
	var out casework.Case
	err := s.write(ctx, func(tx *gorm.DB) error {
		var v caseView
		err := scoped(forUpdate(caseQuery(tx), "cases"), scope).Where("cases.reference = ?", ref).Take(&v).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return notFound()
		}
		if err != nil {
			return internal(err, "read case")
		}
		c, err := s.withActivities(tx, v)
		if err != nil {
			return err
		}
		address := c.Requester.Email
		ch, err := step(&c)
		if err != nil {
			return err
		}
		row, err := s.caseRow(tx, c)
		if err != nil {
			return err
		}
		// Select("*") writes every column, including those set back to
		// NULL or zero (an unassigned case, a pause that ended).
		if err := tx.Model(&caseRow{}).Where("id = ?", c.ID).Select("*").Omit("id", "created_at").Updates(&row).Error; err != nil {
			return internal(err, "update case")
		}
		if err := s.insertEvents(tx, c.ID, ch.Events); err != nil {
			return err
		}
		if err := s.writeRecords(tx, c.ID, ch, c.UpdatedAt); err != nil {
			return err
		}
		if err := s.writeConsents(tx, actor, c, ch); err != nil {
			return err
		}
		if err := s.writeObjection(tx, c, ch); err != nil {
			return err
		}
		if err := s.writeNotices(tx, c.ID, ch, c.UpdatedAt); err != nil {
			return err
		}
		if c.Requester.Email != address {
			if err := revokeTrackingTokens(tx, c.ID); err != nil {
				return err
			}
		}
		if ch.TrackingHash != "" {
			if err := insertTrackingToken(tx, c.ID, ch.TrackingHash, c.UpdatedAt, ch.TrackingExpires); err != nil {
				return err
			}
		}
		if err := s.enqueue(tx, ch.Mails, c.UpdatedAt); err != nil {
			return err
		}
		if out, err = s.caseWhere(ctx, tx, "cases.id = ?", c.ID); err != nil {
			return err
		}
		// Last, as in CreateCase: the audit head stays locked until the
		// commit.
		return s.auditEvents(tx, actor, c.ID, ch.Events)
	})
	return out, err
}

// insertEvents writes events of a case; their text is sealed and bound to
// the event's row, which exists only after the insert.
func (s *Cases) insertEvents(tx *gorm.DB, caseID int64, events []casework.Event) error {
	for _, e := range events {
		data, err := json.Marshal(e.Data)
		if err != nil {
			return internal(err, "event data")
		}
		r := caseEventRow{CaseID: caseID, At: e.At.UTC(), Kind: string(e.Kind), Visible: e.Visible, Data: string(data)}
		if e.ActorID != 0 {
			r.ActorID = &e.ActorID
		}
		if err := tx.Create(&r).Error; err != nil {
			return internal(err, "insert event")
		}
		if e.Text == "" {
			continue
		}
		body, err := s.sealJSON("case_events", "body", idString(r.ID), e.Text)
		if err != nil {
			return internal(err, "seal event")
		}
		if err := tx.Model(&caseEventRow{}).Where("id = ?", r.ID).Update("body", body).Error; err != nil {
			return internal(err, "insert event")
		}
	}
	return nil
}

// CaseEvents implements casework.Store.
func (s *Cases) CaseEvents(ctx context.Context, caseID int64, visibleOnly bool) ([]casework.Event, error) {
	db := s.db.WithContext(ctx).Table("case_events").Select("case_events.*, staff.name AS actor_name").
		Joins("LEFT JOIN staff ON staff.id = case_events.actor_id").Where("case_events.case_id = ?", caseID)
	if visibleOnly {
		db = db.Where("case_events.visible = ?", true)
	}
	var rows []eventView
	if err := db.Order("case_events.id").Find(&rows).Error; err != nil {
		return nil, internal(err, "read events")
	}
	out := make([]casework.Event, 0, len(rows))
	for _, v := range rows {
		r := v.Row
		e := casework.Event{ID: r.ID, At: r.At, Kind: casework.EventKind(r.Kind), Visible: r.Visible}
		if r.ActorID != nil {
			e.ActorID = *r.ActorID
		}
		if v.ActorName != nil {
			e.ActorName = *v.ActorName
		}
		if r.Data != "" {
			if err := json.Unmarshal([]byte(r.Data), &e.Data); err != nil {
				return nil, internal(err, "event data")
			}
		}
		if len(r.Body) > 0 {
			if err := s.openJSON("case_events", "body", idString(r.ID), r.Body, &e.Text); err != nil {
				return nil, internal(err, "open event")
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// Assignees implements casework.Store.
func (s *Cases) Assignees(ctx context.Context) ([]casework.Assignee, error) {
	var rows []staffRow
	if err := s.db.WithContext(ctx).Where("disabled_at IS NULL").Order("name").Find(&rows).Error; err != nil {
		return nil, internal(err, "list staff")
	}
	out := make([]casework.Assignee, 0, len(rows))
	for _, r := range rows {
		m, err := s.member(ctx, s.db, r)
		if err != nil {
			return nil, err
		}
		out = append(out, casework.Assignee{ID: m.ID, Name: m.Name, Email: m.Email, Scope: m.Scope()})
	}
	return out, nil
}
