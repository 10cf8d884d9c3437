package store

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/register"
)

// activityRow is a processing activity of the register: the activity as
// JSON in Body, its key and legal basis in columns for look-ups.
type activityRow struct {
	ID         int64 `gorm:"primaryKey"`
	Key        string
	Position   int
	LegalBasis string
	Body       string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (activityRow) TableName() string { return "activities" }

type registerSeededRow struct {
	ID       int `gorm:"primaryKey"`
	Country  string
	SeededAt time.Time
}

func (registerSeededRow) TableName() string { return "register_seeded" }

func (r activityRow) activity() (register.Activity, error) {
	var a register.Activity
	if err := json.Unmarshal([]byte(r.Body), &a); err != nil {
		return register.Activity{}, internal(err, "read activity "+r.Key)
	}
	return a, nil
}

// Activities returns the register, in its order: the template's activities
// first, then the others in the order they were added.
func (s *Practice) Activities(ctx context.Context) ([]register.Activity, error) {
	var rows []activityRow
	if err := s.db.WithContext(ctx).Order("position, id").Find(&rows).Error; err != nil {
		return nil, internal(err, "list activities")
	}
	out := make([]register.Activity, 0, len(rows))
	for _, r := range rows {
		a, err := r.activity()
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// Activity returns the activity with key; NotFound when there is none.
func (s *Practice) Activity(ctx context.Context, key string) (register.Activity, error) {
	r, err := activityByKey(s.db.WithContext(ctx), key)
	if err != nil {
		return register.Activity{}, err
	}
	return r.activity()
}

func activityByKey(db *gorm.DB, key string) (activityRow, error) {
	var r activityRow
	err := db.Where("key = ?", key).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return activityRow{}, notFound()
	}
	if err != nil {
		return activityRow{}, internal(err, "read activity")
	}
	return r, nil
}

// invalidActivity returns an Invalid error with a's problems, nil when a
// may be stored.
func invalidActivity(a register.Activity) error {
	if p := a.Validate(); len(p) > 0 {
		return apperr.InvalidFields(p)
	}
	return nil
}

// AddActivity adds a to the end of the register (normalised first) and
// audits it as who (At, Actor, Address) in one transaction. It returns the
// activity as stored; Invalid with the fields at fault (register.Validate),
// or Conflict ("activities.key_taken") when the key is in use.
func (s *Practice) AddActivity(ctx context.Context, a register.Activity, who audit.Entry) (register.Activity, error) {
	a = a.Normalize()
	if err := invalidActivity(a); err != nil {
		return register.Activity{}, err
	}
	err := s.write(ctx, func(tx *gorm.DB) error {
		return s.addActivity(tx, a, who, "key="+a.Key)
	})
	return a, err
}

func (s *Practice) addActivity(tx *gorm.DB, a register.Activity, who audit.Entry, detail string) error {
	var n int64
	if err := tx.Model(&activityRow{}).Where("key = ?", a.Key).Count(&n).Error; err != nil {
		return internal(err, "add activity")
	}
	if n > 0 {
		return &apperr.Error{Code: apperr.Conflict, Message: "activities.key_taken", Fields: map[string]string{"key": "activities.key_taken"}}
	}
	var last struct{ Max int }
	if err := tx.Model(&activityRow{}).Select("COALESCE(MAX(position), 0) AS max").Scan(&last).Error; err != nil {
		return internal(err, "add activity")
	}
	body, err := json.Marshal(a)
	if err != nil {
		return internal(err, "add activity")
	}
	r := activityRow{Key: a.Key, Position: last.Max + 1, LegalBasis: string(a.LegalBasis), Body: string(body),
		CreatedAt: who.At.UTC(), UpdatedAt: who.At.UTC()}
	if err := tx.Create(&r).Error; err != nil {
		return internal(err, "add activity")
	}
	who.Action, who.Object, who.Detail = audit.ActivityCreate, audit.Activity(r.ID), detail
	return s.appendAudit(tx, who)
}

// UpdateActivity replaces the activity with key by a (normalised first) and
// audits the changed fields as who, in one transaction. The key stays: a
// with another key is Invalid ("activities.key_fixed"), as is an activity
// that fails register.Validate; NotFound when there is no activity with
// key. A change that changes nothing writes nothing.
func (s *Practice) UpdateActivity(ctx context.Context, key string, a register.Activity, who audit.Entry) (register.Activity, error) {
	a = a.Normalize()
	if a.Key != key {
		return register.Activity{}, apperr.InvalidFields(map[string]string{"key": "activities.key_fixed"})
	}
	if err := invalidActivity(a); err != nil {
		return register.Activity{}, err
	}
	err := s.write(ctx, func(tx *gorm.DB) error {
		r, err := activityByKey(tx, key)
		if err != nil {
			return err
		}
		old, err := r.activity()
		if err != nil {
			return err
		}
		changed := register.Changed(old, a)
		if len(changed) == 0 {
			return nil
		}
		body, err := json.Marshal(a)
		if err != nil {
			return internal(err, "update activity")
		}
		if err := tx.Model(&activityRow{}).Where("id = ?", r.ID).Updates(map[string]any{
			"legal_basis": string(a.LegalBasis), "body": string(body), "updated_at": who.At.UTC(),
		}).Error; err != nil {
			return internal(err, "update activity")
		}
		who.Action, who.Object, who.Detail = audit.ActivityUpdate, audit.Activity(r.ID), "fields="+strings.Join(changed, ",")
		return s.appendAudit(tx, who)
	})
	return a, err
}

// SeedRegister gives a practice that was set up before the register existed
// the template register of its country (register.Template), audited as
// the system's. It does nothing before the practice is set up (the setup
// seeds it) or once a register was seeded, so it is safe to call at every
// start; it returns the number of activities added.
func (s *Practice) SeedRegister(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := s.write(ctx, func(tx *gorm.DB) error {
		var p practiceRow
		err := tx.Take(&p, 1).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil
		}
		if err != nil {
			return internal(err, "seed register: read settings")
		}
		n, err = s.seedRegister(tx, practice.Country(p.Country), now)
		return err
	})
	return n, err
}

// seedRegister puts the template register of country in, inside tx, unless
// a register was seeded before; it returns the number of activities added.
// An activity whose key is already in use (added through the API before
// the first start) is left as it is.
func (s *Practice) seedRegister(tx *gorm.DB, country practice.Country, now time.Time) (int, error) {
	var seeded int64
	if err := tx.Model(&registerSeededRow{}).Count(&seeded).Error; err != nil {
		return 0, internal(err, "seed register")
	}
	if seeded > 0 {
		return 0, nil
	}
	if err := tx.Create(&registerSeededRow{ID: 1, Country: string(country), SeededAt: now.UTC()}).Error; err != nil {
		return 0, internal(err, "seed register")
	}
	n := 0
	for _, a := range register.Template(country) {
		if _, err := activityByKey(tx, a.Key); err == nil {
			continue
		} else if !apperr.Is(err, apperr.NotFound) {
			return 0, err
		}
		if err := s.addActivity(tx, a, audit.Entry{At: now, Actor: audit.System}, "key="+a.Key+" source=template"); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}
