package graph

import (
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
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

// newSchema returns the executable schema with faultline's directives; the
// costs are declared in the schema (@cost, @listSize) and read by Limits.
func newSchema(r *Resolver, c *Constraints) graphql.ExecutableSchema {
	cfg := Config{Resolvers: r}
	d := &directives{auth: r.Auth, constraints: c}
	cfg.Directives.Auth = d.Auth
	cfg.Directives.Owner = d.Owner
	return NewExecutableSchema(cfg)
}

// NewPresenter returns the presenter NewServer installs for opts; it keeps
// no state, so another one presents alike (package operation words its
// errors with it).
func NewPresenter(opts Options) *Presenter {
	return &Presenter{Log: opts.Log, Private: !opts.Introspection}
}

// NewServer returns gqlgen's server for the resolvers with faultline's
// presenter, panic recovery, directives, limits, constraints, per-operation
// loaders and query cache. The caller adds the HTTP transport (package httpapi).
func NewServer(r *Resolver, opts Options) *handler.Server {
	constraints := &Constraints{}
	srv := handler.New(newSchema(r, constraints))
	p := NewPresenter(opts)
	srv.SetErrorPresenter(p.Present)
	srv.SetRecoverFunc(p.Recover)
	srv.SetQueryCache(newDocCache())
	srv.SetParserTokenLimit(ParserTokenLimit)
	srv.SetValidationRulesFn(func() *rules.Rules { return validationRules(opts.Introspection) })
	// Introspection is decided by the validation rule above; the extension
	// only lifts gqlgen's own execution-time switch.
	srv.Use(extension.Introspection{})
	if p.Private {
		srv.Use(keepVariables{}) // before Coercion rewrites them
	}
	srv.Use(&Coercion{})
	srv.Use(&Limits{MaxComplexity: opts.MaxComplexity, MaxDepth: opts.MaxDepth, Introspection: opts.Introspection})
	srv.Use(constraints)
	if r.Accounts != nil && r.Catalog != nil {
		srv.AroundOperations(withLoaders(r.Accounts.Store, r.Catalog.Store))
	}
	return srv
}
