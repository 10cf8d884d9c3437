package casework_test

import (
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
)

// The clock's rules (DOMAIN.md §2 and §8) on a request received Wednesday
// 25 November 2026, due Monday 28 December.
func TestClockRules(t *testing.T) {
	cal := mustNL(t)
	yes, no := true, false
	open := func(edit func(*casework.Case)) casework.Case {
		c := casework.Case{Type: casework.Access, Status: casework.InProgress, ReceivedOn: day(2026, time.November, 25)}
		if edit != nil {
			edit(&c)
		}
		c.Deadlines = deadline.Compute(cal, c.ReceivedOn, c.PauseDays, c.Extended)
		return c
	}
	t.Run("extension", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			c     casework.Case
			today deadline.Date
			want  string
		}{
			{"within the first month", open(nil), day(2026, time.December, 28), ""},
			{"the day after the first month", open(nil), day(2026, time.December, 29), "case.extension_too_late"},
			{"once only", open(func(c *casework.Case) { c.Extended = true }), day(2026, time.December, 1), "case.already_extended"},
			{"not when completed", open(func(c *casework.Case) { c.Status = casework.Completed }), day(2026, time.December, 1), "case.completed"},
			{"never for a consent withdrawal", open(func(c *casework.Case) { c.Type = casework.ConsentWithdrawal }), day(2026, time.November, 26), "case.extension_immediate"},
			{"never for an objection to direct marketing", open(func(c *casework.Case) {
				c.Type, c.Specifics.DirectMarketing = casework.Objection, &yes
			}), day(2026, time.November, 26), "case.extension_immediate"},
			{"an objection to other processing", open(func(c *casework.Case) {
				c.Type, c.Specifics.DirectMarketing = casework.Objection, &no
			}), day(2026, time.November, 26), ""},
			// Paused since 15 December: on 30 December the first month,
			// moved by 15 days, runs until Monday 11 January 2027.
			{"paused: the month moves by the pause", open(func(c *casework.Case) { c.PausedSince = day(2026, time.December, 15) }), day(2026, time.December, 30), ""},
			// A question sent after the month ended does not revive it.
			{"paused only after the month ended", open(func(c *casework.Case) { c.PausedSince = day(2027, time.January, 5) }),
				day(2027, time.January, 10), "case.extension_too_late"},
			{"pause days already added count", open(func(c *casework.Case) { c.PauseDays = 7 }), day(2027, time.January, 4), ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if got := tc.c.ExtensionBlock(cal, tc.today); got != tc.want {
					t.Errorf("ExtensionBlock on %s = %q, want %q", tc.today, got, tc.want)
				}
			})
		}
	})
	t.Run("overdue", func(t *testing.T) {
		late := day(2026, time.December, 29)
		for _, tc := range []struct {
			name string
			c    casework.Case
			want bool
		}{
			{"open after the due date", open(nil), true},
			{"paused after the due date", open(func(c *casework.Case) { c.PausedSince = day(2026, time.December, 1) }), false},
			{"completed", open(func(c *casework.Case) { c.Status = casework.Completed }), false},
		} {
			if got := tc.c.Overdue(late); got != tc.want {
				t.Errorf("%s: Overdue = %v, want %v", tc.name, got, tc.want)
			}
		}
	})
	t.Run("running deadlines count the days paused so far", func(t *testing.T) {
		c := open(func(c *casework.Case) { c.PausedSince = day(2026, time.December, 1) })
		got := c.RunningDeadlines(cal, day(2026, time.December, 8)).Due
		if want := deadline.Compute(cal, c.ReceivedOn, 7, false).Due; got != want {
			t.Errorf("running due %s, want %s", got, want)
		}
		if c.Deadlines.Due != day(2026, time.December, 28) {
			t.Errorf("the stored due date moved while paused: %s", c.Deadlines.Due)
		}
	})
	t.Run("a question later than day 10", func(t *testing.T) {
		for _, tc := range []struct {
			asked deadline.Date
			want  bool
		}{{day(2026, time.November, 25), false}, {day(2026, time.December, 5), false}, {day(2026, time.December, 6), true}} {
			if got := casework.QuestionLate(day(2026, time.November, 25), tc.asked); got != tc.want {
				t.Errorf("asked %s: late %v, want %v", tc.asked, got, tc.want)
			}
		}
	})
	t.Run("immediate effect", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			c    casework.Case
			want bool
		}{
			{"consent withdrawal", casework.Case{Type: casework.ConsentWithdrawal}, true},
			{"objection to direct marketing", casework.Case{Type: casework.Objection, Specifics: casework.Specifics{DirectMarketing: &yes}}, true},
			{"objection to other processing", casework.Case{Type: casework.Objection, Specifics: casework.Specifics{DirectMarketing: &no}}, false},
			{"objection, not said", casework.Case{Type: casework.Objection}, false},
			{"access", casework.Case{Type: casework.Access}, false},
		} {
			if got := tc.c.ImmediateEffect(); got != tc.want {
				t.Errorf("%s: ImmediateEffect = %v, want %v", tc.name, got, tc.want)
			}
		}
	})
}
