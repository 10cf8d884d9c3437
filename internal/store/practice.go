package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/practice"
)

// Practice is the practice's settings and branches as the owner and the
// setup page change them, and the one-time setup link; every receiver reads
// them through DB.Settings and DB.Branches.
type Practice struct{ *DB }

type practiceRow struct {
	ID                  int64 `gorm:"primaryKey"`
	Name                string
	Address             string
	KvK                 string `gorm:"column:kvk"`
	PrivacyEmail        string
	PrivacyURL          string `gorm:"column:privacy_url"`
	FrameOrigins        string // one a line
	Country             string
	TimeZone            string
	Calendar            string
	ExtraDays           string
	IdentityPause       bool
	ServesMinors        bool
	RepresentationRules string
	IDCopyDays          int `gorm:"column:id_copy_days"`
	DocumentDays        int
	CaseRetentionDays   int
	RecordsRetentionNL  string `gorm:"column:records_retention_nl"`
	RecordsRetentionEN  string `gorm:"column:records_retention_en"`
	UpdatedAt           time.Time
}

func (practiceRow) TableName() string { return "practice" }

type branchRow struct {
	ID        int64 `gorm:"primaryKey"`
	Code      string
	Name      string
	CreatedAt time.Time
}

func (branchRow) TableName() string { return "branches" }

// Settings returns the practice's settings, or practice.Defaults() before
// the first-run setup. They come from memory while practice_version has not
// moved (practiceCache).
func (s *DB) Settings(ctx context.Context) (practice.Settings, error) {
	if err := s.cache.fresh(ctx, s.sql); err != nil {
		return practice.Settings{}, err
	}
	return s.cache.settings.get(func() (practice.Settings, error) { return s.readSettings(ctx) }, cloneSettings)
}

func (s *DB) readSettings(ctx context.Context) (practice.Settings, error) {
	var r practiceRow
	err := s.db.WithContext(ctx).Take(&r, 1).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return practice.Defaults(), nil
	}
	if err != nil {
		return practice.Settings{}, internal(err, "read settings")
	}
	out := practice.Settings{
		Name: r.Name, Address: r.Address, KvK: r.KvK, PrivacyEmail: r.PrivacyEmail,
		Country: practice.Country(r.Country), TimeZone: r.TimeZone, Calendar: deadline.Country(r.Calendar),
		IdentityPause: r.IdentityPause, ServesMinors: r.ServesMinors, Configured: true, RepresentationRules: r.RepresentationRules, IDCopyDays: r.IDCopyDays,
		DocumentDays: r.DocumentDays, CaseRetentionDays: r.CaseRetentionDays,
		RecordsRetention: practice.Texts{NL: r.RecordsRetentionNL, EN: r.RecordsRetentionEN},
		PrivacyURL:       r.PrivacyURL, FrameOrigins: strings.Fields(r.FrameOrigins),
	}
	for _, d := range strings.Fields(r.ExtraDays) {
		day, err := deadline.ParseDate(d)
		if err != nil {
			return practice.Settings{}, internal(err, "read settings: extra day")
		}
		out.ExtraDays = append(out.ExtraDays, day)
	}
	return out, nil
}

func settingsRow(p practice.Settings, now time.Time) practiceRow {
	days := make([]string, len(p.ExtraDays))
	for i, d := range p.ExtraDays {
		days[i] = d.String()
	}
	return practiceRow{
		ID: 1, Name: p.Name, Address: p.Address, KvK: p.KvK, PrivacyEmail: p.PrivacyEmail,
		Country: string(p.Country), TimeZone: p.TimeZone, Calendar: string(p.Calendar), ExtraDays: strings.Join(days, " "),
		IdentityPause: p.IdentityPause, ServesMinors: p.ServesMinors, RepresentationRules: p.RepresentationRules, IDCopyDays: p.IDCopyDays,
		DocumentDays: p.DocumentDays, CaseRetentionDays: p.CaseRetentionDays, RecordsRetentionNL: p.RecordsRetention.NL, RecordsRetentionEN: p.RecordsRetention.EN,
		PrivacyURL: p.PrivacyURL, FrameOrigins: strings.Join(p.FrameOrigins, "\n"),
		UpdatedAt: now.UTC(),
	}
}

// Branches returns the practice's branches by code, from memory while
// practice_version has not moved (practiceCache).
func (s *DB) Branches(ctx context.Context) ([]practice.Branch, error) {
	if err := s.cache.fresh(ctx, s.sql); err != nil {
		return nil, err
	}
	return s.cache.branches.get(func() ([]practice.Branch, error) { return s.readBranches(ctx) }, slices.Clone)
}

func (s *DB) readBranches(ctx context.Context) ([]practice.Branch, error) {
	var rows []branchRow
	if err := s.db.WithContext(ctx).Order("code").Find(&rows).Error; err != nil {
		return nil, internal(err, "list branches")
	}
	out := make([]practice.Branch, len(rows))
	for i, r := range rows {
		out[i] = practice.Branch{ID: r.ID, Code: r.Code, Name: r.Name}
	}
	return out, nil
}

// AddBranch adds a branch. A code already in use gives a Conflict error.
func (s *Practice) AddBranch(ctx context.Context, b practice.Branch, now time.Time) (practice.Branch, error) {
	var out practice.Branch
	err := s.write(ctx, func(tx *gorm.DB) error {
		var err error
		out, err = addBranch(tx, b, now)
		return err
	})
	return out, err
}

func addBranch(tx *gorm.DB, b practice.Branch, now time.Time) (practice.Branch, error) {
	var n int64
	if err := tx.Model(&branchRow{}).Where("code = ?", b.Code).Count(&n).Error; err != nil {
		return practice.Branch{}, internal(err, "add branch")
	}
	if n > 0 {
		return practice.Branch{}, apperr.New(apperr.Conflict, "branch.code_taken")
	}
	r := branchRow{Code: b.Code, Name: b.Name, CreatedAt: now.UTC()}
	if err := tx.Create(&r).Error; err != nil {
		return practice.Branch{}, internal(err, "add branch")
	}
	return practice.Branch{ID: r.ID, Code: r.Code, Name: r.Name}, nil
}

// AddBranchAudited adds a branch and audits it in one transaction.
func (s *Practice) AddBranchAudited(ctx context.Context, b practice.Branch, who audit.Entry) (practice.Branch, error) {
	var out practice.Branch
	err := s.write(ctx, func(tx *gorm.DB) error {
		var err error
		if out, err = addBranch(tx, b, who.At); err != nil {
			return err
		}
		who.Action, who.Object, who.Detail = audit.SettingsUpdate, audit.Branch(out.ID), "branch=added"
		return s.appendAudit(tx, who)
	})
	return out, err
}
