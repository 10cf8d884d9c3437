package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/mail"
)

// The breach register (migration 0007). Machine fields are columns; every
// text is in body, sealed and bound to the breach's reference.

type breachRow struct {
	ID           int64 `gorm:"primaryKey"`
	Reference    string
	BranchID     *int64
	AwareAt      time.Time
	APDeadline   time.Time `gorm:"column:ap_deadline"`
	Kinds        string
	IncidentType string
	Assessment   string
	Band         string
	NotifyAP     *bool `gorm:"column:notify_ap"`
	InformPeople string
	DecidedAt    *time.Time
	DecidedBy    *int64
	NotifiedAt   *time.Time
	InformedAt   *time.Time
	Body         []byte
	CreatedBy    *int64
	CreatedAt    time.Time
	UpdatedAt    time.Time `gorm:"autoUpdateTime:false"` // set from the service's clock
}

func (breachRow) TableName() string { return "breaches" }

// breachView is a breach row with its branch code and the size of its list
// of people to inform. The row is a named field (see caseView).
type breachView struct {
	Row        breachRow `gorm:"embedded"`
	BranchCode *string
	Recipients int
	Queued     int
	Told       int
}

type breachSequenceRow struct {
	Year int `gorm:"primaryKey"`
	Last int
}

func (breachSequenceRow) TableName() string { return "breach_sequences" }

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

type breachRecipientRow struct {
	ID         int64 `gorm:"primaryKey"`
	BreachID   int64
	EmailIndex string
	Contact    []byte
	Language   string
	AddedAt    time.Time
	ToldAt     *time.Time
	OutboxID   *int64
}

func (breachRecipientRow) TableName() string { return "breach_recipients" }

type breachReminderRow struct {
	BreachID int64  `gorm:"primaryKey"`
	Mark     string `gorm:"primaryKey"`
	SentAt   time.Time
}

func (breachReminderRow) TableName() string { return "breach_reminders" }

type breachSettingsRow struct {
	ID             int64 `gorm:"primaryKey"`
	OwnTargetHours int
	Sector         string
	Contacts       []byte
	UpdatedAt      time.Time
}

func (breachSettingsRow) TableName() string { return "breach_settings" }

// sealedCount is a breach.Count as the body keeps it.
type sealedCount struct {
	Exact *int `json:"exact,omitempty"`
	Min   *int `json:"min,omitempty"`
	Max   *int `json:"max,omitempty"`
}

func countOf(c breach.Count) sealedCount { return sealedCount(c) }

func (c sealedCount) count() breach.Count { return breach.Count(c) }

// sealedBreach is every text of a breach: what the body column holds.
type sealedBreach struct {
	Title                      string      `json:"title"`
	StartedAt                  *time.Time  `json:"started_at,omitempty"`
	EndedAt                    *time.Time  `json:"ended_at,omitempty"`
	Ongoing                    string      `json:"ongoing_answer,omitempty"`
	HowDiscovered              string      `json:"how_discovered,omitempty"`
	ReportedBy                 string      `json:"reported_by,omitempty"`
	IncidentOther              string      `json:"incident_other,omitempty"`
	Description                string      `json:"description"`
	DataCategories             []string    `json:"data_categories,omitempty"`
	DataOther                  string      `json:"data_other,omitempty"`
	SpecialCategories          []string    `json:"special_categories,omitempty"`
	Records                    sealedCount `json:"records"`
	AffectedGroups             []string    `json:"affected_groups,omitempty"`
	PeopleDescription          string      `json:"people_description,omitempty"`
	People                     sealedCount `json:"people"`
	PeopleInOtherCountries     string      `json:"other_countries_answer,omitempty"`
	Countries                  string      `json:"countries,omitempty"`
	OtherAuthoritiesInformed   string      `json:"other_authorities_informed,omitempty"`
	ForeignAuthoritiesInformed string      `json:"foreign_authorities_informed,omitempty"`
	Encrypted                  string      `json:"encrypted_answer,omitempty"`
	Hashed                     string      `json:"hashed_answer,omitempty"`
	OtherwiseUnintelligible    string      `json:"unintelligible_answer,omitempty"`
	MeasuresBeforeText         string      `json:"measures_before,omitempty"`
	Consequences               string      `json:"consequences,omitempty"`
	MeasuresTaken              string      `json:"measures_taken,omitempty"`
	MeasuresPlanned            string      `json:"measures_planned,omitempty"`
	Processors                 string      `json:"processors,omitempty"`
	SeverityWord               string      `json:"severity_word,omitempty"`
	DecisionReason             string      `json:"decision_reason,omitempty"`
	DecidedByName              string      `json:"decided_by,omitempty"`
	InformedHow                string      `json:"informed_how,omitempty"`
	InformedCount              sealedCount `json:"informed_count"`
	Informed                   bool        `json:"informed,omitempty"`          // an Informing is on record, told or not
	InformedByEmail            bool        `json:"informed_by_email,omitempty"` // the count follows the letters delivered
	NotInformedReason          string      `json:"not_informed_reason,omitempty"`
	LateReason                 string      `json:"late_reason,omitempty"`
	LetterNL                   string      `json:"letter_nl,omitempty"`
	LetterEN                   string      `json:"letter_en,omitempty"`
	NoticeNL                   string      `json:"notice_nl,omitempty"`
	NoticeEN                   string      `json:"notice_en,omitempty"`

	// Answers is true in every body sealed since the yes-or-no answers can
	// be unknown; the Legacy fields are what older bodies held instead:
	// only true was ever written (omitempty), and false meant both "no"
	// and "never answered". Read only; see answersOf.
	Answers                       bool `json:"answers,omitempty"`
	LegacyOngoing                 bool `json:"ongoing,omitempty"`
	LegacyPeopleInOtherCountries  bool `json:"people_in_other_countries,omitempty"`
	LegacyEncrypted               bool `json:"encrypted,omitempty"`
	LegacyHashed                  bool `json:"hashed,omitempty"`
	LegacyOtherwiseUnintelligible bool `json:"otherwise_unintelligible,omitempty"`
}

