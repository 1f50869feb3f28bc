package telemetry

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// collector is an OTLP/HTTP receiver keeping each export it decodes.
type collector struct {
	*httptest.Server
	mu      sync.Mutex
	exports []*coltrace.ExportTraceServiceRequest
}

func newCollector(t *testing.T) *collector {
	c := &collector{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		var export coltrace.ExportTraceServiceRequest
		if err := proto.Unmarshal(body, &export); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		c.mu.Lock()
		c.exports = append(c.exports, &export)
		c.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	t.Cleanup(c.Close)
	return c
}

func (c *collector) take() []*coltrace.ExportTraceServiceRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.exports
	c.exports = nil
	return out
}

func (c *collector) client() otlptrace.Client {
	return otlptracehttp.NewClient(otlptracehttp.WithEndpointURL(c.URL+"/v1/traces"), otlptracehttp.WithRetry(otlptracehttp.RetryConfig{Enabled: false}))
}

// endedSpans are spans of two scopes with whatever OTLP can carry: every
// attribute type, a remote parent with a trace state, events, a link, an
// error status, an ok and an unset one, several kinds, and something
// dropped past each limit.
func endedSpans(t *testing.T) []sdktrace.ReadOnlySpan {
	rec := tracetest.NewSpanRecorder()
	res := resource.NewWithAttributes("https://opentelemetry.io/schemas/1.26.0",
		attribute.String("service.name", "faultline-test"), attribute.Int("pid", 7))
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec), sdktrace.WithResource(res),
		sdktrace.WithRawSpanLimits(sdktrace.SpanLimits{AttributeCountLimit: 15, EventCountLimit: 1, LinkCountLimit: 4,
			AttributeValueLengthLimit: -1, AttributePerEventCountLimit: 1, AttributePerLinkCountLimit: 8}))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })

	state, err := trace.ParseTraceState("vendor=value")
	require.NoError(t, err)
	remote := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1, 2, 3}, SpanID: trace.SpanID{4, 5, 6}, TraceFlags: trace.FlagsSampled,
		TraceState: state, Remote: true,
	})
	linked := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{9}, SpanID: trace.SpanID{8}})
	ctx := trace.ContextWithRemoteSpanContext(context.Background(), remote)

	server := tp.Tracer("scope/one", trace.WithInstrumentationVersion("1.2.3"),
		trace.WithSchemaURL("https://opentelemetry.io/schemas/1.26.0"),
		trace.WithInstrumentationAttributes(attribute.Bool("scoped", true)))
	ctx, root := server.Start(ctx, "root", trace.WithSpanKind(trace.SpanKindServer),
		trace.WithLinks(trace.Link{SpanContext: linked, Attributes: []attribute.KeyValue{attribute.String("why", "retry")}}),
		trace.WithAttributes(
			attribute.Bool("t", true), attribute.Bool("f", false), attribute.Int("zero", 0), attribute.Int64("neg", -42),
			attribute.Float64("pi", 3.25), attribute.Float64("fzero", 0), attribute.String("s", "ü"), attribute.String("empty", ""),
			attribute.BoolSlice("bs", []bool{true, false}), attribute.IntSlice("is", []int{1, -1, 0}),
			attribute.Float64Slice("fs", []float64{0.5}), attribute.StringSlice("ss", []string{"a", ""}),
			attribute.ByteSlice("bytes", []byte{0, 1}), attribute.Slice("mixed", attribute.IntValue(1), attribute.StringValue("x")),
			attribute.Map("m", attribute.String("k", "v"), attribute.Int("n", 2)), attribute.KeyValue{Key: "nothing"},
		))
	root.AddEvent("first") // beyond the event limit: counted as dropped
	root.AddEvent("second", trace.WithTimestamp(time.Unix(1, 5)), trace.WithAttributes(attribute.Int("a", 1), attribute.Int("b", 2)))
	_, child := tp.Tracer("scope/two").Start(ctx, "child", trace.WithSpanKind(trace.SpanKindClient))
	child.SetStatus(codes.Error, "it broke")
	child.End()
	_, ok := server.Start(ctx, "ok", trace.WithSpanKind(trace.SpanKindInternal))
	ok.SetStatus(codes.Ok, "")
	ok.End()
	root.End()

	spans := rec.Ended()
	require.Len(t, spans, 3)
	last := spans[2]
	require.Equal(t, "root", last.Name())
	require.Equal(t, []int{1, 1, 1}, []int{last.DroppedAttributes(), last.DroppedEvents(), last.Events()[0].DroppedAttributeCount},
		"something dropped past each limit")
	return spans
}

