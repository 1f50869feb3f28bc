package app_test

import (
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/faultline/faultline/internal/streamtest"
	"github.com/faultline/faultline/internal/testserver"
)

// receiver is an OTLP/HTTP trace receiver: it decodes every
// ExportTraceServiceRequest posted to /v1/traces and keeps its spans.
type receiver struct {
	*httptest.Server
	mu      sync.Mutex
	spans   []*tracepb.Span
	scopes  map[string]string // the instrumentation scope's name, by span id
	service []string          // service.name of each batch
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{scopes: map[string]string{}}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != "/v1/traces" || req.Header.Get("Content-Type") != "application/x-protobuf" {
			http.Error(w, "not OTLP/HTTP traces", http.StatusBadRequest)
			return
		}
		body, err := io.ReadAll(req.Body)
		var export coltrace.ExportTraceServiceRequest
		if err == nil {
			err = proto.Unmarshal(body, &export)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		for _, rs := range export.GetResourceSpans() {
			for _, a := range rs.GetResource().GetAttributes() {
				if a.GetKey() == "service.name" {
					r.service = append(r.service, a.GetValue().GetStringValue())
				}
			}
			for _, ss := range rs.GetScopeSpans() {
				r.spans = append(r.spans, ss.GetSpans()...)
				for _, s := range ss.GetSpans() {
					r.scopes[string(s.GetSpanId())] = ss.GetScope().GetName()
				}
			}
		}
		r.mu.Unlock()
		out, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(out)
	}))
	t.Cleanup(r.Close)
	return r
}

// trace returns the spans of the trace id (hex) received so far.
func (r *receiver) trace(id string) []*tracepb.Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*tracepb.Span
	for _, s := range r.spans {
		if hex.EncodeToString(s.GetTraceId()) == id {
			out = append(out, s)
		}
	}
	return out
}

// scope is the name of the instrumentation scope s came in.
func (r *receiver) scope(s *tracepb.Span) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.scopes[string(s.GetSpanId())]
}

// waitFor waits until the trace id has n spans, and returns them by name.
func (r *receiver) waitFor(t *testing.T, id string, n int) map[string]*tracepb.Span {
	t.Helper()
	require.Eventually(t, func() bool { return len(r.trace(id)) >= n }, 10*time.Second, 20*time.Millisecond,
		"%d spans of trace %s", n, id)
	byName := map[string]*tracepb.Span{}
	for _, s := range r.trace(id) {
		byName[s.GetName()] = s
	}
	return byName
}

func attrs(s *tracepb.Span) map[string]any {
	m := map[string]any{}
	for _, a := range s.GetAttributes() {
		switch v := a.GetValue(); {
		case v.GetStringValue() != "":
			m[a.GetKey()] = v.GetStringValue()
		default:
			m[a.GetKey()] = v.GetIntValue()
		}
	}
	return m
}

// traced starts a faultline whose spans go to a fresh receiver, as
// OpenTelemetry's variables ask.
func traced(t *testing.T, opts ...testserver.Option) (*testserver.Server, *receiver) {
	r := newReceiver(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", r.URL)
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "20") // milliseconds: export soon
	t.Setenv("OTEL_SERVICE_NAME", "faultline-under-test")
	return testserver.Start(t, opts...), r
}

const (
	incomingTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	incomingSpan  = "00f067aa0ba902b7"
)