// answersOf puts the yes-or-no answers of body into b. A body sealed before
// answers could be unknown gives Yes where it stored true and otherwise
// unknown, since an unticked box there cannot be told from a question
// nobody looked at (DOMAIN.md §10: unknown, never "no"); only "is it still
// going on?" reads No when an end was recorded, which answers it. The
// bodies are sealed, so no SQL migration can convert them: they are read
// this way and written in the new form at their next change.
func answersOf(body sealedBreach, b *breach.Breach) {
	if body.Answers {
		b.Ongoing, b.PeopleInOtherCountries = breach.Answer(body.Ongoing), breach.Answer(body.PeopleInOtherCountries)
		b.MeasuresBefore.Encrypted, b.MeasuresBefore.Hashed = breach.Answer(body.Encrypted), breach.Answer(body.Hashed)
		b.MeasuresBefore.OtherwiseUnintelligible = breach.Answer(body.OtherwiseUnintelligible)
		return
	}
	legacy := func(yes bool) breach.Answer {
		if yes {
			return breach.Yes
		}
		return breach.Unanswered
	}
	b.Ongoing, b.PeopleInOtherCountries = legacy(body.LegacyOngoing), legacy(body.LegacyPeopleInOtherCountries)
	if b.Ongoing == breach.Unanswered && body.EndedAt != nil {
		b.Ongoing = breach.No
	}
	b.MeasuresBefore.Encrypted, b.MeasuresBefore.Hashed = legacy(body.LegacyEncrypted), legacy(body.LegacyHashed)
	b.MeasuresBefore.OtherwiseUnintelligible = legacy(body.LegacyOtherwiseUnintelligible)
}

// storedAssessment is the assessment column: numbers and choices only.
type storedAssessment struct {
	breach.Assessment
	Guidance *breach.Guidance `json:"guidance,omitempty"`
}

// breachActor names who acted, by id only.
func breachActor(a breach.Actor) string {
	switch {
	case a.ID == 0:
		return audit.System
	case a.API:
		return audit.API(a.ID)
	}
	return audit.Staff(a.ID)
}

// breachScoped limits a breach query to scope; a breach without a branch
// is seen only with the whole practice in scope.
func breachScoped(db *gorm.DB, scope breach.Scope) *gorm.DB {
	return scoped(db, casework.Scope{All: scope.All, Branches: scope.Branches})
}

const breachSelect = "breaches.*, branches.code AS branch_code, " +
	"(SELECT COUNT(*) FROM breach_recipients r WHERE r.breach_id = breaches.id) AS recipients, " +
	"(SELECT COUNT(*) FROM breach_recipients r WHERE r.breach_id = breaches.id AND r.told_at IS NOT NULL) AS queued, " +
	"(SELECT COUNT(*) FROM breach_recipients r JOIN outbox o ON o.id = r.outbox_id " +
	"WHERE r.breach_id = breaches.id AND o.sent_at IS NOT NULL) AS told"

func breachQuery(db *gorm.DB) *gorm.DB {
	return db.Table("breaches").Select(breachSelect).Joins("LEFT JOIN branches ON branches.id = breaches.branch_id")
}

// openCondition is true for a breach whose AP decision is open
// (breach.Breach.DecisionOpen).
const openCondition = "(breaches.notified_at IS NULL AND (breaches.notify_ap IS NULL OR breaches.notify_ap = 1))"

