package store

import (
	"encoding/json"
	"errors"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/casework"
)

// caseRestrictionRow is the restriction of a restriction case. Activities
// (keys and register names), the ground and the days are not the person's
// data; Body is sealed (restrictionBody).
type caseRestrictionRow struct {
	CaseID     int64 `gorm:"primaryKey"`
	Activities string
	Ground     string
	FromOn     string
	UntilOn    string
	LiftOn     string
	Body       []byte
}

func (caseRestrictionRow) TableName() string { return "case_restrictions" }

// restrictionBody is what is sealed of a restriction: the data in words,
// the event it lasts until and the reason it is lifted.
type restrictionBody struct {
	Data       string `json:"data"`
	UntilEvent string `json:"until_event,omitempty"`
	LiftReason string `json:"lift_reason,omitempty"`
}

// restrictedActivity is a restricted activity as the row holds it.
type restrictedActivity struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// caseRestriction returns the restriction of case caseID; nil when none is
// recorded.
func (s *Cases) caseRestriction(db *gorm.DB, caseID int64) (*casework.RestrictionRecord, error) {
	var r caseRestrictionRow
	err := db.Where("case_id = ?", caseID).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, internal(err, "read restriction")
	}
	var acts []restrictedActivity
	if err := json.Unmarshal([]byte(r.Activities), &acts); err != nil {
		return nil, internal(err, "read restricted activities")
	}
	var body restrictionBody
	if err := s.openJSON("case_restrictions", "body", idString(caseID), r.Body, &body); err != nil {
		return nil, internal(err, "open restriction")
	}
	out := &casework.RestrictionRecord{Data: body.Data, Ground: r.Ground, From: r.FromOn, Until: r.UntilOn,
		UntilEvent: body.UntilEvent, LiftOn: r.LiftOn, LiftReason: body.LiftReason}
	for _, a := range acts {
		out.Activities = append(out.Activities, casework.RestrictedActivity{Key: a.Key, Name: a.Name})
	}
	return out, nil
}

// writeRestriction stores the restriction ch carries for case caseID,
// inside tx, replacing the one before.
func (s *Cases) writeRestriction(tx *gorm.DB, caseID int64, ch casework.Change) error {
	r := ch.Restriction
	if r == nil {
		return nil
	}
	acts := make([]restrictedActivity, len(r.Activities))
	for i, a := range r.Activities {
		acts[i] = restrictedActivity{Key: a.Key, Name: a.Name}
	}
	list, err := json.Marshal(acts)
	if err != nil {
		return internal(err, "restricted activities")
	}
	body, err := s.sealJSON("case_restrictions", "body", idString(caseID), restrictionBody{Data: r.Data, UntilEvent: r.UntilEvent, LiftReason: r.LiftReason})
	if err != nil {
		return internal(err, "seal restriction")
	}
	row := caseRestrictionRow{CaseID: caseID, Activities: string(list), Ground: r.Ground, FromOn: r.From, UntilOn: r.Until, LiftOn: r.LiftOn, Body: body}
	if err := tx.Save(&row).Error; err != nil {
		return internal(err, "record restriction")
	}
	return nil
}
