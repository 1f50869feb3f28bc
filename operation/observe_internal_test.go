package operation

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/faultline/faultline/apperr"
)

// heard is what an Observer was told.
type heard struct {
	sent     [][]string // the types of each response's errors
	finished []string   // "kind outcome"
}

func (h *heard) Sent(errs gqlerror.List) {
	var types []string
	for _, e := range errs {
		types = append(types, string(e.Err.(*apperr.Error).Type))
	}
	h.sent = append(h.sent, types)
}

func (h *heard) Finished(kind Kind, outcome Outcome, took time.Duration) {
	h.finished = append(h.finished, kind.String()+" "+outcome.String())
}

func errs(types ...apperr.Type) gqlerror.List {
	var out gqlerror.List
	for _, t := range types {
		ae := apperr.New(t)
		out = append(out, &gqlerror.Error{Err: ae, Message: ae.Message()})
	}
	return out
}

func withOperation(op ast.Operation) context.Context {
	opCtx := &graphql.OperationContext{Operation: &ast.OperationDefinition{Operation: op}}
	opCtx.Stats.OperationStart = time.Now()
	return graphql.WithOperationContext(context.Background(), opCtx)
}

// TestASubscriptionIsObservedEventByEvent: each event's errors are sent;
// the subscription finishes once, when it ends, with its last event's
// outcome.
func TestASubscriptionIsObservedEventByEvent(t *testing.T) {
	h := &heard{}
	e := &Every{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Observe: h}
	events := []*graphql.Response{{}, {Errors: errs(apperr.ResourceNotFound)}, {Errors: errs(apperr.TokenExpired)}, nil}
	next := func(context.Context) *graphql.Response {
		resp := events[0]
		events = events[1:]
		return resp
	}
	ctx, end := withStreamEnd(withOperation(ast.Subscription))
	stream := e.stream(next, graphql.GetOperationContext(ctx), nil, end)

	for stream(ctx) != nil {
	}
	assert.Equal(t, [][]string{nil, {"RESOURCE_NOT_FOUND"}, {"TOKEN_EXPIRED"}}, h.sent)
	assert.Equal(t, []string{"subscription partial"}, h.finished)
}

// TestTheOutcomes: refused before parsing, rejected before running, a
// server-side failure wherever it happened, partial, ok.
func TestTheOutcomes(t *testing.T) {
	noOperation := graphql.StartOperationTrace(context.Background())
	parsed := graphql.WithOperationContext(context.Background(), &graphql.OperationContext{})
	query := withOperation(ast.Query)
	for _, c := range []struct {
		ctx      context.Context
		errs     gqlerror.List
		executed bool
		want     string
	}{
		{noOperation, errs(apperr.UnsupportedMediaType), false, "none refused"},
		{noOperation, errs(apperr.ShuttingDown), false, "none refused"},
		{noOperation, errs(apperr.TooManyRequests), false, "none refused"},
		{parsed, errs(apperr.SyntaxError), false, "none rejected"},
		{query, errs(apperr.QueryTooDeep), false, "query rejected"},
		{query, errs(apperr.DatabaseUnavailable), false, "query error"},
		{query, errs(apperr.ResourceNotFound, apperr.Internal), true, "query error"},
		{query, errs(apperr.ResourceNotFound), true, "query partial"},
		{query, nil, true, "query ok"},
		{withOperation(ast.Mutation), nil, true, "mutation ok"},
	} {
		h := &heard{}
		e := &Every{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Observe: h}
		resp := &graphql.Response{Errors: c.errs}
		worst := e.sent(resp, nil)
		e.finished(operationOf(c.ctx), resp, worst, c.executed, 0, nil)
		require.Len(t, h.finished, 1)
		assert.Equal(t, c.want, h.finished[0], "%v", c.errs)
	}
}