// breachRowOf turns r into its row; the branch code becomes its id.
func (s *Store) breachRowOf(tx *gorm.DB, r breach.Record) (breachRow, error) {
	kinds := make([]string, len(r.Kinds))
	for i, k := range r.Kinds {
		kinds[i] = string(k)
	}
	row := breachRow{
		ID: r.ID, Reference: r.Reference, AwareAt: r.AwareAt.UTC(), APDeadline: breach.APDeadline(r.AwareAt).UTC(),
		Kinds: strings.Join(kinds, " "), IncidentType: string(r.Incident),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	if r.Branch != "" {
		var b branchRow
		if err := tx.Where("code = ?", r.Branch).Take(&b).Error; err != nil {
			return breachRow{}, internal(err, "breach branch")
		}
		row.BranchID = &b.ID
	}
	if r.Assessment != nil {
		js, err := json.Marshal(storedAssessment{Assessment: *r.Assessment, Guidance: r.Guidance})
		if err != nil {
			return breachRow{}, internal(err, "breach assessment")
		}
		row.Assessment = string(js)
		if sev, ok := r.Severity(); ok {
			row.Band = sev.Band
		}
	}
	body := sealedBreach{
		Title: r.Title, StartedAt: utc(r.StartedAt), EndedAt: utc(r.EndedAt), Ongoing: string(r.Ongoing),
		HowDiscovered: r.HowDiscovered, ReportedBy: r.ReportedBy, IncidentOther: r.IncidentOther,
		Description: r.Description, DataCategories: r.DataCategories, DataOther: r.DataOther,
		SpecialCategories: r.SpecialCategories, Records: countOf(r.Records), AffectedGroups: r.AffectedGroups,
		PeopleDescription: r.PeopleDescription, People: countOf(r.People),
		PeopleInOtherCountries: string(r.PeopleInOtherCountries), Countries: r.Countries,
		OtherAuthoritiesInformed: r.OtherAuthoritiesInformed, ForeignAuthoritiesInformed: r.ForeignAuthoritiesInformed,
		Encrypted: string(r.MeasuresBefore.Encrypted), Hashed: string(r.MeasuresBefore.Hashed),
		OtherwiseUnintelligible: string(r.MeasuresBefore.OtherwiseUnintelligible), MeasuresBeforeText: r.MeasuresBefore.Text,
		Consequences: r.Consequences, MeasuresTaken: r.MeasuresTaken, MeasuresPlanned: r.MeasuresPlanned,
		Processors: r.Processors, SeverityWord: r.SeverityWord, NotInformedReason: r.NotInformedReason,
		LateReason: r.LateReason, LetterNL: r.Texts.LetterNL, LetterEN: r.Texts.LetterEN,
		NoticeNL: r.Texts.NoticeNL, NoticeEN: r.Texts.NoticeEN, Answers: true,
	}
	if d := r.Decision; d != nil {
		notify := d.NotifyAP
		decided := d.DecidedAt.UTC()
		row.NotifyAP, row.InformPeople, row.DecidedAt = &notify, d.InformPeople, &decided
		body.DecisionReason, body.DecidedByName = d.Reason, d.DecidedBy
	}
	if n, ok := r.FirstNotification(); ok {
		at := n.SubmittedAt.UTC()
		row.NotifiedAt = &at
	}
	if in := r.Informed; in != nil {
		row.InformedAt = utc(in.At)
		body.Informed, body.InformedHow, body.InformedCount, body.InformedByEmail = true, in.How, countOf(in.Count), in.ByEmail
	}
	var err error
	if row.Body, err = s.sealJSON("breaches", "body", r.Reference, body); err != nil {
		return breachRow{}, internal(err, "seal breach")
	}
	return row, nil
}

// recordOf turns a stored breach back into its record (notifications not
// included).
func (s *Store) recordOf(v breachView) (breach.Record, error) {
	row := v.Row
	var body sealedBreach
	if err := s.openJSON("breaches", "body", row.Reference, row.Body, &body); err != nil {
		return breach.Record{}, internal(err, "open breach")
	}
	r := breach.Record{ID: row.ID, CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt, Recipients: v.Recipients, Queued: v.Queued, Told: v.Told,
		Texts: breach.Texts{LetterNL: body.LetterNL, LetterEN: body.LetterEN, NoticeNL: body.NoticeNL, NoticeEN: body.NoticeEN}}
	b := breach.Breach{
		Reference: row.Reference, Title: body.Title, StartedAt: body.StartedAt, EndedAt: body.EndedAt,
		AwareAt: row.AwareAt, HowDiscovered: body.HowDiscovered, ReportedBy: body.ReportedBy,
		Incident: breach.IncidentType(row.IncidentType), IncidentOther: body.IncidentOther, Description: body.Description,
		DataCategories: body.DataCategories, DataOther: body.DataOther, SpecialCategories: body.SpecialCategories,
		Records: body.Records.count(), AffectedGroups: body.AffectedGroups, PeopleDescription: body.PeopleDescription,
		People: body.People.count(), Countries: body.Countries,
		OtherAuthoritiesInformed: body.OtherAuthoritiesInformed, ForeignAuthoritiesInformed: body.ForeignAuthoritiesInformed,
		MeasuresBefore: breach.MeasuresBefore{Text: body.MeasuresBeforeText},
		Consequences:   body.Consequences, MeasuresTaken: body.MeasuresTaken, MeasuresPlanned: body.MeasuresPlanned,
		Processors: body.Processors, SeverityWord: body.SeverityWord, NotInformedReason: body.NotInformedReason,
		LateReason: body.LateReason,
	}
	answersOf(body, &b)
	if v.BranchCode != nil {
		b.Branch = *v.BranchCode
	}
	for _, k := range strings.Fields(row.Kinds) {
		b.Kinds = append(b.Kinds, breach.Kind(k))
	}
	if row.Assessment != "" {
		var a storedAssessment
		if err := json.Unmarshal([]byte(row.Assessment), &a); err != nil {
			return breach.Record{}, internal(err, "read breach assessment")
		}
		b.Assessment, r.Guidance = &a.Assessment, a.Guidance
	}
	if row.NotifyAP != nil && row.DecidedAt != nil {
		b.Decision = &breach.Decision{NotifyAP: *row.NotifyAP, InformPeople: row.InformPeople, Reason: body.DecisionReason,
			DecidedAt: *row.DecidedAt, DecidedBy: body.DecidedByName}
	}
	if body.Informed {
		b.Informed = &breach.Informing{At: row.InformedAt, How: body.InformedHow, Count: body.InformedCount.count(),
			ByEmail: body.InformedByEmail}
		if body.InformedByEmail {
			// Told as the mail server accepts the letters (see MarkSent).
			b.Informed.Count = breach.Exactly(v.Told)
		}
	}
	r.Breach = b
	return r, nil
}

// breachByRef reads breach ref within scope, with its notifications.
func (s *Store) breachByRef(db *gorm.DB, ref string, scope breach.Scope) (breach.Record, *int64, error) {
	var v breachView
	err := breachScoped(breachQuery(db), scope).Where("breaches.reference = ?", ref).Take(&v).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return breach.Record{}, nil, notFound()
	}
	if err != nil {
		return breach.Record{}, nil, internal(err, "read breach")
	}
	r, err := s.recordOf(v)
	if err != nil {
		return breach.Record{}, nil, err
	}
	ns, err := notificationsOf(db, []int64{r.ID})
	if err != nil {
		return breach.Record{}, nil, err
	}
	r.Notifications = ns[r.ID]
	return r, v.Row.DecidedBy, nil
}

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

