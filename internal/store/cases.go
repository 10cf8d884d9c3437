package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/identity"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/vault"
)

// Cases is the case aggregate: cases with their events, tracking links and
// idempotency keys, the identity work's requirements, questions and files,
// the daily reminder to staff and the anonymising of closed cases.
type Cases struct{ *DB }

var (
	_ casework.Store         = (*Cases)(nil)
	_ casework.ReminderStore = (*Cases)(nil)
	_ identity.Store         = (*Cases)(nil)
)

type caseRow struct {
	ID               int64 `gorm:"primaryKey"`
	Reference        string
	Type             string
	Status           string
	Outcome          string
	Channel          string
	BranchID         *int64
	ReceivedAt       time.Time
	ReceivedOn       string
	DueOn            string
	OriginalDueOn    string
	ExtendedDueOn    string
	Extended         bool
	PauseDays        int
	Language         string
	Relation         string
	Requester        []byte
	Subject          []byte
	Details          []byte
	RequesterIndex   string
	SubjectIndex     string
	IdentityStatus   string
	IdentityMethod   string
	IdentityAt       *time.Time
	AssigneeID       *int64
	PausedSince      string
	EmailConfirmedAt *time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time `gorm:"autoUpdateTime:false"` // set from the service's clock
	ReceivedDateOnly bool
}

func (caseRow) TableName() string { return "cases" }

// caseView is a case row with the codes its foreign keys point to. The row
// is a named field: gorm skips struct fields with unexported names, so an
// anonymous caseRow would never be filled.
type caseView struct {
	Row           caseRow `gorm:"embedded"`
	BranchCode    *string
	AssigneeEmail *string
	BranchName    *string
	AssigneeName  *string
	Restricted    bool    // lists only: listRestricted
	DestroyBy     *string // the earliest destruction promised and not confirmed
}

// trackingTokenRow is the hash of a tracking link. Generation is the case's
// address generation when the link was mailed: the link works only while
// the case still has that address (cases.address_generation).
type trackingTokenRow struct {
	ID         int64 `gorm:"primaryKey"`
	CaseID     int64
	TokenHash  string
	CreatedAt  time.Time
	ExpiresAt  *time.Time
	Generation int
}

func (trackingTokenRow) TableName() string { return "tracking_tokens" }

