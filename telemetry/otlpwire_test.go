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

// someSpans makes spans of two scopes through tp with whatever OTLP can
// carry: every attribute type, a remote parent with a trace state, events,
// links, an error status, an ok and an unset one, several kinds, a panic,
// and something dropped past each limit of spanLimits (when limited).
// Every time is given but an exception event's.
func someSpans(tp trace.TracerProvider, limited bool) {
	state, _ := trace.ParseTraceState("vendor=value")
	remote := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1, 2, 3}, SpanID: trace.SpanID{4, 5, 6}, TraceFlags: trace.FlagsSampled,
		TraceState: state, Remote: true,
	})
	linked := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{9}, SpanID: trace.SpanID{8}, Remote: true})
	ctx := trace.ContextWithRemoteSpanContext(context.Background(), remote)
	at := func(n int64) trace.SpanEventOption { return trace.WithTimestamp(time.Unix(1700000000, n)) }

	server := tp.Tracer("scope/one", trace.WithInstrumentationVersion("1.2.3"),
		trace.WithSchemaURL("https://opentelemetry.io/schemas/1.26.0"),
		trace.WithInstrumentationAttributes(attribute.Bool("scoped", true)))
	ctx, root := server.Start(ctx, "root", trace.WithSpanKind(trace.SpanKindServer), at(1),
		trace.WithLinks(trace.Link{SpanContext: linked, Attributes: []attribute.KeyValue{attribute.String("why", "retry")}}),
		trace.WithAttributes(
			attribute.Bool("t", true), attribute.Bool("f", false), attribute.Int("zero", 0), attribute.Int64("neg", -42),
			attribute.Float64("pi", 3.25), attribute.Float64("fzero", 0), attribute.String("s", "ü"), attribute.String("empty", ""),
			attribute.BoolSlice("bs", []bool{true, false}), attribute.IntSlice("is", []int{1, -1, 0}),
			attribute.Float64Slice("fs", []float64{0.5}), attribute.StringSlice("ss", []string{"añb", "", "abcdef"}),
			attribute.ByteSlice("bytes", []byte{0, 1, 2, 3}), attribute.Slice("mixed", attribute.IntValue(1), attribute.BoolValue(true)),
			attribute.Map("m", attribute.Int("k", 1), attribute.Int("n", 2)), attribute.KeyValue{Key: "nothing"},
			attribute.String("long", "añbcdefgh"),
		))
	if limited { // invalid UTF-8 cut to a limit is mended; uncut, the SDK's exporter refuses it
		root.SetAttributes(attribute.String("bad", "a\xffbcdefgh"))
	}
	root.SetAttributes(attribute.Int("zero", 10), attribute.String("late", "x"), attribute.String("", "no key"))
	root.AddEvent("first", at(2))
	root.AddEvent("second", at(3), trace.WithAttributes(attribute.Int("a", 1), attribute.Int("b", 2)))
	root.RecordError(errors.New("it failed"), at(4), trace.WithAttributes(attribute.Int("attempt", 2)))
	root.RecordError(nil)
	root.AddLink(trace.Link{SpanContext: remote})
	root.AddLink(trace.Link{}) // nothing to link: left out
	root.SetName("root renamed")

	_, child := tp.Tracer("scope/two").Start(ctx, "child", trace.WithSpanKind(trace.SpanKindClient), at(5))
	child.SetStatus(codes.Error, "it broke")
	child.SetStatus(codes.Unset, "")
	child.End(at(6))
	_, ok := server.Start(ctx, "ok", trace.WithSpanKind(trace.SpanKindInternal), at(7))
	ok.SetStatus(codes.Ok, "ignored")
	ok.SetStatus(codes.Error, "too late: ok is final")
	ok.End(at(8))
	func() {
		defer func() { _ = recover() }()
		_, p := server.Start(ctx, "panics", trace.WithSpanKind(trace.SpanKind(42)), at(9))
		defer p.End(at(10))
		panic("boom")
	}()
	_, fresh := server.Start(ctx, "new root", trace.WithNewRoot(), at(11))
	fresh.End(at(12))
	root.End(at(13))
	root.End(at(14)) // ended already
	root.SetAttributes(attribute.Int("after", 1))
}

