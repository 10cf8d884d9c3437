package store

import (
	"encoding/json"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/breach"
)

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

// breachRowOf turns r into its row; the branch code becomes its id.
func (s *Breaches) breachRowOf(tx *gorm.DB, r breach.Record) (breachRow, error) {
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
func (s *Breaches) recordOf(v breachView) (breach.Record, error) {
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
