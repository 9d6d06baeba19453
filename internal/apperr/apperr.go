// Package apperr is the one application error: a code the client can act on, a message a person
// can read, and the fields at fault. Services return it; internal/httpapi turns it into the one
// error shape and an HTTP status in exactly one place.
package apperr

import (
	"errors"
	"fmt"
)

// Code says what kind of failure an error is. Clients branch on it; see docs/openapi.yaml.
type Code string

const (
	Invalid         Code = "invalid"
	Unauthenticated Code = "unauthenticated"
	Forbidden       Code = "forbidden"
	NotFound        Code = "not_found"
	Conflict        Code = "conflict"
	Precondition    Code = "precondition_failed"
	RateLimited     Code = "rate_limited"
	TooLarge        Code = "body_too_large"
	Internal        Code = "internal"
)

// Error is an application error. Fields maps a request field to what is wrong with it.
type Error struct {
	Code    Code
	Message string
	Fields  map[string]string
	// Details carries what a client needs to act on the error, such as the id of the contact a
	// conflict is with.
	Details map[string]any
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Message)
	}
	return fmt.Sprintf("%s: %s %v", e.Code, e.Message, e.Fields)
}

// New returns an error with a code and a message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Field returns an Invalid error that names one field.
func Field(field, problem string) *Error {
	return &Error{Code: Invalid, Message: field + ": " + problem, Fields: map[string]string{field: problem}}
}

// CodeOf reports the code of err, Internal when err is no *Error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Fields collects per-field problems so a handler can report all of them at once.
type Fields map[string]string

// Add records a problem with a field; the first problem per field wins.
func (f Fields) Add(field, problem string) {
	if _, ok := f[field]; !ok {
		f[field] = problem
	}
}

// Err returns nil when no field is at fault, otherwise one Invalid error naming them all.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "some fields are invalid", Fields: f}
}