type idempotencyRow struct {
	KeyHash     string `gorm:"primaryKey"`
	RequestHash string
	CaseID      int64
	CreatedAt   time.Time
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

// The sealed parts of a case. Only these hold personal data.
type sealedRequester struct {
	Name    string                  `json:"name"`
	Email   string                  `json:"email"`
	Phone   string                  `json:"phone,omitempty"`
	Address *casework.PostalAddress `json:"address,omitempty"`
}

type sealedSubject struct {
	Name      string `json:"name"`
	BirthDate string `json:"birth_date,omitempty"`
}

type sealedDetails struct {
	Text      string             `json:"text,omitempty"`
	Specifics casework.Specifics `json:"specifics"`
}

// CreateCase implements casework.Store.
func (s *Cases) CreateCase(ctx context.Context, c *casework.Case, nc casework.NewCase, compose func(casework.Case) ([]mail.Message, error)) (bool, error) {
	replayed := false
	err := s.write(ctx, func(tx *gorm.DB) error {
		replayed, c.ID = false, 0 // fn may run again (writePostgres)
		if nc.IdempotencyHash != "" {
			// The same key sent twice at once: the second waits here
			// and replays the first's case.
			if err := lockKeys(tx, "idempotency:"+nc.IdempotencyHash); err != nil {
				return err
			}
			var prev idempotencyRow
			err := tx.Where("key_hash = ?", nc.IdempotencyHash).Take(&prev).Error
			if err == nil {
				if prev.RequestHash != nc.RequestHash {
					return apperr.New(apperr.Conflict, "error.idempotency_reused")
				}
				earlier, err := s.caseWhere(ctx, tx, "cases.id = ?", prev.CaseID)
				if err != nil {
					return err
				}
				*c, replayed = earlier, true
				return nil
			}
			if !errors.Is(err, gorm.ErrRecordNotFound) {
				return internal(err, "read idempotency key")
			}
		}
		mailID, err := reserveMailID(tx)
		if err != nil {
			return err
		}
		// From here to the commit, every new case of the year waits.
		ref, err := nextReference(tx, c.ReceivedOn.Year)
		if err != nil {
			return err
		}
		c.Reference = ref
		row, err := s.caseRow(tx, *c)
		if err != nil {
			return err
		}
		if err := tx.Create(&row).Error; err != nil {
			return internal(err, "insert case")
		}
		c.ID = row.ID
		c.Activities = []string{} // read as one case is: none chosen yet
		c.Erasure = []casework.ErasureItem{}
		c.Rectification = []casework.RectificationItem{}
		if nc.TrackingHash != "" {
			if err := insertTrackingToken(tx, row.ID, nc.TrackingHash, c.CreatedAt, nc.TrackingExpires); err != nil {
				return err
			}
		}
		created := []casework.Event{{At: c.CreatedAt, Kind: casework.EventCreated, ActorID: nc.Actor.ID,
			Data: map[string]string{"channel": string(c.Channel)}}}
		if err := s.insertEvents(tx, row.ID, created); err != nil {
			return err
		}
		if nc.IdempotencyHash != "" {
			r := idempotencyRow{KeyHash: nc.IdempotencyHash, RequestHash: nc.RequestHash, CaseID: row.ID, CreatedAt: c.CreatedAt.UTC()}
			if err := tx.Create(&r).Error; err != nil {
				return internal(err, "insert idempotency key")
			}
		}
		msgs, err := compose(*c)
		if err != nil {
			return apperr.Wrap(err, "error.internal")
		}
		if err := s.enqueueReserved(tx, mailID, msgs, c.CreatedAt); err != nil {
			return err
		}
		// Last: on PostgreSQL the audit trail's head stays locked until
		// the commit, and every audited write of every instance queues
		// on it.
		return s.auditEvents(tx, nc.Actor, row.ID, created)
	})
	return replayed, err
}

// nextReference hands out the next case number of year. It runs inside the
// write transaction, so two cases never get the same number; one statement
// (an upsert returning the number) both starts a new year and counts on.
func nextReference(tx *gorm.DB, year int) (string, error) {
	var last int
	err := tx.Raw(`INSERT INTO case_sequences (year, last) VALUES (?, 1)
		ON CONFLICT (year) DO UPDATE SET last = case_sequences.last + 1 RETURNING last`, year).Scan(&last).Error
	if err != nil {
		return "", internal(err, "next reference")
	}
	if last == 0 {
		return "", internal(errors.New("no number returned"), "next reference")
	}
	return casework.FormatReference(year, last), nil
}

func (s *Cases) caseRow(tx *gorm.DB, c casework.Case) (caseRow, error) {
	r := caseRow{
		ID: c.ID, Reference: c.Reference, Type: string(c.Type), Status: string(c.Status),
		Outcome: string(c.Outcome), Channel: string(c.Channel), ReceivedAt: c.ReceivedAt.UTC(),
		ReceivedOn: c.ReceivedOn.String(), DueOn: c.Deadlines.Due.String(),
		OriginalDueOn: c.Deadlines.OriginalDue.String(), ExtendedDueOn: c.Deadlines.ExtendedDue.String(),
		Extended: c.Extended, PauseDays: c.PauseDays, Language: string(c.Language),
		Relation: string(c.Requester.Relation), IdentityStatus: string(c.Identity.Status),
		IdentityMethod: c.Identity.Method, IdentityAt: utc(c.Identity.VerifiedAt),
		EmailConfirmedAt: utc(c.EmailConfirmedAt), CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
		RequesterIndex: s.nameKey(c.Requester.Name), SubjectIndex: s.nameKey(c.Subject.Name),
		ReceivedDateOnly: c.ReceivedDateOnly,
	}
	if c.AssigneeID != 0 {
		r.AssigneeID = &c.AssigneeID
	}
	if c.Paused() {
		r.PausedSince = c.PausedSince.String()
	}
	if id, ok := s.cache.branchID(c.Branch); ok {
		r.BranchID = &id
	} else if c.Branch != "" {
		var b branchRow
		if err := tx.Where("code = ?", c.Branch).Take(&b).Error; err != nil {
			return caseRow{}, internal(err, "case branch")
		}
		r.BranchID = &b.ID
	}
	birth := ""
	if !c.Subject.BirthDate.IsZero() {
		birth = c.Subject.BirthDate.String()
	}
	var err error
	seal := func(column string, v any) []byte {
		if err != nil {
			return nil
		}
		var b []byte
		if b, err = s.sealJSON("cases", column, c.Reference, v); err != nil {
			err = internal(err, "seal case "+column)
		}
		return b
	}
	req := sealedRequester{Name: c.Requester.Name, Email: c.Requester.Email, Phone: c.Requester.Phone}
	if !c.Requester.Address.IsZero() {
		req.Address = &c.Requester.Address
	}
	r.Requester = seal("requester", req)
	r.Subject = seal("subject", sealedSubject{Name: c.Subject.Name, BirthDate: birth})
	r.Details = seal("details", sealedDetails{Text: c.Details, Specifics: c.Specifics})
	return r, err
}

func (s *Cases) caseFromView(v caseView) (casework.Case, error) {
	r := v.Row
	c := casework.Case{
		ID: r.ID, Reference: r.Reference, Type: casework.RequestType(r.Type), Status: casework.Status(r.Status),
		Outcome: casework.Outcome(r.Outcome), Channel: casework.Channel(r.Channel),
		ReceivedAt: r.ReceivedAt, Extended: r.Extended, PauseDays: r.PauseDays,
		Language: casework.Language(r.Language), EmailConfirmedAt: r.EmailConfirmedAt,
		Identity:  casework.Identity{Status: casework.IdentityStatus(r.IdentityStatus), Method: r.IdentityMethod, VerifiedAt: r.IdentityAt},
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, ReceivedDateOnly: r.ReceivedDateOnly,
	}
	if v.BranchCode != nil {
		c.Branch = *v.BranchCode
	}
	if v.BranchName != nil {
		c.BranchName = *v.BranchName
	}
	if v.AssigneeEmail != nil && r.AssigneeID != nil {
		c.Assignee, c.AssigneeID = *v.AssigneeEmail, *r.AssigneeID
	}
	if v.AssigneeName != nil && r.AssigneeID != nil {
		c.AssigneeName = *v.AssigneeName
	}
	var err error
	date := func(s string) deadline.Date {
		d, e := deadline.ParseDate(s)
		if e != nil && err == nil {
			err = e
		}
		return d
	}
	c.ReceivedOn = date(r.ReceivedOn)
	if r.PausedSince != "" {
		c.PausedSince = date(r.PausedSince)
	}
	if v.DestroyBy != nil {
		c.DestroyBy = date(*v.DestroyBy)
	}
	c.Deadlines = deadline.Deadlines{Due: date(r.DueOn), OriginalDue: date(r.OriginalDueOn),
		ExtendedDue: date(r.ExtendedDueOn), ExtensionNoticeBy: date(r.OriginalDueOn)}
	if err != nil {
		return casework.Case{}, internal(err, "read case dates")
	}
	var req sealedRequester
	var sub sealedSubject
	var det sealedDetails
	for _, p := range []struct {
		column string
		blob   []byte
		into   any
	}{{"requester", r.Requester, &req}, {"subject", r.Subject, &sub}, {"details", r.Details, &det}} {
		if err := s.openJSON("cases", p.column, r.Reference, p.blob, p.into); err != nil {
			return casework.Case{}, internal(err, "open case "+p.column)
		}
	}
	c.Requester = casework.Requester{Name: req.Name, Email: req.Email, Phone: req.Phone, Relation: casework.Relation(r.Relation)}
	if req.Address != nil {
		c.Requester.Address = *req.Address
	}
	c.Subject = casework.Subject{Name: sub.Name}
	if sub.BirthDate != "" {
		c.Subject.BirthDate = date(sub.BirthDate)
	}
	c.Details, c.Specifics = det.Text, det.Specifics
	return c, err
}

// caseSelect reads cases.destroy_by with the row: the earliest destruction
// promised and not confirmed, kept by migration 0035's triggers.
const caseSelect = "cases.*, branches.code AS branch_code, staff.email AS assignee_email, branches.name AS branch_name, staff.name AS assignee_name"

// listRestricted marks, in a list, the cases with a restriction of
// processing in force on a day (the two ?): begun, not lifted, and the
// request not refused or withdrawn (casework.Case.RestrictionInForce). It
// reads the copy of the restriction's days that migration 0035's triggers
// keep on the case's row (NULL without a restriction).
const listRestricted = `, (cases.restriction_from IS NOT NULL AND cases.restriction_from <= ?
	AND (cases.restriction_lift = '' OR cases.restriction_lift > ?)
	AND cases.outcome NOT IN ('refused', 'withdrawn')) AS restricted`

func caseQuery(db *gorm.DB) *gorm.DB {
	return db.Table("cases").Select(caseSelect).
		Joins("LEFT JOIN branches ON branches.id = cases.branch_id").
		Joins("LEFT JOIN staff ON staff.id = cases.assignee_id")
}

func (s *Cases) caseWhere(ctx context.Context, db *gorm.DB, cond string, args ...any) (casework.Case, error) {
	var v caseView
	err := caseQuery(db.WithContext(ctx)).Where(cond, args...).Take(&v).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return casework.Case{}, notFound()
	}
	if err != nil {
		return casework.Case{}, internal(err, "read case")
	}
	return s.withActivities(db, v)
}