// nextBreachReference hands out the next breach number of year, inside the
// write transaction.
func nextBreachReference(tx *gorm.DB, year int) (string, error) {
	var seq breachSequenceRow
	err := tx.Where("year = ?", year).Take(&seq).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		seq = breachSequenceRow{Year: year, Last: 1}
		err = tx.Create(&seq).Error
	case err == nil:
		seq.Last++
		err = tx.Model(&breachSequenceRow{}).Where("year = ?", year).Update("last", seq.Last).Error
	}
	if err != nil {
		return "", internal(err, "next breach reference")
	}
	return breach.FormatReference(year, seq.Last), nil
}

// CreateBreach implements breach.Store. The reference's year is the year of
// awareness in the practice's time zone.
func (s *Store) CreateBreach(ctx context.Context, r *breach.Record, a breach.Actor, at time.Time) error {
	settings, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		ref, err := nextBreachReference(tx, r.AwareAt.In(settings.Location()).Year())
		if err != nil {
			return err
		}
		r.Reference = ref
		row, err := s.breachRowOf(tx, *r)
		if err != nil {
			return err
		}
		row.CreatedBy = ref64(a.ID)
		if err := tx.Create(&row).Error; err != nil {
			return internal(err, "insert breach")
		}
		r.ID = row.ID
		return s.appendAudit(tx, audit.Entry{At: at, Actor: breachActor(a), Action: audit.BreachCreate,
			Object: audit.Breach(row.ID), Address: a.Address})
	})
}

