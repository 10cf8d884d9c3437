package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/casework"
)

// auditActor names who acted, by id only.
func auditActor(a casework.Actor, caseID int64) string {
	switch {
	case a.Requester:
		return audit.Requester(caseID)
	case a.ID == 0:
		return audit.Anonymous
	case a.API:
		return audit.API(a.ID)
	}
	return audit.Staff(a.ID)
}

// eventActions maps each kind of case event to the audit action it is.
var eventActions = map[casework.EventKind]audit.Action{
	casework.EventCreated:            audit.CaseCreate,
	casework.EventStatus:             audit.CaseStatus,
	casework.EventAssigned:           audit.CaseAssign,
	casework.EventNote:               audit.CaseNote,
	casework.EventMessage:            audit.CaseMessage,
	casework.EventExtended:           audit.CaseExtend,
	casework.EventDecided:            audit.CaseDecide,
	casework.EventCorrected:          audit.CaseUpdate,
	casework.EventEmailResent:        audit.CaseUpdate,
	casework.EventEmailVerified:      audit.RequestConfirm,
	casework.EventIdentity:           audit.CaseUpdate,
	casework.EventRequirement:        audit.CaseUpdate,
	casework.EventInfoRequested:      audit.CaseMessage,
	casework.EventInfoAnswered:       audit.CaseUpdate,
	casework.EventFileDestroyed:      audit.FileDelete,
	casework.EventConsents:           audit.CaseUpdate,
	casework.EventActivities:         audit.CaseActivities,
	casework.EventStatement:          audit.CaseStatement,
	casework.EventErasure:            audit.CaseErasure,
	casework.EventRectification:      audit.CaseRectification,
	casework.EventObjection:          audit.CaseObjection,
	casework.EventRestriction:        audit.CaseRestriction,
	casework.EventRestrictionLifting: audit.CaseRestrictionLifting,

	// A portability case's data, export and transfer (AVG art. 20).
	casework.EventPortability:         audit.CasePortability,
	casework.EventPortabilityExport:   audit.CasePortability,
	casework.EventPortabilityTransfer: audit.CasePortability,
	// a promised destruction confirmed, and the last one that completes
	casework.EventDestructionConfirmed: audit.CaseErasure,
	casework.EventDestroyed:            audit.CaseErasure,
	casework.EventNotices:              audit.CaseNotices,
	casework.EventNoticePosted:         audit.CaseNotices,
}

// eventDetail is the audit detail of an event: machine words only.
func eventDetail(e casework.Event) string {
	switch e.Kind {
	case casework.EventStatus:
		return "to=" + e.Data["to"]
	case casework.EventAssigned:
		return "to=" + e.Data["to"]
	case casework.EventDecided:
		return "outcome=" + e.Data["outcome"]
	case casework.EventCorrected:
		return "fields=" + e.Data["fields"]
	case casework.EventCreated:
		return "channel=" + e.Data["channel"]
	case casework.EventIdentity:
		return "identity=" + e.Data["outcome"] + " method=" + e.Data["method"]
	case casework.EventRequirement:
		return "requirement=" + e.Data["key"] + " state=" + e.Data["state"]
	case casework.EventInfoAnswered:
		if p := e.Data["file"]; p != "" {
			return "file=" + p
		}
	case casework.EventFileDestroyed:
		return "file=" + e.Data["purpose"]
	case casework.EventConsents:
		return "consents=" + e.Data["ids"]
	case casework.EventActivities:
		if e.Data["none"] == "yes" {
			return "none=yes"
		}
		return "activities=" + e.Data["activities"]
	case casework.EventStatement:
		return "approved=" + e.Data["approved"]
	case casework.EventErasure:
		return "erased=" + e.Data["erased"] + " kept=" + e.Data["kept"] + " scheduled=" + e.Data["scheduled"]
	case casework.EventDestructionConfirmed:
		return "destroyed=" + e.Data["activity"] + " on=" + e.Data["on"]
	case casework.EventNotices:
		return "count=" + e.Data["count"] + " post=" + e.Data["post"]
	case casework.EventNoticePosted:
		return "posted=" + e.Data["notice"]
	case casework.EventRectification:
		return "corrected=" + e.Data["corrected"] + " kept=" + e.Data["kept"]
	case casework.EventObjection:
		return "activities=" + e.Data["activities"] + " outcome=" + e.Data["outcome"] + " direct_marketing=" + e.Data["direct_marketing"]
	case casework.EventRestriction:
		return "ground=" + e.Data["ground"] + " activities=" + e.Data["activities"]
	case casework.EventRestrictionLifting:
		return "lift_on=" + e.Data["on"]
	case casework.EventPortability:
		return "activities=" + e.Data["activities"]
	case casework.EventPortabilityExport:
		return "export=made"
	case casework.EventPortabilityTransfer:
		return "transfer=sent"
	case casework.EventDocumentsSent:
		return "documents=" + e.Data["count"]
	}
	return ""
}

// auditEvents writes one audit entry per case event, inside tx.
func (s *Cases) auditEvents(tx *gorm.DB, a casework.Actor, caseID int64, events []casework.Event) error {
	for _, e := range events {
		action, ok := eventActions[e.Kind]
		if !ok {
			action = audit.CaseUpdate
		}
		entry := audit.Entry{At: e.At, Actor: auditActor(a, caseID), Action: action, Object: audit.Case(caseID),
			Address: a.Address, Detail: eventDetail(e)}
		if err := s.appendAudit(tx, entry); err != nil {
			return err
		}
	}
	return nil
}

// RecordCaseAccess writes that a looked at (or exported) case caseID. It is
// written before the data are shown; if it fails, nothing is shown. Under
// audit.Unseen (an HTTP HEAD) nothing is shown, and nothing written.
func (s *Cases) RecordCaseAccess(ctx context.Context, a casework.Actor, caseID int64, action audit.Action, at time.Time) error {
	if audit.IsUnseen(ctx) {
		return nil
	}
	return s.AppendAudit(context.WithoutCancel(ctx), audit.Entry{At: at, Actor: auditActor(a, caseID), Action: action,
		Object: audit.Case(caseID), Address: a.Address})
}

// RecordTracking writes that the requester of case caseID opened the
// tracking page.
func (s *Cases) RecordTracking(ctx context.Context, caseID int64, address string, at time.Time) error {
	return s.AppendAudit(context.WithoutCancel(ctx), audit.Entry{At: at, Actor: audit.Requester(caseID),
		Action: audit.RequestTrack, Object: audit.Case(caseID), Address: address})
}
