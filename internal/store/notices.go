package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
)

// caseNoticeRow is one art. 19 notice of a case. Recipient, kind and
// activities are the register's words; the letter names the person and is
// sealed, bound to the row id. A mail's address and status live in its
// outbox row.
type caseNoticeRow struct {
	ID         int64 `gorm:"primaryKey"`
	CaseID     int64
	Recipient  string
	Kind       string
	Activities string
	Channel    string
	Language   string
	OutboxID   *int64
	Letter     []byte
	CreatedAt  time.Time
	PrintedAt  *time.Time
}

func (caseNoticeRow) TableName() string { return "case_notices" }

// noticeLinkRow is the download link of a notice sent by mail; only a
// keyed hash of its secret is kept.
type noticeLinkRow struct {
	TokenHash    string `gorm:"primaryKey"`
	NoticeID     int64
	CaseID       int64
	CreatedAt    time.Time
	ExpiresAt    time.Time
	Downloads    int
	DownloadedAt *time.Time
}

func (noticeLinkRow) TableName() string { return "notice_links" }

// noticeLinkHash is what the store keeps of a notice link's secret: its
// keyed hash (the vault's blind index), useless without the index key.
func (s *Cases) noticeLinkHash(token string) string { return s.vault.Index("notice_link", token) }

// writeNotices stores the new notices ch carries, each mail queued in the
// outbox and linked to its notice with its download link, and marks the notice ch.NoticePosted
// printed, inside tx. A notice to mark that is not one of case caseID's
// letters still to post is a Conflict.
func (s *Cases) writeNotices(tx *gorm.DB, caseID int64, ch casework.Change, now time.Time) error {
	for _, n := range ch.Notices {
		r := caseNoticeRow{CaseID: caseID, Recipient: n.Recipient, Kind: n.Kind, Activities: strings.Join(n.Activities, ","),
			Channel: string(n.Channel), Language: string(casework.ParseLanguage(string(n.Language))), CreatedAt: now.UTC()}
		if n.Mail != nil {
			id, err := s.queueMail(tx, *n.Mail, now)
			if err != nil {
				return err
			}
			r.OutboxID = &id
		}
		if err := tx.Create(&r).Error; err != nil {
			return internal(err, "record notice")
		}
		b, err := s.sealJSON("case_notices", "letter", idString(r.ID), n.Letter)
		if err != nil {
			return internal(err, "seal notice")
		}
		if err := tx.Model(&caseNoticeRow{}).Where("id = ?", r.ID).Update("letter", b).Error; err != nil {
			return internal(err, "record notice")
		}
		if l := n.Link; l != nil {
			if err := tx.Create(&noticeLinkRow{TokenHash: s.noticeLinkHash(l.Token), NoticeID: r.ID, CaseID: caseID,
				CreatedAt: now.UTC(), ExpiresAt: l.Expires.UTC()}).Error; err != nil {
				return internal(err, "record notice link")
			}
		}
	}
	if id := ch.NoticePosted; id != nil {
		res := tx.Model(&caseNoticeRow{}).Where("id = ? AND case_id = ? AND channel = ? AND printed_at IS NULL",
			*id, caseID, string(casework.NoticeByPost)).Update("printed_at", now.UTC())
		if res.Error != nil {
			return internal(res.Error, "mark notice posted")
		}
		if res.RowsAffected == 0 {
			return conflict("notices.not_to_post")
		}
	}
	return nil
}

// noticeView is a notice row with its mail's sending time.
type noticeView struct {
	Row    caseNoticeRow `gorm:"embedded"`
	SentAt *time.Time
}

// noticeOf is the notice of row r, its letter opened (none once the case
// is anonymised); the status is the caller's.
func (s *Cases) noticeOf(r caseNoticeRow) (casework.Notice, error) {
	n := casework.Notice{ID: r.ID, Recipient: r.Recipient, Kind: r.Kind, Activities: strings.Split(r.Activities, ","),
		Channel: casework.NoticeChannel(r.Channel), Language: casework.ParseLanguage(r.Language), CreatedAt: r.CreatedAt}
	if len(r.Letter) > 0 {
		if err := s.openJSON("case_notices", "letter", idString(r.ID), r.Letter, &n.Letter); err != nil {
			return casework.Notice{}, internal(err, "open notice")
		}
	}
	return n, nil
}

