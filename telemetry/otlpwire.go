package telemetry

import (
	"math"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/encoding/protowire"
)

// This file writes spans in OTLP's protobuf encoding (opentelemetry-proto,
// trace/v1) straight from the recorder's ended spans, the way the OTLP
// exporter's own conversion does for the SDK's (field for field:
// otlpwire_test.go holds the two together). That conversion builds a message tree per span and
// marshals it by reflection: with the SDK's batch processor it was about
// 2 % of a request's CPU at a 10 % sample (docs/benchmarks.md, Metrics and
// traces). Written here, a span is a few appends into a buffer that holds
// no pointers, so a queued span costs the garbage collector nothing to scan.

// OTLP's field numbers.
const (
	resourceSpansResource   protowire.Number = 1
	resourceSpansScopeSpans protowire.Number = 2
	resourceSpansSchemaURL  protowire.Number = 3

	scopeSpansScope     protowire.Number = 1
	scopeSpansSpans     protowire.Number = 2
	scopeSpansSchemaURL protowire.Number = 3

	scopeName       protowire.Number = 1
	scopeVersion    protowire.Number = 2
	scopeAttributes protowire.Number = 3

	resourceAttributes protowire.Number = 1

	spanTraceID           protowire.Number = 1
	spanSpanID            protowire.Number = 2
	spanTraceState        protowire.Number = 3
	spanParentSpanID      protowire.Number = 4
	spanName              protowire.Number = 5
	spanKind              protowire.Number = 6
	spanStart             protowire.Number = 7
	spanEnd               protowire.Number = 8
	spanAttributes        protowire.Number = 9
	spanDroppedAttributes protowire.Number = 10
	spanEvents            protowire.Number = 11
	spanDroppedEvents     protowire.Number = 12
	spanLinks             protowire.Number = 13
	spanDroppedLinks      protowire.Number = 14
	spanStatus            protowire.Number = 15
	spanFlags             protowire.Number = 16

	eventTime              protowire.Number = 1
	eventName              protowire.Number = 2
	eventAttributes        protowire.Number = 3
	eventDroppedAttributes protowire.Number = 4

	linkTraceID           protowire.Number = 1
	linkSpanID            protowire.Number = 2
	linkTraceState        protowire.Number = 3
	linkAttributes        protowire.Number = 4
	linkDroppedAttributes protowire.Number = 5
	linkFlags             protowire.Number = 6

	statusMessage protowire.Number = 2
	statusCode    protowire.Number = 3

	keyValueKey   protowire.Number = 1
	keyValueValue protowire.Number = 2

	anyString protowire.Number = 1
	anyBool   protowire.Number = 2
	anyInt    protowire.Number = 3
	anyDouble protowire.Number = 4
	anyArray  protowire.Number = 5
	anyKVList protowire.Number = 6
	anyBytes  protowire.Number = 7

	listValues protowire.Number = 1 // ArrayValue's and KeyValueList's
)

// OTLP's span flags: the low byte is W3C's trace flags.
const (
	flagHasIsRemote = 0x100
	flagIsRemote    = 0x200
)

// OTLP's status codes (the SDK numbers them otherwise).
const (
	statusOK    = 1
	statusError = 2
)

// appendSpan appends s, ended, as one Span message, field num, using
// scratch for its body; it returns both buffers.
func appendSpan(b, scratch []byte, num protowire.Number, s *span) (_, _ []byte) {
	body := scratch[:0]
	tid, sid := s.sc.TraceID(), s.sc.SpanID()
	body = appendBytes(body, spanTraceID, tid[:])
	body = appendBytes(body, spanSpanID, sid[:])
	body = appendString(body, spanTraceState, s.sc.TraceState().String())
	if s.parentID.IsValid() {
		body = appendBytes(body, spanParentSpanID, s.parentID[:])
	}
	body = appendString(body, spanName, s.name)
	body = appendVarint(body, spanKind, uint64(s.kind)) // 1 to 5: the recorder validates it
	body = appendFixed64(body, spanStart, unixNano(s.start.UnixNano()))
	body = appendFixed64(body, spanEnd, unixNano(s.end.UnixNano()))
	for _, kv := range s.attrs {
		body = appendKeyValue(body, spanAttributes, kv)
	}
	body = appendVarint(body, spanDroppedAttributes, uint64(clampUint32(s.droppedAttrs)))
	for _, e := range s.events {
		body = appendEvent(body, e)
	}
	body = appendVarint(body, spanDroppedEvents, uint64(clampUint32(s.droppedEvents)))
	for _, l := range s.links {
		body = appendLink(body, l)
	}
	body = appendVarint(body, spanDroppedLinks, uint64(clampUint32(s.droppedLinks)))
	body = appendStatus(body, s.status)
	body = appendFixed32(body, spanFlags, spanFlagsOf(s.sc.TraceFlags(), s.parentRemote))
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, body), body
}