// spanLimits are those someSpans is run with: the SDK's defaults, and
// limits that each drop or cut something.
var spanLimits = map[string]sdktrace.SpanLimits{
	"defaults": sdktrace.NewSpanLimits(),
	"tight": {AttributeCountLimit: 17, AttributeValueLengthLimit: 3, EventCountLimit: 2, LinkCountLimit: 1,
		AttributePerEventCountLimit: 1, AttributePerLinkCountLimit: 0},
	// No event or link allowed is left out: the SDK's then says nothing of
	// the dropped, where the recorder counts them.
	"none": {AttributeCountLimit: 0, AttributeValueLengthLimit: 0, EventCountLimit: 1, LinkCountLimit: 1},
}

// sameIDs rewrites the trace and span ids of an export as the order they
// first appear in, an exception event's time as zero, and drops a link's
// trace state (the SDK's exporter leaves it out, though OTLP has the
// field), so that two exports of the same calls compare equal.
func sameIDs(e *coltrace.ExportTraceServiceRequest) {
	seen := map[string][]byte{}
	id := func(b []byte) []byte {
		if len(b) == 0 {
			return b
		}
		if _, ok := seen[string(b)]; !ok {
			seen[string(b)] = []byte{byte(len(seen) + 1)}
		}
		return seen[string(b)]
	}
	for _, rs := range e.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				s.TraceId, s.SpanId, s.ParentSpanId = id(s.TraceId), id(s.SpanId), id(s.ParentSpanId)
				for _, l := range s.GetLinks() {
					l.TraceId, l.SpanId, l.TraceState = id(l.TraceId), id(l.SpanId), ""
				}
				for _, ev := range s.GetEvents() {
					if ev.GetName() == "exception" && ev.GetTimeUnixNano() > 1700000001e9 {
						ev.TimeUnixNano = 0 // a panic's: now
					}
				}
			}
		}
	}
}

// TestSpansAreRecordedAndEncodedAsTheSDKDoes: the same calls through the
// SDK's TracerProvider and OTLP exporter, and through the recorder and the
// batcher, send the same message, under each set of limits.
func TestSpansAreRecordedAndEncodedAsTheSDKDoes(t *testing.T) {
	res := resource.NewWithAttributes("https://opentelemetry.io/schemas/1.26.0",
		attribute.String("service.name", "faultline-test"), attribute.Int("pid", 7))
	for name, limits := range spanLimits {
		t.Run(name, func(t *testing.T) {
			c := newCollector(t)
			ctx := context.Background()
			ended := tracetest.NewSpanRecorder()
			sdk := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(ended), sdktrace.WithResource(res),
				sdktrace.WithRawSpanLimits(limits))
			someSpans(sdk, name != "defaults")
			exporter, err := otlptrace.New(ctx, c.client())
			require.NoError(t, err)
			require.NoError(t, exporter.ExportSpans(ctx, ended.Ended()))
			require.NoError(t, exporter.Shutdown(ctx))
			want := c.take()
			require.Len(t, want, 1)

			b := newBatcher(c.client(), res, batchOptions{scheduleDelay: time.Hour, exportTimeout: 5 * time.Second, maxQueue: 10, maxBatch: 10})
			someSpans(newRecorder(sampling{roots{1 << 63}, true}, limits, b), name != "defaults")
			require.NoError(t, b.export(ctx, true))
			got := c.take()
			require.Len(t, got, 1)
			require.NoError(t, b.Shutdown(ctx))

			sameIDs(want[0])
			sameIDs(got[0])
			assert.True(t, proto.Equal(want[0], got[0]), "the SDK's:\n%v\nthe recorder's:\n%v", want[0], got[0])
		})
	}
}

// spansOf starts and ends a span named after each of names in r's scope
// "t", with attrs.
func spansOf(r *recorder, attrs []attribute.KeyValue, names ...string) {
	for _, name := range names {
		_, s := r.Tracer("t").Start(context.Background(), name, trace.WithAttributes(attrs...))
		s.End()
	}
}

func testRecorder(b *batcher) *recorder {
	return newRecorder(sampling{roots{1 << 63}, true}, sdktrace.NewSpanLimits(), b)
}

// TestTheBatcherExportsFullBatchesAndDropsPastItsQueue: a batch is sent
// once it holds OTEL_BSP_MAX_EXPORT_BATCH_SIZE spans, without waiting for
// the schedule; past OTEL_BSP_MAX_QUEUE_SIZE spans waiting, more are
// dropped and said so; Shutdown sends what is left and drops what ends
// later.
func TestTheBatcherExportsFullBatchesAndDropsPastItsQueue(t *testing.T) {
	c := newCollector(t)
	b := newBatcher(c.client(), resource.Empty(), batchOptions{scheduleDelay: time.Hour, exportTimeout: 5 * time.Second, maxQueue: 4, maxBatch: 2})

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
	spansOf(testRecorder(b), nil, "a", "b") // a full batch: sent by the loop
	var sent []*coltrace.ExportTraceServiceRequest
	require.Eventually(t, func() bool { sent = append(sent, c.take()...); return len(sent) == 1 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, 2, count(sent))
	require.NoError(t, b.Shutdown(context.Background()))

	// A batch that never fills: spans wait for the schedule (an hour) or a
	// flush, and beyond the queue's size they are dropped.
	b = newBatcher(c.client(), resource.Empty(), batchOptions{scheduleDelay: time.Hour, exportTimeout: 5 * time.Second, maxQueue: 4, maxBatch: 10})
	r := testRecorder(b)
	spansOf(r, nil, "1", "2", "3", "4", "5", "6")
	assert.Empty(t, c.take(), "nothing sent before the schedule")
	err := b.export(context.Background(), true)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "2 spans dropped: more than OTEL_BSP_MAX_QUEUE_SIZE (4), or 8192 bytes of them, were waiting")
	assert.Equal(t, 4, count(c.take()))

	spansOf(r, nil, "7")
	require.NoError(t, b.Shutdown(context.Background()))
	assert.Equal(t, 1, count(c.take()), "Shutdown sends what is left")
	spansOf(r, nil, "8")
	require.NoError(t, b.Shutdown(context.Background()), "a second Shutdown does nothing")
	assert.Empty(t, c.take(), "a span ended after Shutdown is dropped")
}

// TestAFailedExportIsReportedAndFreesItsSpans: spans a collector refuses
// are reported and no longer count against the queue.
func TestAFailedExportIsReportedAndFreesItsSpans(t *testing.T) {
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no", http.StatusBadRequest)
	}))
	t.Cleanup(refusing.Close)
	client := otlptracehttp.NewClient(otlptracehttp.WithEndpointURL(refusing.URL + "/v1/traces"))
	b := newBatcher(client, resource.Empty(), batchOptions{scheduleDelay: time.Hour, exportTimeout: 5 * time.Second, maxQueue: 4, maxBatch: 4})
	t.Cleanup(func() { _ = b.Shutdown(context.Background()) })
	spansOf(testRecorder(b), nil, "a", "b", "c")
	err := b.export(context.Background(), true)
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
	b := newBatcher(client, resource.Empty(), batchOptions{scheduleDelay: time.Hour, exportTimeout: time.Minute, maxQueue: 10, maxBatch: 1})
	r := testRecorder(b)
	spansOf(r, nil, "a") // a full batch: the loop's export hangs
	select {
	case <-arrived:
	case <-time.After(5 * time.Second):
		t.Fatal("the loop's export never reached the collector")
	}
	spansOf(r, nil, "b")

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
	c := newCollector(t)
	b := newBatcher(c.client(), resource.Empty(), batchOptions{scheduleDelay: time.Hour, exportTimeout: 5 * time.Second, maxQueue: 2, maxBatch: 10})
	t.Cleanup(func() { _ = b.Shutdown(context.Background()) })
	r := testRecorder(b)
	blob := []attribute.KeyValue{attribute.String("blob", strings.Repeat("x", 3000))}
	spansOf(r, blob, "big")   // 3000 bytes of 4096
	spansOf(r, blob, "again") // over: dropped
	spansOf(r, nil, "small")
	err := b.export(context.Background(), true)
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
