package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/email"
)

// caseObjectionRow is the objection record of a case; the grounds are
// sealed, bound to the case id.
type caseObjectionRow struct {
	CaseID          int64 `gorm:"primaryKey"`
	Activities      string
	Outcome         string
	DirectMarketing bool
	FromOn          string
	Grounds         []byte
}

func (caseObjectionRow) TableName() string { return "case_objections" }

// objectedActivity is an activity objected to as case_objections.activities
// keeps it.
type objectedActivity struct {
	Key             string `json:"key"`
	Name            string `json:"name"`
	DirectMarketing bool   `json:"direct_marketing"`
	Objectable      bool   `json:"objectable"`
}

// sealedGrounds are the two sides of the balancing (art. 21(1)).
type sealedGrounds struct {
	Requester string `json:"requester"`
	Practice  string `json:"practice"`
}

// marketingStopRow is one marketing stop; who it is for is sealed in
// Person, bound to the row id.
type marketingStopRow struct {
	ID            int64 `gorm:"primaryKey"`
	ActivityKey   string
	Person        []byte
	EmailIndex    string
	FromOn        string
	CaseReference string
	CreatedAt     time.Time
}

func (marketingStopRow) TableName() string { return "marketing_stops" }

// stopPerson is the personal data of a marketing stop.
type stopPerson struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// caseObjection returns the objection record of case caseID; nil when
// none is recorded.
func (s *DB) caseObjection(db *gorm.DB, caseID int64) (*casework.ObjectionRecord, error) {
	var r caseObjectionRow
	err := db.Where("case_id = ?", caseID).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, internal(err, "read objection")
	}
	var acts []objectedActivity
	if err := json.Unmarshal([]byte(r.Activities), &acts); err != nil {
		return nil, internal(err, "read objection activities")
	}
	var g sealedGrounds
	if err := s.openJSON("case_objections", "grounds", idString(caseID), r.Grounds, &g); err != nil {
		return nil, internal(err, "open objection grounds")
	}
	o := &casework.ObjectionRecord{RequesterGrounds: g.Requester, PracticeGrounds: g.Practice,
		Outcome: casework.ObjectionOutcome(r.Outcome), DirectMarketing: r.DirectMarketing}
	if r.FromOn != "" {
		if o.From, err = deadline.ParseDate(r.FromOn); err != nil {
			return nil, internal(err, "read objection date")
		}
	}
	for _, a := range acts {
		o.Activities = append(o.Activities, casework.ObjectedActivity{Key: a.Key, Name: a.Name, DirectMarketing: a.DirectMarketing, Objectable: a.Objectable})
	}
	return o, nil
}

// writeObjection replaces the objection record of case c when ch carries
// one, and with it the marketing stops that c marks
// (casework.MarketingStops), inside tx: a stop takes effect with the
// record, before any decision.
func (s *Cases) writeObjection(tx *gorm.DB, c casework.Case, ch casework.Change) error {
	o := ch.Objection
	if o == nil {
		return nil
	}
	acts := make([]objectedActivity, len(o.Activities))
	for i, a := range o.Activities {
		acts[i] = objectedActivity{Key: a.Key, Name: a.Name, DirectMarketing: a.DirectMarketing, Objectable: a.Objectable}
	}
	list, err := json.Marshal(acts)
	if err != nil {
		return internal(err, "objection activities")
	}
	grounds, err := s.sealJSON("case_objections", "grounds", idString(c.ID), sealedGrounds{Requester: o.RequesterGrounds, Practice: o.PracticeGrounds})
	if err != nil {
		return internal(err, "seal objection grounds")
	}
	row := caseObjectionRow{CaseID: c.ID, Activities: string(list), Outcome: string(o.Outcome), DirectMarketing: o.DirectMarketing, Grounds: grounds}
	if !o.From.IsZero() {
		row.FromOn = o.From.String()
	}
	if err := tx.Save(&row).Error; err != nil {
		return internal(err, "record objection")
	}
	if err := tx.Where("case_reference = ?", c.Reference).Delete(&marketingStopRow{}).Error; err != nil {
		return internal(err, "replace marketing stops")
	}
	for _, st := range casework.MarketingStops(c, *o) {
		r := marketingStopRow{ActivityKey: st.Activity, Person: []byte{}, EmailIndex: s.emailKey(st.Email), FromOn: st.From.String(),
			CaseReference: st.Case, CreatedAt: c.UpdatedAt.UTC()}
		if err := tx.Create(&r).Error; err != nil {
			return internal(err, "record marketing stop")
		}
		person, err := s.sealJSON("marketing_stops", "person", idString(r.ID), stopPerson{Name: st.Name, Email: st.Email})
		if err != nil {
			return internal(err, "seal marketing stop")
		}
		if err := tx.Model(&marketingStopRow{}).Where("id = ?", r.ID).Update("person", person).Error; err != nil {
			return internal(err, "record marketing stop")
		}
	}
	return nil
}

// ActivityStops returns the marketing stops of the activity key, oldest
// first: the people who must not be approached for it. With address set,
// only the stops for that e-mail address (normalised first).
func (s *Consents) ActivityStops(ctx context.Context, key, address string) ([]casework.MarketingStop, error) {
	db := s.db.WithContext(ctx).Where("activity_key = ?", key)
	if address != "" {
		db = db.Where("email_index = ?", s.emailKey(email.Normalize(address)))
	}
	var rows []marketingStopRow
	if err := db.Order("from_on, id").Find(&rows).Error; err != nil {
		return nil, internal(err, "read marketing stops")
	}
	out := make([]casework.MarketingStop, 0, len(rows))
	for _, r := range rows {
		var p stopPerson
		if err := s.openJSON("marketing_stops", "person", idString(r.ID), r.Person, &p); err != nil {
			return nil, internal(err, "open marketing stop")
		}
		from, err := deadline.ParseDate(r.FromOn)
		if err != nil {
			return nil, internal(err, "read marketing stop date")
		}
		out = append(out, casework.MarketingStop{Activity: r.ActivityKey, Name: p.Name, Email: p.Email, From: from, Case: r.CaseReference})
	}
	return out, nil
}
