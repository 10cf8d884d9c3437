package store

import (
	"context"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/casework"
)

// seedBatch is how many cases SeedCases writes in one transaction.
const seedBatch = 1000

// SeedCases stores cases in bulk, for the load harness (cmd/avgloket-load)
// that needs a register of 100,000 cases in seconds rather than the
// minutes one durable transaction per case takes. Each case gets the next
// reference of its year and its row is written as CreateCase writes it,
// sealed and indexed, seedBatch cases to a transaction; the IDs and
// references are filled in. It writes no tracking link, event, audit entry
// or mail, so it is not a way in for requests: the product files cases with
// CreateCase only. Whatever CreateCase keeps beside the case row for the
// queue (counts, flags) must be kept here too.
func (s *Cases) SeedCases(ctx context.Context, cases []casework.Case) error {
	for start := 0; start < len(cases); start += seedBatch {
		part := cases[start:min(start+seedBatch, len(cases))]
		err := s.write(ctx, func(tx *gorm.DB) error {
			// References are handed out per year as nextReference does,
			// with one read and one write of each year's sequence.
			last := map[int]int{}
			for i := range part {
				y := part[i].ReceivedOn.Year
				if _, ok := last[y]; !ok {
					var seq caseSequenceRow
					if err := tx.Where("year = ?", y).Limit(1).Find(&seq).Error; err != nil {
						return internal(err, "seed: read sequence")
					}
					last[y] = seq.Last
				}
				last[y]++
				part[i].Reference = casework.FormatReference(y, last[y])
			}
			for y, n := range last {
				if err := tx.Save(&caseSequenceRow{Year: y, Last: n}).Error; err != nil {
					return internal(err, "seed: write sequence")
				}
			}
			rows := make([]caseRow, 0, len(part))
			for i := range part {
				r, err := s.caseRow(tx, part[i])
				if err != nil {
					return err
				}
				rows = append(rows, r)
			}
			if err := tx.CreateInBatches(&rows, 500).Error; err != nil {
				return internal(err, "seed cases")
			}
			for i := range rows {
				part[i].ID = rows[i].ID
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// caseSequenceRow is the last reference number of a year, as the seed and
// the benchmarks set it (the portal counts on with nextReference's upsert).
type caseSequenceRow struct {
	Year int `gorm:"primaryKey"`
	Last int
}

func (caseSequenceRow) TableName() string { return "case_sequences" }
