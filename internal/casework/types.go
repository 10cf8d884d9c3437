// Package casework holds the rules of a privacy request and the case made of
// it: the request types of the AVG, who may file them, how a submission is
// validated, the case's states and references. It imports no web framework
// and no database library.
package casework

import "slices"

// RequestType is the right being exercised.
type RequestType string

// The request types (API.md), with the article of the AVG/GDPR they invoke.
const (
	Access            RequestType = "access"             // art. 15
	Rectification     RequestType = "rectification"      // art. 16
	Erasure           RequestType = "erasure"            // art. 17
	Restriction       RequestType = "restriction"        // art. 18
	Portability       RequestType = "portability"        // art. 20
	Objection         RequestType = "objection"          // art. 21
	ConsentWithdrawal RequestType = "consent_withdrawal" // art. 7(3)
)

// RequestTypes lists every type in the order the form shows them.
var RequestTypes = []RequestType{Access, Rectification, Erasure, Restriction, Portability, Objection, ConsentWithdrawal}

// Valid reports whether t is one of RequestTypes.
func (t RequestType) Valid() bool { return slices.Contains(RequestTypes, t) }

// Relation is the requester's relation to the data subject.
type Relation string

// The relations (API.md). ParentWithoutAuthority extends version 1: a parent
// without parental authority exercises none of the child's rights; the
// practice may give them only information about major facts concerning the
// child (BW 1:377c).
const (
	Self                   Relation = "self"
	Parent                 Relation = "parent"
	ParentWithoutAuthority Relation = "parent_without_authority"
	Guardian               Relation = "guardian"
	Representative         Relation = "representative"
)

// Relations lists every relation in the order the form shows them.
var Relations = []Relation{Self, Parent, ParentWithoutAuthority, Guardian, Representative}

// Valid reports whether r is one of Relations.
func (r Relation) Valid() bool { return slices.Contains(Relations, r) }

// Channel is how the request reached the practice.
type Channel string

// The channels (API.md). The clock starts when a request reaches any of them
// (EDPB 01/2022 §159), not when someone reads it.
const (
	Web      Channel = "web"
	Email    Channel = "email"
	Post     Channel = "post"
	Phone    Channel = "phone"
	InPerson Channel = "in_person"
)

// Channels lists every channel.
var Channels = []Channel{Web, Email, Post, Phone, InPerson}

// Valid reports whether c is one of Channels.
func (c Channel) Valid() bool { return slices.Contains(Channels, c) }

// Status is where a case stands.
type Status string

// The states of a case (API.md).
const (
	Received         Status = "received"
	AwaitingIdentity Status = "awaiting_identity"
	InProgress       Status = "in_progress"
	Completed        Status = "completed"
)

// Statuses lists every status in the order a case passes through them, as
// filters offer them.
var Statuses = []Status{Received, AwaitingIdentity, InProgress, Completed}

// Valid reports whether s is one of Statuses.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Outcome is how a completed case ended.
type Outcome string

// The outcomes (API.md).
const (
	Granted          Outcome = "granted"
	PartiallyGranted Outcome = "partially_granted"
	Refused          Outcome = "refused"
	Withdrawn        Outcome = "withdrawn"
)

// IdentityStatus tells whether the requester's identity was checked.
type IdentityStatus string

// The identity states (API.md).
const (
	IdentityUnverified IdentityStatus = "unverified"
	IdentityVerified   IdentityStatus = "verified"
	IdentityFailed     IdentityStatus = "failed"
)

// Language is the language the requester chose for our messages.
type Language string

// The supported languages; Dutch is the default.
const (
	Dutch   Language = "nl"
	English Language = "en"
)

// ParseLanguage returns the language for s, Dutch for anything unknown.
func ParseLanguage(s string) Language {
	if Language(s) == English {
		return English
	}
	return Dutch
}