// TestATraceparentIsContinuedThroughEveryLayer: with OTEL_EXPORTER_OTLP_ENDPOINT
// set, a request carrying a W3C traceparent exports three levels of spans
// in its trace, each the child of the one above: the request's (child of
// the caller's span), the operation's and the store call's; the operation's
// carries its error's code and type, and the log line the trace id.
func TestATraceparentIsContinuedThroughEveryLayer(t *testing.T) {
	srv, r := traced(t)
	res := srv.Query(t, `query Lookup { product(id: "nope") { id } }`, nil,
		"traceparent", "00-"+incomingTrace+"-"+incomingSpan+"-01")
	require.Equal(t, "RESOURCE_NOT_FOUND", res.Error(t).Extensions.Type)

	spans := r.waitFor(t, incomingTrace, 3)
	httpSpan, op, call := spans["POST /query"], spans["query Lookup"], spans["store.ProductByID"]
	require.NotNil(t, httpSpan, "the request's span: %v", spans)
	require.NotNil(t, op, "the operation's span: %v", spans)
	require.NotNil(t, call, "the store call's span: %v", spans)

	assert.Equal(t, incomingSpan, hex.EncodeToString(httpSpan.GetParentSpanId()), "the caller's span is the parent")
	assert.Equal(t, httpSpan.GetSpanId(), op.GetParentSpanId())
	assert.Equal(t, op.GetSpanId(), call.GetParentSpanId())
	assert.Equal(t, tracepb.Span_SPAN_KIND_SERVER, httpSpan.GetKind())
	assert.Equal(t, tracepb.Span_SPAN_KIND_CLIENT, call.GetKind())
	assert.Equal(t, "github.com/faultline/faultline/telemetry", r.scope(httpSpan), "each layer's spans are its own scope's")
	assert.Equal(t, "github.com/faultline/faultline/operation", r.scope(op))
	assert.Equal(t, "github.com/faultline/faultline/store", r.scope(call))

	assert.Equal(t, int64(200), attrs(httpSpan)["http.response.status_code"])
	assert.Equal(t, "/query", attrs(httpSpan)["http.route"])
	assert.Equal(t, "query", attrs(op)["graphql.operation.type"])
	assert.Equal(t, "Lookup", attrs(op)["graphql.operation.name"])
	assert.Equal(t, "NOT_FOUND", attrs(op)["faultline.error.code"])
	assert.Equal(t, "RESOURCE_NOT_FOUND", attrs(op)["faultline.error.type"])
	assert.Equal(t, tracepb.Status_STATUS_CODE_UNSET, op.GetStatus().GetCode(), "a 4xx is the client's, not a failed span")
	assert.Equal(t, "ProductByID", attrs(call)["db.operation.name"])
	assert.NotEmpty(t, attrs(call)["db.system.name"])
	assert.NotContains(t, attrs(call), "faultline.error.type", "the store found nothing, which is no error")

	assert.Equal(t, incomingTrace, logLine(t, srv, res.Header.Get("X-Request-ID"))["trace_id"])
	r.mu.Lock()
	assert.Contains(t, r.service, "faultline-under-test", "OTEL_SERVICE_NAME names the service")
	r.mu.Unlock()
}

// TestAFailedStoreCallMarksItsSpans: a store call that fails with
// DATABASE_UNAVAILABLE (503) is an errored span (status Error, code and
// type), and so is its operation's span.
func TestAFailedStoreCallMarksItsSpans(t *testing.T) {
	srv, r := traced(t)
	require.NoError(t, srv.App.DB.Close())
	trace := "0af7651916cd43dd8448eb211c80319c"
	res := srv.Query(t, `{ product(id: "p1") { id } }`, nil, "traceparent", "00-"+trace+"-b7ad6b7169203331-01")
	require.Equal(t, "DATABASE_UNAVAILABLE", res.Error(t).Extensions.Type)

	spans := r.waitFor(t, trace, 3)
	for _, name := range []string{"query", "store.ProductByID"} {
		s := spans[name]
		require.NotNil(t, s, "%s in %v", name, spans)
		assert.Equal(t, tracepb.Status_STATUS_CODE_ERROR, s.GetStatus().GetCode(), name)
		assert.Equal(t, "SERVICE_UNAVAILABLE", attrs(s)["faultline.error.code"], name)
		assert.Equal(t, "DATABASE_UNAVAILABLE", attrs(s)["faultline.error.type"], name)
	}
}

// TestARequestRefusedBeforeParsingIsTraced: a request that never becomes an
// operation (here 415) has its request span alone, carrying the error; a
// request without traceparent starts a trace of its own.
func TestARequestRefusedBeforeParsingIsTraced(t *testing.T) {
	srv, r := traced(t)
	res := srv.Post(t, []byte(`{}`), "Content-Type", "text/plain")
	require.Equal(t, http.StatusUnsupportedMediaType, res.Status)
	id, ok := logLine(t, srv, res.Header.Get("X-Request-ID"))["trace_id"].(string)
	require.True(t, ok, "the log line names the trace")

	spans := r.waitFor(t, id, 1)
	require.Len(t, spans, 1, "no operation ran: %v", spans)
	s := spans["POST /query"]
	require.NotNil(t, s)
	assert.Empty(t, s.GetParentSpanId(), "a root span: nothing came in to continue")
	assert.Equal(t, int64(415), attrs(s)["http.response.status_code"])
	assert.Equal(t, "BAD_REQUEST", attrs(s)["faultline.error.code"])
	assert.Equal(t, "UNSUPPORTED_MEDIA_TYPE", attrs(s)["faultline.error.type"])
}

