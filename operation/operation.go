// Package operation is what every GraphQL operation gets, whatever carries
// it (a POST, a GET, an entry of a batch, a WebSocket or SSE subscription):
// its admission (the drain gate and the rate limit), its deadline, its error
// budget and the cap on its errors, its HTTP-equivalent status, and its one
// log line. Transports ask Admit before starting an operation and put how it
// arrived into its context (WithVia); Every, installed on the GraphQL engine,
// does the rest from gqlgen's operation and response interceptors, which
// every transport passes through.
package operation

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel/trace"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/internal/errbudget"
	"github.com/faultline/faultline/internal/requestid"
)

// Via is how an operation arrived, which its status and its log line say.
type Via struct {
	Method string // the HTTP method (POST, GET)
	// GraphQLResponse: the client accepts application/graphql-response+json,
	// so a request error gets its own status (Status).
	GraphQLResponse bool
	// AdmitEach: the transport does not ask Admission itself, so Every
	// admits each operation (a WebSocket's subscribe messages).
	AdmitEach bool
}

type viaKey struct{}

// WithVia returns ctx carrying how its operation arrived. The transport
// keeps v unchanged (and may share it between requests).
func WithVia(ctx context.Context, v *Via) context.Context {
	return context.WithValue(ctx, viaKey{}, v)
}

func viaOf(ctx context.Context) *Via {
	if v, ok := ctx.Value(viaKey{}).(*Via); ok {
		return v
	}
	return &Via{}
}

// Every is the gqlgen extension that gives every operation its deadline, its
// error budget and cap, and its log line.
type Every struct {
	Timeout   time.Duration // the deadline of a query or mutation; 0 for none
	MaxErrors int           // errors per response (errbudget.DefaultLimit when 0)
	Strict    bool          // FAULTLINE_HTTP_STATUS=strict, for the logged status
	Log       *slog.Logger
	// Present is the engine's error presenter, which words TOO_MANY_ERRORS
	// and a deadline that ended an operation before it answered.
	Present graphql.ErrorPresenterFunc
	// Observe hears every response and operation, for metrics; nil for none.
	Observe Observer
	// Admission admits the operations whose transport does not (Via.AdmitEach).
	Admission *Admission
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
	graphql.OperationInterceptor
	graphql.ResponseInterceptor
} = &Every{}

// ExtensionName implements graphql.HandlerExtension.
func (*Every) ExtensionName() string { return "FaultlineEveryOperation" }

// Validate implements graphql.HandlerExtension.
func (*Every) Validate(graphql.ExecutableSchema) error { return nil }

func (e *Every) maxErrors() int {
	if e.MaxErrors > 0 {
		return e.MaxErrors
	}
	return errbudget.DefaultLimit
}

// MutateOperationContext implements graphql.OperationContextMutator: a GET
// runs queries only (a GET must be safe to repeat, and browsers and caches
// send them unasked), whatever carried the document: its text, or the hash
// of a persisted one. Anything else is METHOD_NOT_ALLOWED, and does not run.
// A subscription needs a stream (needsStream).
func (*Every) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	op := opCtx.Operation.Operation
	if op == ast.Subscription {
		return needsStream(ctx)
	}
	if viaOf(ctx).Method != http.MethodGet || op == ast.Query || op == "" {
		return nil
	}
	ae := apperr.New(apperr.MethodNotAllowed).With("method", http.MethodGet).With("allowed", []string{http.MethodPost}).
		Variant("get_mutation").WithParam("operation", string(op))
	return &gqlerror.Error{Err: ae, Message: ae.Message()}
}

// InterceptOperation implements graphql.OperationInterceptor: an operation
// that executes gets its error budget and, unless it is a subscription, its
// deadline, and its span when the request is traced; its log line follows
// its response (a subscription's, its end).
func (e *Every) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	ctx = errbudget.With(ctx, e.maxErrors())
	opCtx := graphql.GetOperationContext(ctx)
	ctx, span := startSpan(ctx, opCtx)
	if opCtx.Operation.Operation == ast.Subscription {
		ctx, end := withStreamEnd(ctx)
		return e.stream(next(ctx), opCtx, span, end)
	}
	cancel := context.CancelFunc(func() {})
	if e.Timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, e.Timeout)
	}
	h := next(ctx)
	answered := false
	return func(ctx context.Context) *graphql.Response {
		if answered { // one answer: a streaming transport (WebSocket, SSE) asks again
			return nil
		}
		answered = true
		defer cancel()
		resp := h(ctx)
		if resp == nil { // the context ended before a response was produced
			err := apperr.From(ctx.Err())
			if err == nil {
				err = apperr.New(apperr.DeadlineExceeded)
			}
			resp = &graphql.Response{Errors: gqlerror.List{e.Present(ctx, err)}}
		}
		worst := e.sent(resp, span)
		e.answered(ctx, opCtx, resp, worst, true, span)
		return resp
	}
}

