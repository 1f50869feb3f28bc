//go:build ignore

// The in-process harness of app.BenchmarkServeHTTP, for the bare gqlgen peer:
// copy ../shared/peers somewhere, put this file into its gqlgen-baseline/
// folder as bench_test.go (dropping the build line), and run, from that copy,
//
//	eval $(JWT_SECRET=bench-secret-bench-secret-bench-secret go run ./tokgen)
//	USER_TOKEN=$USER_TOKEN EXPIRED_TOKEN=$EXPIRED_TOKEN GOMAXPROCS=1 \
//	  go test -run '^$' -bench . -benchmem ./gqlgen-baseline/
//
// It builds the handler the way the peer's server.go does. Figures:
// docs/benchmarks.md.

package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"peers/gqlgen-baseline/auth"
	"peers/gqlgen-baseline/graph"
)

func build() http.Handler {
	cfg := graph.Config{Resolvers: &graph.Resolver{Users: []string{"admin-1", "user-1", "user-2"}}}
	cfg.Directives.Auth = auth.Directive
	srv := handler.New(graph.NewExecutableSchema(cfg))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(extension.Introspection{})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	srv.SetErrorPresenter(func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		var ae *auth.Error
		if errors.As(err, &ae) {
			gqlErr.Message = ae.Msg
			gqlErr.Extensions = map[string]any{"code": ae.Code, "type": ae.Type, "status": ae.Status}
		}
		return gqlErr
	})
	h := auth.Middleware([]byte("bench-secret-bench-secret-bench-secret"))(srv)
	mux := http.NewServeMux()
	mux.Handle("/query", h)
	return mux
}

func post(body, token string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/query", bytes.NewReader([]byte(body)))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+token)
	return r
}

func BenchmarkServeHTTP(b *testing.B) {
	h := build()
	for _, c := range []struct{ name, body, token string }{
		{"me-ok", `{"query":"{ me { id email role } }"}`, os.Getenv("USER_TOKEN")},
		{"admin-403", `{"query":"{ adminStats { users } }"}`, os.Getenv("USER_TOKEN")},
		{"expired-401", `{"query":"{ me { id } }"}`, os.Getenv("EXPIRED_TOKEN")},
	} {
		b.Run(c.name, func(b *testing.B) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, post(c.body, c.token))
			b.Log(rec.Body.String())
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(httptest.NewRecorder(), post(c.body, c.token))
			}
		})
	}
}
