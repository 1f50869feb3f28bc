package graph

import (
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// Options configure the GraphQL engine.
type Options struct {
	MaxComplexity int
	MaxDepth      int
	Introspection bool
	Log           *slog.Logger
}

// ParserTokenLimit bounds the work of parsing one document; the largest
// legitimate documents (GraphiQL's introspection query) use about 1,500.
// The HTTP transport parses a GET's document with the same limit.
const ParserTokenLimit = 15_000

// Schema is the schema faultline serves, for tests and tools.
func Schema() *ast.Schema { return NewExecutableSchema(Config{}).Schema() }

// newSchema returns the executable schema with faultline's directives and costs.
func newSchema(r *Resolver, c *Constraints) graphql.ExecutableSchema {
	cfg := Config{Resolvers: r}
	d := &directives{auth: r.Auth, constraints: c}
	cfg.Directives.Auth = d.Auth
	cfg.Directives.Owner = d.Owner
	cfg.Complexity.Query.Products = func(child int, first *int, _ *string, _ *string) int {
		return listCost(child, first)
	}
	cfg.Complexity.Query.Users = func(child int, first *int, _ *string) int {
		return listCost(child, first)
	}
	cfg.Complexity.Query.MyOrders = func(child int, first *int, _ *string) int {
		return listCost(child, first)
	}
	cfg.Complexity.User.Orders = func(child int, first *int, _ *string) int {
		return listCost(child, first)
	}
	return NewExecutableSchema(cfg)
}

// NewServer returns gqlgen's server for the resolvers with faultline's
// presenter, panic recovery, directives, limits, constraints, per-operation
// loaders and query cache. The caller adds the HTTP transport (package httpapi).
func NewServer(r *Resolver, opts Options) *handler.Server {
	constraints := &Constraints{}
	srv := handler.New(newSchema(r, constraints))
	p := &Presenter{Log: opts.Log}
	srv.SetErrorPresenter(p.Present)
	srv.SetRecoverFunc(p.Recover)
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.SetParserTokenLimit(ParserTokenLimit)
	srv.SetValidationRulesFn(func() *rules.Rules { return validationRules(opts.Introspection) })
	// Introspection is decided by the validation rule above; the extension
	// only lifts gqlgen's own execution-time switch.
	srv.Use(extension.Introspection{})
	srv.Use(&Limits{MaxComplexity: opts.MaxComplexity, MaxDepth: opts.MaxDepth})
	srv.Use(constraints)
	if r.Accounts != nil && r.Catalog != nil {
		srv.AroundOperations(withLoaders(r.Accounts.Store, r.Catalog.Store))
	}
	return srv
}