// TestSpansAreEncodedAsTheOTLPExporterEncodesThem: what the batcher
// sends is, message for message, what the SDK's OTLP exporter sends for
// the same spans (one difference: a link's trace state, which that
// exporter leaves out and OTLP has a field for).
func TestSpansAreEncodedAsTheOTLPExporterEncodesThem(t *testing.T) {
	spans := endedSpans(t)
	c := newCollector(t)
	ctx := context.Background()

	exporter, err := otlptrace.New(ctx, c.client())
	require.NoError(t, err)
	require.NoError(t, exporter.ExportSpans(ctx, spans))
	require.NoError(t, exporter.Shutdown(ctx))
	want := c.take()
	require.Len(t, want, 1)

	b := newBatcher(c.client(), spans[0].Resource(), batchOptions{scheduleDelay: time.Hour, exportTimeout: 5 * time.Second, maxQueue: 10, maxBatch: 10})
	for _, s := range spans {
		b.OnEnd(s)
	}
	require.NoError(t, b.ForceFlush(ctx))
	got := c.take()
	require.Len(t, got, 1)

	// The exporter's conversion gives each ScopeSpans message its scope in
	// the order spans came, as the batcher does.
	assert.True(t, proto.Equal(want[0], got[0]), "the SDK exporter's:\n%v\nthe batcher's:\n%v", want[0], got[0])
	require.NoError(t, b.Shutdown(ctx))
}

// TestTheBatcherExportsFullBatchesAndDropsPastItsQueue: a batch is sent
// once it holds OTEL_BSP_MAX_EXPORT_BATCH_SIZE spans, without waiting for
// the schedule; past OTEL_BSP_MAX_QUEUE_SIZE spans waiting, more are
// dropped and said so; Shutdown sends what is left and drops what ends
// later.
func TestTheBatcherExportsFullBatchesAndDropsPastItsQueue(t *testing.T) {
	spans := endedSpans(t)
	c := newCollector(t)
	b := newBatcher(c.client(), spans[0].Resource(), batchOptions{scheduleDelay: time.Hour, exportTimeout: 5 * time.Second, maxQueue: 4, maxBatch: 2})

	count := func(exports []*coltrace.ExportTraceServiceRequest) (n int) {
		for _, e := range exports {
			for _, rs := range e.GetResourceSpans() {
				for _, ss := range rs.GetScopeSpans() {
					n += len(ss.GetSpans())
				}
			}
		}
		return n
	}
	b.OnEnd(spans[0])
	b.OnEnd(spans[1]) // a full batch: sent by the loop
	var sent []*coltrace.ExportTraceServiceRequest
	require.Eventually(t, func() bool { sent = append(sent, c.take()...); return len(sent) == 1 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, 2, count(sent))
	require.NoError(t, b.Shutdown(context.Background()))

	// A batch that never fills: spans wait for the schedule (an hour) or a
	// flush, and beyond the queue's size they are dropped.
	b = newBatcher(c.client(), spans[0].Resource(), batchOptions{scheduleDelay: time.Hour, exportTimeout: 5 * time.Second, maxQueue: 4, maxBatch: 10})
	for range 6 {
		b.OnEnd(spans[2])
	}
	assert.Empty(t, c.take(), "nothing sent before the schedule")
	err := b.ForceFlush(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "2 spans dropped: more than OTEL_BSP_MAX_QUEUE_SIZE (4), or 8192 bytes of them, were waiting")
	assert.Equal(t, 4, count(c.take()))

	b.OnEnd(spans[0])
	require.NoError(t, b.Shutdown(context.Background()))
	assert.Equal(t, 1, count(c.take()), "Shutdown sends what is left")
	b.OnEnd(spans[1])
	require.NoError(t, b.Shutdown(context.Background()), "a second Shutdown does nothing")
	assert.Empty(t, c.take(), "a span ended after Shutdown is dropped")
}

// TestAFailedExportIsReportedAndFreesItsSpans: spans a collector refuses
// are reported and no longer count against the queue.
func TestAFailedExportIsReportedAndFreesItsSpans(t *testing.T) {
	spans := endedSpans(t)
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no", http.StatusBadRequest)
	}))
	t.Cleanup(refusing.Close)
	client := otlptracehttp.NewClient(otlptracehttp.WithEndpointURL(refusing.URL + "/v1/traces"))
	b := newBatcher(client, spans[0].Resource(), batchOptions{scheduleDelay: time.Hour, exportTimeout: 5 * time.Second, maxQueue: 4, maxBatch: 4})
	t.Cleanup(func() { _ = b.Shutdown(context.Background()) })
	for _, s := range spans {
		b.OnEnd(s)
	}
	err := b.ForceFlush(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "exporting 3 spans:")
	assert.Contains(t, err.Error(), "400 Bad Request")
	b.mu.Lock()
	defer b.mu.Unlock()
	assert.Zero(t, b.queued)
	assert.False(t, errors.Is(err, context.DeadlineExceeded))
}

