package graph_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/graph"
	"github.com/faultline/faultline/internal/requestid"
)

func TestPresenterKeepsPathAndLocationsAndAddsTheEnvelope(t *testing.T) {
	p := &graph.Presenter{Log: slog.New(slog.DiscardHandler)}
	ctx := requestid.With(context.Background(), "rid-1")
	in := gqlerror.WrapPath(ast.Path{ast.PathName("product")}, apperr.NotFound("Product", "p1"))
	in.Locations = []gqlerror.Location{{Line: 1, Column: 3}}

	out := p.Present(ctx, in)
	assert.Equal(t, "Product p1 was not found", out.Message)
	assert.Equal(t, ast.Path{ast.PathName("product")}, out.Path)
	assert.Equal(t, in.Locations, out.Locations)
	assert.Equal(t, map[string]any{
		"code": "NOT_FOUND", "type": "RESOURCE_NOT_FOUND", "status": 404, "requestId": "rid-1",
		"details": map[string]any{"resource": "Product", "id": "p1"},
	}, out.Extensions)
}

func TestPresenterTurnsForeignErrorsIntoInternal(t *testing.T) {
	p := &graph.Presenter{Log: slog.New(slog.DiscardHandler)}
	out := p.Present(context.Background(), fmt.Errorf("wrapped: %w", errors.New("secret driver text")))
	assert.Equal(t, "Internal server error", out.Message)
	assert.Equal(t, "INTERNAL", out.Extensions["type"])

	rec := p.Recover(context.Background(), "kaboom")
	out = p.Present(context.Background(), rec)
	assert.Equal(t, "INTERNAL", out.Extensions["type"])
	ae, ok := errors.AsType[*apperr.Error](rec)
	require.True(t, ok)
	assert.ErrorContains(t, ae.Cause, "panic: kaboom")
}

func TestGqlgenMarkedErrorsAreClassified(t *testing.T) {
	p := &graph.Presenter{Log: slog.New(slog.DiscardHandler)}
	parse := &gqlerror.Error{Message: "Unexpected <EOF>", Extensions: map[string]any{"code": "GRAPHQL_PARSE_FAILED"}}
	assert.Equal(t, "SYNTAX_ERROR", p.Present(context.Background(), parse).Extensions["type"])

	rule := &gqlerror.Error{Message: "Cannot query field", Rule: "FieldsOnCorrectType", Extensions: map[string]any{"code": "GRAPHQL_VALIDATION_FAILED"}}
	out := p.Present(context.Background(), rule)
	assert.Equal(t, "INVALID_QUERY", out.Extensions["type"])
	assert.Equal(t, map[string]any{"rule": "FieldsOnCorrectType"}, out.Extensions["details"])

	variable := &gqlerror.Error{Message: "cannot be null", Path: ast.Path{ast.PathName("variable"), ast.PathName("input"), ast.PathName("items"), ast.PathIndex(2)},
		Extensions: map[string]any{"code": "GRAPHQL_VALIDATION_FAILED"}}
	out = p.Present(context.Background(), variable)
	assert.Equal(t, "INVALID_VARIABLES", out.Extensions["type"])
	assert.Equal(t, `Variable "$input" at items[2]: cannot be null`, out.Message)
	assert.Nil(t, out.Path, "a variable path is not a response path")

	// An error gqlgen makes itself that we do not recognise is a bug.
	unknown := &gqlerror.Error{Message: "must not be null", Extensions: map[string]any{}}
	assert.Equal(t, "INTERNAL", p.Present(context.Background(), unknown).Extensions["type"])
}

// BenchmarkPresent measures presenting resolver errors as the executor does
// (through graphql.AddError), for one error and for 100 in one response.
// Figures: docs/benchmarks.md.
func BenchmarkPresent(b *testing.B) {
	p := &graph.Presenter{Log: slog.New(slog.NewJSONHandler(io.Discard, nil))}
	ctx := requestid.With(context.Background(), "2f1c0c9e6b7d4a51")
	for _, n := range []int{1, 100} {
		errs := make([]error, n)
		for i := range errs {
			errs[i] = gqlerror.WrapPath(ast.Path{ast.PathName("products"), ast.PathIndex(i)}, apperr.NotFound("Product", "p1"))
		}
		b.Run(fmt.Sprintf("errors=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rctx := graphql.WithResponseContext(ctx, p.Present, p.Recover)
				for _, err := range errs {
					graphql.AddError(rctx, err)
				}
			}
		})
	}
	b.Run("internal", func(b *testing.B) {
		err := gqlerror.WrapPath(ast.Path{ast.PathName("products")}, errors.New("driver: broken pipe"))
		b.ReportAllocs()
		for b.Loop() {
			p.Present(ctx, err)
		}
	})
}