func scoped(db *gorm.DB, scope casework.Scope) *gorm.DB {
	if scope.All {
		return db
	}
	if len(scope.Branches) == 0 {
		return db.Where("1 = 0")
	}
	// The unary + keeps SQLite from starting at the branches: it walks the
	// cases in the list's order (cases_open_by_due, 0035) and checks each
	// one's branch, instead of sorting every open case of the branches.
	// PostgreSQL has no unary + on text, and its planner needs no hint.
	if isPostgres(db) {
		return db.Where("branches.code IN ?", scope.Branches)
	}
	return db.Where("+branches.code IN ?", scope.Branches)
}

// CaseByReference implements casework.Store.
func (s *Cases) CaseByReference(ctx context.Context, ref string, scope casework.Scope) (casework.Case, error) {
	var v caseView
	err := scoped(caseQuery(s.db.WithContext(ctx)), scope).Where("cases.reference = ?", ref).Take(&v).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return casework.Case{}, notFound()
	}
	if err != nil {
		return casework.Case{}, internal(err, "read case")
	}
	return s.withActivities(s.db.WithContext(ctx), v)
}

// ListCases implements casework.Store. Pages are cut by keyset on
// (due_on, reference), so a deep page costs the same as the first.
func (s *Cases) ListCases(ctx context.Context, q casework.Query, scope casework.Scope) (casework.Page, error) {
	db := scoped(caseQuery(s.db.WithContext(ctx)).Select(caseSelect+listRestricted, q.Today.String(), q.Today.String()), scope)
	if q.Status != "" {
		db = db.Where("cases.status = ?", string(q.Status))
	}
	if q.Type != "" {
		db = db.Where("cases.type = ?", string(q.Type))
	}
	if q.Branch != "" {
		db = db.Where("branches.code = ?", q.Branch)
	}
	if q.Overdue {
		db = db.Where("cases.status <> ? AND cases.outcome = '' AND cases.paused_since = '' AND cases.due_on < ?", string(casework.Completed), q.Today.String())
	}
	if q.Assignee != 0 {
		db = db.Where("cases.assignee_id = ?", q.Assignee)
	}
	if q.Open { // literal, so that the partial indexes of open cases (0035) apply
		db = db.Where("cases.status <> 'completed'")
	}
	if !q.DueBefore.IsZero() {
		db = db.Where("cases.outcome = '' AND cases.due_on < ?", q.DueBefore.String())
	}
	if t := strings.TrimSpace(q.Text); t != "" {
		if strings.HasPrefix(strings.ToUpper(t), "AVG-") {
			db = db.Where("cases.reference = ?", strings.ToUpper(t))
		} else {
			key := s.nameKey(t)
			// A sub-select per column, so each uses its index whatever
			// order the page asks for.
			db = db.Where("cases.id IN (SELECT id FROM cases WHERE requester_index = ? UNION SELECT id FROM cases WHERE subject_index = ?)", key, key)
		}
	}
	if q.Cursor != "" {
		due, ref, err := decodeCursor(q.Cursor)
		if err != nil {
			return casework.Page{}, apperr.InvalidFields(map[string]string{"cursor": "field.invalid"})
		}
		db = db.Where("(cases.due_on, cases.reference) > (?, ?)", due, ref)
	}
	db = db.Order("cases.due_on, cases.reference")
	if q.Limit > 0 { // a zero Limit selects everything, as for every Query field
		db = db.Limit(q.Limit + 1)
	}
	var views []caseView
	if err := db.Find(&views).Error; err != nil {
		return casework.Page{}, internal(err, "list cases")
	}
	var page casework.Page
	if q.Limit > 0 && len(views) > q.Limit {
		views = views[:q.Limit]
		last := views[len(views)-1].Row
		page.Next = encodeCursor(last.DueOn, last.Reference)
	}
	page.Cases = make([]casework.Case, 0, len(views))
	for _, v := range views {
		c, err := s.caseFromView(v)
		if err != nil {
			return casework.Page{}, err
		}
		c.Restricted = v.Restricted
		page.Cases = append(page.Cases, c)
	}
	return page, nil
}

