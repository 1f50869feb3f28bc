package telemetry

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	"go.opentelemetry.io/otel/sdk/resource"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// batcher batches the recorder's ended spans and exports them through the
// OTLP/HTTP exporter's client, which brings OpenTelemetry's endpoint,
// headers, TLS, compression, timeout and retries. It stands in for the
// SDK's batch processor and the exporter's span conversion, with the same
// variables (OTEL_BSP_*) and the same drop-when-full rule, for what they
// cost: the SDK's hands every span to its goroutine through a channel and
// keeps it until the export converts it; this one writes a span's OTLP
// encoding (otlpwire.go) as it ends and keeps only bytes.
//
// The client takes ResourceSpans messages to marshal; a batch is handed
// over as one whose fields are all already-encoded bytes (protobuf keeps
// and writes a message's unknown fields as they are).
type batcher struct {
	client   otlptrace.Client
	resource []byte // a ResourceSpans' resource and schema URL, encoded
	opts     batchOptions

	mu      sync.Mutex
	current *batch   // filling
	full    []*batch // waiting for the export
	free    []*batch // exported, to be filled again
	queued  int      // spans held: in current, full and the export under way
	held    int      // their encoding's bytes
	dropped int      // spans refused since the last export: the queue was full
	scratch []byte   // a span's body while it is encoded
	closed  bool

	exporting sync.Mutex // one export at a time: the loop's, Shutdown's
	raw       []byte     // the batch under export, encoded; under exporting

	wake    chan struct{}      // a batch is full
	stop    chan struct{}      // Shutdown has begun
	done    chan struct{}      // the loop has returned
	abandon context.CancelFunc // ends the loop's export under way: Shutdown ran out of time
	loopCtx context.Context    // the loop's exports'
}

// batch is spans encoded, grouped by instrumentation scope as OTLP wants.
type batch struct {
	scopes []scopeSpans
	spans  int
}

type scopeSpans struct {
	tracer *tracer // the scope's: the recorder makes one per scope
	header []byte  // appendScopeHeader's
	spans  []byte  // Span messages, ScopeSpans' field 2
}

// maxSpanBytes is what a span may hold on average, encoded: the queue
// keeps at most OTEL_BSP_MAX_QUEUE_SIZE times this (4 MiB by default),
// whatever the spans carry. faultline's are about 150 bytes.
const maxSpanBytes = 2048

// batchOptions are the SDK batch processor's settings, from its variables.
type batchOptions struct {
	scheduleDelay time.Duration // OTEL_BSP_SCHEDULE_DELAY: the longest a span waits
	exportTimeout time.Duration // OTEL_BSP_EXPORT_TIMEOUT: one export's limit
	maxQueue      int           // OTEL_BSP_MAX_QUEUE_SIZE: spans held, beyond which they are dropped
	maxBatch      int           // OTEL_BSP_MAX_EXPORT_BATCH_SIZE: spans in one export
}

// batchOptionsFromEnv reads OTEL_BSP_* with OpenTelemetry's defaults; a
// value that is not a positive integer stops the start, naming its
// variable (the SDK would log it and use the default).
func batchOptionsFromEnv(getenv func(string) string) (batchOptions, error) {
	read := func(name string, def int) (int, error) {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return def, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("%s: want a positive integer, got %q", name, v)
		}
		return n, nil
	}
	var o batchOptions
	var errs [4]error
	var delay, timeout int
	delay, errs[0] = read("OTEL_BSP_SCHEDULE_DELAY", 5000)
	timeout, errs[1] = read("OTEL_BSP_EXPORT_TIMEOUT", 30000)
	o.maxQueue, errs[2] = read("OTEL_BSP_MAX_QUEUE_SIZE", 2048)
	o.maxBatch, errs[3] = read("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 512)
	if err := errors.Join(errs[:]...); err != nil {
		return batchOptions{}, err
	}
	o.scheduleDelay, o.exportTimeout = time.Duration(delay)*time.Millisecond, time.Duration(timeout)*time.Millisecond
	o.maxBatch = min(o.maxBatch, o.maxQueue) // as the SDK has it
	return o, nil
}

// newBatcher starts a batcher exporting through client the spans of res.
func newBatcher(client otlptrace.Client, res *resource.Resource, opts batchOptions) *batcher {
	b := &batcher{
		client: client, resource: appendResource(nil, res), opts: opts,
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
	}
	b.loopCtx, b.abandon = context.WithCancel(context.Background())
	go b.run()
	return b
}