func ref64(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// BreachByReference implements breach.Store.
func (s *Store) BreachByReference(ctx context.Context, ref string, scope breach.Scope) (breach.Record, error) {
	r, _, err := s.breachByRef(s.db.WithContext(ctx), ref, scope)
	return r, err
}

// saveBreach writes r over its row inside tx. The decider's id is kept
// unless the decision was taken anew by a.
func (s *Store) saveBreach(tx *gorm.DB, r breach.Record, before breach.Record, decidedBy *int64, a breach.Actor) error {
	row, err := s.breachRowOf(tx, r)
	if err != nil {
		return err
	}
	row.DecidedBy = decidedBy
	if d := r.Decision; d != nil && (before.Decision == nil || !before.Decision.DecidedAt.Equal(d.DecidedAt)) {
		row.DecidedBy = ref64(a.ID)
	}
	if r.Decision == nil {
		row.DecidedBy = nil
	}
	// Select("*") writes every column, NULLs included.
	err = tx.Model(&breachRow{}).Where("id = ?", r.ID).Select("*").
		Omit("id", "reference", "created_at", "created_by").Updates(&row).Error
	if err != nil {
		return internal(err, "update breach")
	}
	if !before.AwareAt.Equal(r.AwareAt) {
		// A new moment of awareness is a new deadline: its reminders are
		// still to come.
		if err := tx.Where("breach_id = ?", r.ID).Delete(&breachReminderRow{}).Error; err != nil {
			return internal(err, "reset breach reminders")
		}
	}
	return nil
}

// changeBreach runs change on breach ref inside one write transaction and
// writes the result with its audit entry.
func (s *Store) changeBreach(ctx context.Context, ref string, a breach.Actor, detail string, at time.Time,
	change func(tx *gorm.DB, r *breach.Record) (string, error)) (breach.Record, error) {
	var out breach.Record
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		before, decidedBy, err := s.breachByRef(tx, ref, a.Scope)
		if err != nil {
			return err
		}
		r := before
		r.Kinds = append([]breach.Kind(nil), before.Kinds...)
		r.Notifications = append([]breach.Notification(nil), before.Notifications...)
		more, err := change(tx, &r)
		if err != nil {
			return err
		}
		r.Reference, r.ID, r.UpdatedAt = before.Reference, before.ID, at
		if err := s.saveBreach(tx, r, before, decidedBy, a); err != nil {
			return err
		}
		if more != "" {
			detail += " " + more
		}
		if err := s.appendAudit(tx, audit.Entry{At: at, Actor: breachActor(a), Action: audit.BreachUpdate,
			Object: audit.Breach(r.ID), Address: a.Address, Detail: detail}); err != nil {
			return err
		}
		out, _, err = s.breachByRef(tx, ref, a.Scope)
		return err
	})
	return out, err
}

// UpdateBreach implements breach.Store.
func (s *Store) UpdateBreach(ctx context.Context, ref string, a breach.Actor, step string, at time.Time, change func(*breach.Record) error) (breach.Record, error) {
	return s.changeBreach(ctx, ref, a, "step="+step, at, func(_ *gorm.DB, r *breach.Record) (string, error) {
		return "", change(r)
	})
}

