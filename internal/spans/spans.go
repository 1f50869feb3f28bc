// Package spans starts the OpenTelemetry spans of faultline's layers (the
// operation, the store calls) as children of the request's span, and marks
// a span with a typed error. Off by default: without a sampled span in the
// context (tracing off, or this request not sampled) nothing is started and
// nothing is allocated.
package spans

import (
	"context"
	"errors"
	"sync"

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

// Start starts a span named name, by the tracer of scope, as a child of the
// span of ctx when that one is sampled (recording, or already ended, as a
// WebSocket's request span is once it is upgraded); otherwise it returns
// ctx and ok false. The tracer is the parent span's own provider's, so that
// nothing global is involved.
func Start(ctx context.Context, scope, name string, opts ...trace.SpanStartOption) (_ context.Context, _ trace.Span, ok bool) {
	parent := trace.SpanFromContext(ctx)
	if !parent.SpanContext().IsSampled() { // Sampled, without looking ctx up again
		return ctx, parent, false
	}
	ctx, span := tracer(parent.TracerProvider(), scope).Start(ctx, name, opts...)
	return ctx, span, true
}

// Sampled reports whether the span of ctx is sampled, so that its children
// are recorded.
func Sampled(ctx context.Context) bool {
	return trace.SpanContextFromContext(ctx).IsSampled()
}

type tracerKey struct {
	provider trace.TracerProvider
	scope    string
}

// tracers keeps each provider's tracer of each scope: the SDK's Tracer
// builds its scope and takes a lock at every call.
var tracers sync.Map

func tracer(provider trace.TracerProvider, scope string) trace.Tracer {
	key := tracerKey{provider, scope}
	if t, ok := tracers.Load(key); ok {
		return t.(trace.Tracer)
	}
	t, _ := tracers.LoadOrStore(key, provider.Tracer(scope))
	return t.(trace.Tracer)
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