// CountCases implements casework.Store from the counts that migration
// 0035's triggers keep in the same transaction as every change of a case:
// the open cases per branch, assignee and status (case_counts) give Open,
// Mine and Awaiting; those not decided and not paused per branch, assignee
// and due day (case_due_counts) give DueSoon, Overdue and MineUrgent. Each
// is a sum over at most branches × staff × statuses or × due days rows,
// however many cases the register holds. A paused case is neither overdue
// nor due soon: its date moves by the days it waits. The figures equal a
// count over the cases themselves (countsOracle in the tests).
func (s *Cases) CountCases(ctx context.Context, scope casework.Scope, staffID int64, today, dueSoon deadline.Date) (casework.Counts, error) {
	inScope := func(table string) *gorm.DB {
		db := s.db.WithContext(ctx).Table(table)
		if !scope.All { // branch_id 0, no branch, is in no scope but all
			db = db.Where("branch_id IN (SELECT id FROM branches WHERE code IN ?)", append([]string{""}, scope.Branches...))
		}
		return db
	}
	// assignee_id 0 stands for none, which is nobody's. Both sums are one
	// statement, so they count the same moment.
	open := inScope("case_counts").Select(`
		COALESCE(SUM(n), 0) AS open,
		COALESCE(SUM(CASE WHEN assignee_id = ? AND assignee_id <> 0 THEN n ELSE 0 END), 0) AS mine,
		COALESCE(SUM(CASE WHEN status = ? THEN n ELSE 0 END), 0) AS awaiting`,
		staffID, string(casework.AwaitingIdentity))
	due := inScope("case_due_counts").Where("due_on <= ?", max(today.String(), dueSoon.String())).Select(`
		COALESCE(SUM(CASE WHEN due_on >= ? AND due_on <= ? THEN n ELSE 0 END), 0) AS due_soon,
		COALESCE(SUM(CASE WHEN due_on < ? THEN n ELSE 0 END), 0) AS overdue,
		COALESCE(SUM(CASE WHEN assignee_id = ? AND assignee_id <> 0 AND due_on <= ? THEN n ELSE 0 END), 0) AS mine_urgent`,
		today.String(), dueSoon.String(), today.String(), staffID, dueSoon.String())
	var c struct{ Open, Mine, DueSoon, Overdue, Awaiting, MineUrgent int }
	if err := s.db.WithContext(ctx).Table("(?) AS o, (?) AS d", open, due).Select("o.*, d.*").Scan(&c).Error; err != nil {
		return casework.Counts{}, internal(err, "count cases")
	}
	return casework.Counts(c), nil
}