// CaseNotices returns the art. 19 notices of case caseID, oldest first,
// with their status: a mail is sent once its outbox row is, a letter
// printed once marked posted. The caller has read the case through a
// scoped or tracking-link read.
func (s *Cases) CaseNotices(ctx context.Context, caseID int64) ([]casework.Notice, error) {
	var rows []noticeView
	err := s.db.WithContext(ctx).Table("case_notices").Select("case_notices.*, outbox.sent_at AS sent_at").
		Joins("LEFT JOIN outbox ON outbox.id = case_notices.outbox_id").
		Where("case_notices.case_id = ?", caseID).Order("case_notices.id").Find(&rows).Error
	if err != nil {
		return nil, internal(err, "read notices")
	}
	out := make([]casework.Notice, 0, len(rows))
	for _, v := range rows {
		n, err := s.noticeOf(v.Row)
		if err != nil {
			return nil, err
		}
		n.Status = casework.NoticeQueued
		switch {
		case v.SentAt != nil:
			n.Status, n.At = casework.NoticeSent, v.SentAt
		case v.Row.PrintedAt != nil:
			n.Status, n.At = casework.NoticePrinted, v.Row.PrintedAt
		}
		out = append(out, n)
	}
	return out, nil
}

// NoticesSent counts the art. 19 notices sent from from to to (both
// included, days in loc) — mails the mail server took, letters marked
// posted — of every case, or of one branch's when branch is not empty. For
// the accountability report (art. 5(2)).
func (s *Cases) NoticesSent(ctx context.Context, from, to deadline.Date, branch string, loc *time.Location) (int, error) {
	start, end := from.In(loc).UTC(), to.AddDays(1).In(loc).UTC()
	var n int64
	db := s.db.WithContext(ctx).Table("case_notices").
		Joins("JOIN cases ON cases.id = case_notices.case_id").
		Joins("LEFT JOIN branches ON branches.id = cases.branch_id").
		Joins("LEFT JOIN outbox ON outbox.id = case_notices.outbox_id").
		Where("COALESCE(outbox.sent_at, case_notices.printed_at) >= ? AND COALESCE(outbox.sent_at, case_notices.printed_at) < ?", start, end)
	if branch != "" {
		db = db.Where("branches.code = ?", branch)
	}
	if err := db.Count(&n).Error; err != nil {
		return 0, internal(err, "count notices")
	}
	return int(n), nil
}

// OpenNoticeLink returns the notice whose link's secret is token and
// records a download of it from address at, audited as an export of the
// case (the recipient is not named); a HEAD (audit.Unseen) is neither
// counted nor audited. NotFound, the same way, when there is no such
// link, it expired at at, or the notice's letter is gone (the case was
// anonymised).
func (s *Cases) OpenNoticeLink(ctx context.Context, token, address string, at time.Time) (casework.Notice, error) {
	var n casework.Notice
	err := s.write(ctx, func(tx *gorm.DB) error {
		var l noticeLinkRow
		err := tx.Take(&l, "token_hash = ? AND expires_at > ?", s.noticeLinkHash(token), at.UTC()).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return notFound()
		}
		if err != nil {
			return internal(err, "read notice link")
		}
		var r caseNoticeRow
		if err := tx.Take(&r, "id = ?", l.NoticeID).Error; err != nil {
			return internal(err, "read notice")
		}
		if len(r.Letter) == 0 {
			return notFound()
		}
		if n, err = s.noticeOf(r); err != nil {
			return err
		}
		if audit.IsUnseen(ctx) {
			return nil
		}
		if err := tx.Model(&l).Updates(map[string]any{"downloads": gorm.Expr("downloads + 1"), "downloaded_at": at.UTC()}).Error; err != nil {
			return internal(err, "record notice download")
		}
		return s.appendAudit(tx, audit.Entry{At: at, Actor: audit.Anonymous, Action: audit.CaseExport,
			Object: audit.Case(l.CaseID), Address: address, Detail: "notice_link=" + idString(r.ID)})
	})
	if err != nil {
		return casework.Notice{}, err
	}
	return n, nil
}