// end encodes an ended span into the current batch, or drops it when the
// queue is full, in spans or in bytes.
func (b *batcher) end(s *span) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	if b.queued >= b.opts.maxQueue {
		b.dropped++
		return
	}
	if b.current == nil {
		b.current = b.fresh()
	}
	group := b.current.group(s.tracer)
	before := len(group.spans)
	group.spans, b.scratch = appendSpan(group.spans, b.scratch, scopeSpansSpans, s)
	size := len(group.spans) - before
	if b.held+size > b.opts.maxQueue*maxSpanBytes {
		group.spans = group.spans[:before]
		b.dropped++
		return
	}
	b.current.spans++
	b.queued++
	b.held += size
	if b.current.spans >= b.opts.maxBatch {
		b.full = append(b.full, b.current)
		b.current = nil
		select {
		case b.wake <- struct{}{}:
		default: // the loop is awake already
		}
	}
}

// fresh is an empty batch, one exported before when there is one.
func (b *batcher) fresh() *batch {
	if n := len(b.free); n > 0 {
		bt := b.free[n-1]
		b.free = b.free[:n-1]
		return bt
	}
	return &batch{}
}

func (bt *batch) group(t *tracer) *scopeSpans {
	for i := range bt.scopes {
		if bt.scopes[i].tracer == t {
			return &bt.scopes[i]
		}
	}
	bt.scopes = append(bt.scopes, scopeSpans{tracer: t, header: appendScopeHeader(nil, t.scope)})
	return &bt.scopes[len(bt.scopes)-1]
}

// run exports each batch that fills, and every scheduleDelay what there is.
func (b *batcher) run() {
	defer close(b.done)
	tick := time.NewTicker(b.opts.scheduleDelay)
	defer tick.Stop()
	for {
		var err error
		select {
		case <-b.stop:
			return
		case <-b.wake:
			err = b.export(b.loopCtx, false)
		case <-tick.C:
			err = b.export(b.loopCtx, true)
		}
		if err != nil {
			otel.Handle(err)
		}
	}
}

// export sends the full batches, and the one filling too when all is set.
func (b *batcher) export(ctx context.Context, all bool) error {
	b.exporting.Lock()
	defer b.exporting.Unlock()
	b.mu.Lock()
	batches := b.full
	b.full = nil
	if all && b.current != nil {
		batches = append(batches, b.current)
		b.current = nil
	}
	dropped := b.dropped
	b.dropped = 0
	b.mu.Unlock()

	var errs []error
	if dropped > 0 {
		errs = append(errs, fmt.Errorf("%d spans dropped: more than OTEL_BSP_MAX_QUEUE_SIZE (%d), or %d bytes of them, were waiting",
			dropped, b.opts.maxQueue, b.opts.maxQueue*maxSpanBytes))
	}
	for _, bt := range batches {
		rs := &tracepb.ResourceSpans{}
		b.raw = bt.appendTo(append(b.raw[:0], b.resource...))
		rs.ProtoReflect().SetUnknown(protoreflect.RawFields(b.raw))
		exportCtx, cancel := context.WithTimeout(ctx, b.opts.exportTimeout)
		if err := b.client.UploadTraces(exportCtx, []*tracepb.ResourceSpans{rs}); err != nil {
			errs = append(errs, fmt.Errorf("exporting %d spans: %w", bt.spans, err))
		}
		cancel()
		b.mu.Lock()
		b.queued -= bt.spans
		b.held -= bt.size()
		bt.reset()
		if len(b.free) < 2 {
			b.free = append(b.free, bt)
		}
		b.mu.Unlock()
	}
	return errors.Join(errs...)
}

// appendTo writes the batch's ScopeSpans messages.
func (bt *batch) appendTo(raw []byte) []byte {
	for _, g := range bt.scopes {
		if len(g.spans) == 0 {
			continue
		}
		raw = protowire.AppendTag(raw, resourceSpansScopeSpans, protowire.BytesType)
		raw = protowire.AppendVarint(raw, uint64(len(g.header)+len(g.spans)))
		raw = append(append(raw, g.header...), g.spans...)
	}
	return raw
}

// reset empties the batch, keeping its buffers.
func (bt *batch) reset() {
	for i := range bt.scopes {
		bt.scopes[i].spans = bt.scopes[i].spans[:0]
	}
	bt.spans = 0
}

// size is the bytes of the batch's spans, as held counts them.
func (bt *batch) size() (n int) {
	for _, g := range bt.scopes {
		n += len(g.spans)
	}
	return n
}

// Shutdown exports every span held and stops the client, within ctx: an
// export under way (a collector that does not answer) is abandoned when
// ctx ends. Spans that end afterwards are dropped.
func (b *batcher) Shutdown(ctx context.Context) error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	b.mu.Unlock()
	close(b.stop)
	select {
	case <-b.done:
	case <-ctx.Done():
		b.abandon()
		<-b.done
	}
	b.abandon()
	return errors.Join(b.export(ctx, true), b.client.Stop(ctx))
}
