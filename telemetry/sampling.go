package telemetry

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Handler decides whether a request that starts a trace (no traceparent)
// is sampled before any span exists, so that an unsampled one costs no
// span, no context and no allocation: the SDK decides only inside Start,
// having made both. It decides by the rule of the sampler's root
// (roots), on the trace id the provider then uses (ids): the rule
// TraceIDRatioBased applies, which TestRootsDecideAsTheSampler holds to
// the SDK's answers. The provider's sampler decides again in Start on the
// same id, so that were they ever to differ, a request would go untraced,
// never half traced.

// roots decides a new trace (one without a parent) as the sampler's root
// does, from the low 8 bytes of its trace id: sampled when they, shifted
// right by one, are below bound. That is TraceIDRatioBased's test; 1<<63
// samples every trace (always_on, a ratio of 1) and 0 none.
type roots struct{ bound uint64 }

func (r roots) sampled(low uint64) bool { return low>>1 < r.bound }

// ratioRoots is TraceIDRatioBased(ratio)'s rule, its bound computed as the
// SDK computes it.
func ratioRoots(ratio float64) roots {
	switch {
	case ratio >= 1:
		return roots{1 << 63}
	case ratio <= 0:
		return roots{0}
	}
	return roots{uint64(ratio * (1 << 63))}
}

// samplerFromEnv reads OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG as
// OpenTelemetry specifies them, and the rule of the sampler's root. The
// SDK reads them too, but only inside NewTracerProvider, where Handler
// cannot reach the sampler; and this refuses a value it cannot honour,
// naming the variable, where the SDK logs it and samples everything.
func samplerFromEnv(getenv func(string) string) (sdktrace.Sampler, roots, error) {
	name := strings.ToLower(strings.TrimSpace(getenv("OTEL_TRACES_SAMPLER")))
	arg := strings.TrimSpace(getenv("OTEL_TRACES_SAMPLER_ARG"))
	ratio := func() (float64, error) {
		if arg == "" {
			return 1, nil
		}
		r, err := strconv.ParseFloat(arg, 64)
		if err != nil || r < 0 || r > 1 {
			return 0, fmt.Errorf("OTEL_TRACES_SAMPLER_ARG: want a ratio from 0 to 1, got %q", arg)
		}
		return r, nil
	}
	switch name {
	case "", "parentbased_always_on":
		return sdktrace.ParentBased(sdktrace.AlwaysSample()), ratioRoots(1), nil
	case "parentbased_always_off":
		return sdktrace.ParentBased(sdktrace.NeverSample()), ratioRoots(0), nil
	case "parentbased_traceidratio":
		r, err := ratio()
		if err != nil {
			return nil, roots{}, err
		}
		return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(r)), ratioRoots(r), nil
	case "always_on":
		return sdktrace.AlwaysSample(), ratioRoots(1), nil
	case "always_off":
		return sdktrace.NeverSample(), ratioRoots(0), nil
	case "traceidratio":
		r, err := ratio()
		if err != nil {
			return nil, roots{}, err
		}
		return sdktrace.TraceIDRatioBased(r), ratioRoots(r), nil
	}
	return nil, roots{}, fmt.Errorf("OTEL_TRACES_SAMPLER: want always_on, always_off, traceidratio or their parentbased_ forms, got %q", name)
}

// ids are the provider's trace and span ids: random, except the trace id
// Handler decided on before the span (withTraceID).
type ids struct{}

var _ sdktrace.IDGenerator = ids{}

type traceIDKey struct{}

func withTraceID(ctx context.Context, id trace.TraceID) context.Context {
	return context.WithValue(ctx, traceIDKey{}, id)
}

func (ids) NewIDs(ctx context.Context) (trace.TraceID, trace.SpanID) {
	id, ok := ctx.Value(traceIDKey{}).(trace.TraceID)
	if !ok {
		id = newTraceID()
	}
	return id, newSpanID()
}

func (ids) NewSpanID(context.Context, trace.TraceID) trace.SpanID { return newSpanID() }

// newTraceID, traceIDWith and newSpanID draw from math/rand/v2's generator
// (ChaCha8, seeded by the runtime), never zero, as W3C trace context
// requires.
func newTraceID() trace.TraceID { return traceIDWith(rand.Uint64()) }

// traceIDWith is a trace id whose low 8 bytes are low.
func traceIDWith(low uint64) trace.TraceID {
	var id trace.TraceID
	binary.BigEndian.PutUint64(id[8:], low)
	for !id.IsValid() {
		binary.BigEndian.PutUint64(id[:8], rand.Uint64())
	}
	return id
}

func newSpanID() trace.SpanID {
	var id trace.SpanID
	for !id.IsValid() {
		binary.BigEndian.PutUint64(id[:], rand.Uint64())
	}
	return id
}