// TestAnUnsampledTraceparentRecordsNothing: the default sampler follows the
// caller's decision, so a traceparent whose sampled flag is off exports no
// span, and the log line has no trace id.
func TestAnUnsampledTraceparentRecordsNothing(t *testing.T) {
	srv, r := traced(t)
	trace := "11111111111111111111111111111111"
	res := srv.Query(t, `{ products(first: 1) { edges { cursor } } }`, nil, "traceparent", "00-"+trace+"-2222222222222222-00")
	require.Empty(t, res.Body.Errors)
	sampled := srv.Query(t, `{ __typename }`, nil) // a sampled request after it, to know the exporter has flushed
	id := logLine(t, srv, sampled.Header.Get("X-Request-ID"))["trace_id"].(string)
	r.waitFor(t, id, 2)
	assert.Empty(t, r.trace(trace))
	assert.NotContains(t, logLine(t, srv, res.Header.Get("X-Request-ID")), "trace_id")
}

// TestWithoutOTELVariablesNothingIsTraced: tracing is off by default; a
// traceparent changes nothing and the log line has no trace id.
func TestWithoutOTELVariablesNothingIsTraced(t *testing.T) {
	srv := testserver.Start(t)
	res := srv.Query(t, `{ __typename }`, nil, "traceparent", "00-"+incomingTrace+"-"+incomingSpan+"-01")
	require.Empty(t, res.Body.Errors)
	assert.NotContains(t, logLine(t, srv, res.Header.Get("X-Request-ID")), "trace_id")
}

// TestTheSamplerDecidesNewTraces: with a ratio of 0 for new traces, a
// request without traceparent records nothing, while a caller's sampled
// trace is still continued (parentbased_traceidratio).
func TestTheSamplerDecidesNewTraces(t *testing.T) {
	t.Setenv("OTEL_TRACES_SAMPLER", "parentbased_traceidratio")
	t.Setenv("OTEL_TRACES_SAMPLER_ARG", "0")
	srv, r := traced(t)
	res := srv.Query(t, `{ __typename }`, nil)
	require.Empty(t, res.Body.Errors)
	assert.NotContains(t, logLine(t, srv, res.Header.Get("X-Request-ID")), "trace_id", "not sampled")

	res = srv.Query(t, `{ __typename }`, nil, "traceparent", "00-"+incomingTrace+"-"+incomingSpan+"-01")
	require.Empty(t, res.Body.Errors)
	assert.Equal(t, incomingTrace, logLine(t, srv, res.Header.Get("X-Request-ID"))["trace_id"])
	spans := r.waitFor(t, incomingTrace, 2)
	assert.Contains(t, spans, "POST /query")
	assert.Contains(t, spans, "query")
	r.mu.Lock()
	assert.Len(t, r.spans, 2, "the unsampled request exported nothing")
	r.mu.Unlock()
}

