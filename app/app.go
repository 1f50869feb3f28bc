// Package app wires faultline together: configuration → store → domain →
// GraphQL engine → HTTP. server.go runs it; tests start it with httptest.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/99designs/gqlgen/graphql/playground"

	"github.com/faultline/faultline/config"
	"github.com/faultline/faultline/graph"
	"github.com/faultline/faultline/httpapi"
	"github.com/faultline/faultline/shop"
	"github.com/faultline/faultline/store"
)

// App is a faultline server: its database, its HTTP handler and its drain gate.
type App struct {
	Config  config.Config
	DB      *store.DB
	Gate    *httpapi.Gate
	Handler http.Handler
	Log     *slog.Logger
}

// Option adjusts an App before its handler is built (tests use it).
type Option func(*Wiring)

// Wiring is what the handler is built from; options may replace parts.
type Wiring struct {
	Products shop.ProductStore
}

// New opens and migrates the database, seeds demo data when configured and
// the database is empty, and builds the handler.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, opts ...Option) (*App, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if cfg.SeedDemo {
		seeded, err := db.SeedDemo(ctx)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("seeding demo data: %w", err)
		}
		if seeded {
			log.Info("seeded demo products")
		}
	}
	a := &App{Config: cfg, DB: db, Gate: &httpapi.Gate{}, Log: log}
	w := Wiring{Products: db}
	for _, o := range opts {
		o(&w)
	}
	a.Handler = a.routes(w)
	return a, nil
}

// routes builds the HTTP handler.
func (a *App) routes(w Wiring) http.Handler {
	resolver := &graph.Resolver{Catalog: &shop.Catalog{Store: w.Products}}
	gql := graph.NewServer(graph.NewSchema(resolver), graph.Options{
		MaxComplexity: a.Config.MaxComplexity,
		MaxDepth:      a.Config.MaxDepth,
		Introspection: a.Config.Introspection,
		Log:           a.Log,
	})
	gql.AddTransport(&httpapi.Transport{
		MaxBodyBytes: a.Config.MaxBodyBytes,
		Timeout:      a.Config.RequestTimeout,
		Strict:       a.Config.StrictStatus,
		Gate:         a.Gate,
		Log:          a.Log,
	})

	mux := http.NewServeMux()
	mux.Handle("/query", gql)
	mux.HandleFunc("GET /healthz", httpapi.Healthz)
	mux.Handle("GET /readyz", httpapi.Readyz(a.Gate, a.DB.Ping))
	if a.Config.Playground {
		mux.Handle("GET /{$}", playground.Handler("faultline", "/query"))
	}
	return httpapi.RequestID(mux)
}

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }
