package telemetry

import (
	"context"
	"encoding/binary"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/embedded"
)

// recorder is the TracerProvider of faultline's spans: an implementation
// of OpenTelemetry's trace API that writes each span into the batcher as
// it ends. It stands in for the SDK's TracerProvider for what a span cost
// there: a span object of some 700 bytes, a snapshot of it at the end, the
// sampler and the processors reached through interfaces. Against metrics
// alone, tracing 10 % of requests cost 5.2 % of their CPU with the SDK's
// and 3.4 % with this in one run (3.1 and 4.4 % in two more;
// docs/benchmarks.md, The recorder).
//
// It keeps the SDK's rules, which TestSpansAreRecordedAndEncodedAsTheSDKDoes
// holds it to by sending the same calls through both: the samplers OTEL_TRACES_SAMPLER names
// (sampling), the span limits of OTEL_SPAN_* and OTEL_ATTRIBUTE_* (read by
// the SDK's NewSpanLimits), an attribute set twice kept once with its last
// value, a status Ok final and an Error's description kept, events and
// links past their limits dropping the oldest, RecordError's exception
// event. One rule it leaves out, as no faultline span needs it: list and
// map values (attribute.Slice, attribute.Map) are kept as they are given,
// where the SDK also truncates their strings and merges a map's repeated
// keys. And where every event (or link) was dropped it says how many, as
// OTLP asks; the SDK's span then says nothing.
type recorder struct {
	embedded.TracerProvider
	sampling sampling
	limits   sdktrace.SpanLimits
	batcher  *batcher

	mu      sync.Mutex
	tracers map[instrumentation.Scope]*tracer
}

func newRecorder(s sampling, limits sdktrace.SpanLimits, b *batcher) *recorder {
	return &recorder{sampling: s, limits: limits, batcher: b, tracers: map[instrumentation.Scope]*tracer{}}
}

// defaultTracerName is the SDK's name for a tracer asked for without one.
const defaultTracerName = "go.opentelemetry.io/otel/sdk/tracer"

// Tracer is the tracer of a scope, one per scope as the SDK keeps them.
func (r *recorder) Tracer(name string, opts ...trace.TracerOption) trace.Tracer {
	if name == "" {
		name = defaultTracerName
	}
	c := trace.NewTracerConfig(opts...)
	scope := instrumentation.Scope{Name: name, Version: c.InstrumentationVersion(), SchemaURL: c.SchemaURL(),
		Attributes: c.InstrumentationAttributes()}
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.tracers[scope]
	if !ok {
		t = &tracer{recorder: r, scope: scope}
		r.tracers[scope] = t
	}
	return t
}

type tracer struct {
	embedded.Tracer
	recorder *recorder
	scope    instrumentation.Scope
}

func (t *tracer) Start(ctx context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	if ctx == nil {
		ctx = context.Background()
	}
	cfg := trace.NewSpanStartConfig(opts...)
	if cfg.NewRoot() {
		ctx = trace.ContextWithSpanContext(ctx, trace.SpanContext{})
	}
	parent, id := parentOf(ctx)
	ctx, s, u := t.start(ctx, parent, id, name, cfg.SpanKind(), cfg.Timestamp())
	if s == nil {
		return ctx, u
	}
	s.setAttributes(cfg.Attributes())
	for _, l := range cfg.Links() {
		s.addLink(l)
	}
	return ctx, s
}

// parentOf is the span context of ctx, and the trace id of a span started
// under it: its trace's, or a new one when there is none.
func parentOf(ctx context.Context) (trace.SpanContext, trace.TraceID) {
	parent := trace.SpanContextFromContext(ctx)
	if !parent.IsValid() {
		return parent, newTraceID()
	}
	return parent, parent.TraceID()
}

// start starts a span of trace id, a child of parent when parent is valid:
// a recorded span when the trace is sampled, an unsampled one otherwise.
// Handler calls it with the trace id it decided on (sampling.go).
func (t *tracer) start(ctx context.Context, parent trace.SpanContext, id trace.TraceID, name string, kind trace.SpanKind,
	at time.Time) (context.Context, *span, *unsampled) {
	sampled := t.recorder.sampling.sampled(parent, id)
	flags := parent.TraceFlags() &^ trace.FlagsSampled
	if sampled {
		flags |= trace.FlagsSampled
	}
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: id, SpanID: newSpanID(), TraceFlags: flags,
		TraceState: parent.TraceState()})
	if !sampled {
		u := &unsampled{sc: sc, recorder: t.recorder}
		return trace.ContextWithSpan(ctx, u), nil, u
	}
	if at.IsZero() {
		at = time.Now()
	}
	s := &span{tracer: t, sc: sc, parentID: parent.SpanID(), parentRemote: parent.IsRemote(), name: name,
		kind: trace.ValidateSpanKind(kind), start: at}
	s.attrs = s.inline[:0]
	return trace.ContextWithSpan(ctx, s), s, nil
}