// appendStatus writes the span's status, always present (as the exporter's
// conversion has it), empty when unset.
func appendStatus(b []byte, st sdktrace.Status) []byte {
	var code uint64
	switch st.Code {
	case codes.Ok:
		code = statusOK
	case codes.Error:
		code = statusError
	}
	size := 0
	if st.Description != "" {
		size += protowire.SizeTag(statusMessage) + protowire.SizeBytes(len(st.Description))
	}
	if code != 0 {
		size += protowire.SizeTag(statusCode) + protowire.SizeVarint(code)
	}
	b = protowire.AppendTag(b, spanStatus, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(size))
	b = appendString(b, statusMessage, st.Description)
	return appendVarint(b, statusCode, code)
}

// appendEvent and appendLink are rare (faultline's own spans have none):
// they encode their body apart before sizing it.
func appendEvent(b []byte, e sdktrace.Event) []byte {
	body := appendFixed64(nil, eventTime, unixNano(e.Time.UnixNano()))
	body = appendString(body, eventName, e.Name)
	for _, kv := range e.Attributes {
		body = appendKeyValue(body, eventAttributes, kv)
	}
	body = appendVarint(body, eventDroppedAttributes, uint64(clampUint32(e.DroppedAttributeCount)))
	return appendBytes(b, spanEvents, body)
}

func appendLink(b []byte, l sdktrace.Link) []byte {
	tid, sid := l.SpanContext.TraceID(), l.SpanContext.SpanID()
	body := appendBytes(nil, linkTraceID, tid[:])
	body = appendBytes(body, linkSpanID, sid[:])
	body = appendString(body, linkTraceState, l.SpanContext.TraceState().String())
	for _, kv := range l.Attributes {
		body = appendKeyValue(body, linkAttributes, kv)
	}
	body = appendVarint(body, linkDroppedAttributes, uint64(clampUint32(l.DroppedAttributeCount)))
	body = appendFixed32(body, linkFlags, spanFlagsOf(l.SpanContext.TraceFlags(), l.SpanContext.IsRemote()))
	return appendBytes(b, spanLinks, body)
}

// appendScopeHeader writes what a ScopeSpans message holds besides its
// spans: the scope (absent when it is the zero scope) and its schema URL.
func appendScopeHeader(b []byte, scope instrumentation.Scope) []byte {
	if scope != (instrumentation.Scope{}) {
		body := appendString(nil, scopeName, scope.Name)
		body = appendString(body, scopeVersion, scope.Version)
		for iter := scope.Attributes.Iter(); iter.Next(); {
			body = appendKeyValue(body, scopeAttributes, iter.Attribute())
		}
		b = appendBytes(b, scopeSpansScope, body)
	}
	return appendString(b, scopeSpansSchemaURL, scope.SchemaURL)
}

// appendResource writes what a ResourceSpans message holds besides its
// scopes: the resource (always present) and its schema URL.
func appendResource(b []byte, res *resource.Resource) []byte {
	var body []byte
	for iter := res.Iter(); iter.Next(); {
		body = appendKeyValue(body, resourceAttributes, iter.Attribute())
	}
	b = protowire.AppendTag(b, resourceSpansResource, protowire.BytesType)
	b = protowire.AppendBytes(b, body)
	return appendString(b, resourceSpansSchemaURL, res.SchemaURL())
}

// appendKeyValue writes kv as a KeyValue message, field num. A scalar is
// sized without encoding it twice; a list or a map is encoded apart.
func appendKeyValue(b []byte, num protowire.Number, kv attribute.KeyValue) []byte {
	var composite []byte
	size, ok := scalarSize(kv.Value)
	if !ok {
		composite = appendValue(nil, kv.Value)
		size = len(composite)
	}
	kvSize := protowire.SizeTag(keyValueValue) + protowire.SizeBytes(size)
	if kv.Key != "" {
		kvSize += protowire.SizeTag(keyValueKey) + protowire.SizeBytes(len(kv.Key))
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(kvSize))
	b = appendString(b, keyValueKey, string(kv.Key))
	b = protowire.AppendTag(b, keyValueValue, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(size))
	if !ok {
		return append(b, composite...)
	}
	return appendValue(b, kv.Value)
}

// invalid is what the exporter's conversion sends for a value of a type it
// does not know.
const invalid = "INVALID"

