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

// TestPrivatePresenterRewritesWhatNamesTheSchema feeds gqlparser's wordings,
// those our schema cannot cause included (OneOf, abstract types), to a
// private presenter whose request named only the document below.
func TestPrivatePresenterRewritesWhatNamesTheSchema(t *testing.T) {
	p := &graph.Presenter{Log: slog.New(slog.DiscardHandler), Private: true}
	ctx := graphql.WithOperationContext(context.Background(), &graphql.OperationContext{
		RawQuery: `query($v: Int, $w: Thing) { a: me { x y ...F } } fragment F on Thing { z }`,
	})
	for msg, want := range map[string]string{
		`Cannot query field "x" on type "User". Did you mean "id"?`:                                                 `Cannot query field "x" here.`,
		`Cannot query field "x" on type "Query". Did you mean to use an inline fragment on "Product"?`:              `Cannot query field "x" here.`,
		`Unknown argument "x" on field "User.me". Did you mean "first"?`:                                            `Unknown argument "x" on field "me".`,
		`Unknown argument "x" on directive "@auth". Did you mean "role"?`:                                           `The query is not valid against the schema`,
		`Directive "@me" argument "role" of type "Role" is required, but it was not provided.`:                      `Directive "@me" is missing a required argument.`,
		`Unknown type "Thing". Did you mean "Product"?`:                                                             `Unknown type "Thing".`,
		`Enum "Role" cannot represent non-enum value: "x".`:                                                         `This enum cannot represent non-enum value: "x".`,
		`Value "x" does not exist in "Role" enum. Did you mean the enum value "USER"?`:                              `Value "x" does not exist in this enum.`,
		`OneOf Input Object "ProductInput" must specify exactly one key.`:                                           `This object must specify exactly one key.`,
		`Field "ProductInput.name" must be non-null.`:                                                               `The field of this object must be non-null.`,
		`Fragment "F" cannot be spread here as objects of type "User" can never be of type "Thing".`:                `Fragment "F" cannot be spread here: objects here can never be of type "Thing".`,
		`Variable "$v" is of type "Int" but must be non-nullable to be used for OneOf Input Object "ProductInput".`: `Variable "$v" must be non-nullable to be used here.`,
		`Variable "$w" cannot be non-input type "Thing".`:                                                           `Variable "$w" cannot be of output type "Thing".`,
		`Fields "a" conflict because subfields "x" conflict because they return conflicting types "Role" and "Int". Use different aliases on the fields to fetch both if this was intentional.`: `Fields "a" conflict because subfields "x" conflict because they return conflicting types. Use different aliases on the fields to fetch both if this was intentional.`,
		// A wording no rewrite knows that names the schema gives way to the catalog's message.
		`Something about "Product".`: `The query is not valid against the schema`,
	} {
		e := &gqlerror.Error{Message: msg, Rule: "SomeRule", Extensions: map[string]any{"code": "GRAPHQL_VALIDATION_FAILED"}}
		out := p.Present(ctx, e)
		assert.Equal(t, want, out.Message, msg)
		assert.Equal(t, map[string]any{"rule": "SomeRule"}, out.Extensions["details"], "details.rule stays")
	}

	variable := func(msg string, path ...ast.PathElement) *gqlerror.Error {
		return &gqlerror.Error{Message: msg, Path: append(ast.Path{ast.PathName("variable"), ast.PathName("v")}, path...),
			Extensions: map[string]any{"code": "GRAPHQL_VALIDATION_FAILED"}}
	}
	for _, c := range []struct {
		err  *gqlerror.Error
		want string
	}{
		{variable("must be defined", ast.PathName("x"), ast.PathName("quantity")), `Variable "$v" at x: is missing a required field`},
		{variable("must be defined", ast.PathName("y")), `Variable "$v" at y: must be defined`},
		{variable("X is not a valid OrderStatus"), `Variable "$v" X is not a valid value`},
		{variable("must be a ProductInput, not a string"), `Variable "$v" must be an object`},
		{variable("cannot use string as Int"), `Variable "$v" cannot use string as Int`},
		{variable("must an input type"), `Variable "$v" is not valid`}, // "input" is an argument's name
	} {
		out := p.Present(ctx, c.err)
		assert.Equal(t, "INVALID_VARIABLES", out.Extensions["type"])
		assert.Equal(t, c.want, out.Message)
	}

	// Without the request at hand, nothing counts as named.
	out := p.Present(context.Background(), variable("must be defined", ast.PathName("x")))
	assert.Equal(t, `Variable "$v" is missing a required field`, out.Message)
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