// stream logs a subscription once, when it ends; each event gets an error
// budget of its own and is observed, and the end gets its error (EndStream).
func (e *Every) stream(h graphql.ResponseHandler, opCtx *graphql.OperationContext, span trace.Span,
	end *streamEnd) graphql.ResponseHandler {
	var (
		last  *graphql.Response
		worst int
	)
	return func(ctx context.Context) *graphql.Response {
		resp := h(errbudget.With(ctx, e.maxErrors()))
		if resp == nil {
			resp = e.ended(ctx, end)
		}
		if resp == nil {
			if last == nil {
				last = &graphql.Response{}
			}
			e.answered(ctx, opCtx, last, worst, true, span)
			return nil
		}
		worst = e.sent(resp, span)
		last = resp
		return resp
	}
}

// InterceptResponse implements graphql.ResponseInterceptor: every response
// (each event of a subscription included) carries at most MaxErrors errors;
// a response of an operation that never executed (refused or rejected) is
// logged here.
func (e *Every) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil {
		return nil
	}
	if limit := e.maxErrors(); len(resp.Errors) > limit {
		resp.Errors = errbudget.Cap(resp.Errors, limit, func(ae *apperr.Error) *gqlerror.Error {
			return e.Present(errbudget.Unlimited(ctx), ae)
		})
	}
	if !errbudget.In(ctx) {
		span := trace.SpanFromContext(ctx) // the request's, when it is traced
		worst := e.sent(resp, span)
		e.answered(ctx, operationOf(ctx), resp, worst, false, span)
	}
	return resp
}

// log writes the operation's one line, at now, took after its start: 5xx
// (worst, resp's highest status) at error, 4xx at warn, success at info,
// with the request id, method, status, duration, operation, error codes (as
// one string: "NOT_FOUND/RESOURCE_NOT_FOUND,...") and, when the request is
// traced, its trace id.
func (e *Every) log(ctx context.Context, opCtx *graphql.OperationContext, resp *graphql.Response, worst int,
	now time.Time, took time.Duration) {
	level := slog.LevelInfo
	switch {
	case worst >= 500:
		level = slog.LevelError
	case worst >= 400:
		level = slog.LevelWarn
	}
	// The handler is called directly: the line always comes from here, so
	// the caller's program counter that Logger looks up is not needed.
	h := e.Log.Handler()
	if !h.Enabled(ctx, level) {
		return
	}
	via := viaOf(ctx)
	var name string
	if opCtx != nil {
		name = opCtx.OperationName
		if name == "" && opCtx.Operation != nil {
			name = opCtx.Operation.Name
		}
	}
	rec := slog.NewRecord(now, level, "graphql", 0)
	rec.AddAttrs(
		slog.String("request_id", requestid.From(ctx)),
		slog.String("method", via.Method),
		slog.Int("status", Status(resp, via.GraphQLResponse, e.Strict)),
		slog.Duration("took", took),
	)
	if name != "" {
		rec.AddAttrs(slog.String("operation", name))
	}
	if len(resp.Errors) > 0 {
		rec.AddAttrs(slog.String("errors", errorNames(resp.Errors)))
	}
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		rec.AddAttrs(slog.String("trace_id", span.SpanContext().TraceID().String()))
	}
	_ = h.Handle(ctx, rec)
}

// errorNames names a response's errors for its log line:
// "NOT_FOUND/RESOURCE_NOT_FOUND,...".
func errorNames(errs gqlerror.List) string {
	names := make([]string, 0, len(errs))
	for _, e := range errs {
		if ae, ok := errors.AsType[*apperr.Error](e); ok {
			names = append(names, ae.Type.Qualified())
		}
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names, ",")
}
