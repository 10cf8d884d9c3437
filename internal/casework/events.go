package casework

import "time"

// EventKind is what happened on a case.
type EventKind string

// The kinds of event on a case's timeline.
const (
	EventCreated       EventKind = "created"
	EventStatus        EventKind = "status"    // Data: from, to
	EventAssigned      EventKind = "assigned"  // Data: to (staff id) or empty
	EventNote          EventKind = "note"      // internal; Text
	EventMessage       EventKind = "message"   // to the requester; Text
	EventExtended      EventKind = "extended"  // Text: reason; Data: due
	EventDecided       EventKind = "decided"   // Text: reasons; Data: outcome, ground
	EventCorrected     EventKind = "corrected" // Data: fields (names only)
	EventEmailResent   EventKind = "email_resent"
	EventEmailVerified EventKind = "email_confirmed"
	EventIdentity      EventKind = "identity"       // Data: outcome, method; Text: note or reason
	EventRequirement   EventKind = "requirement"    // Data: key, state; Text: waiver reason
	EventInfoRequested EventKind = "info_requested" // to the requester; Text: the question
	EventInfoAnswered  EventKind = "info_answered"  // from the requester; Text: the answer; Data: file purpose
	EventInfoWithdrawn EventKind = "info_withdrawn" // staff withdrew the open question; Text: the reason
	EventFileDestroyed EventKind = "file_destroyed" // Data: purpose
	EventConsents      EventKind = "consents"       // a consent withdrawal's chosen consents; Data: ids
	EventDocumentsSent EventKind = "documents_sent" // answer documents sent (package delivery); Data: count
)

// Event is one entry on a case's timeline.
type Event struct {
	ID        int64
	At        time.Time
	Kind      EventKind
	ActorID   int64  // staff id; 0 for the requester or the system
	ActorName string // filled when read, for display
	// Visible events are shown to the requester on the tracking page.
	Visible bool
	Text    string            // free text: sealed at rest
	Data    map[string]string // machine words only, never personal data
}
