package mail

import "time"

// Status is where a queued mail stands.
type Status string

const (
	StatusWaiting Status = "waiting" // not tried yet
	StatusFailed  Status = "failed"  // tried and failed, will be tried again
	StatusSent    Status = "sent"
)

// Entry is a mail in the outbox as the owners' page shows it: what it is and
// how its delivery goes, never its recipient, subject or text.
type Entry struct {
	ID          int64
	Kind        Kind   // "" for a mail queued before kinds were kept
	Ref         string // the case or breach it is about, if any
	CreatedAt   time.Time
	Attempts    int
	LastError   string // without the recipient's address
	NextAttempt time.Time
	SentAt      *time.Time
}

// Status says where e stands.
func (e Entry) Status() Status {
	switch {
	case e.SentAt != nil:
		return StatusSent
	case e.Attempts > 0:
		return StatusFailed
	}
	return StatusWaiting
}

// Breach reports whether e is about a breach rather than a case.
func (e Entry) Breach() bool { return e.Kind == KindBreachLetter || e.Kind == KindBreachReminder }
