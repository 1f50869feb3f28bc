package store

import (
	"context"
	"runtime"
	"strings"

	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/faultline/faultline/internal/spans"
)

// tracerScope names the tracer of store spans.
const tracerScope = "github.com/faultline/faultline/store"

// startSpan starts the span of one store call (see call) when the request
// is traced, named after the exported method of DB that was called
// ("store.PlaceOrder"); otherwise it returns ctx and nil, allocating nothing.
func (db *DB) startSpan(ctx context.Context) (context.Context, trace.Span) {
	if !trace.SpanFromContext(ctx).IsRecording() {
		return ctx, nil
	}
	method := calledMethod()
	ctx, span, _ := spans.Start(ctx, tracerScope, "store."+method,
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(db.engine.system, semconv.DBOperationName(method)))
	return ctx, span
}

// calledMethod is the name of the first exported method of DB on the
// stack above call: the store call itself, whichever helper (exec, say)
// reached call for it. The stack is read only for a traced request.
func calledMethod() string {
	var pcs [8]uintptr
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs[:])])
	for {
		frame, more := frames.Next()
		if _, method, ok := strings.Cut(frame.Function, ".(*DB)."); ok && method != "" && method[0] >= 'A' && method[0] <= 'Z' {
			return method
		}
		if !more {
			return "call"
		}
	}
}