// sampling decides as the SDK sampler OTEL_TRACES_SAMPLER names does
// (TestSamplingDecidesAsTheSDKSamplers): a span with a parent follows the
// parent's decision under a parentbased_ sampler, and any other span is
// decided by roots on its trace id.
type sampling struct {
	roots       roots
	parentBased bool
}

func (s sampling) sampled(parent trace.SpanContext, id trace.TraceID) bool {
	if s.parentBased && parent.IsValid() {
		return parent.IsSampled()
	}
	return s.roots.sampled(binary.BigEndian.Uint64(id[8:]))
}

// unsampled is the span of a trace not sampled: it carries its context to
// its children, and records nothing.
type unsampled struct {
	embedded.Span
	sc       trace.SpanContext
	recorder *recorder
}

func (*unsampled) End(...trace.SpanEndOption)              {}
func (*unsampled) AddEvent(string, ...trace.EventOption)   {}
func (*unsampled) AddLink(trace.Link)                      {}
func (*unsampled) IsRecording() bool                       { return false }
func (*unsampled) RecordError(error, ...trace.EventOption) {}
func (u *unsampled) SpanContext() trace.SpanContext        { return u.sc }
func (*unsampled) SetStatus(codes.Code, string)            {}
func (*unsampled) SetName(string)                          {}
func (*unsampled) SetAttributes(...attribute.KeyValue)     {}
func (u *unsampled) TracerProvider() trace.TracerProvider  { return u.recorder }

// span is a sampled span until it ends; then the batcher encodes it, and
// it records nothing more.
type span struct {
	embedded.Span
	tracer       *tracer
	sc           trace.SpanContext
	parentID     trace.SpanID // invalid for a trace's first span
	parentRemote bool
	kind         trace.SpanKind
	start        time.Time

	mu            sync.Mutex
	ended         bool
	name          string
	end           time.Time
	attrs         []attribute.KeyValue // may hold a key twice until the span ends
	droppedAttrs  int
	events        []sdktrace.Event
	droppedEvents int
	links         []sdktrace.Link
	droppedLinks  int
	status        sdktrace.Status
	inline        [4]attribute.KeyValue // attrs' first array: a request span's four
}

func (s *span) SpanContext() trace.SpanContext       { return s.sc }
func (s *span) TracerProvider() trace.TracerProvider { return s.tracer.recorder }

func (s *span) IsRecording() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.ended
}

// End ends the span and hands it to the batcher. A panic under way is
// recorded as an exception event, as the SDK does, and goes on.
func (s *span) End(opts ...trace.SpanEndOption) {
	end := s.start.Add(time.Since(s.start)) // the monotonic clock's, as the SDK has it
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	c := trace.NewSpanEndConfig(opts...)
	if recovered := recover(); recovered != nil {
		defer panic(recovered)
		s.addException(typeName(recovered), fmt.Sprint(recovered), c.StackTrace(), nil)
	}
	if !c.Timestamp().IsZero() {
		end = c.Timestamp()
	}
	s.ended, s.end, s.attrs = true, end, dedupe(s.attrs)
	s.mu.Unlock()
	s.tracer.recorder.batcher.end(s)
}

func (s *span) SetAttributes(kv ...attribute.KeyValue) {
	if len(kv) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ended {
		s.setAttributes(kv)
	}
}

// setAttributes adds kv under the attribute limits; a key set again is
// merged when the span ends (dedupe), or at once when the limit is near.
func (s *span) setAttributes(kv []attribute.KeyValue) {
	if len(kv) == 0 {
		return
	}
	limits := &s.tracer.recorder.limits
	switch limit := limits.AttributeCountLimit; {
	case limit == 0:
		s.droppedAttrs += len(kv)
		return
	case limit > 0 && len(s.attrs)+len(kv) > limit:
		s.setOverCap(limit, kv)
		return
	}
	for _, a := range kv {
		if !a.Valid() {
			s.droppedAttrs++
			continue
		}
		s.attrs = append(s.attrs, truncated(a, limits.AttributeValueLengthLimit))
	}
}

// setOverCap adds kv to a span that may reach its limit: a key it has
// takes the new value, a new key is dropped once the limit is reached.
func (s *span) setOverCap(limit int, kv []attribute.KeyValue) {
	s.attrs = dedupe(s.attrs)
	for _, a := range kv {
		if !a.Valid() {
			s.droppedAttrs++
			continue
		}
		a = truncated(a, s.tracer.recorder.limits.AttributeValueLengthLimit)
		if i := keyIndex(s.attrs, a.Key); i >= 0 {
			s.attrs[i] = a
		} else if len(s.attrs) < limit {
			s.attrs = append(s.attrs, a)
		} else {
			s.droppedAttrs++
		}
	}
}

// dedupe keeps each key once, where it first came, with its last value.
func dedupe(attrs []attribute.KeyValue) []attribute.KeyValue {
	unique := attrs[:0]
	for _, a := range attrs {
		if i := keyIndex(unique, a.Key); i >= 0 {
			unique[i] = a
		} else {
			unique = append(unique, a)
		}
	}
	clear(attrs[len(unique):])
	return unique
}