// TestASubscriptionIsTracedBeyondItsUpgrade: a WebSocket's request span
// ends at the upgrade (status 101); the subscription's operation span is
// its child, and lasts until the subscription ends.
func TestASubscriptionIsTracedBeyondItsUpgrade(t *testing.T) {
	srv, r := traced(t)
	user := newShopper(t, srv, "traced@example.com")
	c := streamtest.Dial(t, srv.URL, http.Header{"traceparent": {"00-" + incomingTrace + "-" + incomingSpan + "-01"}})
	c.Init(streamtest.Bearer(user.token))
	c.Send(streamtest.Message{ID: "w", Type: "subscribe", Payload: json.RawMessage(`{"query": "subscription Follow { walletUpdated { currency } }"}`)})
	var w wallet
	next(t, c, "w", "walletUpdated", &w)

	upgrade := r.waitFor(t, incomingTrace, 1)["GET /query"]
	require.NotNil(t, upgrade, "the request's span ends at the upgrade, while the subscription runs")
	assert.Equal(t, int64(http.StatusSwitchingProtocols), attrs(upgrade)["http.response.status_code"])
	time.Sleep(100 * time.Millisecond)
	assert.Nil(t, r.waitFor(t, incomingTrace, 1)["subscription Follow"], "the subscription's span is still open")

	c.Complete("w")
	require.Equal(t, kind("w", "complete"), func() string { m := c.Next(); return kind(m.ID, m.Type) }())
	var op *tracepb.Span
	require.Eventually(t, func() bool {
		op = r.waitFor(t, incomingTrace, 1)["subscription Follow"]
		return op != nil
	}, 10*time.Second, 20*time.Millisecond, "the subscription's span, once it ended")
	assert.Equal(t, upgrade.GetSpanId(), op.GetParentSpanId())
	assert.Greater(t, op.GetEndTimeUnixNano(), upgrade.GetEndTimeUnixNano())
}

// TestSpansStillBufferedAreSentOnClose: spans waiting for the schedule
// (OTEL_BSP_SCHEDULE_DELAY a minute) leave when the app closes.
func TestSpansStillBufferedAreSentOnClose(t *testing.T) {
	r := newReceiver(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", r.URL)
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "60000")
	srv := testserver.Start(t)
	trace := "5b8efff798038103d269b633813fc60c"
	srv.Query(t, `{ products(first: 1) { edges { node { id } } } }`, nil, "traceparent", "00-"+trace+"-eee19b7ec3c1b174-01")
	time.Sleep(100 * time.Millisecond)
	require.Empty(t, r.trace(trace), "nothing sent before the schedule")

	require.NoError(t, srv.App.Close())
	spans := r.trace(trace)
	names := make([]string, 0, len(spans))
	for _, s := range spans {
		names = append(names, s.GetName())
	}
	assert.Contains(t, names, "POST /query")
	assert.Contains(t, names, "query")
}

// TestAClientCannotSwellASpan: what a client chooses — an operation name
// as long as the body allows, an unknown method, a long path — reaches a
// span bounded, since spans wait in memory for their export.
func TestAClientCannotSwellASpan(t *testing.T) {
	srv, r := traced(t)
	long := "Q" + strings.Repeat("x", 100_000)
	const named, odd, path = "1bf92f3577b34da6a3ce929d0e0e4736", "2bf92f3577b34da6a3ce929d0e0e4736", "3bf92f3577b34da6a3ce929d0e0e4736"
	parent := func(id string) string { return "00-" + id + "-00f067aa0ba902b7-01" }
	srv.Query(t, "query "+long+" { products(first: 1) { edges { node { id } } } }", nil, "traceparent", parent(named))

	req, err := http.NewRequest(strings.Repeat("BREW", 1000), srv.URL+"/query", nil)
	require.NoError(t, err)
	req.Header.Set("traceparent", parent(odd))
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = res.Body.Close()
	req, err = http.NewRequest(http.MethodGet, srv.URL+"/"+strings.Repeat("p", 5000), nil)
	require.NoError(t, err)
	req.Header.Set("traceparent", parent(path))
	res, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = res.Body.Close()

	var op *tracepb.Span
	for _, s := range r.waitFor(t, named, 2) {
		if strings.HasPrefix(s.GetName(), "query ") {
			op = s
		}
	}
	require.NotNil(t, op)
	assert.Equal(t, "query "+long[:128], op.GetName())
	assert.Equal(t, long[:128], attrs(op)["graphql.operation.name"])

	brew := r.waitFor(t, odd, 1)["HTTP"]
	require.NotNil(t, brew, "an unknown method's span is named HTTP")
	assert.Equal(t, "_OTHER", attrs(brew)["http.request.method"])
	assert.Equal(t, "/query", attrs(brew)["http.route"])

	got := r.waitFor(t, path, 1)["GET"]
	require.NotNil(t, got)
	assert.Len(t, attrs(got)["url.path"], 256)
	assert.NotContains(t, attrs(got), "http.route")
}