func encodeCursor(due, ref string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(due + "|" + ref))
}

func decodeCursor(c string) (string, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return "", "", err
	}
	due, ref, ok := strings.Cut(string(b), "|")
	if !ok {
		return "", "", fmt.Errorf("cursor without separator")
	}
	if _, err := deadline.ParseDate(due); err != nil {
		return "", "", err
	}
	return due, ref, nil
}

// CaseByTracking implements casework.Store. A link works only while its
// generation is the case's: one mailed to an earlier address does not.
func (s *Cases) CaseByTracking(ctx context.Context, hash string, now time.Time) (casework.Case, error) {
	t, err := liveTrackingToken(s.db.WithContext(ctx), hash, now)
	if err != nil {
		return casework.Case{}, err
	}
	return s.caseWhere(ctx, s.db, "cases.id = ?", t.CaseID)
}

// liveTrackingToken returns the token that hashes to hash if it has not
// expired at now and was mailed to the case's current address; NotFound
// otherwise.
func liveTrackingToken(db *gorm.DB, hash string, now time.Time) (trackingTokenRow, error) {
	var t trackingTokenRow
	err := db.Table("tracking_tokens").Select("tracking_tokens.*").
		Joins("JOIN cases ON cases.id = tracking_tokens.case_id AND cases.address_generation = tracking_tokens.generation").
		Where("tracking_tokens.token_hash = ? AND (tracking_tokens.expires_at IS NULL OR tracking_tokens.expires_at > ?)", hash, now.UTC()).
		Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return trackingTokenRow{}, notFound()
	}
	if err != nil {
		return trackingTokenRow{}, internal(err, "read tracking token")
	}
	return t, nil
}

