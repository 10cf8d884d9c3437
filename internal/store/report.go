package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/report"
)

// reportRow is what the report reads of a case: its row and the time and
// data of its decision, if decided.
type reportRow struct {
	Type        string
	Channel     string
	ReceivedOn  string
	DueOn       string
	Extended    bool
	PauseDays   int
	Outcome     string
	DecidedAt   *time.Time
	DecidedData *string
}

// ReportFacts returns the facts of the cases received from from to to (both
// included), of one branch when branch is not empty, in one query. The day
// of decision is the day of the case's latest decided event in loc; a case
// not decided has none. A decided erasure still open for a destruction to
// confirm counts as decided (casework.Case.Answered).
func (s *Cases) ReportFacts(ctx context.Context, from, to deadline.Date, branch string, loc *time.Location) ([]report.Fact, error) {
	db := s.db.WithContext(ctx).Table("cases").
		Select("cases.type, cases.channel, cases.received_on, cases.due_on, cases.extended, cases.pause_days, cases.outcome, "+
			"decided.at AS decided_at, decided.data AS decided_data").
		Joins("LEFT JOIN branches ON branches.id = cases.branch_id").
		Joins("LEFT JOIN case_events AS decided ON cases.outcome <> '' AND decided.id = "+
			"(SELECT MAX(id) FROM case_events WHERE case_events.case_id = cases.id AND case_events.kind = ?)",
			string(casework.EventDecided)).
		Where("cases.received_on BETWEEN ? AND ?", from.String(), to.String())
	if branch != "" {
		db = db.Where("branches.code = ?", branch)
	}
	var rows []reportRow
	if err := db.Order("cases.received_on, cases.id").Find(&rows).Error; err != nil {
		return nil, internal(err, "read report facts")
	}
	facts := make([]report.Fact, 0, len(rows))
	for _, r := range rows {
		received, err := deadline.ParseDate(r.ReceivedOn)
		if err != nil {
			return nil, internal(err, "report received day")
		}
		due, err := deadline.ParseDate(r.DueOn)
		if err != nil {
			return nil, internal(err, "report due day")
		}
		f := report.Fact{Type: casework.RequestType(r.Type), Channel: casework.Channel(r.Channel), ReceivedOn: received,
			Due: due, Extended: r.Extended, PauseDays: r.PauseDays}
		if r.DecidedAt != nil {
			f.DecidedOn = deadline.DateOf(*r.DecidedAt, loc)
			f.Outcome = casework.Outcome(r.Outcome)
			var data map[string]string
			if r.DecidedData != nil && *r.DecidedData != "" {
				if err := json.Unmarshal([]byte(*r.DecidedData), &data); err != nil {
					return nil, internal(err, "report decided data")
				}
			}
			f.Ground = data["ground"]
		}
		facts = append(facts, f)
	}
	return facts, nil
}

// ConsentWithdrawals returns the days consents were withdrawn from from to
// to (both included), earliest first. The consent registry is the whole
// practice's: a consent belongs to no branch.
func (s *Consents) ConsentWithdrawals(ctx context.Context, from, to deadline.Date) ([]deadline.Date, error) {
	var days []string
	if err := s.db.WithContext(ctx).Model(&consentRow{}).Where("withdrawn_on <> '' AND withdrawn_on BETWEEN ? AND ?", from.String(), to.String()).
		Order("withdrawn_on").Pluck("withdrawn_on", &days).Error; err != nil {
		return nil, internal(err, "read consent withdrawals")
	}
	out := make([]deadline.Date, len(days))
	for i, v := range days {
		d, err := deadline.ParseDate(v)
		if err != nil {
			return nil, internal(err, "consent withdrawal day")
		}
		out[i] = d
	}
	return out, nil
}