// TestBatchingComesFromOTELVariables: OTEL_BSP_* with OpenTelemetry's
// defaults; a bad value names its variable.
func TestBatchingComesFromOTELVariables(t *testing.T) {
	o, err := batchOptionsFromEnv(func(string) string { return "" })
	require.NoError(t, err)
	assert.Equal(t, batchOptions{scheduleDelay: 5 * time.Second, exportTimeout: 30 * time.Second, maxQueue: 2048, maxBatch: 512}, o)

	env := map[string]string{"OTEL_BSP_SCHEDULE_DELAY": "20", "OTEL_BSP_EXPORT_TIMEOUT": " 1000 ",
		"OTEL_BSP_MAX_QUEUE_SIZE": "100", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "500"}
	o, err = batchOptionsFromEnv(func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, batchOptions{scheduleDelay: 20 * time.Millisecond, exportTimeout: time.Second, maxQueue: 100, maxBatch: 100}, o,
		"a batch no larger than the queue")

	for _, name := range []string{"OTEL_BSP_SCHEDULE_DELAY", "OTEL_BSP_EXPORT_TIMEOUT", "OTEL_BSP_MAX_QUEUE_SIZE", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE"} {
		for _, bad := range []string{"0", "-5", "5s"} {
			_, err := batchOptionsFromEnv(func(k string) string { return map[string]string{name: bad}[k] })
			assert.ErrorContains(t, err, name+": want a positive integer", bad)
		}
	}
}

// TestShutdownKeepsToItsDeadline: with the collector not answering, an
// export under way does not hold Shutdown past its context.
func TestShutdownKeepsToItsDeadline(t *testing.T) {
	spans := endedSpans(t)
	hung, arrived := make(chan struct{}), make(chan struct{}, 10)
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-hung:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(silent.Close)
	t.Cleanup(func() { close(hung) })
	client := otlptracehttp.NewClient(otlptracehttp.WithEndpointURL(silent.URL + "/v1/traces"))
	b := newBatcher(client, spans[0].Resource(), batchOptions{scheduleDelay: time.Hour, exportTimeout: time.Minute, maxQueue: 10, maxBatch: 1})
	b.OnEnd(spans[0]) // a full batch: the loop's export hangs
	select {
	case <-arrived:
	case <-time.After(5 * time.Second):
		t.Fatal("the loop's export never reached the collector")
	}
	b.OnEnd(spans[1])

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	began := time.Now()
	err := b.Shutdown(ctx)
	assert.Less(t, time.Since(began), 3*time.Second)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

// TestTheQueueIsBoundedInBytesToo: spans larger than the queue's byte
// budget allows are dropped, however few.
func TestTheQueueIsBoundedInBytesToo(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	_, big := tp.Tracer("t").Start(context.Background(), "big", trace.WithAttributes(attribute.String("blob", strings.Repeat("x", 3000))))
	big.End()
	_, small := tp.Tracer("t").Start(context.Background(), "small")
	small.End()
	spans := rec.Ended()
	c := newCollector(t)
	b := newBatcher(c.client(), spans[0].Resource(), batchOptions{scheduleDelay: time.Hour, exportTimeout: 5 * time.Second, maxQueue: 2, maxBatch: 10})
	t.Cleanup(func() { _ = b.Shutdown(context.Background()) })
	b.OnEnd(spans[0]) // 3000 bytes of 4096
	b.OnEnd(spans[0]) // over: dropped
	b.OnEnd(spans[1])
	err := b.ForceFlush(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "1 spans dropped")
	var names []string
	for _, e := range c.take() {
		for _, ss := range e.GetResourceSpans()[0].GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				names = append(names, s.GetName())
			}
		}
	}
	assert.Equal(t, []string{"big", "small"}, names)
}
