package casework

import (
	"slices"
	"strings"
	"time"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/email"
	"github.com/avgloket/avgloket/internal/mail"
	"github.com/avgloket/avgloket/internal/portability"
)

// The events of a portability case (AVG art. 20). EventPortability: the
// data the person provided were recorded; Data "activities" lists the
// portable activities with data (keys, comma-separated).
// EventPortabilityExport: the export ZIP was made and kept as an answer
// document; Data "document" is its id. EventPortabilityTransfer: the export
// went to another organisation on the requester's instruction, with a
// download link of its own; nothing of that organisation is in Data (it is
// sealed with the case's portability record).
const (
	EventPortability         EventKind = "portability"
	EventPortabilityExport   EventKind = "portability_export"
	EventPortabilityTransfer EventKind = "portability_transfer"
)

// PortabilityRecord is what a portability case recorded: per chosen activity
// its name and legal basis and, for those the right covers, the data the
// person provided (package portability); the export made of them; and
// where it went besides the requester.
type PortabilityRecord struct {
	Items []portability.Item
	// Document is the answer document that holds the export ZIP, made at
	// ExportedAt; "" until made, and again once the data change.
	Document   string
	ExportedAt time.Time
	// Transfers are the deliveries to another organisation (art. 20(2)).
	Transfers []Transfer
}

// Transfer is the export sent to another organisation on the requester's
// instruction: its name and e-mail address (sealed), and when.
type Transfer struct {
	Organisation string
	Email        string
	At           time.Time
}

// Recorded reports whether the data of the case were recorded.
func (p PortabilityRecord) Recorded() bool { return len(p.Items) > 0 }

// Exported reports whether the export of the data as they are now is made.
func (p PortabilityRecord) Exported() bool { return p.Document != "" }

// PortabilityChange is the Change part of a portability case: the record
// as it is to be stored, and for a transfer its download link.
type PortabilityChange struct {
	Record PortabilityRecord
	// Link, when set, is a new download link of the export for the
	// organisation of the last transfer.
	Link *TransferLink
}

// TransferLink is a download of the export of its own for another
// organisation: the hash of the secret in its link, the document it opens,
// when it was made and until when it works (the document is destroyed
// then too); and, as read back, how often and when last it was used.
type TransferLink struct {
	Hash             string
	Document         string
	Created, Expires time.Time
	Downloads        int
	LastDownload     time.Time
}

// portabilityOnly refuses a step on a case that is not an open portability
// case.
func portabilityOnly(c *Case) error {
	switch {
	case c.Type != Portability:
		return apperr.New(apperr.Conflict, "portability.not_portability")
	case c.Status == Completed:
		return apperr.New(apperr.Conflict, "case.completed")
	}
	return nil
}

// SavePortability is the step that records the data the person provided
// (entered) on a portability case, replacing earlier ones and the export
// made of them; reg are the register's activities with their names and
// legal bases. It is Conflict for another request type
// ("portability.not_portability") and a completed case, and Invalid with
// the problems of portability.Validate: an activity not chosen or not on
// consent or contract (art. 20(1)(a)) is refused.
func SavePortability(entered, reg []portability.Item) func(c *Case, env Env) (Change, error) {
	return func(c *Case, _ Env) (Change, error) {
		if err := portabilityOnly(c); err != nil {
			return Change{}, err
		}
		if len(c.Activities) == 0 {
			return Change{}, apperr.InvalidFields(map[string]string{"items": "portability.no_activities"})
		}
		if p := portability.Validate(c.Activities, reg, entered); len(p) > 0 {
			return Change{}, apperr.InvalidFields(p)
		}
		rec := PortabilityRecord{Items: portability.Items(c.Activities, reg, entered), Transfers: c.Portability.Transfers}
		var with []string
		for _, it := range rec.Items {
			if it.Portable() && len(it.Fields) > 0 {
				with = append(with, it.Activity)
			}
		}
		c.Portability = rec
		return Change{Portability: &PortabilityChange{Record: rec},
			Events: []Event{{Kind: EventPortability, Data: map[string]string{"activities": strings.Join(with, ",")}}}}, nil
	}
}

// RecordExport is the step that records document as the export ZIP of the
// portability case, made at. It is Conflict when nothing portable holds
// data ("portability.nothing_to_export"), besides the conflicts of
// SavePortability.
func RecordExport(document string, at time.Time) func(c *Case, env Env) (Change, error) {
	return func(c *Case, _ Env) (Change, error) {
		if err := portabilityOnly(c); err != nil {
			return Change{}, err
		}
		if !portability.HasData(c.Portability.Items) {
			return Change{}, apperr.New(apperr.Conflict, "portability.nothing_to_export")
		}
		c.Portability.Document, c.Portability.ExportedAt = document, at
		return Change{Portability: &PortabilityChange{Record: c.Portability},
			Events: []Event{{Kind: EventPortabilityExport, Data: map[string]string{"document": document}}}}, nil
	}
}

// SendTransfer is the step that sends the export of the portability case
// to another organisation on the requester's instruction (art. 20(2)):
// the transfer is recorded with link (a download of its own, of the
// export's document) and m, the mail to the organisation with that link,
// is queued with it. organisation and address must have passed
// ValidateTransfer. It is Conflict before the export is made
// ("portability.export_first"), besides the conflicts of SavePortability.
func SendTransfer(organisation, address string, link TransferLink, m mail.Message) func(c *Case, env Env) (Change, error) {
	return func(c *Case, _ Env) (Change, error) {
		if err := portabilityOnly(c); err != nil {
			return Change{}, err
		}
		if !c.Portability.Exported() {
			return Change{}, apperr.New(apperr.Conflict, "portability.export_first")
		}
		link.Document = c.Portability.Document
		c.Portability.Transfers = append(slices.Clone(c.Portability.Transfers), Transfer{Organisation: organisation, Email: address, At: link.Created})
		return Change{Portability: &PortabilityChange{Record: c.Portability, Link: &link}, Mails: []mail.Message{m},
			Events: []Event{{Kind: EventPortabilityTransfer}}}, nil
	}
}

// ValidateTransfer returns the problems of the organisation's name and
// e-mail address a transfer goes to, keyed "organisation" and "email",
// with both trimmed.
func ValidateTransfer(organisation, address string) (string, string, Problems) {
	p := Problems{}
	organisation, address = strings.TrimSpace(organisation), email.Normalize(address)
	text(p, "organisation", organisation, true, MaxShort)
	switch {
	case address == "":
		p.add("email", "field.required")
	case !email.Valid(address):
		p.add("email", "field.email")
	}
	return organisation, address, p
}