// insertTrackingToken stores the hash of a link mailed for case caseID to
// its current address.
func insertTrackingToken(tx *gorm.DB, caseID int64, hash string, at, expires time.Time) error {
	// One statement that reads the case's address generation as it
	// inserts: a round trip less while CreateCase holds the case number.
	res := tx.Exec(`INSERT INTO tracking_tokens (case_id, token_hash, created_at, expires_at, generation)
		SELECT id, ?, ?, ?, address_generation FROM cases WHERE id = ?`, hash, at.UTC(), expires.UTC(), caseID)
	if res.Error == nil && res.RowsAffected != 1 {
		res.Error = errors.New("no such case")
	}
	if res.Error != nil {
		return internal(res.Error, "insert tracking token")
	}
	return nil
}

// revokeTrackingTokens starts the next address generation of case caseID
// and deletes every link mailed before: the address changed.
func revokeTrackingTokens(tx *gorm.DB, caseID int64) error {
	if err := tx.Exec("UPDATE cases SET address_generation = address_generation + 1 WHERE id = ?", caseID).Error; err != nil {
		return internal(err, "next address generation")
	}
	if err := tx.Where("case_id = ?", caseID).Delete(&trackingTokenRow{}).Error; err != nil {
		return internal(err, "revoke tracking tokens")
	}
	return nil
}

// ConfirmEmail implements casework.Store. The token is checked again inside
// the write transaction, so a correction of the address that committed
// after the requester's page was read still wins.
func (s *Cases) ConfirmEmail(ctx context.Context, caseID int64, tokenHash string, at time.Time, address string) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		t, err := liveTrackingToken(tx, tokenHash, at)
		if err != nil {
			return err
		}
		if t.CaseID != caseID {
			return notFound()
		}
		res := tx.Model(&caseRow{}).Where("id = ? AND email_confirmed_at IS NULL", caseID).Update("email_confirmed_at", at.UTC())
		if res.Error != nil {
			return internal(res.Error, "confirm e-mail")
		}
		if res.RowsAffected == 0 {
			return nil
		}
		ev := []casework.Event{{At: at, Kind: casework.EventEmailVerified}}
		if err := s.insertEvents(tx, caseID, ev); err != nil {
			return err
		}
		return s.appendAudit(tx, audit.Entry{At: at, Actor: audit.Requester(caseID), Action: audit.RequestConfirm,
			Object: audit.Case(caseID), Address: address})
	})
}

// nameKey returns the blind index of one name, or "" for none.
func (s *DB) nameKey(name string) string {
	if n := normalizeName(name); n != "" {
		return s.vault.Index("name", n)
	}
	return ""
}

func normalizeName(n string) string { return strings.ToLower(strings.Join(strings.Fields(n), " ")) }

func (s *DB) sealJSON(table, column, row string, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return s.vault.Seal(b, vault.AAD(table, column, row))
}

func (s *DB) openJSON(table, column, row string, blob []byte, into any) error {
	b, err := s.vault.Open(blob, vault.AAD(table, column, row))
	if err != nil {
		return err
	}
	return json.Unmarshal(b, into)
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func idString(id int64) string { return strconv.FormatInt(id, 10) }