// scalarSize is the size of the AnyValue body of v when v is not a list or
// a map.
func scalarSize(v attribute.Value) (int, bool) {
	switch v.Type() {
	case attribute.EMPTY:
		return 0, true
	case attribute.BOOL:
		return protowire.SizeTag(anyBool) + 1, true
	case attribute.INT64:
		return protowire.SizeTag(anyInt) + protowire.SizeVarint(uint64(v.AsInt64())), true
	case attribute.FLOAT64:
		return protowire.SizeTag(anyDouble) + protowire.SizeFixed64(), true
	case attribute.STRING:
		return protowire.SizeTag(anyString) + protowire.SizeBytes(len(v.AsString())), true
	case attribute.BOOLSLICE, attribute.INT64SLICE, attribute.FLOAT64SLICE, attribute.STRINGSLICE,
		attribute.SLICE, attribute.MAP, attribute.BYTESLICE:
		return 0, false
	}
	return protowire.SizeTag(anyString) + protowire.SizeBytes(len(invalid)), true
}

// appendValue writes the body of v's AnyValue. A oneof member is written
// even when it is its type's zero, as protobuf does for a set oneof.
func appendValue(b []byte, v attribute.Value) []byte {
	switch v.Type() {
	case attribute.EMPTY:
		return b
	case attribute.BOOL:
		b = protowire.AppendTag(b, anyBool, protowire.VarintType)
		return protowire.AppendVarint(b, protowire.EncodeBool(v.AsBool()))
	case attribute.INT64:
		b = protowire.AppendTag(b, anyInt, protowire.VarintType)
		return protowire.AppendVarint(b, uint64(v.AsInt64()))
	case attribute.FLOAT64:
		b = protowire.AppendTag(b, anyDouble, protowire.Fixed64Type)
		return protowire.AppendFixed64(b, math.Float64bits(v.AsFloat64()))
	case attribute.STRING:
		b = protowire.AppendTag(b, anyString, protowire.BytesType)
		return protowire.AppendString(b, v.AsString())
	case attribute.BYTESLICE:
		b = protowire.AppendTag(b, anyBytes, protowire.BytesType)
		return protowire.AppendBytes(b, v.AsByteSlice())
	case attribute.MAP:
		var list []byte
		for _, kv := range v.AsMap() {
			list = appendKeyValue(list, listValues, kv)
		}
		return appendBytes(b, anyKVList, list)
	case attribute.BOOLSLICE, attribute.INT64SLICE, attribute.FLOAT64SLICE, attribute.STRINGSLICE, attribute.SLICE:
		var list []byte
		for _, e := range elements(v) {
			list = protowire.AppendTag(list, listValues, protowire.BytesType)
			list = protowire.AppendBytes(list, appendValue(nil, e))
		}
		return appendBytes(b, anyArray, list)
	}
	b = protowire.AppendTag(b, anyString, protowire.BytesType)
	return protowire.AppendString(b, invalid)
}

// elements are the members of a list value, as values.
func elements(v attribute.Value) []attribute.Value {
	var out []attribute.Value
	switch v.Type() {
	case attribute.BOOLSLICE:
		for _, e := range v.AsBoolSlice() {
			out = append(out, attribute.BoolValue(e))
		}
	case attribute.INT64SLICE:
		for _, e := range v.AsInt64Slice() {
			out = append(out, attribute.Int64Value(e))
		}
	case attribute.FLOAT64SLICE:
		for _, e := range v.AsFloat64Slice() {
			out = append(out, attribute.Float64Value(e))
		}
	case attribute.STRINGSLICE:
		for _, e := range v.AsStringSlice() {
			out = append(out, attribute.StringValue(e))
		}
	case attribute.SLICE:
		out = v.AsSlice()
	}
	return out
}

// The helpers below write one field, leaving out a proto3 scalar at its
// zero value as protobuf does.

func appendString(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

// appendBytes writes a bytes field or an embedded message, even empty.
func appendBytes(b []byte, num protowire.Number, v []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

func appendVarint(b []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func appendFixed64(b []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.Fixed64Type)
	return protowire.AppendFixed64(b, v)
}

func appendFixed32(b []byte, num protowire.Number, v uint32) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.Fixed32Type)
	return protowire.AppendFixed32(b, v)
}

// spanFlagsOf is W3C's trace flags and whether the parent (or the linked
// span) is remote.
func spanFlagsOf(tf trace.TraceFlags, remote bool) uint32 {
	flags := uint32(tf) | flagHasIsRemote
	if remote {
		flags |= flagIsRemote
	}
	return flags
}

func unixNano(n int64) uint64 { return uint64(max(0, n)) }

func clampUint32(v int) uint32 { return uint32(min(max(v, 0), math.MaxUint32)) }
