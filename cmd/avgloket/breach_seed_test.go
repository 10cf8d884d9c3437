package main

import (
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/store"
)

// seedBreachColumns fills every sealed column of the breach register, so
// that the key commands' tests see them rewrapped: a breach, a submission
// with its draft, a person to inform and the register's settings.
func seedBreachColumns(tb testing.TB, st *store.Store, staffID int64, now time.Time) {
	tb.Helper()
	ctx := tb.Context()
	owner := breach.Actor{ID: staffID, Owner: true, Scope: breach.Scope{All: true}}
	r := breach.Record{Breach: breach.Breach{Title: "Laptop gestolen", AwareAt: now,
		Description: "Laptop met dossiers uit de auto gestolen."}, CreatedAt: now, UpdatedAt: now}
	if err := st.CreateBreach(ctx, &r, owner, now); err != nil {
		tb.Fatalf("CreateBreach: %v", err)
	}
	at := now.Add(time.Hour)
	if _, err := st.AddSubmission(ctx, r.Reference, owner, at, func(r *breach.Record) (breach.Submission, error) {
		n := breach.Notification{Kind: breach.NotifyInitial, SubmittedAt: at, APReference: "M-1"}
		r.Notifications = append(r.Notifications, n)
		return breach.Submission{Notification: n, Draft: breach.Draft{Reference: r.Reference, Title: r.Title}}, nil
	}); err != nil {
		tb.Fatalf("AddSubmission: %v", err)
	}
	if _, _, err := st.AddRecipients(ctx, r.Reference, owner, []breach.Recipient{{Email: "ouder@example.nl", Language: "nl"}}, at); err != nil {
		tb.Fatalf("AddRecipients: %v", err)
	}
	if err := st.SaveBreachSettings(ctx, breach.Settings{DPO: breach.Contact{Name: "F. G."}}, owner, at); err != nil {
		tb.Fatalf("SaveBreachSettings: %v", err)
	}
}
