package casework

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/mail"
)

// NoticeChannel is how an art. 19 notice reaches its recipient.
type NoticeChannel string

// The channels of a notice: mailed through the outbox where the register
// has the recipient's e-mail address, otherwise printed and posted.
const (
	NoticeByMail NoticeChannel = "mail"
	NoticeByPost NoticeChannel = "post"
)

// NoticeStatus is where a notice stands (API.md).
type NoticeStatus string

// The statuses of a notice: queued (a mail not sent yet, a letter not
// posted yet), sent (the mail server took the mail) or printed (the letter
// was printed and marked posted).
const (
	NoticeQueued  NoticeStatus = "queued"
	NoticeSent    NoticeStatus = "sent"
	NoticePrinted NoticeStatus = "printed"
)

// NoticeAction is what a notice asks its recipient to do with the data it
// received for one activity.
type NoticeAction string

// The actions, one per right that calls for notices.
const (
	NoticeErase    NoticeAction = "erase"    // AVG art. 17
	NoticeRectify  NoticeAction = "rectify"  // AVG art. 16
	NoticeRestrict NoticeAction = "restrict" // AVG art. 18
)

// NoticeItem is what a notice asks for one activity: the activity's key
// and what to do with the data received for it.
type NoticeItem struct {
	Activity string
	Action   NoticeAction
}

// Notice is one notice of AVG art. 19: the practice tells a recipient of
// the person's data (a processor, another controller, an authority) of a
// rectification, erasure or restriction, so that it does the same.
type Notice struct {
	ID int64
	// Recipient and Kind are the recipient's name and kind
	// (register.RecipientKind) in the register when the notice was made.
	Recipient string
	Kind      string
	// Activities are the keys of the activities whose data the recipient
	// received, in the register's order.
	Activities []string
	Channel    NoticeChannel
	Status     NoticeStatus
	CreatedAt  time.Time
	// At is when the mail was sent or the letter printed; nil while queued.
	At *time.Time
	// Letter is the notice as written: the letter printed, or the one the
	// mail's link opens as a PDF, in Language (the recipient's, not the requester's). Empty
	// once the case is anonymised.
	Letter   Letter
	Language Language
	// Mail is the e-mail to queue with a new notice by mail; nil otherwise
	// and when read back. It carries the reference and Link's address,
	// never the letter (SECURITY.md item 13).
	Mail *mail.Message
	// Link is the download link of the letter a new notice by mail
	// carries; nil otherwise and when read back.
	Link *NoticeLink
}

// NoticeLink is a notice's own link to its letter as a PDF, for the
// recipient it is mailed to. Token is the link's secret: only in the mail,
// the store keeps a keyed hash of it.
type NoticeLink struct {
	Token   string
	Expires time.Time
}

// NoticeItems returns what the notices of deciding c with outcome o ask of
// the recipients, per activity in the register's order: nothing unless a
// rectification, erasure or restriction is granted in whole or in part;
// for an erasure only the activities whose data were erased (an item not
// kept: a destruction carried out or promised), for the other two every
// chosen activity — for a rectification only when an item was corrected
// (the notice then lists the corrections, Case.Rectification).
func NoticeItems(c Case, o Outcome) []NoticeItem {
	if o != Granted && o != PartiallyGranted {
		return nil
	}
	var out []NoticeItem
	switch c.Type {
	case Erasure:
		for _, it := range c.Erasure {
			if !it.Kept() {
				out = append(out, NoticeItem{Activity: it.Activity, Action: NoticeErase})
			}
		}
	case Rectification, Restriction:
		if c.Type == Rectification && !slices.ContainsFunc(c.Rectification, func(it RectificationItem) bool { return !it.Kept }) {
			return nil
		}
		action := NoticeRectify
		if c.Type == Restriction {
			action = NoticeRestrict
		}
		for _, a := range c.Activities {
			out = append(out, NoticeItem{Activity: a, Action: action})
		}
	}
	return out
}

// Notifier drafts the notices of AVG art. 19 from the practice's register.
// Decide asks it in the decision's transaction, so the notices, their
// mails and the decision are stored together or not at all.
type Notifier interface {
	// DraftNotices returns one notice for each recipient, of any kind,
	// of the activities of items, and for no one else: a recipient named
	// under several of them gets one notice listing them all. A notice
	// has Mail set (and Channel NoticeByMail) when the register has the
	// recipient's e-mail address, otherwise Channel NoticeByPost; its
	// Letter is dated on. No items: no notices.
	DraftNotices(ctx context.Context, c Case, items []NoticeItem, on deadline.Date) ([]Notice, error)
	// CountNotices returns how many notices DraftNotices would draft for
	// c and items, without drafting them: the count a preview of the
	// decision letter names.
	CountNotices(ctx context.Context, c Case, items []NoticeItem) (int, error)
}

// UseNotifier lets the service draft art. 19 notices when it decides a
// case; without one, a decision makes none.
func (s *Service) UseNotifier(n Notifier) { s.notifier = n }

// notices drafts the notices of deciding c with outcome o on today.
func (s *Service) notices(ctx context.Context, c Case, o Outcome, today deadline.Date) ([]Notice, error) {
	items := NoticeItems(c, o)
	if s.notifier == nil || len(items) == 0 {
		return nil, nil
	}
	return s.notifier.DraftNotices(ctx, c, items, today)
}

// noticeCount counts the notices that deciding c with outcome o would
// draft, without drafting them.
func (s *Service) noticeCount(ctx context.Context, c Case, o Outcome) (int, error) {
	items := NoticeItems(c, o)
	if s.notifier == nil || len(items) == 0 {
		return 0, nil
	}
	return s.notifier.CountNotices(ctx, c, items)
}

// EventNotices: a decision made art. 19 notices. Data: count, and how many
// go by post.
const EventNotices EventKind = "notices"

// EventNoticePosted: staff printed a notice and posted it. Data: notice
// (its id).
const EventNoticePosted EventKind = "notice_posted"

// noticesEvent records the notices a decision made.
func noticesEvent(ns []Notice) Event {
	post := 0
	for _, n := range ns {
		if n.Channel == NoticeByPost {
			post++
		}
	}
	return Event{Kind: EventNotices, Data: map[string]string{"count": strconv.Itoa(len(ns)), "post": strconv.Itoa(post)}}
}

// MarkNoticePosted is the step that records that the notice id of a case,
// one to post, was printed and posted (Change.NoticePosted). The store
// refuses, as a Conflict, a notice that is not the case's, goes by mail or
// was marked before.
func MarkNoticePosted(id int64) func(c *Case, env Env) (Change, error) {
	return func(_ *Case, _ Env) (Change, error) {
		if id <= 0 {
			return Change{}, apperr.New(apperr.NotFound, "error.not_found")
		}
		return Change{NoticePosted: &id, Events: []Event{{Kind: EventNoticePosted,
			Data: map[string]string{"notice": strconv.FormatInt(id, 10)}}}}, nil
	}
}
