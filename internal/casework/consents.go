package casework

import (
	"strconv"
	"strings"

	"github.com/avgloket/avgloket/internal/apperr"
)

// ChooseConsents is the step that records which of the person's consents a
// consent withdrawal (AVG art. 7(3)) withdraws, replacing an earlier
// choice; the decision withdraws them as of the receipt (Decide). It is
// Conflict for another request type ("consents.not_withdrawal") and for a
// completed case.
func ChooseConsents(ids []int64) func(c *Case, env Env) (Change, error) {
	return func(c *Case, _ Env) (Change, error) {
		if c.Type != ConsentWithdrawal {
			return Change{}, apperr.New(apperr.Conflict, "consents.not_withdrawal")
		}
		if c.Status == Completed {
			return Change{}, apperr.New(apperr.Conflict, "case.completed")
		}
		words := make([]string, len(ids))
		for i, id := range ids {
			words[i] = strconv.FormatInt(id, 10)
		}
		chosen := append([]int64{}, ids...)
		return Change{ChooseConsents: &chosen,
			Events: []Event{{Kind: EventConsents, Data: map[string]string{"ids": strings.Join(words, ",")}}}}, nil
	}
}
