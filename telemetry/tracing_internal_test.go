package telemetry

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"strings"
	"testing"

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
	for _, c := range []struct{ sampler, arg, want string }{
		{"", "", "ParentBased{root:AlwaysOnSampler,"},
		{"always_off", "", "AlwaysOffSampler"},
		{"parentbased_traceidratio", "0.1", "ParentBased{root:TraceIDRatioBased{0.1},"},
		{"TraceIDRatio", "", "TraceIDRatioBased{1}"},
		{"parentbased_always_off", "", "ParentBased{root:AlwaysOffSampler,"},
	} {
		s, _, err := samplerFromEnv(func(k string) string {
			return map[string]string{"OTEL_TRACES_SAMPLER": c.sampler, "OTEL_TRACES_SAMPLER_ARG": c.arg}[k]
		})
		require.NoError(t, err, c.sampler)
		assert.Contains(t, s.Description(), c.want, c.sampler)
	}
	for name, env := range map[string]map[string]string{
		"OTEL_TRACES_SAMPLER":     {"OTEL_TRACES_SAMPLER": "jaeger_remote"},
		"OTEL_TRACES_SAMPLER_ARG": {"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "1.5"},
	} {
		_, _, err := samplerFromEnv(func(k string) string { return env[k] })
		assert.ErrorContains(t, err, name+":")
	}
}

// TestATraceIDDecidedBeforeTheSpanIsTheSpans: the id Handler sampled on is
// the one the provider gives the span.
func TestATraceIDDecidedBeforeTheSpanIsTheSpans(t *testing.T) {
	id := newTraceID()
	require.True(t, id.IsValid())
	got, span := ids{}.NewIDs(withTraceID(context.Background(), id))
	assert.Equal(t, id, got)
	assert.True(t, span.IsValid())
	other, _ := ids{}.NewIDs(context.Background())
	assert.NotEqual(t, id, other)
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

// TestRootsDecideAsTheSampler: for a trace without a parent, the rule
// Handler decides by gives the SDK sampler's own answer, for every sampler
// and ratios at and near the edges, on random ids and on the ids either
// side of a ratio's bound.
func TestRootsDecideAsTheSampler(t *testing.T) {
	names := []string{"", "parentbased_always_on", "parentbased_always_off", "always_on", "always_off", "traceidratio", "parentbased_traceidratio"}
	ratios := []string{"", "0", "1e-9", "0.02", "0.1", "0.5", "0.999999", "1"}
	for _, name := range names {
		for _, arg := range ratios {
			sampler, roots, err := samplerFromEnv(func(k string) string {
				return map[string]string{"OTEL_TRACES_SAMPLER": name, "OTEL_TRACES_SAMPLER_ARG": arg}[k]
			})
			require.NoError(t, err)
			lows := []uint64{0, 1, 1<<64 - 1, 1 << 63}
			if b := roots.bound; b > 0 && b < 1<<63 {
				lows = append(lows, (b-1)<<1, (b-1)<<1|1, b<<1, b<<1|1) // the last sampled, the first not
			}
			for range 2000 {
				lows = append(lows, rand.Uint64())
			}
			sampledAny := false
			for _, low := range lows {
				id := traceIDWith(low)
				res := sampler.ShouldSample(sdktrace.SamplingParameters{ParentContext: context.Background(), TraceID: id, Name: "/query", Kind: trace.SpanKindServer})
				want := res.Decision == sdktrace.RecordAndSample
				require.Equal(t, want, roots.sampled(low), "%s %s low %x", name, arg, low)
				sampledAny = sampledAny || want
			}
			if arg == "0.5" && strings.Contains(name, "ratio") {
				assert.True(t, sampledAny, "%s %s", name, arg)
			}
		}
	}
}

// TestATraceIDKeepsItsLowHalf: the id Handler decided on is the one made.
func TestATraceIDKeepsItsLowHalf(t *testing.T) {
	for _, low := range []uint64{0, 1, 1<<64 - 1, 0x0123456789abcdef} {
		id := traceIDWith(low)
		require.True(t, id.IsValid())
		assert.Equal(t, low, binary.BigEndian.Uint64(id[8:]))
	}
}