// AddSubmission implements breach.Store.
func (s *Store) AddSubmission(ctx context.Context, ref string, a breach.Actor, at time.Time, submit func(*breach.Record) (breach.Submission, error)) (breach.Record, error) {
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
func (s *Store) Submissions(ctx context.Context, breachID int64) ([]breach.Submission, error) {
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

// ListBreaches implements breach.Store.
func (s *Store) ListBreaches(ctx context.Context, f breach.Filter, scope breach.Scope) ([]breach.Record, error) {
	db := breachScoped(breachQuery(s.db.WithContext(ctx)), scope)
	switch f.State {
	case breach.StateOpen:
		db = db.Where(openCondition)
	case breach.StateDecided:
		db = db.Where("NOT " + openCondition)
	case breach.StateNotified:
		db = db.Where("breaches.notified_at IS NOT NULL")
	case breach.StateNotNotified:
		db = db.Where("breaches.notified_at IS NULL")
	}
	if f.Year > 0 {
		db = db.Where("breaches.reference LIKE ?", fmt.Sprintf("DL-%04d-%%", f.Year))
	}
	if f.Kind != "" {
		db = db.Where("(' ' || breaches.kinds || ' ') LIKE ?", "% "+string(f.Kind)+" %")
	}
	if f.Band != "" {
		db = db.Where("breaches.band = ?", f.Band)
	}
	if f.Branch != "" {
		db = db.Where("branches.code = ?", f.Branch)
	}
	if t := strings.TrimSpace(f.Text); t != "" {
		db = db.Where("breaches.reference = ?", strings.ToUpper(t))
	}
	db = db.Order("CASE WHEN " + openCondition + " THEN 0 ELSE 1 END, " +
		"CASE WHEN " + openCondition + " THEN breaches.ap_deadline END, breaches.aware_at DESC, breaches.id DESC")
	var views []breachView
	if err := db.Find(&views).Error; err != nil {
		return nil, internal(err, "list breaches")
	}
	out := make([]breach.Record, 0, len(views))
	ids := make([]int64, 0, len(views))
	for _, v := range views {
		r, err := s.recordOf(v)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
		ids = append(ids, r.ID)
	}
	ns, err := notificationsOf(s.db.WithContext(ctx), ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Notifications = ns[out[i].ID]
	}
	return out, nil
}

// undecidedCondition is true for a breach on which nothing was decided or
// submitted yet: what the banner shows.
const undecidedCondition = "(breaches.notified_at IS NULL AND breaches.notify_ap IS NULL)"

// OpenDecisions implements breach.Store in one query: the count over all
// undecided breaches in scope, read off the row of the most urgent one.
func (s *Store) OpenDecisions(ctx context.Context, scope breach.Scope) (breach.OpenDecisions, error) {
	var row struct {
		Reference string
		AwareAt   time.Time
		Open      int
	}
	err := breachScoped(s.db.WithContext(ctx).Table("breaches").
		Select("breaches.reference, breaches.aware_at, COUNT(*) OVER () AS open").
		Joins("LEFT JOIN branches ON branches.id = breaches.branch_id"), scope).
		Where(undecidedCondition).Order("breaches.ap_deadline, breaches.id").Limit(1).Scan(&row).Error
	if err != nil {
		return breach.OpenDecisions{}, internal(err, "count open breaches")
	}
	return breach.OpenDecisions{Count: row.Open, Reference: row.Reference, AwareAt: row.AwareAt}, nil
}

// RecordBreachAccess implements breach.Store. Under audit.Unseen (an HTTP
// HEAD) nothing is shown, and nothing written.
func (s *Store) RecordBreachAccess(ctx context.Context, a breach.Actor, breachID int64, action audit.Action, detail string, at time.Time) error {
	if audit.IsUnseen(ctx) {
		return nil
	}
	object := ""
	if breachID != 0 {
		object = audit.Breach(breachID)
	}
	return s.AppendAudit(context.WithoutCancel(ctx), audit.Entry{At: at, Actor: breachActor(a), Action: action,
		Object: object, Address: a.Address, Detail: detail})
}

// sealedContact is a person on a breach's list, as its contact column holds
// it.
type sealedContact struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email"`
}

// AddRecipients implements breach.Store.
func (s *Store) AddRecipients(ctx context.Context, ref string, a breach.Actor, people []breach.Recipient, at time.Time) (int, int, error) {
	added, skipped := 0, 0
	_, err := s.changeBreach(ctx, ref, a, "step=recipients", at, func(tx *gorm.DB, r *breach.Record) (string, error) {
		for _, p := range people {
			row := breachRecipientRow{BreachID: r.ID, EmailIndex: s.vault.Index("breach_recipient", p.Email),
				Contact: []byte{}, Language: p.Language, AddedAt: at.UTC()}
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
			if res.Error != nil {
				return "", internal(res.Error, "add recipient")
			}
			if res.RowsAffected == 0 {
				skipped++
				continue
			}
			blob, err := s.sealJSON("breach_recipients", "contact", idString(row.ID), sealedContact{Name: p.Name, Email: p.Email})
			if err != nil {
				return "", internal(err, "seal recipient")
			}
			if err := tx.Model(&breachRecipientRow{}).Where("id = ?", row.ID).Update("contact", blob).Error; err != nil {
				return "", internal(err, "add recipient")
			}
			added++
		}
		return fmt.Sprintf("added=%d skipped=%d", added, skipped), nil
	})
	if err != nil {
		return 0, 0, err
	}
	return added, skipped, nil
}

// recipientState is a recipient row with the state of its letter in the
// outbox.
type recipientState struct {
	ID       int64
	Contact  []byte
	Language string
	ToldAt   *time.Time
	SentAt   *time.Time
	Attempts int
}

func (s *Store) peopleWhere(db *gorm.DB, cond string, args ...any) ([]breach.Person, error) {
	var rows []recipientState
	err := db.Table("breach_recipients").
		Select("breach_recipients.id, breach_recipients.contact, breach_recipients.language, breach_recipients.told_at, "+
			"outbox.sent_at AS sent_at, COALESCE(outbox.attempts, 0) AS attempts").
		Joins("LEFT JOIN outbox ON outbox.id = breach_recipients.outbox_id").
		Where(cond, args...).Order("breach_recipients.id").Find(&rows).Error
	if err != nil {
		return nil, internal(err, "read recipients")
	}
	out := make([]breach.Person, 0, len(rows))
	for _, r := range rows {
		var c sealedContact
		if err := s.openJSON("breach_recipients", "contact", idString(r.ID), r.Contact, &c); err != nil {
			return nil, internal(err, "open recipient")
		}
		out = append(out, breach.Person{ID: r.ID, QueuedAt: r.ToldAt, SentAt: r.SentAt, Attempts: r.Attempts,
			Recipient: breach.Recipient{Name: c.Name, Email: c.Email, Language: r.Language}})
	}
	return out, nil
}

// People implements breach.Store.
func (s *Store) People(ctx context.Context, breachID int64) ([]breach.Person, error) {
	return s.peopleWhere(s.db.WithContext(ctx), "breach_recipients.breach_id = ?", breachID)
}

// SendLetters implements breach.Store. The column told_at holds when the
// letter was queued; the person is told when its outbox row is sent.
func (s *Store) SendLetters(ctx context.Context, ref string, a breach.Actor, at time.Time,
	compose func(breach.Record, []breach.Person) ([]mail.Message, error), change func(*breach.Record)) (breach.Record, error) {
	return s.changeBreach(ctx, ref, a, "step=letters", at, func(tx *gorm.DB, r *breach.Record) (string, error) {
		people, err := s.peopleWhere(tx, "breach_recipients.breach_id = ? AND breach_recipients.told_at IS NULL", r.ID)
		if err != nil {
			return "", err
		}
		mails, err := compose(*r, people)
		if err != nil {
			return "", err
		}
		if len(mails) != len(people) {
			return "", internal(errors.New("one mail per person"), "send letters")
		}
		for i, m := range mails {
			id, err := s.enqueueOne(tx, m, at)
			if err != nil {
				return "", err
			}
			err = tx.Model(&breachRecipientRow{}).Where("id = ?", people[i].ID).
				Updates(map[string]any{"told_at": at.UTC(), "outbox_id": id}).Error
			if err != nil {
				return "", internal(err, "mark recipient queued")
			}
		}
		change(r)
		return fmt.Sprintf("sent=%d", len(mails)), nil
	})
}

// enqueueOne queues m as enqueue does and returns its outbox id.
func (s *Store) enqueueOne(tx *gorm.DB, m mail.Message, now time.Time) (int64, error) {
	r := outboxRow{Message: []byte{}, CreatedAt: now.UTC(), NextAttemptAt: now.UTC()}
	if err := tx.Create(&r).Error; err != nil {
		return 0, internal(err, "queue mail")
	}
	blob, err := s.sealJSON("outbox", "message", idString(r.ID), m)
	if err != nil {
		return 0, internal(err, "seal mail")
	}
	if err := tx.Model(&outboxRow{}).Where("id = ?", r.ID).Update("message", blob).Error; err != nil {
		return 0, internal(err, "queue mail")
	}
	return r.ID, nil
}

// Waiting implements breach.Store. It reads no sealed column.
func (s *Store) Waiting(ctx context.Context) ([]breach.Waiting, error) {
	var rows []struct {
		ID        int64
		Reference string
		AwareAt   time.Time
	}
	err := s.db.WithContext(ctx).Table("breaches").Select("breaches.id, breaches.reference, breaches.aware_at").
		Where(openCondition).Order("breaches.ap_deadline, breaches.id").Scan(&rows).Error
	if err != nil {
		return nil, internal(err, "read open breaches")
	}
	if len(rows) == 0 {
		return nil, nil
	}
	var marks []breachReminderRow
	if err := s.db.WithContext(ctx).Joins("JOIN breaches ON breaches.id = breach_reminders.breach_id").
		Where(openCondition).Find(&marks).Error; err != nil {
		return nil, internal(err, "read breach reminders")
	}
	byID := map[int64][]string{}
	for _, m := range marks {
		byID[m.BreachID] = append(byID[m.BreachID], m.Mark)
	}
	out := make([]breach.Waiting, 0, len(rows))
	for _, r := range rows {
		out = append(out, breach.Waiting{ID: r.ID, Reference: r.Reference, AwareAt: r.AwareAt, Marks: byID[r.ID]})
	}
	return out, nil
}

// Owners implements breach.Store.
func (s *Store) Owners(ctx context.Context) ([]breach.Contact, error) {
	var rows []staffRow
	err := s.db.WithContext(ctx).Where("role = ? AND disabled_at IS NULL", "owner").Order("id").Find(&rows).Error
	if err != nil {
		return nil, internal(err, "list owners")
	}
	out := make([]breach.Contact, len(rows))
	for i, r := range rows {
		out[i] = breach.Contact{Name: r.Name, Email: r.Email}
	}
	return out, nil
}

// SaveReminder implements breach.Store.
func (s *Store) SaveReminder(ctx context.Context, breachID int64, mark string, at time.Time, mails []mail.Message) (bool, error) {
	saved := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&breachReminderRow{BreachID: breachID, Mark: mark, SentAt: at.UTC()})
		if res.Error != nil {
			return internal(res.Error, "record breach reminder")
		}
		if res.RowsAffected == 0 {
			return nil
		}
		saved = true
		return s.enqueue(tx, mails, at)
	})
	return saved, err
}

