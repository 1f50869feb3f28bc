// Package apperr holds faultline's error catalog and the error type that
// domain code returns. It knows nothing of GraphQL or HTTP: the GraphQL
// presenter turns an *Error into the envelope, and anything that is not an
// *Error into INTERNAL, so no driver text can reach a client by construction.
package apperr

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"time"
)

// Error is a typed application error. Only Type, the message, Details,
// Fields and RetryAfter are ever sent to a client; Cause and the caller's
// location are for the log.
type Error struct {
	Type       Type
	Details    map[string]any
	Fields     []FieldViolation
	RetryAfter time.Duration
	Cause      error

	variant string         // a named message of the type's catalog entry
	params  map[string]any // message parameters that are not details
	caller  string         // file:line of the constructor's caller, for INTERNAL
	stack   []byte         // a stack trace attached by WithStack (panics)
}

// FieldViolation is one violated input constraint of a VALIDATION_FAILED
// error. Path starts at the argument name; list indexes are ints.
type FieldViolation struct {
	Path    []any  `json:"path"`
	Message string `json:"message"`
	Rule    string `json:"rule"`

	params map[string]any // the rule's parameters, to word the message in any locale
}

// Violation is the violation of rule at path; params fill the rule's
// message ({limit}).
func Violation(path []any, rule string, params map[string]any) FieldViolation {
	v := FieldViolation{Path: path, Rule: rule, params: params}
	v.Message = v.In(English).Message
	return v
}

// In returns v with its message in locale l.
func (v FieldViolation) In(l Locale) FieldViolation {
	v.Message = Render(text(l, "rule."+v.Rule), v.params)
	return v
}

// New returns an error of type t with the catalog's message.
func New(t Type) *Error {
	return &Error{Type: t}
}

// Wrap returns an error of type t whose cause (logged, never sent) is cause.
func Wrap(t Type, cause error) *Error {
	return &Error{Type: t, Cause: cause}
}

// NotFound is RESOURCE_NOT_FOUND for one record.
func NotFound(resource, id string) *Error {
	return New(ResourceNotFound).With("resource", resource).With("id", id)
}

// Invalid is VALIDATION_FAILED carrying every violation.
func Invalid(fields ...FieldViolation) *Error {
	return &Error{Type: ValidationFailed, Fields: fields}
}

// Unavailable is DATABASE_UNAVAILABLE with a retry hint and the driver's error as cause.
func Unavailable(cause error, retryAfter time.Duration) *Error {
	return &Error{Type: DatabaseUnavailable, Cause: cause, RetryAfter: retryAfter}
}

// InternalError is INTERNAL with cause; it records where it was made.
func InternalError(cause error) *Error {
	e := &Error{Type: Internal, Cause: cause}
	if _, file, line, ok := runtime.Caller(1); ok {
		e.caller = fmt.Sprintf("%s:%d", file, line)
	}
	return e
}

// From returns err as an *Error: itself if it is one (or wraps one), a
// TIMEOUT if a context ended, and otherwise INTERNAL with err as the cause.
func From(err error) *Error {
	if err == nil {
		return nil
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return Wrap(DeadlineExceeded, err)
	}
	return &Error{Type: Internal, Cause: err}
}

// With sets one detail and returns e.
func (e *Error) With(key string, value any) *Error {
	if e.Details == nil {
		e.Details = make(map[string]any, 2)
	}
	e.Details[key] = value
	return e
}

// Variant picks one of the type's named messages (Entry.Variants) and
// returns e.
func (e *Error) Variant(name string) *Error {
	e.variant = name
	return e
}

// WithParam sets a message parameter that is not a detail (the parser's own
// words, say) and returns e.
func (e *Error) WithParam(key string, value any) *Error {
	if e.params == nil {
		e.params = make(map[string]any, 2)
	}
	e.params[key] = value
	return e
}

// WithCause sets the cause (logged, never sent) and returns e.
func (e *Error) WithCause(cause error) *Error {
	e.Cause = cause
	return e
}

// WithRetryAfter sets how long a client should wait and returns e.
func (e *Error) WithRetryAfter(d time.Duration) *Error {
	e.RetryAfter = d
	return e
}

// WithStack attaches a stack trace for the log (a recovered panic's) and returns e.
func (e *Error) WithStack(stack []byte) *Error {
	e.stack = stack
	return e
}

// Code is the category of e's type.
func (e *Error) Code() Code { return e.Type.Code() }

// Status is the HTTP-equivalent status of e's type.
func (e *Error) Status() int { return e.Type.Status() }

// Message is the English text sent to clients.
func (e *Error) Message() string { return e.MessageIn(English) }

// MessageIn is the message in locale l: the catalog's (or its variant's)
// wording with {key} placeholders filled from Details and the message
// parameters.
func (e *Error) MessageIn(l Locale) string {
	t := entry(e.Type).Type
	key := string(t)
	if e.variant != "" {
		key += "." + e.variant
	}
	values := e.Details
	if len(e.params) > 0 {
		values = make(map[string]any, len(e.Details)+len(e.params))
		for k, v := range e.Details {
			values[k] = v
		}
		for k, v := range e.params {
			values[k] = v
		}
	}
	return Render(text(l, key), values)
}

// RetryAfterSeconds is RetryAfter rounded up to whole seconds; types that
// promise a retryAfter get at least 1.
func (e *Error) RetryAfterSeconds() int {
	s := int((e.RetryAfter + time.Second - 1) / time.Second)
	if s < 1 && entry(e.Type).RetryAfter {
		s = 1
	}
	return s
}

// Error describes e for logs and tests; it never includes the cause, which
// Unwrap and LogValue expose.
func (e *Error) Error() string {
	return string(e.Type) + ": " + e.Message()
}

// Unwrap exposes the cause to errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Cause }

// Is matches a Type or a Code: errors.Is(err, apperr.TokenExpired).
func (e *Error) Is(target error) bool {
	switch t := target.(type) {
	case Type:
		return e.Type == t
	case Code:
		return e.Code() == t
	}
	return false
}

// LogValue lets slog log e with its cause and where it came from.
func (e *Error) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("code", string(e.Code())),
		slog.String("type", string(e.Type)),
	}
	if e.Cause != nil {
		attrs = append(attrs, slog.String("cause", e.Cause.Error()))
	}
	if e.caller != "" {
		attrs = append(attrs, slog.String("caller", e.caller))
	}
	if len(e.stack) > 0 {
		attrs = append(attrs, slog.String("stack", string(e.stack)))
	}
	return slog.GroupValue(attrs...)
}

// Render fills {key} placeholders of msg from details. Lists are joined
// with ", "; unknown placeholders stay as they are.
func Render(msg string, details map[string]any) string {
	if len(details) == 0 || strings.IndexByte(msg, '{') < 0 {
		return msg
	}
	var b strings.Builder
	b.Grow(len(msg) + 16)
	for {
		open := strings.IndexByte(msg, '{')
		if open < 0 {
			b.WriteString(msg)
			return b.String()
		}
		end := strings.IndexByte(msg[open:], '}')
		if end < 0 {
			b.WriteString(msg)
			return b.String()
		}
		key := msg[open+1 : open+end]
		b.WriteString(msg[:open])
		if v, ok := details[key]; ok {
			b.WriteString(format(v))
		} else {
			b.WriteString(msg[open : open+end+1])
		}
		msg = msg[open+end+1:]
	}
}

func format(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []string:
		return strings.Join(v, ", ")
	case time.Time:
		return v.UTC().Format(time.RFC3339)
	default:
		return fmt.Sprint(v)
	}
}
