// Package audit is avgloket's audit trail (SECURITY.md item 11): sign-ins,
// denials, and every view, export, change or deletion of a case, file or
// breach leave an Entry saying who did what to which object, when and from
// where.
//
// Entries form a keyed hash chain. Each entry's Hash is a MAC, under a key
// that lives only in the key file, over the previous entry's Hash and the
// entry's own fields (ChainHash). A separate head record names the last
// entry and is sealed with the same key (SealHead). Verify walks the trail
// and reports the first broken link, so that with the key file one can tell
// that a row was edited, deleted, inserted or reordered, or that the newest
// rows were cut off, even by someone who could write to the database file:
// without the key they cannot compute the values that would hide it.
//
// What the chain cannot show on its own is a whole trail replaced by an
// older, consistent copy of itself (a restored backup) or wiped to empty
// together with its head. Writing the head (Head.LastID and LastHash) down
// outside the database now and then, e.g. in the log of the verify command,
// anchors it against that.
//
// Entries carry identifiers only, never names, e-mail addresses, free text or
// tokens; Validate enforces the shape of each field.
//
// The package imports no database or web framework; the store keeps entries
// and supplies the MAC.
package audit

import (
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Action says what happened. The values are stored, so they never change
// meaning; new actions are added at the end.
type Action string

// The actions. Detail conventions are given where an action has one.
const (
	// SignIn: a staff member signed in. Actor is the staff member; Detail
	// may name the method ("method=password", "method=oidc").
	SignIn Action = "sign_in"
	// SignInFailed: a sign-in was refused. Actor is "anonymous" (the
	// address given is never recorded), Object the account if one matched;
	// Detail the reason ("reason=wrong_password", "reason=disabled").
	SignInFailed Action = "sign_in_failed"
	// SignOut: a staff member signed out.
	SignOut Action = "sign_out"
	// AccessDenied: a caller was refused an object or a page (forbidden,
	// or hidden as not found because it is outside their branches).
	// Detail may hold the route name ("route=case_export").
	AccessDenied Action = "access_denied"

	// CaseView: a case's personal data were shown to staff.
	CaseView Action = "case_view"
	// CaseCreate: a case was registered (by the public form, staff or API).
	CaseCreate Action = "case_create"
	// CaseUpdate: a case's data were changed (identity, details, branch).
	// Detail may list the changed fields ("fields=identity,branch").
	CaseUpdate Action = "case_update"
	// CaseStatus: a case moved to another status ("status=in_progress").
	CaseStatus Action = "case_status"
	// CaseAssign: a case was assigned; Detail names the assignee as
	// "assignee=<staff id>" or "assignee=none".
	CaseAssign Action = "case_assign"
	// CaseNote: an internal note was added to a case (its text is not here).
	CaseNote Action = "case_note"
	// CaseMessage: a message was sent to or received from the requester.
	CaseMessage Action = "case_message"
	// CaseExtend: the deadline was extended under AVG art. 12(3).
	CaseExtend Action = "case_extend"
	// CaseDecide: the case was decided; Detail is the outcome
	// ("outcome=granted").
	CaseDecide Action = "case_decide"
	// CaseExport: a case (letter, data copy, PDF) was exported or
	// downloaded.
	CaseExport Action = "case_export"
	// CaseDelete: a case was deleted (retention or erasure).
	CaseDelete Action = "case_delete"
	// CaseActivities: the register activities that concern the person of
	// a case were chosen; Detail lists their keys
	// ("activities=client-file,invoicing").
	CaseActivities Action = "case_activities"
	// CaseStatement: the access statement (AVG art. 15) of a case was edited
	// or approved; Detail says which ("approved=yes" or "approved=no"). The
	// text is sealed with the case, never here.
	CaseStatement Action = "case_statement"
	// CaseErasure: the erasure items (AVG art. 17) of a case were recorded;
	// Detail lists the activities erased and kept
	// ("erased=client-file kept=invoicing").
	CaseErasure Action = "case_erasure"
	// CaseRectification: the items of a rectification (AVG art. 16) were
	// recorded; Detail counts them ("corrected=2 kept=1"), never the values.
	CaseRectification Action = "case_rectification"
	// CaseObjection: the objection (AVG art. 21) of a case was recorded;
	// Detail lists the activities, the outcome and whether it is about
	// direct marketing ("activities=newsletter outcome=stopped
	// direct_marketing=true"). The grounds are sealed with the case.
	CaseObjection Action = "case_objection"
	// CaseRestriction: the restriction of processing (AVG art. 18) of a
	// case was recorded; Detail names the ground and the activities
	// ("ground=accuracy_contested activities=client-file").
	CaseRestriction Action = "case_restriction"
	// CaseRestrictionLifting: the lifting of a restriction was announced to
	// the requester (art. 18(3)); Detail is the day ("lift_on=2027-01-10").
	CaseRestrictionLifting Action = "case_restriction_lifting"
	// CasePortability: on a portability case (AVG art. 20) the data the
	// person provided were recorded, the export made or sent to another
	// organisation; Detail says which ("activities=newsletter",
	// "export=made", "transfer=sent"). Data and organisation are sealed with
	// the case, never here.
	CasePortability Action = "case_portability"
	// CaseNotices: the art. 19 notices of a case were made when it was
	// decided ("count=3 post=1"), or one to post was marked printed and
	// posted ("posted=7", the notice's id). Recipients' names stay with
	// the case.
	CaseNotices Action = "case_notices"

	// FileView: a stored file (e.g. an ID copy) was opened or downloaded.
	FileView Action = "file_view"
	// FileUpload: a file was stored.
	FileUpload Action = "file_upload"
	// FileDelete: a file and its data key were destroyed; Detail may say why
	// ("reason=retention").
	FileDelete Action = "file_delete"

	// BreachView: an entry of the breach register was shown.
	BreachView Action = "breach_view"
	// BreachCreate: a breach was registered.
	BreachCreate Action = "breach_create"
	// BreachUpdate: a breach was changed (assessment, notification to the
	// AP or data subjects).
	BreachUpdate Action = "breach_update"
	// BreachExport: the register or one breach was exported.
	BreachExport Action = "breach_export"
	// BreachDelete: a breach was deleted. AVG art. 33(5) asks the register
	// to be kept, so this should be rare; it is audited all the more.
	BreachDelete Action = "breach_delete"

	// SettingsUpdate: the practice's settings changed; Detail may list the
	// changed settings ("fields=time_zone,calendar").
	SettingsUpdate Action = "settings_update"
	// StaffInvite: a staff account was created or invited; Object is the
	// new account.
	StaffInvite Action = "staff_invite"
	// StaffUpdate: a staff account's role or branches changed, or its
	// second factor: Detail "totp=enabled" (enrolled), "totp=reset" (an
	// owner removed it for a lost device), "recovery=renewed" (new
	// recovery codes).
	StaffUpdate Action = "staff_update"
	// StaffDisable: a staff account was disabled.
	StaffDisable Action = "staff_disable"
	// PasswordChange: a staff member's password was set or reset; Object is
	// the account.
	PasswordChange Action = "password_change"
	// TokenCreate: an API token was created; Object is the token (never the
	// token itself).
	TokenCreate Action = "token_create"
	// TokenRevoke: an API token was revoked.
	TokenRevoke Action = "token_revoke"
	// SetupComplete: the first-run setup created the practice and its first
	// owner.
	SetupComplete Action = "setup_complete"

	// RequestTrack: a requester opened the tracking page of their case.
	RequestTrack Action = "request_track"
	// RequestConfirm: a requester confirmed their e-mail address.
	RequestConfirm Action = "request_confirm"

	// AuditView: someone looked at the audit trail itself.
	AuditView Action = "audit_view"
	// AuditVerify: the trail was verified; Detail gives the result
	// ("result=ok entries=1234" or "result=broken id=17").
	AuditVerify Action = "audit_verify"
	// KeyRotate: a new key-encryption key version was made current
	// ("version=3").
	KeyRotate Action = "key_rotate"
	// BackupCreate: a copy of the database was written.
	BackupCreate Action = "backup_create"
	// MailTest: an owner sent a test mail through the SMTP server; Detail
	// gives the result ("result=sent" or "result=failed").
	MailTest Action = "mail_test"
	// MailRetry: an owner asked for a queued mail to be tried again now;
	// Object is the outbox row.
	MailRetry Action = "mail_retry"

	// ActivityCreate: a processing activity was added to the register (art.
	// 30); Object is the activity, Detail its key ("key=newsletter") and,
	// for the template a new practice starts from, "source=template".
	ActivityCreate Action = "activity_create"
	// ActivityUpdate: a processing activity changed; Detail names its key
	// and the changed fields ("key=newsletter fields=purpose,recipients").
	ActivityUpdate Action = "activity_update"

	// ConsentCreate: a consent was recorded in the registry (art. 7);
	// Object is the consent, Detail its activity ("activity=newsletter").
	ConsentCreate Action = "consent_create"
	// ConsentWithdraw: a decided consent withdrawal withdrew a consent;
	// Detail names the case and the day it took effect
	// ("case=AVG-2026-0009 as_of=2026-12-01").
	ConsentWithdraw Action = "consent_withdraw"
	// ConsentSearch: the consent registry was searched, on its page or
	// through the API; Detail says by what and how many were found
	// ("by=email found=2"), never what was searched for.
	ConsentSearch Action = "consent_search"
	// StopsView: the people a direct-marketing activity must not approach
	// (art. 21(3)) were read, on the activity's page or through the API;
	// Detail names the activity by its key and how many were shown
	// ("key=newsletter found=3"), with "by=email" when one address was
	// looked up.
	StopsView Action = "stops_view"
)

// actions lists every Action, in the order above.
var actions = []Action{
	SignIn, SignInFailed, SignOut, AccessDenied,
	CaseView, CaseCreate, CaseUpdate, CaseStatus, CaseAssign, CaseNote, CaseMessage,
	CaseExtend, CaseDecide, CaseExport, CaseDelete, CaseActivities, CaseStatement, CaseErasure,
	CaseRectification, CaseObjection, CaseRestriction, CaseRestrictionLifting, CasePortability, CaseNotices,
	FileView, FileUpload, FileDelete,
	BreachView, BreachCreate, BreachUpdate, BreachExport, BreachDelete,
	SettingsUpdate, StaffInvite, StaffUpdate, StaffDisable, PasswordChange,
	TokenCreate, TokenRevoke, SetupComplete,
	RequestTrack, RequestConfirm,
	AuditView, AuditVerify, KeyRotate, BackupCreate,
	MailTest, MailRetry,
	ActivityCreate, ActivityUpdate,
	ConsentCreate, ConsentWithdraw, ConsentSearch, StopsView,
}

// Actions returns every known Action, e.g. for a filter in the owners' view.
// The caller may modify the returned slice.
func Actions() []Action { return append([]Action(nil), actions...) }

// Known reports whether a is one of the actions of this package.
func (a Action) Known() bool {
	for _, k := range actions {
		if a == k {
			return true
		}
	}
	return false
}

// Actors that are not a person.
const (
	// System is the portal itself: scheduled jobs, retention, the outbox.
	System = "system"
	// Anonymous is a caller who is not signed in and has proved no link to
	// a case (the public form, a failed sign-in).
	Anonymous = "anonymous"
)

// Staff returns the actor or object for the staff account id: "staff:<id>".
func Staff(id int64) string { return ref("staff", id) }

// Requester returns the actor for the requester of case caseID (someone who
// proved the case's tracking link): "requester:<case id>".
func Requester(caseID int64) string { return ref("requester", caseID) }

// API returns the actor for a call with an API token of staff account
// staffID: "api:<staff id>".
func API(staffID int64) string { return ref("api", staffID) }

// Case returns the object for case id: "case:<id>".
func Case(id int64) string { return ref("case", id) }

// Outbox returns the object for the queued mail id: "outbox:<id>".
func Outbox(id int64) string { return ref("outbox", id) }

// Breach returns the object for breach id: "breach:<id>".
func Breach(id int64) string { return ref("breach", id) }

// File returns the object for stored file id: "file:<id>".
func File(id int64) string { return ref("file", id) }

// Token returns the object for API token id: "token:<id>".
func Token(id int64) string { return ref("token", id) }

// Branch returns the object for branch id: "branch:<id>".
func Branch(id int64) string { return ref("branch", id) }

// Activity returns the object for processing activity id of the register:
// "activity:<id>".
func Activity(id int64) string { return ref("activity", id) }

// Consent returns the object for consent id of the registry: "consent:<id>".
func Consent(id int64) string { return ref("consent", id) }

func ref(kind string, id int64) string { return kind + ":" + strconv.FormatInt(id, 10) }

// Entry is one line of the trail. Every field holds an identifier or a
// code, never personal data: no names, e-mail addresses, free text or
// tokens.
type Entry struct {
	ID int64 // position in the trail, 1, 2, 3, … without gaps; set by the store
	At time.Time
	// Actor is who acted: "staff:<id>", "requester:<case id>",
	// "api:<staff id>", "system" or "anonymous" (see Staff, Requester, API,
	// System, Anonymous) — never a name or an e-mail address.
	Actor  string
	Action Action
	// Object is what was acted on: "case:<id>", "breach:<id>",
	// "staff:<id>", "file:<id>", "token:<id>", "branch:<id>",
	// "activity:<id>", or "" when
	// the action has no single object (sign-in, settings).
	Object string
	// Address is the client's IP address as the server saw it, "" for
	// System. (An IP address is personal data too; it is kept because
	// "from where" is what an investigation needs, and only here.)
	Address string
	// Detail is a short machine-readable code, by convention space-separated
	// key=value words such as "status=in_progress" or
	// "reason=wrong_password". It must not hold personal data: no names,
	// addresses, free text, file names or tokens. Validate enforces what it
	// can (printable ASCII, no '@', at most MaxDetail characters); the rest
	// is the caller's duty.
	Detail string
	Prev   string // chain value of the previous entry, "" for the first; set by the store
	Hash   string // chain value of this entry (ChainHash); set by the store
}

// MaxDetail is the longest Detail that Validate accepts.
const MaxDetail = 200

// ErrInvalid is matched (errors.Is) by every error of Validate.
var ErrInvalid = errors.New("audit: invalid entry")

// Validate checks the fields a caller fills in (At, Actor, Action, Object,
// Address, Detail); the store sets ID, Prev and Hash. The errors match
// ErrInvalid and name the field, but never quote its value, which might be
// the very personal data that must not be logged.
func (e Entry) Validate() error {
	invalid := func(field, problem string) error {
		return fmt.Errorf("%w: %s %s", ErrInvalid, field, problem)
	}
	if e.At.IsZero() {
		return invalid("at", "is not set")
	}
	if y := e.At.UTC().Year(); y < 1 || y > 9999 {
		return invalid("at", "is out of range")
	}
	switch kind, ok := parseRef(e.Actor); {
	case e.Actor == System || e.Actor == Anonymous:
	case !ok || (kind != "staff" && kind != "requester" && kind != "api"):
		return invalid("actor", `must be "staff:<id>", "requester:<case id>", "api:<staff id>", "system" or "anonymous"`)
	}
	if !e.Action.Known() {
		return invalid("action", "is not a known action")
	}
	if e.Object != "" {
		switch kind, ok := parseRef(e.Object); {
		case !ok:
			return invalid("object", `must be "<kind>:<id>" or empty`)
		case kind != "case" && kind != "breach" && kind != "staff" && kind != "file" && kind != "token" && kind != "branch" &&
			kind != "outbox" && kind != "activity" && kind != "consent":
			return invalid("object", "is of an unknown kind")
		}
	}
	if e.Address != "" {
		if _, err := netip.ParseAddr(e.Address); err != nil {
			return invalid("address", "is not an IP address")
		}
	}
	if len(e.Detail) > MaxDetail {
		return invalid("detail", fmt.Sprintf("is longer than %d characters", MaxDetail))
	}
	for i := 0; i < len(e.Detail); i++ {
		switch c := e.Detail[i]; {
		case c == '@':
			return invalid("detail", "contains '@' (an e-mail address?)")
		case c < 0x20 || c > 0x7e:
			return invalid("detail", "contains a character outside printable ASCII")
		}
	}
	return nil
}

// parseRef splits "<kind>:<id>" where kind is lowercase letters and id a
// positive decimal integer without sign or leading zeros.
func parseRef(s string) (kind string, ok bool) {
	kind, id, found := strings.Cut(s, ":")
	if !found || kind == "" || len(kind) > 16 {
		return "", false
	}
	for i := 0; i < len(kind); i++ {
		if kind[i] < 'a' || kind[i] > 'z' {
			return "", false
		}
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != id {
		return "", false
	}
	return kind, true
}

// Domain-separation prefixes: a chain value can never pass for a head seal
// or the other way round, and a later format gets a new version.
const (
	chainPrefix = "avgloket/audit/chain/v1\x00"
	headPrefix  = "avgloket/audit/head/v1\x00"
)

// ChainHash returns the chain value of e following an entry whose chain
// value is prev ("" for the first entry):
//
//	mac(prefix | prev | ID | At | Actor | Action | Object | Address | Detail)
//
// where ID is 8 bytes big endian, At is formatted in UTC as RFC 3339 with
// nanoseconds, and every string is preceded by its length (4 bytes big
// endian), so no two different entries have the same input ("ab"+"c" and
// "a"+"bc" differ). e.Prev and e.Hash are ignored. mac must be a keyed MAC
// whose key is not in the database (the store uses the vault's index key
// with purpose "audit"), so that nobody without the key file can compute
// the value of an edited entry.
func ChainHash(mac func(string) string, prev string, e Entry) string {
	at := e.At.UTC().Format(time.RFC3339Nano)
	n := len(chainPrefix) + 8 + 7*4 + len(prev) + len(at) + len(e.Actor) + len(e.Action) +
		len(e.Object) + len(e.Address) + len(e.Detail)
	b := make([]byte, 0, n)
	b = append(b, chainPrefix...)
	b = appendString(b, prev)
	b = binary.BigEndian.AppendUint64(b, uint64(e.ID))
	b = appendString(b, at)
	b = appendString(b, e.Actor)
	b = appendString(b, string(e.Action))
	b = appendString(b, e.Object)
	b = appendString(b, e.Address)
	b = appendString(b, e.Detail)
	return mac(string(b))
}

func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// Head is the record of the last entry, kept by the store next to the
// trail. Without it, deleting the newest entries would leave a shorter
// chain that is still intact. The zero Head stands for an empty trail that
// has never been written to.
type Head struct {
	LastID   int64  // ID of the last entry
	LastHash string // its chain value
	Seal     string // SealHead(mac, LastID, LastHash)
}

// SealHead returns the keyed seal of a head naming entry lastID with chain
// value lastHash. Copying an older entry's ID and hash into the head does not
// help whoever deleted the entries after it: they would need this seal,
// which only the key gives.
func SealHead(mac func(string) string, lastID int64, lastHash string) string {
	b := make([]byte, 0, len(headPrefix)+8+4+len(lastHash))
	b = append(b, headPrefix...)
	b = binary.BigEndian.AppendUint64(b, uint64(lastID))
	b = appendString(b, lastHash)
	return mac(string(b))
}

// BreakKind classifies a broken link.
type BreakKind string

// The kinds of break, each with the tampering it usually means.
const (
	// Edited: an entry's fields no longer give its chain value — the row
	// was changed, or its hash was.
	Edited BreakKind = "edited"
	// Unlinked: an entry does not name the previous entry's chain value —
	// rows were deleted and the rest renumbered, or rows were spliced in.
	Unlinked BreakKind = "unlinked"
	// Missing: IDs skip one or more numbers — rows were deleted (or the
	// trail is read out of order).
	Missing BreakKind = "missing"
	// Reordered: an ID repeats or goes backwards.
	Reordered BreakKind = "reordered"
	// HeadMismatch: the head is not sealed by the key, or does not name the
	// last entry — the newest rows were deleted, rows were appended without
	// the store, or the head itself was changed or deleted.
	HeadMismatch BreakKind = "head"
)

// Break describes the first broken link Verify found.
type Break struct {
	// ID is the entry at fault as far as the walk can tell: the edited or
	// unlinked entry, the first missing ID, or for the head the entry after
	// the last intact one.
	ID     int64
	Kind   BreakKind
	Reason string // one line in English for the log and the verify command
}

func (b *Break) String() string { return fmt.Sprintf("audit entry %d: %s", b.ID, b.Reason) }

// Verify walks entries, which must come in ID order, and returns the first
// broken link or nil, and the number of entries it found intact before it.
// The error is only ever one yielded by entries (a failed read); tampering
// is reported as a Break, never as an error.
//
// It holds one entry at a time, so a trail of any length can be streamed
// from the database. It stops reading at the first break.
//
// Checks, per entry: its ID is one more than the previous one (Missing,
// Reordered), its Prev is the previous Hash (Unlinked), and its Hash is
// ChainHash of its fields (Edited). At the end, head must be sealed and
// name the last entry (HeadMismatch, or Missing if entries after the last
// one read are gone). An empty trail with a zero head is intact.
func Verify(entries iter.Seq2[Entry, error], head Head, mac func(string) string) (*Break, int, error) {
	var (
		lastID int64
		prev   string
		n      int
	)
	for e, err := range entries {
		if err != nil {
			return nil, n, err
		}
		// Chain values are compared with ==: they are not secrets, and a
		// verifier is not an oracle an attacker can time.
		switch {
		case e.ID <= lastID:
			return &Break{ID: e.ID, Kind: Reordered,
				Reason: fmt.Sprintf("entry %d comes after entry %d (repeated or out of order)", e.ID, lastID)}, n, nil
		case e.ID != lastID+1:
			return &Break{ID: lastID + 1, Kind: Missing,
				Reason: fmt.Sprintf("entry %d is missing: entry %d follows entry %d", lastID+1, e.ID, lastID)}, n, nil
		case e.Prev != prev:
			return &Break{ID: e.ID, Kind: Unlinked,
				Reason: fmt.Sprintf("entry %d does not link to entry %d (entries deleted or inserted)", e.ID, lastID)}, n, nil
		case e.Hash != ChainHash(mac, prev, e):
			return &Break{ID: e.ID, Kind: Edited,
				Reason: fmt.Sprintf("entry %d does not match its chain value (edited)", e.ID)}, n, nil
		}
		lastID, prev = e.ID, e.Hash
		n++
	}
	switch {
	case head == Head{} && lastID == 0:
		return nil, n, nil
	case head == Head{}:
		return &Break{ID: lastID, Kind: HeadMismatch,
			Reason: fmt.Sprintf("the head record is missing, but the trail has %d entries", lastID)}, n, nil
	case head.Seal != SealHead(mac, head.LastID, head.LastHash):
		return &Break{ID: lastID + 1, Kind: HeadMismatch,
			Reason: fmt.Sprintf("the head record is not sealed by the key (it names entry %d; the trail ends at %d): entries after %d may have been deleted", head.LastID, lastID, lastID)}, n, nil
	case head.LastID > lastID:
		return &Break{ID: lastID + 1, Kind: Missing,
			Reason: fmt.Sprintf("entries %d to %d are missing: the head names entry %d, the trail ends at %d", lastID+1, head.LastID, head.LastID, lastID)}, n, nil
	case head.LastID < lastID:
		return &Break{ID: head.LastID + 1, Kind: HeadMismatch,
			Reason: fmt.Sprintf("entries %d to %d were added without the head, which names entry %d", head.LastID+1, lastID, head.LastID)}, n, nil
	case head.LastHash != prev:
		return &Break{ID: lastID, Kind: HeadMismatch,
			Reason: fmt.Sprintf("the head does not match entry %d", lastID)}, n, nil
	}
	return nil, n, nil
}
