package casework

import "time"

// RequirementStatus is what is on record for one requirement of a case (a
// proof of authority, a child's consent, …): the latest word per key.
type RequirementStatus struct {
	Key       string
	Satisfied bool
	Waived    bool
	Reason    string // sealed at rest; required for a waiver
	ByID      int64
	ByName    string // filled when read
	At        time.Time
}

// File purposes: what a requester's upload is for. An ID copy is destroyed
// as soon as identity is recorded; the others follow the case's retention.
const (
	PurposeIDCopy        = "id_copy"
	PurposeAuthority     = "authority_proof"
	PurposeAuthorisation = "authorisation"
	PurposeChildConsent  = "child_consent"
	PurposeOther         = "other"
)

// FilePurposes lists the purposes in the order the UI offers them.
var FilePurposes = []string{PurposeIDCopy, PurposeAuthority, PurposeAuthorisation, PurposeChildConsent, PurposeOther}

// InfoRequest is a question to the requester for identity information or a
// proof, and the answer once given.
type InfoRequest struct {
	ID         int64
	Method     string // the verification method asked for
	UploadKind string // the file purpose asked for; empty: no upload
	Text       string // sealed at rest
	AskedAt    time.Time
	AskedByID  int64
	Answer     string // sealed at rest
	AnsweredAt *time.Time
	// WithdrawnAt is when staff withdrew the question unanswered; the
	// reason is on the timeline (EventInfoWithdrawn).
	WithdrawnAt *time.Time
}

// Open reports whether the question still waits for an answer.
func (q InfoRequest) Open() bool { return q.AnsweredAt == nil && q.WithdrawnAt == nil }

// File is a document a requester uploaded; its content is stored encrypted
// on disk, named by ID.
type File struct {
	ID           string
	Purpose      string
	Kind         string // pdf, jpeg or png, detected from the content
	Size         int64
	UploadedAt   time.Time
	DestroyAfter *time.Time
	DestroyedAt  *time.Time
}