// sealedContacts are the register settings' people.
type sealedContacts struct {
	DPO           breach.Contact `json:"dpo"`
	Reporter      breach.Contact `json:"reporter"`
	ContactPerson breach.Contact `json:"contact"`
}

// BreachSettings implements breach.Store: the zero Settings until an owner
// saves them.
func (s *Store) BreachSettings(ctx context.Context) (breach.Settings, error) {
	var r breachSettingsRow
	err := s.db.WithContext(ctx).Take(&r, 1).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return breach.Settings{}, nil
	}
	if err != nil {
		return breach.Settings{}, internal(err, "read breach settings")
	}
	out := breach.Settings{OwnTargetHours: r.OwnTargetHours, Sector: r.Sector}
	if len(r.Contacts) > 0 {
		var c sealedContacts
		if err := s.openJSON("breach_settings", "contacts", "1", r.Contacts, &c); err != nil {
			return breach.Settings{}, internal(err, "open breach settings")
		}
		out.DPO, out.Reporter, out.ContactPerson = c.DPO, c.Reporter, c.ContactPerson
	}
	return out, nil
}

// SaveBreachSettings implements breach.Store, with the audit entry
// settings_update.
func (s *Store) SaveBreachSettings(ctx context.Context, st breach.Settings, a breach.Actor, at time.Time) error {
	blob, err := s.sealJSON("breach_settings", "contacts", "1", sealedContacts{DPO: st.DPO, Reporter: st.Reporter, ContactPerson: st.ContactPerson})
	if err != nil {
		return internal(err, "seal breach settings")
	}
	row := breachSettingsRow{ID: 1, OwnTargetHours: st.OwnTargetHours, Sector: st.Sector, Contacts: blob, UpdatedAt: at.UTC()}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Save(&row).Error; err != nil {
			return internal(err, "save breach settings")
		}
		return s.appendAudit(tx, audit.Entry{At: at, Actor: breachActor(a), Action: audit.SettingsUpdate,
			Address: a.Address, Detail: "fields=breach_register"})
	})
}

