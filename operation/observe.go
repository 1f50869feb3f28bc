package operation

import (
	"context"
	"errors"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/internal/spans"
)

// Observer hears every response sent and every operation finished, for
// metrics (package telemetry), so that this package needs no metrics
// library. Its methods run on the request's goroutine: they must be quick.
type Observer interface {
	// Sent is told the errors of every response sent: an operation's, or
	// one event of a subscription.
	Sent(errs gqlerror.List)
	// Finished is told once per operation, when its log line is written:
	// its kind, its outcome and how long it took from its request's start
	// (a subscription: its whole life).
	Finished(kind Kind, outcome Outcome, took time.Duration)
}

// Kind is an operation's type.
type Kind uint8

// The kinds.
const (
	KindNone         Kind = iota // no operation type: refused before parsing, or a document that does not parse
	KindQuery                    // query
	KindMutation                 // mutation
	KindSubscription             // subscription
)

// Kinds are every Kind.
var Kinds = []Kind{KindNone, KindQuery, KindMutation, KindSubscription}

var kindNames = [...]string{"none", "query", "mutation", "subscription"}

func (k Kind) String() string { return kindNames[k] }

// Outcome is how an operation ended.
type Outcome uint8

// The outcomes, in the order they are decided.
const (
	OK       Outcome = iota // no error
	Partial                 // it ran, with errors, none of them a server-side failure (GraphQL's partial result)
	Rejected                // read, but not run: parse, validation, variables, limits, persisted and trusted documents
	Refused                 // not admitted (drain, rate limit, origin) or not a GraphQL request (BAD_REQUEST), so never parsed
	Failed                  // a server-side failure (a 5xx error) among its errors, wherever it came from
)

// Outcomes are every Outcome.
var Outcomes = []Outcome{OK, Partial, Rejected, Refused, Failed}

var outcomeNames = [...]string{"ok", "partial", "rejected", "refused", "error"}

func (o Outcome) String() string { return outcomeNames[o] }

// outcomeOf is the outcome of resp, whose worst error has status worst, of
// the operation opCtx (nil: the request never got one). A refusal stays a
// refusal even when it is a 503 (SHUTTING_DOWN): it says nothing about the
// server's health.
func outcomeOf(opCtx *graphql.OperationContext, resp *graphql.Response, worst int, executed bool) Outcome {
	switch {
	case len(resp.Errors) == 0:
		return OK
	case !executed && opCtx == nil:
		return Refused
	case worst >= 500:
		return Failed
	case !executed:
		return Rejected
	}
	return Partial
}

// kindOf is the type of the operation opCtx (nil: none).
func kindOf(opCtx *graphql.OperationContext) Kind {
	if opCtx == nil || opCtx.Operation == nil {
		return KindNone
	}
	return kindOfOperation(opCtx.Operation.Operation)
}

func kindOfOperation(op ast.Operation) Kind {
	switch op {
	case ast.Query:
		return KindQuery
	case ast.Mutation:
		return KindMutation
	case ast.Subscription:
		return KindSubscription
	}
	return KindNone
}

// worstError is the highest status among errs and the index of the first
// error that has it (-1 for none).
func worstError(errs gqlerror.List) (worst, at int) {
	at = -1
	for i, err := range errs {
		status := 500 // not a domain error: the presenter makes it INTERNAL
		if ae, ok := errors.AsType[*apperr.Error](err); ok {
			status = ae.Status()
		}
		if status > worst {
			worst, at = status, i
		}
	}
	return worst, at
}

// operationOf is the operation context of ctx, nil when the request never
// got one (refused before parsing).
func operationOf(ctx context.Context) *graphql.OperationContext {
	if graphql.HasOperationContext(ctx) {
		return graphql.GetOperationContext(ctx)
	}
	return nil
}

// startOf is when the operation opCtx of ctx began: its request's start.
func startOf(ctx context.Context, opCtx *graphql.OperationContext) time.Time {
	if opCtx != nil {
		return opCtx.Stats.OperationStart
	}
	return graphql.GetStartTime(ctx)
}

// tracerScope is the tracer of operation spans.
var tracerScope = spans.NewScope("github.com/faultline/faultline/operation")

// maxSpanOperationName bounds the operation name in a span's name and
// attributes: a client's document may name an operation with up to
// FAULTLINE_MAX_BODY_BYTES, and spans wait in memory for their export.
const maxSpanOperationName = 128

// startSpan starts the span of an operation that executes, as a child of
// the request's span when that one is sampled (nil otherwise), from the
// operation's start, so that parsing and validation are inside it.
func startSpan(ctx context.Context, opCtx *graphql.OperationContext) (context.Context, trace.Span) {
	if !spans.Sampled(ctx) { // tracing off or not sampled: nothing allocated
		return ctx, nil
	}
	kind := kindOfOperation(opCtx.Operation.Operation)
	name, opName := kind.String(), opCtx.OperationName
	if opName == "" {
		opName = opCtx.Operation.Name
	}
	if len(opName) > maxSpanOperationName { // a name is ASCII: cut anywhere
		opName = opName[:maxSpanOperationName]
	}
	if opName != "" {
		name += " " + opName
	}
	ctx, span, _ := tracerScope.Start(ctx, name, trace.WithTimestamp(opCtx.Stats.OperationStart))
	if opName != "" {
		span.SetAttributes(semconv.GraphQLOperationTypeKey.String(kind.String()), semconv.GraphQLOperationName(opName))
	} else {
		span.SetAttributes(semconv.GraphQLOperationTypeKey.String(kind.String()))
	}
	return ctx, span
}

// sent tells the observer of a response sent and marks span (when there
// is one) with its worst error.
func (e *Every) sent(resp *graphql.Response, span trace.Span) (worst int) {
	worst, at := worstError(resp.Errors)
	if e.Observe != nil {
		e.Observe.Sent(resp.Errors)
	}
	if at >= 0 && span != nil {
		spans.Fail(span, resp.Errors[at], len(resp.Errors))
	}
	return worst
}

// answered writes the log line of the operation opCtx of ctx (nil: the
// request never got one), which answered resp (whose worst error has status
// worst), then tells the observer and ends its span: one clock reading for
// both.
func (e *Every) answered(ctx context.Context, opCtx *graphql.OperationContext, resp *graphql.Response, worst int,
	executed bool, span trace.Span) {
	now := time.Now()
	took := now.Sub(startOf(ctx, opCtx))
	e.log(ctx, opCtx, resp, worst, now, took)
	e.finished(opCtx, resp, worst, executed, took, span)
}

// finished tells the observer that the operation opCtx ended with resp
// after took, and ends its span.
func (e *Every) finished(opCtx *graphql.OperationContext, resp *graphql.Response, worst int, executed bool,
	took time.Duration, span trace.Span) {
	if e.Observe != nil {
		e.Observe.Finished(kindOf(opCtx), outcomeOf(opCtx, resp, worst, executed), took)
	}
	if executed && span != nil {
		span.End()
	}
}
