package telemetry

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/trace"
)

// Handler decides whether a request that starts a trace (no traceparent)
// is sampled before any span exists, so that an unsampled one costs no
// span, no context and no allocation: it draws the low 8 bytes of the
// trace id, applies the rule of the sampler's root to them (roots, the
// test TraceIDRatioBased applies), and only when they are sampled draws
// the rest of the id and starts the span, which the recorder decides
// again on that id by the same rule (sampling, in recorder.go).

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

// samplingFromEnv reads OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG as
// OpenTelemetry specifies them, refusing a value it cannot honour, naming
// the variable (the SDK would log it and sample everything).
func samplingFromEnv(getenv func(string) string) (sampling, error) {
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
	root, parentBased := strings.CutPrefix(name, "parentbased_")
	if name == "" {
		root, parentBased = "always_on", true
	}
	switch root {
	case "always_on":
		return sampling{ratioRoots(1), parentBased}, nil
	case "always_off":
		return sampling{ratioRoots(0), parentBased}, nil
	case "traceidratio":
		r, err := ratio()
		if err != nil {
			return sampling{}, err
		}
		return sampling{ratioRoots(r), parentBased}, nil
	}
	return sampling{}, fmt.Errorf("OTEL_TRACES_SAMPLER: want always_on, always_off, traceidratio or their parentbased_ forms, got %q", name)
}

// newTraceID, traceIDWith and newSpanID draw from math/rand/v2's generator
// (ChaCha8, seeded by the runtime), never zero, as W3C trace context
// requires.
func newTraceID() trace.TraceID { return traceIDWith(rand.Uint64()) }

// traceIDWith is a trace id whose low 8 bytes are low, its high 8 drawn.
func traceIDWith(low uint64) trace.TraceID {
	var id trace.TraceID
	binary.BigEndian.PutUint64(id[8:], low)
	for {
		binary.BigEndian.PutUint64(id[:8], rand.Uint64())
		if id.IsValid() {
			return id
		}
	}
}

func newSpanID() trace.SpanID {
	var id trace.SpanID
	for !id.IsValid() {
		binary.BigEndian.PutUint64(id[:], rand.Uint64())
	}
	return id
}