type breachFileRow struct {
	ID         string `gorm:"primaryKey"`
	BreachID   int64
	Kind       string
	Size       int64
	UploadedBy *int64
	UploadedAt time.Time
}

func (breachFileRow) TableName() string { return "breach_files" }

func attachmentOf(r breachFileRow) breach.Attachment {
	return breach.Attachment{ID: r.ID, Kind: r.Kind, Size: r.Size, UploadedAt: r.UploadedAt}
}

// AddBreachFile implements breach.Store.
func (s *Store) AddBreachFile(ctx context.Context, ref string, a breach.Actor, f breach.Attachment) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r, _, err := s.breachByRef(tx, ref, a.Scope)
		if err != nil {
			return err
		}
		row := breachFileRow{ID: f.ID, BreachID: r.ID, Kind: f.Kind, Size: f.Size, UploadedBy: ref64(a.ID), UploadedAt: f.UploadedAt.UTC()}
		if err := tx.Create(&row).Error; err != nil {
			return internal(err, "add breach file")
		}
		return s.appendAudit(tx, audit.Entry{At: f.UploadedAt, Actor: breachActor(a), Action: audit.FileUpload,
			Object: audit.Breach(r.ID), Address: a.Address, Detail: "kind=" + f.Kind})
	})
}

// BreachFiles implements breach.Store.
func (s *Store) BreachFiles(ctx context.Context, breachID int64) ([]breach.Attachment, error) {
	var rows []breachFileRow
	if err := s.db.WithContext(ctx).Where("breach_id = ?", breachID).Order("uploaded_at, rowid").Find(&rows).Error; err != nil {
		return nil, internal(err, "list breach files")
	}
	out := make([]breach.Attachment, len(rows))
	for i, r := range rows {
		out[i] = attachmentOf(r)
	}
	return out, nil
}

// BreachFile implements breach.Store.
func (s *Store) BreachFile(ctx context.Context, breachID int64, id string) (breach.Attachment, error) {
	var r breachFileRow
	err := s.db.WithContext(ctx).Where("breach_id = ? AND id = ?", breachID, id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return breach.Attachment{}, notFound()
	}
	if err != nil {
		return breach.Attachment{}, internal(err, "read breach file")
	}
	return attachmentOf(r), nil
}

// Compile-time check that the store is what the register needs.
var _ breach.Store = (*Store)(nil)
