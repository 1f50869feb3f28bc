// Package spans starts the OpenTelemetry spans of faultline's layers (the
// operation, the store calls) as children of the request's span, and marks
// a span with a typed error. Off by default: without a sampled span in the
// context (tracing off, or this request not sampled) nothing is started and
// nothing is allocated.
package spans

import (
	"context"
	"errors"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/faultline/faultline/apperr"
)

// The attributes of an errored span (docs/operations.md, Traces).
const (
	ErrorCode  = attribute.Key("faultline.error.code")
	ErrorType  = attribute.Key("faultline.error.type")
	ErrorCount = attribute.Key("faultline.error.count")
)

// Scope is one layer's tracer scope ("github.com/faultline/faultline/store").
type Scope struct {
	name string
	last atomic.Pointer[scoped] // the tracer of the provider seen last
}

type scoped struct {
	provider trace.TracerProvider
	tracer   trace.Tracer
}

// NewScope is the scope named name.
func NewScope(name string) *Scope { return &Scope{name: name} }

// Start starts a span named name, by the scope's tracer, as a child of the
// span of ctx when that one is sampled (recording, or already ended, as a
// WebSocket's request span is once it is upgraded); otherwise it returns
// ctx and ok false. The tracer is the parent span's own provider's, so that
// nothing global is involved; it is asked for once per provider, not at
// each span (a provider's Tracer builds the scope and takes a lock).
func (sc *Scope) Start(ctx context.Context, name string, opts ...trace.SpanStartOption) (_ context.Context, _ trace.Span, ok bool) {
	parent := trace.SpanFromContext(ctx)
	if !parent.SpanContext().IsSampled() { // Sampled, without looking ctx up again
		return ctx, parent, false
	}
	provider := parent.TracerProvider()
	t := sc.last.Load()
	if t == nil || t.provider != provider {
		t = &scoped{provider: provider, tracer: provider.Tracer(sc.name)}
		sc.last.Store(t)
	}
	ctx, span := t.tracer.Start(ctx, name, opts...)
	return ctx, span, true
}

// Sampled reports whether the span of ctx is sampled, so that its children
// are recorded.
func Sampled(ctx context.Context) bool {
	return trace.SpanContextFromContext(ctx).IsSampled()
}

// Fail marks span with err, one of count errors: the error's code and type
// as attributes, and status Error when it is a server-side failure (5xx).
// A span that does not record is left alone.
func Fail(span trace.Span, err error, count int) {
	if err == nil || !span.IsRecording() {
		return
	}
	ae, ok := errors.AsType[*apperr.Error](err)
	if !ok {
		ae = apperr.New(apperr.Internal)
	}
	span.SetAttributes(ErrorCode.String(string(ae.Code())), ErrorType.String(string(ae.Type)), ErrorCount.Int(count))
	if ae.Status() >= 500 {
		span.SetStatus(codes.Error, string(ae.Type))
	}
}