// keyIndex is where attrs has key, or -1.
func keyIndex(attrs []attribute.KeyValue, key attribute.Key) int {
	return slices.IndexFunc(attrs, func(a attribute.KeyValue) bool { return a.Key == key })
}

// truncated cuts a string value, each string of a list and a byte
// slice to limit (characters; bytes for a byte slice) when limit is not
// negative, dropping invalid UTF-8 from a string it cuts, as the SDK does.
func truncated(a attribute.KeyValue, limit int) attribute.KeyValue {
	if limit < 0 {
		return a
	}
	switch a.Value.Type() {
	case attribute.STRING:
		if v := a.Value.AsString(); len(v) > limit {
			a.Value = attribute.StringValue(truncate(v, limit))
		}
	case attribute.STRINGSLICE:
		v := a.Value.AsStringSlice()
		if slices.ContainsFunc(v, func(e string) bool { return len(e) > limit }) {
			for i := range v {
				v[i] = truncate(v[i], limit)
			}
			a.Value = attribute.StringSliceValue(v)
		}
	case attribute.BYTESLICE:
		if v := a.Value.AsByteSlice(); len(v) > limit {
			a.Value = attribute.ByteSliceValue(v[:limit])
		}
	}
	return a
}

// truncate is s's first limit characters, s being longer than limit bytes.
func truncate(s string, limit int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	n := 0
	for i := range s {
		if n == limit {
			return s[:i]
		}
		n++
	}
	return s
}

func (s *span) SetStatus(code codes.Code, description string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended || s.status.Code > code { // Ok is final, and Error outranks Unset
		return
	}
	s.status = sdktrace.Status{Code: code}
	if code == codes.Error {
		s.status.Description = description
	}
}

func (s *span) SetName(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ended {
		s.name = name
	}
}

func (s *span) AddEvent(name string, opts ...trace.EventOption) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ended {
		s.addEvent(name, opts...)
	}
}

func (s *span) addEvent(name string, opts ...trace.EventOption) {
	c := trace.NewEventConfig(opts...)
	e := sdktrace.Event{Name: name, Attributes: c.Attributes(), Time: c.Timestamp()}
	e.Attributes, e.DroppedAttributeCount = limited(e.Attributes, s.tracer.recorder.limits.AttributePerEventCountLimit)
	s.events = evicting(s.events, e, s.tracer.recorder.limits.EventCountLimit, &s.droppedEvents)
}

// RecordError adds err as an exception event, as the SDK does.
func (s *span) RecordError(err error, opts ...trace.EventOption) {
	if err == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ended {
		c := trace.NewEventConfig(opts...)
		s.addException(typeName(err), err.Error(), c.StackTrace(), opts)
	}
}

func (s *span) addException(typ, message string, stack bool, opts []trace.EventOption) {
	opts = append(opts, trace.WithAttributes(semconv.ExceptionType(typ), semconv.ExceptionMessage(message)))
	if stack {
		buf := make([]byte, 2048)
		opts = append(opts, trace.WithAttributes(semconv.ExceptionStacktrace(string(buf[:runtime.Stack(buf, false)]))))
	}
	s.addEvent(semconv.ExceptionEventName, opts...)
}

// typeName is the SDK's name for an error's (or a panic's) type.
func typeName(v any) string {
	t := reflect.TypeOf(v)
	if t.PkgPath() == "" && t.Name() == "" {
		return t.String()
	}
	return fmt.Sprintf("%s.%s", t.PkgPath(), t.Name())
}

func (s *span) AddLink(l trace.Link) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ended {
		s.addLink(l)
	}
}

func (s *span) addLink(l trace.Link) {
	if !l.SpanContext.IsValid() && len(l.Attributes) == 0 && l.SpanContext.TraceState().Len() == 0 {
		return
	}
	link := sdktrace.Link{SpanContext: l.SpanContext}
	link.Attributes, link.DroppedAttributeCount = limited(l.Attributes, s.tracer.recorder.limits.AttributePerLinkCountLimit)
	s.links = evicting(s.links, link, s.tracer.recorder.limits.LinkCountLimit, &s.droppedLinks)
}

// limited is attrs cut to limit (none when negative), and how many it cut.
func limited(attrs []attribute.KeyValue, limit int) ([]attribute.KeyValue, int) {
	if limit < 0 || len(attrs) <= limit {
		return attrs, 0
	}
	if limit == 0 {
		return nil, len(attrs)
	}
	return attrs[:limit], len(attrs) - limit
}

// evicting appends v to q, which holds at most limit (any number when
// negative), the oldest going first, counting what goes in dropped.
func evicting[T any](q []T, v T, limit int, dropped *int) []T {
	switch {
	case limit == 0:
		*dropped++
		return q
	case limit > 0 && len(q) >= limit:
		*dropped++
		q = append(q[:0], q[len(q)-limit+1:]...)
	}
	return append(q, v)
}
