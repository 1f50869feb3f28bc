package telemetry

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// TestTracingIsOnOnlyWithAnEndpoint: OpenTelemetry's variables decide;
// what this build cannot export stops the start, naming the variable.
func TestTracingIsOnOnlyWithAnEndpoint(t *testing.T) {
	for _, c := range []struct {
		env map[string]string
		on  bool
	}{
		{nil, false},
		{map[string]string{"OTEL_SERVICE_NAME": "x"}, false},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, true},
		{map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, true},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"}, true},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_EXPORTER": "none"}, false},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "TRUE"}, false},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/protobuf", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, true},
	} {
		on, err := tracingOn(func(k string) string { return c.env[k] })
		require.NoError(t, err, "%v", c.env)
		assert.Equal(t, c.on, on, "%v", c.env)
	}
	for name, env := range map[string]map[string]string{
		"OTEL_TRACES_EXPORTER":        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_EXPORTER": "zipkin"},
		"OTEL_EXPORTER_OTLP_PROTOCOL": {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
	} {
		_, err := tracingOn(func(k string) string { return env[k] })
		assert.ErrorContains(t, err, name+":")
	}
}

// TestTheSamplerComesFromOTELVariables: OpenTelemetry's names and their
// defaults; what cannot be honoured names its variable.
func TestTheSamplerComesFromOTELVariables(t *testing.T) {
	for _, c := range []struct {
		sampler, arg string
		want         sampling
	}{
		{"", "", sampling{roots{1 << 63}, true}},
		{"always_off", "", sampling{roots{0}, false}},
		{"parentbased_traceidratio", "0.1", sampling{ratioRoots(0.1), true}},
		{"TraceIDRatio", "", sampling{roots{1 << 63}, false}},
		{"parentbased_always_off", "", sampling{roots{0}, true}},
	} {
		s, err := samplingFromEnv(func(k string) string {
			return map[string]string{"OTEL_TRACES_SAMPLER": c.sampler, "OTEL_TRACES_SAMPLER_ARG": c.arg}[k]
		})
		require.NoError(t, err, c.sampler)
		assert.Equal(t, c.want, s, c.sampler)
	}
	for name, env := range map[string]map[string]string{
		"OTEL_TRACES_SAMPLER":     {"OTEL_TRACES_SAMPLER": "jaeger_remote"},
		"OTEL_TRACES_SAMPLER_ARG": {"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "1.5"},
	} {
		_, err := samplingFromEnv(func(k string) string { return env[k] })
		assert.ErrorContains(t, err, name+":")
	}
}

// TestATraceIDDecidedBeforeTheSpanIsTheSpans: the id Handler sampled on is
// the one its span gets.
func TestATraceIDDecidedBeforeTheSpanIsTheSpans(t *testing.T) {
	r := newRecorder(sampling{roots: roots{1 << 63}, parentBased: true}, sdktrace.NewSpanLimits(), nil)
	id := newTraceID()
	require.True(t, id.IsValid())
	_, s, _ := r.Tracer("t").(*tracer).start(context.Background(), trace.SpanContext{}, id, "GET /", trace.SpanKindServer, time.Time{})
	require.NotNil(t, s)
	assert.Equal(t, id, s.SpanContext().TraceID())
	assert.True(t, s.SpanContext().SpanID().IsValid())
	assert.True(t, s.SpanContext().IsSampled())
}

// TestARequestSpanIsNamedAfterItsRouteOnly: a route's span is named by
// method and path; any other path by its method, and an unknown method's
// by "HTTP", so that names stay few whatever a client sends.
func TestARequestSpanIsNamedAfterItsRouteOnly(t *testing.T) {
	for _, c := range []struct {
		method, path, name string
		route              bool
	}{
		{"POST", "/query", "POST /query", true},
		{"GET", "/healthz", "GET /healthz", true},
		{"PATCH", "/query", "PATCH /query", true},
		{"GET", "/", "GET /", true},
		{"GET", "/wp-admin/x", "GET", false},
		{"BREW", "/pot", "HTTP", false},
		{"BREW", "/query", "HTTP", true},
		{"get", "/query", "HTTP", true}, // methods are case-sensitive
	} {
		name, route := requestSpanName(spanMethod(c.method), c.path)
		assert.Equal(t, c.name, name, c.path)
		assert.Equal(t, c.route, route, c.path)
	}
}

// sdkSampler is the SDK's sampler of an OTEL_TRACES_SAMPLER name, as
// OpenTelemetry specifies them: the oracle of the tests below.
func sdkSampler(t *testing.T, name, arg string) sdktrace.Sampler {
	ratio := 1.0
	if arg != "" {
		var err error
		ratio, err = strconv.ParseFloat(arg, 64)
		require.NoError(t, err)
	}
	root, parentBased := strings.CutPrefix(name, "parentbased_")
	if name == "" {
		root, parentBased = "always_on", true
	}
	s := map[string]sdktrace.Sampler{"always_on": sdktrace.AlwaysSample(), "always_off": sdktrace.NeverSample(),
		"traceidratio": sdktrace.TraceIDRatioBased(ratio)}[root]
	require.NotNil(t, s, name)
	if parentBased {
		return sdktrace.ParentBased(s)
	}
	return s
}

// TestSamplingDecidesAsTheSDKSamplers: the recorder's decision, and the
// rule Handler decides new traces by, give the SDK sampler's own answer,
// for every sampler, ratios at and near the edges, with no parent and
// with each kind of parent, on random ids and on the ids either side of a
// ratio's bound.
func TestSamplingDecidesAsTheSDKSamplers(t *testing.T) {
	names := []string{"", "parentbased_always_on", "parentbased_always_off", "always_on", "always_off", "traceidratio", "parentbased_traceidratio"}
	ratios := []string{"", "0", "1e-9", "0.02", "0.1", "0.5", "0.999999", "1"}
	parents := []trace.SpanContext{{}}
	for _, remote := range []bool{false, true} {
		for _, flags := range []trace.TraceFlags{0, trace.FlagsSampled} {
			parents = append(parents, trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2},
				TraceFlags: flags, Remote: remote}))
		}
	}
	for _, name := range names {
		for _, arg := range ratios {
			sampler := sdkSampler(t, name, arg)
			s, err := samplingFromEnv(func(k string) string {
				return map[string]string{"OTEL_TRACES_SAMPLER": name, "OTEL_TRACES_SAMPLER_ARG": arg}[k]
			})
			require.NoError(t, err)
			lows := []uint64{0, 1, 1<<64 - 1, 1 << 63}
			if b := s.roots.bound; b > 0 && b < 1<<63 {
				lows = append(lows, (b-1)<<1, (b-1)<<1|1, b<<1, b<<1|1) // the last sampled, the first not
			}
			for range 1000 {
				lows = append(lows, rand.Uint64())
			}
			sampledAny := false
			for _, parent := range parents {
				ctx := trace.ContextWithSpanContext(context.Background(), parent)
				for _, low := range lows {
					id := traceIDWith(low)
					res := sampler.ShouldSample(sdktrace.SamplingParameters{ParentContext: ctx, TraceID: id, Name: "/query", Kind: trace.SpanKindServer})
					want := res.Decision == sdktrace.RecordAndSample
					require.Equal(t, want, s.sampled(parent, id), "%s %s parent %v low %x", name, arg, parent, low)
					if !parent.IsValid() {
						require.Equal(t, want, s.roots.sampled(low), "%s %s low %x", name, arg, low)
					}
					sampledAny = sampledAny || want
				}
			}
			if arg == "0.5" && strings.Contains(name, "ratio") {
				assert.True(t, sampledAny, "%s %s", name, arg)
			}
		}
	}
}

// TestATraceIDKeepsItsLowHalf: the id Handler decided on is the one made,
// and its high half is drawn too: a W3C trace id is 16 random bytes.
func TestATraceIDKeepsItsLowHalf(t *testing.T) {
	for _, low := range []uint64{0, 1, 1<<64 - 1, 0x0123456789abcdef} {
		id, again := traceIDWith(low), traceIDWith(low)
		require.True(t, id.IsValid())
		assert.Equal(t, low, binary.BigEndian.Uint64(id[8:]))
		assert.NotEqual(t, id[:8], again[:8], "the high half is drawn each time")
		assert.NotEqual(t, make([]byte, 8), id[:8], "the high half is drawn")
	}
}
