// Package apperr is avgloket's one application error type. Domain and storage
// code return these; the web layer maps each Code to an HTTP status in exactly
// one place. Message is safe to show to the user; the wrapped error is for the
// log only.
package apperr

import (
	"errors"
	"fmt"
)

// Code classifies an error for the caller. The values are the codes of the
// JSON API's error body (API.md).
type Code string

// The codes. Each maps to one HTTP status in the web layer.
const (
	Invalid      Code = "invalid"      // the input breaks a rule; Fields says which
	Malformed    Code = "malformed"    // the input cannot be read at all
	Unauthorized Code = "unauthorized" // no or wrong credentials
	Forbidden    Code = "forbidden"    // known caller, not allowed
	NotFound     Code = "not_found"    // no such object, or not visible to the caller
	Conflict     Code = "conflict"     // the object's state does not allow this
	TooLarge     Code = "too_large"    // the body is over the limit
	RateLimited  Code = "rate_limited" // too many calls
	Internal     Code = "internal"     // our fault; details only in the log
)

// Error is an error with a Code, a message that is safe to show, and
// optionally per-field problems (for Invalid). Field messages are message IDs
// of the UI's catalogue (ui/locales), so each surface can show them in the
// reader's language.
type Error struct {
	Code    Code
	Message string            // message ID or plain text, safe to show
	Fields  map[string]string // field name → message ID
	Err     error             // the cause, for the log only
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an Error with the given code and safe message.
func New(code Code, message string) *Error { return &Error{Code: code, Message: message} }

// Wrap returns an Internal error that keeps err for the log.
func Wrap(err error, message string) *Error {
	return &Error{Code: Internal, Message: message, Err: err}
}

// InvalidFields returns an Invalid error naming the fields at fault.
func InvalidFields(fields map[string]string) *Error {
	return &Error{Code: Invalid, Message: "error.invalid", Fields: fields}
}

// CodeOf returns the Code of err, Internal for errors that are not *Error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns err as *Error, wrapping foreign errors as Internal.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Wrap(err, "error.internal")
}

// Is reports whether err carries the given code.
func Is(err error, code Code) bool { return CodeOf(err) == code }
