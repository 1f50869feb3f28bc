package httpapi

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// presenting is the engine as gqlgen's WebSocket and SSE transports see it.
// Those transports send some errors of CreateOperationContext as they got
// them, not as the presenter words them (the WebSocket transport does for
// every error that is not a parse or validation error), so here
// CreateOperationContext returns its errors presented, and DispatchError
// lets a presented list through as it is. Every operation of a connection
// gets its own scope (a fresh authentication, for one).
type presenting struct {
	graphql.GraphExecutor
	scope func(context.Context) context.Context // nil: none
}

func (e presenting) CreateOperationContext(ctx context.Context, params *graphql.RawParams) (*graphql.OperationContext, gqlerror.List) {
	opCtx, errs := e.GraphExecutor.CreateOperationContext(ctx, params)
	if errs == nil {
		return opCtx, nil
	}
	return opCtx, e.GraphExecutor.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs).Errors
}

func (e presenting) DispatchError(ctx context.Context, list gqlerror.List) *graphql.Response {
	if presented(list) {
		return &graphql.Response{Errors: list}
	}
	return e.GraphExecutor.DispatchError(ctx, list)
}

func (e presenting) DispatchOperation(ctx context.Context, opCtx *graphql.OperationContext) (graphql.ResponseHandler, context.Context) {
	if e.scope != nil {
		ctx = e.scope(ctx)
	}
	return e.GraphExecutor.DispatchOperation(ctx, opCtx)
}

// presented reports whether every error of list is in the envelope, which
// only the presenter makes (it always sets requestId).
func presented(list gqlerror.List) bool {
	for _, e := range list {
		if _, ok := e.Extensions["requestId"]; !ok {
			return false
		}
	}
	return len(list) > 0
}
