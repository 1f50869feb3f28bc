package store

import (
	"context"
	"runtime"
	"strings"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/faultline/faultline/internal/spans"
)

// tracerScope is the tracer of store spans.
var tracerScope = spans.NewScope("github.com/faultline/faultline/store")

// startSpan starts the span of one store call (see call) when the request
// is traced, named after the exported method of DB that was called
// ("store.PlaceOrder"); otherwise it returns ctx and nil, allocating nothing.
func (db *DB) startSpan(ctx context.Context) (context.Context, trace.Span) {
	if !spans.Sampled(ctx) { // as Start decides, before the call site is resolved
		return ctx, nil
	}
	site := calledMethod()
	ctx, span, _ := tracerScope.Start(ctx, site.span, clientSpan...)
	span.SetAttributes(db.engine.system, site.operation)
	return ctx, span
}

var clientSpan = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient)}

// callSite is what the spans of one store method share.
type callSite struct {
	span      string             // "store.PlaceOrder"
	operation attribute.KeyValue // db.operation.name
}

// calledMethod is the name of the first exported method of DB on the
// stack above call: the store call itself, whichever helper (exec, say)
// reached call for it. It is read only for a traced request, and resolved
// once per call site (calledAt).
func calledMethod() callSite {
	var pcs [8]uintptr
	n := runtime.Callers(4, pcs[:]) // from the caller of call: 0 is Callers, 1 this, 2 startSpan, 3 call
	key := [2]uintptr{pcs[0], pcs[1]}
	if site, ok := calledAt.Load(key); ok {
		return site.(callSite)
	}
	name := "call"
	frames := runtime.CallersFrames(pcs[:n])
	for {
		frame, more := frames.Next()
		if _, method, ok := strings.Cut(frame.Function, ".(*DB)."); ok && method != "" && method[0] >= 'A' && method[0] <= 'Z' {
			name = method
			break
		}
		if !more {
			break
		}
	}
	site := callSite{span: "store." + name, operation: semconv.DBOperationName(name)}
	calledAt.Store(key, site)
	return site
}

// calledAt caches calledMethod by call site: the return addresses of the
// caller of call and of its caller, which tell a helper's callers apart.
var calledAt sync.Map
